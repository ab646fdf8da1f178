// Fast world building for the benchmark: the harness's KubeRest over keep-alive connections (by default it opens a
// fresh TLS connection per request, which is right for its fault tests and far too slow for 10,000 objects), and a
// bounded pool. Like the harness's client it is independent of the product's KubeClient, so fixtures never share a
// bug with what they measure.
import https from 'node:https';
import { type KObject, KubeRest, type PatchType, type RestCredentials } from '../test/harness/cluster/rest';

const TIMEOUT_MS = 60_000;
const retryable = (status: number) => status === 429 || status >= 500;
const backOff = (attempt: number) => new Promise((res) => setTimeout(res, 200 * (attempt + 1)));

/** The harness's client over a pool of keep-alive connections, counting its requests and retrying overload. */
export class BulkRest extends KubeRest {
  requests = 0;

  constructor(creds: RestCredentials, maxSockets = 16) {
    super(creds, { agent: new https.Agent({ keepAlive: true, maxSockets, ca: creds.caPem, cert: creds.certPem, key: creds.keyPem }) });
  }

  override raw(method: string, path: string, body?: unknown, contentType?: string, timeoutMs = TIMEOUT_MS) {
    this.requests++;
    return super.raw(method, path, body, contentType, timeoutMs);
  }

  /** Creates an object; an existing one (409) counts as success. Retries 429/5xx a few times. */
  override async create<T = KObject>(collection: string, obj: KObject): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const r = await this.raw('POST', collection, obj);
      if (r.status >= 200 && r.status < 300) return r.body as T;
      if (r.status === 409) return this.get<T>(`${collection}/${obj.metadata.name}`);
      if (retryable(r.status) && attempt < 5) {
        await backOff(attempt);
        continue;
      }
      throw new Error(`POST ${collection} ${obj.metadata?.name}: ${r.status} ${r.text.slice(0, 300)}`);
    }
  }

  /** Patches; retries 429/5xx and conflicts (409) a few times. */
  override async patch<T = KObject>(path: string, patch: unknown, type: PatchType = 'merge'): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await super.patch<T>(path, patch, type);
      } catch (err) {
        const status = (err as { status?: number }).status ?? 0;
        if (!((retryable(status) || status === 409) && attempt < 5)) throw err;
        await backOff(attempt);
      }
    }
  }

  dispose(): void {
    this.agent?.destroy();
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
