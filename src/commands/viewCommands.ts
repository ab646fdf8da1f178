import * as vscode from 'vscode';
import { CancelledError, UserFacingError } from '../shared/errors';
import { MessageNode, VClusterNode } from '../tree/nodes';
import { contextFromArg, pickContext, refFromArg } from './args';
import type { CommandEnv } from './env';

/** vcluster.refresh: a node (or `{ context }` / a vcluster ref) refreshes its subtree; nothing refreshes everything. */
export async function refresh(env: CommandEnv, arg?: unknown): Promise<void> {
  if (arg instanceof MessageNode) {
    await env.tree.refresh(arg.retry);
    return;
  }
  const ref = arg instanceof VClusterNode ? arg.ref : refFromArg(arg);
  if (ref) { await env.tree.refresh({ ref }); return; }
  const context = contextFromArg(arg);
  await env.tree.refresh(context ? { context } : undefined);
  await env.refreshStatus();
}

/**
 * vcluster.filterNamespaces: a quick pick over all namespaces of a context (fast with thousands: one metadata-only
 * list, filtering in the quick pick) to pin namespaces in the tree, e.g. to create a vcluster there.
 */
export async function filterNamespaces(env: CommandEnv, arg?: unknown): Promise<string[]> {
  const services = await env.services();
  const context = contextFromArg(arg) ?? await pickContext(services);
  const all = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Listing namespaces of ${context}` }, () => services.model.namespaces(context));
  if (all.length === 0) throw new UserFacingError(`No namespaces are visible in context "${context}".`);
  const withVClusters = new Map<string, number>();
  try {
    for (const ns of (await services.model.vclusters(context)).namespaces) withVClusters.set(ns.name, ns.vclusters.length);
  } catch { /* shown in the tree */ }
  const pinned = new Set(env.tree.pinnedNamespaces(context));
  const items = all.map((ns) => ({
    label: ns,
    description: withVClusters.has(ns) ? `${withVClusters.get(ns)} vcluster${withVClusters.get(ns) === 1 ? '' : 's'}` : undefined,
    picked: pinned.has(ns),
  }));
  const picks = await vscode.window.showQuickPick(items, { canPickMany: true, placeHolder: `Namespaces of ${context} to show (${all.length} in total; type to filter)`, matchOnDescription: true });
  if (!picks) throw new CancelledError();
  const names = picks.map((p) => p.label);
  env.tree.setPinned(context, names);
  return names;
}

export function showLog(env: CommandEnv): void {
  env.logger.show();
}
