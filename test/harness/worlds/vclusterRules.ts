// vcluster's naming and labelling rules, encoded independently of src/ from vcluster's sources (pkg/util/translate
// and the chart of v0.36.1): what the worlds (worlds.ts) lay out and the tests expect.
import { createHash } from 'node:crypto';

export const DEFAULT_VERSION = '0.36.1';
export const DEFAULT_SERVER = 'https://localhost:8443';

/** translate.SafeConcatName: join with "-"; over 63 chars: first 52 + "-" + 10 hex of sha256, then ".-" → "-". */
export function safeConcatName(...parts: string[]): string {
  const full = parts.join('-');
  if (full.length > 63) {
    const digest = createHash('sha256').update(full).digest('hex');
    return (full.slice(0, 52) + '-' + digest.slice(0, 10)).replaceAll('.-', '-');
  }
  return full;
}

/** Host name of a namespaced virtual object in single-namespace mode. */
export function hostName(virtualName: string, virtualNamespace: string, vclusterName: string): string {
  return safeConcatName(virtualName, 'x', virtualNamespace, 'x', vclusterName);
}

export function versionAtLeast(version: string, major: number, minor: number): boolean {
  const [maj, min] = version
    .replace(/^v/, '')
    .split('.')
    .map((n) => Number.parseInt(n, 10));
  return maj! > major || (maj === major && min! >= minor);
}

/** Host label key for a virtual label that must be rewritten (0.21+: only a few keys; ≤0.20: all keys). */
export function rewrittenLabelKey(key: string, vclusterName: string): string {
  return safeConcatName('vcluster.loft.sh/label', vclusterName, 'x', createHash('sha256').update(key).digest('hex').slice(0, 10));
}

export function hostLabels(virtualLabels: Record<string, string>, vclusterName: string, virtualNamespace: string, version: string): Record<string, string> {
  const special = new Set(['release', 'vcluster.loft.sh/namespace', 'vcluster.loft.sh/managed-by', 'vcluster.loft.sh/controlled-by']);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(virtualLabels)) {
    if (versionAtLeast(version, 0, 21) && !special.has(k)) out[k] = v;
    else out[rewrittenLabelKey(k, vclusterName)] = v;
  }
  out['vcluster.loft.sh/managed-by'] = vclusterName;
  out['vcluster.loft.sh/namespace'] = virtualNamespace;
  return out;
}

/** The host label that carries a label of the pod's virtual namespace (translate.HostLabelNamespace, v0.36.1). */
export function namespaceLabelKey(key: string, vclusterName: string): string {
  return safeConcatName('vcluster.loft.sh/ns-label', vclusterName, 'x', createHash('sha256').update(key).digest('hex').slice(0, 10));
}
