// Addresses of a deployed vcluster's configuration shown as a read-only document, and their URI form
// `vcluster-config:/<kind>/<namespace>/<name>.vcluster.yaml?context=…&parent=ns/name&vcluster=ns/name`. The file name
// ends in .vcluster.yaml, so the YAML extension applies the contributed schema to it, and so does our own validation.
// kind: `values` = the user-supplied values of the Helm release (`vcluster describe --config-only`); `running` = the
// merged configuration in Secret vc-config-NAME (for a vcluster without a Helm release). No vscode import.

import type { VClusterRef } from '../shared/model';
import { refFromQuery, refQuery } from './refQuery';

export const CONFIG_SCHEME = 'vcluster-config';

export type ConfigKind = 'values' | 'running';

export interface ConfigAddress {
  readonly ref: VClusterRef;
  readonly kind: ConfigKind;
}

const SEGMENT = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export function encodeConfigUri(a: ConfigAddress): { scheme: typeof CONFIG_SCHEME; path: string; query: string } {
  if (!SEGMENT.test(a.ref.namespace) || !SEGMENT.test(a.ref.name))
    throw new Error(`Not a vcluster name: ${JSON.stringify(`${a.ref.namespace}/${a.ref.name}`)}`);
  return { scheme: CONFIG_SCHEME, path: `/${a.kind}/${a.ref.namespace}/${a.ref.name}.vcluster.yaml`, query: refQuery(a.ref).toString() };
}

/** The inverse of encodeConfigUri; undefined for anything it would not have produced. */
export function decodeConfigUri(parts: { scheme?: string; path: string; query: string }): ConfigAddress | undefined {
  if (parts.scheme !== undefined && parts.scheme !== CONFIG_SCHEME) return undefined;
  const m = /^\/(values|running)\/([^/]+)\/([^/]+)\.vcluster\.yaml$/.exec(parts.path);
  if (!m) return undefined;
  const ref = refFromQuery(parts.query, SEGMENT);
  if (!ref || ref.namespace !== m[2] || ref.name !== m[3]) return undefined;
  return { ref, kind: m[1] as ConfigKind };
}
