import { StringDecoder } from 'node:string_decoder';
import * as vscode from 'vscode';
import * as notify from '../platform/notify';
import { isKubeError } from '../kube/errors';
import { CancelledError, UserFacingError, errorMessage } from '../shared/errors';
import type { ResourceKind } from '../shared/model';
import { inertIcons } from '../shared/inertText';
import { redact } from '../shared/redact';
import type { Services } from '../vcluster/services';
import { ForwardNode, ResourceNode } from '../tree/insideNodes';
import { VClusterNode } from '../tree/nodes';
import type { ForwardInfo, ObjectTarget } from '../vcluster/inside';
import {
  DEFAULT_SHELL,
  INSIDE_KINDS,
  execCommand,
  execEndMessage,
  kindsPhrase,
  knownContainer,
  logChoiceFrom,
  logEndNote,
  parseObjectTarget,
  parseSince,
  parseTail,
  portProblem,
  requireKind,
  requireRunning,
  SHELL_PRESETS,
  shellCommand,
  shellProblem,
  sinceProblem,
  tailProblem,
  wholeNumberOption,
  type LogChoice,
} from '../vcluster/insideChoices';
import { flag, refFromArg } from './args';
import type { CommandEnv } from './env';
import { resolveRef } from './vclusterCommands';

// Commands that work inside a vcluster: logs, a terminal in a container, a terminal for the vcluster, port-forwards,
// events, the host twin of a synced object. Each resolves its target (a tree node, a plain object, or quick picks),
// asks what is missing, calls the domain (src/vcluster/inside.ts) and shows the result.

/**
 * An object inside a vcluster from a tree node or `{ context, namespace, name, parents?, object: { kind, namespace,
 * name, container? } }`; undefined when the argument names no object (a vcluster, or nothing).
 */
export function targetFromArg(arg: unknown): ObjectTarget | undefined {
  if (arg instanceof ResourceNode) return { ref: arg.ref, kind: arg.kind, namespace: arg.namespace, name: arg.name };
  const o = flag(arg, 'object');
  return o === undefined ? undefined : parseObjectTarget(refFromArg(arg), o);
}

