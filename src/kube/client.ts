// The one HTTP client of the extension for the Kubernetes API: TLS and credentials from a kubeconfig entry, proxies,
// timeouts, cancellation, gzip, streaming (watches), bounds on what a server may send, and errors classified for
// messages. Credentials, proxies and error kinds live beside it (credentials.ts, proxy.ts, errors.ts).
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { type Material, Credentials } from './credentials';
import { KubeError, fromNetworkError, fromStatus } from './errors';
import { proxyFromEnvironment } from './envProxy';
import { ProxyHttpAgent, ProxyHttpsAgent, parseProxyUrl, proxyAuthorization, proxyHostPort } from './proxy';
import { type SecretOrigin, rememberAuthorization } from '../shared/redact';

/**
 * What a client needs to reach one API server: the raw kubeconfig cluster and user entries (YAML field names) of a
 * context, with relative file paths already resolved against the file that defines each entry (connectionSpecFor).
 */
export interface ConnectionSpec {
  readonly contextName: string;
  readonly clusterName: string;
  readonly cluster: Readonly<Record<string, unknown>>;
  readonly userName: string;
  readonly user: Readonly<Record<string, unknown>>;
  readonly namespace?: string;
}

export interface RequestOptions {
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly body?: unknown;
  readonly contentType?: string;
  readonly accept?: string;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface StreamOptions extends RequestOptions {
  /** Called when the server answered 200 (before any line). */
  readonly onResponse?: () => void;
}

// Bounds on what one API server can make the extension hold. No honest answer comes near them; a hostile or broken
// server (an endless body, a gzip bomb, a watch line without end, a list whose pages never end) gets a clear error
// naming it instead of the extension host's memory. Each is a ClientOptions field too, for tests.

/**
 * Largest response body, counted both as received (compressed) and after gunzip. The largest honest answers the
 * extension asks for are single unpaged lists: the mapping view lists up to 50,000 objects (35,000 of them config
 * map metadata with the syncer's labels, annotations and managedFields, about 1.3 KiB each: some 45 MiB in one list),
 * a virtual cluster's namespaces (10,000 namespaces: under 10 MiB). 128 MiB is about three times the largest and stays
 * far below V8's string limit (about 512 Mi characters), whose RangeError would otherwise end the answer.
 */
export const MAX_BODY_BYTES = 128 * 1024 * 1024;

/**
 * Largest watch event (one line of a watch stream): client-go's limit, the streaming decoder's maxBytes of 16 MiB
 * (k8s.io/apimachinery v0.34 pkg/runtime/serializer/streaming/streaming.go, ErrObjectTooLarge). An API server stores
 * no object over about 1.5 MiB (etcd's request limit), so an event is rarely over a few MiB.
 */
export const MAX_WATCH_FRAME_BYTES = 16 * 1024 * 1024;

/**
 * Most pages of one paged list. At discovery's and kubectl's 500 objects a page that is 500,000 objects, ten times
 * the largest list the benchmark builds (50,000 objects); an API server never sends an empty page with a continue
 * token except in the rare case of a filtered list, so a server that keeps sending pages is stopped here.
 */
export const MAX_LIST_PAGES = 1000;

/** Most objects kept from one paged list: four times the benchmark's largest list (50,000 objects). */
export const MAX_LIST_ITEMS = 200_000;

export interface ClientOptions {
  /** Per-request timeout (default 15 s). */
  readonly timeoutMs?: number;
  /** Timeout for exec credential plugins (default 30 s). */
  readonly execTimeoutMs?: number;
  /** How often credential files (token, certificate, key, CA) are checked while watches run (default 10 s). */
  readonly credentialRecheckMs?: number;
  /** Where HTTPS_PROXY, HTTP_PROXY and NO_PROXY are read for a cluster without proxy-url (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** Largest response body, received and after gunzip (default MAX_BODY_BYTES). */
  readonly maxBodyBytes?: number;
  /** Largest line of a watch stream (default MAX_WATCH_FRAME_BYTES). */
  readonly maxWatchFrameBytes?: number;
  /** Most pages of one paged list (default MAX_LIST_PAGES). */
  readonly maxListPages?: number;
  /** Most objects kept from one paged list (default MAX_LIST_ITEMS). */
  readonly maxListItems?: number;
  /**
   * Whose credentials the spec holds, for redact(): 'user' (default) for the user's kubeconfig, 'cluster' for a
   * kubeconfig read from a cluster (a vcluster's Secret), whose values a tenant chose (see rememberSecret()).
   */
  readonly credentialOrigin?: SecretOrigin;
}

/** A byte count for messages: "16 MiB", or bytes when it is not a whole number of MiB. */
export function formatBytes(n: number): string {
  return n >= 1024 * 1024 && n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${n} bytes`;
}

/**
 * The bounds of one paged list (listAll, listResources): a continue token seen before ends it (an API server's token
 * names the last key read, so it never repeats; a server that repeats one would be paged forever), and so do more
 * than maxListPages pages or maxListItems objects. Each ends the list with an error naming the server: a truncated
 * list would show an incomplete cluster as if it were complete (vclusters missing from the tree without a word).
 */
export class ListBounds {
  private readonly tokens = new Set<string>();
  private pages = 0;
  private items = 0;

  constructor(
    private readonly client: KubeClient,
    private readonly path: string,
  ) {}

  /** After each page: its number of objects and its continue token. Throws KubeError('server') past a bound. */
  page(items: number, token: string | undefined): void {
    this.pages++;
    this.items += items;
    const { server, limits } = this.client;
    const fail = (why: string) => new KubeError('server', `${server} sent a list ${this.path} that ${why}; it was not read further`);
    if (this.items > limits.maxListItems) throw fail(`has more than ${limits.maxListItems} objects`);
    if (!token) return;
    // A digest per page, not the token: a server's huge tokens must not pile up.
    const key = createHash('sha256').update(token).digest('base64');
    if (this.tokens.has(key)) throw fail(`repeats the continue token of an earlier page (page ${this.pages})`);
    if (this.pages >= limits.maxListPages) throw fail(`goes on past ${limits.maxListPages} pages`);
    this.tokens.add(key);
  }
}

/** Options for a WebSocket to the API server (the port-forward tunnel): same agent, TLS material and headers. */
export interface ConnectOptions {
  readonly agent: http.Agent;
  readonly headers: Record<string, string | string[]>;
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly servername?: string;
  readonly rejectUnauthorized: boolean;
}

interface Transport {
  readonly key: string;
  readonly agent: http.Agent;
  readonly isHttps: boolean;
  readonly base: URL;
  /** An http(s) proxy in front of a plain-http API server: requests go to it in absolute form. */
  readonly forwardProxy?: URL;
  /** Through a proxy (proxy-url or the environment's), with our own agent. */
  readonly viaProxy: boolean;
  /**
   * The TLS options again, for every request: VS Code's extension host patches https (http.proxySupport) and may
   * replace our agent with its proxy agent, which takes TLS options from the request options only. Without this the
   * client certificate is not sent to non-localhost servers and the API server sees an anonymous user.
   */
  readonly tls: TlsRequestOptions;
}

interface TlsRequestOptions {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly rejectUnauthorized?: boolean;
  readonly servername?: string;
}

/**
 * A small, fast Kubernetes REST client for one context, with kubectl's credential semantics (Credentials) and
 * transport (proxy-url, tls-server-name, gzip unless disable-compression). Requests go over one keep-alive agent per
 * TLS identity and responses are parsed with JSON.parse only (no model classes), which keeps large lists cheap.
 * When the credentials change (a rotated token file, an exec plugin's new certificate, a kubeconfig edit through
 * update()), listeners of onDidChangeCredentials are told, so that long-running watches reconnect with them.
 */
export class KubeClient {
  /** Number of HTTP requests started, for the benchmark and the tests. */
  requests = 0;
  readonly server: string;
  private currentSpec: ConnectionSpec;
  private creds: Credentials;
  private transport?: Transport;
  private identity?: string;
  private disposed = false;
  private readonly credentialListeners = new Set<() => void>();
  private streams = 0;
  private recheckTimer?: NodeJS.Timeout;

  constructor(
    spec: ConnectionSpec,
    private readonly options: ClientOptions = {},
  ) {
    const server = spec.cluster.server;
    if (typeof server !== 'string' || !/^https?:\/\//.test(server)) {
      throw new KubeError('config', `Cluster "${spec.clusterName}" of context "${spec.contextName}" has no valid server URL`);
    }
    this.server = server.replace(/\/+$/, '');
    this.currentSpec = spec;
    this.creds = new Credentials(spec, { execTimeoutMs: options.execTimeoutMs });
  }

  /** The bounds on this server's answers (the constants above unless ClientOptions set them). */
  get limits(): { maxBodyBytes: number; maxWatchFrameBytes: number; maxListPages: number; maxListItems: number } {
    return {
      maxBodyBytes: this.options.maxBodyBytes ?? MAX_BODY_BYTES,
      maxWatchFrameBytes: this.options.maxWatchFrameBytes ?? MAX_WATCH_FRAME_BYTES,
      maxListPages: this.options.maxListPages ?? MAX_LIST_PAGES,
      maxListItems: this.options.maxListItems ?? MAX_LIST_ITEMS,
    };
  }

  get spec(): ConnectionSpec {
    return this.currentSpec;
  }
  get contextName(): string {
    return this.currentSpec.contextName;
  }
  get namespace(): string | undefined {
    return this.currentSpec.namespace;
  }

  /**
   * Takes new cluster and user entries for the same server (a kubeconfig edit that changed credentials, the CA, the
   * proxy, ...). Throws KubeError('config') and keeps the old ones when the new entries are unusable.
   */
  update(spec: ConnectionSpec): void {
    if (String(spec.cluster.server).replace(/\/+$/, '') !== this.server) {
      throw new KubeError('config', `The server of context "${spec.contextName}" changed; a new client is needed`);
    }
    const creds = new Credentials(spec, { execTimeoutMs: this.options.execTimeoutMs });
    this.currentSpec = spec;
    this.creds = creds;
    this.identity = undefined;
    this.dropTransport();
    this.credentialsChanged();
  }

  /** Called when the credentials in use changed; live watches reconnect with the new ones. */
  onDidChangeCredentials(listener: () => void): { dispose(): void } {
    this.credentialListeners.add(listener);
    return { dispose: () => this.credentialListeners.delete(listener) };
  }

  private credentialsChanged(): void {
    for (const l of [...this.credentialListeners]) {
      try {
        l();
      } catch {
        /* a listener's bug */
      }
    }
  }

  private async material(): Promise<Material> {
    let m: Material;
    try {
      m = await this.creds.material();
    } catch (err) {
      if (err instanceof KubeError) throw err;
      throw new KubeError('config', `Cannot use the credentials of context "${this.contextName}": ${(err as Error).message}`);
    }
    // A server or proxy that echoes the credential back in an error body must not get it shown: see redact().
    const auth = m.headers.Authorization;
    rememberAuthorization(Array.isArray(auth) ? auth[0] : auth, { origin: this.options.credentialOrigin ?? 'user' });
    const before = this.identity;
    this.identity = m.identity;
    if (this.transport && this.transport.key !== this.transportKey(m)) {
      // New TLS material: connections made with the old one go, as client-go closes them on certificate rotation.
      // Streams are told first, so that watches see a restart rather than a network error.
      this.credentialsChanged();
      this.dropTransport();
    } else if (before !== undefined && before !== m.identity) {
      this.credentialsChanged();
    }
    return m;
  }

  private transportKey(m: Material): string {
    return `${m.tlsKey}|${String(this.currentSpec.cluster['proxy-url'] ?? '')}`;
  }

  private dropTransport(): void {
    this.transport?.agent.destroy();
    this.transport = undefined;
  }

  private getTransport(m: Material, timeoutMs: number): Transport {
    const key = this.transportKey(m);
    if (this.transport?.key === key) return this.transport;
    const base = new URL(this.server);
    const isHttps = base.protocol === 'https:';
    const t = m.tls;
    const tls: TlsRequestOptions = isHttps
      ? { ca: t.ca, cert: t.cert, key: t.key, rejectUnauthorized: t.rejectUnauthorized, ...(t.servername ? { servername: t.servername } : {}) }
      : {};
    const agentOptions = { keepAlive: true, maxSockets: 16 };
    const proxyRaw = this.currentSpec.cluster['proxy-url'];
    // No proxy-url: the environment's proxy, as kubectl (it is read once per transport; kubectl reads it once per run).
    const proxy =
      typeof proxyRaw === 'string' && proxyRaw
        ? parseProxyUrl(proxyRaw, this.currentSpec.clusterName)
        : proxyFromEnvironment(base, this.options.env ?? process.env);
    let agent: http.Agent;
    let forwardProxy: URL | undefined;
    if (proxy) {
      // Go's Transport checks an https proxy's certificate with the same TLS settings as the API server's.
      const p = { proxy, timeoutMs, proxyTls: { ca: t.ca, rejectUnauthorized: t.rejectUnauthorized } };
      if (isHttps) agent = new ProxyHttpsAgent(p, { ...agentOptions, ...tls });
      else if (proxy.protocol === 'socks5:') agent = new ProxyHttpAgent(p, agentOptions);
      else {
        forwardProxy = proxy;
        agent =
          proxy.protocol === 'https:' ? new https.Agent({ ...agentOptions, ca: t.ca, rejectUnauthorized: t.rejectUnauthorized }) : new http.Agent(agentOptions);
      }
    } else {
      agent = isHttps ? new https.Agent({ ...agentOptions, ...tls }) : new http.Agent(agentOptions);
    }
    this.transport?.agent.destroy();
    this.transport = { key, agent, isHttps, base, tls, viaProxy: proxy !== undefined, ...(forwardProxy ? { forwardProxy } : {}) };
    return this.transport;
  }

  /** Agent, TLS material and headers for a WebSocket to the API server (port-forward). */
  async connectOptions(): Promise<ConnectOptions> {
    const m = await this.material();
    const transport = this.getTransport(m, this.options.timeoutMs ?? 15_000);
    return {
      agent: transport.agent,
      headers: { ...m.headers },
      ca: m.tls.ca,
      cert: m.tls.cert,
      key: m.tls.key,
      ...(m.tls.servername ? { servername: m.tls.servername } : {}),
      rejectUnauthorized: m.tls.rejectUnauthorized,
    };
  }

  /** One HTTP request; resolves to the parsed JSON body (or the raw text when `accept` is not JSON). */
  async request<T>(method: string, apiPath: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, apiPath, options, false);
    return res as T;
  }

  get<T>(apiPath: string, options?: RequestOptions): Promise<T> {
    return this.request<T>('GET', apiPath, options);
  }

  /**
   * Opens a streaming GET (watch) and calls onLine for every complete line. Resolves when the server ends the
   * stream; rejects on errors. Abort through options.signal.
   */
  async stream(apiPath: string, options: StreamOptions, onLine: (line: string) => void): Promise<void> {
    this.streams++;
    this.scheduleRecheck();
    try {
      await this.send('GET', apiPath, options, true, onLine);
    } finally {
      this.streams--;
    }
  }

  /**
   * Opens a streaming GET whose body is text (pod logs) and calls onText for every decoded chunk as it arrives,
   * empty lines included. Resolves when the server ends the stream; rejects on errors. Abort through options.signal.
   */
  async streamText(apiPath: string, options: StreamOptions, onText: (text: string) => void): Promise<void> {
    this.streams++;
    try {
      await this.send('GET', apiPath, { accept: '*/*', ...options }, true, undefined, onText);
    } finally {
      this.streams--;
    }
  }

  /**
   * While watches run, the credential files are checked now and then even without other requests, so that a rotated
   * token or certificate reconnects them (and a revoked one shows up) instead of going unnoticed for minutes.
   */
  private scheduleRecheck(): void {
    if (this.recheckTimer || this.disposed) return;
    this.recheckTimer = setTimeout(() => {
      this.recheckTimer = undefined;
      if (this.streams <= 0 || this.disposed) return;
      void this.material()
        .catch(() => undefined)
        .finally(() => this.scheduleRecheck());
    }, this.options.credentialRecheckMs ?? 10_000);
    this.recheckTimer.unref();
  }

  private async send(
    method: string,
    apiPath: string,
    options: StreamOptions,
    streaming: boolean,
    onLine?: (line: string) => void,
    onText?: (text: string) => void,
  ): Promise<unknown> {
    if (this.disposed) throw new KubeError('cancelled', 'The client was closed');
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs ?? 15_000;
    const what = `${method} ${apiPath}`;
    // Credentials (including exec plugins) count against the same deadline as the request itself.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), timeoutMs);
    const onAbort = () => deadline.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const m = await raceAbort(this.material(), deadline.signal, () => this.timeoutError(timeoutMs, options.signal));
      const transport = this.getTransport(m, timeoutMs);
      const url = new URL(transport.base.toString());
      url.pathname = (transport.base.pathname.replace(/\/+$/, '') + apiPath).replace(/\/{2,}/g, '/');
      for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
      const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      const reqHeaders: Record<string, string | string[]> = {
        ...m.headers,
        Accept: options.accept ?? 'application/json',
        'User-Agent': 'vcluster-explorer',
      };
      // Go's Transport asks for gzip unless the cluster sets disable-compression (the API server compresses large answers).
      if (this.currentSpec.cluster['disable-compression'] !== true) reqHeaders['Accept-Encoding'] = 'gzip';
      if (body !== undefined) {
        reqHeaders['Content-Type'] = options.contentType ?? 'application/json';
        reqHeaders['Content-Length'] = String(Buffer.byteLength(body));
      }
      this.requests++;
      const { maxBodyBytes, maxWatchFrameBytes } = this.limits;
      return await new Promise<unknown>((resolve, reject) => {
        const onResponse = (res: http.IncomingMessage) => {
          const status = res.statusCode ?? 0;
          const decoded = decode(res, (err) => reject(fromNetworkError(err, this.server)));
          // An answer over a bound: everything stops at once (no byte more is read or kept) and the caller gets the
          // error; nothing is thrown from a stream's callback.
          let over = false;
          const tooLarge = (message: string) => {
            if (over) return;
            over = true;
            reject(new KubeError('server', message));
            decoded.destroy();
            res.destroy();
            req.destroy();
          };
          res.on('error', (err) => reject(fromNetworkError(err, this.server)));
          // A connection cut in the middle of the body (settles nothing if the body was complete).
          res.on('close', () => {
            if (!res.complete)
              reject(
                new KubeError('unreachable', streaming ? `The ${onText ? 'stream' : 'watch'} ${apiPath} was cut off` : `${what}: the connection was cut off`),
              );
          });
          if (status >= 400 || !streaming) {
            const bodyTooLarge = (how: string) =>
              tooLarge(`${this.server} sent an answer to ${what} larger than ${formatBytes(maxBodyBytes)}${how}; it was not read further`);
            if (decoded !== res) {
              // Compressed: the bytes received count too, not only those gunzip makes of them.
              let received = 0;
              res.on('data', (c: Buffer) => {
                received += c.length;
                if (received > maxBodyBytes) bodyTooLarge(' (compressed)');
              });
            }
            const chunks: Buffer[] = [];
            let size = 0;
            decoded.on('data', (c: Buffer) => {
              if (over) return;
              size += c.length;
              if (size > maxBodyBytes) {
                chunks.length = 0;
                bodyTooLarge(decoded !== res ? ' (after gunzip)' : '');
                return;
              }
              chunks.push(c);
            });
            decoded.on('end', () => {
              if (over) return;
              try {
                const text = Buffer.concat(chunks, size).toString('utf8');
                chunks.length = 0;
                if (status >= 400) {
                  if (status === 401) this.creds.unauthorized();
                  reject(fromStatus(status, text, what));
                  return;
                }
                const accept = options.accept ?? 'application/json';
                if (!accept.includes('json')) {
                  resolve(text);
                  return;
                }
                try {
                  resolve(text ? JSON.parse(text) : undefined);
                } catch {
                  reject(new KubeError('server', `${what}: the response is not JSON`));
                }
              } catch (err) {
                // Out of memory for the string (RangeError) and the like: an error for the caller, never uncaught.
                reject(new KubeError('server', `${what}: the answer of ${this.server} could not be read (${(err as Error).message})`));
              }
            });
            return;
          }
          // Streaming: the deadline only covers the response headers; a watch runs until the server or caller ends it.
          clearTimeout(timer);
          try {
            options.onResponse?.();
          } catch {
            /* the caller's bug */
          }
          if (onText) {
            decoded.setEncoding('utf8');
            decoded.on('data', (d: string) => onText(d));
            decoded.on('end', () => resolve(undefined));
            return;
          }
          // Lines of a watch: each chunk is scanned once (a newline byte never occurs inside a UTF-8 sequence), the
          // unfinished line is kept as chunks and joined once it ends, so a long line costs linear time; a line over
          // maxWatchFrameBytes ends the watch, as client-go's decoder refuses an oversized frame.
          const partial: Buffer[] = [];
          let partialBytes = 0;
          const frameTooLarge = () =>
            tooLarge(`${this.server} sent an event on the watch ${apiPath} larger than ${formatBytes(maxWatchFrameBytes)}; the watch was ended`);
          const emit = (line: string) => {
            if (line.trim()) onLine?.(line);
          };
          decoded.on('data', (chunk: Buffer) => {
            let start = 0;
            let i: number;
            while (!over && (i = chunk.indexOf(0x0a, start)) >= 0) {
              const piece = chunk.subarray(start, i);
              start = i + 1;
              if (partialBytes + piece.length > maxWatchFrameBytes) return frameTooLarge();
              const line = partial.length ? Buffer.concat([...partial, piece], partialBytes + piece.length).toString('utf8') : piece.toString('utf8');
              partial.length = 0;
              partialBytes = 0;
              emit(line);
            }
            if (over || start >= chunk.length) return;
            partialBytes += chunk.length - start;
            if (partialBytes > maxWatchFrameBytes) {
              partial.length = 0;
              return frameTooLarge();
            }
            partial.push(chunk.subarray(start));
          });
          decoded.on('end', () => {
            if (over) return;
            if (partialBytes) emit(Buffer.concat(partial, partialBytes).toString('utf8'));
            resolve(undefined);
          });
        };
        const req = this.openRequest(transport, url, method, reqHeaders, onResponse);
        const abort = () => {
          req.destroy();
          reject(this.timeoutError(timeoutMs, options.signal));
        };
        if (deadline.signal.aborted) abort();
        deadline.signal.addEventListener('abort', abort, { once: true });
        req.on('error', (err) => {
          if (deadline.signal.aborted) reject(this.timeoutError(timeoutMs, options.signal));
          else reject(fromNetworkError(err, this.server));
        });
        req.on('close', () => deadline.signal.removeEventListener('abort', abort));
        if (body !== undefined) req.write(body);
        req.end();
      });
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  private openRequest(
    t: Transport,
    url: URL,
    method: string,
    headers: Record<string, string | string[]>,
    onResponse: (res: http.IncomingMessage) => void,
  ): http.ClientRequest {
    if (t.forwardProxy) {
      // A plain-http API server behind an http(s) proxy: the request goes to the proxy with the absolute URL.
      const { host, port } = proxyHostPort(t.forwardProxy);
      const auth = proxyAuthorization(t.forwardProxy);
      return new http.ClientRequest(
        {
          protocol: t.forwardProxy.protocol,
          host,
          port,
          path: url.href,
          method,
          headers: { ...headers, Host: url.host, ...(auth ? { 'Proxy-Authorization': auth } : {}) },
          agent: t.agent,
        },
        onResponse,
      );
    }
    if (t.viaProxy) {
      // Through our proxy agent, not through https.request: a host that patches https.request (VS Code's proxy
      // support) must not swap the agent that carries the cluster's proxy.
      return new http.ClientRequest(
        {
          ...t.tls,
          protocol: url.protocol,
          host: url.hostname.replace(/^\[|\]$/g, ''),
          port: url.port,
          path: url.pathname + url.search,
          method,
          headers,
          agent: t.agent,
        },
        onResponse,
      );
    }
    const mod = t.isHttps ? https : http;
    return mod.request(url, { ...t.tls, method, headers, agent: t.agent }, onResponse);
  }

  private timeoutError(timeoutMs: number, signal?: AbortSignal): KubeError {
    if (signal?.aborted) return new KubeError('cancelled', 'The request was cancelled');
    return new KubeError('timeout', `${this.server} did not answer within ${Math.round(timeoutMs / 1000)} s`);
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.recheckTimer);
    this.recheckTimer = undefined;
    this.credentialListeners.clear();
    this.dropTransport();
  }
}

/** The body of a response, gunzipped when the server compressed it. */
function decode(res: http.IncomingMessage, onError: (err: Error) => void): Readable {
  const encoding = String(res.headers['content-encoding'] ?? '').toLowerCase();
  if (encoding !== 'gzip') return res;
  const gunzip = zlib.createGunzip();
  gunzip.on('error', onError);
  res.on('error', (err) => gunzip.destroy(err));
  res.pipe(gunzip);
  return gunzip;
}

function raceAbort<T>(p: Promise<T>, signal: AbortSignal, onAbort: () => Error): Promise<T> {
  if (signal.aborted) return Promise.reject(onAbort());
  return new Promise<T>((resolve, reject) => {
    const listener = () => reject(onAbort());
    signal.addEventListener('abort', listener, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', listener);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', listener);
        reject(e);
      },
    );
  });
}
