import { ListBounds, type KubeClient, type RequestOptions } from '../kube/client';
import { KubeError, isKubeError, qualifiedResource } from '../kube/errors';
import { METADATA_LIST, type KubeList, type Pod, type Workload, type KubeObject } from '../kube/types';
import type { DiscoveryResult, NamespaceInfo, ParentRef, PermissionDenial, RefusedNamespace, VClusterInfo } from '../shared/model';
import { NON_DELETABLE_ANNOTATION, annotation, distroOf, isPaused, label, phaseOf, stringEntries, syncerVersion, vclusterStatus } from './status';
import { vclusterContextName } from './contextName';
import { isRecord as isObject } from '../shared/guards';

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
  /** Namespaces to search besides the context's when cluster-wide lists are forbidden (a tenant's namespaces). */
  readonly searchNamespaces?: readonly string[];
}

/**
 * Finds every vcluster in one cluster the way `vcluster list` does (StatefulSets and Deployments labelled
 * app=vcluster with a release label), with the CLI's status, in four cluster-wide list calls made in parallel:
 * StatefulSets, Deployments, control-plane pods and the metadata of vcluster secrets (for workload sleep). When
 * RBAC forbids the cluster-wide lists it searches single namespaces instead: the context's namespace (or "default",
 * like the CLI) and the namespaces set to search for the context (DiscoverOptions.searchNamespaces).
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
 * Discovery could read nothing: the cluster-wide lists and those of every namespace it searched were refused. Says
 * which request was refused for which user, so that the tree can offer the way out (namespaces to search).
 */
export class DiscoveryForbiddenError extends KubeError {
  constructor(
    readonly searched: readonly string[],
    readonly clusterWide: PermissionDenial | undefined,
    readonly refused: readonly RefusedNamespace[],
  ) {
    const d = clusterWide ?? refused.find((r) => r.denial)?.denial;
    const where = searched.length === 1 ? `namespace "${searched[0]}"` : `namespaces ${searched.map((n) => `"${n}"`).join(', ')}`;
    super(
      'forbidden',
      `Listing vclusters is forbidden cluster-wide and in ${where}${d ? ` for user "${d.user}" (refused: ${d.verb} ${qualifiedResource(d.resource, d.group)})` : ''}`,
      403,
      'Forbidden',
      d,
    );
    this.name = 'DiscoveryForbiddenError';
  }
}

/** The namespaces searched when cluster-wide lists are forbidden: the context's (or "default"), then the extra ones. */
export function namespacesToSearch(contextNamespace: string | undefined, extra: readonly string[] = []): { namespaces: string[]; implicit?: string } {
  const first = contextNamespace || 'default';
  return { namespaces: [...new Set([first, ...extra])], ...(contextNamespace || extra.includes(first) ? {} : { implicit: first }) };
}

/**
 * discover(), plus the collections it could list (cluster-wide, or each namespace it searched): exactly what a watch
 * may follow with the same permissions.
 */
export async function discoverForWatch(client: KubeClient, opts: DiscoverOptions): Promise<{ result: DiscoveryResult; lists: ListedCollection[] }> {
  const before = client.requests;
  const req = { signal: opts.signal, timeoutMs: opts.timeoutMs };
  const list = <T extends KubeObject>(p: string, accept?: string) =>
    listAll<T>(client, p, { ...req, accept, query: { labelSelector: VCLUSTER_SELECTOR } }, opts.pageLimit ?? DISCOVERY_PAGE_LIMIT);
  const soft = <T>(p: Promise<T>) =>
    p.catch((e: unknown) => {
      if (isKubeError(e) && (e.kind === 'forbidden' || e.kind === 'notFound')) return e;
      throw e;
    });
  /** The four lists of one scope (cluster-wide, or one namespace), or the refusal of a workload list. */
  const listScope = async (base: (kind: string) => string): Promise<ScopeLists> => {
    const settled = await Promise.allSettled([
      list<Workload>(base('statefulsets')),
      list<Workload>(base('deployments')),
      soft(list<Pod>(base('pods'))),
      soft(list<KubeObject>(base('secrets'), METADATA_LIST)),
    ]);
    const failed = settled.slice(0, 2).find((r) => r.status === 'rejected');
    const other = settled.find((r) => r.status === 'rejected' && !isKubeError(r.reason, 'forbidden'));
    if (other && other.status === 'rejected') throw other.reason;
    if (failed && failed.status === 'rejected') return { ok: false, refused: failed.reason as KubeError };
    const [sts, deps, pods, secrets] = settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [
      KubeList<Workload>,
      KubeList<Workload>,
      KubeList<Pod> | KubeError,
      KubeList<KubeObject> | KubeError,
    ];
    const lists: ListedCollection[] = [
      { path: base('statefulsets'), resourceVersion: sts.metadata.resourceVersion },
      { path: base('deployments'), resourceVersion: deps.metadata.resourceVersion },
      ...(pods instanceof KubeError ? [] : [{ path: base('pods'), resourceVersion: pods.metadata.resourceVersion }]),
    ];
    return {
      ok: true,
      sts: sts.items,
      deps: deps.items,
      pods: pods instanceof KubeError ? undefined : pods.items,
      secrets: secrets instanceof KubeError ? undefined : secrets.items,
      lists,
    };
  };

  const all = await listScope(clusterWidePath);
  if (all.ok) {
    const vclusters = buildVClusters(all.sts, all.deps, all.pods, all.secrets, opts);
    return { result: { namespaces: groupByNamespace(vclusters), restricted: false, requests: client.requests - before }, lists: all.lists };
  }

  // Forbidden cluster-wide: search single namespaces, each on its own (one refused namespace does not hide the others).
  const clusterWideDenial = all.refused.denial;
  const { namespaces: searched, implicit } = namespacesToSearch(client.namespace, opts.searchNamespaces);
  const scopes = await Promise.all(searched.map(async (ns) => ({ ns, r: await listScope((kind) => namespacedPath(ns, kind)) })));
  const readable = scopes.filter((s) => s.r.ok);
  const refused: RefusedNamespace[] = [];
  for (const s of scopes) {
    if (s.r.ok) continue;
    // The CLI's fallback to "default" is not the user's wish: its refusal is news only when nothing could be read.
    if (s.ns === implicit && readable.length > 0) continue;
    refused.push({ namespace: s.ns, message: s.r.refused.message, ...(s.r.refused.denial ? { denial: s.r.refused.denial } : {}) });
  }
  if (readable.length === 0) throw new DiscoveryForbiddenError(searched, clusterWideDenial, refused);
  const vclusters: VClusterInfo[] = [];
  const lists: ListedCollection[] = [];
  for (const { r } of readable) {
    if (!r.ok) continue;
    vclusters.push(...buildVClusters(r.sts, r.deps, r.pods, r.secrets, opts));
    lists.push(...r.lists);
  }
  return {
    result: {
      namespaces: groupByNamespace(vclusters),
      restricted: true,
      searchedNamespaces: readable.map((s) => s.ns),
      ...(refused.length ? { refusedNamespaces: refused } : {}),
      ...(clusterWideDenial ? { clusterWideDenial } : {}),
      requests: client.requests - before,
    },
    lists,
  };
}

