import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeError, fromNetworkError, fromStatus } from './errors';
import { ExecCredentialProvider, type ExecConfig } from './execCredential';
import { rememberAuthorization } from '../shared/redact';

/**
 * What a client needs to reach one API server: the raw kubeconfig cluster and user entries (YAML field names) of a
 * context, and the file they came from (relative certificate paths are resolved against it).
 */
export interface ConnectionSpec {
  readonly contextName: string;
  readonly clusterName: string;
  readonly cluster: Readonly<Record<string, unknown>>;
  readonly userName: string;
  readonly user: Readonly<Record<string, unknown>>;
  readonly namespace?: string;
  readonly sourceFile?: string;
}

export interface RequestOptions {
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly body?: unknown;
  readonly contentType?: string;
  readonly accept?: string;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface ClientOptions {
  /** Per-request timeout (default 15 s). */
  readonly timeoutMs?: number;
  /** Timeout for exec credential plugins (default 30 s). */
  readonly execTimeoutMs?: number;
}

interface Transport {
  readonly agent: http.Agent;
  readonly isHttps: boolean;
  readonly base: URL;
  readonly servername?: string;
  /**
   * The TLS options again, for every request: VS Code's extension host patches https (http.proxySupport) and may
   * replace our agent with its proxy agent, which takes TLS options from the request options only. Without this the
   * client certificate is not sent to non-localhost servers and the API server sees an anonymous user.
   */
  readonly tls: https.RequestOptions;
}

/**
 * A small, fast Kubernetes REST client for one context. @kubernetes/client-node provides the authentication
 * (certificates, tokens, token files, auth providers) through its KubeConfig; exec credential plugins run through
 * ExecCredentialProvider so that a hanging plugin times out instead of blocking. Requests go over one keep-alive
 * agent per client and responses are parsed with JSON.parse only (no model classes), which keeps large lists cheap.
 */
export class KubeClient {
  /** Number of HTTP requests started, for the benchmark and the tests. */
  requests = 0;
  readonly server: string;
  private transport?: Transport;
  private kc?: KubeConfig;
  private readonly exec?: ExecCredentialProvider;
  private disposed = false;

  constructor(readonly spec: ConnectionSpec, private readonly options: ClientOptions = {}) {
    const server = spec.cluster.server;
    if (typeof server !== 'string' || !/^https?:\/\//.test(server)) {
      throw new KubeError('config', `Cluster "${spec.clusterName}" of context "${spec.contextName}" has no valid server URL`);
    }
    this.server = server.replace(/\/+$/, '');
    const exec = spec.user.exec as ExecConfig | undefined;
    if (exec && typeof exec === 'object') {
      if (typeof exec.command !== 'string' || !exec.command) {
        throw new KubeError('config', `User "${spec.userName}" of context "${spec.contextName}" has an exec section without a command`);
      }
      this.exec = new ExecCredentialProvider(exec, spec.userName, options.execTimeoutMs ?? 30_000);
    }
  }

  get contextName(): string { return this.spec.contextName; }
  get namespace(): string | undefined { return this.spec.namespace; }

