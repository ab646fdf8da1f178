// Hostile API servers: small plain-HTTP servers on 127.0.0.1 that answer like a broken or malicious kube-apiserver
// would, to check that the extension's client stays bounded whatever a server sends. Each behaviour is one
// `HostileBehaviour`; lists (GET without watch=1) and watches (watch=1) are told apart by the query, as a real
// API server does. The server counts requests and the body bytes it wrote, so that a test can check that the client
// stopped reading (the bytes stop growing) rather than only that it failed.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';

export type HostileBehaviour =
  /** Every list answers 200 with a JSON list that never ends (written as fast as the client reads). */
  | { readonly kind: 'endlessBody' }
  /** Every list answers a gzip-compressed list of `inflatedBytes` (mostly spaces: valid JSON), small on the wire. */
  | { readonly kind: 'gzipBomb'; readonly inflatedBytes: number }
  /** Every list answers a gzip stream that never ends and inflates to nothing (empty stored deflate blocks). */
  | { readonly kind: 'endlessGzip' }
  /** Lists answer a small list; every watch starts an event line that never ends (no newline, ever). */
  | { readonly kind: 'endlessWatchLine' }
  /** Not hostile, for the benchmark: every watch sends one valid event line of about `bytes` bytes, 64 KiB a write. */
  | { readonly kind: 'longWatchLine'; readonly bytes: number }
  /** Every list page has one object and the same continue token, forever. */
  | { readonly kind: 'repeatingContinue' }
  /** Every list page has `items` objects and a new continue token, forever. */
  | { readonly kind: 'endlessPages'; readonly items: number }
  /** Lists answer a small list; every watch sends one ADDED event (a new resource version each) and ends. */
  | { readonly kind: 'watchEndsAfterEvent' };

export interface HostileServer {
  readonly url: string;
  /** Requests answered: lists (including pages) and watches. */
  readonly lists: number;
  readonly watches: number;
  /** Times (Date.now()) the watch requests came in. */
  readonly watchTimes: readonly number[];
  /** Body bytes written to clients so far, all requests together (compressed bytes for the gzip bomb). */
  readonly bytesSent: number;
  /** Responses the client closed before their end. */
  readonly cutByClient: number;
  close(): Promise<void>;
}

/** After this many requests a server answers 500: a client that would go on forever fails the test instead of hanging. */
export const HOSTILE_GIVE_UP_AFTER = 5000;

const CHUNK = Buffer.from(`${'{"metadata":{"name":"x"}},'.repeat(2500)}`);

/** One gzip member of 1 MiB of spaces (about 1 KiB compressed): members concatenated make a valid gzip stream. */
let spacesMember: Buffer | undefined;
function spaces(): Buffer {
  spacesMember ??= zlib.gzipSync(Buffer.alloc(1024 * 1024, 0x20), { level: 9 });
  return spacesMember;
}

