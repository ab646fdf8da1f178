import type { KubeClient } from './client';
import { KubeError } from './errors';
import type { KubeList, KubeObject, WatchEvent } from './types';

// A list-then-watch loop that behaves like client-go's reflector (v0.34 tools/cache/reflector.go):
// - a watch the server ends normally is resumed at once from the last resource version;
// - a watch that ends within a second without any event ("very short watch"), 410 Gone / Expired, an ERROR event, a
//   malformed line and any failed request are followed by a pause from an exponential backoff with jitter, then a
//   relist (connection refused and 429 resume the watch instead, as client-go does);
// - the backoff is client-go's NewExponentialBackoffManager(800 ms, 30 s, 2 min, 2.0, 1.0): 0.8 s doubling to a
//   30 s cap, each pause plus up to 100 % random jitter, back to 0.8 s after 2 minutes without a pause;
// - when the client's credentials change (a rotated token, a new certificate, a kubeconfig edit) the watch
//   reconnects at once from where it was, so that it never runs on credentials that are no longer the configured ones.
// Two guards against a server that ends every watch at once, which client-go does not have (its Request.Watch skips
// the client's rate limiter, client-go v0.34 rest/request.go, and its reflector only counts a watch without events as
// short), so that such a server cannot make us send thousands of requests a second:
// - every request of the loop (list and watch) takes a token from a bucket with the rest client's default rate, QPS
//   5 and burst 10 (client-go v0.34 rest/config.go DefaultQPS/DefaultBurst, util/flowcontrol/throttle.go);
// - a watch that ends within a second counts as short even when it delivered events: it is resumed from its
//   resource version (no relist, the events were real) after a pause from the same backoff, which grows.

export interface BackoffOptions {
  readonly initialMs?: number;
  readonly maxMs?: number;
  readonly factor?: number;
  /** Each pause is d + random() * jitter * d. */
  readonly jitter?: number;
  /** After this long without a pause, the next one starts from initialMs again. */
  readonly resetMs?: number;
  readonly random?: () => number;
}

/** client-go's exponential backoff manager (k8s.io/apimachinery wait.Backoff with a reset duration). */
export class ExponentialBackoff {
  private duration: number;
  private last = Number.NEGATIVE_INFINITY;
  private readonly o: Required<BackoffOptions>;

  constructor(options: BackoffOptions = {}) {
    this.o = {
      initialMs: options.initialMs ?? 800,
      maxMs: options.maxMs ?? 30_000,
      factor: options.factor ?? 2,
      jitter: options.jitter ?? 1,
      resetMs: options.resetMs ?? 120_000,
      random: options.random ?? Math.random,
    };
    this.duration = this.o.initialMs;
  }

  /** The next pause, in ms. */
  next(now = Date.now()): number {
    if (now - this.last > this.o.resetMs) this.duration = this.o.initialMs;
    this.last = now;
    const d = this.duration;
    this.duration = Math.min(this.duration * this.o.factor, this.o.maxMs);
    return d + this.o.random() * this.o.jitter * d;
  }
}

export interface RateLimitOptions {
  /** Tokens per second (default 5, client-go's DefaultQPS). */
  readonly qps?: number;
  /** Bucket size: requests that may go at once after a quiet time (default 10, client-go's DefaultBurst). */
  readonly burst?: number;
  readonly now?: () => number;
}

