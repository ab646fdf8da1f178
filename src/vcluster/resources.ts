import { ListBounds, type KubeClient } from '../kube/client';
import { KubeError } from '../kube/errors';
import { METADATA_LIST, eventTime, type KubeEvent, type KubeList, type KubeObject, type Namespace, type Pod, type Service, type Workload } from '../kube/types';
import { UserFacingError } from '../shared/errors';
import type { ApiResource } from '../kube/apiDiscovery';
import { INSIDE_KINDS, builtinKind, groupResource, resourcePath, type BuiltinKind } from '../kube/kinds';
import { shortHumanAge } from '../kube/table';
import { everyObjectSyncedByDefault } from './mapping';
import type { ObjectEvent } from '../shared/objectDescribe';
import type { OtherResourceInfo, ResourceInfo, ResourceKind } from '../shared/model';
import { podStatus } from './status';
import { hostName } from './translate';

// What runs inside a virtual cluster, as the tree and the public API show it: its namespaces, and per namespace the
// pods, deployments, statefulsets, daemonsets, jobs, services and config maps, with kubectl get's status and ready
// columns. Config maps are listed as metadata only, and secrets not at all: no secret data is ever requested.

export interface KindDef {
  readonly kind: ResourceKind;
  /** The label of the tree's folder. */
  readonly plural: string;
  /** The collection path in a namespace. */
  path(namespace: string): string;
  readonly metadataOnly: boolean;
  /**
   * Whether vcluster's syncer copies every object of it to the host by default (pods and services; config maps only
   * when a pod uses them: src/vcluster/mapping.ts SYNC_FACTS).
   */
  readonly synced: boolean;
}

/** The collection path of a table kind in a namespace. */
const at = (kind: BuiltinKind) => (ns: string) => resourcePath(builtinKind(kind), { namespace: ns });

/** The inside kinds of the kinds table (src/kube/kinds.ts), in the tree's order; `synced` from vcluster's sync facts. */
export const RESOURCE_KINDS: readonly KindDef[] = INSIDE_KINDS.map((kind) => {
  const k = builtinKind(kind);
  return { kind, plural: k.title, path: at(kind), metadataOnly: k.metadataOnly === true, synced: everyObjectSyncedByDefault(kind) };
});

/** The kind definition for a kind name (case-insensitive; plurals such as "pods" too); a clear error otherwise. */
export function kindDef(kind: string): KindDef {
  const k = kind.toLowerCase();
  const d = RESOURCE_KINDS.find((x) => x.kind.toLowerCase() === k || x.plural.toLowerCase() === k);
  if (!d) throw new UserFacingError(`Unknown kind "${kind}": use one of ${RESOURCE_KINDS.map((x) => x.kind).join(', ')}.`);
  return d;
}

/** Namespaces the Kubernetes distribution makes itself: shown after the others. */
export const SYSTEM_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease']);

/** Items per request when listing (kubectl get's --chunk-size default). */
export const PAGE_SIZE = 500;

interface JobLike extends KubeObject {
  spec?: { completions?: number; parallelism?: number };
  status?: { succeeded?: number; failed?: number; active?: number; conditions?: { type: string; status: string }[] };
}
interface DaemonSetLike extends KubeObject {
  status?: { desiredNumberScheduled?: number; numberReady?: number };
}

/** "3s", "5m", "2h", "4d", "1y": kubectl's short age (k8s.io/apimachinery duration.ShortHumanDuration). */
export function shortAge(created: string | undefined, now = Date.now()): string {
  return shortHumanAge(created, now);
}

