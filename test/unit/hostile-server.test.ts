// Bounded answers from any API server: a hostile or broken server (test/harness/cluster/hostileServers.ts, loopback only)
// sends an endless body, a gzip bomb, a watch line without end, a list whose pages never end, or ends every watch
// after one event. The client must stop reading with a clear error that names the server, keep its memory bounded
// (the server's bytes stop growing), never throw uncaught, and pace its watch requests.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ClientOptions, KubeClient, MAX_BODY_BYTES } from '../../src/kube/client';
import { KubeError } from '../../src/kube/errors';
import { TokenBucket, Watcher } from '../../src/kube/watch';
import { listAll } from '../../src/vcluster/discovery';
import { listResources } from '../../src/vcluster/resources';
import { type HostileBehaviour, type HostileServer, hostileServer } from '../harness/cluster/hostileServers';
import { waitFor } from '../harness/cluster/rest';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const until = (what: string, fn: () => boolean) => waitFor(what, async () => fn(), 10_000, 20);

function client(server: string, options: ClientOptions = {}): KubeClient {
  return new KubeClient({ contextName: 'ctx', clusterName: 'c', cluster: { server }, userName: 'u', user: {} }, { timeoutMs: 20_000, ...options });
}

/** A hostile server and a client to it for one test; both closed afterwards, also on failure. */
function withServer(): { open(b: HostileBehaviour, o?: ClientOptions): Promise<{ s: HostileServer; c: KubeClient }> } {
  const opened: { s: HostileServer; c: KubeClient }[] = [];
  afterEach(async () => {
    for (const { s, c } of opened.splice(0)) {
      c.dispose();
      await s.close();
    }
  });
  return {
    open: async (b, o) => {
      const s = await hostileServer(b);
      const c = client(s.url, o);
      opened.push({ s, c });
      return { s, c };
    },
  };
}

/** Rejects with the error `p` rejects with; fails when it resolves. */
async function rejection(p: Promise<unknown>): Promise<KubeError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof KubeError, `a KubeError, not ${String(err)}`);
    return err;
  }
  assert.fail('resolved, but an error was expected');
}

/** Uncaught exceptions while `fn` runs (none may happen). */
async function noUncaught(fn: () => Promise<void>): Promise<void> {
  const uncaught: unknown[] = [];
  const on = (e: unknown) => uncaught.push(e);
  process.on('uncaughtException', on);
  try {
    await fn();
  } finally {
    process.off('uncaughtException', on);
  }
  assert.deepEqual(uncaught, []);
}

