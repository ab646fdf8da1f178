import * as vscode from 'vscode';
import * as notify from '../platform/notify';
import { createExecTerminal } from '../platform/execTerminal';
import { isKubeError } from '../kube/errors';
import { CancelledError, UserFacingError, errorMessage } from '../shared/errors';
import type { ForwardInfo } from '../vcluster/inside';
import { INSIDE_KINDS, execEndMessage, logEndNote, requireRunning } from '../vcluster/insideChoices';
import { parseVClusterArg } from './contract';
import { forwardIdOf, parseExecArgs, parseForwardArg, parseLogsArgs, parseObjectArgs, parsePortForwardArgs } from './contractInside';
import type { CommandEnv } from './env';
import { resolveRef } from './helpers';
import { askLogChoice, askPort, askShell, chooseContainer, chooseContainerOf, resolveTarget } from './insidePicks';

// Commands that work inside a vcluster: logs, a terminal in a container, a terminal for the vcluster, port-forwards,
// events, the host twin of a synced object. Each parses its argument (src/commands/contract.ts), resolves its target
// (src/commands/insidePicks.ts asks for what is missing), calls the domain (src/vcluster/inside.ts) and shows the result.

/**
 * vcluster.logs: the log of a pod's container inside a vcluster, or (on a vcluster) of its control-plane pod on the
 * host, streamed into a read-only editor until its tab closes. Options: `follow`, `previous`, `sinceSeconds`,
 * `tailLines`, and `object.container`. Returns the document's URI.
 */
export async function logs(env: CommandEnv, arg?: unknown): Promise<vscode.Uri> {
  const given = parseLogsArgs(arg);
  const services = await env.services();
  const fromOptions = given.choice;
  if (given.controlPlane) {
    const ref = given.controlPlane;
    const choice = fromOptions ?? { follow: true, tailLines: 1000 };
    const container = given.container;
    const pods = await services.inside.controlPlanePods(ref);
    if (!pods.length) throw new UserFacingError(`vcluster ${ref.namespace}/${ref.name} has no control-plane pod (it may be paused or scaled down).`);
    return streamInto(env, `${ref.name}-control-plane`, `vcluster ${ref.namespace}/${ref.name}: control-plane pod ${pods[0]!.name}`, (signal, onText) =>
      services.inside.controlPlaneLogs(ref, { ...choice, signal, ...(container ? { container } : {}) }, onText),
    );
  }
  let t = given.object ?? (await resolveTarget(env, given, ['Pod'], 'Logs'));
  if (t.kind !== 'Pod') throw new UserFacingError(`Logs are read from pods, not from a ${t.kind.toLowerCase()}.`);
  const chosen = await chooseContainerOf(services, t, 'Logs');
  t = chosen.target;
  const restarts = chosen.containers.find((c) => c.name === t.container)?.restarts ?? 0;
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
  const given = parseExecArgs(arg);
  const services = await env.services();
  let t = await resolveTarget(env, given, ['Pod'], 'Terminal');
  t = await chooseContainer(services, t, 'Terminal');
  const command = given.command ?? (await askShell());
  // Fails with one clear message before a terminal opens: a pod that is gone or not running.
  requireRunning(await services.inside.pod(t), t);
  const target = t;
  const terminal = createExecTerminal({
    name: `${t.name}/${t.container} (${t.ref.name})`,
    open: (onStdout) => services.inside.exec(target, { command, tty: true, stdin: true, onStdout }),
    endMessage: (why) => execEndMessage(why, target.container, given.isShell ? command[0] : undefined),
  });
  terminal.show();
  env.logger.info(`Terminal in ${t.namespace}/${t.name} container ${t.container} of vcluster ${t.ref.name}`);
  return terminal;
}

/**
 * vcluster.openTerminal: an integrated terminal whose KUBECONFIG is a private kubeconfig for this vcluster only (0600,
 * removed when the terminal closes). The user's kubeconfig is not touched. Returns the terminal.
 */