  /** The client-node KubeConfig of this context (exec section removed: we run plugins ourselves). */
  kubeConfig(): KubeConfig {
    if (!this.kc) {
      const { exec: _exec, ...userWithoutExec } = this.spec.user as Record<string, unknown>;
      const kc = new KubeConfig();
      kc.loadFromString(JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: this.spec.clusterName, cluster: this.spec.cluster }],
        users: [{ name: this.spec.userName, user: userWithoutExec }],
        contexts: [{ name: this.spec.contextName, context: { cluster: this.spec.clusterName, user: this.spec.userName, namespace: this.spec.namespace } }],
        'current-context': this.spec.contextName,
      }));
      if (this.spec.sourceFile) kc.makePathsAbsolute(path.dirname(this.spec.sourceFile));
      this.kc = kc;
    }
    return this.kc;
  }

  /** TLS material and auth headers for one request (also used for WebSocket port-forwards). */
  async requestOptions(): Promise<https.RequestOptions & { headers: Record<string, string> }> {
    const opts: https.RequestOptions & { headers: Record<string, string> } = { headers: {} };
    try {
      await this.kubeConfig().applyToHTTPSOptions(opts);
    } catch (err) {
      throw new KubeError('config', `Cannot use the credentials of context "${this.spec.contextName}": ${(err as Error).message}`);
    }
    if (this.exec) {
      const cred = await this.exec.get();
      if (cred.token) opts.headers.Authorization = `Bearer ${cred.token}`;
      if (cred.clientCertificateData) opts.cert = cred.clientCertificateData;
      if (cred.clientKeyData) opts.key = cred.clientKeyData;
    }
    if (opts.auth && !opts.headers.Authorization) {
      opts.headers.Authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    }
    delete opts.auth;
    // A server or proxy that echoes the credential back in an error body must not get it shown: see redact().
    rememberAuthorization(opts.headers.Authorization);
    return opts;
  }

  private async getTransport(): Promise<{ transport: Transport; headers: Record<string, string> }> {
    const opts = await this.requestOptions();
    if (!this.transport) {
      const base = new URL(this.server);
      const isHttps = base.protocol === 'https:';
      const tlsServerName = typeof this.spec.cluster['tls-server-name'] === 'string' ? this.spec.cluster['tls-server-name'] : undefined;
      const agent = isHttps
        ? new https.Agent({
          keepAlive: true,
          maxSockets: 16,
          ca: opts.ca,
          cert: opts.cert,
          key: opts.key,
          rejectUnauthorized: opts.rejectUnauthorized ?? true,
          servername: tlsServerName,
        })
        : new http.Agent({ keepAlive: true, maxSockets: 16 });
      const tls: https.RequestOptions = isHttps
        ? { ca: opts.ca, cert: opts.cert, key: opts.key, rejectUnauthorized: opts.rejectUnauthorized ?? true, ...(tlsServerName ? { servername: tlsServerName } : {}) }
        : {};
      this.transport = { agent, isHttps, base, servername: tlsServerName, tls };
    }
    return { transport: this.transport, headers: opts.headers };
  }

  /** One HTTP request; resolves to the parsed JSON body (or the raw text when `accept` is not JSON). */
  async request<T>(method: string, apiPath: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, apiPath, options, false);
    return res as T;
  }

  get<T>(apiPath: string, options?: RequestOptions): Promise<T> { return this.request<T>('GET', apiPath, options); }

  /**
   * Opens a streaming GET (watch) and calls onLine for every complete line. Resolves when the server ends the
   * stream; rejects on errors. Abort through options.signal.
   */
  async stream(apiPath: string, options: RequestOptions, onLine: (line: string) => void): Promise<void> {
    await this.send('GET', apiPath, options, true, onLine);
  }

  private async send(method: string, apiPath: string, options: RequestOptions, streaming: boolean, onLine?: (line: string) => void): Promise<unknown> {
    if (this.disposed) throw new KubeError('cancelled', 'The client was closed');
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs ?? 15_000;
    const what = `${method} ${apiPath}`;
    // Credentials (including exec plugins) count against the same deadline as the request itself.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), timeoutMs);
    const onAbort = () => deadline.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const { transport, headers } = await raceAbort(this.getTransport(), deadline.signal, () => this.timeoutError(timeoutMs, options.signal));
      const url = new URL(transport.base.toString());
      url.pathname = (transport.base.pathname.replace(/\/+$/, '') + apiPath).replace(/\/{2,}/g, '/');
      for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
      const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      const reqHeaders: Record<string, string> = {
        ...headers,
        Accept: options.accept ?? 'application/json',
        'User-Agent': 'vcluster-explorer',
      };
      if (body !== undefined) {
        reqHeaders['Content-Type'] = options.contentType ?? 'application/json';
        reqHeaders['Content-Length'] = String(Buffer.byteLength(body));
      }
      this.requests++;
      return await new Promise<unknown>((resolve, reject) => {
        const mod = transport.isHttps ? https : http;
        const req = mod.request(url, { ...transport.tls, method, headers: reqHeaders, agent: transport.agent }, (res) => {
          const status = res.statusCode ?? 0;
          res.setEncoding('utf8');
          if (status >= 400 || !streaming) {
            let text = '';
            res.on('data', (d: string) => { text += d; });
            res.on('end', () => {
              if (status >= 400) {
                if (status === 401) this.exec?.invalidate();
                reject(fromStatus(status, text, what));
                return;
              }
              const accept = options.accept ?? 'application/json';
              if (!accept.includes('json')) { resolve(text); return; }
              try { resolve(text ? JSON.parse(text) : undefined); } catch { reject(new KubeError('server', `${what}: the response is not JSON`)); }
            });
            res.on('error', (err) => reject(fromNetworkError(err, this.server)));
            return;
          }
          // Streaming: the deadline only covers the response headers; a watch runs until the server or caller ends it.
          clearTimeout(timer);
          let buf = '';
          res.on('data', (d: string) => {
            buf += d;
            let i: number;
            while ((i = buf.indexOf('\n')) >= 0) {
              const line = buf.slice(0, i);
              buf = buf.slice(i + 1);
              if (line.trim()) onLine?.(line);
            }
          });
          res.on('end', () => { if (buf.trim()) onLine?.(buf); resolve(undefined); });
          res.on('error', (err) => reject(fromNetworkError(err, this.server)));
          res.on('aborted', () => reject(new KubeError('unreachable', `The watch ${apiPath} was cut off`)));
        });
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

  private timeoutError(timeoutMs: number, signal?: AbortSignal): KubeError {
    if (signal?.aborted) return new KubeError('cancelled', 'The request was cancelled');
    return new KubeError('timeout', `${this.server} did not answer within ${Math.round(timeoutMs / 1000)} s`);
  }

  dispose(): void {
    this.disposed = true;
    this.transport?.agent.destroy();
    this.transport = undefined;
  }
}

function raceAbort<T>(p: Promise<T>, signal: AbortSignal, onAbort: () => Error): Promise<T> {
  if (signal.aborted) return Promise.reject(onAbort());
  return new Promise<T>((resolve, reject) => {
    const listener = () => reject(onAbort());
    signal.addEventListener('abort', listener, { once: true });
    p.then(
      (v) => { signal.removeEventListener('abort', listener); resolve(v); },
      (e) => { signal.removeEventListener('abort', listener); reject(e); },
    );
  });
}
