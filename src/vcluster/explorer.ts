// The model behind the tree and the public API, free of vscode: kubeconfig contexts, per-context discovery with a
// cache, watches on what has been looked at (a burst of changes coalesced into one rediscovery), nested discovery
// through the virtual API servers, and the user's permissions per namespace. A scope is dropped with everything below
// it: its cache, its watches, its permission answers and the virtual clients inside it. The tree renders the model and
// refreshes the subtree named in each change event. The parts: discovery.ts (what discovery lists), clientPool.ts (one
// client per context), reach.ts (virtual clients and the holds on them), access.ts and permissions.ts.
import type { KubeClient } from '../kube/client';
import { KubeError } from '../kube/errors';
import type { KubeconfigState, KubeconfigSnapshot } from './kubeconfigState';
import { METADATA_LIST, type KubeList, type Namespace, type WatchEvent } from '../kube/types';
import { Watcher } from '../kube/watch';
import type { ContextInfo, DiscoveryResult, NamespaceInfo, ParentRef, PermissionSummary, VClusterRef } from '../shared/model';
import { errorMessage } from '../shared/errors';
import type { TunnelProvider } from './access';
import { ClientPool } from './clientPool';
import { type DiscoverOptions, type ListedCollection, VCLUSTER_SELECTOR, discoverForWatch, discoverNamespace } from './discovery';
import { AccessReview, type WorkloadKind } from './permissions';
import { Reach } from './reach';
import { Emitter } from '../shared/emitter';
import { contextKey, refKey } from '../shared/refKey';
import { contextNameFor } from './refs';

/** How long a namespace's permission summary is reused before the API is asked again. */
const PERMISSIONS_TTL_MS = 5 * 60_000;

export type { KubeconfigSnapshot } from './kubeconfigState';

export type ChangeEvent =
  { readonly scope: 'kubeconfig' } | { readonly scope: 'context'; readonly context: string } | { readonly scope: 'vcluster'; readonly ref: VClusterRef };

export interface ExplorerOptions {
  readonly kubeconfig: KubeconfigState;
  readonly timeoutMs?: () => number;
  readonly nestedMaxDepth?: () => number;
  readonly watch?: () => boolean;
  readonly debounceMs?: () => number;
  readonly tunnels?: TunnelProvider;
  /** Namespaces to search in a context besides its own when cluster-wide lists are forbidden (kept by the caller). */
  readonly searchNamespaces?: (context: string) => readonly string[];
  readonly log?: (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;
}

type Cached = { ok: true; result: DiscoveryResult; at: number } | { ok: false; error: Error; at: number };

interface Scope {
  readonly key: string;
  readonly event: ChangeEvent;
  cached?: Cached;
  inflight?: Promise<DiscoveryResult>;
  watchers: Watcher[];
  /** Set while changes are coalesced (during a refresh and debounceMs after it). */
  debounce?: NodeJS.Timeout;
  refreshing?: boolean;
  /** Changes that arrived while coalescing: the namespaces they were in, or everything (a resync). */
  pendingNamespaces: Set<string>;
  pendingAll: boolean;
  /** What the last discovery used, for refreshing one namespace after a change there. */
  client?: KubeClient;
  discoverOptions?: DiscoverOptions;
  watchError?: KubeError;
}

export class ExplorerModel {
  private readonly changes = new Emitter<ChangeEvent>((err) => this.opts.log?.('error', `change listener failed: ${errorMessage(err)}`));
  /** Told when something shown may have changed: the kubeconfig, a context's vclusters, a vcluster's nested ones. */
  readonly onDidChange = this.changes.event;
  private readonly pool: ClientPool;
  private readonly virtual: Reach;
  private scopes = new Map<string, Scope>();
  /** Per host context: the API's answers about the user's permissions (dropped with the context's scope). */
  private reviews = new Map<
    string,
    { review: AccessReview; summaries: Map<string, { at: number; summary?: PermissionSummary; pending?: Promise<PermissionSummary> }> }
  >();
  private kubeconfigSub: { dispose(): void };
  private contentSub: { dispose(): void };
  private disposed = false;

