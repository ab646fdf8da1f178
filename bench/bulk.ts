// Fast world building for the benchmark: a keep-alive REST client (the harness's KubeRest opens a fresh TLS
// connection per request, which is right for its fault tests and far too slow for 10,000 objects) and a bounded pool.
// Like the harness's client it is independent of the product's KubeClient, so fixtures never share a bug with what
// they measure.
import https from 'node:https';
import type { KObject, RestCredentials } from '../test/harness/rest';

export class BulkRest {
  private readonly url: URL;
  private readonly agent: https.Agent;
  requests = 0;

  constructor(
    readonly creds: RestCredentials,
    maxSockets = 16,
  ) {
    this.url = new URL(creds.server);
    this.agent = new https.Agent({ keepAlive: true, maxSockets, ca: creds.caPem, cert: creds.certPem, key: creds.keyPem });
  }

  request<T = KObject>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: T }> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    this.requests++;
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          host: this.url.hostname,
          port: this.url.port || 443,
          path,
          method,
          agent: this.agent,
          timeout: 60_000,
          headers: {
            Accept: 'application/json',
            ...(payload !== undefined ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(payload) } : {}),
            ...(this.creds.token ? { Authorization: `Bearer ${this.creds.token}` } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              /* not JSON */
            }
            resolve({ status: res.statusCode ?? 0, body: parsed as T });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** Creates an object; an existing one (409) counts as success. Retries 429/5xx a few times. */
  async create(collection: string, obj: KObject): Promise<KObject> {
    for (let attempt = 0; ; attempt++) {
      const r = await this.request('POST', collection, obj);
      if (r.status >= 200 && r.status < 300) return r.body;
      if (r.status === 409) return (await this.request('GET', `${collection}/${obj.metadata.name}`)).body;
      if ((r.status === 429 || r.status >= 500) && attempt < 5) {
        await new Promise((res) => setTimeout(res, 200 * (attempt + 1)));
        continue;
      }
      throw new Error(`POST ${collection} ${obj.metadata?.name}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    }
  }

  async patch(path: string, patch: unknown, type: 'merge' | 'strategic' = 'merge'): Promise<KObject> {
    const ct = type === 'merge' ? 'application/merge-patch+json' : 'application/strategic-merge-patch+json';
    for (let attempt = 0; ; attempt++) {
      const r = await this.request('PATCH', path, patch, ct);
      if (r.status >= 200 && r.status < 300) return r.body;
      if ((r.status === 429 || r.status >= 500 || r.status === 409) && attempt < 5) {
        await new Promise((res) => setTimeout(res, 200 * (attempt + 1)));
        continue;
      }
      throw new Error(`PATCH ${path}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    }
  }

  async get(path: string): Promise<KObject> {
    const r = await this.request('GET', path);
    if (r.status < 200 || r.status >= 300) throw new Error(`GET ${path}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    return r.body;
  }

  dispose(): void {
    this.agent.destroy();
  }
}

/** Runs `fn` over `items` with at most `limit` in flight; rejects on the first failure (after in-flight ones settle). */
export async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  let failed: unknown;
  const worker = async () => {
    while (failed === undefined) {
      const i = next++;
      if (i >= items.length) return;
      try {
        out[i] = await fn(items[i]!, i);
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed !== undefined) throw failed;
  return out;
}
