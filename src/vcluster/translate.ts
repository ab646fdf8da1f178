import { createHash } from 'node:crypto';

// vcluster's virtual → host name translation (pkg/util/translate, v0.20–v0.36).

/** SafeConcatName: join with "-"; over 63 characters → first 52 + "-" + 10 hex of sha256(full), then ".-" → "-". */
export function safeConcatName(...parts: string[]): string {
  const s = parts.join('-');
  if (s.length <= 63) return s;
  const digest = createHash('sha256').update(s).digest('hex').slice(0, 10);
  return `${s.slice(0, 52)}-${digest}`.replaceAll('.-', '-');
}

/** Host name of a namespaced virtual object in single-namespace mode. */
export function hostName(virtualName: string, virtualNamespace: string, vclusterName: string): string {
  return safeConcatName(virtualName, 'x', virtualNamespace, 'x', vclusterName);
}

export const MANAGED_BY_LABEL = 'vcluster.loft.sh/managed-by';
export const OBJECT_NAME_ANNOTATION = 'vcluster.loft.sh/object-name';
export const OBJECT_NAMESPACE_ANNOTATION = 'vcluster.loft.sh/object-namespace';

/** DNS-1123 label: what vcluster names and namespaces must be. */
export function dnsLabelProblem(value: string, what: string): string | undefined {
  if (!value) return `The ${what} must not be empty`;
  if (value.length > 63) return `The ${what} "${value}" is longer than 63 characters`;
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value)) {
    return `The ${what} "${value}" is not a valid DNS-1123 label: use lowercase letters, digits and "-", starting and ending with a letter or digit`;
  }
  return undefined;
}

/**
 * Namespace names typed by a person ("team-a, team-b" or one per space): each must be a namespace name (a DNS-1123
 * label), duplicates count once. Returns the names in the order given, or the first problem.
 */
export function parseNamespaceList(text: string): { names: string[]; problem?: string } {
  const names = [...new Set(text.split(/[\s,]+/).filter(Boolean))];
  for (const n of names) {
    const problem = dnsLabelProblem(n, 'namespace name');
    if (problem) return { names: [], problem };
  }
  return { names };
}
