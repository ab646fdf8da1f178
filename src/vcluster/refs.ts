import type { VClusterRef } from '../shared/model';
import { vclusterContextName } from './contextName';

/** The context name the vcluster CLI would give the vcluster (nested ones chain through their parents). */
export function contextNameFor(ref: VClusterRef): string {
  let ctx = ref.context;
  for (const p of ref.parents ?? []) ctx = vclusterContextName(p.name, p.namespace, ctx);
  return vclusterContextName(ref.name, ref.namespace, ctx);
}

/** The reference of the vcluster that contains `ref`, or undefined for a vcluster directly in a host context. */
export function parentOf(ref: VClusterRef): VClusterRef | undefined {
  const parents = ref.parents ?? [];
  const last = parents[parents.length - 1];
  return last ? { context: ref.context, namespace: last.namespace, name: last.name, parents: parents.slice(0, -1) } : undefined;
}
