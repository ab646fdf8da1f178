// Addresses of single Kubernetes objects shown as read-only YAML documents, and their URI form
// `vcluster-object:/<side>/<namespace>/<kind>/<name>.yaml?<query>`. The path makes the editor tab readable
// ("web-1.yaml", with "virtual/default/Pod" as its description); the query carries the vcluster (host context,
// enclosing vclusters, namespace and name). No vscode import, so that plain-Node tests cover encode/decode; the
// vscode side turns the parts into a vscode.Uri with Uri.from({ scheme, path, query }).
//
// Also here: hiding Secret data in the YAML text before it reaches an editor.

import { parseDocument, isMap, isScalar, type Document } from 'yaml';
import { redact } from '../shared/redact';
import { MAPPING_KINDS, type MappingKind, type MappingRow, type VClusterRef } from '../shared/model';
import type { Side } from '../shared/mappingProtocol';
import { refFromQuery, refQuery } from './refQuery';

export const OBJECT_SCHEME = 'vcluster-object';

export interface ObjectAddress {
  readonly ref: VClusterRef;
  readonly side: Side;
  readonly kind: MappingKind;
  readonly namespace: string;
  readonly name: string;
}

/** Reads one object and returns it as YAML text (any fields; Secrets are cleaned here). */
export type FetchObjectYaml = (address: ObjectAddress) => Promise<string>;

/** The URI parts (as vscode.Uri.from takes them; no percent-encoding of the path, the query is form-encoded). */
export interface ObjectUriParts {
  readonly scheme: typeof OBJECT_SCHEME;
  readonly path: string;
  readonly query: string;
}

// RFC 1123 names (most kinds) and the looser path-segment names Kubernetes accepts for some kinds: no '/', no
// '%', nothing that would need escaping in a path segment.
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,252}$/;

export function encodeObjectUri(a: ObjectAddress): ObjectUriParts {
  for (const [what, v] of [
    ['namespace', a.namespace],
    ['name', a.name],
    ['vcluster namespace', a.ref.namespace],
    ['vcluster name', a.ref.name],
  ] as const) {
    if (!SEGMENT.test(v)) throw new Error(`Not a valid Kubernetes ${what}: ${JSON.stringify(v)}`);
  }
  return { scheme: OBJECT_SCHEME, path: `/${a.side}/${a.namespace}/${a.kind}/${a.name}.yaml`, query: refQuery(a.ref).toString() };
}

/** The inverse of encodeObjectUri; undefined for anything it would not have produced. */
export function decodeObjectUri(parts: { scheme?: string; path: string; query: string }): ObjectAddress | undefined {
  if (parts.scheme !== undefined && parts.scheme !== OBJECT_SCHEME) return undefined;
  const m = /^\/(virtual|host)\/([^/]+)\/([^/]+)\/([^/]+)\.yaml$/.exec(parts.path);
  if (!m) return undefined;
  const [, side, namespace, kind, name] = m as unknown as [string, Side, string, string, string];
  if (!MAPPING_KINDS.includes(kind as MappingKind) || !SEGMENT.test(namespace) || !SEGMENT.test(name)) return undefined;
  const ref = refFromQuery(parts.query, SEGMENT);
  if (!ref) return undefined;
  return { ref, side, kind: kind as MappingKind, namespace, name };
}

/** The address of one side of a mapping row, or undefined when the row has no object on that side. */
export function addressForRow(ref: VClusterRef, row: MappingRow, side: Side): ObjectAddress | undefined {
  const namespace = side === 'virtual' ? row.virtualNamespace : row.hostNamespace;
  const name = side === 'virtual' ? row.virtualName : row.hostName;
  if (!namespace || !name) return undefined;
  return { ref, side, kind: row.kind, namespace, name };
}

/** A one-line description for the document's first comment. */
export function describeAddress(a: ObjectAddress): string {
  const where = a.side === 'virtual' ? `inside vcluster ${a.ref.name}` : `on the host of vcluster ${a.ref.name} (${a.ref.namespace}, ${a.ref.context})`;
  return `${a.kind} ${a.namespace}/${a.name} ${where}`;
}

const SECRET_HIDDEN = 'data hidden: vcluster Explorer never shows Secret values';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * Prepares fetched YAML for display: a header comment, `managedFields` dropped (noise), and for Secrets (by the
 * address or by the document's own `kind`) `data`, `stringData` and the last-applied annotation (which holds a
 * copy of the data) removed. Annotation values that carry credentials are redacted: the vcluster syncer stores the
 * virtual service account token of a synced pod in an annotation `vcluster.loft.sh/token-<random>` of the host pod
 * (seen on v0.36.1). Text that cannot be parsed is shown only if it cannot be a Secret.
 */
export function prepareObjectYaml(address: ObjectAddress, text: string): string {
  const header = `# ${describeAddress(address)} (read-only)\n`;
  let doc: Document;
  try {
    doc = parseDocument(text);
    if (doc.errors.length) throw doc.errors[0];
  } catch (err) {
    if (address.kind === 'Secret' || /\bkind:\s*["']?Secret\b/.test(text)) {
      return `${header}# ${SECRET_HIDDEN}; the object could not be parsed, so nothing of it is shown.\n`;
    }
    return `${header}# (not valid YAML: ${err instanceof Error ? err.message.split('\n')[0] : 'parse error'})\n${text}`;
  }
  if (!isMap(doc.contents)) {
    if (address.kind === 'Secret') return `${header}# ${SECRET_HIDDEN}; the object is not a mapping, so nothing of it is shown.\n`;
    return header + doc.toString({ lineWidth: 0 });
  }
  const isSecret = address.kind === 'Secret' || doc.get('kind') === 'Secret';
  // deleteIn throws when a collection on the path is missing: delete only what is there
  const drop = (path: string[]) => {
    if (doc.hasIn(path)) doc.deleteIn(path);
  };
  drop(['metadata', 'managedFields']);
  const annotations = doc.getIn(['metadata', 'annotations']);
  if (isMap(annotations)) {
    for (const item of annotations.items) {
      const key = String((item.key as { value?: unknown })?.value ?? item.key);
      if (!isScalar(item.value) || typeof item.value.value !== 'string') continue;
      if (/^vcluster\.loft\.sh\/token-/.test(key)) item.value.value = '<redacted: a service account token>';
      else item.value.value = redact(item.value.value);
    }
  }
  let note = '';
  if (isSecret) {
    const keys = new Set<string>();
    for (const field of ['data', 'stringData']) {
      const v = doc.get(field);
      if (isMap(v)) for (const item of v.items) keys.add(String((item.key as { value?: unknown })?.value ?? item.key));
      doc.delete(field);
    }
    drop(['metadata', 'annotations', LAST_APPLIED]);
    note = `# ${SECRET_HIDDEN}${keys.size ? ` (keys: ${[...keys].sort().join(', ')})` : ''}\n`;
  }
  return header + note + doc.toString({ lineWidth: 0 });
}