export async function openTerminal(env: CommandEnv, arg?: unknown): Promise<vscode.Terminal> {
  const ref = await resolveRef(env, parseVClusterArg(arg), (v) => v.phase === 'running', 'Open a terminal in which vcluster?');
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
  const given = parsePortForwardArgs(arg);
  const services = await env.services();
  const t = await resolveTarget(env, given, ['Pod', 'Service'], 'Port-forward');
  let port = given.port;
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
  let localPort = given.localPort;
  if (localPort === undefined)
    localPort = given.object && given.port !== undefined ? 0 : await askPort('Local port (empty: any free port)', String(port), true);
  const f = await services.inside.portForward(t, port, localPort);
  env.logger.info(
    `Port-forward 127.0.0.1:${f.localPort} → ${t.kind.toLowerCase()} ${t.namespace}/${t.name}:${port} (pod ${f.pod}:${f.podPort}) in vcluster ${t.ref.name}`,
  );
  await env.refreshStatus();
  if (given.port === undefined) {
    void notify
      .info(`Forwarding 127.0.0.1:${f.localPort} to ${t.kind.toLowerCase()} ${t.name}:${port} in vcluster ${t.ref.name}.`, 'Open in Browser', 'Stop')
      .then((a) => {
        if (a === 'Open in Browser') void vscode.env.openExternal(vscode.Uri.parse(`http://127.0.0.1:${f.localPort}/`));
        if (a === 'Stop') services.inside.stopForward(f.id);
      });
  }
  return f;
}

/** vcluster.stopPortForward: a forward node or `{ id }`; without one, asks among the open ones. */
export async function stopPortForward(env: CommandEnv, arg?: unknown): Promise<boolean> {
  const given = parseForwardArg(arg);
  const services = await env.services();
  let id: string;
  if (given.id === undefined) {
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
    id = given.id;
  }
  const stopped = services.inside.stopForward(id);
  if (!stopped) throw new UserFacingError('That port-forward is no longer open.');
  await env.refreshStatus();
  return stopped;
}

/** vcluster.restartPortForward: opens a broken forward again on the same local port. */
export async function restartPortForward(env: CommandEnv, arg?: unknown): Promise<ForwardInfo> {
  const id = forwardIdOf(arg);
  const services = await env.services();
  const f = await services.inside.restartForward(id);
  await env.refreshStatus();
  return f;
}

/** vcluster.showEvents: the events of an object inside a vcluster, warnings marked, in a read-only editor. */
export async function showEvents(env: CommandEnv, arg?: unknown): Promise<vscode.Uri> {
  const given = parseObjectArgs(arg);
  const services = await env.services();
  const t = await resolveTarget(env, given, INSIDE_KINDS, 'Events');
  const events = await services.inside.events(t);
  const { formatEvents } = services.ops;
  const doc = await env.logDocuments.open(`${t.name}-events`);
  doc.append(formatEvents(`Events of ${t.kind} ${t.namespace}/${t.name} in vcluster ${t.ref.name} ("!!" marks warnings)`, events));
  doc.end(`${events.length} event${events.length === 1 ? '' : 's'}; run the command again to read them again`);
  return doc.uri;
}

/** vcluster.revealHostObject: the YAML of the object a synced pod or service became in the cluster the vcluster runs in. */
export async function revealHostObject(env: CommandEnv, arg?: unknown): Promise<void> {
  const given = parseObjectArgs(arg);
  const services = await env.services();
  const t = await resolveTarget(env, given, ['Pod', 'Service'], 'Host object');
  const twin = services.inside.hostTwin(t);
  if (!twin || (t.kind !== 'Pod' && t.kind !== 'Service')) throw new UserFacingError(`A ${t.kind.toLowerCase()} is not synced to the host.`);
  await env.openObjectYaml({ ref: t.ref, side: 'host', kind: t.kind, namespace: twin.namespace, name: twin.name });
}
