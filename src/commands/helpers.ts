import * as vscode from 'vscode';
import * as notify from '../platform/notify';
import { setContextKey } from '../platform/contextKeys';
import { UserFacingError } from '../shared/errors';
import type { VClusterAction, VClusterInfo, VClusterRef } from '../shared/model';
import type { RequirementOptions } from '../vcluster/permissions';
import type { Services } from '../vcluster/services';
import { pickVCluster } from './picks';
import type { VClusterTarget } from './contract';
import type { CommandEnv } from './env';

// What the handlers of several command files share: resolving a vcluster, progress with cancel, the vcluster CLI,
// workspace trust, the permission check before an action, and the one epilogue after a kubeconfig change.

/** The vcluster of a parsed argument, or the one the user picks (in its context when known). */
export async function resolveRef(env: CommandEnv, target: VClusterTarget, filter?: (v: VClusterInfo) => boolean, placeHolder?: string): Promise<VClusterRef> {
  if (target.ref) return target.ref;
  return pickVCluster(await env.services(), filter, placeHolder, target.context);
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
  const unchecked = await services.ops.requirePermissions(() => services.model.accessReview(ref.context), action, ref.namespace, what, opts);
  if (unchecked) env.logger.warn(`Could not check the permissions for ${what}: ${unchecked}`);
}

/** When the current context is the vcluster's own context (or one inside it), switch to the context above it first. */
export async function leaveIfInside(env: CommandEnv, services: Services, ref: VClusterRef): Promise<void> {
  const left = await services.ops.leaveIfInside(services.model, () => services.scopedWriter(env.workspaceScoped()), ref);
  if (left) env.logger.info(`Switched from ${left.from} to ${left.to} before changing vcluster ${ref.namespace}/${ref.name}`);
}

/** The vcluster CLI (the setting vcluster.cliPath, else on PATH), or undefined. */
export async function cliPath(env: CommandEnv): Promise<string | undefined> {
  return (await env.services()).ops.findExecutable('vcluster', env.settings.cliPath || undefined);
}

/** The vcluster CLI, or a clear message that it is missing. */
export async function requireCli(env: CommandEnv): Promise<string> {
  const cli = await cliPath(env);
  if (!cli) throw new UserFacingError((await env.services()).ops.CLI_MISSING);
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

/**
 * The epilogue of a handler that changed the kubeconfig: read it again (unless the domain just did), refresh the
 * status bar, and, when `undoable` is given, whether Undo Last Kubeconfig Change applies (global scope) or not.
 */
export async function kubeconfigChanged(env: CommandEnv, services: Services, opts: { undoable?: boolean; reloaded?: boolean } = {}): Promise<void> {
  if (!opts.reloaded) await services.model.reloadKubeconfig();
  await env.refreshStatus();
  if (opts.undoable !== undefined) setContextKey('canUndoKubeconfig', opts.undoable);
}
