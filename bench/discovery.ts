// 1. Discovery of every vcluster in a context: ours (discover() with a fresh client: the first expansion of a
// context; and with a warm one), the raw floor (the same requests with plain node https + JSON.parse), kubectl and
// the vcluster CLI, run by run in a rotating order. And the page size: the same discovery with one request per list
// and with pages of several sizes, for where paging starts to pay.
import https from 'node:https';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { toolPath } from '../scripts/lib/toolchain.mjs';
import type { ClusterAccess } from '../test/harness/cluster/controlPlane';
import { runProgram } from '../test/harness/cluster/processes';
import type { KObject } from '../test/harness/cluster/rest';
import { KubeClient } from '../src/kube/client';
import { METADATA_LIST } from '../src/kube/types';
import { DISCOVERY_PAGE_LIMIT, discover } from '../src/vcluster/discovery';
import { connectionSpec, countVClusters, gc, mkTmp, say, wrong } from './common';
import { SLOW_MS } from './options';
import { type Summary, summarize } from './stats';

export interface DiscoveryPoint {
  cluster: string;
  namespaces: number;
  vclusters: number;
  runs: number;
  ms: { ours: Summary; oursWarm: Summary; raw: Summary; kubectl: Summary; vclusterCli: Summary };
  ratios: { oursToKubectl: Summary; oursToVclusterCli: Summary; oursToRaw: Summary; oursWarmToRaw: Summary };
  apiRequestsPerDiscovery: number;
  rawResponseBytes: number;
  pageLimit: number;
}

/**
 * The floor: the requests discovery makes (four label-selected lists, each in pages of `pageLimit`) with plain node
 * https (a fresh keep-alive agent, as a fresh client has) and JSON.parse.
 */
