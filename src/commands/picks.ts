import * as vscode from 'vscode';
import { CancelledError, UserFacingError } from '../shared/errors';
import type { ContextInfo, VClusterInfo, VClusterRef } from '../shared/model';
import { inertIcons } from '../shared/inertText';
import { redact } from '../shared/redact';
import { parentOf } from '../vcluster/refs';
import type { Services } from '../vcluster/services';

// The quick picks that ask for a context or a vcluster when a command's argument names none, and the current
// discovery record of a vcluster.

/**
 * Asks for a context: host and vcluster contexts grouped, recently used first (`recent`, most recent first), then by
 * name, the current one marked.
 */
export async function pickContext(
  contexts: readonly ContextInfo[],
  placeHolder = 'Select a kubeconfig context',
  recent: readonly string[] = [],
): Promise<string> {
  if (contexts.length === 0) throw new UserFacingError('The kubeconfig has no contexts.');
  const rank = (c: ContextInfo) => {
    const i = recent.indexOf(c.name);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  const toItem = (c: ContextInfo) => ({
    // Context names are data (quick picks render $(icon)): shown as typed.
    label: `${c.current ? '$(check) ' : ''}${inertIcons(c.name)}`,
    description: [c.current ? 'current' : '', recent.includes(c.name) ? 'recent' : ''].filter(Boolean).join(' · '),
    detail: c.vcluster
      ? inertIcons(`vcluster ${c.vcluster.name} in ${c.vcluster.namespace} of ${c.vcluster.parentContext}`)
      : c.server && inertIcons(redact(c.server)),
    name: c.name,
  });
  const sorted = [...contexts].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
  const hosts = sorted.filter((c) => !c.vcluster);
  const vcs = sorted.filter((c) => c.vcluster);
  const items: (vscode.QuickPickItem & { name?: string })[] = [];
  if (hosts.length) items.push({ label: 'Host contexts', kind: vscode.QuickPickItemKind.Separator }, ...hosts.map(toItem));
  if (vcs.length) items.push({ label: 'vcluster contexts', kind: vscode.QuickPickItemKind.Separator }, ...vcs.map(toItem));
  const pick = await vscode.window.showQuickPick(items, { placeHolder, matchOnDescription: true, matchOnDetail: true });
  if (!pick?.name) throw new CancelledError();
  return pick.name;
}

/** Asks for a vcluster: the context first (unless given), then the vcluster (nested ones included). */
export async function pickVCluster(
  services: Services,
  filter: (v: VClusterInfo) => boolean = () => true,
  placeHolder = 'Select a vcluster',
  context?: string,
): Promise<VClusterRef> {
  const ctx = context ?? (await pickContext(await services.model.contexts(), 'Select the context that hosts the vcluster'));
  const all = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Looking for vclusters in ${inertIcons(ctx)}` }, () =>
    services.listVClusters(ctx, true, { onlyExpanded: true }),
  );
  const list = all.filter(filter);
  if (list.length === 0) throw new UserFacingError(`No suitable vcluster was found in context "${ctx}".`);
  const pick = await vscode.window.showQuickPick(
    list.map((v) => ({
      label: v.ref.name,
      description: `${v.ref.namespace} · ${v.status || 'Unknown'}${v.connectedContext ? ' · connected' : ''}`,
      detail: v.ref.parents?.length ? `inside ${v.ref.parents.map((p) => `${p.namespace}/${p.name}`).join(' → ')}` : undefined,
      ref: v.ref,
    })),
    { placeHolder, matchOnDescription: true },
  );
  if (!pick) throw new CancelledError();
  return pick.ref;
}

/** Finds the current discovery record of a vcluster (for its status and flags). */
export async function findVCluster(services: Services, ref: VClusterRef): Promise<VClusterInfo> {
  const parent = parentOf(ref);
  const result = parent ? await services.model.nested(parent, true) : await services.model.vclusters(ref.context, true);
  const v = result.namespaces.flatMap((n) => n.vclusters).find((x) => x.ref.namespace === ref.namespace && x.ref.name === ref.name);
  if (!v)
    throw new UserFacingError(
      `No vcluster "${ref.name}" was found in namespace "${ref.namespace}" of ${parent ? `vcluster ${parent.namespace}/${parent.name}` : `context "${ref.context}"`}.`,
    );
  return services.decorate(v);
}
