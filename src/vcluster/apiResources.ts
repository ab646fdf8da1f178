import { type ApiResource, type ApiResourceList, discoverResources, resolveKindMatch, type KindMatch } from '../kube/apiDiscovery';
import { ListBounds, type KubeClient } from '../kube/client';
import { KubeError } from '../kube/errors';
import { CLUSTER_FOLDER_KINDS, COMMON_NAMESPACED_KINDS, builtinKind, groupResource, resourcePath, type BuiltinKind } from '../kube/kinds';
import { METADATA_LIST, type KubeList } from '../kube/types';
import { Watcher } from '../kube/watch';
import { Emitter } from '../shared/emitter';
import type { VClusterRef } from '../shared/model';
import { refKey } from '../shared/refKey';

// What each virtual cluster's API server serves, read once and kept: its resources (API discovery), and which of
// them are custom resources (the names of its CustomResourceDefinitions, which are always "plural.group"). An entry
// lives until invalidated; while a vcluster's kinds are shown (watch()), a watch on its CustomResourceDefinitions
// invalidates it on every change, and a CRD that discovery does not list yet (it is served a moment after it
// becomes Established) makes it read again shortly after, a few times. Unwatched entries are read again after
// maxAgeMs, and a kind that is not found is looked for once more in a fresh read, as kubectl's discovery cache does
// on a "no matches" (client-go v0.34 restmapper/discovery.go DeferredDiscoveryRESTMapper).

const CRDS = resourcePath(builtinKind('CustomResourceDefinition'));

/** What one vcluster serves. */
export interface VClusterApi {
  readonly list: ApiResourceList;
  /** "plural.group" of every custom resource (from the CRDs); empty when they cannot be listed. */
  readonly customResources: ReadonlySet<string>;
  /** When it was read (ms since the epoch). */
  readonly readAt: number;
}

export interface ApiResourceCacheOptions {
  /** How long an entry is kept without a watch (default 5 minutes). */
  readonly maxAgeMs?: number;
  /** How soon a read is repeated when a CRD is not served yet (default 1 s, then 2 s, …). */
  readonly retryMs?: number;
  /** How many such repeats per change (default 5). */
  readonly retries?: number;
  /** Changes closer than this fire one onDidChange (default 200 ms). */
  readonly debounceMs?: number;
  readonly now?: () => number;
  readonly log?: (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;
}

interface Entry {
  readonly ref: VClusterRef;
  generation: number;
  value?: Promise<VClusterApi>;
  retriesLeft: number;
  timer?: NodeJS.Timeout;
  watch?: { watcher: Watcher; client: KubeClient; holders: number; dispose(): void };
}

/** The names of a vcluster's CRDs (metadata only, paged and bounded) and the resource version of the list. */
async function crdNames(client: KubeClient, signal?: AbortSignal): Promise<{ names: Set<string>; resourceVersion?: string } | undefined> {
  const names = new Set<string>();
  const bounds = new ListBounds(client, CRDS);
  let cont: string | undefined;
  let resourceVersion: string | undefined;
  try {
    do {
      const l = await client.get<KubeList>(CRDS, { accept: METADATA_LIST, query: { limit: 500, continue: cont }, signal });
      const items = Array.isArray(l?.items) ? l.items : [];
      for (const i of items) if (typeof i?.metadata?.name === 'string') names.add(i.metadata.name);
      resourceVersion ??= typeof l?.metadata?.resourceVersion === 'string' ? l.metadata.resourceVersion : undefined;
      cont = typeof l?.metadata?.continue === 'string' && l.metadata.continue ? l.metadata.continue : undefined;
      bounds.page(items.length, cont);
    } while (cont);
  } catch (err) {
    // A user who may not list CRDs still sees everything else; custom resources are then not told apart.
    if (err instanceof KubeError && (err.kind === 'forbidden' || err.kind === 'notFound')) return undefined;
    throw err;
  }
  return { names, ...(resourceVersion ? { resourceVersion } : {}) };
}

export class ApiResourceCache {
  private readonly entries = new Map<string, Entry>();
  private readonly changes = new Emitter<VClusterRef>();
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private disposed = false;
  /** Told (debounced) when what a vcluster serves may have changed: read it again with get(). */
  readonly onDidChange = this.changes.event;

