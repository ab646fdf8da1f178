import fs from 'node:fs';
import * as vscode from 'vscode';
import * as notify from '../platform/notify';
import { CancelledError, UserFacingError } from '../shared/errors';
import type { VClusterRef } from '../shared/model';
import { contextNameFor, parentOf } from '../vcluster/refs';
import { dnsLabelProblem } from '../vcluster/translate';
import { parseConnectArgs, parseCreateArgs, parseDeleteArgs, parseDisconnectArgs, parseVClusterArg } from './contract';
import type { CommandEnv } from './env';
import { cancellable, cliEnv, cliPath, kubeconfigChanged, leaveIfInside, requireCli, requirePermissions, requireTrust, resolveRef } from './helpers';
import { findVCluster, pickContext } from './picks';
import { pickValuesFile, schemaForVersion } from './valuesFiles';

// vcluster.pause, resume, connect, disconnect, create, delete and showMapping: each parses its argument
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

// ---- create / delete ---------------------------------------------------------------------------------------------

export async function create(env: CommandEnv, arg?: unknown): Promise<VClusterRef> {
  requireTrust('Creating a vcluster');
  const given = parseCreateArgs(arg);
  const services = await env.services();
  const cli = await requireCli(env);
  const context = given.context ?? (await pickContext(await services.model.contexts(), 'Create the vcluster in which context?', env.recentContexts.list()));
  let name = given.name;
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
  let namespace = given.namespace;
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
  let { chartVersion, valuesFile, connect: connectAfter } = given;
  if (given.interactive) {
    chartVersion = await vscode.window.showInputBox({
      title: 'Create vcluster (3/4)',
      prompt: "Chart version (empty: the CLI's default)",
      placeHolder: 'e.g. 0.36.1',
    });
    if (chartVersion === undefined) throw new CancelledError();
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
    const { schema, note } = schemaForVersion(env.bundledSchema, chartVersion || undefined);
    await env.vclusterYaml.requireValid(valuesFile, { schema, ...(note ? { schemaNote: note } : {}) });
    if (note) env.logger.info(`Create ${name}: ${note}`);
  }
  const extraArgs = env.settings.createExtraArgs;
  const plan = await services.ops.planCreate(() => services.model.accessReview(context), namespace, extraArgs);
  if (plan.unchecked) env.logger.warn(`Could not check the permissions for creating a vcluster: ${plan.unchecked}`);
  const args = services.ops.createArgs({
    name,
    namespace,
    context,
    chartVersion: chartVersion || undefined,
    valuesFile,
    extraArgs: [...plan.extraArgs, ...extraArgs],
  });
  const childEnv = await cliEnv(services);
  try {
    await cancellable(`Creating vcluster ${name} in ${namespace}`, (signal, report) =>
      services.ops.runCli('vcluster create', cli, args, {
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
  const args = parseDeleteArgs(arg);
  const ref = await resolveRef(env, args, undefined, 'Select the vcluster to delete');
  const services = await env.services();
  const info = await findVCluster(services, ref);
  if (info.nonDeletable) throw new UserFacingError(`vcluster ${ref.name} is protected by the vCluster Platform ("prevent deletion" is on).`);
  await requirePermissions(env, services, 'delete', ref, `Deleting vcluster ${ref.name}`, { kind: info.kind });
  const { contextAbove, removeOwnContext, requireContextAbove, findExecutable, deleteVCluster: deleteInCluster } = services.ops;
  requireContextAbove(await services.model.contexts(), ref);
  if (!args.force) {
    const answer = await notify.warning(
      `Delete vcluster "${ref.name}" in namespace "${ref.namespace}" of context "${ref.context}"?`,
      { modal: true, detail: 'Its control plane, virtual objects, synced workloads and volumes are removed. This cannot be undone.' },
      'Delete',
    );
    if (answer !== 'Delete') throw new CancelledError();
  }
  await leaveIfInside(env, services, ref);
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
  const ref = await resolveRef(env, parseVClusterArg(arg), undefined, 'Show the virtual→host mapping of which vcluster?');
  await env.showMapping(ref);
}
