import type { KubeClient, RequestOptions } from '../kube/client';
import { KubeError, isKubeError } from '../kube/errors';
import { METADATA_LIST, type KubeList, type Pod, type Workload, type KubeObject } from '../kube/types';
import type { DiscoveryResult, NamespaceInfo, ParentRef, VClusterInfo } from '../shared/model';
import { NON_DELETABLE_ANNOTATION, distroOf, isPaused, phaseOf, syncerVersion, vclusterStatus } from './status';
import { vclusterContextName } from './translate';

export const VCLUSTER_SELECTOR = 'app=vcluster';

/**
 * Objects per list request. kubectl's default chunk size: lists up to this size take one request each (discovery's
 * four calls), larger ones are read in pages with `limit`/`continue`, so neither the API server nor the extension
 * holds one huge response at once. The benchmark measures this against one unpaged request (`npm run bench`).
 */
export const DISCOVERY_PAGE_LIMIT = 500;

export interface DiscoverOptions {
  /** Host kubeconfig context at the root of this discovery. */
  readonly rootContext: string;
  /** Enclosing vclusters (outermost first) when discovering inside a virtual cluster. */
  readonly parents?: readonly ParentRef[];
  /**
   * Name of the context these vclusters are found in, as the vcluster CLI would name it: the host context, or for a
   * virtual cluster `vcluster_<name>_<ns>_<parent context>`. Used to recognise connected contexts.
   */
  readonly foundInContext: string;
  /** Context names present in the kubeconfig. */
  readonly kubeconfigContexts?: ReadonlySet<string>;
  readonly currentContext?: string;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  /** Objects per list request (default DISCOVERY_PAGE_LIMIT; 0 lists everything in one request). */
  readonly pageLimit?: number;
}

/**
 * Finds every vcluster in one cluster the way `vcluster list` does (StatefulSets and Deployments labelled
 * app=vcluster with a release label), with the CLI's status, in four cluster-wide list calls made in parallel:
 * StatefulSets, Deployments, control-plane pods and the metadata of vcluster secrets (for workload sleep). When
 * RBAC forbids the cluster-wide lists it falls back to the context's namespace (or "default"), like the CLI.
 */
export async function discover(client: KubeClient, opts: DiscoverOptions): Promise<DiscoveryResult> {
  return (await discoverForWatch(client, opts)).result;
}

/** A list discovery made, to be watched from its resource version (so no event between list and watch is lost). */
export interface ListedCollection {
  readonly path: string;
  readonly resourceVersion?: string;
}

/**
 * discover(), plus the collections it could list (cluster-wide, or the namespace it fell back to): exactly what a
 * watch may follow with the same permissions.
 */
