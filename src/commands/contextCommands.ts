import * as vscode from 'vscode';
import * as notify from '../platform/notify';
import { CancelledError, UserFacingError } from '../shared/errors';
import { dnsLabelProblem } from '../vcluster/translate';
import { parseSetContextNamespaceArgs, parseSwitchContextArgs } from './contract';
import type { CommandEnv } from './env';
import { kubeconfigChanged } from './helpers';
import { pickContext } from './picks';

/**
 * vcluster.switchContext: from a context node, a connected vcluster node, `{ context, scope? }`, or the palette (a
 * quick pick: host and vcluster contexts grouped, recently used first, current marked). Returns the context name.
 */
export async function switchContext(env: CommandEnv, arg?: unknown): Promise<string> {
  const args = parseSwitchContextArgs(arg);
  const services = await env.services();
  await services.model.reloadKubeconfig();
  let target = args.context;
  const contexts = await services.model.contexts();
  if (!target) target = await pickContext(contexts, 'Switch the Kubernetes context', env.recentContexts.list());
  if (!contexts.some((c) => c.name === target)) throw new UserFacingError(`The context "${target}" is not in the kubeconfig.`);
  const scope = args.scope ?? env.settings.connectScope;
  if (scope === 'workspace') {
    await services.scopedWriter(true).useContext(target);
    await env.setWorkspaceScope(true);
  } else {
    await services.userWriter().useContext(target);
    if (env.workspaceScoped()) await env.setWorkspaceScope(false);
  }
  env.logger.info(`Switched to context ${target} (${scope})`);
  await env.recentContexts.remember(target);
  await kubeconfigChanged(env, services, { undoable: scope === 'global' });
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
  await kubeconfigChanged(env, services);
  void notify.info(`Undone: ${result.description}`);
  return result.description;
}

/** vcluster.clearWorkspaceContext: terminals of this window go back to the user's kubeconfig. */
export async function clearWorkspaceContext(env: CommandEnv): Promise<void> {
  await env.setWorkspaceScope(false);
  await kubeconfigChanged(env, await env.services());
  void notify.info('Terminals of this window use your kubeconfig again (new terminals only).');
}

/**
 * vcluster.setContextNamespace: `{ context, namespace }` (namespace "" removes it), or a node (then it asks). Writes
 * the namespace into the kubeconfig context through the writer, as `kubectl config set-context CONTEXT --namespace NS`
 * (`--current` for the current context) does; a user whose cluster-wide lists are forbidden is then searched there.
 * Returns the namespace written ("" when removed).
 */
export async function setContextNamespace(env: CommandEnv, arg?: unknown): Promise<string> {
  const args = parseSetContextNamespaceArgs(arg);
  const services = await env.services();
  const snap = await services.model.reloadKubeconfig();
  const target = args.context ?? (await pickContext(snap.contexts, 'Set the namespace of which context?', env.recentContexts.list()));
  const ctx = snap.contexts.find((c) => c.name === target);
  if (!ctx) throw new UserFacingError(`The context "${target}" is not in the kubeconfig.`);
  let namespace = args.namespace;
  if (namespace === undefined) {
    const typed = await vscode.window.showInputBox({
      title: `Namespace of context ${ctx.name}`,
      prompt: 'Written into the kubeconfig, as `kubectl config set-context --current --namespace` does (empty: remove it).',
      value: ctx.namespace ?? env.tree.searchNamespaces(ctx.name)[0] ?? '',
      validateInput: (v) => (v.trim() === '' ? undefined : dnsLabelProblem(v.trim(), 'namespace name')),
    });
    if (typed === undefined) throw new CancelledError();
    namespace = typed.trim();
  }
  const problem = namespace === '' ? undefined : dnsLabelProblem(namespace, 'namespace name');
  if (problem) throw new UserFacingError(problem);
  const scope = env.workspaceScoped() ? 'workspace' : 'global';
  const result = await services.scopedWriter(scope === 'workspace').setContextNamespace(ctx.name, namespace || null);
  env.logger.info(
    result.changed
      ? `Set the namespace of context ${ctx.name} to "${namespace}" in ${result.files.join(', ')}`
      : `Context ${ctx.name} already had namespace "${namespace}"`,
  );
  await kubeconfigChanged(env, services, result.changed ? { undoable: scope === 'global' } : {});
  await env.tree.refresh({ context: ctx.name });
  return namespace;
}
