// The vcluster of a document URI in its query (`context=…&parent=ns/name…&vcluster=ns/name`), as the config and object
// document addresses (configUri.ts, objectUri.ts) carry it. No vscode import.

import type { VClusterRef } from '../shared/model';
import { parseVClusterRef } from '../shared/vclusterRef';

/** The query naming `ref`: its host context, the vclusters around it (outermost first), then its own namespace/name. */
export function refQuery(ref: VClusterRef): URLSearchParams {
  const q = new URLSearchParams();
  q.set('context', ref.context);
  for (const p of ref.parents ?? []) q.append('parent', `${p.namespace}/${p.name}`);
  q.set('vcluster', `${ref.namespace}/${ref.name}`);
  return q;
}

function split(s: string | null, segment: RegExp): { namespace: string; name: string } | undefined {
  const m = /^([^/]+)\/([^/]+)$/.exec(s ?? '');
  return m && segment.test(m[1]!) && segment.test(m[2]!) ? { namespace: m[1]!, name: m[2]! } : undefined;
}

/**
 * The inverse of refQuery: the vcluster a query names, or undefined when it names none or anything in it is not a
 * `segment` (the names the caller's URI form accepts).
 */
export function refFromQuery(query: string, segment: RegExp): VClusterRef | undefined {
  const q = new URLSearchParams(query);
  const vc = split(q.get('vcluster'), segment);
  if (!vc) return undefined;
  const parents = [];
  for (const p of q.getAll('parent')) {
    const parsed = split(p, segment);
    if (!parsed) return undefined;
    parents.push(parsed);
  }
  return parseVClusterRef({ context: q.get('context'), ...vc, ...(parents.length ? { parents } : {}) });
}