export async function rawDiscovery(c: ClusterAccess, pageLimit = DISCOVERY_PAGE_LIMIT): Promise<{ vclusters: number; bytes: number; requests: number }> {
  const url = new URL(c.server);
  const agent = new https.Agent({ keepAlive: true, maxSockets: 16, ca: c.ca.certPem, cert: c.admin.certPem, key: c.admin.keyPem });
  let bytes = 0;
  let requests = 0;
  const page = (p: string, accept: string, cont?: string) =>
    new Promise<{ items: KObject[]; metadata: { continue?: string } }>((resolve, reject) => {
      const q = `labelSelector=app%3Dvcluster${pageLimit > 0 ? `&limit=${pageLimit}` : ''}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`;
      requests++;
      const req = https.request({ host: url.hostname, port: url.port, path: `${p}?${q}`, method: 'GET', agent, headers: { Accept: accept } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          const buf = Buffer.concat(chunks);
          bytes += buf.length;
          try {
            if (res.statusCode !== 200) throw new Error(`${p}: HTTP ${res.statusCode}`);
            resolve(JSON.parse(buf.toString('utf8')));
          } catch (err) {
            reject(err);
          }
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  const all = async (p: string, accept = 'application/json') => {
    const items: KObject[] = [];
    let cont: string | undefined;
    do {
      const l = await page(p, accept, cont);
      items.push(...l.items);
      cont = l.metadata.continue || undefined;
    } while (cont);
    return items;
  };
  try {
    const [sts, deps] = await Promise.all([
      all('/apis/apps/v1/statefulsets'),
      all('/apis/apps/v1/deployments'),
      all('/api/v1/pods'),
      all('/api/v1/secrets', METADATA_LIST),
    ]);
    return { vclusters: [...sts!, ...deps!].filter((w) => w.metadata?.labels?.release).length, bytes, requests };
  } finally {
    agent.destroy();
  }
}

export interface CliEnv {
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** HOME, working directory and KUBECONFIG for kubectl and the vcluster CLI (HOME keeps kubectl's discovery cache). */
export function cliEnv(c: ClusterAccess): CliEnv {
  const home = mkTmp('vce-bench-home-');
  const kubeconfig = path.join(home, 'kubeconfig');
  fs.writeFileSync(kubeconfig, c.kubeconfig, { mode: 0o600 });
  return { cwd: home, env: { HOME: home, KUBECONFIG: kubeconfig, PATH: process.env.PATH ?? '/usr/bin:/bin' } };
}

/** kubectl's list of the same workloads (it reads in chunks of 500, as discovery does). */
async function kubectlDiscovery(e: CliEnv): Promise<number> {
  const r = await runProgram(toolPath('kubectl'), ['get', 'statefulsets,deployments', '-A', '-l', 'app=vcluster', '-o', 'json'], { ...e, timeoutMs: 120_000 });
  const items = (JSON.parse(r.stdout) as { items: KObject[] }).items;
  return items.filter((w) => w.metadata?.labels?.release).length;
}

async function cliDiscovery(e: CliEnv): Promise<number> {
  const r = await runProgram(toolPath('vcluster'), ['list', '--output', 'json'], { ...e, timeoutMs: 900_000 });
  return ((JSON.parse(r.stdout) as unknown[] | null) ?? []).length;
}

type Method = 'ours' | 'oursWarm' | 'raw' | 'kubectl' | 'vclusterCli';
const METHODS: readonly Method[] = ['ours', 'oursWarm', 'raw', 'kubectl', 'vclusterCli'];

/**
 * Discovery at one size by every method. Round 0 is the warm-up (kubectl's discovery cache, the CLI's ~/.vcluster,
 * the page cache); rounds 1..runs are measured, each in a rotating order so that a noisy moment hits every method
 * alike. A method whose single run takes longer than SLOW_MS (the vcluster CLI: two throttled requests per vcluster)
 * runs once only, and that first run is its sample; its ratios pair it with ours from the same round.
 */
export async function measureDiscovery(
  c: ClusterAccess,
  namespaces: number,
  expected: number,
  runs: number,
  skip: ReadonlySet<Method> = new Set(),
): Promise<DiscoveryPoint> {
  const e = cliEnv(c);
  const spec = connectionSpec(c);
  const warm = new KubeClient(spec, { timeoutMs: 120_000 });
  let requests = 0;
  let rawBytes = 0;
  const opts = { rootContext: c.contextName, foundInContext: c.contextName, timeoutMs: 120_000 };
  const methods: Record<Method, () => Promise<number>> = {
    ours: async () => {
      // A fresh client each time: the first expansion of a context in a new window (TLS handshake included).
      const client = new KubeClient(spec, { timeoutMs: 120_000 });
      try {
        const r = await discover(client, opts);
        requests = r.requests;
        return countVClusters(r);
      } finally {
        client.dispose();
      }
    },
    oursWarm: async () => countVClusters(await discover(warm, opts)),
    raw: async () => {
      const r = await rawDiscovery(c);
      rawBytes = r.bytes;
      return r.vclusters;
    },
    kubectl: () => kubectlDiscovery(e),
    vclusterCli: () => cliDiscovery(e),
  };
  const rounds: Record<Method, (number | undefined)[]> = { ours: [], oursWarm: [], raw: [], kubectl: [], vclusterCli: [] };
  const slow = new Set<Method>();
  for (let round = 0; round <= runs; round++) {
    const order = METHODS.map((_, i) => METHODS[(i + round) % METHODS.length]!);
    for (const m of order) {
      if (slow.has(m) || skip.has(m)) continue;
      const t0 = performance.now();
      const found = await methods[m]();
      const dt = performance.now() - t0;
      if (found !== expected) wrong(`discovery (${m}) in ${c.contextName} found ${found} vclusters, ${expected} were built`);
      rounds[m][round] = dt;
      if (dt > SLOW_MS) {
        slow.add(m);
        say(`  ${m} took ${Math.round(dt)} ms: measured once at this size`);
      }
    }
  }
  warm.dispose();
  const samples = (m: Method) => {
    const measured = rounds[m].slice(1).filter((x): x is number => x !== undefined);
    return measured.length ? measured : rounds[m].filter((x): x is number => x !== undefined);
  };
  const ratio = (a: Method, b: Method) => {
    const pairs: number[] = [];
    const measuredB = rounds[b].some((x, i) => i > 0 && x !== undefined);
    rounds[b].forEach((tb, i) => {
      const ta = rounds[a][i];
      if (tb !== undefined && ta !== undefined && (i > 0 || !measuredB)) pairs.push(ta / tb);
    });
    return summarize(pairs, 5);
  };
  const ms = Object.fromEntries(METHODS.map((m) => [m, summarize(samples(m))])) as DiscoveryPoint['ms'];
  return {
    cluster: c.contextName,
    namespaces,
    vclusters: expected,
    runs,
    ms,
    ratios: {
      oursToKubectl: ratio('ours', 'kubectl'),
      oursToVclusterCli: ratio('ours', 'vclusterCli'),
      oursToRaw: ratio('ours', 'raw'),
      oursWarmToRaw: ratio('oursWarm', 'raw'),
    },
    apiRequestsPerDiscovery: requests,
    rawResponseBytes: rawBytes,
    pageLimit: DISCOVERY_PAGE_LIMIT,
  };
}

export interface PagingPoint {
  /** 0: one request per list. */
  pageLimit: number;
  ms: Summary;
  rawMs: Summary;
  apiRequests: number;
  /** Heap growth during one discovery (after GC before, without GC during): what the responses cost in memory. */
  heapGrowthBytes: Summary;
}

/** Discovery with one request per list and with pages of each size, in the same world (a warm client, in turn). */
export async function measurePaging(c: ClusterAccess, expected: number, limits: readonly number[], runs: number): Promise<PagingPoint[]> {
  const all = [0, ...limits];
  const spec = connectionSpec(c);
  const client = new KubeClient(spec, { timeoutMs: 120_000 });
  const times = new Map<number, { ms: number[]; raw: number[]; heap: number[]; requests: number }>(
    all.map((l) => [l, { ms: [], raw: [], heap: [], requests: 0 }]),
  );
  try {
    for (let round = 0; round <= runs; round++) {
      for (let k = 0; k < all.length; k++) {
        const limit = all[(k + round) % all.length]!;
        const t = times.get(limit)!;
        gc();
        const h0 = process.memoryUsage().heapUsed;
        const t0 = performance.now();
        const r = await discover(client, { rootContext: c.contextName, foundInContext: c.contextName, timeoutMs: 120_000, pageLimit: limit });
        const dt = performance.now() - t0;
        const heap = process.memoryUsage().heapUsed - h0;
        if (countVClusters(r) !== expected) wrong(`paged discovery (limit ${limit}) found ${countVClusters(r)} vclusters, ${expected} were built`);
        const t1 = performance.now();
        const raw = await rawDiscovery(c, limit);
        const rawMs = performance.now() - t1;
        if (raw.vclusters !== expected) wrong(`raw paged discovery (limit ${limit}) found ${raw.vclusters} vclusters, ${expected} were built`);
        t.requests = r.requests;
        if (round > 0) {
          t.ms.push(dt);
          t.raw.push(rawMs);
          t.heap.push(heap);
        }
      }
    }
  } finally {
    client.dispose();
  }
  return all.map((l) => {
    const t = times.get(l)!;
    return { pageLimit: l, ms: summarize(t.ms), rawMs: summarize(t.raw), apiRequests: t.requests, heapGrowthBytes: summarize(t.heap, 0) };
  });
}