describe('bounded answers from a hostile API server', function () {
  this.timeout(60_000);
  const servers = withServer();

  it('an endless body ends with an error naming the server, and the client stops reading', async () => {
    await noUncaught(async () => {
      const { s, c } = await servers.open({ kind: 'endlessBody' }, { maxBodyBytes: 4 * 1024 * 1024 });
      const err = await rejection(c.get('/api/v1/namespaces'));
      assert.equal(err.kind, 'server');
      assert.match(err.message, new RegExp(`^${s.url.replace(/\./g, '\\.')} sent an answer to GET /api/v1/namespaces larger than 4 MiB`));
      await until('the server sees the client close the response', () => s.cutByClient === 1);
      const sent = s.bytesSent;
      await sleep(300);
      assert.equal(s.bytesSent, sent, 'nothing more is sent once the client stopped');
      // The 4 MiB read plus what sat in the socket buffers at the moment of stopping (a few MiB on loopback).
      assert.ok(sent < 20 * 1024 * 1024, `bytes sent: ${sent}`);
    });
  });

  it(`a gzip bomb (256 MiB of spaces in about 300 KiB) stops at ${MAX_BODY_BYTES / 2 ** 20} MiB inflated, with the default bound`, async () => {
    await noUncaught(async () => {
      const { s, c } = await servers.open({ kind: 'gzipBomb', inflatedBytes: 256 * 1024 * 1024 });
      const err = await rejection(c.get('/api/v1/configmaps'));
      assert.equal(err.kind, 'server');
      assert.match(err.message, /larger than 128 MiB \(after gunzip\); it was not read further/);
      assert.ok(err.message.startsWith(s.url), err.message);
      // The whole bomb fits into the socket buffers at once; what counts is that the client stopped inflating it.
      assert.ok(s.bytesSent < 300 * 1024, `compressed bytes sent: ${s.bytesSent}`);
    });
  });

  it('a compressed body is bounded on the wire too: an endless gzip stream that inflates to nothing', async () => {
    await noUncaught(async () => {
      const { s, c } = await servers.open({ kind: 'endlessGzip' }, { maxBodyBytes: 1024 * 1024 });
      const err = await rejection(c.get('/api/v1/configmaps'));
      assert.equal(err.message, `${s.url} sent an answer to GET /api/v1/configmaps larger than 1 MiB (compressed); it was not read further`);
      await until('the client closed the response', () => s.cutByClient === 1);
    });
  });

  it('a watch line without end ends that watch with an error naming the server; the watcher backs off', async () => {
    await noUncaught(async () => {
      const { s, c } = await servers.open({ kind: 'endlessWatchLine' }, { maxWatchFrameBytes: 1024 * 1024 });
      const health: (KubeError | undefined)[] = [];
      const events: string[] = [];
      const w = new Watcher(c, '/api/v1/pods', {
        onEvent: (e) => events.push(e.type),
        onHealth: (e) => health.push(e),
        backoff: { initialMs: 5000, random: () => 0 },
      });
      try {
        await until('the watcher reports the oversized event', () => health.length > 0);
        const e = health[0]!;
        assert.equal(e.kind, 'server');
        assert.equal(e.message, `${s.url} sent an event on the watch /api/v1/pods larger than 1 MiB; the watch was ended`);
        await until('the client closed the watch', () => s.cutByClient === 1);
        const sent = s.bytesSent;
        await sleep(300);
        assert.equal(s.bytesSent, sent, 'nothing more is sent: the watcher waits for its backoff');
        assert.equal(s.watches, 1);
        assert.deepEqual(events, []);
      } finally {
        w.dispose();
      }
    });
  });

  it('the default watch event bound is client-go’s 16 MiB: a 20 MiB line is refused by client.stream', async () => {
    const { s, c } = await servers.open({ kind: 'endlessWatchLine' });
    const lines: string[] = [];
    const err = await rejection(c.stream('/api/v1/pods', { query: { watch: 1 } }, (l) => lines.push(l)));
    assert.match(err.message, /larger than 16 MiB; the watch was ended$/);
    assert.ok(err.message.startsWith(s.url));
    assert.deepEqual(lines, []);
    await until('the client closed the watch', () => s.cutByClient === 1);
    assert.ok(s.bytesSent < 32 * 1024 * 1024, `bytes sent: ${s.bytesSent}`);
  });

  it('lines of a watch split over many chunks are joined whole (a multi-byte character across a chunk border too)', async () => {
    const lines = ['{"type":"ADDED","object":{"metadata":{"name":"é-ü-漢"}}}', '{"type":"DELETED","object":{"metadata":{"name":"b"}}}'];
    const bytes = Buffer.from(`${lines.join('\n')}\n\n${lines[0]}`);
    // Seven bytes a write: the scanner sees lines and characters cut anywhere.
    const srv = http.createServer(async (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      for (let i = 0; i < bytes.length; i += 7) {
        res.write(bytes.subarray(i, i + 7));
        await sleep(1);
      }
      res.end();
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const c = client(`http://127.0.0.1:${(srv.address() as AddressInfo).port}`);
    try {
      const got: string[] = [];
      await c.stream('/api/v1/pods', { query: { watch: 1 } }, (l) => got.push(l));
      assert.deepEqual(got, [...lines, lines[0]]);
    } finally {
      c.dispose();
      srv.closeAllConnections();
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });
});

describe('bounded paged lists', function () {
  this.timeout(60_000);
  const servers = withServer();

  it('a continue token that repeats ends the list after the second page, with an error naming the server (listAll)', async () => {
    const { s, c } = await servers.open({ kind: 'repeatingContinue' });
    const err = await rejection(listAll(c, '/apis/apps/v1/statefulsets', {}, 500));
    assert.equal(err.kind, 'server');
    assert.equal(
      err.message,
      `${s.url} sent a list /apis/apps/v1/statefulsets that repeats the continue token of an earlier page (page 2); it was not read further`,
    );
    assert.equal(s.lists, 2);
  });

  it('a continue token that repeats ends listResources too', async () => {
    const { s, c } = await servers.open({ kind: 'repeatingContinue' });
    const err = await rejection(listResources(c, 'vc', 'vc-ns', { namespace: 'apps', kind: 'Pod' }));
    assert.match(err.message, /repeats the continue token of an earlier page/);
    assert.ok(err.message.startsWith(s.url));
    assert.equal(s.lists, 2);
  });

  it('new continue tokens forever end the list at the page bound', async () => {
    const { s, c } = await servers.open({ kind: 'endlessPages', items: 0 }, { maxListPages: 50 });
    const err = await rejection(listAll(c, '/api/v1/pods', {}, 500));
    assert.match(err.message, /that goes on past 50 pages; it was not read further$/);
    assert.ok(err.message.startsWith(s.url));
    assert.equal(s.lists, 50);
  });

  it('the default page bound holds too (1000 pages)', async () => {
    const { s, c } = await servers.open({ kind: 'endlessPages', items: 0 });
    const err = await rejection(listResources(c, 'vc', 'vc-ns', { namespace: 'apps', kind: 'ConfigMap' }));
    assert.match(err.message, /goes on past 1000 pages/);
    assert.equal(s.lists, 1000);
  });

  it('too many objects end the list at the object bound', async () => {
    const { s, c } = await servers.open({ kind: 'endlessPages', items: 100 }, { maxListItems: 1000 });
    const err = await rejection(listAll(c, '/api/v1/pods', {}, 100));
    assert.match(err.message, /that has more than 1000 objects; it was not read further$/);
    assert.equal(s.lists, 11);
  });
});

describe('watches that end at once are paced', function () {
  this.timeout(60_000);
  const servers = withServer();

  it('TokenBucket: a burst of 10, then 5 a second (client-go’s rest client defaults)', () => {
    let now = 0;
    const b = new TokenBucket({ now: () => now });
    const waits = Array.from({ length: 12 }, () => b.reserve());
    assert.deepEqual(waits.slice(0, 10), Array(10).fill(0));
    assert.deepEqual(waits.slice(10), [200, 400]);
    now = 10_000;
    assert.equal(b.reserve(), 0, 'refilled after a quiet time');
    const again = Array.from({ length: 10 }, () => b.reserve());
    assert.equal(again.filter((w) => w === 0).length, 9, 'never more than the burst');
  });

  it('a server that ends every watch after one event gets a bounded number of requests (defaults)', async () => {
    const { s, c } = await servers.open({ kind: 'watchEndsAfterEvent' });
    const events: string[] = [];
    const logs: string[] = [];
    // The defaults, but no jitter: pauses of 0.8 and 1.6 s, so a second watch comes within the 2 s.
    const w = new Watcher(c, '/api/v1/pods', {
      onEvent: (e) => events.push(e.object.metadata.name),
      log: (_l, m) => logs.push(m),
      backoff: { random: () => 0 },
    });
    try {
      await sleep(2000);
    } finally {
      w.dispose();
    }
    // At most the burst (10) plus 5 a second; in fact far fewer, as every such watch is short and the backoff grows.
    assert.ok(s.watches + s.lists <= 10 + 5 * 2, `requests in 2 s: ${s.watches} watches, ${s.lists} lists (before: thousands)`);
    assert.ok(s.watches >= 2, `the watch was resumed: ${s.watches}`);
    assert.equal(s.lists, 1, 'a short watch with events resumes from its resource version, without a relist');
    assert.ok(events.length >= s.watches - 1, `one event per watch: ${events.length} events, ${s.watches} watches`);
    assert.ok(
      logs.some((m) => /ended within a second \(after 1 events\); resuming after a pause/.test(m)),
      logs.join('\n'),
    );
  });

  it('without the backoff, the token bucket alone bounds the requests: burst + QPS × seconds', async () => {
    const { s, c } = await servers.open({ kind: 'watchEndsAfterEvent' });
    const w = new Watcher(c, '/api/v1/pods', { onEvent: () => undefined, backoff: { initialMs: 1, maxMs: 1, random: () => 0 } });
    try {
      await sleep(2000);
    } finally {
      w.dispose();
    }
    assert.ok(s.watches + s.lists <= 10 + 5 * 2 + 1, `requests in 2 s: ${s.watches} watches, ${s.lists} lists`);
    assert.ok(s.watches >= 5, `the burst was used: ${s.watches}`);
  });

  it('without the token bucket, a watch shorter than a second counts as short even with events: the pauses grow', async () => {
    const { s, c } = await servers.open({ kind: 'watchEndsAfterEvent' });
    const w = new Watcher(c, '/api/v1/pods', {
      onEvent: () => undefined,
      backoff: { initialMs: 100, maxMs: 10_000, random: () => 0 },
      rateLimit: { qps: 1e6, burst: 1e6 },
    });
    try {
      await sleep(2000);
    } finally {
      w.dispose();
    }
    // Pauses of 100, 200, 400, 800 ms fit into 2 s: about 5 watches.
    assert.ok(s.watches >= 3 && s.watches <= 6, `watches in 2 s: ${s.watches}`);
    // Each pause is at least the backoff's (100 ms doubling): a delay of the machine only lengthens them.
    const gaps = s.watchTimes.slice(1).map((t, i) => t - s.watchTimes[i]!);
    assert.ok(
      gaps.every((g, i) => g >= 100 * 2 ** i - 5),
      `pauses grow: ${gaps.join(', ')} ms`,
    );
  });
});
