import type { ConnectionSpec } from '../kube/client';
import { KubeClient } from '../kube/client';
import { connectionSpecFor } from '../kube/connection';
import { KubeError } from '../kube/errors';
import type { KubeconfigSnapshot } from './kubeconfigState';

// One KubeClient per kubeconfig context, for the explorer model: made on first use, kept while the context's connection
// stays the same, updated in place when only its credentials change (a rotated token), closed when the context is gone
// or points elsewhere.

export interface ClientPoolOptions {
  /** The kubeconfig as last read. */
  readonly snapshot: () => KubeconfigSnapshot | undefined;
  readonly timeoutMs: () => number;
  /** Told when what was discovered through a context is stale: its client was closed, or its namespace changed. */
  readonly dropped: (context: string) => void;
  readonly log?: (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;
}

export class ClientPool {
  private clients = new Map<string, { client: KubeClient; fingerprint: string }>();

  constructor(private readonly opts: ClientPoolOptions) {}

  /** The connection details of a kubeconfig context (raw entries, relative paths resolved as kubectl does). */
  connectionSpec(context: string): ConnectionSpec {
    const merged = this.opts.snapshot()?.merged;
    if (!merged) throw new KubeError('config', `The context "${context}" is not in the kubeconfig`);
    return connectionSpecFor(merged, context);
  }

  /** A client for a kubeconfig context (cached; takes changed credentials in place, see prune). */
  client(context: string): KubeClient {
    const spec = this.connectionSpec(context);
    const fingerprint = JSON.stringify(spec);
    const have = this.clients.get(context);
    if (have && have.fingerprint === fingerprint) return have.client;
    if (have && this.updateInPlace(context, have, spec, fingerprint)) return have.client;
    have?.client.dispose();
    const client = new KubeClient(spec, { timeoutMs: this.opts.timeoutMs() });
    this.clients.set(context, { client, fingerprint });
    return client;
  }

  /**
   * A context whose server stayed the same keeps its client (and its watches, which reconnect with the new
   * credentials); one whose server changed starts over.
   */
  private updateInPlace(context: string, have: { client: KubeClient; fingerprint: string }, spec: ConnectionSpec, fingerprint: string): boolean {
    try {
      have.client.update(spec);
      have.fingerprint = fingerprint;
      this.opts.log?.('info', `The credentials of context "${context}" changed: live watches reconnect with the new ones`);
      return true;
    } catch {
      return false;
    }
  }

  /** Brings the clients in line with the kubeconfig just read. */
  prune(): void {
    for (const [ctx, c] of [...this.clients]) {
      let spec: ConnectionSpec | undefined;
      try {
        spec = this.connectionSpec(ctx);
      } catch {
        spec = undefined;
      }
      const fp = spec && JSON.stringify(spec);
      if (fp === c.fingerprint) continue;
      // A new namespace in the context changes where a restricted user's discovery looks: discover again.
      const namespaceChanged = spec?.namespace !== c.client.namespace;
      if (spec && fp && this.updateInPlace(ctx, c, spec, fp)) {
        if (namespaceChanged) this.opts.dropped(ctx);
        continue;
      }
      c.client.dispose();
      this.clients.delete(ctx);
      this.opts.dropped(ctx);
    }
  }

  /** Closes every client. */
  clear(): void {
    for (const c of this.clients.values()) c.client.dispose();
    this.clients.clear();
  }
}