/**
 * A token bucket like client-go's flowcontrol.NewTokenBucketRateLimiter (golang.org/x/time/rate underneath): full at
 * first, refilled at qps tokens a second up to burst; a request that finds it empty waits for its token.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly qps: number;
  private readonly burst: number;
  private readonly now: () => number;

  constructor(options: RateLimitOptions = {}) {
    this.qps = options.qps ?? 5;
    this.burst = options.burst ?? 10;
    this.now = options.now ?? Date.now;
    this.tokens = this.burst;
    this.last = this.now();
  }

  /** Takes a token and returns how long to wait before using it, in ms (0: at once); as rate.Limiter.Reserve. */
  reserve(): number {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.qps) / 1000);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens * 1000) / this.qps;
  }
}

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
  /** Problems worth a log line (malformed events, very short watches); never credentials. */
  readonly log?: (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;
  /** Server-side timeout of one watch request, seconds (default: random in [300, 600), as client-go). */
  readonly timeoutSeconds?: number;
  readonly backoff?: BackoffOptions;
  /** The pace of this watcher's requests (default QPS 5, burst 10). */
  readonly rateLimit?: RateLimitOptions;
}

type Outcome =
  | { readonly kind: 'ended'; readonly short: boolean; readonly events: number }
  | { readonly kind: 'restart' }
  | { readonly kind: 'failed'; readonly error: KubeError };

/** A watch shorter than this is short: without events a failure (client-go VeryShortWatchError), with events paced. */
const VERY_SHORT_WATCH_MS = 1000;

export class Watcher {
  private readonly abort = new AbortController();
  private rv?: string;
  private failing = false;
  private streamError?: KubeError;
  private stream?: AbortController;
  private restartRequested = false;
  private events = 0;
  private readonly credentialSub: { dispose(): void };
  readonly done: Promise<void>;

  constructor(
    private readonly client: KubeClient,
    private readonly path: string,
    private readonly opts: WatchOptions,
  ) {
    this.rv = opts.resourceVersion;
    this.credentialSub = client.onDidChangeCredentials(() => this.restart());
    this.done = this.loop();
  }

  /** The signal that stops this watcher (for tests that count its listeners). */
  get stopSignal(): AbortSignal {
    return this.abort.signal;
  }

  /** Ends the current watch request and opens a new one from the same resource version at once. */
  restart(): void {
    if (!this.stream || this.stream.signal.aborted) return;
    this.restartRequested = true;
    this.stream.abort();
  }

  private async list(): Promise<void> {
    const l = await this.client.get<KubeList<KubeObject>>(this.path, {
      query: { labelSelector: this.opts.labelSelector, limit: 1 },
      signal: this.abort.signal,
    });
    this.rv = l.metadata.resourceVersion;
  }

  private healthy(): void {
    if (!this.failing) return;
    this.failing = false;
    this.opts.onHealth?.(undefined);
  }

  private unhealthy(err: KubeError): void {
    if (this.failing) return;
    this.failing = true;
    this.opts.onHealth?.(err);
  }

  private async loop(): Promise<void> {
    const backoff = new ExponentialBackoff(this.opts.backoff);
    const limiter = new TokenBucket(this.opts.rateLimit);
    let relisted = false;
    while (!this.abort.signal.aborted) {
      if (!this.rv) {
        await this.sleep(limiter.reserve());
        if (this.abort.signal.aborted) return;
        try {
          await this.list();
        } catch (err) {
          if (this.abort.signal.aborted) return;
          this.unhealthy(asKubeError(err));
          await this.sleep(backoff.next());
          continue;
        }
        const wasFailing = this.failing;
        this.healthy();
        // State may have moved on without events (410, an outage, a short watch): let the owner reread it.
        if (relisted || wasFailing) this.opts.onResync?.();
      }
      relisted = false;
      await this.sleep(limiter.reserve());
      if (this.abort.signal.aborted) return;
      const outcome = await this.watchOnce();
      if (this.abort.signal.aborted) return;
      switch (outcome.kind) {
        case 'restart':
          continue;
        case 'ended':
          if (!outcome.short) continue;
          if (outcome.events > 0) {
            this.opts.log?.('warn', `The watch ${this.path} ended within a second (after ${outcome.events} events); resuming after a pause`);
            await this.sleep(backoff.next());
            continue;
          }
          this.opts.log?.('warn', `The watch ${this.path} ended within a second without any event; retrying after a pause`);
          break;
        case 'failed': {
          const e = outcome.error;
          if (e.kind === 'gone') {
            this.opts.log?.('debug', `The watch ${this.path} expired (410): relisting`);
          } else if (e.status === 429 || (e.kind === 'unreachable' && /ECONNREFUSED/.test(e.message))) {
            // client-go resumes the watch from where it was after connection refused and 429.
            this.unhealthy(e);
            await this.sleep(backoff.next());
            continue;
          } else {
            this.unhealthy(e);
          }
          break;
        }
      }
      this.rv = undefined;
      relisted = true;
      await this.sleep(backoff.next());
    }
  }

