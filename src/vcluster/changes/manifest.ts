import { Composer, LineCounter, Parser, isMap } from 'yaml';
import { UserFacingError } from '../../shared/errors';
import { isRecord } from '../../shared/guards';

// A YAML file of Kubernetes objects, read as kubectl reads it for `apply -f`: documents separated by `---`, empty ones
// skipped, each an object with apiVersion, kind and metadata.name. The file comes from the user's workspace, but it
// may be anything (a huge generated file, a YAML bomb, a file that is not Kubernetes YAML at all): it is bounded in
// bytes, documents and aliases, and every refusal names the document.

/**
 * A resource as the API server serves it, resolved from a document's apiVersion and kind (by API discovery, or from
 * a CustomResourceDefinition of the same file).
 */
export interface ResolvedResource {
  /** "" for the core group. */
  readonly group: string;
  readonly version: string;
  /** The plural: "deployments", "widgets". */
  readonly resource: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

/** Resolves apiVersion + kind to what the vcluster serves; undefined when it does not serve that kind. */
export type ResourceResolver = (apiVersion: string, kind: string, signal?: AbortSignal) => Promise<ResolvedResource | undefined>;

export interface ManifestDocument {
  /** Position in the file, from 1, counting every `---` document (empty ones too), as an editor user counts them. */
  readonly index: number;
  /** Line (from 1) where the document starts. */
  readonly line: number;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** metadata.namespace when the document sets it. */
  readonly namespace?: string;
  /** The document as plain data. */
  readonly object: Readonly<Record<string, unknown>>;
  /** The document's own text, sent as the apply patch (the API server reads it with its own YAML decoder). */
  readonly text: string;
}

/** Most documents of one file: far above an honest manifest (a big Helm chart renders a few hundred objects). */
export const MAX_DOCUMENTS = 10_000;
/** Largest file: etcd keeps no object over about 1.5 MiB; 10,000 ordinary objects are about 20 MiB. */
export const MAX_MANIFEST_BYTES = 32 * 1024 * 1024;
/** Most alias expansions per document (yaml's default): a billion-laughs document is refused, not expanded. */
export const MAX_ALIAS_COUNT = 100;

export interface ParseOptions {
  /** For messages: "deploy.yaml". */
  readonly source?: string;
  readonly maxDocuments?: number;
  readonly maxBytes?: number;
}

/** "document 3 (ConfigMap shop/web)" / "document 3 (line 12)": how messages name a document. */
export function describeDocument(d: { index: number; kind?: string; name?: string; namespace?: string; line?: number }): string {
  if (d.kind && d.name) return `document ${d.index} (${d.kind} ${d.namespace ? `${d.namespace}/` : ''}${d.name})`;
  if (d.kind) return `document ${d.index} (${d.kind}${d.line ? `, line ${d.line}` : ''})`;
  return `document ${d.index}${d.line ? ` (line ${d.line})` : ''}`;
}

/**
 * The documents of a multi-document YAML text, in file order, empty documents left out. Throws UserFacingError naming
 * the document for anything kubectl would refuse: invalid YAML, a document that is not a mapping, a missing apiVersion,
 * kind or metadata.name (generateName included: apply needs a name), a List, the same object twice.
 */
export function parseManifest(text: string, options: ParseOptions = {}): ManifestDocument[] {
  const from = options.source ? ` in ${options.source}` : '';
  const maxBytes = options.maxBytes ?? MAX_MANIFEST_BYTES;
  const maxDocuments = options.maxDocuments ?? MAX_DOCUMENTS;
  // A quick bound first (a UTF-16 unit is at most 3 bytes), then the exact one.
  if (text.length > maxBytes || Buffer.byteLength(text) > maxBytes) {
    throw new UserFacingError(`The file${from} is larger than ${Math.round(maxBytes / (1024 * 1024))} MiB; nothing was applied`);
  }
  const lines = new LineCounter();
  const composer = new Composer({ uniqueKeys: true });
  const out: ManifestDocument[] = [];
  const seen = new Map<string, number>();
  let index = 0;
  // Documents one at a time: a file with too many stops at the first one over the bound.
  for (const doc of composer.compose(new Parser(lines.addNewLine).parse(text), true)) {
    index++;
    if (index > maxDocuments) throw new UserFacingError(`The file${from} has more than ${maxDocuments} documents; nothing was applied`);
    // Where the content starts: after a `---` marker and the comments before the content.
    const start = doc.contents?.range[0] ?? doc.range[0];
    const line = lines.linePos(start).line;
    const where = { index, line };
    const problem = doc.errors[0];
    if (problem) {
      throw new UserFacingError(`${describeDocument(where)}${from} is not valid YAML: ${problem.message.split('\n')[0]}`);
    }
    if (doc.contents === null) continue; // an empty document (only comments or nothing), skipped as kubectl does
    if (!isMap(doc.contents)) {
      // `null`, `~` and the like are empty documents for kubectl too.
      const value: unknown = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      if (value === null) continue;
      throw new UserFacingError(`${describeDocument(where)}${from} is not a Kubernetes object (a YAML mapping with apiVersion and kind)`);
    }
    let object: unknown;
    try {
      object = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      throw new UserFacingError(`${describeDocument(where)}${from} cannot be read: ${(err as Error).message.split('\n')[0]}`);
    }
    if (!isRecord(object)) throw new UserFacingError(`${describeDocument(where)}${from} is not a Kubernetes object`);
    const kind = typeof object.kind === 'string' && object.kind ? object.kind : undefined;
    const apiVersion = typeof object.apiVersion === 'string' && object.apiVersion ? object.apiVersion : undefined;
    const meta = isRecord(object.metadata) ? object.metadata : undefined;
    const name = typeof meta?.name === 'string' && meta.name ? meta.name : undefined;
    const namespace = typeof meta?.namespace === 'string' && meta.namespace ? meta.namespace : undefined;
    const named = { ...where, kind, name, namespace };
    if (!apiVersion) throw new UserFacingError(`${describeDocument(named)}${from} has no apiVersion`);
    if (!kind) throw new UserFacingError(`${describeDocument(named)}${from} has no kind`);
    if (kind.endsWith('List') && Array.isArray(object.items)) {
      throw new UserFacingError(`${describeDocument(named)}${from} is a ${kind}; write its items as separate documents`);
    }
    if (!name) {
      const why = typeof meta?.generateName === 'string' ? 'uses metadata.generateName, which apply cannot use' : 'has no metadata.name';
      throw new UserFacingError(`${describeDocument(named)}${from} ${why}`);
    }
    const key = objectKey({ apiVersion, kind, name, namespace });
    const earlier = seen.get(key);
    if (earlier !== undefined) throw new UserFacingError(`${describeDocument(named)}${from} is the same object as document ${earlier}`);
    seen.set(key, index);
    out.push({ index, line, apiVersion, kind, name, ...(namespace ? { namespace } : {}), object, text: text.slice(start, doc.range[2]) });
  }
  return out;
}

/** The API group of an apiVersion: "apps/v1" → "apps", "v1" → "". */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

function objectKey(d: { apiVersion: string; kind: string; name: string; namespace?: string }): string {
  return `${groupOf(d.apiVersion)}|${d.kind}|${d.namespace ?? ''}|${d.name}`;
}

/**
 * Kinds applied before all others, in this order: the head of Helm's install order (helm v3.21.4
 * pkg/releaseutil/kind_sorter.go InstallOrder) that other objects of the same file depend on to be accepted at all: a
 * Namespace for the objects in it, a CustomResourceDefinition for its custom resources.
 */
export const FIRST_KINDS = ['Namespace', 'CustomResourceDefinition'] as const;

/** A Namespace or CustomResourceDefinition: applied before everything else. */
export function isPrerequisite(d: { kind: string; apiVersion: string }): boolean {
  return (d.kind === 'Namespace' && d.apiVersion === 'v1') || (d.kind === 'CustomResourceDefinition' && groupOf(d.apiVersion) === 'apiextensions.k8s.io');
}

/** The documents in apply order: Namespaces, then CustomResourceDefinitions, then the rest in file order (stable). */
export function applyOrder<T extends { kind: string; apiVersion: string }>(docs: readonly T[]): T[] {
  const rank = (d: T) => {
    if (d.kind === 'Namespace' && d.apiVersion === 'v1') return 0;
    if (d.kind === 'CustomResourceDefinition' && groupOf(d.apiVersion) === 'apiextensions.k8s.io') return 1;
    return 2;
  };
  return docs
    .map((d, i) => ({ d, i, r: rank(d) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.d);
}

/**
 * The resources the CustomResourceDefinitions among the documents define, by "group|kind", each with the CRD's
 * name; a custom resource of the same file is resolved from them (it is not served before the CRD is applied).
 */
export function resourcesDefinedBy(docs: readonly ManifestDocument[]): Map<string, { crd: string; resource: ResolvedResource; versions: string[] }> {
  const out = new Map<string, { crd: string; resource: ResolvedResource; versions: string[] }>();
  for (const d of docs) {
    if (d.kind !== 'CustomResourceDefinition' || groupOf(d.apiVersion) !== 'apiextensions.k8s.io') continue;
    const spec = isRecord(d.object.spec) ? d.object.spec : undefined;
    const names = isRecord(spec?.names) ? spec.names : undefined;
    const group = typeof spec?.group === 'string' ? spec.group : '';
    const kind = typeof names?.kind === 'string' ? names.kind : '';
    const plural = typeof names?.plural === 'string' ? names.plural : '';
    const versions = Array.isArray(spec?.versions)
      ? spec.versions.filter((v): v is Record<string, unknown> => isRecord(v) && v.served !== false && typeof v.name === 'string').map((v) => v.name as string)
      : [];
    if (!group || !kind || !plural || !versions.length) continue; // the API server refuses it in the dry run
    const resource: ResolvedResource = { group, version: versions[0]!, resource: plural, kind, namespaced: spec?.scope !== 'Cluster' };
    out.set(`${group}|${kind}`, { crd: d.name, resource, versions });
  }
  return out;
}