  constructor(
    private readonly clientOf: (ref: VClusterRef) => Promise<KubeClient>,
    private readonly opts: ApiResourceCacheOptions = {},
  ) {}

  private entry(ref: VClusterRef): Entry {
    const key = refKey(ref);
    let e = this.entries.get(key);
    if (!e) this.entries.set(key, (e = { ref, generation: 0, retriesLeft: this.opts.retries ?? 5 }));
    return e;
  }

  /** What the vcluster serves: cached, or read now (concurrent callers share one read; a failed read is not kept). */
  async get(ref: VClusterRef, signal?: AbortSignal): Promise<VClusterApi> {
    const e = this.entry(ref);
    const now = this.opts.now ?? Date.now;
    if (e.value && !e.watch) {
      const v = await e.value.catch(() => undefined);
      if (v && now() - v.readAt > (this.opts.maxAgeMs ?? 300_000)) this.drop(e);
    }
    if (!e.value) {
      const generation = e.generation;
      const p = this.read(e, signal);
      e.value = p;
      p.catch(() => {
        if (e.value === p) e.value = undefined;
      });
      void p.then(
        (v) => this.checkServed(e, generation, v),
        () => undefined,
      );
    }
    return e.value;
  }

  private async read(e: Entry, signal?: AbortSignal): Promise<VClusterApi> {
    const client = await this.clientOf(e.ref);
    // The CRDs first: a watch from their resource version misses no change made while discovery is read.
    const crds = await crdNames(client, signal);
    const list = await discoverResources(client, signal);
    return { list, customResources: crds?.names ?? new Set(), readAt: (this.opts.now ?? Date.now)() };
  }

  /** A CRD that discovery does not list yet: read again soon (a few times), and tell the listeners. */
  private checkServed(e: Entry, generation: number, v: VClusterApi): void {
    if (this.disposed || e.generation !== generation) return;
    const served = new Set(v.list.resources.map(groupResource));
    const missing = [...v.customResources].filter((n) => !served.has(n));
    if (!missing.length) {
      e.retriesLeft = this.opts.retries ?? 5;
      return;
    }
    if (e.retriesLeft <= 0 || e.timer) return;
    const attempt = (this.opts.retries ?? 5) - e.retriesLeft + 1;
    e.retriesLeft--;
    this.opts.log?.('debug', `vcluster ${e.ref.name}: ${missing.length} custom resource(s) not served yet; reading its API again`);
    e.timer = setTimeout(
      () => {
        e.timer = undefined;
        this.changed(e, false);
      },
      (this.opts.retryMs ?? 1000) * attempt,
    );
    e.timer.unref?.();
  }

  private drop(e: Entry): void {
    e.generation++;
    e.value = undefined;
  }

  /** A change: drop the entry and tell the listeners (debounced). `fresh`: a real change, which earns new retries. */
  private changed(e: Entry, fresh: boolean): void {
    if (this.disposed) return;
    this.drop(e);
    if (fresh) e.retriesLeft = this.opts.retries ?? 5;
    const key = refKey(e.ref);
    if (this.pending.has(key)) return;
    const t = setTimeout(() => {
      this.pending.delete(key);
      if (!this.disposed) this.changes.fire(e.ref);
    }, this.opts.debounceMs ?? 200);
    t.unref?.();
    this.pending.set(key, t);
  }

  /** Forgets what a vcluster serves (and what the vclusters inside it serve): the next get() reads it again. */
  invalidate(ref: VClusterRef): void {
    const key = refKey(ref);
    for (const [k, e] of this.entries) if (k === key || k.startsWith(`${key}|`)) this.drop(e);
  }

  /**
   * The resource a kind names (resolveKindMatch: Kind, resource, short name, resource.group), custom resources
   * included; a kind not found is looked for once more in a fresh read (a CRD added since).
   */
  async resolve(ref: VClusterRef, kind: string, signal?: AbortSignal): Promise<KindMatch> {
    const api = await this.get(ref, signal);
    try {
      return resolveKindMatch(api.list, kind);
    } catch (err) {
      const e = this.entry(ref);
      if ((this.opts.now ?? Date.now)() - api.readAt < 1000 && e.value) throw err;
      this.drop(e);
      return resolveKindMatch((await this.get(ref, signal)).list, kind);
    }
  }