export async function discoverForWatch(client: KubeClient, opts: DiscoverOptions): Promise<{ result: DiscoveryResult; lists: ListedCollection[] }> {
  const before = client.requests;
  const req = { signal: opts.signal, timeoutMs: opts.timeoutMs };
  const list = <T extends KubeObject>(p: string, accept?: string) =>
    listAll<T>(client, p, { ...req, accept, query: { labelSelector: VCLUSTER_SELECTOR } }, opts.pageLimit ?? DISCOVERY_PAGE_LIMIT);

  let restricted = false;
  let searched: string[] | undefined;
  let paths = ['/apis/apps/v1/statefulsets', '/apis/apps/v1/deployments', '/api/v1/pods'];
  let sts: KubeList<Workload>;
  let deps: KubeList<Workload>;
  let pods: KubeList<Pod> | KubeError;
  let secrets: KubeList<KubeObject> | KubeError;
  const soft = <T>(p: Promise<T>) => p.catch((e: unknown) => { if (isKubeError(e) && (e.kind === 'forbidden' || e.kind === 'notFound')) return e; throw e; });

  const all = await Promise.allSettled([
    list<Workload>('/apis/apps/v1/statefulsets'),
    list<Workload>('/apis/apps/v1/deployments'),
    soft(list<Pod>('/api/v1/pods')),
    soft(list<KubeObject>('/api/v1/secrets', METADATA_LIST)),
  ]);
  const forbidden = all.slice(0, 2).some((r) => r.status === 'rejected' && isKubeError(r.reason, 'forbidden'));
  const otherFailure = all.find((r) => r.status === 'rejected' && !isKubeError(r.reason, 'forbidden'));
  if (otherFailure && otherFailure.status === 'rejected') throw otherFailure.reason;
  if (forbidden) {
    // Like the CLI: retry in the kubeconfig's namespace, or default.
    restricted = true;
    const ns = client.namespace || 'default';
    searched = [ns];
    const base = (kind: string) => namespacedPath(ns, kind);
    paths = [base('statefulsets'), base('deployments'), base('pods')];
    const nsAll = await Promise.allSettled([
      list<Workload>(base('statefulsets')),
      list<Workload>(base('deployments')),
      soft(list<Pod>(base('pods'))),
      soft(list<KubeObject>(base('secrets'), METADATA_LIST)),
    ]);
    const failed = nsAll.slice(0, 2).find((r) => r.status === 'rejected');
    if (failed && failed.status === 'rejected') {
      if (isKubeError(failed.reason, 'forbidden')) {
        throw new KubeError('forbidden', `Listing vclusters is forbidden cluster-wide and in namespace "${ns}"`, 403);
      }
      throw failed.reason;
    }
    [sts, deps, pods, secrets] = nsAll.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [KubeList<Workload>, KubeList<Workload>, KubeList<Pod> | KubeError, KubeList<KubeObject> | KubeError];
  } else {
    [sts, deps, pods, secrets] = all.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [KubeList<Workload>, KubeList<Workload>, KubeList<Pod> | KubeError, KubeList<KubeObject> | KubeError];
  }

  const vclusters = buildVClusters(sts.items, deps.items, pods instanceof KubeError ? undefined : pods.items, secrets instanceof KubeError ? undefined : secrets.items, opts);
  const lists: ListedCollection[] = [
    { path: paths[0]!, resourceVersion: sts.metadata.resourceVersion },
    { path: paths[1]!, resourceVersion: deps.metadata.resourceVersion },
    ...(pods instanceof KubeError ? [] : [{ path: paths[2]!, resourceVersion: pods.metadata.resourceVersion }]),
  ];
  return { result: { namespaces: groupByNamespace(vclusters), restricted, searchedNamespaces: searched, requests: client.requests - before }, lists };
}

function namespacedPath(namespace: string, kind: string): string {
  return kind === 'pods' || kind === 'secrets' ? `/api/v1/namespaces/${namespace}/${kind}` : `/apis/apps/v1/namespaces/${namespace}/${kind}`;
}

/**
 * Discovery of one namespace, after a watch reported a change there: the same four lists, in that namespace only (a
 * change costs the same few small requests however big the cluster is). Undefined when no vcluster is left there.
 */
export async function discoverNamespace(client: KubeClient, namespace: string, opts: DiscoverOptions): Promise<NamespaceInfo | undefined> {
  const req = { signal: opts.signal, timeoutMs: opts.timeoutMs, query: { labelSelector: VCLUSTER_SELECTOR } };
  const limit = opts.pageLimit ?? DISCOVERY_PAGE_LIMIT;
  const soft = <T>(p: Promise<T>) => p.catch((e: unknown) => { if (isKubeError(e) && (e.kind === 'forbidden' || e.kind === 'notFound')) return undefined; throw e; });
  const [sts, deps, pods, secrets] = await Promise.all([
    listAll<Workload>(client, namespacedPath(namespace, 'statefulsets'), req, limit),
    listAll<Workload>(client, namespacedPath(namespace, 'deployments'), req, limit),
    soft(listAll<Pod>(client, namespacedPath(namespace, 'pods'), req, limit)),
    soft(listAll<KubeObject>(client, namespacedPath(namespace, 'secrets'), { ...req, accept: METADATA_LIST }, limit)),
  ]);
  return groupByNamespace(buildVClusters(sts.items, deps.items, pods?.items, secrets?.items, opts))[0];
}

