// Hostile API servers (test/harness/cluster/hostileServers.ts, loopback): how long the client takes to refuse each oversized
// or endless answer with its default bounds, and how much memory it needs meanwhile (peak growth of heap plus
// Buffers over the case, sampled every 5 ms after a full GC), plus the watch requests a server that ends every watch after one
// event gets in 5 s, and the time to read one long valid watch line at several sizes (linear: each chunk is scanned
// once). Reported, not asserted; a case that does not fail as it must is a wrong result.
import { performance } from 'node:perf_hooks';
import { KubeClient, MAX_BODY_BYTES, MAX_LIST_PAGES, MAX_WATCH_FRAME_BYTES } from '../src/kube/client';
import { Watcher } from '../src/kube/watch';
import { listAll } from '../src/vcluster/discovery';
import { type HostileBehaviour, hostileServer } from '../test/harness/cluster/hostileServers';
import { gc, sleep, wrong } from './common';
import { type Summary, summarize } from './stats';

export interface HostileCase {
  readonly name: string;
  readonly ms: Summary;
  readonly peakMemoryGrowthBytes: Summary;
  /** Body bytes the server wrote before the client stopped (median). */
  readonly bytesSent: number;
  readonly error: string;
}

export interface HostileResults {
  readonly bounds: { bodyBytes: number; watchFrameBytes: number; listPages: number };
  readonly cases: HostileCase[];
  /** One valid watch line of `bytes` bytes: time to receive and split it. */
  readonly longLines: { bytes: number; ms: Summary }[];
  /** A server that ends every watch after one event, default pacing: requests in `seconds`. */
  readonly endsAfterEvent: { seconds: number; watches: number; lists: number; events: number };
}

function client(server: string): KubeClient {
  return new KubeClient({ contextName: 'bench', clusterName: 'hostile', cluster: { server }, userName: 'u', user: {} }, { timeoutMs: 60_000 });
}

/**
 * Runs `fn` and returns its time and the peak growth of the JavaScript heap plus external memory (Buffers) while it
 * ran, sampled every 5 ms after a full GC (the resident set would hide it: freed pages of an earlier case are reused).
 */
async function measured<T>(fn: () => Promise<T>): Promise<{ ms: number; peak: number; value: T }> {
  gc();
  const used = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.external;
  };
  const before = used();
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, used());
  }, 5);
  const t0 = performance.now();
  try {
    const value = await fn();
    return { ms: performance.now() - t0, peak: Math.max(0, Math.max(peak, used()) - before), value };
  } finally {
    clearInterval(timer);
  }
}

async function failingCase(
  name: string,
  behaviour: HostileBehaviour,
  runs: number,
  call: (c: KubeClient) => Promise<unknown>,
  expect: RegExp,
): Promise<HostileCase> {
  const ms: number[] = [];
  const peaks: number[] = [];
  const sent: number[] = [];
  let error = '';
  for (let i = 0; i < runs; i++) {
    const s = await hostileServer(behaviour);
    const c = client(s.url);
    try {
      const r = await measured(async () => {
        try {
          await call(c);
          return 'no error';
        } catch (err) {
          return (err as Error).message;
        }
      });
      error = r.value.replace(s.url, '<server>');
      if (!expect.test(r.value)) wrong(`hostile ${name}: ${r.value}`);
      ms.push(r.ms);
      peaks.push(r.peak);
      sent.push(s.bytesSent);
    } finally {
      c.dispose();
      await s.close();
    }
  }
  return { name, ms: summarize(ms), peakMemoryGrowthBytes: summarize(peaks, 0), bytesSent: summarize(sent, 0).median, error };
}

export async function measureHostile(runs: number): Promise<HostileResults> {
  const cases: HostileCase[] = [];
  cases.push(
    await failingCase('gzip bomb, 1 GiB inflated', { kind: 'gzipBomb', inflatedBytes: 1024 ** 3 }, runs, (c) => c.get('/api/v1/configmaps'), /after gunzip/),
  );
  cases.push(await failingCase('endless body', { kind: 'endlessBody' }, runs, (c) => c.get('/api/v1/namespaces'), /larger than/));
  cases.push(
    await failingCase(
      'endless watch line',
      { kind: 'endlessWatchLine' },
      runs,
      (c) => c.stream('/api/v1/pods', { query: { watch: 1 } }, () => undefined),
      /event on the watch .* larger than/,
    ),
  );
  cases.push(
    await failingCase('repeated continue token', { kind: 'repeatingContinue' }, runs, (c) => listAll(c, '/api/v1/pods', {}, 500), /repeats the continue token/),
  );
  cases.push(await failingCase('endless pages', { kind: 'endlessPages', items: 0 }, runs, (c) => listAll(c, '/api/v1/pods', {}, 500), /goes on past/));

  const longLines: { bytes: number; ms: Summary }[] = [];
  for (const mib of [1, 4, 15]) {
    const bytes = mib * 1024 * 1024;
    const s = await hostileServer({ kind: 'longWatchLine', bytes });
    const c = client(s.url);
    const ms: number[] = [];
    try {
      for (let i = 0; i < runs; i++) {
        let got = 0;
        const r = await measured(() => c.stream('/api/v1/pods', { query: { watch: 1 } }, (l) => (got += l.length)));
        if (got < bytes - 64) wrong(`hostile: a ${mib} MiB watch line arrived as ${got} characters`);
        ms.push(r.ms);
      }
    } finally {
      c.dispose();
      await s.close();
    }
    longLines.push({ bytes, ms: summarize(ms) });
  }

  const seconds = 5;
  const s = await hostileServer({ kind: 'watchEndsAfterEvent' });
  const c = client(s.url);
  let events = 0;
  const w = new Watcher(c, '/api/v1/pods', { onEvent: () => events++ });
  try {
    await sleep(seconds * 1000);
  } finally {
    w.dispose();
    c.dispose();
    await s.close();
  }
  return {
    bounds: { bodyBytes: MAX_BODY_BYTES, watchFrameBytes: MAX_WATCH_FRAME_BYTES, listPages: MAX_LIST_PAGES },
    cases,
    longLines,
    endsAfterEvent: { seconds, watches: s.watches, lists: s.lists, events },
  };
}
