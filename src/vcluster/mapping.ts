import { parse as parseYaml, stringify as toYaml } from 'yaml';
import type { KubeClient } from '../kube/client';
import { KubeError } from '../kube/errors';
import { builtinKind, resourcePath } from '../kube/kinds';
import { METADATA_LIST, type KubeList, type KubeObject, type Pod, type Secret } from '../kube/types';
import { Watcher } from '../kube/watch';
import { MAPPING_KINDS, type MappingKind, type MappingModel, type MappingRow, type MappingSummary, type SyncState, type VClusterRef } from '../shared/model';
import type { Reach } from './reach';
import { podStatus } from './status';
import { MANAGED_BY_LABEL, OBJECT_NAMESPACE_ANNOTATION, OBJECT_NAME_ANNOTATION, hostName } from './translate';

// The virtual → host mapping model: the syncer's annotations and name rule (pkg/util/translate of vcluster v0.36.1,
// see translate.ts). Secret and ConfigMap data is never requested: those kinds are listed as metadata only.

export interface KindSpec {
  readonly kind: MappingKind;
  readonly path: string; // cluster-wide list path; the host side inserts /namespaces/<ns>
  readonly metadataOnly: boolean;
  /** chart values key under sync.toHost */
  readonly syncKey: string;
  readonly defaultSynced: boolean;
  /** Whether an open mapping view watches the kind on both sides (else it shows it as of the last load). */
  readonly watched: boolean;
}

/** vcluster's sync facts of a kind it can copy to the host, and how the mapping view follows it. */
export interface SyncFacts {
  /** The chart values key under sync.toHost. */
  readonly syncKey: string;
  /** Its `enabled` default (chart/values.yaml of vcluster v0.36.1). */
  readonly defaultSynced: boolean;
  /**
   * Whether every object is copied by default. Config maps and secrets are enabled with `all: false`: only those a
   * pod uses, or that carry the vcluster.loft.sh/force-sync annotation, get a host twin (vcluster v0.36.1
   * pkg/controllers/resources/configmaps/to_host_syncer.go isConfigMapUsed); the others stay virtual.
   */
  readonly all: boolean;
  /** Whether an open mapping view watches the kind on both sides (else it shows it as of the last load). */
  readonly watched: boolean;
}

/** The sync column of the kinds table (src/kube/kinds.ts), one row per kind of MAPPING_KINDS, checked for completeness. */
export const SYNC_FACTS: { readonly [K in MappingKind]: SyncFacts } = {
  Pod: { syncKey: 'pods', defaultSynced: true, all: true, watched: true },
  Service: { syncKey: 'services', defaultSynced: true, all: true, watched: true },
  Endpoints: { syncKey: 'endpoints', defaultSynced: true, all: true, watched: true },
  ConfigMap: { syncKey: 'configMaps', defaultSynced: true, all: false, watched: true },
  Secret: { syncKey: 'secrets', defaultSynced: true, all: false, watched: true },
  PersistentVolumeClaim: { syncKey: 'persistentVolumeClaims', defaultSynced: true, all: true, watched: true },
  Ingress: { syncKey: 'ingresses', defaultSynced: false, all: true, watched: false },
  ServiceAccount: { syncKey: 'serviceAccounts', defaultSynced: false, all: true, watched: false },
};

/** Whether every object of a kind has a host twin when vcluster runs with the chart's defaults. */
export function everyObjectSyncedByDefault(kind: string): boolean {
  const f = Object.prototype.hasOwnProperty.call(SYNC_FACTS, kind) ? SYNC_FACTS[kind as MappingKind] : undefined;
  return f !== undefined && f.defaultSynced && f.all;
}

function kindSpec(kind: MappingKind): KindSpec {
  const k = builtinKind(kind);
  const { syncKey, defaultSynced, watched } = SYNC_FACTS[kind];
  return { kind, path: resourcePath(k), metadataOnly: k.metadataOnly === true, syncKey, defaultSynced, watched };
}

export const MAPPED_KINDS: readonly KindSpec[] = MAPPING_KINDS.map(kindSpec);

/** The list path of a kind in one namespace (the host namespace, or any namespace for a single object). */
export function hostListPath(spec: KindSpec, hostNamespace: string): string {
  const i = spec.path.lastIndexOf('/');
  return `${spec.path.slice(0, i)}/namespaces/${hostNamespace}${spec.path.slice(i)}`;
}

type Obj = KubeObject & { spec?: { type?: string }; status?: { phase?: string } };

function statusOf(kind: MappingKind, o: Obj): string | undefined {
  switch (kind) {
    case 'Pod':
      return podStatus(o as Pod);
    case 'Service':
      return o.spec?.type ?? 'ClusterIP';
    case 'PersistentVolumeClaim':
      return o.status?.phase;
    default:
      return undefined;
  }
}