  constructor(private readonly opts: ExplorerOptions) {
    this.pool = new ClientPool({
      snapshot: () => this.snap,
      timeoutMs: () => this.timeoutMs,
      dropped: (context) => this.dropScope(contextKey(context)),
      log: opts.log,
    });
    this.virtual = new Reach({
      contextClient: (context) => this.client(context),
      ready: () => this.kubeconfig(),
      dropScope: (key) => this.dropScope(key, false),
      changed: (ref) => this.fire({ scope: 'vcluster', ref }),
      tunnels: opts.tunnels,
      timeoutMs: () => this.timeoutMs,
      log: opts.log,
    });
    this.kubeconfigSub = opts.kubeconfig.onDidChange(() => {
      this.pool.prune();
      this.fire({ scope: 'kubeconfig' });
    });
    // Credentials can change without anything visible changing (a rotated token): clients take them in place.
    this.contentSub = opts.kubeconfig.onDidChangeContent(() => this.pool.prune());
  }

  private get snap(): KubeconfigSnapshot | undefined {
    return this.opts.kubeconfig.snapshot();
  }

  private fire(e: ChangeEvent): void {
    this.changes.fire(e);
  }

  private get timeoutMs(): number {
    return this.opts.timeoutMs?.() ?? 15_000;
  }

  // ---- kubeconfig ----------------------------------------------------------------------------------------

  snapshot(): KubeconfigSnapshot | undefined {
    return this.opts.kubeconfig.snapshot();
  }

  /** Re-reads the kubeconfig files (a 'kubeconfig' change is fired when anything visible changed). */
  reloadKubeconfig(): Promise<KubeconfigSnapshot> {
    return this.opts.kubeconfig.reload();
  }

  /** The kubeconfig as last read; it is read first when nothing has read it yet. */
  kubeconfig(): Promise<KubeconfigSnapshot> {
    return this.opts.kubeconfig.loaded();
  }

  async contexts(): Promise<readonly ContextInfo[]> {
    return (await this.kubeconfig()).contexts;
  }

  /** A client for a kubeconfig context (cached; takes changed credentials in place, see ClientPool.prune). */
  client(context: string): KubeClient {
    return this.pool.client(context);
  }

  // ---- discovery --------------------------------------------------------------------------------------------

  /** vclusters of a host context (cached; watched while cached in watch mode). */
  vclusters(context: string, force = false): Promise<DiscoveryResult> {
    return this.load(contextKey(context), { scope: 'context', context }, force, async () => {
      await this.kubeconfig();
      const client = this.client(context);
      const contextNames = new Set(this.snap?.contexts.map((c) => c.name));
      const searchNamespaces = this.opts.searchNamespaces?.(context) ?? [];
      const options: DiscoverOptions = {
        rootContext: context,
        foundInContext: context,
        kubeconfigContexts: contextNames,
        currentContext: this.snap?.currentContext,
        timeoutMs: this.timeoutMs,
        searchNamespaces,
      };
      return { client, options, ...(await discoverForWatch(client, options)) };
    });
  }

  /** vclusters nested inside the virtual cluster of `ref`. */
  nested(ref: VClusterRef, force = false): Promise<DiscoveryResult> {
    const depth = (ref.parents?.length ?? 0) + 1;
    const max = this.opts.nestedMaxDepth?.() ?? 3;
    if (depth > max) {
      return Promise.reject(new KubeError('config', `Nested discovery stops at depth ${max} (setting vcluster.nested.maxDepth)`));
    }
    const key = refKey(ref);
    // Without a hold (an expanded node or an open view) nothing stays behind in the virtual cluster: no cache, no watch.
    if (!this.isHeld(key)) force = true;
    return this.load(key, { scope: 'vcluster', ref }, force, async () => {
      const { client } = await this.reach(ref);
      const parents: ParentRef[] = [...(ref.parents ?? []), { namespace: ref.namespace, name: ref.name }];
      const contextNames = new Set(this.snap?.contexts.map((c) => c.name));
      const options: DiscoverOptions = {
        rootContext: ref.context,
        parents,
        foundInContext: contextNameFor(ref),
        kubeconfigContexts: contextNames,
        currentContext: this.snap?.currentContext,
        timeoutMs: this.timeoutMs,
      };
      return { client, options, ...(await discoverForWatch(client, options)) };
    });
  }

