import * as vscode from 'vscode';
import { CancelledError, UserFacingError } from '../shared/errors';
import type { ResourceKind } from '../shared/model';
import { inertIcons } from '../shared/inertText';
import type { Services } from '../vcluster/services';
import type { ObjectTarget } from '../vcluster/inside';
import {
  DEFAULT_SHELL,
  kindsPhrase,
  knownContainer,
  parseSince,
  parseTail,
  portProblem,
  requireKind,
  SHELL_PRESETS,
  shellProblem,
  sinceProblem,
  tailProblem,
  type LogChoice,
} from '../vcluster/insideChoices';
import type { ObjectArgs } from './contractInside';
import type { CommandEnv } from './env';
import { resolveRef } from './helpers';

// The quick picks and input boxes of the commands inside a vcluster (src/commands/insideCommands.ts): the object, the
// container, the part of a log, the shell of a terminal, a port. What is typed is checked as it is typed
// (src/vcluster/insideChoices.ts).

/** Resolves the object: from the argument, else by asking for the vcluster, the namespace and the object. */
export async function resolveTarget(env: CommandEnv, given: ObjectArgs, kinds: readonly ResourceKind[], what: string): Promise<ObjectTarget> {
  if (given.object) return requireKind(given.object, kinds, what);
  const services = await env.services();
  const ref = await resolveRef(env, given.vcluster, (v) => v.phase === 'running', `${what}: select the vcluster`);
  const namespaces = await services.inside.namespaces(ref);
  const ns = await vscode.window.showQuickPick(
    namespaces.map((n) => ({ label: n.name, description: n.system ? 'system' : undefined })),
    { placeHolder: `${what}: namespace inside vcluster ${ref.name}` },
  );
  if (!ns) throw new CancelledError();
  const items: (vscode.QuickPickItem & { resourceKind: ResourceKind })[] = [];
  for (const kind of kinds) {
    for (const r of await services.inside.resources(ref, { namespace: ns.label, kind })) {
      items.push({
        label: r.name,
        description: inertIcons([kinds.length > 1 ? kind : undefined, r.status, r.ready].filter(Boolean).join(' · ')),
        resourceKind: kind,
      });
    }
  }
  if (!items.length) throw new UserFacingError(`Namespace ${ns.label} of vcluster ${ref.name} has no ${kindsPhrase(kinds, 'or')}.`);
  const pick = await vscode.window.showQuickPick(items, {
    placeHolder: `${what}: select the ${kinds.map((k) => k.toLowerCase()).join(' or ')}`,
    matchOnDescription: true,
  });
  if (!pick) throw new CancelledError();
  return { ref, kind: pick.resourceKind, namespace: ns.label, name: pick.label };
}

/** The container: given, the only one, or asked for. Unknown names get one clear message. */
type ContainerInfo = Awaited<ReturnType<Services['inside']['containers']>>[number];

export async function chooseContainer(services: Services, t: ObjectTarget, what: string): Promise<ObjectTarget> {
  return (await chooseContainerOf(services, t, what)).target;
}

/** chooseContainer, with the pod's containers as read for the choice (so a caller needs not read the pod again). */
export async function chooseContainerOf(services: Services, t: ObjectTarget, what: string): Promise<{ target: ObjectTarget; containers: ContainerInfo[] }> {
  const containers = await services.inside.containers(t);
  const known = knownContainer(t, containers);
  if (known) return { target: known, containers };
  const pick = await vscode.window.showQuickPick(
    containers.map((c) => ({
      label: c.name,
      description: inertIcons([c.init ? 'init container' : undefined, c.state, c.restarts ? `${c.restarts} restarts` : undefined].filter(Boolean).join(' · ')),
    })),
    { placeHolder: `${what}: select the container of pod ${t.name}` },
  );
  if (!pick) throw new CancelledError();
  return { target: { ...t, container: pick.label }, containers };
}

/** What to show of a log, asked when a tree node (not a plain object with options) started the command. */
export async function askLogChoice(restarts: number): Promise<LogChoice> {
  const items: (vscode.QuickPickItem & { choice: LogChoice })[] = [
    { label: '$(play) Follow', description: 'the last 1000 lines, then new ones as they come', choice: { follow: true, tailLines: 1000 } },
    { label: '$(history) Last 10 minutes, then follow', choice: { follow: true, sinceSeconds: 600 } },
    { label: '$(file) Whole log', description: 'no follow', choice: { follow: false } },
    { label: '$(history) Last hour, then follow', choice: { follow: true, sinceSeconds: 3600 } },
    { label: '$(edit) Since…', description: 'a duration of your own (30s, 10m, 2h, 1h30m, 3d), then follow', choice: { follow: true, sinceSeconds: -1 } },
    { label: '$(edit) Last lines…', description: 'a number of lines of your own, then follow', choice: { follow: true, tailLines: -1 } },
    ...(restarts > 0
      ? [{ label: '$(debug-restart) Previous container', description: 'the log before its last restart', choice: { follow: false, previous: true } }]
      : []),
  ];
  const pick = await vscode.window.showQuickPick(items, { placeHolder: 'Which part of the log?' });
  if (!pick) throw new CancelledError();
  // The two "…" items ask for their number (validated as typed: src/vcluster/insideChoices.ts).
  if (pick.choice.sinceSeconds === -1)
    return { follow: true, sinceSeconds: parseSince(await askText('Show the log since how long ago?', '10m', sinceProblem))! };
  if (pick.choice.tailLines === -1) return { follow: true, tailLines: parseTail(await askText('How many of the last lines?', '500', tailProblem))! };
  return pick.choice;
}

export async function askText(prompt: string, value: string, validateInput: (v: string) => string | undefined): Promise<string> {
  const text = await vscode.window.showInputBox({ prompt, value, validateInput });
  if (text === undefined) throw new CancelledError();
  return text;
}

/** The shell of a terminal in a container, when a tree node or the palette started the command. */
export async function askShell(): Promise<string[]> {
  const items: (vscode.QuickPickItem & { command?: string[] })[] = [
    { label: '$(terminal) Default', description: 'bash when the container has it, else sh', command: DEFAULT_SHELL },
    ...SHELL_PRESETS.map((sh) => ({ label: sh, command: [sh] })),
    { label: '$(edit) Other shell…', description: 'the path of a program in the container' },
  ];
  const pick = await vscode.window.showQuickPick(items, { placeHolder: 'Which shell?' });
  if (!pick) throw new CancelledError();
  return pick.command ?? [(await askText('Path of the shell in the container', '/bin/sh', shellProblem)).trim()];
}

export async function askPort(prompt: string, value: string, allowEmpty: boolean): Promise<number> {
  const text = await vscode.window.showInputBox({ prompt, value, validateInput: (v) => portProblem(v, allowEmpty) });
  if (text === undefined) throw new CancelledError();
  return text.trim() === '' ? 0 : Number(text);
}