export interface JoinInput {
  readonly vclusterName: string;
  readonly hostNamespace: string;
  readonly virtual: Partial<Record<MappingKind, readonly Obj[]>>;
  readonly host: Partial<Record<MappingKind, readonly Obj[]>>;
}

/**
 * Joins virtual and host objects: first on the host annotations (object-name / object-namespace), then by the name
 * rule SafeConcatName(name, "x", namespace, "x", vcluster) for host objects without annotations. Host objects left
 * over are orphans. Linear in the number of objects.
 */
export function joinMapping(input: JoinInput): MappingRow[] {
  const rows: MappingRow[] = [];
  const kinds = new Set<MappingKind>([...Object.keys(input.virtual), ...Object.keys(input.host)] as MappingKind[]);
  for (const kind of MAPPED_KINDS.map((k) => k.kind).filter((k) => kinds.has(k))) {
    const hostObjs = input.host[kind] ?? [];
    const byAnnotation = new Map<string, Obj>();
    const byName = new Map<string, Obj>();
    for (const h of hostObjs) {
      const a = h.metadata.annotations;
      const vn = a?.[OBJECT_NAME_ANNOTATION];
      if (vn) byAnnotation.set(`${a?.[OBJECT_NAMESPACE_ANNOTATION] ?? ''}/${vn}`, h);
      else byName.set(h.metadata.name, h);
    }
    const used = new Set<Obj>();
    for (const v of input.virtual[kind] ?? []) {
      const vns = v.metadata.namespace ?? '';
      let h = byAnnotation.get(`${vns}/${v.metadata.name}`);
      let joinedBy: 'annotation' | 'name' | undefined = h ? 'annotation' : undefined;
      if (!h) {
        h = byName.get(hostName(v.metadata.name, vns, input.vclusterName));
        if (h) joinedBy = 'name';
      }
      if (h && used.has(h)) h = undefined;
      if (h) used.add(h);
      rows.push({
        kind,
        virtualNamespace: vns,
        virtualName: v.metadata.name,
        virtualStatus: statusOf(kind, v),
        ...(h ? { hostNamespace: h.metadata.namespace ?? input.hostNamespace, hostName: h.metadata.name, hostStatus: statusOf(kind, h), joinedBy } : {}),
        state: h ? 'synced' : 'virtual-only',
      });
    }
    for (const h of hostObjs) {
      if (used.has(h)) continue;
      const a = h.metadata.annotations;
      rows.push({
        kind,
        ...(a?.[OBJECT_NAME_ANNOTATION] ? { virtualNamespace: a[OBJECT_NAMESPACE_ANNOTATION], virtualName: a[OBJECT_NAME_ANNOTATION] } : {}),
        hostNamespace: h.metadata.namespace ?? input.hostNamespace,
        hostName: h.metadata.name,
        hostStatus: statusOf(kind, h),
        state: 'host-only',
      });
    }
  }
  return rows;
}

export function summarize(rows: readonly MappingRow[]): MappingSummary {
  const byKind: Record<string, { synced: number; virtualOnly: number; hostOnly: number }> = {};
  const total = { synced: 0, virtualOnly: 0, hostOnly: 0 };
  const key: Record<SyncState, 'synced' | 'virtualOnly' | 'hostOnly'> = { synced: 'synced', 'virtual-only': 'virtualOnly', 'host-only': 'hostOnly' };
  for (const r of rows) {
    const k = (byKind[r.kind] ??= { synced: 0, virtualOnly: 0, hostOnly: 0 });
    k[key[r.state]]++;
    total[key[r.state]]++;
  }
  return { ...total, byKind };
}

/** Which kinds this vcluster syncs to the host, from its vc-config-NAME (chart defaults when unreadable). */
export function syncedKinds(configYaml: string | undefined): Set<MappingKind> {
  let toHost: Record<string, { enabled?: boolean } | undefined> = {};
  if (configYaml) {
    try {
      const cfg = parseYaml(configYaml) as { sync?: { toHost?: typeof toHost } } | null;
      toHost = cfg?.sync?.toHost ?? {};
    } catch {
      /* defaults */
    }
  }
  const out = new Set<MappingKind>();
  for (const k of MAPPED_KINDS) {
    const enabled = toHost[k.syncKey]?.enabled;
    if (enabled ?? k.defaultSynced) out.add(k.kind);
  }
  return out;
}

export interface FetchMappingOptions {
  readonly ref: VClusterRef;
  readonly host: KubeClient;
  readonly hostNamespace: string;
  readonly virtual: KubeClient;
  readonly signal?: AbortSignal;
}

