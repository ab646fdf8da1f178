import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import type { KubeClient } from '../../kube/client';
import { type StatusCause, isKubeError } from '../../kube/errors';
import { UserFacingError } from '../../shared/errors';
import { MAX_ALIAS_COUNT } from './manifest';
import { FIELD_MANAGER, type Obj, type ObjectLocation, describeLocation, isRecord, metadataOf, objectPath, toYaml, withoutFields } from './objects';

// Editing one object as a YAML document, as `kubectl edit` does but with the optimistic lock kept visible: the
// document is the object without metadata.managedFields and status, its metadata.resourceVersion is the version it
// was opened at, and a save is a PUT with that version. A newer version on the server refuses the save (409) and
// nothing is written; the caller shows the server's version and may overwrite it explicitly (a save at the version
// the user saw in that diff). A save the server refuses (422 and the like) returns its causes with the place in the
// document each field names. A Secret's data is edited like anything else and never logged.

export interface EditSession {
  readonly location: ObjectLocation;
  /** The document to show. */
  readonly yaml: string;
  /** metadata.resourceVersion when it was opened: the save is conditional on it. */
  readonly resourceVersion: string;
  /** The status left out of the document, sent back with the save (a resource without a status subresource keeps it). */
  readonly status?: unknown;
}

/** A field the server named, and where it is in the saved document (lines and columns from 1) when it is there. */
export interface FieldProblem {
  readonly field?: string;
  readonly message: string;
  readonly position?: { readonly line: number; readonly column: number };
}

export type SaveResult =
  | { readonly outcome: 'saved'; readonly session: EditSession }
  /** The server has a newer version: nothing was written; the document stays dirty. */
  | { readonly outcome: 'conflict'; readonly serverYaml: string; readonly serverResourceVersion: string }
  /** The server refused the object (validation, admission): its message and the fields it names. */
  | { readonly outcome: 'invalid'; readonly message: string; readonly problems: readonly FieldProblem[] };

const MAX_EDIT_BYTES = 4 * 1024 * 1024;

function sessionFrom(location: ObjectLocation, o: Obj): EditSession {
  const rv = metadataOf(o).resourceVersion;
  return {
    location,
    yaml: toYaml(withoutFields(o, ['managedFields'], true)),
    resourceVersion: typeof rv === 'string' ? rv : '',
    ...(o.status !== undefined ? { status: o.status } : {}),
  };
}

/** Reads the object and renders it for editing. */
export async function openForEdit(client: KubeClient, location: ObjectLocation, signal?: AbortSignal): Promise<EditSession> {
  const o = await client.get<Obj>(objectPath(location), { signal });
  if (!isRecord(o)) throw new UserFacingError(`The vcluster sent something that is not an object for ${describeLocation(location)}`);
  return sessionFrom(location, o);
}

/** Reads an edited document: one YAML mapping naming the same object. Throws UserFacingError otherwise. */
function readEdited(session: EditSession, text: string): Obj {
  if (text.length > MAX_EDIT_BYTES) throw new UserFacingError('The document is larger than 4 MiB; it was not saved');
  const doc = parseDocument(text, { uniqueKeys: true });
  const problem = doc.errors[0];
  if (problem) throw new UserFacingError(`The document is not valid YAML: ${problem.message.split('\n')[0]}; it was not saved`);
  const o: unknown = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  if (!isRecord(o)) throw new UserFacingError('The document is not a Kubernetes object; it was not saved');
  const loc = session.location;
  const meta = metadataOf(o);
  const same =
    o.kind === loc.resource.kind && meta.name === loc.name && (!loc.resource.namespaced || meta.namespace === undefined || meta.namespace === loc.namespace);
  if (!same) throw new UserFacingError(`The document must stay ${describeLocation(loc)} (kind, name and namespace cannot change); it was not saved`);
  return o;
}

/**
 * Saves an edited document with the resourceVersion the session was opened at (or, to overwrite after a conflict,
 * `overwriteVersion`: the server version the user was shown). Never retries on its own.
 */
export async function saveEdit(
  client: KubeClient,
  session: EditSession,
  text: string,
  options: { overwriteVersion?: string; signal?: AbortSignal } = {},
): Promise<SaveResult> {
  const edited = readEdited(session, text);
  const body: Obj = { ...edited, metadata: { ...metadataOf(edited), resourceVersion: options.overwriteVersion ?? session.resourceVersion } };
  if (session.status !== undefined && body.status === undefined) body.status = session.status;
  const path = objectPath(session.location);
  try {
    const saved = await client.request<Obj>('PUT', path, { body, query: { fieldManager: FIELD_MANAGER }, signal: options.signal });
    return { outcome: 'saved', session: sessionFrom(session.location, saved) };
  } catch (err) {
    if (isKubeError(err, 'conflict')) {
      const server = await client.get<Obj>(path, { signal: options.signal });
      const s = sessionFrom(session.location, server);
      return { outcome: 'conflict', serverYaml: s.yaml, serverResourceVersion: s.resourceVersion };
    }
    if (isKubeError(err, 'invalid') || isKubeError(err, 'forbidden')) {
      return { outcome: 'invalid', message: err.message, problems: problemsIn(text, err.causes ?? []) };
    }
    throw err;
  }
}

/** The server's causes with their place in the document. */
export function problemsIn(text: string, causes: readonly StatusCause[]): FieldProblem[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, keepSourceTokens: false });
  return causes.map((c) => {
    const node = c.field ? locateField(doc.contents, c.field) : undefined;
    const at = node?.range ? lines.linePos(node.range[0]) : undefined;
    return {
      ...(c.field ? { field: c.field } : {}),
      message: c.message ?? c.type ?? 'refused',
      ...(at ? { position: { line: at.line, column: at.col } } : {}),
    };
  });
}

/**
 * The path segments of an API server field path (k8s.io/apimachinery v0.34 pkg/util/validation/field/path.go String):
 * "spec.template.spec.containers[0].image", "metadata.labels[app.kubernetes.io/name]".
 */
export function fieldPathSegments(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  const re = /([^.[\]]+)|\[([^\]]*)\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(path))) {
    if (m[1] !== undefined) out.push(m[1]);
    else out.push(/^\d+$/.test(m[2]!) ? Number(m[2]) : m[2]!);
  }
  return out;
}

/** The deepest node of the document the field path reaches (the field itself when it is there). */
export function locateField(root: unknown, path: string): Node | undefined {
  let node = root as Node | null | undefined;
  let last: Node | undefined;
  for (const seg of fieldPathSegments(path)) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      node = pair.value as Node | null;
      // A scalar field points at its value; a mapping or list at its key's line.
      last = isScalar(node) ? node : (pair.key as Node);
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item) break;
      node = item;
      last = item;
    } else break;
  }
  return last;
}