  /** Last known state of a scope without loading (undefined when never loaded). */
  cached(key: string): Cached | undefined {
    return this.scopes.get(key)?.cached;
  }

  /** The watch error of a scope, when its watches currently fail. */
  watchError(key: string): KubeError | undefined {
    return this.scopes.get(key)?.watchError;
  }

  private load(
    key: string,
    event: ChangeEvent,
    force: boolean,
    run: () => Promise<{ client: KubeClient; options: DiscoverOptions; result: DiscoveryResult; lists: ListedCollection[] }>,
  ): Promise<DiscoveryResult> {
    let scope = this.scopes.get(key);
    if (!scope) {
      scope = { key, event, watchers: [], pendingNamespaces: new Set(), pendingAll: false };
      this.scopes.set(key, scope);
    }
    const s = scope;
    if (!force && s.cached?.ok && !s.inflight) return Promise.resolve(s.cached.result);
    if (!force && s.cached && !s.cached.ok && !s.inflight && Date.now() - s.cached.at < 1000) return Promise.reject(s.cached.error);
    if (s.inflight) return s.inflight;
    const p = run()
      .then(
        ({ client, options, result, lists }) => {
          if (s.event.scope === 'vcluster' && !this.isHeld(key)) {
            this.dropScope(key, false);
            return result;
          }
          s.cached = { ok: true, result, at: Date.now() };
          s.client = client;
          s.discoverOptions = options;
          this.ensureWatches(s, client, lists);
          return result;
        },
        (err: unknown) => {
          const e = err instanceof Error ? err : new Error(String(err));
          s.cached = { ok: false, error: e, at: Date.now() };
          throw e;
        },
      )
      .finally(() => {
        s.inflight = undefined;
      });
    s.inflight = p;
    return p;
  }

  /**
   * Watches the collections discovery just listed, from their resource versions: the same scope (cluster-wide, or the
   * namespace a restricted user fell back to) and no gap between the list and the watch.
   */
  private ensureWatches(s: Scope, client: KubeClient, lists: readonly ListedCollection[]): void {
    if (s.watchers.length || (this.opts.watch && !this.opts.watch()) || this.disposed) return;
    const changed = (e: WatchEvent) => this.scheduleRefresh(s, e.object?.metadata?.namespace);
    const resync = () => this.scheduleRefresh(s);
    const health = (err: KubeError | undefined) => {
      const was = s.watchError;
      s.watchError = err;
      if (err) {
        this.opts.log?.('warn', `watch for ${s.key} failed: ${err.message}`);
        s.cached = { ok: false, error: err, at: Date.now() };
        this.fire(s.event);
      } else if (was) {
        this.opts.log?.('info', `watch for ${s.key} recovered`);
        this.scheduleRefresh(s);
      }
    };
    for (const l of lists) {
      s.watchers.push(
        new Watcher(client, l.path, {
          labelSelector: VCLUSTER_SELECTOR,
          resourceVersion: l.resourceVersion,
          onEvent: changed,
          onHealth: health,
          onResync: resync,
          log: this.opts.log,
        }),
      );
    }
  }

  /**
   * The first change of a burst refreshes at once (a person sees it without waiting for the burst to end); changes
   * during that refresh and debounceMs after it are coalesced into one more refresh at the end of that window. A
   * change in a namespace rediscovers that namespace only; a resync (or a change without one) rediscovers all.
   */
  private scheduleRefresh(s: Scope, namespace?: string): void {
    if (namespace) s.pendingNamespaces.add(namespace);
    else s.pendingAll = true;
    if (!s.refreshing && !s.debounce) this.refreshNow(s);
  }

