// The watch loop under failure: client-go's backoff (exponential with jitter, capped, reset after quiet), no request
// storms for a watch that closes at once after 200, repeated 410 Gone or a dead server; malformed and `null` lines
// end the stream with a logged error; and nothing (timer, socket, listener) piles up over hundreds of retries.
// The failing servers are network faults (a TCP server that drops every connection, a port nobody listens on) or a
// plain HTTP server replaying recorded API answers (a list, a 410 Status); no API server behaviour is imitated
// beyond those recorded answers.
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { KubeClient } from '../../src/kube/client';
import { ExponentialBackoff, Watcher } from '../../src/kube/watch';

const LIST = JSON.stringify({ kind: 'StatefulSetList', apiVersion: 'apps/v1', metadata: { resourceVersion: '1000' }, items: [] });
const GONE = JSON.stringify({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: 'too old resource version: 1 (5000)',
  reason: 'Expired',
  code: 410,
});

interface Recorded {
  url: string;
  lists: number;
  watches: number;
  times: number[];
  close(): Promise<void>;
}

/** An HTTP server answering lists with a recorded list and watches with `watch` (per request). */
async function replay(watch: (res: http.ServerResponse, n: number) => void): Promise<Recorded> {
  const state: Recorded = { url: '', lists: 0, watches: 0, times: [], close: async () => undefined };
  const server = http.createServer((req, res) => {
    const isWatch = new URL(req.url ?? '/', 'http://x').searchParams.get('watch') === '1';
    if (!isWatch) {
      state.lists++;
      res.setHeader('Content-Type', 'application/json');
      res.end(LIST);
      return;
    }
    state.watches++;
    state.times.push(Date.now());
    watch(res, state.watches);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return state;
}

function client(server: string): KubeClient {
  return new KubeClient({ contextName: 'ctx', clusterName: 'c', cluster: { server }, userName: 'u', user: {} }, { timeoutMs: 2000 });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('watch backoff (client-go reflector semantics)', () => {
  it('ExponentialBackoff: 0.8 s doubling to a 30 s cap, plus up to 100 % jitter, reset after 2 quiet minutes', () => {
    let r = 0;
    const b = new ExponentialBackoff({ random: () => r });
    const t0 = 1_000_000;
    const base = [800, 1600, 3200, 6400, 12_800, 25_600, 30_000, 30_000].map((d, i) => {
      assert.equal(b.next(t0 + i), d);
      return d;
    });
    assert.equal(base.length, 8);
    r = 0.5;
    assert.equal(b.next(t0 + 10), 45_000, 'jitter adds random() * 100 % of the pause');
    r = 0.999;
    assert.ok(b.next(t0 + 11) < 60_000);
    assert.equal(new ExponentialBackoff({ random: () => 0 }).next(), 800);
    r = 0;
    assert.equal(b.next(t0 + 11 + 120_001), 800, 'after two minutes without a pause it starts again');
  });

  it('a watch that closes at once after 200 is retried with growing pauses, then relisted', async () => {
    const s = await replay((res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end();
    });
    const c = client(s.url);
    const logs: string[] = [];
    const w = new Watcher(c, '/apis/apps/v1/statefulsets', {
      onEvent: () => undefined,
      log: (_l, m) => logs.push(m),
      backoff: { initialMs: 40, maxMs: 320, random: () => 0 },
    });
    await sleep(1500);
    w.dispose();
    c.dispose();
    await s.close();
    // 40+80+160+320+320 ms of pauses fit into 1.5 s: about 6 watches (the old loop made hundreds).
    assert.ok(s.watches >= 3 && s.watches <= 8, `watch requests: ${s.watches}`);
    const gaps = s.times.slice(1).map((t, i) => t - s.times[i]!);
    assert.ok(gaps[0]! >= 35 && gaps[2]! >= 150, `pauses grow: ${gaps.join(', ')}`);
    assert.ok(s.lists >= s.watches - 1, 'each short watch is followed by a relist');
    assert.ok(logs.some((m) => /ended within a second without any event/.test(m)));
  });

  it('repeated 410 Gone backs off instead of relisting in a tight loop', async () => {
    const s = await replay((res, n) => {
      if (n % 2) {
        res.writeHead(410, { 'Content-Type': 'application/json' });
        res.end(GONE);
      } else {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(`${JSON.stringify({ type: 'ERROR', object: JSON.parse(GONE) })}\n`);
      }
    });
    const c = client(s.url);
    let resyncs = 0;
    const w = new Watcher(c, '/apis/apps/v1/statefulsets', {
      onEvent: () => undefined,
      onResync: () => resyncs++,
      backoff: { initialMs: 40, maxMs: 320, random: () => 0 },
    });
    await sleep(1500);
    w.dispose();
    c.dispose();
    await s.close();
    assert.ok(s.watches >= 3 && s.watches <= 8, `watch requests: ${s.watches}`);
    assert.ok(resyncs >= 2, 'every relist after a 410 asks the owner to reread');
  });

  it('a dead server (connection refused) is retried with the backoff, and reported once', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const c = client(`http://127.0.0.1:${port}`);
    const health: (string | undefined)[] = [];
    const pauses: number[] = [];
    const w = new Watcher(c, '/apis/apps/v1/statefulsets', {
      resourceVersion: '5',
      onEvent: () => undefined,
      onHealth: (e) => health.push(e?.kind),
      backoff: {
        initialMs: 40,
        maxMs: 160,
        random: () => {
          pauses.push(Date.now());
          return 0;
        },
      },
    });
    await sleep(900);
    w.dispose();
    c.dispose();
    assert.deepEqual(health, ['unreachable'], 'one failure report, no flapping');
    assert.ok(pauses.length >= 3 && pauses.length <= 9, `retries: ${pauses.length}`);
  });
});

describe('watch streams with bad lines', () => {
  for (const bad of ['null', '{"type": ', '[]', '"text"', '{"object": {}}']) {
    it(`${JSON.stringify(bad)} ends that stream with a logged error, never an uncaught exception`, async () => {
      const uncaught: unknown[] = [];
      const onUncaught = (e: unknown) => uncaught.push(e);
      process.on('uncaughtException', onUncaught);
      const s = await replay((res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write(`${bad}\n`);
      });
      const c = client(s.url);
      const logs: string[] = [];
      const events: string[] = [];
      const w = new Watcher(c, '/apis/apps/v1/statefulsets', {
        onEvent: (e) => events.push(e.type),
        log: (level, m) => logs.push(`${level}: ${m}`),
        backoff: { initialMs: 30, maxMs: 60, random: () => 0 },
      });
      await sleep(400);
      w.dispose();
      c.dispose();
      await s.close();
      process.off('uncaughtException', onUncaught);
      assert.deepEqual(uncaught, []);
      assert.ok(
        logs.some((m) => /^error: The watch \/apis\/apps\/v1\/statefulsets sent a malformed event/.test(m)),
        logs.join('\n'),
      );
      assert.deepEqual(events, []);
      assert.ok(s.watches >= 2 && s.lists >= 2, 'the stream ended and the watcher relisted after a pause');
    });
  }
});

describe('no resources pile up over many retries', function () {
  this.timeout(60_000);

  const resources = () => {
    const counts: Record<string, number> = {};
    for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
    return counts;
  };

  it('a watcher against a server that drops every connection: timers, sockets and listeners stay flat', async () => {
    let accepted = 0;
    const dropper = net.createServer((sock) => {
      accepted++;
      sock.destroy();
    });
    await new Promise<void>((r) => dropper.listen(0, '127.0.0.1', r));
    const c = client(`http://127.0.0.1:${(dropper.address() as AddressInfo).port}`);
    // Hundreds of retries in seconds: the request pace (QPS 5) is lifted for this test of leaks.
    const w = new Watcher(c, '/apis/apps/v1/statefulsets', {
      onEvent: () => undefined,
      backoff: { initialMs: 1, maxMs: 3, random: () => 0 },
      rateLimit: { qps: 1e6, burst: 1e6 },
    });
    const until = async (n: number) => {
      while (accepted < n) await sleep(5);
    };
    await until(50);
    const early = { res: resources(), listeners: getEventListeners(w.stopSignal, 'abort').length };
    await until(400);
    const late = { res: resources(), listeners: getEventListeners(w.stopSignal, 'abort').length };
    w.dispose();
    c.dispose();
    await new Promise<void>((r) => dropper.close(() => r()));
    assert.ok(late.listeners <= 2, `abort listeners after 400 retries: ${late.listeners} (after 50: ${early.listeners})`);
    for (const kind of ['Timeout', 'TCPSocketWrap', 'TCPWRAP', 'FSReqCallback']) {
      assert.ok((late.res[kind] ?? 0) <= (early.res[kind] ?? 0) + 2, `${kind}: ${early.res[kind] ?? 0} after 50 retries, ${late.res[kind] ?? 0} after 400`);
    }
  });
});