/** Fetches both sides (in parallel, metadata-only for data-carrying kinds) and joins them. */
export async function fetchMapping(opts: FetchMappingOptions): Promise<MappingModel> {
  const name = opts.ref.name;
  let configYaml: string | undefined;
  try {
    const s = await opts.host.get<Secret>(`/api/v1/namespaces/${opts.hostNamespace}/secrets/vc-config-${name}`, { signal: opts.signal });
    if (s.data?.['config.yaml']) configYaml = Buffer.from(s.data['config.yaml'], 'base64').toString('utf8');
  } catch (err) {
    if (!(err instanceof KubeError)) throw err;
  }
  const kinds = MAPPED_KINDS.filter((k) => syncedKinds(configYaml).has(k.kind));
  const errors: { kind: MappingKind; side: 'virtual' | 'host'; message: string }[] = [];
  const virtual: Partial<Record<MappingKind, Obj[]>> = {};
  const host: Partial<Record<MappingKind, Obj[]>> = {};
  const accept = (k: KindSpec) => (k.metadataOnly ? METADATA_LIST : undefined);
  await Promise.all(
    kinds.flatMap((k) => [
      opts.virtual
        .get<KubeList<Obj>>(k.path, { signal: opts.signal, accept: accept(k) })
        .then((l) => {
          virtual[k.kind] = l.items;
        })
        .catch((err: unknown) => {
          if (!(err instanceof KubeError)) throw err;
          errors.push({ kind: k.kind, side: 'virtual', message: err.message });
        }),
      opts.host
        .get<KubeList<Obj>>(hostListPath(k, opts.hostNamespace), {
          signal: opts.signal,
          accept: accept(k),
          query: { labelSelector: `${MANAGED_BY_LABEL}=${name}` },
        })
        .then((l) => {
          host[k.kind] = l.items;
        })
        .catch((err: unknown) => {
          if (!(err instanceof KubeError)) throw err;
          errors.push({ kind: k.kind, side: 'host', message: err.message });
        }),
    ]),
  );
  // The virtual default/kubernetes Service is served by the host Service NAME itself (facts §5), not a synced copy.
  const vServices = virtual.Service;
  if (vServices) {
    const i = vServices.findIndex((s) => s.metadata.namespace === 'default' && s.metadata.name === 'kubernetes');
    if (i >= 0) {
      const [kube] = vServices.splice(i, 1);
      const hostSvc = await opts.host.get<Obj>(`/api/v1/namespaces/${opts.hostNamespace}/services/${name}`, { signal: opts.signal }).catch(() => undefined);
      (host.Service ??= []).push(
        ...(hostSvc
          ? [
              {
                ...hostSvc,
                metadata: {
                  ...hostSvc.metadata,
                  annotations: { ...hostSvc.metadata.annotations, [OBJECT_NAME_ANNOTATION]: 'kubernetes', [OBJECT_NAMESPACE_ANNOTATION]: 'default' },
                },
              },
            ]
          : []),
      );
      vServices.push(kube!);
    }
  }
  const rows = joinMapping({ vclusterName: name, hostNamespace: opts.hostNamespace, virtual, host });
  return { vcluster: opts.ref, hostNamespace: opts.hostNamespace, rows, summary: summarize(rows), errors, fetchedAt: new Date().toISOString() };
}

/** How the mapping reaches both sides of a vcluster (ExplorerModel fits). */
export type MappingAccess = Pick<Reach, 'hold' | 'hostClientOf' | 'reach'>;

/** Calls onChange on any change of the mapped kinds on either side, until disposed (holding the vcluster meanwhile). */
export async function watchMapping(model: MappingAccess, ref: VClusterRef, onChange: () => void): Promise<{ dispose(): void }> {
  const hold = model.hold(ref);
  let host: KubeClient;
  let virtual: KubeClient;
  try {
    host = await model.hostClientOf(ref);
    virtual = (await model.reach(ref)).client;
  } catch (err) {
    hold.dispose();
    throw err;
  }
  const watchers = MAPPED_KINDS.filter((k) => k.watched).flatMap((k) => [
    new Watcher(virtual, k.path, { onEvent: onChange, onResync: onChange }),
    new Watcher(host, hostListPath(k, ref.namespace), { labelSelector: `vcluster.loft.sh/managed-by=${ref.name}`, onEvent: onChange, onResync: onChange }),
  ]);
  return {
    dispose: () => {
      watchers.forEach((w) => w.dispose());
      hold.dispose();
    },
  };
}

/** One object as YAML (managedFields dropped). The caller hides Secret data. */
export async function objectYaml(
  model: MappingAccess,
  ref: VClusterRef,
  side: 'virtual' | 'host',
  kind: MappingKind,
  namespace: string,
  name: string,
): Promise<string> {
  const spec = MAPPED_KINDS.find((k) => k.kind === kind);
  if (!spec) throw new Error(`Unknown kind ${kind}`);
  const client: KubeClient = side === 'virtual' ? (await model.reach(ref)).client : await model.hostClientOf(ref);
  const p = `${hostListPath(spec, namespace)}/${name}`;
  const obj = await client.get<KubeObject & { metadata: { managedFields?: unknown } }>(p);
  delete obj.metadata.managedFields;
  return toYaml(obj);
}
