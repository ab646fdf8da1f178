import * as vscode from 'vscode';
import * as notify from '../platform/notify';
import { CancelledError, UserFacingError } from '../shared/errors';
import { setContextKey } from '../platform/contextKeys';
import { contextNameFor } from '../vcluster/refs';
import { dnsLabelProblem } from '../vcluster/translate';
import { contextFromArg, flag, pickContext, refFromArg, scopeFrom } from './args';
import type { CommandEnv } from './env';

/**
 * vcluster.switchContext: from a context node, a connected vcluster node, `{ context, scope? }`, or the palette (a
 * quick pick: host and vcluster contexts grouped, recently used first, current marked). Returns the context name.
 */
export async function switchContext(env: CommandEnv, arg?: unknown): Promise<string> {
  const services = await env.services();
  await services.model.reloadKubeconfig();
  let target = contextFromArg(arg);
  const ref = refFromArg(arg);
  if (!target && ref) target = contextNameFor(ref);
  const contexts = await services.model.contexts();
  if (!target) target = await pickContext(contexts, 'Switch the Kubernetes context', env.recentContexts.list());
  if (!contexts.some((c) => c.name === target)) throw new UserFacingError(`The context "${target}" is not in the kubeconfig.`);
  const scope = scopeFrom(arg, env.settings.connectScope);
  if (scope === 'workspace') {
    await services.scopedWriter(true).useContext(target);
    await env.setWorkspaceScope(true);
  } else {
    await services.userWriter().useContext(target);
    if (env.workspaceScoped()) await env.setWorkspaceScope(false);
  }
  env.logger.info(`Switched to context ${target} (${scope})`);
  await env.recentContexts.remember(target);
  await services.model.reloadKubeconfig();
  await env.refreshStatus();
  setContextKey('canUndoKubeconfig', scope === 'global');
  return target;
}

/** vcluster.undoKubeconfigChange: restores the kubeconfig to its content before the extension's last change. */
export async function undoKubeconfigChange(env: CommandEnv): Promise<string> {
  const services = await env.services();
  const writer = services.userWriter();
  const last = await writer.lastChange();
  if (!last) throw new UserFacingError('The extension has not changed your kubeconfig (or its backups are gone).');
  const answer = await notify.warning(`Undo the last kubeconfig change (${last.description})?`, { modal: true }, 'Undo');
  if (answer !== 'Undo') throw new CancelledError();
  const result = await writer.undoLast();
  env.logger.info(`Undid kubeconfig change: ${result.description}`);
  await services.model.reloadKubeconfig();
  await env.refreshStatus();
  void notify.info(`Undone: ${result.description}`);
  return result.description;
}

/** vcluster.clearWorkspaceContext: terminals of this window go back to the user's kubeconfig. */
export async function clearWorkspaceContext(env: CommandEnv): Promise<void> {
  await env.setWorkspaceScope(false);
  const services = await env.services();
  await services.model.reloadKubeconfig();
  await env.refreshStatus();
  void notify.info('Terminals of this window use your kubeconfig again (new terminals only).');
}

/**
 * vcluster.setContextNamespace: `{ context, namespace }` (namespace "" removes it), or a node (then it asks). Writes
 * the namespace into the kubeconfig context through the writer, as `kubectl config set-context CONTEXT --namespace NS`
 * (`--current` for the current context) does; a user whose cluster-wide lists are forbidden is then searched there.
 * Returns the namespace written ("" when removed).
 */
export async function setContextNamespace(env: CommandEnv, arg?: unknown): Promise<string> {
  const services = await env.services();
  const snap = await services.model.reloadKubeconfig();
  const given = contextFromArg(arg) ?? (typeof flag(arg, 'context') === 'string' ? (flag(arg, 'context') as string) : undefined);
  const target = given ?? (await pickContext(snap.contexts, 'Set the namespace of which context?', env.recentContexts.list()));
  const ctx = snap.contexts.find((c) => c.name === target);
  if (!ctx) throw new UserFacingError(`The context "${target}" is not in the kubeconfig.`);
  let namespace = flag(arg, 'namespace');
  if (namespace === undefined) {
    namespace = await vscode.window.showInputBox({
      title: `Namespace of context ${ctx.name}`,
      prompt: 'Written into the kubeconfig, as `kubectl config set-context --current --namespace` does (empty: remove it).',
      value: ctx.namespace ?? env.tree.searchNamespaces(ctx.name)[0] ?? '',
      validateInput: (v) => (v.trim() === '' ? undefined : dnsLabelProblem(v.trim(), 'namespace name')),
    });
    if (namespace === undefined) throw new CancelledError();
    namespace = (namespace as string).trim();
  }
  if (typeof namespace !== 'string') throw new UserFacingError('"namespace" must be a string');
  const problem = namespace === '' ? undefined : dnsLabelProblem(namespace, 'namespace name');
  if (problem) throw new UserFacingError(problem);
  const scope = env.workspaceScoped() ? 'workspace' : 'global';
  const result = await services.scopedWriter(scope === 'workspace').setContextNamespace(ctx.name, namespace || null);
  env.logger.info(
    result.changed
      ? `Set the namespace of context ${ctx.name} to "${namespace}" in ${result.files.join(', ')}`
      : `Context ${ctx.name} already had namespace "${namespace}"`,
  );
  await services.model.reloadKubeconfig();
  await env.tree.refresh({ context: ctx.name });
  await env.refreshStatus();
  if (result.changed) setContextKey('canUndoKubeconfig', scope === 'global');
  return namespace;
}
