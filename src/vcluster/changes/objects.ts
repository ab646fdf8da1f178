import { stringify } from 'yaml';
import { CancelledError } from '../../shared/errors';
import { type KubeError, isKubeError } from '../../kube/errors';
import type { ResolvedResource } from './manifest';
import { isRecord } from '../../shared/guards';

// What apply, diff, edit and the object actions share: where an object lives in the REST API, the field manager,
// how objects are compared and printed, and a bounded worker pool.

/** The field manager of every write (server-side apply, edit, scale, restart): how `kubectl` names its own. */
export const FIELD_MANAGER = 'vcluster-explorer';

/** One object inside a vcluster: its resource (resolved by discovery), namespace (when namespaced) and name. */
export interface ObjectLocation {
  readonly resource: ResolvedResource;
  readonly namespace?: string;
  readonly name: string;
}

export type Obj = Record<string, unknown>;

export { isRecord };

/** "/api/v1/namespaces/NS/configmaps" or "/apis/GROUP/VERSION/RESOURCE". */
export function collectionPath(r: ResolvedResource, namespace?: string): string {
  const base = r.group ? `/apis/${encodeURIComponent(r.group)}/${encodeURIComponent(r.version)}` : `/api/${encodeURIComponent(r.version)}`;
  const ns = r.namespaced ? `/namespaces/${encodeURIComponent(namespace ?? 'default')}` : '';
  return `${base}${ns}/${encodeURIComponent(r.resource)}`;
}

export function objectPath(loc: ObjectLocation): string {
  return `${collectionPath(loc.resource, loc.namespace)}/${encodeURIComponent(loc.name)}`;
}

/** "deployment shop/web" for messages. */
export function describeLocation(loc: ObjectLocation): string {
  return `${loc.resource.kind} ${loc.resource.namespaced && loc.namespace ? `${loc.namespace}/` : ''}${loc.name}`;
}

export function metadataOf(o: Obj | undefined): Obj {
  return o && isRecord(o.metadata) ? o.metadata : {};
}

/** A deep copy without the fields `omit` names at the top level of metadata (and `status` when asked). */
export function withoutFields(o: Obj, metadataFields: readonly string[], dropStatus = false): Obj {
  const copy = structuredClone(o);
  const meta = metadataOf(copy);
  for (const f of metadataFields) delete meta[f];
  if (dropStatus) delete copy.status;
  return copy;
}

/** Fields that change on every write without the object changing: left out when telling "unchanged". */
const VOLATILE_METADATA = ['managedFields', 'resourceVersion', 'generation'];

/** Whether a dry-run result is the live object again (ignoring managedFields, resourceVersion and generation). */
export function sameObject(live: Obj, result: Obj): boolean {
  return canonical(withoutFields(live, VOLATILE_METADATA)) === canonical(withoutFields(result, VOLATILE_METADATA));
}

/** JSON with sorted keys, for comparison. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isRecord(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** An object as YAML with sorted keys and unindented lists, as kubectl prints it (sigs.k8s.io/yaml, through JSON). */
export function toSortedYaml(o: Obj): string {
  return stringify(o, { sortMapEntries: true, indentSeq: false, lineWidth: 0, aliasDuplicateObjects: false });
}

/** An object as YAML in the server's field order (for editing). */
export function toYaml(o: Obj): string {
  return stringify(o, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** Failures that say the API server is gone or did not answer: an apply stops there instead of trying the rest. */
export function isConnectionLoss(err: unknown): err is KubeError {
  return isKubeError(err) && (err.kind === 'unreachable' || err.kind === 'timeout' || err.kind === 'tls');
}

export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new CancelledError(what);
}

/** Whether an error is cancellation (the caller's signal or a cancelled request). */
export function isCancellation(err: unknown): boolean {
  return err instanceof CancelledError || isKubeError(err, 'cancelled');
}

/**
 * Runs fn over the items with at most `limit` in flight, in item order; stops starting new ones once `stop()` says so
 * (a lost server, cancellation). Resolves when every started call has ended; a call's rejection ends the run.
 */
export async function runBounded<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<void>,
  stop: () => boolean = () => false,
): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async () => {
    while (!failure && !stop() && next < items.length) {
      const i = next++;
      try {
        await fn(items[i]!, i);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.err;
}

/** Go's time.Now().Format(time.RFC3339) in the local zone: "2026-12-08T03:04:05+01:00", "…Z" at UTC. */
export function rfc3339(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const offset = -d.getTimezoneOffset();
  const zone = offset === 0 ? 'Z' : `${offset > 0 ? '+' : '-'}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${zone}`;
}