export async function hostileServer(behaviour: HostileBehaviour): Promise<HostileServer> {
  let lists = 0;
  let watches = 0;
  let bytesSent = 0;
  let cutByClient = 0;
  let rv = 1000;
  const watchTimes: number[] = [];

  /** Writes `next()` chunks until it returns undefined or the client goes away, respecting backpressure. */
  const pump = (res: http.ServerResponse, next: () => Buffer | undefined) => {
    let closed = false;
    res.on('close', () => {
      if (!res.writableFinished) cutByClient++;
      closed = true;
    });
    const go = () => {
      while (!closed) {
        const b = next();
        if (!b) {
          res.end();
          return;
        }
        bytesSent += b.length;
        if (!res.write(b)) {
          res.once('drain', go);
          return;
        }
      }
    };
    go();
  };

  const json = (res: http.ServerResponse, body: unknown) => {
    const text = JSON.stringify(body);
    bytesSent += Buffer.byteLength(text);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(text);
  };
  const smallList = () => ({ kind: 'List', apiVersion: 'v1', metadata: { resourceVersion: String(rv) }, items: [] });
  const object = (name: string) => ({ metadata: { name, namespace: 'default', resourceVersion: String(rv) } });

  const server = http.createServer((req, res) => {
    const isWatch = new URL(req.url ?? '/', 'http://x').searchParams.get('watch') === '1';
    if (isWatch) {
      watches++;
      watchTimes.push(Date.now());
    } else lists++;
    if (lists + watches > HOSTILE_GIVE_UP_AFTER) {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end('the hostile server gave up');
      return;
    }
    switch (behaviour.kind) {
      case 'endlessBody': {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        let first = true;
        pump(res, () => {
          if (!first) return CHUNK;
          first = false;
          return Buffer.from('{"kind":"List","apiVersion":"v1","metadata":{},"items":[');
        });
        return;
      }
      case 'gzipBomb': {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
        const members = Math.ceil(behaviour.inflatedBytes / (1024 * 1024));
        let n = 0;
        pump(res, () => {
          n++;
          if (n === 1) return zlib.gzipSync('{"kind":"List","apiVersion":"v1","metadata":{},"items":[');
          if (n <= members + 1) return spaces();
          if (n === members + 2) return zlib.gzipSync(']}');
          return undefined;
        });
        return;
      }
      case 'endlessGzip': {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
        // The gzip header, then non-final stored blocks of length 0 (RFC 1951 3.2.4: 0x00, LEN 0, NLEN 0xffff).
        const empty = Buffer.from(Array.from({ length: (64 * 1024) / 5 }, () => [0x00, 0x00, 0x00, 0xff, 0xff]).flat());
        let first = true;
        pump(res, () => {
          if (!first) return empty;
          first = false;
          return Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff]);
        });
        return;
      }
      case 'endlessWatchLine': {
        if (!isWatch) return json(res, smallList());
        res.writeHead(200, { 'Content-Type': 'application/json' });
        let first = true;
        const a = Buffer.alloc(64 * 1024, 0x61);
        pump(res, () => {
          if (!first) return a;
          first = false;
          return Buffer.from('{"type":"ADDED","object":{"metadata":{"name":"');
        });
        return;
      }
      case 'longWatchLine': {
        if (!isWatch) return json(res, smallList());
        res.writeHead(200, { 'Content-Type': 'application/json' });
        const head = Buffer.from('{"type":"ADDED","object":{"metadata":{"name":"big","annotations":{"a":"');
        const tail = Buffer.from('"}}}}\n');
        let left = Math.max(0, behaviour.bytes - head.length - tail.length);
        const fill = Buffer.alloc(64 * 1024, 0x61);
        let stage = 0;
        pump(res, () => {
          if (stage === 0) {
            stage = 1;
            return head;
          }
          if (left > 0) {
            const n = Math.min(left, fill.length);
            left -= n;
            return fill.subarray(0, n);
          }
          if (stage === 1) {
            stage = 2;
            return tail;
          }
          return undefined;
        });
        return;
      }
      case 'repeatingContinue':
        return json(res, { kind: 'List', apiVersion: 'v1', metadata: { resourceVersion: '7', continue: 'the-same-token' }, items: [object('x')] });
      case 'endlessPages':
        return json(res, {
          kind: 'List',
          apiVersion: 'v1',
          metadata: { resourceVersion: '7', continue: `token-${lists}` },
          items: Array.from({ length: behaviour.items }, (_, i) => object(`o-${lists}-${i}`)),
        });
      case 'watchEndsAfterEvent': {
        if (!isWatch) return json(res, smallList());
        rv++;
        const line = `${JSON.stringify({ type: 'ADDED', object: object(`o-${rv}`) })}\n`;
        bytesSent += Buffer.byteLength(line);
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(line);
        return;
      }
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    get lists() {
      return lists;
    },
    get watches() {
      return watches;
    },
    watchTimes,
    get bytesSent() {
      return bytesSent;
    },
    get cutByClient() {
      return cutByClient;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