type ScopeLists =
  { ok: true; sts: Workload[]; deps: Workload[]; pods?: Pod[]; secrets?: KubeObject[]; lists: ListedCollection[] } | { ok: false; refused: KubeError };

function clusterWidePath(kind: string): string {
  return kind === 'pods' || kind === 'secrets' ? `/api/v1/${kind}` : `/apis/apps/v1/${kind}`;
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
  const soft = <T>(p: Promise<T>) =>
    p.catch((e: unknown) => {
      if (isKubeError(e) && (e.kind === 'forbidden' || e.kind === 'notFound')) return undefined;
      throw e;
    });
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
 * The list is bounded (ListBounds): a repeated continue token, too many pages or objects end it with an error naming
 * the server. Only objects (no null, no scalars) are kept, and the list's metadata only when it is an object.
 */
export async function listAll<T extends KubeObject>(client: KubeClient, path: string, options: RequestOptions, limit: number): Promise<KubeList<T>> {
  for (let attempt = 0; ; attempt++) {
    let first: KubeList<T> | undefined;
    const items: T[] = [];
    let token: string | undefined;
    const bounds = new ListBounds(client, path);
    try {
      do {
        const page: KubeList<T> = await client.get<KubeList<T>>(path, {
          ...options,
          query: { ...options.query, ...(limit > 0 ? { limit } : {}), continue: token },
        });
        if (!isObject(page)) throw new KubeError('server', `${client.server} answered the list ${path} with something that is not a list`);
        first ??= page;
        const pageItems = Array.isArray(page.items) ? page.items : [];
        for (const item of pageItems) if (isObject(item) && isObject(item.metadata)) items.push(item);
        const next = isObject(page.metadata) ? page.metadata.continue : undefined;
        token = limit > 0 && typeof next === 'string' && next ? next : undefined;
        bounds.page(pageItems.length, token);
      } while (token);
    } catch (err) {
      if (attempt === 0 && first && isKubeError(err, 'gone')) continue;
      throw err;
    }
    const meta = isObject(first.metadata) ? first.metadata : {};
    const rv = typeof meta.resourceVersion === 'string' ? meta.resourceVersion : undefined;
    return { ...first, items, metadata: { ...(rv ? { resourceVersion: rv } : {}), continue: undefined } };
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
    const rel = label(p, 'release');
    if (!rel) continue;
    const key = `${p.metadata.namespace}/${rel}`;
    let arr = podsBy.get(key);
    if (!arr) podsBy.set(key, (arr = []));
    arr.push(p);
  }
  for (const arr of podsBy.values()) arr.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  const configAnnotations = new Map<string, Record<string, string>>();
  for (const s of secrets ?? []) {
    if (typeof s.metadata.name === 'string' && s.metadata.name.startsWith('vc-config-'))
      configAnnotations.set(`${s.metadata.namespace}/${s.metadata.name}`, stringEntries(s.metadata.annotations));
  }

  const out: VClusterInfo[] = [];
  const add = (w: Workload, kind: 'StatefulSet' | 'Deployment') => {
    const name = label(w, 'release');
    if (!name) return;
    const ns = typeof w.metadata.namespace === 'string' ? w.metadata.namespace : '';
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
      chart: label(w, 'chart'),
      replicas: w.spec?.replicas ?? 1,
      paused: isPaused(w),
      connectedContext: connected,
      current: connected !== undefined && opts.currentContext === connected,
      nonDeletable: annotation(w, NON_DELETABLE_ANNOTATION) === 'true',
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