  /**
   * Keeps the vcluster's entry current while held: a watch on its CRDs drops it on every change (and the listeners
   * hear of it). Holders share one watch; it stops when the last one disposes.
   */
  async watch(ref: VClusterRef): Promise<{ dispose(): void }> {
    const e = this.entry(ref);
    const client = await this.clientOf(ref);
    if (e.watch && e.watch.client !== client) {
      e.watch.dispose();
      e.watch = undefined;
    }
    if (!e.watch) {
      // The list's resource version, so that the watch starts where this read stands.
      const crds = await crdNames(client);
      this.drop(e);
      const watcher = new Watcher(client, CRDS, {
        ...(crds?.resourceVersion ? { resourceVersion: crds.resourceVersion } : {}),
        onEvent: () => this.changed(e, true),
        onResync: () => this.changed(e, true),
        ...(this.opts.log ? { log: this.opts.log } : {}),
      });
      const w = {
        watcher,
        client,
        holders: 0,
        dispose: () => {
          watcher.dispose();
          if (e.watch === w) e.watch = undefined;
        },
      };
      e.watch = w;
    }
    const w = e.watch;
    w.holders++;
    let done = false;
    return {
      dispose: () => {
        if (done) return;
        done = true;
        if (--w.holders <= 0) w.dispose();
      },
    };
  }

  /** Forgets a vcluster altogether (deleted, disconnected): its entry and its watch. */
  forget(ref: VClusterRef): void {
    const key = refKey(ref);
    const e = this.entries.get(key);
    if (!e) return;
    clearTimeout(e.timer);
    e.watch?.dispose();
    this.entries.delete(key);
  }

  dispose(): void {
    this.disposed = true;
    for (const e of this.entries.values()) {
      clearTimeout(e.timer);
      e.watch?.dispose();
    }
    for (const t of this.pending.values()) clearTimeout(t);
    this.entries.clear();
    this.pending.clear();
    this.changes.dispose();
  }
}

// ---- the kinds as the tree shows them -----------------------------------------------------------------------------------

/** The kinds of a vcluster in the tree's folders. */
export interface KindFolders {
  /** Under a namespace: the common kinds it serves, in COMMON_NAMESPACED_KINDS order. */
  readonly common: readonly ApiResource[];
  /** Under a namespace, "More kinds": every other namespaced kind that can be listed, by kind then group. */
  readonly more: readonly ApiResource[];
  /** The "Cluster" folder: the CLUSTER_FOLDER_KINDS it serves, in that order. */
  readonly cluster: readonly ApiResource[];
  /** "Custom Resources": the custom resources that can be listed, by API group (groups and kinds sorted). */
  readonly custom: readonly { readonly group: string; readonly resources: readonly ApiResource[] }[];
}

const listable = (r: ApiResource) => r.verbs.includes('list');
const byKind = (a: ApiResource, b: ApiResource) => a.kind.localeCompare(b.kind) || a.group.localeCompare(b.group);

/**
 * Sorts what a vcluster serves into the tree's folders. A built-in kind counts as present when discovery lists its
 * group and resource (in whatever version). `customResources`: "plural.group" names of the CRDs (VClusterApi).
 */
export function kindFolders(resources: readonly ApiResource[], customResources: ReadonlySet<string> = new Set()): KindFolders {
  const byName = new Map(resources.filter(listable).map((r) => [groupResource(r), r]));
  const pick = (kinds: readonly BuiltinKind[]) => kinds.map((k) => byName.get(groupResource(builtinKind(k)))).filter((r) => r !== undefined);
  const common = pick(COMMON_NAMESPACED_KINDS);
  const cluster = pick(CLUSTER_FOLDER_KINDS);
  const shown = new Set([...common, ...cluster]);
  const more = [...byName.values()].filter((r) => r.namespaced && !shown.has(r)).sort(byKind);
  const groups = new Map<string, ApiResource[]>();
  for (const r of byName.values()) {
    if (!customResources.has(groupResource(r))) continue;
    let g = groups.get(r.group);
    if (!g) groups.set(r.group, (g = []));
    g.push(r);
  }
  const custom = [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([group, rs]) => ({ group, resources: rs.sort(byKind) }));
  return { common, more, cluster, custom };
}