  /** One watch request from this.rv. Never throws. */
  private async watchOnce(): Promise<Outcome> {
    this.streamError = undefined;
    this.restartRequested = false;
    this.events = 0;
    const stream = new AbortController();
    this.stream = stream;
    const stop = () => stream.abort();
    this.abort.signal.addEventListener('abort', stop, { once: true });
    const started = Date.now();
    try {
      await this.client.stream(
        this.path,
        {
          query: {
            watch: 1,
            labelSelector: this.opts.labelSelector,
            resourceVersion: this.rv,
            allowWatchBookmarks: true,
            timeoutSeconds: this.opts.timeoutSeconds ?? Math.floor(300 * (1 + Math.random())),
          },
          signal: stream.signal,
          timeoutMs: 30_000,
          onResponse: () => this.healthy(),
        },
        (line) => this.onLine(line),
      );
      if (this.streamError) return { kind: 'failed', error: this.streamError };
      if (this.restartRequested) return { kind: 'restart' };
      return { kind: 'ended', short: Date.now() - started < VERY_SHORT_WATCH_MS, events: this.events };
    } catch (err) {
      if (this.streamError) return { kind: 'failed', error: this.streamError };
      if (this.restartRequested) return { kind: 'restart' };
      return { kind: 'failed', error: asKubeError(err) };
    } finally {
      this.abort.signal.removeEventListener('abort', stop);
      this.stream = undefined;
    }
  }

  /** Ends the current stream with an error that loop() handles (never throws from the stream callback). */
  private endStream(err: KubeError): void {
    this.streamError ??= err;
    this.stream?.abort();
  }

  private onLine(line: string): void {
    if (this.streamError || this.restartRequested) return;
    let e: WatchEvent | null;
    try {
      e = JSON.parse(line) as WatchEvent | null;
    } catch {
      e = null;
    }
    if (!e || typeof e !== 'object' || typeof e.type !== 'string') {
      this.opts.log?.('error', `The watch ${this.path} sent a malformed event; ending that watch`);
      this.endStream(new KubeError('server', `The watch ${this.path} sent a malformed event`));
      return;
    }
    this.events++;
    this.healthy();
    if (e.type === 'ERROR') {
      const status = (e.object ?? {}) as unknown as { code?: number; message?: string; reason?: string };
      const gone = status.code === 410 || status.reason === 'Expired' || status.reason === 'Gone';
      this.endStream(
        gone
          ? new KubeError('gone', status.message ?? 'resource version too old', 410)
          : new KubeError('server', `The watch ${this.path} ended with an error: ${status.message ?? 'unknown'}`, status.code),
      );
      return;
    }
    const rv = e.object?.metadata?.resourceVersion;
    if (typeof rv === 'string' && rv) this.rv = rv;
    if (e.type === 'BOOKMARK') return;
    try {
      this.opts.onEvent(e);
    } catch {
      // A listener's failure must not end the watch.
    }
  }

  /** Waits `ms` or until disposed; leaves no timer or listener behind. */
  private sleep(ms: number): Promise<void> {
    const signal = this.abort.signal;
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  dispose(): void {
    this.credentialSub.dispose();
    this.abort.abort();
  }
}

function asKubeError(err: unknown): KubeError {
  return err instanceof KubeError ? err : new KubeError('server', (err as Error)?.message ?? String(err));
}
