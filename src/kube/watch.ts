import type { KubeClient } from './client';
import { KubeError } from './errors';
import type { KubeList, KubeObject, WatchEvent } from './types';

export interface WatchOptions {
  /** Label selector for the list and the watch. */
  readonly labelSelector?: string;
  /** Resource version to start from (e.g. of a list just made); a fresh one is listed when absent. */
  readonly resourceVersion?: string;
  /** Called for every ADDED/MODIFIED/DELETED event. */
  readonly onEvent: (e: WatchEvent) => void;
  /** Called when the watch fails and when it recovers (error undefined). */
  readonly onHealth?: (error: KubeError | undefined) => void;
  /** Called after a relist (410 Gone, or recovery after an outage): state may have changed without events. */
  readonly onResync?: () => void;
  /** Server-side timeout of one watch request, seconds (the watch is then resumed). */
  readonly timeoutSeconds?: number;
  readonly maxBackoffMs?: number;
}

/**
 * A list-then-watch loop that keeps going until disposed: it resumes from the last resource version when the server
 * ends a watch, relists on 410 Gone, and backs off (1 s doubling to 10 s) while the API server is unreachable,
 * reporting health changes so the tree can show an error node and recover by itself.
 */
export class Watcher {
  private readonly abort = new AbortController();
  private rv?: string;
  private failing = false;
  private streamError?: KubeError;
  private stream?: AbortController;
  readonly done: Promise<void>;

  constructor(private readonly client: KubeClient, private readonly path: string, private readonly opts: WatchOptions) {
    this.rv = opts.resourceVersion;
    this.done = this.loop();
  }

  private async list(): Promise<void> {
    const l = await this.client.get<KubeList<KubeObject>>(this.path, {
      query: { labelSelector: this.opts.labelSelector, limit: 1 },
      signal: this.abort.signal,
    });
    this.rv = l.metadata.resourceVersion;
  }

  private async loop(): Promise<void> {
    let backoff = 1000;
    while (!this.abort.signal.aborted) {
      try {
        if (!this.rv) {
          await this.list();
          if (this.failing) {
            // The server answers again: report recovery now rather than at the first event, which may be minutes away.
            this.failing = false;
            this.opts.onHealth?.(undefined);
            this.opts.onResync?.();
          }
        }
        this.streamError = undefined;
        this.stream = new AbortController();
        const stop = () => this.stream?.abort();
        this.abort.signal.addEventListener('abort', stop, { once: true });
        await this.client.stream(this.path, {
          query: {
            watch: 1,
            labelSelector: this.opts.labelSelector,
            resourceVersion: this.rv,
            allowWatchBookmarks: true,
            timeoutSeconds: this.opts.timeoutSeconds ?? 300,
          },
          signal: this.stream.signal,
          timeoutMs: 30_000,
        }, (line) => this.onLine(line)).finally(() => this.abort.signal.removeEventListener('abort', stop));
        if (this.streamError) throw this.streamError;
        if (this.failing) {
          this.failing = false;
          this.opts.onHealth?.(undefined);
        }
        backoff = 1000;
      } catch (err) {
        if (this.abort.signal.aborted) return;
        const caught = this.streamError ?? err;
        const ke = caught instanceof KubeError ? caught : new KubeError('server', (caught as Error)?.message ?? String(caught));
        if (ke.kind === 'gone') {
          this.rv = undefined;
          continue;
        }
        if (!this.failing) {
          this.failing = true;
          this.opts.onHealth?.(ke);
        }
        // After an outage the state may have moved on: relist when we come back.
        this.rv = undefined;
        await sleep(backoff, this.abort.signal);
        backoff = Math.min(backoff * 2, this.opts.maxBackoffMs ?? 10_000);
      }
    }
  }

  private onLine(line: string): void {
    let e: WatchEvent;
    try {
      e = JSON.parse(line) as WatchEvent;
    } catch {
      return;
    }
    if (this.failing) {
      this.failing = false;
      this.opts.onHealth?.(undefined);
      this.opts.onResync?.();
    }
    if (e.type === 'ERROR') {
      // Never throw from a stream callback: record the error and end this watch request; loop() handles it.
      const status = e.object as unknown as { code?: number; message?: string };
      this.streamError = status.code === 410
        ? new KubeError('gone', status.message ?? 'resource version too old', 410)
        : new KubeError('server', status.message ?? 'watch error', status.code);
      this.stream?.abort();
      return;
    }
    if (e.object?.metadata?.resourceVersion) this.rv = e.object.metadata.resourceVersion;
    if (e.type === 'BOOKMARK') return;
    try {
      this.opts.onEvent(e);
    } catch {
      // A listener's failure must not end the watch.
    }
  }

  dispose(): void {
    this.abort.abort();
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });
}
