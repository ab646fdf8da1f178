import fs from 'node:fs';
import * as vscode from 'vscode';
import * as notify from '../platform/notify';
import { CancelledError, UserFacingError, errorMessage } from '../shared/errors';
import type { VClusterAction, VClusterInfo, VClusterRef } from '../shared/model';
import type { RequirementOptions } from '../vcluster/permissions';
import type { Services } from '../vcluster/services';
import { contextNameFor, parentOf } from '../vcluster/refs';
import { dnsLabelProblem } from '../vcluster/translate';
import { NamespaceNode } from '../tree/nodes';
import { contextFromArg, findVCluster, flag, pickContext, pickVCluster, refFromArg, scopeFrom } from './args';
import { setContextKey } from '../platform/contextKeys';
import type { CommandEnv } from './env';

/**
 * Re-opens the port-forward tunnels that kubeconfig contexts written by Connect still point at (after a window
 * reload), on the same local ports. Records whose context is gone are dropped.
 */
export async function restoreTunnels(env: CommandEnv): Promise<number> {
  const records = env.tunnelStore.all();
  if (records.length === 0) return 0;
  const services = await env.services();
  await services.model.reloadKubeconfig();
  const { restoreTunnel } = await import('../vcluster/connect');
  let restored = 0;
  for (const { context, record } of records) {
    try {
      if (record && (await restoreTunnel(services, context, record))) restored++;
      else await env.tunnelStore.forget(context);
    } catch (err) {
      env.logger.warn(`Could not restore the tunnel of ${context} on port ${record?.localPort}: ${errorMessage(err)}`);
    }
  }
  return restored;
}

export async function resolveRef(env: CommandEnv, arg: unknown, filter?: (v: VClusterInfo) => boolean, placeHolder?: string): Promise<VClusterRef> {
  const ref = refFromArg(arg);
  if (ref) return ref;
  const services = await env.services();
  return pickVCluster(services, filter, placeHolder, contextFromArg(arg));
}

export async function cancellable<T>(title: string, task: (signal: AbortSignal, report: (msg: string) => void) => Promise<T>): Promise<T> {
  return notify.progress(title, async (report, token) => {
    const ac = new AbortController();
    const sub = token.onCancellationRequested(() => ac.abort());
    try {
      return await task(ac.signal, report);
    } finally {
      sub.dispose();
    }
  });
}

/**
 * Before an action on a vcluster of a host context, asks the API whether its user may take it and refuses with the
 * permissions that are missing (verb, resource, namespace) instead of letting a request or the CLI fail half-way.
 * vclusters nested in a virtual cluster are not checked (there the user is the virtual cluster's admin). When the
 * review itself fails, the action goes ahead and the API server decides.
 */
export async function requirePermissions(
  env: CommandEnv,
  services: Services,
  action: VClusterAction,
  ref: VClusterRef,
  what: string,
  opts: RequirementOptions = {},
): Promise<void> {
  if (ref.parents?.length) return;
  const { requirePermissions: check } = await import('../vcluster/permissions');
  const unchecked = await check(() => services.model.accessReview(ref.context), action, ref.namespace, what, opts);
  if (unchecked) env.logger.warn(`Could not check the permissions for ${what}: ${unchecked}`);
}

/** When the current context is the vcluster's own context (or one inside it), switch to the context above it first. */
async function leaveIfInside(env: CommandEnv, services: Services, ref: VClusterRef): Promise<void> {
  const { leaveIfInside: leave } = await import('../vcluster/ownContext');
  const left = await leave(services.model, () => services.scopedWriter(env.workspaceScoped()), ref);
  if (left) env.logger.info(`Switched from ${left.from} to ${left.to} before changing vcluster ${ref.namespace}/${ref.name}`);
}

// ---- pause / resume --------------------------------------------------------------------------------------------