/**
 * A whole list, read in pages of `limit` objects (0: one request). Every page is part of the snapshot of the first
 * one, so the list's resourceVersion is the first page's; a continue token that expired (410) restarts the list once.
 */
export async function listAll<T extends KubeObject>(client: KubeClient, path: string, options: RequestOptions, limit: number): Promise<KubeList<T>> {
  for (let attempt = 0; ; attempt++) {
    let first: KubeList<T> | undefined;
    const items: T[] = [];
    let token: string | undefined;
    try {
      do {
        const page: KubeList<T> = await client.get<KubeList<T>>(path, { ...options, query: { ...options.query, ...(limit > 0 ? { limit } : {}), continue: token } });
        first ??= page;
        for (const item of page.items ?? []) items.push(item);
        token = limit > 0 ? page.metadata?.continue || undefined : undefined;
      } while (token);
    } catch (err) {
      if (attempt === 0 && first && isKubeError(err, 'gone')) continue;
      throw err;
    }
    return { ...first, items, metadata: { ...first.metadata, continue: undefined } };
  }
}

/** Pure part of discovery, also used with recorded API objects in unit tests and by the benchmark. */
export function buildVClusters(
  statefulSets: readonly Workload[],
  deployments: readonly Workload[],
  pods: readonly Pod[] | undefined,
  secrets: readonly KubeObject[] | undefined,
  opts: Pick<DiscoverOptions, 'rootContext' | 'parents' | 'foundInContext' | 'kubeconfigContexts' | 'currentContext'>,
): VClusterInfo[] {
  const podsBy = new Map<string, Pod[]>();
  for (const p of pods ?? []) {
    const rel = p.metadata.labels?.release;
    if (!rel) continue;
    const key = `${p.metadata.namespace}/${rel}`;
    let arr = podsBy.get(key);
    if (!arr) podsBy.set(key, (arr = []));
    arr.push(p);
  }
  for (const arr of podsBy.values()) arr.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  const configAnnotations = new Map<string, Record<string, string>>();
  for (const s of secrets ?? []) {
    if (s.metadata.name.startsWith('vc-config-')) configAnnotations.set(`${s.metadata.namespace}/${s.metadata.name}`, s.metadata.annotations ?? {});
  }

  const out: VClusterInfo[] = [];
  const add = (w: Workload, kind: 'StatefulSet' | 'Deployment') => {
    const name = w.metadata.labels?.release;
    if (!name) return;
    const ns = w.metadata.namespace ?? '';
    const status = vclusterStatus(w, podsBy.get(`${ns}/${name}`) ?? [], configAnnotations.get(`${ns}/vc-config-${name}`));
    const ctxName = vclusterContextName(name, ns, opts.foundInContext);
    const connected = opts.kubeconfigContexts?.has(ctxName) ? ctxName : undefined;
    out.push({
      ref: { context: opts.rootContext, namespace: ns, name, ...(opts.parents?.length ? { parents: [...opts.parents] } : {}) },
      kind,
      status,
      phase: phaseOf(status),
      version: syncerVersion(w),
      distro: distroOf(w),
      created: w.metadata.creationTimestamp,
      chart: w.metadata.labels?.chart,
      replicas: w.spec?.replicas ?? 1,
      paused: isPaused(w),
      connectedContext: connected,
      current: connected !== undefined && opts.currentContext === connected,
      nonDeletable: w.metadata.annotations?.[NON_DELETABLE_ANNOTATION] === 'true',
    });
  };
  for (const w of statefulSets) add(w, 'StatefulSet');
  for (const w of deployments) add(w, 'Deployment');
  return out;
}

export function groupByNamespace(vclusters: readonly VClusterInfo[]): NamespaceInfo[] {
  const by = new Map<string, VClusterInfo[]>();
  for (const v of vclusters) {
    let arr = by.get(v.ref.namespace);
    if (!arr) by.set(v.ref.namespace, (arr = []));
    arr.push(v);
  }
  return [...by.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, vcs]) => ({ name, vclusters: vcs.sort((a, b) => a.ref.name.localeCompare(b.ref.name)) }));
}