/** Resolves the object: from the argument, else by asking for the vcluster, the namespace and the object. */
export async function resolveTarget(env: CommandEnv, arg: unknown, kinds: readonly ResourceKind[], what: string): Promise<ObjectTarget> {
  const given = targetFromArg(arg);
  if (given) return requireKind(given, kinds, what);
  const services = await env.services();
  const ref = await resolveRef(env, arg, (v) => v.phase === 'running', `${what}: select the vcluster`);
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
async function chooseContainer(services: Services, t: ObjectTarget, what: string): Promise<ObjectTarget> {
  const containers = await services.inside.containers(t);
  const known = knownContainer(t, containers);
  if (known) return known;
  const pick = await vscode.window.showQuickPick(
    containers.map((c) => ({
      label: c.name,
      description: inertIcons([c.init ? 'init container' : undefined, c.state, c.restarts ? `${c.restarts} restarts` : undefined].filter(Boolean).join(' · ')),
    })),
    { placeHolder: `${what}: select the container of pod ${t.name}` },
  );
  if (!pick) throw new CancelledError();
  return { ...t, container: pick.label };
}

function numberFlag(arg: unknown, name: string): number | undefined {
  return wholeNumberOption(flag(arg, name), name);
}

/** What to show of a log, asked when a tree node (not a plain object with options) started the command. */
async function askLogChoice(restarts: number): Promise<LogChoice> {
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

async function askText(prompt: string, value: string, validateInput: (v: string) => string | undefined): Promise<string> {
  const text = await vscode.window.showInputBox({ prompt, value, validateInput });
  if (text === undefined) throw new CancelledError();
  return text;
}

/** The command of a terminal in a container: `shell` of a plain object, or (from the tree or the palette) a choice. */
async function chooseShell(arg: unknown): Promise<string[]> {
  const given = flag(arg, 'shell');
  if (given !== undefined) return shellCommand(given);
  if (arg !== undefined && !(arg instanceof ResourceNode)) return DEFAULT_SHELL;
  const items: (vscode.QuickPickItem & { command?: string[] })[] = [
    { label: '$(terminal) Default', description: 'bash when the container has it, else sh', command: DEFAULT_SHELL },
    ...SHELL_PRESETS.map((sh) => ({ label: sh, command: [sh] })),
    { label: '$(edit) Other shell…', description: 'the path of a program in the container' },
  ];
  const pick = await vscode.window.showQuickPick(items, { placeHolder: 'Which shell?' });
  if (!pick) throw new CancelledError();
  return pick.command ?? [(await askText('Path of the shell in the container', '/bin/sh', shellProblem)).trim()];
}

function logChoiceFromArg(arg: unknown): LogChoice | undefined {
  return logChoiceFrom({
    follow: flag(arg, 'follow'),
    previous: flag(arg, 'previous'),
    sinceSeconds: flag(arg, 'sinceSeconds'),
    tailLines: flag(arg, 'tailLines'),
  });
}

/**
 * vcluster.logs: the log of a pod's container inside a vcluster, or (on a vcluster) of its control-plane pod on the
 * host, streamed into a read-only editor until its tab closes. Options: `follow`, `previous`, `sinceSeconds`,
 * `tailLines`, and `object.container`. Returns the document's URI.
 */
export async function logs(env: CommandEnv, arg?: unknown): Promise<vscode.Uri> {
  const services = await env.services();
  const target = targetFromArg(arg);
  const fromOptions = logChoiceFromArg(arg);
  if (!target && (arg instanceof VClusterNode || refFromArg(arg))) {
    const ref = (arg instanceof VClusterNode ? arg.ref : refFromArg(arg))!;
    const choice = fromOptions ?? { follow: true, tailLines: 1000 };
    const container = typeof flag(arg, 'container') === 'string' ? (flag(arg, 'container') as string) : undefined;
    const pods = await services.inside.controlPlanePods(ref);
    if (!pods.length) throw new UserFacingError(`vcluster ${ref.namespace}/${ref.name} has no control-plane pod (it may be paused or scaled down).`);
    return streamInto(env, `${ref.name}-control-plane`, `vcluster ${ref.namespace}/${ref.name}: control-plane pod ${pods[0]!.name}`, (signal, onText) =>
      services.inside.controlPlaneLogs(ref, { ...choice, signal, ...(container ? { container } : {}) }, onText),
    );
  }
  let t = target ?? (await resolveTarget(env, arg, ['Pod'], 'Logs'));
  if (t.kind !== 'Pod') throw new UserFacingError(`Logs are read from pods, not from a ${t.kind.toLowerCase()}.`);
  t = await chooseContainer(services, t, 'Logs');
  const restarts = (await services.inside.containers(t)).find((c) => c.name === t.container)?.restarts ?? 0;
  const choice = fromOptions ?? (await askLogChoice(restarts));
  const header = `pod ${t.namespace}/${t.name}, container ${t.container}, in vcluster ${t.ref.name}${choice.previous ? ' (previous container)' : ''}`;
  return streamInto(env, `${t.name}-${t.container}`, header, (signal, onText) => services.inside.logs(t, { ...choice, signal }, onText));
}

async function streamInto(
  env: CommandEnv,
  title: string,
  header: string,
  run: (signal: AbortSignal, onText: (t: string) => void) => Promise<void>,
): Promise<vscode.Uri> {
  const doc = await env.logDocuments.open(title);
  doc.append(`--- ${header} ---\n`);
  env.logger.info(`Streaming the log of ${header}`);
  run(doc.signal, (text) => doc.append(text)).then(
    () => doc.end(logEndNote(undefined)),
    (err: unknown) => {
      doc.end(logEndNote(err));
      if (!isKubeError(err, 'cancelled')) {
        env.logger.warn(`Log of ${header}: ${errorMessage(err)}`);
        void notify.error(`The log of ${header} could not be read: ${errorMessage(err)}`);
      }
    },
  );
  return doc.uri;
}

/**
 * vcluster.exec: a terminal attached to a container of a pod inside a vcluster (WebSocket exec, v5 with v4 fallback).
 * `command` (a list of strings) replaces the default shell. Returns the terminal.
 */
export async function exec(env: CommandEnv, arg?: unknown): Promise<vscode.Terminal> {
  const services = await env.services();
  let t = await resolveTarget(env, arg, ['Pod'], 'Terminal');
  t = await chooseContainer(services, t, 'Terminal');
  const given = flag(arg, 'command');
  const command = given !== undefined ? execCommand(given) : await chooseShell(arg);
  // Fails with one clear message before a terminal opens: a pod that is gone or not running.
  requireRunning(await services.inside.pod(t), t);
  const target = t;
  const write = new vscode.EventEmitter<string>();
  const close = new vscode.EventEmitter<number | void>();
  let session: import('../kube/exec').ExecSession | undefined;
  let closedByUser = false;
  // What is typed (or sent with sendText) before the exec session is open goes in once it is.
  const early: string[] = [];
  let size: vscode.TerminalDimensions | undefined;
  const decoder = new StringDecoder('utf8');
  const pty: vscode.Pseudoterminal = {
    onDidWrite: write.event,
    onDidClose: close.event,
    open: (dims) => {
      void services.inside
        .exec(target, {
          command,
          tty: true,
          stdin: true,
          // A character split between two messages is joined before it is shown.
          onStdout: (d) => write.fire(decoder.write(d)),
        })
        .then(
          (s) => {
            session = s;
            if (closedByUser) {
              s.close();
              return;
            }
            size ??= dims;
            if (size) s.resize(size.columns, size.rows);
            for (const text of early.splice(0)) s.write(text);
            void s.done.then((r) => {
              if (closedByUser) return;
              if (r.reason === 'exited') {
                write.fire(`\r\n\x1b[2m[the command ended with exit code ${r.exitCode}]\x1b[0m\r\n`);
                close.fire(r.exitCode);
              } else {
                write.fire(
                  `\r\n\x1b[31m${execEndMessage(r.message ?? 'the connection ended', target.container, given === undefined ? command[0] : undefined)}\x1b[0m\r\n`,
                );
                close.fire(1);
              }
            });
          },
          (err: unknown) => {
            write.fire(`\x1b[31m${redact(errorMessage(err))}\x1b[0m\r\n`);
            close.fire(1);
          },
        );
    },
    handleInput: (data) => {
      if (session) session.write(data);
      else early.push(data);
    },
    setDimensions: (d) => {
      size = d;
      session?.resize(d.columns, d.rows);
    },
    close: () => {
      closedByUser = true;
      session?.close();
      write.dispose();
      close.dispose();
    },
  };
  const terminal = vscode.window.createTerminal({ name: `${t.name}/${t.container} (${t.ref.name})`, pty, iconPath: new vscode.ThemeIcon('terminal') });
  terminal.show();
  env.logger.info(`Terminal in ${t.namespace}/${t.name} container ${t.container} of vcluster ${t.ref.name}`);
  return terminal;
}

/**
 * vcluster.openTerminal: an integrated terminal whose KUBECONFIG is a private kubeconfig for this vcluster only (0600,
 * removed when the terminal closes). The user's kubeconfig is not touched. Returns the terminal.
 */
export async function openTerminal(env: CommandEnv, arg?: unknown): Promise<vscode.Terminal> {
  const ref = await resolveRef(env, arg, (v) => v.phase === 'running', 'Open a terminal in which vcluster?');
  const services = await env.services();
  const k = await services.inside.privateKubeconfig(ref, env.terminalKubeconfigFolder());
  let terminal: vscode.Terminal;
  try {
    // With the workspace scope on, the extension's environment collection replaces KUBECONFIG in every terminal, on top
    // of a terminal's own env (microsoft/vscode#96295); strictEnv keeps it off this one (not in remote windows, where
    // strictEnv is not honoured: microsoft/vscode#125389).
    const scoped = env.workspaceScoped();
    terminal = vscode.window.createTerminal({
      name: `vcluster ${ref.name}`,
      env: scoped ? { ...process.env, KUBECONFIG: k.file } : { KUBECONFIG: k.file },
      ...(scoped ? { strictEnv: true } : {}),
      iconPath: new vscode.ThemeIcon('vm'),
      // Not revived after a reload: its kubeconfig goes with this window (and one of a window that no longer runs is
      // removed at the next activation), so a revived terminal would name a file that is gone.
      isTransient: true,
      message: `KUBECONFIG points at a private kubeconfig for vcluster ${ref.namespace}/${ref.name} (context ${k.contextName}); it is removed when this terminal closes.`,
    });
  } catch (err) {
    k.remove();
    throw err;
  }
  const sub = vscode.window.onDidCloseTerminal((closed) => {
    if (closed !== terminal) return;
    sub.dispose();
    k.remove();
    env.logger.info(`Removed the private kubeconfig of the terminal for vcluster ${ref.name}`);
  });
  env.own({
    dispose: () => {
      sub.dispose();
      k.remove();
    },
  });
  terminal.show();
  env.logger.info(`Terminal for vcluster ${ref.namespace}/${ref.name} (context ${k.contextName})`);
  return terminal;
}

/**
 * vcluster.portForward: forwards a local port to a port of a pod or service inside a vcluster. `port` and `localPort`
 * may be given (0: any free port); otherwise they are asked for. Returns what was opened.
 */
export async function portForward(env: CommandEnv, arg?: unknown): Promise<ForwardInfo> {
  const services = await env.services();
  const t = await resolveTarget(env, arg, ['Pod', 'Service'], 'Port-forward');
  let port = numberFlag(arg, 'port');
  if (port === undefined) {
    const ports = await services.inside.forwardablePorts(t);
    if (ports.length) {
      const pick = await vscode.window.showQuickPick(
        [...ports.map((p) => ({ label: String(p.port), description: p.label, port: p.port })), { label: '$(edit) Another port…', port: -1 }],
        { placeHolder: `Port of ${t.kind.toLowerCase()} ${t.name} to forward` },
      );
      if (!pick) throw new CancelledError();
      port = pick.port;
    }
    if (port === undefined || port < 0) port = await askPort(`Port of ${t.kind.toLowerCase()} ${t.name} to forward`, '', false);
  }
  let localPort = numberFlag(arg, 'localPort');
  if (localPort === undefined)
    localPort = targetFromArg(arg) && flag(arg, 'port') !== undefined ? 0 : await askPort('Local port (empty: any free port)', String(port), true);
  const f = await services.inside.portForward(t, port, localPort);
  env.logger.info(
    `Port-forward 127.0.0.1:${f.localPort} → ${t.kind.toLowerCase()} ${t.namespace}/${t.name}:${port} (pod ${f.pod}:${f.podPort}) in vcluster ${t.ref.name}`,
  );
  await env.refreshStatus();
  if (flag(arg, 'port') === undefined) {
    void notify
      .info(`Forwarding 127.0.0.1:${f.localPort} to ${t.kind.toLowerCase()} ${t.name}:${port} in vcluster ${t.ref.name}.`, 'Open in Browser', 'Stop')
      .then((a) => {
        if (a === 'Open in Browser') void vscode.env.openExternal(vscode.Uri.parse(`http://127.0.0.1:${f.localPort}/`));
        if (a === 'Stop') services.inside.stopForward(f.id);
      });
  }
  return f;
}

async function askPort(prompt: string, value: string, allowEmpty: boolean): Promise<number> {
  const text = await vscode.window.showInputBox({ prompt, value, validateInput: (v) => portProblem(v, allowEmpty) });
  if (text === undefined) throw new CancelledError();
  return text.trim() === '' ? 0 : Number(text);
}

function forwardId(arg: unknown): string {
  if (arg instanceof ForwardNode) return arg.forwardId;
  const id = flag(arg, 'id');
  if (typeof id !== 'string') throw new UserFacingError('Which port-forward? Give { id } (from vcluster.portForward) or use the tree.');
  return id;
}

/** vcluster.stopPortForward: a forward node or `{ id }`; without one, asks among the open ones. */
export async function stopPortForward(env: CommandEnv, arg?: unknown): Promise<boolean> {
  const services = await env.services();
  let id: string;
  if (arg === undefined) {
    const open = services.inside.listForwards();
    if (!open.length) throw new UserFacingError('No port-forward is open.');
    const pick = await vscode.window.showQuickPick(
      open.map((f) => ({
        label: `127.0.0.1:${f.localPort}`,
        description: `${f.target.kind.toLowerCase()} ${f.target.namespace}/${f.target.name}:${f.port} · vcluster ${f.target.ref.name}`,
        id: f.id,
      })),
      { placeHolder: 'Stop which port-forward?' },
    );
    if (!pick) throw new CancelledError();
    id = pick.id;
  } else {
    id = forwardId(arg);
  }
  const stopped = services.inside.stopForward(id);
  if (!stopped) throw new UserFacingError('That port-forward is no longer open.');
  await env.refreshStatus();
  return stopped;
}

/** vcluster.restartPortForward: opens a broken forward again on the same local port. */
export async function restartPortForward(env: CommandEnv, arg?: unknown): Promise<ForwardInfo> {
  const services = await env.services();
  const f = await services.inside.restartForward(forwardId(arg));
  await env.refreshStatus();
  return f;
}

/** vcluster.showEvents: the events of an object inside a vcluster, warnings marked, in a read-only editor. */
export async function showEvents(env: CommandEnv, arg?: unknown): Promise<vscode.Uri> {
  const services = await env.services();
  const t = await resolveTarget(env, arg, INSIDE_KINDS, 'Events');
  const events = await services.inside.events(t);
  const { formatEvents } = await import('../vcluster/resources');
  const doc = await env.logDocuments.open(`${t.name}-events`);
  doc.append(formatEvents(`Events of ${t.kind} ${t.namespace}/${t.name} in vcluster ${t.ref.name} ("!!" marks warnings)`, events));
  doc.end(`${events.length} event${events.length === 1 ? '' : 's'}; run the command again to read them again`);
  return doc.uri;
}

/** vcluster.revealHostObject: the YAML of the object a synced pod or service became in the cluster the vcluster runs in. */
export async function revealHostObject(env: CommandEnv, arg?: unknown): Promise<void> {
  const services = await env.services();
  const t = await resolveTarget(env, arg, ['Pod', 'Service'], 'Host object');
  const twin = services.inside.hostTwin(t);
  if (!twin || (t.kind !== 'Pod' && t.kind !== 'Service')) throw new UserFacingError(`A ${t.kind.toLowerCase()} is not synced to the host.`);
  await env.openObjectYaml({ ref: t.ref, side: 'host', kind: t.kind, namespace: twin.namespace, name: twin.name });
}
