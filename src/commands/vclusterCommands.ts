import * as vscode from 'vscode';
import * as notify from '../platform/notify';
import { CancelledError, UserFacingError } from '../shared/errors';
import { contextNameFor } from '../vcluster/refs';
import { parseConnectArgs, parseDisconnectArgs, parseVClusterArg } from './contract';
import type { CommandEnv } from './env';
import { cancellable, kubeconfigChanged, leaveIfInside, requirePermissions, resolveRef } from './helpers';
import { findVCluster } from './picks';

// vcluster.pause, resume, connect, disconnect and showMapping (create and delete: createDeleteCommands.ts): each parses its argument
// (src/commands/contract.ts), resolves the vcluster, asks what is missing, calls the domain and shows the result.

// ---- pause / resume --------------------------------------------------------------------------------------------

export async function pause(env: CommandEnv, arg?: unknown): Promise<void> {
  const ref = await resolveRef(env, parseVClusterArg(arg), (v) => v.phase !== 'paused', 'Select the vcluster to pause');
  const services = await env.services();
  const info = await findVCluster(services, ref);
  if (info.paused) throw new UserFacingError(`vcluster ${ref.namespace}/${ref.name} is already paused.`);
  await requirePermissions(env, services, 'pause', ref, `Pausing vcluster ${ref.name}`, { kind: info.kind });
  await leaveIfInside(env, services, ref);
  const host = await services.model.hostClientOf(ref);
  await cancellable(`Pausing vcluster ${ref.name}`, (signal, report) =>
    services.ops.pauseVCluster(host, ref.namespace, ref.name, {
      signal,
      waitMs: 60_000,
      log: (line) => {
        env.logger.info(`[pause ${ref.name}] ${line}`);
        report(line);
      },
    }),
  );
  void notify.info(`vcluster ${ref.name} is paused. Its virtual objects and volumes are kept; resume brings the workloads back.`);
}

export async function resume(env: CommandEnv, arg?: unknown): Promise<void> {
  const ref = await resolveRef(env, parseVClusterArg(arg), (v) => v.phase === 'paused', 'Select the vcluster to resume');
  const services = await env.services();
  const kind = (await findVCluster(services, ref).catch(() => undefined))?.kind;
  await requirePermissions(env, services, 'resume', ref, `Resuming vcluster ${ref.name}`, { kind });
  const host = await services.model.hostClientOf(ref);
  await cancellable(`Resuming vcluster ${ref.name}`, (signal, report) =>
    services.ops.resumeVCluster(host, ref.namespace, ref.name, {
      signal,
      log: (line) => {
        env.logger.info(`[resume ${ref.name}] ${line}`);
        report(line);
      },
    }),
  );
  void notify.info(`vcluster ${ref.name} is resuming.`);
}

// ---- connect / disconnect ----------------------------------------------------------------------------------------

/** Returns the name of the context it wrote. */
export async function connect(env: CommandEnv, arg?: unknown): Promise<string> {
  const args = parseConnectArgs(arg);
  const ref = await resolveRef(env, args, undefined, 'Select the vcluster to connect to');
  const scope = args.scope ?? env.settings.connectScope;
  const services = await env.services();
  const info = await findVCluster(services, ref);
  await requirePermissions(env, services, 'connect', ref, `Connecting to vcluster ${ref.name}`, { name: ref.name });
  if (info.paused) {
    const answer = args.resume
      ? 'Resume and Connect'
      : await notify.warning(`vcluster ${ref.name} is paused. Resume it and connect?`, { modal: true }, 'Resume and Connect');
    if (answer !== 'Resume and Connect') throw new CancelledError();
    await resume(env, ref);
  }
  const expectPod = info.paused === true;
  const writer = scope === 'workspace' ? services.workspaceWriter() : services.userWriter();
  const deps = { model: services.model, tunnels: services.tunnels, timeoutMs: env.settings.requestTimeoutMs };
  const c = await cancellable(`Connecting to vcluster ${ref.name}`, (signal, report) =>
    services.ops.connectVCluster(deps, ref, writer, { signal, report, expectPod }),
  );
  if (scope === 'workspace') await env.setWorkspaceScope(true);
  if (c.tunnel) await env.tunnelStore.save(c.contextName, c.tunnel);
  env.logger.info(`Connected to vcluster ${ref.namespace}/${ref.name} as context ${c.contextName} (${scope}, via ${c.endpoint.kind} ${c.endpoint.server})`);
  await env.recentContexts.remember(c.contextName);
  // connectVCluster read the kubeconfig it wrote.
  await kubeconfigChanged(env, services, { undoable: scope === 'global', reloaded: true });
  return c.contextName;
}

/** Returns the context it switched back to. */
export async function disconnect(env: CommandEnv, arg?: unknown): Promise<string> {
  const { ref } = parseDisconnectArgs(arg);
  const services = await env.services();
  const snap = await services.model.reloadKubeconfig();
  let contextName: string | undefined;
  if (ref) contextName = contextNameFor(ref);
  else if (snap.currentContext && services.ops.parseVClusterContext(snap.currentContext)) contextName = snap.currentContext;
  else {
    const connected = snap.contexts.filter((c) => c.vcluster);
    if (connected.length === 0) throw new UserFacingError('No vcluster context to disconnect from.');
    const pick = await vscode.window.showQuickPick(
      connected.map((c) => ({ label: c.name, description: c.current ? 'current' : '' })),
      { placeHolder: 'Disconnect from which vcluster context?' },
    );
    if (!pick) throw new CancelledError();
    contextName = pick.label;
  }
  const parent = await services.ops.disconnectContext(services.scopedWriter(env.workspaceScoped()), snap, contextName, {
    removeContext: env.settings.disconnectRemovesContext,
  });
  const port = env.tunnelStore.get(contextName)?.localPort;
  if (port) {
    services.tunnels.close((t) => t.localPort === port);
    await env.tunnelStore.forget(contextName);
  }
  env.logger.info(`Disconnected from ${contextName}; current context is ${parent}`);
  await kubeconfigChanged(env, services);
  return parent;
}

export async function showMapping(env: CommandEnv, arg?: unknown): Promise<void> {
  const ref = await resolveRef(env, parseVClusterArg(arg), undefined, 'Show the virtual→host mapping of which vcluster?');
  await env.showMapping(ref);
}
