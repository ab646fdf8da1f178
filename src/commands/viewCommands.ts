import * as vscode from 'vscode';
import { isKubeError } from '../kube/errors';
import { CancelledError, UserFacingError } from '../shared/errors';
import { inertIcons } from '../shared/inertText';
import type { Services } from '../vcluster/services';
import { parseNamespaceList } from '../vcluster/translate';
import { parseRefreshArgs, parseSearchNamespacesArgs } from './contract';
import { pickContext } from './picks';
import type { CommandEnv } from './env';

/** vcluster.refresh: a node (or `{ context }` / a vcluster ref) refreshes its subtree; nothing refreshes everything. */
export async function refresh(env: CommandEnv, arg?: unknown): Promise<void> {
  const { retry, target } = parseRefreshArgs(arg);
  await env.tree.refresh(target);
  // A retry or a vcluster's subtree leaves the status bar as it is.
  if (!retry && !target?.ref) await env.refreshStatus();
}

/** The context named by a node or `{ context, … }`, checked against the kubeconfig; asks when there is none. */
async function targetContext(services: Services, given: string | undefined, placeHolder: string): Promise<string> {
  const context = given ?? (await pickContext(await services.model.contexts(), placeHolder));
  if (!(await services.model.contexts()).some((c) => c.name === context)) throw new UserFacingError(`The context "${context}" is not in the kubeconfig.`);
  return context;
}

/** All namespace names of a context, or undefined when the user may not list them (a tenant). */
async function listableNamespaces(services: Services, context: string): Promise<string[] | undefined> {
  try {
    return await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Listing namespaces of ${inertIcons(context)}` }, () =>
      services.model.namespaces(context),
    );
  } catch (err) {
    if (isKubeError(err, 'forbidden')) return undefined;
    throw err;
  }
}

const TYPE_NAMES = '$(edit) Type namespace names…';

/**
 * Asks for the namespaces to search: with a quick pick over all namespaces when the user may list them (fast with
 * thousands: one metadata-only list, filtering in the quick pick; "Type namespace names…" adds others), else with an
 * input box that checks every typed name.
 */
async function askNamespaces(services: Services, context: string, current: readonly string[]): Promise<string[]> {
  const typed = async (value: string) => {
    const text = await vscode.window.showInputBox({
      title: `Namespaces to search in ${context}`,
      prompt:
        "Namespace names, separated by commas or spaces. Listing cluster-wide is searched first; when it is forbidden, these and the context's namespace are searched.",
      placeHolder: 'team-a, team-b',
      value,
      validateInput: (v) => parseNamespaceList(v).problem,
    });
    if (text === undefined) throw new CancelledError();
    const { names, problem } = parseNamespaceList(text);
    if (problem) throw new UserFacingError(problem);
    return names;
  };
  const all = await listableNamespaces(services, context);
  if (!all) return typed(current.join(', '));
  const withVClusters = new Map<string, number>();
  try {
    for (const ns of (await services.model.vclusters(context)).namespaces) withVClusters.set(ns.name, ns.vclusters.length);
  } catch {
    /* shown in the tree */
  }
  const known = new Set(all);
  const names = [...all, ...current.filter((n) => !known.has(n))];
  const items: (vscode.QuickPickItem & { typeNames?: boolean })[] = [
    { label: TYPE_NAMES, alwaysShow: true, typeNames: true, description: 'namespaces not in this list' },
    ...names.map((ns) => ({
      label: ns,
      description: withVClusters.has(ns)
        ? `${withVClusters.get(ns)} vcluster${withVClusters.get(ns) === 1 ? '' : 's'}`
        : known.has(ns)
          ? undefined
          : 'not found',
      picked: current.includes(ns),
    })),
  ];
  const picks = await vscode.window.showQuickPick(items, {
    canPickMany: true,
    placeHolder: `Namespaces of ${context} to search and show (${all.length} in total; type to filter)`,
    matchOnDescription: true,
  });
  if (!picks) throw new CancelledError();
  const chosen = picks.filter((p) => !p.typeNames).map((p) => p.label);
  if (!picks.some((p) => p.typeNames)) return chosen;
  return [...new Set([...chosen, ...(await typed(''))])];
}

/**
 * vcluster.setSearchNamespaces: `{ context, namespaces: string[] }`, or a node (then it asks). When cluster-wide lists
 * are forbidden, discovery searches the context's namespace plus these; when allowed, they are shown even without
 * vclusters. Kept per context across reloads. Returns the names set.
 */
export async function setSearchNamespaces(env: CommandEnv, arg?: unknown): Promise<string[]> {
  const given = parseSearchNamespacesArgs(arg);
  const services = await env.services();
  const context = await targetContext(services, given.context, 'Search namespaces of which context?');
  const names = given.namespaces ?? (await askNamespaces(services, context, env.tree.searchNamespaces(context)));
  await env.tree.setSearchNamespaces(context, names);
  env.logger.info(`Namespaces to search in ${context}: ${names.length ? names.join(', ') : '(none)'}`);
  return names;
}

/** vcluster.filterNamespaces: the same as Search Namespaces… (kept for its command id). */
export function filterNamespaces(env: CommandEnv, arg?: unknown): Promise<string[]> {
  return setSearchNamespaces(env, arg);
}

export function showLog(env: CommandEnv): void {
  env.logger.show();
}