  private refreshNow(s: Scope): void {
    s.refreshing = true;
    const namespaces = [...s.pendingNamespaces];
    const all = s.pendingAll;
    s.pendingNamespaces = new Set();
    s.pendingAll = false;
    const cached = s.cached;
    let reload: Promise<unknown>;
    if (!all && cached?.ok && !cached.result.restricted && s.client && s.discoverOptions) {
      // Reload now so that listeners get fresh data on their next read.
      const client = s.client;
      const options = s.discoverOptions;
      reload = Promise.all(namespaces.map(async (ns) => [ns, await discoverNamespace(client, ns, options)] as const)).then(
        (fresh) => {
          if (s.cached !== cached) return; // a full reload (or a failure) came in between: it wins
          s.cached = { ok: true, result: withNamespaces(cached.result, new Map(fresh)), at: Date.now() };
        },
        () => {
          s.pendingAll = true; // that namespace could not be read: rediscover everything at the end of the window
        },
      );
    } else {
      if (s.cached) s.cached = { ...s.cached, at: 0 };
      const e = s.event;
      reload = e.scope === 'context' ? this.vclusters(e.context, true) : e.scope === 'vcluster' ? this.nested(e.ref, true) : Promise.resolve();
    }
    reload
      .catch(() => undefined)
      .finally(() => {
        s.refreshing = false;
        if (this.disposed || this.scopes.get(s.key) !== s) return;
        this.fire(s.event);
        s.debounce = setTimeout(() => {
          s.debounce = undefined;
          if ((s.pendingAll || s.pendingNamespaces.size) && !this.disposed && this.scopes.get(s.key) === s) this.refreshNow(s);
        }, this.opts.debounceMs?.() ?? 300);
      });
  }

  private dropScope(key: string, clients = true): void {
    for (const ctx of [...this.reviews.keys()]) if (contextKey(ctx) === key) this.reviews.delete(ctx);
    for (const [k, s] of this.scopes) {
      if (k === key || k.startsWith(`${key}|`)) {
        for (const w of s.watchers) w.dispose();
        clearTimeout(s.debounce);
        this.scopes.delete(k);
      }
    }
    if (clients) this.virtual.closeBelow(key);
  }

  // ---- virtual clusters and the holds on them: Reach (reach.ts) does the work and documents each ----------------

  readonly isHeld: Reach['isHeld'] = (key) => this.virtual.isHeld(key);
  readonly hold: Reach['hold'] = (ref) => this.virtual.hold(ref);
  readonly collapse: Reach['collapse'] = (ref) => this.virtual.collapse(ref);
  readonly sweep: Reach['sweep'] = (idleMs, now) => this.virtual.sweep(idleMs, now);
  readonly openVirtualClients: Reach['openVirtualClients'] = () => this.virtual.openVirtualClients();
  readonly reach: Reach['reach'] = (ref) => this.virtual.reach(ref);
  readonly virtualKubeconfig: Reach['virtualKubeconfig'] = (ref, signal) => this.virtual.virtualKubeconfig(ref, signal);
  readonly ignoredKubeconfigFields: Reach['ignoredKubeconfigFields'] = (ref) => this.virtual.ignoredKubeconfigFields(ref);
  readonly hostClientOf: Reach['hostClientOf'] = (ref) => this.virtual.hostClientOf(ref);

  /** Forgets cached results (and watches) of a scope (contextKey() or refKey()) and what is below it, or everything. */
  invalidate(key?: string): void {
    if (key === undefined) {
      this.reviews.clear();
      for (const k of [...this.scopes.keys()]) this.dropScope(k);
      this.pool.clear();
    } else {
      this.dropScope(key);
    }
  }

