// A minimal Kubernetes REST client for the harness itself (fixtures and readiness checks). It is deliberately separate
// from the product's clients and from @kubernetes/client-node, so that the fixtures do not share a bug with what they
// test. TLS with client certificates or a bearer token; JSON in and out.
import http from 'node:http';
import https from 'node:https';

export interface RestCredentials {
  server: string;
  caPem: string;
  certPem?: string;
  keyPem?: string;
  token?: string;
  /** The name to verify the server's certificate against, when it differs from the server's host (e.g. a pod IP). */
  tlsServerName?: string;
}

export class KubeError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export type PatchType = 'merge' | 'strategic' | 'json';
const patchContentType: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
};

export type KObject = Record<string, any>;

export interface KubeRestOptions {
  /**
   * Connections to reuse (keep-alive, pooled sockets), for many requests in a row (the benchmark's world builder).
   * Default: a fresh connection per request, as the fault tests need: they stop and restart servers under us.
   */
  agent?: https.Agent;
}

export class KubeRest {
  private readonly url: URL;
  protected readonly agent: https.Agent | undefined;

  constructor(
    readonly creds: RestCredentials,
    opts: KubeRestOptions = {},
  ) {
    this.url = new URL(creds.server);
    this.agent = opts.agent;
  }

  /** One request; resolves with status and parsed body (or raw text). Never retries. */
  raw(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
    timeoutMs = 30_000,
  ): Promise<{ status: number; body: unknown; text: string }> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          host: this.url.hostname,
          port: this.url.port || 443,
          path,
          method,
          ca: this.creds.caPem,
          cert: this.creds.certPem,
          key: this.creds.keyPem,
          ...(this.creds.tlsServerName ? { servername: this.creds.tlsServerName } : {}),
          agent: this.agent ?? false,
          timeout: timeoutMs,
          headers: {
            Accept: 'application/json',
            ...(payload !== undefined ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(payload) } : {}),
            ...(this.creds.token ? { Authorization: `Bearer ${this.creds.token}` } : {}),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => {
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              /* not JSON (e.g. /readyz) */
            }
            resolve({ status: res.statusCode ?? 0, body: parsed, text });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out after ${timeoutMs} ms`)));
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  async request<T = KObject>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    const r = await this.raw(method, path, body, contentType);
    if (r.status < 200 || r.status >= 300) {
      const b = r.body as KObject;
      throw new KubeError(
        r.status,
        (typeof b === 'object' && b?.reason) || '',
        `${method} ${path}: ${r.status} ${typeof b === 'object' ? b?.message : r.text.slice(0, 300)}`,
      );
    }
    return r.body as T;
  }

  get<T = KObject>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  async getOrUndefined<T = KObject>(path: string): Promise<T | undefined> {
    try {
      return await this.get<T>(path);
    } catch (err) {
      if (err instanceof KubeError && err.status === 404) return undefined;
      throw err;
    }
  }

  create<T = KObject>(collectionPath: string, obj: KObject): Promise<T> {
    return this.request<T>('POST', collectionPath, obj);
  }

  /** Creates the object, or returns the existing one when it exists already (409). */
  async ensure<T = KObject>(collectionPath: string, obj: KObject): Promise<T> {
    try {
      return await this.create<T>(collectionPath, obj);
    } catch (err) {
      if (err instanceof KubeError && err.status === 409) return this.get<T>(`${collectionPath}/${obj.metadata.name}`);
      throw err;
    }
  }

  patch<T = KObject>(path: string, patch: unknown, type: PatchType = 'merge'): Promise<T> {
    return this.request<T>('PATCH', path, patch, patchContentType[type]);
  }

  put<T = KObject>(path: string, obj: KObject): Promise<T> {
    return this.request<T>('PUT', path, obj);
  }

  async delete(path: string): Promise<void> {
    try {
      await this.request('DELETE', path);
    } catch (err) {
      if (!(err instanceof KubeError && err.status === 404)) throw err;
    }
  }
}

/** REST path of a namespaced or cluster-scoped core/group resource collection. */
export function collectionPath(apiVersion: string, plural: string, namespace?: string): string {
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return namespace ? `${base}/namespaces/${namespace}/${plural}` : `${base}/${plural}`;
}

/** Polls `fn` until it returns a value other than undefined/false, or throws the last error after `timeoutMs`. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** GET http://127.0.0.1:PORT/ (a port-forward's local end): status and body, or the connection's error. */
export function httpGetLocal(port: number, timeoutMs = 15_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}
