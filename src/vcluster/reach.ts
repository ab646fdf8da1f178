import type { KubeClient } from '../kube/client';
import type { VClusterRef } from '../shared/model';
import { refKey } from '../shared/refKey';
import {
  type TunnelProvider,
  type VirtualEndpoint,
  type VirtualKubeconfig,
  UnusableClusterKubeconfigError,
  readVirtualKubeconfig,
  virtualClient,
} from './access';
import { contextNameFor, parentOf } from './refs';

// Reaching virtual clusters, for the explorer model: one client per virtual API server (a nested vcluster's through
// the ones around it), the holds that keep a client and its nested discovery open (an expanded tree node, an open
// view), closing what nothing holds once idle, and the fields a vcluster's kubeconfig secret had that were left out.

/** Unheld virtual clients (one-off reads: object YAML, the API's nested listing) are closed after this long unused. */
const VIRTUAL_IDLE_MS = 10_000;

export interface ReachOptions {
  /** The client of a kubeconfig context. */
  readonly contextClient: (context: string) => KubeClient;
  /** Reads the kubeconfig once if nothing has read it yet. */
  readonly ready: () => Promise<unknown>;
  /** Stops nested discovery in the scope `key` (a refKey) and below it, leaving the clients to the caller. */
  readonly dropScope: (key: string) => void;
  /** Told when what is shown of a vcluster changed (the fields left out of its kubeconfig secret). */
  readonly changed: (ref: VClusterRef) => void;
  readonly tunnels?: TunnelProvider;
  readonly timeoutMs: () => number;
  readonly log?: (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;
}

export class Reach {
  private virtual = new Map<string, Promise<{ client: KubeClient; endpoint: VirtualEndpoint }>>();
  /** Per vcluster (refKey): names of the fields its vc-NAME kubeconfig had and that were left out. */
  private ignored = new Map<string, readonly string[]>();
  private loggedIgnored = new Set<string>();
  /** Reasons to keep a virtual cluster's client and watches: an expanded tree node, an open view (refKey → count). */
  private holds = new Map<string, number>();
  private lastUse = new Map<string, number>();
  private sweeper?: NodeJS.Timeout;

  constructor(private readonly opts: ReachOptions) {}

  /** Closes the virtual clients of `key` (a contextKey or refKey) and of everything below it. */
  closeBelow(key: string): void {
    for (const k of [...this.virtual.keys()]) {
      if (k === key || k.startsWith(`${key}|`)) this.closeVirtual(k);
    }
  }

  private closeVirtual(key: string): void {
    const v = this.virtual.get(key);
    if (!v) return;
    this.virtual.delete(key);
    this.lastUse.delete(key);
    void v.then(
      (x) => x.client.dispose(),
      () => undefined,
    );
    this.opts.log?.('debug', `closed the client of virtual cluster ${key}`);
  }

  // ---- holds: what may make requests into a virtual cluster ------------------------------------------------------

  /** True when `key` or a vcluster inside it is held (a nested vcluster is reached through the ones around it). */
  isHeld(key: string): boolean {
    for (const [k, n] of this.holds) if (n > 0 && (k === key || k.startsWith(`${key}|`))) return true;
    return false;
  }

  /**
   * Allows requests into the virtual cluster of `ref` (and the ones around it) until disposed: the tree holds an
   * expanded vcluster, a view holds the vcluster it shows. Without any hold the model closes the client.
   */
  hold(ref: VClusterRef): { dispose(): void } {
    const key = refKey(ref);
    this.holds.set(key, (this.holds.get(key) ?? 0) + 1);
    let done = false;
    return {
      dispose: () => {
        if (done) return;
        done = true;
        const n = (this.holds.get(key) ?? 1) - 1;
        if (n > 0) this.holds.set(key, n);
        else this.holds.delete(key);
        this.sweep(0);
      },
    };
  }

  /**
   * The tree collapsed `ref`: stop nested discovery in it and in everything below it now, and close the clients
   * nothing else holds.
   */
  collapse(ref: VClusterRef): void {
    this.opts.dropScope(refKey(ref));
    this.sweep(0);
  }

