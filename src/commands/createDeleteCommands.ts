import fs from 'node:fs';
import * as vscode from 'vscode';
import * as notify from '../platform/notify';
import { CancelledError, UserFacingError } from '../shared/errors';
import type { VClusterRef } from '../shared/model';
import { parentOf } from '../vcluster/refs';
import { dnsLabelProblem } from '../vcluster/translate';
import { parseCreateArgs, parseDeleteArgs } from './contract';
import type { CommandEnv } from './env';
import { cancellable, cliEnv, cliPath, leaveIfInside, requireCli, requirePermissions, requireTrust, resolveRef } from './helpers';
import { findVCluster, pickContext } from './picks';
import { pickValuesFile, schemaForVersion } from './valuesFiles';
import { connect } from './vclusterCommands';

// vcluster.create (the vcluster CLI, then Connect when asked) and vcluster.delete (src/vcluster/delete.ts).

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
  if (chartVersion !== undefined && chartVersion !== '' && !services.ops.isChartVersion(chartVersion)) {
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