/** One object as the tree and the API show it. `vclusterName`: for the host twin of synced kinds. */
export function describeResource(kind: ResourceKind, o: KubeObject, vclusterName: string, hostNamespace: string): ResourceInfo {
  const namespace = o.metadata.namespace ?? '';
  const base = { kind, namespace, name: o.metadata.name, ...(o.metadata.creationTimestamp ? { created: o.metadata.creationTimestamp } : {}) };
  const twin = { host: { namespace: hostNamespace, name: hostName(o.metadata.name, namespace, vclusterName) } };
  switch (kind) {
    case 'Pod': {
      const p = o as Pod;
      const cs = p.status?.containerStatuses ?? [];
      const containers = (p.spec?.containers ?? []).map((c) => c.name);
      const ready = cs.filter((c) => c.ready).length;
      const restarts = cs.reduce((n, c) => n + (c.restartCount ?? 0), 0);
      return { ...base, status: podStatus(p), ready: `${ready}/${containers.length || cs.length}`, restarts, containers, ...twin };
    }
    case 'Deployment':
    case 'StatefulSet': {
      const w = o as Workload;
      const desired = w.spec?.replicas ?? 1;
      const ready = w.status?.readyReplicas ?? 0;
      return { ...base, status: desired === 0 ? 'Scaled down' : ready >= desired ? 'Ready' : 'Progressing', ready: `${ready}/${desired}` };
    }
    case 'DaemonSet': {
      const s = (o as DaemonSetLike).status;
      const desired = s?.desiredNumberScheduled ?? 0;
      const ready = s?.numberReady ?? 0;
      return { ...base, status: ready >= desired ? 'Ready' : 'Progressing', ready: `${ready}/${desired}` };
    }
    case 'Job': {
      const j = o as JobLike;
      const done = j.status?.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True')?.type;
      const status = done === 'Complete' ? 'Complete' : done === 'Failed' ? 'Failed' : (j.status?.active ?? 0) > 0 ? 'Running' : 'Pending';
      return { ...base, status, ready: `${j.status?.succeeded ?? 0}/${j.spec?.completions ?? 1}` };
    }
    case 'Service': {
      const s = o as Service;
      const ports = (s.spec?.ports ?? []).map((p) => ({ port: p.port, ...(p.name ? { name: p.name } : {}), ...(p.protocol ? { protocol: p.protocol } : {}) }));
      return { ...base, status: s.spec?.type ?? 'ClusterIP', ports, ...twin };
    }
    case 'ConfigMap':
      return { ...base, status: '' };
  }
}

export interface ListPage {
  readonly items: ResourceInfo[];
  /** Set when there are more items: pass it back to get the next page. */
  readonly continue?: string;
  readonly resourceVersion?: string;
}