  /** Closes virtual clients that nothing holds and nothing used for `idleMs`, and their nested scopes. */
  sweep(idleMs = VIRTUAL_IDLE_MS, now = Date.now()): number {
    let closed = 0;
    for (const key of [...this.virtual.keys()]) {
      if (this.isHeld(key) || now - (this.lastUse.get(key) ?? 0) < idleMs) continue;
      this.opts.dropScope(key);
      this.closeVirtual(key);
      closed++;
    }
    return closed;
  }

  /** Keys of the virtual clients open now (tests). */
  openVirtualClients(): string[] {
    return [...this.virtual.keys()];
  }

  // ---- virtual clusters ---------------------------------------------------------------------------------------

  /** A client for the virtual API server of `ref` (through its parents for nested vclusters). Cached. */
  reach(ref: VClusterRef): Promise<{ client: KubeClient; endpoint: VirtualEndpoint }> {
    const key = refKey(ref);
    for (let r: VClusterRef | undefined = ref; r; r = parentOf(r)) this.lastUse.set(refKey(r), Date.now());
    this.sweeper ??= setInterval(() => this.sweep(), VIRTUAL_IDLE_MS / 2).unref();
    let p = this.virtual.get(key);
    if (!p) {
      p = (async () => {
        const host = await this.hostClientOf(ref);
        const r = await this.noteIgnored(
          ref,
          virtualClient(host, ref.namespace, ref.name, contextNameFor(ref), { tunnels: this.opts.tunnels, timeoutMs: this.opts.timeoutMs() }),
        );
        return { client: r.client, endpoint: r.endpoint };
      })();
      p.catch(() => this.virtual.delete(key));
      this.virtual.set(key, p);
    }
    return p;
  }

  /**
   * The allow-listed kubeconfig of a vcluster's vc-NAME secret, read through the cluster it runs in (for Connect). What
   * was left out is recorded as for the tree.
   */
  async virtualKubeconfig(ref: VClusterRef, signal?: AbortSignal): Promise<{ host: KubeClient; kubeconfig: VirtualKubeconfig }> {
    const host = await this.hostClientOf(ref);
    const kubeconfig = await this.noteIgnored(ref, readVirtualKubeconfig(host, ref.namespace, ref.name, signal));
    return { host, kubeconfig };
  }

  /**
   * Names of the fields of a vcluster's kubeconfig secret that were left out because a kubeconfig from a cluster may not
   * use them (exec, auth-provider, file paths, …), as of the last time it was read; [] when nothing was.
   */
  ignoredKubeconfigFields(ref: VClusterRef): readonly string[] {
    return this.ignored.get(refKey(ref)) ?? [];
  }

  /** Records (and logs once, by name) what was left out of a vcluster's kubeconfig secret, when the read succeeds or fails. */
  private async noteIgnored<T extends { ignored: readonly string[] }>(ref: VClusterRef, read: Promise<T>): Promise<T> {
    let ignored: readonly string[] = [];
    try {
      const r = await read;
      ignored = r.ignored;
      return r;
    } catch (err) {
      if (err instanceof UnusableClusterKubeconfigError) ignored = err.ignored;
      throw err;
    } finally {
      const key = refKey(ref);
      const before = this.ignored.get(key) ?? [];
      if (ignored.length) this.ignored.set(key, ignored);
      else this.ignored.delete(key);
      const logKey = `${key}|${ignored.join(',')}`;
      if (ignored.length && !this.loggedIgnored.has(logKey)) {
        this.loggedIgnored.add(logKey);
        this.opts.log?.(
          'warn',
          `The kubeconfig in secret ${ref.namespace}/vc-${ref.name} names fields that a kubeconfig read from a cluster may not use; they were left out (nothing they name is run or read): ${ignored.join(', ')}`,
        );
      }
      if (before.join(',') !== ignored.join(',')) this.opts.changed(ref);
    }
  }

  /** The client of the cluster a vcluster runs in: the host context, or its parent's virtual API server. */
  async hostClientOf(ref: VClusterRef): Promise<KubeClient> {
    await this.opts.ready();
    const parent = parentOf(ref);
    return parent ? (await this.reach(parent)).client : this.opts.contextClient(ref.context);
  }

  /** Stops the idle sweep (the clients are closed with their scopes). */
  dispose(): void {
    clearInterval(this.sweeper);
  }
}
