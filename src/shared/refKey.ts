import type { VClusterRef } from './model';

// The one string identity of a context scope and of a vcluster reference: cache keys of the model, tree node ids,
// open panels. Context names may hold any character, so every part is percent-encoded.

const enc = encodeURIComponent;

/** Key of a context's scope; a prefix of the keys of the vclusters in it. */
export function contextKey(context: string): string {
  return enc(context);
}

/** Stable, unambiguous key of a vcluster reference: host context, enclosing vclusters, then namespace/name. */
export function refKey(ref: VClusterRef): string {
  return [contextKey(ref.context), ...(ref.parents ?? []).map((p) => `${enc(p.namespace)}/${enc(p.name)}`), `${enc(ref.namespace)}/${enc(ref.name)}`].join('|');
}