export interface ListResourcesOptions {
  /** For a namespaced kind: this namespace; without it (or ""), all namespaces, as `kubectl get -A`. */
  readonly namespace?: string;
  readonly kind: string;
  readonly limit?: number;
  readonly continue?: string;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

/** One page of objects of a kind in a namespace of a virtual cluster (ordered by name, as the API server lists). */
export async function listResourcePage(client: KubeClient, vclusterName: string, hostNamespace: string, o: ListResourcesOptions): Promise<ListPage> {
  const def = kindDef(o.kind);
  const l = await client.get<KubeList>(def.path(o.namespace ?? ''), {
    query: { limit: o.limit ?? PAGE_SIZE, continue: o.continue },
    ...(def.metadataOnly ? { accept: METADATA_LIST } : {}),
    signal: o.signal,
    timeoutMs: o.timeoutMs,
  });
  // The server's answer is data: only objects with a name are shown, the continue token only when it is a string.
  const items = Array.isArray(l?.items) ? l.items : [];
  const meta: { continue?: unknown; resourceVersion?: unknown } = typeof l?.metadata === 'object' && l.metadata !== null ? l.metadata : {};
  return {
    items: items
      .filter((x) => typeof x === 'object' && x !== null && typeof x.metadata === 'object' && x.metadata !== null && typeof x.metadata.name === 'string')
      .map((x) =>
        describeResource(
          def.kind,
          { ...x, metadata: { ...x.metadata, namespace: typeof x.metadata.namespace === 'string' ? x.metadata.namespace : (o.namespace ?? '') } },
          vclusterName,
          hostNamespace,
        ),
      ),
    ...(typeof meta.continue === 'string' && meta.continue ? { continue: meta.continue } : {}),
    ...(typeof meta.resourceVersion === 'string' && meta.resourceVersion ? { resourceVersion: meta.resourceVersion } : {}),
  };
}

/**
 * Every object of a kind in a namespace, page by page (PAGE_SIZE per request), bounded as every paged list
 * (ListBounds: a repeated continue token, too many pages or objects end it with an error naming the server).
 */
export async function listResources(client: KubeClient, vclusterName: string, hostNamespace: string, o: ListResourcesOptions): Promise<ResourceInfo[]> {
  const out: ResourceInfo[] = [];
  const bounds = new ListBounds(client, kindDef(o.kind).path(o.namespace ?? ''));
  let cont: string | undefined;
  do {
    const page = await listResourcePage(client, vclusterName, hostNamespace, { ...o, continue: cont });
    for (const item of page.items) out.push(item);
    cont = page.continue;
    bounds.page(page.items.length, cont);
  } while (cont);
  return out;
}

/** The inside kind a name stands for when it is one by name or plural ("Pod", "pods"), without asking the server. */
export function insideKind(kind: string): KindDef | undefined {
  const k = kind.trim().toLowerCase();
  return RESOURCE_KINDS.find((x) => x.kind.toLowerCase() === k || x.plural.toLowerCase() === k);
}

/** The inside kind a discovered resource is (same group and resource), if it is one. */
export function insideKindOf(r: { readonly group: string; readonly resource: string }): KindDef | undefined {
  return RESOURCE_KINDS.find((x) => {
    const k = builtinKind(x.kind);
    return k.group === r.group && k.resource === r.resource;
  });
}

/**
 * Every object of any resource (one found through API discovery) as metadata only, page by page and bounded as
 * every paged list: no object's data is requested, whatever its kind. Namespaced resources in `namespace`, or in
 * all namespaces without one.
 */
export async function listObjectMetadata(
  client: KubeClient,
  r: ApiResource,
  o: { readonly namespace?: string; readonly signal?: AbortSignal; readonly timeoutMs?: number; readonly limit?: number },
): Promise<OtherResourceInfo[]> {
  if (!r.verbs.includes('list')) throw new UserFacingError(`${r.kind} (${groupResource(r)}) cannot be listed: its API server does not offer that.`);
  const path = resourcePath(r, { namespace: o.namespace });
  const bounds = new ListBounds(client, path);
  const out: OtherResourceInfo[] = [];
  let cont: string | undefined;
  do {
    const l = await client.get<KubeList>(path, {
      accept: METADATA_LIST,
      query: { limit: o.limit ?? PAGE_SIZE, continue: cont },
      signal: o.signal,
      timeoutMs: o.timeoutMs,
    });
    const items = Array.isArray(l?.items) ? l.items : [];
    for (const x of items) {
      const m: Partial<KubeObject['metadata']> = typeof x?.metadata === 'object' && x.metadata !== null ? x.metadata : {};
      if (typeof m.name !== 'string' || !m.name) continue;
      const ns = r.namespaced ? (typeof m.namespace === 'string' ? m.namespace : o.namespace) : undefined;
      out.push({
        kind: r.kind,
        group: r.group,
        version: r.version,
        resource: r.resource,
        ...(ns ? { namespace: ns } : {}),
        name: m.name,
        ...(typeof m.creationTimestamp === 'string' ? { created: m.creationTimestamp } : {}),
      });
    }
    const meta: { continue?: unknown } = typeof l?.metadata === 'object' && l.metadata !== null ? l.metadata : {};
    cont = typeof meta.continue === 'string' && meta.continue ? meta.continue : undefined;
    bounds.page(items.length, cont);
  } while (cont);
  return out;
}

/** The namespaces of a virtual cluster: the user's first, then the system ones (each group by name). */
export async function listVirtualNamespaces(client: KubeClient, signal?: AbortSignal): Promise<{ name: string; system: boolean; phase?: string }[]> {
  const l = await client.get<KubeList<Namespace>>('/api/v1/namespaces', { signal });
  return (Array.isArray(l?.items) ? l.items : [])
    .filter((n) => typeof n?.metadata?.name === 'string')
    .map((n) => ({
      name: n.metadata.name,
      system: SYSTEM_NAMESPACES.has(n.metadata.name),
      ...(typeof n.status?.phase === 'string' && n.status.phase ? { phase: n.status.phase } : {}),
    }))
    .sort((a, b) => Number(a.system) - Number(b.system) || a.name.localeCompare(b.name));
}

// ---- events -----------------------------------------------------------------------------------------------------

/** One event of an object (the shape the Describe view of objects shows, src/shared/objectDescribe.ts). */
export type EventInfo = ObjectEvent;

/** The events of one object, oldest first (what `kubectl describe` lists under Events). */
export async function objectEvents(client: KubeClient, kind: string, namespace: string, name: string, signal?: AbortSignal): Promise<EventInfo[]> {
  const def = kindDef(kind);
  const l = await client.get<KubeList<KubeEvent>>(`/api/v1/namespaces/${encodeURIComponent(namespace)}/events`, {
    query: { fieldSelector: `involvedObject.kind=${def.kind},involvedObject.name=${name}` },
    signal,
  });
  return l.items
    .map((e) => ({
      type: e.type ?? 'Normal',
      reason: e.reason ?? '',
      message: (e.message ?? '').trim(),
      count: e.series?.count ?? e.count ?? 1,
      ...(eventTime(e) ? { last: eventTime(e) } : {}),
      ...((e.source?.component ?? e.reportingComponent) ? { source: e.source?.component ?? e.reportingComponent } : {}),
    }))
    .sort((a, b) => Date.parse(a.last ?? '') - Date.parse(b.last ?? ''));
}

/** Events as a plain-text table (kubectl describe's columns); warnings are marked at the start of their line. */
export function formatEvents(title: string, events: readonly EventInfo[], now = Date.now()): string {
  const lines = [title, ''];
  if (!events.length) return [...lines, '<no events>', ''].join('\n');
  const rows = events.map((e) => [
    e.type === 'Warning' ? '!! Warning' : '   Normal',
    e.reason,
    `${shortAge(e.last, now)}${e.count > 1 ? ` (x${e.count})` : ''}`,
    e.source ?? '',
    e.message.replace(/\s*\n\s*/g, ' '),
  ]);
  const head = ['   Type', 'Reason', 'Age', 'From', 'Message'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [...lines, fmt(head), ...rows.map(fmt), ''].join('\n');
}

// ---- port-forward targets -----------------------------------------------------------------------------------------

export interface PortTarget {
  /** The pod the tunnel goes to. */
  readonly pod: string;
  /** The container port on that pod. */
  readonly podPort: number;
}

function isReadyPod(p: Pod): boolean {
  return p.status?.phase === 'Running' && (p.status.containerStatuses ?? []).every((c) => c.ready) && !p.metadata.deletionTimestamp;
}

/** The ports a pod declares, or a service offers (for the port quick pick). */
export async function forwardablePorts(
  client: KubeClient,
  kind: 'Pod' | 'Service',
  namespace: string,
  name: string,
): Promise<{ port: number; label: string }[]> {
  if (kind === 'Pod') {
    const p = await client.get<Pod>(`${at('Pod')(namespace)}/${encodeURIComponent(name)}`);
    return (p.spec?.containers ?? []).flatMap((c) =>
      (c.ports ?? [])
        .filter((x) => (x.protocol ?? 'TCP') === 'TCP')
        .map((x) => ({ port: x.containerPort, label: `${x.containerPort}${x.name ? ` (${x.name})` : ''} · container ${c.name}` })),
    );
  }
  const s = await client.get<Service>(`${at('Service')(namespace)}/${encodeURIComponent(name)}`);
  return (s.spec?.ports ?? [])
    .filter((x) => (x.protocol ?? 'TCP') === 'TCP')
    .map((x) => ({ port: x.port, label: `${x.port}${x.name ? ` (${x.name})` : ''} → ${x.targetPort ?? x.port}` }));
}

/**
 * Where a port-forward to a pod or service port goes, as `kubectl port-forward` decides (k8s.io/kubectl v0.34,
 * pkg/cmd/portforward and pkg/util/podutils): a pod port as given; a service port through the service's selector to a
 * running, ready pod, its targetPort resolved by number or by the name of a container port.
 */
export async function resolvePortTarget(client: KubeClient, kind: 'Pod' | 'Service', namespace: string, name: string, port: number): Promise<PortTarget> {
  if (!(Number.isInteger(port) && port > 0 && port < 65536)) throw new UserFacingError(`${port} is not a port number (1–65535).`);
  if (kind === 'Pod') {
    const p = await getOrExplain<Pod>(client, `${at('Pod')(namespace)}/${encodeURIComponent(name)}`, `Pod ${namespace}/${name}`);
    if (p.status?.phase !== 'Running')
      throw new UserFacingError(`Pod ${namespace}/${name} is not running (${podStatus(p) || 'unknown status'}): nothing can be forwarded to it yet.`);
    return { pod: name, podPort: port };
  }
  const s = await getOrExplain<Service>(client, `${at('Service')(namespace)}/${encodeURIComponent(name)}`, `Service ${namespace}/${name}`);
  const sp = (s.spec?.ports ?? []).find((x) => x.port === port);
  if (!sp)
    throw new UserFacingError(`Service ${namespace}/${name} has no port ${port} (it has ${(s.spec?.ports ?? []).map((x) => x.port).join(', ') || 'none'}).`);
  const selector = Object.entries(s.spec?.selector ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  if (!selector) throw new UserFacingError(`Service ${namespace}/${name} has no selector, so no pod stands behind it to forward to.`);
  const pods = await client.get<KubeList<Pod>>(at('Pod')(namespace), { query: { labelSelector: selector } });
  const pod = pods.items.find(isReadyPod) ?? pods.items.find((p) => p.status?.phase === 'Running');
  if (!pod) throw new UserFacingError(`No running pod is behind Service ${namespace}/${name} (selector ${selector}).`);
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return { pod: pod.metadata.name, podPort: target };
  if (/^\d+$/.test(target)) return { pod: pod.metadata.name, podPort: Number(target) };
  const named = (pod.spec?.containers ?? []).flatMap((c) => c.ports ?? []).find((x) => x.name === target);
  if (!named) throw new UserFacingError(`Pod ${namespace}/${pod.metadata.name} behind Service ${namespace}/${name} has no container port named "${target}".`);
  return { pod: pod.metadata.name, podPort: named.containerPort };
}

async function getOrExplain<T>(client: KubeClient, path: string, what: string): Promise<T> {
  try {
    return await client.get<T>(path);
  } catch (err) {
    if (err instanceof KubeError && err.kind === 'notFound') throw new UserFacingError(`${what} does not exist (any more).`);
    throw err;
  }
}
