// A vcluster reference that came back from outside the extension's memory (a restored webview's state, a document
// URI), validated, and its label for titles. No vscode, no DOM, no Node: both bundles import this module.

import type { VClusterRef } from './model';
import { isRecord } from './guards';

/** Longest context name accepted. */
const CONTEXT_MAX = 1024;
/** Longest Kubernetes namespace or object name. */
const NAME_MAX = 253;

function isString(v: unknown, max: number): v is string {
  return typeof v === 'string' && v.length >= 1 && v.length <= max;
}

function parseParent(v: unknown): { namespace: string; name: string } | undefined {
  if (!isRecord(v) || !isString(v.namespace, NAME_MAX) || !isString(v.name, NAME_MAX)) return undefined;
  return { namespace: v.namespace, name: v.name };
}

/**
 * Validates a VClusterRef that came back from outside the extension's memory (a restored webview's state, a URI).
 * Returns a fresh object or undefined.
 */
export function parseVClusterRef(v: unknown): VClusterRef | undefined {
  if (!isRecord(v)) return undefined;
  if (!isString(v.context, CONTEXT_MAX) || !isString(v.namespace, NAME_MAX) || !isString(v.name, NAME_MAX)) {
    return undefined;
  }
  if (v.parents === undefined) return { context: v.context, namespace: v.namespace, name: v.name };
  if (!Array.isArray(v.parents) || v.parents.length > 20) return undefined;
  const parents = [];
  for (const p of v.parents) {
    const parsed = parseParent(p);
    if (!parsed) return undefined;
    parents.push(parsed);
  }
  return parents.length ? { context: v.context, namespace: v.namespace, name: v.name, parents } : { context: v.context, namespace: v.namespace, name: v.name };
}

/** "name (namespace) in context", with enclosing vclusters: for titles and labels. */
export function refLabel(ref: VClusterRef): string {
  const chain = (ref.parents ?? []).map((p) => p.name);
  const via = chain.length ? ` via ${chain.join(' › ')}` : '';
  return `${ref.name} (${ref.namespace}) in ${ref.context}${via}`;
}