  // ---- permissions ----------------------------------------------------------------------------------------------

  /** The API's answers about what the user of a host context may do (cached until the context is refreshed). */
  async accessReview(context: string): Promise<AccessReview> {
    await this.kubeconfig();
    const client = this.client(context);
    let r = this.reviews.get(context);
    if (!r || r.review.client !== client) {
      r = { review: new AccessReview(client, { timeoutMs: this.timeoutMs }), summaries: new Map() };
      this.reviews.set(context, r);
    }
    return r.review;
  }

  /**
   * What the user may do with vclusters in a host namespace (SelfSubjectRulesReview, access reviews where it cannot
   * tell). Cached for a few minutes, and until the context is refreshed.
   */
  async permissions(context: string, namespace: string, kinds?: readonly WorkloadKind[]): Promise<PermissionSummary> {
    const review = await this.accessReview(context);
    const entry = this.reviews.get(context)!;
    const have = entry.summaries.get(namespace);
    if (have?.pending) return have.pending;
    if (have?.summary && Date.now() - have.at < PERMISSIONS_TTL_MS) return have.summary;
    const slot: { at: number; summary?: PermissionSummary; pending?: Promise<PermissionSummary> } = { at: Date.now() };
    slot.pending = review.summary(namespace, { kinds }).then(
      (summary) => {
        slot.summary = summary;
        slot.pending = undefined;
        slot.at = Date.now();
        return summary;
      },
      (err: unknown) => {
        if (entry.summaries.get(namespace) === slot) entry.summaries.delete(namespace);
        throw err;
      },
    );
    entry.summaries.set(namespace, slot);
    return slot.pending;
  }

  /** The last permission summary of a namespace, without asking (undefined when not asked yet). */
  cachedPermissions(context: string, namespace: string): PermissionSummary | undefined {
    return this.reviews.get(context)?.summaries.get(namespace)?.summary;
  }

  /** All namespace names of a context (for the namespace filter). */
  async namespaces(context: string): Promise<string[]> {
    await this.kubeconfig();
    const l = await this.client(context).get<KubeList<Namespace>>('/api/v1/namespaces', {
      accept: METADATA_LIST,
    });
    return l.items.map((n) => n.metadata.name).sort();
  }

  dispose(): void {
    this.disposed = true;
    this.virtual.dispose();
    this.invalidate();
    this.kubeconfigSub.dispose();
    this.contentSub.dispose();
    this.changes.dispose();
  }
}

/** Contexts by name, per snapshot (a tree of 2,000 vclusters asks once per vcluster; a kubeconfig may hold 10,000). */
const contextsByName = new WeakMap<KubeconfigSnapshot, Map<string, ContextInfo>>();

/** Recomputes the kubeconfig-dependent fields of a discovered vcluster (connected / current) from a snapshot. */
export function withConnection<T extends { ref: VClusterRef; connectedContext?: string; current: boolean; endpoint?: string }>(
  v: T,
  snap: KubeconfigSnapshot | undefined,
): T {
  const name = contextNameFor(v.ref);
  let byName = snap && contextsByName.get(snap);
  if (snap && !byName) contextsByName.set(snap, (byName = new Map(snap.contexts.map((c) => [c.name, c]))));
  const ctx = byName?.get(name);
  return { ...v, connectedContext: ctx?.name, current: ctx !== undefined && snap?.currentContext === ctx.name, endpoint: ctx?.server };
}

/** A discovery result with the given namespaces replaced by fresh ones (undefined: no vcluster left there). */
function withNamespaces(r: DiscoveryResult, fresh: ReadonlyMap<string, NamespaceInfo | undefined>): DiscoveryResult {
  const namespaces = r.namespaces.filter((n) => !fresh.has(n.name));
  for (const n of fresh.values()) if (n?.vclusters.length) namespaces.push(n);
  namespaces.sort((a, b) => a.name.localeCompare(b.name));
  return { ...r, namespaces };
}