export async function pause(env: CommandEnv, arg?: unknown): Promise<void> {
  const ref = await resolveRef(env, arg, (v) => v.phase !== 'paused', 'Select the vcluster to pause');
  const services = await env.services();
  const info = await findVCluster(services, ref);
  if (info.paused) throw new UserFacingError(`vcluster ${ref.namespace}/${ref.name} is already paused.`);
  await requirePermissions(env, services, 'pause', ref, `Pausing vcluster ${ref.name}`, { kind: info.kind });
  await leaveIfInside(env, services, ref);
  const host = await services.model.hostClientOf(ref);
  const { pauseVCluster } = await import('../vcluster/lifecycle');
  await cancellable(`Pausing vcluster ${ref.name}`, (signal, report) =>
    pauseVCluster(host, ref.namespace, ref.name, {
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
  const ref = await resolveRef(env, arg, (v) => v.phase === 'paused', 'Select the vcluster to resume');
  const services = await env.services();
  const kind = (await findVCluster(services, ref).catch(() => undefined))?.kind;
  await requirePermissions(env, services, 'resume', ref, `Resuming vcluster ${ref.name}`, { kind });
  const host = await services.model.hostClientOf(ref);
  const { resumeVCluster } = await import('../vcluster/lifecycle');
  await cancellable(`Resuming vcluster ${ref.name}`, (signal, report) =>
    resumeVCluster(host, ref.namespace, ref.name, {
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
  const ref = await resolveRef(env, arg, undefined, 'Select the vcluster to connect to');
  const scope = scopeFrom(arg, env.settings.connectScope);
  const services = await env.services();
  const info = await findVCluster(services, ref);
  await requirePermissions(env, services, 'connect', ref, `Connecting to vcluster ${ref.name}`, { name: ref.name });
  if (info.paused) {
    const answer =
      flag(arg, 'resume') === true
        ? 'Resume and Connect'
        : await notify.warning(`vcluster ${ref.name} is paused. Resume it and connect?`, { modal: true }, 'Resume and Connect');
    if (answer !== 'Resume and Connect') throw new CancelledError();
    await resume(env, ref);
  }
  const expectPod = info.paused === true;
  const { connectVCluster } = await import('../vcluster/connect');
  const writer = scope === 'workspace' ? services.workspaceWriter() : services.userWriter();
  const deps = { model: services.model, tunnels: services.tunnels, timeoutMs: env.settings.requestTimeoutMs };
  const c = await cancellable(`Connecting to vcluster ${ref.name}`, (signal, report) => connectVCluster(deps, ref, writer, { signal, report, expectPod }));
  if (scope === 'workspace') await env.setWorkspaceScope(true);
  if (c.tunnel) await env.tunnelStore.save(c.contextName, c.tunnel);
  env.logger.info(`Connected to vcluster ${ref.namespace}/${ref.name} as context ${c.contextName} (${scope}, via ${c.endpoint.kind} ${c.endpoint.server})`);
  await env.recentContexts.remember(c.contextName);
  await services.model.reloadKubeconfig();
  await env.refreshStatus();
  setContextKey('canUndoKubeconfig', scope === 'global');
  return c.contextName;
}

/** Returns the context it switched back to. */
export async function disconnect(env: CommandEnv, arg?: unknown): Promise<string> {
  const services = await env.services();
  const snap = await services.model.reloadKubeconfig();
  const { parseVClusterContext } = await import('../vcluster/contextName');
  let contextName: string | undefined;
  const ref = refFromArg(arg);
  if (ref) contextName = contextNameFor(ref);
  else if (snap.currentContext && parseVClusterContext(snap.currentContext)) contextName = snap.currentContext;
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
  const { disconnectContext } = await import('../vcluster/connect');
  const parent = await disconnectContext(services.scopedWriter(env.workspaceScoped()), snap, contextName, {
    removeContext: env.settings.disconnectRemovesContext,
  });
  const port = env.tunnelStore.get(contextName)?.localPort;
  if (port) {
    services.tunnels.close((t) => t.localPort === port);
    await env.tunnelStore.forget(contextName);
  }
  env.logger.info(`Disconnected from ${contextName}; current context is ${parent}`);
  await services.model.reloadKubeconfig();
  await env.refreshStatus();
  return parent;
}

// ---- create / delete ---------------------------------------------------------------------------------------------

export async function cliPath(env: CommandEnv): Promise<string | undefined> {
  const { findExecutable } = await import('../vcluster/cli');
  return findExecutable('vcluster', env.settings.cliPath || undefined);
}

/** The vcluster CLI, or a clear message that it is missing. */
export async function requireCli(env: CommandEnv): Promise<string> {
  const cli = await cliPath(env);
  if (!cli) throw new UserFacingError((await import('../vcluster/cli')).CLI_MISSING);
  return cli;
}

export function requireTrust(what: string): void {
  if (!vscode.workspace.isTrusted)
    throw new UserFacingError(`${what} runs programs, which is disabled in an untrusted workspace. Trust the workspace to use it.`);
}

/** The CLI's environment: KUBECONFIG lists the files whose contexts the command checked (workspace scope included). */
export async function cliEnv(services: Services): Promise<NodeJS.ProcessEnv> {
  return { ...process.env, KUBECONFIG: (await services.kubeconfigFiles()).join(process.platform === 'win32' ? ';' : ':') };
}

export async function create(env: CommandEnv, arg?: unknown): Promise<VClusterRef> {
  requireTrust('Creating a vcluster');
  const services = await env.services();
  const cli = await requireCli(env);
  const context =
    (typeof flag(arg, 'context') === 'string' ? (flag(arg, 'context') as string) : contextFromArg(arg)) ??
    (await pickContext(await services.model.contexts(), 'Create the vcluster in which context?', env.recentContexts.list()));
  const nsFromNode = arg instanceof NamespaceNode ? arg.name : (flag(arg, 'namespace') as string | undefined);
  let name = flag(arg, 'name') as string | undefined;
  if (name === undefined) {
    name = await vscode.window.showInputBox({
      title: 'Create vcluster (1/4)',
      prompt: 'Name of the vcluster',
      placeHolder: 'my-vcluster',
      validateInput: (v) => dnsLabelProblem(v, 'vcluster name'),
    });
    if (name === undefined) throw new CancelledError();
  }
  const nameProblem = dnsLabelProblem(name, 'vcluster name');
  if (nameProblem) throw new UserFacingError(nameProblem);
  let namespace = nsFromNode;
  if (namespace === undefined) {
    // A tenant creates in a namespace of theirs: the context's, or one it searches; else the CLI's default name.
    const ctxNamespace = (await services.model.contexts()).find((c) => c.name === context)?.namespace;
    const suggested = (ctxNamespace && ctxNamespace !== 'default' ? ctxNamespace : undefined) ?? env.tree.searchNamespaces(context)[0] ?? `vcluster-${name}`;
    namespace = await vscode.window.showInputBox({
      title: 'Create vcluster (2/4)',
      prompt: 'Host namespace (created if missing and you may create namespaces)',
      value: suggested,
      validateInput: (v) => dnsLabelProblem(v, 'namespace'),
    });
    if (namespace === undefined) throw new CancelledError();
  }
  const nsProblem = dnsLabelProblem(namespace, 'namespace');
  if (nsProblem) throw new UserFacingError(nsProblem);
  let chartVersion = flag(arg, 'chartVersion') as string | undefined;
  let valuesFile = flag(arg, 'valuesFile') as string | undefined;
  let connectAfter = flag(arg, 'connect') as boolean | undefined;
  const interactive = refFromArg(arg) === undefined && flag(arg, 'name') === undefined;
  if (interactive) {
    chartVersion = await vscode.window.showInputBox({
      title: 'Create vcluster (3/4)',
      prompt: "Chart version (empty: the CLI's default)",
      placeHolder: 'e.g. 0.36.1',
    });
    if (chartVersion === undefined) throw new CancelledError();
    const { pickValuesFile } = await import('./valuesFiles');
    valuesFile = (await pickValuesFile('Create vcluster (4/4)', { none: true })) as string | undefined;
    const c = await vscode.window.showQuickPick(['Connect after creating', 'Only create'], { placeHolder: 'Connect to the new vcluster?' });
    if (!c) throw new CancelledError();
    connectAfter = c === 'Connect after creating';
  }
  if (chartVersion !== undefined && chartVersion !== '' && !/^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/.test(chartVersion)) {
    throw new UserFacingError(`"${chartVersion}" is not a chart version (expected e.g. 0.36.1)`);
  }
  if (valuesFile && !fs.existsSync(valuesFile)) throw new UserFacingError(`The values file ${valuesFile} does not exist.`);
  if (valuesFile) {
    // An invalid file opens with its diagnostics, and nothing runs.
    const { schemaForVersion } = await import('./valuesFiles');
    const { schema, note } = schemaForVersion(env.bundledSchema, chartVersion || undefined);
    await env.vclusterYaml.requireValid(valuesFile, { schema, ...(note ? { schemaNote: note } : {}) });
    if (note) env.logger.info(`Create ${name}: ${note}`);
  }
  const { createArgs, runCli } = await import('../vcluster/cli');
  const extraArgs = env.settings.createExtraArgs;
  const { planCreate } = await import('../vcluster/permissions');
  const plan = await planCreate(() => services.model.accessReview(context), namespace, extraArgs);
  if (plan.unchecked) env.logger.warn(`Could not check the permissions for creating a vcluster: ${plan.unchecked}`);
  const args = createArgs({ name, namespace, context, chartVersion: chartVersion || undefined, valuesFile, extraArgs: [...plan.extraArgs, ...extraArgs] });
  const childEnv = await cliEnv(services);
  try {
    await cancellable(`Creating vcluster ${name} in ${namespace}`, (signal, report) =>
      runCli('vcluster create', cli, args, {
        env: childEnv,
        signal,
        log: (line) => env.logger.info(line),
        output: (label, text) => env.logger.output(label, text),
        progress: report,
        failureSuffix: ` The kubeconfig was not changed; whatever Helm installed so far stays in namespace ${namespace}.`,
      }),
    );
  } catch (err) {
    if (err instanceof CancelledError) {
      void notify.warning(
        `Creating vcluster ${name} was cancelled. Whatever Helm had installed so far stays in namespace ${namespace}; delete the vcluster to remove it.`,
      );
    }
    throw err;
  }
  const ref: VClusterRef = { context, namespace, name };
  await env.tree.refresh({ context });
  void notify.info(`vcluster ${name} created in ${namespace}.`);
  if (connectAfter) await connect(env, { ...ref, scope: env.settings.connectScope });
  return ref;
}

export async function deleteVCluster(env: CommandEnv, arg?: unknown): Promise<void> {
  requireTrust('Deleting a vcluster');
  const ref = await resolveRef(env, arg, undefined, 'Select the vcluster to delete');
  const services = await env.services();
  const info = await findVCluster(services, ref);
  if (info.nonDeletable) throw new UserFacingError(`vcluster ${ref.name} is protected by the vCluster Platform ("prevent deletion" is on).`);
  await requirePermissions(env, services, 'delete', ref, `Deleting vcluster ${ref.name}`, { kind: info.kind });
  const { contextAbove, removeOwnContext, requireContextAbove } = await import('../vcluster/ownContext');
  requireContextAbove(await services.model.contexts(), ref);
  if (flag(arg, 'force') !== true) {
    const answer = await notify.warning(
      `Delete vcluster "${ref.name}" in namespace "${ref.namespace}" of context "${ref.context}"?`,
      { modal: true, detail: 'Its control plane, virtual objects, synced workloads and volumes are removed. This cannot be undone.' },
      'Delete',
    );
    if (answer !== 'Delete') throw new CancelledError();
  }
  await leaveIfInside(env, services, ref);
  const { findExecutable } = await import('../vcluster/cli');
  const { deleteVCluster: deleteInCluster } = await import('../vcluster/delete');
  const options = {
    cluster: () => services.model.hostClientOf(ref),
    context: contextAbove(ref),
    cli: await cliPath(env),
    helm: findExecutable('helm', env.settings.helmPath || undefined),
    env: await cliEnv(services),
    log: (line: string) => env.logger.info(line),
    output: (label: string, text: string) => env.logger.output(label, text),
  };
  await cancellable(`Deleting vcluster ${ref.name}`, (signal, report) => deleteInCluster(ref, { ...options, signal, progress: report }));
  const own = await removeOwnContext(services.model, () => services.scopedWriter(env.workspaceScoped()), ref);
  await env.tunnelStore.forget(own);
  // Port-forwards into it (or into vclusters inside it) have nothing left to reach.
  const stopped = services.inside.stopForwardsOf(ref);
  if (stopped) env.logger.info(`Stopped ${stopped} port-forward(s) into the deleted vcluster ${ref.name}`);
  const parent = parentOf(ref);
  await env.tree.refresh(parent ? { ref: parent } : { context: ref.context });
  await env.refreshStatus();
  void notify.info(`vcluster ${ref.name} deleted.`);
}

export async function showMapping(env: CommandEnv, arg?: unknown): Promise<void> {
  const ref = await resolveRef(env, arg, undefined, 'Show the virtual→host mapping of which vcluster?');
  await env.showMapping(ref);
}
