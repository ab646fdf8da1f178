import { UserFacingError } from '../shared/errors';
import type { VClusterRef } from '../shared/model';
import type { KubeconfigSnapshot } from './kubeconfigState';
import { contextNameFor, parentOf } from './refs';

// A vcluster's place in the kubeconfig before it is paused or deleted: its own context (written by Connect), the
// context "above" it (its host context, or the context of the vcluster around a nested one), leaving the vcluster when
// the current context is inside it, and removing its own context after it was deleted. No vscode import: the command
// handlers call these with the explorer model and the kubeconfig writer of the scope they work in.

/** The merged kubeconfig as the explorer model reads it (ExplorerModel fits). */
export interface KubeconfigView {
  /** The kubeconfig as last read (read first when nothing has read it yet). */
  kubeconfig(): Promise<KubeconfigSnapshot>;
  reloadKubeconfig(): Promise<KubeconfigSnapshot>;
}

/** The writes these functions make (KubeconfigWriter fits). */
export interface ContextWriter {
  useContext(name: string): Promise<unknown>;
  removeContext(name: string, options: { removeClusterAndUser?: boolean; switchTo?: string }): Promise<unknown>;
}

/**
 * The context the vcluster CLI and Helm work through for `ref`: the host context, or for a nested vcluster the context
 * of the vcluster around it (written by Connect).
 */
export function contextAbove(ref: VClusterRef): string {
  const parent = parentOf(ref);
  return parent ? contextNameFor(parent) : ref.context;
}

/** For a nested vcluster: refuses (saying to connect to the parent) when the context of the vcluster around it is missing. */
export function requireContextAbove(contexts: readonly { name: string }[], ref: VClusterRef): void {
  const parent = parentOf(ref);
  if (parent && !contexts.some((c) => c.name === contextAbove(ref))) {
    throw new UserFacingError(
      `Deleting vcluster ${ref.name}, which runs inside vcluster ${parent.name}, needs a kubeconfig context for ${parent.name}: connect to ${parent.name} first.`,
    );
  }
}

/**
 * When the current context is the vcluster's own context or one inside it (the context of a nested vcluster ends with
 * `_<own>`): the context to switch to, the one above it. Undefined when the current context is elsewhere. Throws when the
 * context above is not in the kubeconfig.
 */
export function contextToLeave(snap: KubeconfigSnapshot, ref: VClusterRef): { from: string; to: string } | undefined {
  const own = contextNameFor(ref);
  const current = snap.currentContext;
  if (!current || !(current === own || current.endsWith(`_${own}`))) return undefined;
  const target = contextAbove(ref);
  if (!snap.contexts.some((c) => c.name === target)) {
    throw new UserFacingError(
      `The current context is inside vcluster ${ref.namespace}/${ref.name}, and the context above it ("${target}") is not in the kubeconfig. Switch context first.`,
    );
  }
  return { from: current, to: target };
}

/** Switches to the context above the vcluster when the current context is inside it; returns the switch made, if any. */
export async function leaveIfInside(kube: KubeconfigView, writer: () => ContextWriter, ref: VClusterRef): Promise<{ from: string; to: string } | undefined> {
  const snap = await kube.kubeconfig();
  const leave = contextToLeave(snap, ref);
  if (!leave) return undefined;
  await writer().useContext(leave.to);
  await kube.reloadKubeconfig();
  return leave;
}

/**
 * After the vcluster was deleted: removes its own context with its cluster and user (the CLI does too; this makes sure),
 * switching to the context above it when it was the current one, so that current-context never dangles. Returns the
 * name of the own context (removed or already gone).
 */
export async function removeOwnContext(kube: KubeconfigView, writer: () => ContextWriter, ref: VClusterRef): Promise<string> {
  const own = contextNameFor(ref);
  const snap = await kube.reloadKubeconfig();
  if (snap.contexts.some((c) => c.name === own)) {
    await writer().removeContext(own, { removeClusterAndUser: true, switchTo: snap.currentContext === own ? contextAbove(ref) : undefined });
    await kube.reloadKubeconfig();
  }
  return own;
}
