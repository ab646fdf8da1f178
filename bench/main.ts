// `npm run bench` (scripts/bench.mjs runs this file with `node --expose-gc --import tsx`): measured speed and scale of
// vcluster Explorer against kubectl and the vcluster CLI, on real etcd + kube-apiserver + kube-controller-manager
// processes started by the test harness. It prints a table and writes bench/results.json (git-ignored) with, for
// every figure, the median and spread of several runs. It asserts nothing about times, but it exits non-zero when a
// measured operation returns a wrong result (a different number of vclusters, join counts that differ from what was
// built, ...). Every process it starts is stopped again, also on failure and on Ctrl-C (harness processes.ts).
//
//   node scripts/bench.mjs [--quick] [--runs N] [--only discovery,tree,watch,mapping,activation] [--cli-everywhere]
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { repoRoot, toolPath, versions } from '../scripts/lib/toolchain.mjs';
import { startHost, type ClusterAccess, type HostCluster } from '../test/harness/controlPlane';
import { onExitSync, runProgram, runningProcesses } from '../test/harness/processes';
import type { KObject } from '../test/harness/rest';
import { buildWorld, hostName as fixtureHostName, namespaceLabelKey } from '../test/harness/worlds';
import { productModel } from '../test/cluster/product';
import { KubeClient, type ConnectionSpec } from '../src/kube/client';
import { discover } from '../src/vcluster/discovery';
import { fetchMapping, joinMapping, summarize as summarizeMapping } from '../src/vcluster/mapping';
import { withConnection } from '../src/vcluster/explorer';
import { InsideVClusters } from '../src/vcluster/inside';
import type { DiscoveryResult, MappingKind } from '../src/shared/model';
import { BulkRest, pool } from './bulk';
import { CONCURRENCY, buildVClusters, createNamespaces, namespaceOf, statefulSetBody } from './world';
import { type Growth, type Summary, fmtBytes, fmtMs, fmtNum, fmtRatio, growth, round, summarize } from './stats';

// ---- options -------------------------------------------------------------------------------------------------------

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const argValue = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const only = new Set((argValue('--only') ?? 'discovery,tree,watch,mapping,activation').split(',').map((s) => s.trim()).filter(Boolean));
const RUNS = Number(argValue('--runs') ?? (quick ? 3 : 7));
const SIZES = quick
  ? { namespaces: [60, 200], vclusters: [10, 50], treeNamespaces: 200, treeVClusters: 50, joinPods: [1000, 5000], fetchPods: 1000, watchTrials: 10 }
  : { namespaces: [300, 2000], vclusters: [10, 100, 500], treeNamespaces: 2000, treeVClusters: 500, joinPods: [1000, 5000, 20000], fetchPods: 5000, watchTrials: 30 };
const SLOW_MS = 10_000;
const RESULTS_FILE = path.join(repoRoot, 'bench', 'results.json');
const TARGETS = {
  discoveryVsKubectl: 1.0,
  discoveryVsCli: 0.5,
  discoveryVsRaw: 1.3,
  treeChildrenMs: 100,
  join5000Ms: 50,
  watchP95Ms: 1000,
  activateMs: 20,
};

const say = (m: string) => process.stderr.write(`[bench] ${m}\n`);
const failures: string[] = [];
/** A wrong result: recorded, printed, and the run exits non-zero at the end (or at once when `fatal`). */
function wrong(msg: string, fatal = false): void {
  failures.push(msg);
  say(`WRONG RESULT: ${msg}`);
  if (fatal) throw new Error(msg);
}

const gc = (): void => {
  const g = (globalThis as { gc?: () => void }).gc;
  if (!g) throw new Error('run with node --expose-gc (npm run bench does)');
  g();
  g();
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- results -------------------------------------------------------------------------------------------------------

interface DiscoveryPoint {
  cluster: string;
  namespaces: number;
  vclusters: number;
  runs: number;
  ms: { ours: Summary; oursWarm: Summary; raw: Summary; kubectl: Summary; vclusterCli: Summary };
  ratios: { oursToKubectl: Summary; oursToVclusterCli: Summary; oursToRaw: Summary; oursWarmToRaw: Summary };
  apiRequestsPerDiscovery: number;
  rawResponseBytes: number;
}

const results: Record<string, unknown> = {};
const tmpDirs: string[] = [];
onExitSync(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
const mkTmp = (prefix: string) => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tmpDirs.push(d);
  return d;
};

function machine() {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: round(os.totalmem() / 1024 ** 3, 1),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverageAtStart: os.loadavg().map((x) => round(x)),
    kubernetes: versions.kubernetes,
    etcd: versions.etcd,
    vclusterCli: versions.vcluster,
  };
}

// ---- clients ---------------------------------------------------------------------------------------------------------

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** The ConnectionSpec the extension builds from a kubeconfig context with embedded certificates. */
function connectionSpec(c: ClusterAccess): ConnectionSpec {
  return {
    contextName: c.contextName,
    clusterName: c.contextName,
    cluster: { server: c.server, 'certificate-authority-data': b64(c.ca.certPem) },
    userName: c.contextName,
    user: { 'client-certificate-data': b64(c.admin.certPem), 'client-key-data': b64(c.admin.keyPem) },
  };
}

function bulkRest(c: ClusterAccess): BulkRest {
  return new BulkRest({ server: c.server, caPem: c.ca.certPem, certPem: c.admin.certPem, keyPem: c.admin.keyPem }, CONCURRENCY);
}

const countVClusters = (r: DiscoveryResult) => r.namespaces.reduce((n, ns) => n + ns.vclusters.length, 0);

// ---- 1. discovery: ours vs kubectl vs vcluster CLI vs raw HTTPS --------------------------------------------------------

const METADATA_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';

/** The floor: the same four list requests with plain node https (fresh keep-alive agent, as a fresh client has) + JSON.parse. */
async function rawDiscovery(c: ClusterAccess): Promise<{ vclusters: number; bytes: number }> {
  const url = new URL(c.server);
  const agent = new https.Agent({ keepAlive: true, maxSockets: 16, ca: c.ca.certPem, cert: c.admin.certPem, key: c.admin.keyPem });
  const get = (p: string, accept = 'application/json') =>
    new Promise<{ body: { items: KObject[] }; bytes: number }>((resolve, reject) => {
      const req = https.request({ host: url.hostname, port: url.port, path: `${p}?labelSelector=app%3Dvcluster`, method: 'GET', agent, headers: { Accept: accept } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          const buf = Buffer.concat(chunks);
          try {
            if (res.statusCode !== 200) throw new Error(`${p}: HTTP ${res.statusCode}`);
            resolve({ body: JSON.parse(buf.toString('utf8')), bytes: buf.length });
          } catch (err) {
            reject(err);
          }
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  try {
    const [sts, deps, pods, secrets] = await Promise.all([
      get('/apis/apps/v1/statefulsets'),
      get('/apis/apps/v1/deployments'),
      get('/api/v1/pods'),
      get('/api/v1/secrets', METADATA_LIST),
    ]);
    const vclusters = [...sts.body.items, ...deps.body.items].filter((w) => w.metadata?.labels?.release).length;
    return { vclusters, bytes: sts.bytes + deps.bytes + pods.bytes + secrets.bytes };
  } finally {
    agent.destroy();
  }
}

interface CliEnv {
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** HOME, working directory and KUBECONFIG for kubectl and the vcluster CLI (HOME keeps kubectl's discovery cache). */
function cliEnv(c: ClusterAccess): CliEnv {
  const home = mkTmp('vce-bench-home-');
  const kubeconfig = path.join(home, 'kubeconfig');
  fs.writeFileSync(kubeconfig, c.kubeconfig, { mode: 0o600 });
  return { cwd: home, env: { HOME: home, KUBECONFIG: kubeconfig, PATH: process.env.PATH ?? '/usr/bin:/bin' } };
}

async function kubectlDiscovery(e: CliEnv): Promise<number> {
  const r = await runProgram(toolPath('kubectl'), ['get', 'statefulsets,deployments', '-A', '-l', 'app=vcluster', '-o', 'json'], { ...e, timeoutMs: 120_000 });
  const items = (JSON.parse(r.stdout) as { items: KObject[] }).items;
  return items.filter((w) => w.metadata?.labels?.release).length;
}

async function cliDiscovery(e: CliEnv): Promise<number> {
  const r = await runProgram(toolPath('vcluster'), ['list', '--output', 'json'], { ...e, timeoutMs: 300_000 });
  return ((JSON.parse(r.stdout) as unknown[] | null) ?? []).length;
}

type Method = 'ours' | 'oursWarm' | 'raw' | 'kubectl' | 'vclusterCli';

async function measureDiscovery(c: ClusterAccess, namespaces: number, expected: number, runs: number, skip: ReadonlySet<Method> = new Set()): Promise<DiscoveryPoint> {
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
  const names = Object.keys(methods) as Method[];
  // times[m][round]: round 0 is the warm-up (kubectl's discovery cache, the CLI's ~/.vcluster, page cache), rounds
  // 1..runs are measured, each in a rotating order so that a noisy moment hits every method alike. A method whose
  // single run takes longer than SLOW_MS (the vcluster CLI: two throttled requests per vcluster) runs once only, and
  // that first run is its sample; its ratios pair it with ours from the same round.
  const rounds: Record<Method, (number | undefined)[]> = { ours: [], oursWarm: [], raw: [], kubectl: [], vclusterCli: [] };
  const slow = new Set<Method>();
  for (let round = 0; round <= runs; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length]!);
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
  const times = Object.fromEntries(names.map((m) => [m, samples(m)])) as Record<Method, number[]>;
  const ratio = (a: Method, b: Method) => {
    const pairs: number[] = [];
    const measuredB = rounds[b].some((x, i) => i > 0 && x !== undefined);
    rounds[b].forEach((tb, i) => {
      const ta = rounds[a][i];
      if (tb !== undefined && ta !== undefined && (i > 0 || !measuredB)) pairs.push(ta / tb);
    });
    return summarize(pairs, 5);
  };
  return {
    cluster: c.contextName,
    namespaces,
    vclusters: expected,
    runs,
    ms: { ours: summarize(times.ours), oursWarm: summarize(times.oursWarm), raw: summarize(times.raw), kubectl: summarize(times.kubectl), vclusterCli: summarize(times.vclusterCli) },
    ratios: { oursToKubectl: ratio('ours', 'kubectl'), oursToVclusterCli: ratio('ours', 'vclusterCli'), oursToRaw: ratio('ours', 'raw'), oursWarmToRaw: ratio('oursWarm', 'raw') },
    apiRequestsPerDiscovery: requests,
    rawResponseBytes: rawBytes,
  };
}

/** Every host started, so that the end of main() (also on failure) stops them all; stop() is idempotent. */
const startedHosts: HostCluster[] = [];

interface PreparedHost {
  host: HostCluster;
  namespaces: number;
  /** Resolves when every namespace has its default ServiceAccount (the serviceaccount controller is done). */
  settled: Promise<void>;
  buildMs: Record<string, number>;
}

/**
 * Starts a host and creates its namespaces. The serviceaccount controller then needs ~20 requests/s of the
 * controller-manager's budget for a while (≈ 100 s for 2,000 namespaces): `settled` says when the world is quiet,
 * and no figure is measured before that.
 */
async function prepareHost(namespaces: number): Promise<PreparedHost> {
  const t0 = performance.now();
  const host = await startHost({ contextName: `host-${namespaces}ns` });
  startedHosts.push(host);
  const buildMs: Record<string, number> = { startHost: Math.round(performance.now() - t0) };
  say(`host ${host.contextName} ready in ${buildMs.startHost} ms (${host.server})`);
  const rest = bulkRest(host);
  const t = performance.now();
  await createNamespaces(rest, 'bench', 0, namespaces);
  buildMs.namespaces = Math.round(performance.now() - t);
  const settled = settleNamespaces(rest, namespaces).then(() => {
    buildMs.namespacesSettled = Math.round(performance.now() - t);
    say(`${namespaces} namespaces in ${host.contextName} settled after ${buildMs.namespacesSettled} ms`);
  }).finally(() => rest.dispose());
  settled.catch(() => undefined); // awaited by the world
  return { host, namespaces, settled, buildMs };
}

/**
 * Grows the vclusters of a prepared host through `sizes`, measuring discovery at each. `beforeLastBuild` runs just
 * before the largest (slowest, controller-bound, unmeasured) build, so the next host is prepared in its shadow;
 * `othersQuiet` is awaited before every measurement.
 */
async function discoveryWorld(prep: PreparedHost, sizes: number[], keep: boolean, cliAtLargest: boolean, beforeLastBuild?: () => void, othersQuiet?: () => Promise<unknown>): Promise<{ host: HostCluster; points: DiscoveryPoint[]; builtVClusters: number; buildMs: Record<string, number> }> {
  const { host, namespaces, buildMs } = prep;
  const rest = bulkRest(host);
  try {
    const points: DiscoveryPoint[] = [];
    let built = 0;
    for (const n of sizes) {
      if (n === sizes[sizes.length - 1] && sizes.length > 1) beforeLastBuild?.();
      const t = performance.now();
      await buildVClusters(rest, { prefix: 'bench', namespaces, from: built, to: n, controllers: true, log: say });
      buildMs[`vclusters${n}`] = Math.round(performance.now() - t);
      say(`${n - built} vclusters built in ${buildMs[`vclusters${n}`]} ms (${n} in ${host.contextName})`);
      built = n;
      await prep.settled;
      await othersQuiet?.(); // a host prepared in the shadow of the build must be quiet too before anything is measured
      // `vcluster list` makes two requests per vcluster through client-go's default 5 QPS limiter (≈ 200 s at 500
      // vclusters) and its time does not depend on the namespace count: by default it runs at the largest size in
      // the largest world only (--cli-everywhere: in every world, ≈ 3.5 minutes more).
      const skip = new Set<Method>(!cliAtLargest && n === sizes[sizes.length - 1] && sizes.length > 1 ? ['vclusterCli'] : []);
      const p = await measureDiscovery(host, namespaces, n, RUNS, skip);
      say(`discovery ${namespaces} ns / ${n} vc: ours ${fmtMs(p.ms.ours)} · kubectl ${fmtMs(p.ms.kubectl)} · vcluster list ${fmtMs(p.ms.vclusterCli)} · raw ${fmtMs(p.ms.raw)}`);
      points.push(p);
    }
    if (!keep) await host.stop();
    return { host, points, builtVClusters: built, buildMs };
  } finally {
    rest.dispose();
  }
}

/** Waits until the serviceaccount controller has made `default` in every bench namespace (the world is quiet). */
async function settleNamespaces(rest: BulkRest, namespaces: number): Promise<void> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const l = await rest.get('/api/v1/serviceaccounts?fieldSelector=metadata.name%3Ddefault');
    const n = (l.items as KObject[]).filter((sa) => String(sa.metadata.namespace).startsWith('bench-')).length;
    if (n >= namespaces) return;
    if (Date.now() > deadline) throw new Error(`only ${n} of ${namespaces} namespaces got their default ServiceAccount`);
    await sleep(500);
  }
}

// ---- 2. tree children ------------------------------------------------------------------------------------------------

/** The tree's per-context namespaces to search, kept in memory (the extension keeps them in its global state). */
function memorySearchNamespaces() {
  const lists = new Map<string, readonly string[]>();
  return { get: (c: string) => lists.get(c) ?? [], set: async (c: string, n: readonly string[]) => { lists.set(c, n); } };
}

async function measureTree(host: HostCluster, expectedVClusters: number, expectedNamespacesWithVClusters: number) {
  // The real ExplorerTreeProvider with the vscode stand-in: the same code VS Code calls, minus VS Code.
  const stubLib = require('./vscode-stub.cjs') as { createVscodeStub(): unknown; installVscodeStub(stub: unknown): () => void };
  const stub = stubLib.createVscodeStub();
  const restore = stubLib.installVscodeStub(stub);
  const { ExplorerTreeProvider } = require('../src/tree/explorerTree') as typeof import('../src/tree/explorerTree');
  restore();
  type Node = Awaited<ReturnType<InstanceType<typeof ExplorerTreeProvider>['getChildren']>>[number];
  const kcDir = mkTmp('vce-bench-tree-');
  const kcFile = path.join(kcDir, 'kubeconfig');
  fs.writeFileSync(kcFile, host.kubeconfig, { mode: 0o600 });
  const logger = { warn() {}, info() {}, debug() {}, error() {}, trace() {} };
  const make = () => {
    const product = productModel([kcFile], { watch: false, timeoutMs: 120_000 });
    const tree = new ExplorerTreeProvider({
      model: async () => product.model,
      inside: async () => new InsideVClusters(product.model, product.tunnels),
      logger: logger as never,
      nestedMaxDepth: () => 3,
      decorate: (v) => withConnection(v, product.model.snapshot()),
      searchNamespaces: memorySearchNamespaces(),
    });
    return { product, tree };
  };
  const check = (kids: Node[], what: string, expectNs: number) => {
    const nsNodes = kids.filter((k) => k.type === 'namespace');
    const vcs = nsNodes.reduce((n, k) => n + (k.type === 'namespace' ? k.vclusters.length : 0), 0);
    if (nsNodes.length !== expectNs || vcs !== expectedVClusters) {
      wrong(`tree children (${what}): ${nsNodes.length} namespace nodes holding ${vcs} vclusters, expected ${expectNs} holding ${expectedVClusters}`);
    }
  };

  // Cold: a fresh model; the children include discovery (what the first expansion of the context costs). Memory:
  // heap after GC with the children and the model's cache alive, minus before.
  const cold: number[] = [];
  const held: number[] = [];
  for (let run = -1; run < RUNS; run++) {
    const { product, tree } = make();
    const roots = await tree.getChildren();
    const ctx = roots.find((r) => r.type === 'context' && r.context === host.contextName);
    if (!ctx) throw new Error(`no context node ${host.contextName}`);
    gc();
    const h0 = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    const kids = await tree.getChildren(ctx);
    const dt = performance.now() - t0;
    gc();
    const h1 = process.memoryUsage().heapUsed;
    check(kids, 'cold', expectedNamespacesWithVClusters);
    if (run >= 0) {
      cold.push(dt);
      held.push(h1 - h0);
    }
    tree.dispose();
    product.dispose();
  }

  // Warm: discovery cached by the model (a re-render, or a refresh event after the model reloaded): grouping into
  // namespace nodes only. Then what VS Code does next: getTreeItem for each child, and expanding every namespace.
  const { product, tree } = make();
  const roots = await tree.getChildren();
  const ctx = roots.find((r) => r.type === 'context')!;
  await tree.getChildren(ctx);
  const warm: number[] = [];
  const items: number[] = [];
  const expandAll: number[] = [];
  let kids: Node[] = [];
  for (let run = -3; run < RUNS * 3; run++) {
    let t0 = performance.now();
    kids = await tree.getChildren(ctx);
    const w = performance.now() - t0;
    t0 = performance.now();
    for (const k of kids) tree.getTreeItem(k);
    const it = performance.now() - t0;
    t0 = performance.now();
    let vcNodes = 0;
    for (const k of kids) {
      const vk = await tree.getChildren(k);
      for (const v of vk) tree.getTreeItem(v);
      vcNodes += vk.length;
    }
    const ex = performance.now() - t0;
    if (vcNodes !== expectedVClusters) wrong(`expanding every namespace gave ${vcNodes} vcluster nodes, expected ${expectedVClusters}`);
    if (run >= 0) {
      warm.push(w);
      items.push(it);
      expandAll.push(ex);
    }
  }
  check(kids, 'warm', expectedNamespacesWithVClusters);

  // Every namespace of the cluster shown (the namespace filter pins them all): the largest child list a context has.
  const allNs = await product.model.namespaces(host.contextName);
  await tree.setSearchNamespaces(host.contextName, allNs);
  const pinned: number[] = [];
  const pinnedItems: number[] = [];
  for (let run = -3; run < RUNS * 3; run++) {
    let t0 = performance.now();
    kids = await tree.getChildren(ctx);
    const w = performance.now() - t0;
    t0 = performance.now();
    for (const k of kids) tree.getTreeItem(k);
    const it = performance.now() - t0;
    if (run >= 0) {
      pinned.push(w);
      pinnedItems.push(it);
    }
  }
  check(kids, 'all namespaces pinned', allNs.length);
  tree.dispose();
  product.dispose();
  return {
    namespacesInCluster: allNs.length,
    namespaceNodes: expectedNamespacesWithVClusters,
    vclusters: expectedVClusters,
    coldChildrenMs: summarize(cold),
    heapHeldBytes: summarize(held),
    warmChildrenMs: summarize(warm),
    getTreeItemAllChildrenMs: summarize(items),
    expandAllNamespacesMs: summarize(expandAll),
    allNamespacesPinned: { children: allNs.length, childrenMs: summarize(pinned), getTreeItemMs: summarize(pinnedItems) },
    note: 'real ExplorerTreeProvider.getChildren(context) with a stand-in vscode module (TreeItem etc. are plain objects); cold = fresh model, includes discovery over HTTPS; warm = discovery cached by the model',
  };
}

// ---- 4. watch latency ------------------------------------------------------------------------------------------------

async function measureWatch(host: HostCluster, trials: number, debounceMs: number) {
  const rest = bulkRest(host);
  const ns = 'bench-watch';
  await rest.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const kcDir = mkTmp('vce-bench-watch-');
  const kcFile = path.join(kcDir, 'kubeconfig');
  fs.writeFileSync(kcFile, host.kubeconfig, { mode: 0o600 });
  const product = productModel([kcFile], { watch: true, debounceMs, timeoutMs: 120_000 });
  const model = product.model;
  const ctx = host.contextName;
  const has = (r: DiscoveryResult, name: string) => r.namespaces.some((n) => n.name === ns && n.vclusters.some((v) => v.ref.name === name));
  try {
    await model.vclusters(ctx);
    await sleep(1500); // let the three watches connect
    const lat: number[] = [];
    for (let i = -2; i < trials; i++) {
      const name = `watch-${i + 2}`;
      let sub: { dispose(): void } | undefined;
      const seen = new Promise<number>((resolve) => {
        sub = model.onDidChange((e) => {
          if (e.scope !== 'context' || e.context !== ctx) return;
          void model.vclusters(ctx).then((r) => { if (has(r, name)) resolve(performance.now()); }, () => undefined);
        });
      });
      const t0 = performance.now();
      await rest.create(`/apis/apps/v1/namespaces/${ns}/statefulsets`, statefulSetBody(name, ns));
      const t1 = await Promise.race([seen, sleep(15_000).then(() => -1)]);
      sub?.dispose();
      if (t1 < 0) {
        wrong(`watch: the vcluster ${ns}/${name} created in the host did not reach the model within 15 s`, true);
      }
      if (i >= 0) lat.push(t1 - t0);
      await sleep(debounceMs + 700); // let the pod the controller creates settle, so trials do not overlap
    }
    const final = await model.vclusters(ctx, true);
    return { trials, debounceMs, latencyMs: summarize(lat), finalCount: countVClusters(final), created: trials + 2 };
  } finally {
    product.dispose();
    rest.dispose();
  }
}

// ---- 3. mapping ------------------------------------------------------------------------------------------------------

type Obj = KObject & { metadata: { name: string; namespace?: string; uid?: string; creationTimestamp?: string; labels?: Record<string, string>; annotations?: Record<string, string> } };

function runningPod(name: string, ns: string, uid: string): Obj {
  const now = '2026-01-01T00:00:00Z';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, uid, labels: { app: name.replace(/-\d+$/, '') }, creationTimestamp: now },
    spec: { containers: [{ name: 'app', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }], serviceAccountName: 'default' },
    status: {
      phase: 'Running', hostIP: '10.1.0.10', podIP: '10.244.1.10', startTime: now,
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }],
      containerStatuses: [{ name: 'app', image: 'nginx:1.27', imageID: '', ready: true, started: true, restartCount: 0, state: { running: { startedAt: now } } }],
    },
  };
}

/**
 * The host twin of a virtual pod as the syncer writes it (0.21+ annotations; `annotated` false: labels only), as
 * test/harness/worlds.ts lays it out (checked against the real syncer) minus the service account token annotation.
 */
function hostTwin(v: Obj, vcluster: string, hostNs: string, annotated: boolean, serviceUid?: string): Obj {
  const vns = v.metadata.namespace!;
  const name = fixtureHostName(v.metadata.name, vns, vcluster);
  const annotations: Record<string, string> = annotated
    ? {
        'vcluster.loft.sh/object-name': v.metadata.name,
        'vcluster.loft.sh/object-namespace': vns,
        'vcluster.loft.sh/object-uid': v.metadata.uid ?? '',
        'vcluster.loft.sh/object-kind': '/v1, Kind=Pod',
        'vcluster.loft.sh/object-host-name': name,
        'vcluster.loft.sh/object-host-namespace': hostNs,
        'vcluster.loft.sh/name': v.metadata.name,
        'vcluster.loft.sh/namespace': vns,
        'vcluster.loft.sh/uid': v.metadata.uid ?? '',
        'vcluster.loft.sh/labels': Object.entries(v.metadata.labels ?? {}).map(([a, b]) => `${a}="${b}"`).join('\n'),
        'vcluster.loft.sh/service-account-name': 'default',
        'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false',
      }
    : {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: hostNs,
      labels: { ...(v.metadata.labels ?? {}), 'vcluster.loft.sh/managed-by': vcluster, 'vcluster.loft.sh/namespace': vns, [namespaceLabelKey('kubernetes.io/metadata.name', vcluster)]: vns },
      annotations,
      ...(serviceUid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: vcluster, uid: serviceUid, controller: false }] } : {}),
    },
    spec: { ...v.spec, serviceAccountName: `vc-workload-${vcluster}`, automountServiceAccountToken: false },
    status: v.status,
  };
}

/**
 * N virtual pods and their host side: 90 % synced with annotations, 5 % synced without annotations (joined by the
 * name rule), 3 % only in the virtual cluster, 2 % orphans only on the host.
 */
function joinInput(n: number) {
  const vc = 'bench';
  const hostNs = 'team-bench';
  const nsCount = Math.max(5, Math.round(n / 200));
  const virtual: Obj[] = [];
  const host: Obj[] = [];
  const expected = { synced: 0, virtualOnly: 0, hostOnly: 0 };
  for (let k = 0; k < n; k++) {
    const v = runningPod(`web-${k}`, `app-${k % nsCount}`, randomUUID());
    const cat = k % 100;
    if (cat < 90) {
      virtual.push(v);
      host.push(hostTwin(v, vc, hostNs, true));
      expected.synced++;
    } else if (cat < 95) {
      virtual.push(v);
      host.push(hostTwin(v, vc, hostNs, false));
      expected.synced++;
    } else if (cat < 98) {
      virtual.push(v);
      expected.virtualOnly++;
    } else {
      host.push(hostTwin(v, vc, hostNs, true));
      expected.hostOnly++;
    }
  }
  // Host lists come back in name order, not in virtual order.
  host.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
  return { input: { vclusterName: vc, hostNamespace: hostNs, virtual: { Pod: virtual }, host: { Pod: host } }, expected };
}

function measureJoin(sizes: number[]) {
  const out: { pods: number; ms: Summary; rows: number }[] = [];
  for (const n of sizes) {
    const { input, expected } = joinInput(n);
    const times: number[] = [];
    let rows = 0;
    for (let run = -3; run < Math.max(RUNS * 4, 12); run++) {
      gc();
      const t0 = performance.now();
      const r = joinMapping(input);
      const dt = performance.now() - t0;
      const s = summarizeMapping(r);
      if (s.synced !== expected.synced || s.virtualOnly !== expected.virtualOnly || s.hostOnly !== expected.hostOnly) {
        wrong(`joinMapping(${n} pods): synced/virtual-only/host-only ${s.synced}/${s.virtualOnly}/${s.hostOnly}, built ${expected.synced}/${expected.virtualOnly}/${expected.hostOnly}`);
      }
      rows = r.length;
      if (run >= 0) times.push(dt);
    }
    out.push({ pods: n, ms: summarize(times), rows });
    say(`join ${n} pods: ${fmtMs(summarize(times))}`);
  }
  return out;
}

async function measureFetchMapping(host: HostCluster, pods: number) {
  const t0 = performance.now();
  const world = await buildWorld(host, [{ name: 'mapbench', namespace: 'bench-mapping' }]);
  const vc = world.find('mapbench');
  const virtualAccess = vc.virtual!;
  const vrest = bulkRest(virtualAccess);
  const hrest = bulkRest(host);
  const vNamespaces = Array.from({ length: 10 }, (_, i) => `apps-${i}`);
  await pool(vNamespaces, CONCURRENCY, (n) => vrest.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: n } }));
  const idx = Array.from({ length: pods }, (_, i) => i);
  await pool(idx, CONCURRENCY, async (i) => {
    const ns = vNamespaces[i % vNamespaces.length]!;
    const body = runningPod(`web-${i}`, ns, '');
    delete body.metadata.uid;
    delete body.status;
    const created = (await vrest.create(`/api/v1/namespaces/${ns}/pods`, body)) as Obj;
    const twin = hostTwin(created, 'mapbench', 'bench-mapping', true, vc.serviceUid);
    delete twin.status;
    await hrest.create('/api/v1/namespaces/bench-mapping/pods', twin);
  });
  const buildMs = Math.round(performance.now() - t0);
  say(`mapping world: vcluster with a virtual API server + ${pods} pods on each side in ${buildMs} ms`);
  const ref = { context: host.contextName, namespace: 'bench-mapping', name: 'mapbench' };
  const times: number[] = [];
  const joinTimes: number[] = [];
  let requests = 0;
  for (let run = -1; run < RUNS; run++) {
    const hc = new KubeClient(connectionSpec(host), { timeoutMs: 120_000 });
    const vcClient = new KubeClient(connectionSpec(virtualAccess), { timeoutMs: 120_000 });
    try {
      const t = performance.now();
      const m = await fetchMapping({ ref, host: hc, hostNamespace: 'bench-mapping', virtual: vcClient });
      const dt = performance.now() - t;
      const p = m.summary.byKind.Pod ?? { synced: 0, virtualOnly: 0, hostOnly: 0 };
      if (p.synced !== pods || p.virtualOnly !== 0 || p.hostOnly !== 0) {
        wrong(`fetchMapping: pods synced/virtual-only/host-only ${p.synced}/${p.virtualOnly}/${p.hostOnly}, built ${pods}/0/0`);
      }
      if (m.errors.length) wrong(`fetchMapping reported errors: ${m.errors.map((e) => `${e.side} ${e.kind}: ${e.message}`).join('; ')}`);
      requests = hc.requests + vcClient.requests;
      if (run >= 0) times.push(dt);
      // The join alone over the same (real) objects, for the share of the total.
      const virtualPods = await vcClient.get<{ items: Obj[] }>('/api/v1/pods');
      const hostPods = await hc.get<{ items: Obj[] }>('/api/v1/namespaces/bench-mapping/pods', { query: { labelSelector: 'vcluster.loft.sh/managed-by=mapbench' } });
      const tj = performance.now();
      joinMapping({ vclusterName: 'mapbench', hostNamespace: 'bench-mapping', virtual: { Pod: virtualPods.items } as Partial<Record<MappingKind, Obj[]>>, host: { Pod: hostPods.items } as Partial<Record<MappingKind, Obj[]>> });
      if (run >= 0) joinTimes.push(performance.now() - tj);
    } finally {
      hc.dispose();
      vcClient.dispose();
    }
  }
  vrest.dispose();
  hrest.dispose();
  await virtualAccess.stop();
  return { pods, buildMs, ms: summarize(times), joinOfRealObjectsMs: summarize(joinTimes), apiRequests: requests, note: 'fresh clients per run (host + virtual kube-apiserver); all synced kinds listed on both sides, Secrets/ConfigMaps/Endpoints as metadata only' };
}

// ---- 5. activation ---------------------------------------------------------------------------------------------------

async function measureActivation() {
  const build = (await import(pathToFileURL(path.join(repoRoot, 'scripts', 'build.mjs')).href)) as { extensionOptions: Record<string, unknown>; webviewOptions: Record<string, unknown> };
  const esbuild = await import('esbuild');
  const out = mkTmp('vce-bench-dist-');
  // The options of `node scripts/build.mjs --production`, written to a temp dir: dist/ belongs to whoever builds in
  // this working tree (the integration tests load it).
  const prod = { minify: true, sourcemap: false, legalComments: 'none', logLevel: 'error' } as const;
  const extFile = path.join(out, 'extension.js');
  const webFile = path.join(out, 'webview.js');
  const ext = await esbuild.build({ ...build.extensionOptions, ...prod, outfile: extFile, metafile: true } as never);
  await esbuild.build({ ...build.webviewOptions, ...prod, outfile: webFile } as never);
  // An instrumented twin: every @kubernetes/client-node module counts itself when evaluated.
  const probeFile = path.join(out, 'probe', 'extension.js');
  await esbuild.build({
    ...build.extensionOptions,
    ...prod,
    outfile: probeFile,
    metafile: false,
    plugins: [{
      name: 'client-node-marker',
      setup(b: { onLoad: (o: { filter: RegExp }, cb: (a: { path: string }) => { contents: string; loader: 'js' }) => void }) {
        b.onLoad({ filter: /[\\/]node_modules[\\/]@kubernetes[\\/]client-node[\\/].*\.js$/ }, (a) => ({
          contents: `globalThis.__vceClientNode = (globalThis.__vceClientNode || 0) + 1;\n${fs.readFileSync(a.path, 'utf8')}`,
          loader: 'js',
        }));
      },
    }],
  } as never);
  const meta = (ext as { metafile: { outputs: Record<string, { bytes: number; inputs: Record<string, { bytesInOutput: number }> }> } }).metafile;
  const extOut = Object.values(meta.outputs).find((o) => o.bytes === fs.statSync(extFile).size) ?? Object.values(meta.outputs)[0]!;
  const clientNodeBytes = Object.entries(extOut.inputs).filter(([p]) => p.includes('@kubernetes/client-node')).reduce((n, [, i]) => n + i.bytesInOutput, 0);
  const sizes = {
    extensionBytes: fs.statSync(extFile).size,
    extensionGzipBytes: gzipSync(fs.readFileSync(extFile)).length,
    webviewBytes: fs.statSync(webFile).size,
    webviewGzipBytes: gzipSync(fs.readFileSync(webFile)).length,
    clientNodeBytesInExtension: clientNodeBytes,
  };
  const child = path.join(repoRoot, 'bench', 'activate-child.cjs');
  const pkg = path.join(repoRoot, 'package.json');
  const home = mkTmp('vce-bench-act-');
  fs.writeFileSync(path.join(home, 'kubeconfig'), 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
  const env = { HOME: home, KUBECONFIG: path.join(home, 'kubeconfig'), PATH: process.env.PATH ?? '' };
  const runChild = async (bundle: string, extra: string[] = []) => {
    const r = await runProgram(process.execPath, [child, bundle, pkg, home, ...extra], { env, cwd: home, timeoutMs: 60_000 });
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown> & { loadMs: number; activateMs: number; totalMs: number };
  };
  const load: number[] = [];
  const act: number[] = [];
  const total: number[] = [];
  let sample: Record<string, unknown> = {};
  const n = quick ? 5 : 15;
  for (let run = -2; run < n; run++) {
    const r = await runChild(extFile);
    if (run >= 0) {
      load.push(r.loadMs);
      act.push(r.activateMs);
      total.push(r.totalMs);
    }
    sample = r;
  }
  const probe = await runChild(probeFile, ['--probe']);
  const clientNodeAtActivate = probe.clientNodeModulesAtActivate as number;
  const clientNodeAfter = probe.clientNodeModulesAfterServices as number;
  if (!(clientNodeAfter > 0)) wrong('activation probe: the client-node marker never counted, even after the services loaded (the probe does not work)');
  return {
    note: 'OUR module only: require(dist/extension.js) + activate(context) in a fresh plain Node process per run, with a stand-in `vscode` module injected through Module._load; the real extension host adds its own work around this',
    bundle: 'esbuild with the options of `node scripts/build.mjs --production`, built into a temp dir',
    sizes,
    loadMs: summarize(load),
    activateMs: summarize(act),
    loadPlusActivateMs: summarize(total),
    vscodeCallsDuringActivate: sample.vscodeCalls,
    vscodeCallKinds: sample.vscodeCallKinds,
    stubMissing: sample.missing,
    requireCacheAdded: sample.requireCacheAdded,
    clientNode: {
      modulesEvaluatedByLoadAndActivate: clientNodeAtActivate,
      modulesEvaluatedAfterServicesLoaded: clientNodeAfter,
      evaluatedDuringActivate: clientNodeAtActivate > 0,
    },
  };
}

// ---- report ----------------------------------------------------------------------------------------------------------

function verdict(ok: boolean): string {
  return ok ? 'met' : 'MISSED';
}

function printReport(r: Record<string, any>): string {
  const lines: string[] = [];
  const p = (s = '') => lines.push(s);
  const m = r.machine;
  p(`vcluster Explorer benchmark — ${r.mode} run, ${r.startedAt}, ${Math.round(r.durationS)} s`);
  p(`Machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}; load average at start ${m.loadAverageAtStart.join(' ')}`);
  p(`Cluster: real etcd ${m.etcd} + kube-apiserver/kube-controller-manager ${m.kubernetes} (test harness); kubectl ${m.kubernetes}; vcluster CLI ${m.vclusterCli}`);
  p('Figures: median (min–max) over the runs; ratios are computed run by run (same round, rotating order) and then summarized.');
  p();
  if (r.discovery) {
    p('1. Discovery of all vclusters in a context (one fresh client per run, i.e. first expansion; "warm" = reused client)');
    p('| namespaces | vclusters | ours | ours warm | raw HTTPS (floor) | kubectl get sts,deploy -A | vcluster list | ours/kubectl | ours/vcluster CLI | ours/raw | API calls |');
    p('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const d of r.discovery.points as DiscoveryPoint[]) {
      p(`| ${d.namespaces} | ${d.vclusters} | ${fmtMs(d.ms.ours)} | ${fmtMs(d.ms.oursWarm)} | ${fmtMs(d.ms.raw)} | ${fmtMs(d.ms.kubectl)} | ${fmtMs(d.ms.vclusterCli)} | ${fmtRatio(d.ratios.oursToKubectl)} | ${fmtRatio(d.ratios.oursToVclusterCli)} | ${fmtRatio(d.ratios.oursToRaw)} | ${d.apiRequestsPerDiscovery} |`);
    }
    p();
  }
  if (r.tree) {
    const t = r.tree;
    p(`2. Tree children of a context with ${t.namespacesInCluster} namespaces and ${t.vclusters} vclusters (${t.namespaceNodes} namespace nodes)`);
    p(`   cold (fresh model, first expansion, includes discovery over HTTPS): ${fmtMs(t.coldChildrenMs)}${t.rawFloorMs ? ` (raw HTTPS floor of discovery alone: ${fmtMs(t.rawFloorMs)})` : ''}; heap held by model cache + children: ${fmtBytes(t.heapHeldBytes.median)} (${fmtBytes(t.heapHeldBytes.min)}–${fmtBytes(t.heapHeldBytes.max)})`);
    p(`   warm (discovery cached): ${fmtMs(t.warmChildrenMs)}; getTreeItem for all children ${fmtMs(t.getTreeItemAllChildrenMs)}; expanding every namespace to vcluster items ${fmtMs(t.expandAllNamespacesMs)}`);
    p(`   all ${t.allNamespacesPinned.children} namespaces pinned by the filter: children ${fmtMs(t.allNamespacesPinned.childrenMs)}, getTreeItem ${fmtMs(t.allNamespacesPinned.getTreeItemMs)}`);
    p();
  }
  if (r.mapping) {
    p('3. Mapping');
    for (const j of r.mapping.join) p(`   joinMapping, ${j.pods} pods (${j.rows} rows): ${fmtMs(j.ms)}`);
    if (r.mapping.fetch) {
      const f = r.mapping.fetch;
      p(`   fetchMapping, ${f.pods} pods in a real virtual API server + host namespace: ${fmtMs(f.ms)} (${f.apiRequests} API calls; the join of those objects alone ${fmtMs(f.joinOfRealObjectsMs)})`);
    }
    p();
  }
  if (r.watch) {
    const w = r.watch;
    p(`4. Watch latency: vcluster created in the host → in model.vclusters() after onDidChange, ${w.trials} trials, debounce ${w.debounceMs} ms (the setting's default)`);
    p(`   median ${fmtNum(w.latencyMs.median)} ms, p95 ${fmtNum(w.latencyMs.p95)} ms (min ${fmtNum(w.latencyMs.min)}, max ${fmtNum(w.latencyMs.max)})`);
    p();
  }
  if (r.activation) {
    const a = r.activation;
    p(`5. Activation — ${a.note}`);
    p(`   load ${fmtMs(a.loadMs)}, activate() ${fmtMs(a.activateMs)}, load+activate ${fmtMs(a.loadPlusActivateMs)}; ${a.vscodeCallsDuringActivate} vscode API calls`);
    p(`   dist/extension.js ${fmtBytes(a.sizes.extensionBytes)} (gzip ${fmtBytes(a.sizes.extensionGzipBytes)}; client-node code in it ${fmtBytes(a.sizes.clientNodeBytesInExtension)}), dist/webview.js ${fmtBytes(a.sizes.webviewBytes)} (gzip ${fmtBytes(a.sizes.webviewGzipBytes)})`);
    p(`   @kubernetes/client-node evaluated during load+activate: ${a.clientNode.evaluatedDuringActivate ? `YES (${a.clientNode.modulesEvaluatedByLoadAndActivate} modules)` : 'no (0 modules)'}; after the lazy services load: ${a.clientNode.modulesEvaluatedAfterServicesLoaded} modules (the probe's positive control)`);
    p();
  }
  if (r.growth) {
    p('6. Growth with size (t ≈ fixed + per-item·n fitted over the sizes; exponent = log(time ratio)/log(size ratio) of each step)');
    for (const [name, g] of Object.entries(r.growth as Record<string, Growth>)) {
      p(`   ${name}: ${g.verdict}; steps ${g.steps.map((s) => `${s.from}→${s.to}: ×${s.sizeRatio} size, ×${s.valueRatio} time (exp ${s.exponent})`).join('; ')}`);
    }
    p();
  }
  if (r.targets) {
    p('Targets');
    for (const t of r.targets as { target: string; value: string; met: boolean }[]) {
      const v = t.target.startsWith('(info)') ? (t.met ? 'under' : 'over') : verdict(t.met);
      p(`   ${v.padEnd(6)} ${t.target}: ${t.value}`);
    }
    p();
  }
  p(failures.length ? `WRONG RESULTS (${failures.length}):\n${failures.map((f) => `   ${f}`).join('\n')}` : 'All measured operations returned the results that were built.');
  return lines.join('\n');
}

function targets(r: Record<string, any>) {
  const out: { target: string; value: string; met: boolean }[] = [];
  if (r.discovery) {
    for (const d of r.discovery.points as DiscoveryPoint[]) {
      const label = `${d.vclusters} vc / ${d.namespaces} ns`;
      out.push({ target: `discovery ≤ ${TARGETS.discoveryVsKubectl}× kubectl (${label})`, value: fmtRatio(d.ratios.oursToKubectl), met: d.ratios.oursToKubectl.median <= TARGETS.discoveryVsKubectl });
      if (d.ratios.oursToVclusterCli.n > 0) out.push({ target: `discovery ≤ ${TARGETS.discoveryVsCli}× vcluster CLI (${label})`, value: fmtRatio(d.ratios.oursToVclusterCli), met: d.ratios.oursToVclusterCli.median <= TARGETS.discoveryVsCli });
      out.push({ target: `discovery within ${TARGETS.discoveryVsRaw}× raw (${label})`, value: `${fmtRatio(d.ratios.oursToRaw)}; warm client ${fmtRatio(d.ratios.oursWarmToRaw)}`, met: d.ratios.oursToRaw.median <= TARGETS.discoveryVsRaw });
    }
  }
  if (r.tree) {
    const t = r.tree;
    out.push({ target: `tree children (discovery result → ${t.namespaceNodes} namespace nodes, ${t.namespacesInCluster} namespaces in the cluster) < ${TARGETS.treeChildrenMs} ms`, value: fmtMs(t.warmChildrenMs), met: t.warmChildrenMs.median < TARGETS.treeChildrenMs });
    out.push({ target: `tree children with all ${t.namespacesInCluster} namespaces pinned < ${TARGETS.treeChildrenMs} ms`, value: fmtMs(t.allNamespacesPinned.childrenMs), met: t.allNamespacesPinned.childrenMs.median < TARGETS.treeChildrenMs });
    const floor = t.rawFloorMs ? `; the raw HTTPS floor of its 4 list requests at this size is ${fmtMs(t.rawFloorMs)}` : '';
    out.push({ target: `(info) first expansion incl. discovery over HTTPS < ${TARGETS.treeChildrenMs} ms`, value: `${fmtMs(t.coldChildrenMs)}${floor}`, met: t.coldChildrenMs.median < TARGETS.treeChildrenMs });
  }
  if (r.mapping) {
    const j = (r.mapping.join as { pods: number; ms: Summary }[]).find((x) => x.pods === 5000);
    if (j) out.push({ target: `5,000-pod join < ${TARGETS.join5000Ms} ms`, value: fmtMs(j.ms), met: j.ms.median < TARGETS.join5000Ms });
  }
  if (r.watch) out.push({ target: `watch latency p95 < ${TARGETS.watchP95Ms} ms`, value: `p95 ${fmtNum(r.watch.latencyMs.p95)} ms (median ${fmtNum(r.watch.latencyMs.median)})`, met: r.watch.latencyMs.p95 < TARGETS.watchP95Ms });
  if (r.activation) {
    out.push({ target: `activate() < ${TARGETS.activateMs} ms`, value: fmtMs(r.activation.activateMs), met: r.activation.activateMs.median < TARGETS.activateMs });
    out.push({ target: 'activation does not evaluate @kubernetes/client-node', value: `${r.activation.clientNode.modulesEvaluatedByLoadAndActivate} modules`, met: !r.activation.clientNode.evaluatedDuringActivate });
  }
  return out;
}

// ---- main ------------------------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const started = performance.now();
  const r: Record<string, any> = { mode: quick ? 'quick' : 'full', startedAt: new Date().toISOString(), machine: machine(), runs: RUNS, sizes: SIZES, targets: TARGETS };
  Object.assign(results, r);
  let bigPrep: Promise<PreparedHost> | undefined;
  try {
    if (only.has('activation')) {
      say('activation: production bundles and load+activate in fresh Node processes');
      r.activation = await measureActivation();
    }
    if (only.has('mapping')) {
      say('mapping: joinMapping on in-memory objects');
      r.mapping = { join: measureJoin(SIZES.joinPods) };
    }
    let big: HostCluster | undefined;
    let bigVClusters = 0;
    const bigNs = SIZES.namespaces[SIZES.namespaces.length - 1]!;
    const needBig = ['discovery', 'tree', 'watch', 'mapping'].some((s) => only.has(s));
    if (needBig) {
      const points: DiscoveryPoint[] = [];
      const buildMs: Record<string, unknown> = {};
      if (only.has('discovery')) {
        // The smaller namespace counts first, each in a host of its own that is stopped before the next is measured.
        for (const ns of SIZES.namespaces.slice(0, -1)) {
          say(`discovery world: ${ns} namespaces, vclusters ${SIZES.vclusters.join(' → ')}`);
          const w = await discoveryWorld(await prepareHost(ns), SIZES.vclusters, false, argv.includes('--cli-everywhere'), () => {
            say(`preparing the ${bigNs}-namespace host while the controller builds`);
            bigPrep ??= prepareHost(bigNs);
          }, async () => { if (bigPrep) await (await bigPrep).settled; });
          points.push(...w.points);
          buildMs[`${ns}ns`] = w.buildMs;
        }
      }
      const sizes = only.has('discovery') ? SIZES.vclusters : [SIZES.treeVClusters];
      say(`big world: ${bigNs} namespaces, vclusters ${sizes.join(' → ')}${only.has('discovery') ? '' : ' (no discovery measurements)'}`);
      const prep = await (bigPrep ??= prepareHost(bigNs));
      big = prep.host;
      if (only.has('discovery')) {
        const w = await discoveryWorld(prep, sizes, true, true);
        points.push(...w.points);
        buildMs[`${bigNs}ns`] = w.buildMs;
        bigVClusters = w.builtVClusters;
      } else {
        const rest = bulkRest(big);
        await buildVClusters(rest, { prefix: 'bench', namespaces: bigNs, from: 0, to: sizes[sizes.length - 1]!, controllers: true, log: say });
        rest.dispose();
        await prep.settled;
        bigVClusters = sizes[sizes.length - 1]!;
      }
      if (points.length) r.discovery = { points, buildMs };
    }
    if (big && only.has('tree')) {
      say(`tree: ${bigVClusters} vclusters over ${SIZES.treeNamespaces} namespaces`);
      const nsWith = new Set(Array.from({ length: bigVClusters }, (_, i) => namespaceOf('bench', i, bigNs))).size;
      r.tree = await measureTree(big, bigVClusters, nsWith);
      const floor = (r.discovery?.points as DiscoveryPoint[] | undefined)?.find((p) => p.cluster === big!.contextName && p.vclusters === bigVClusters);
      if (floor) r.tree.rawFloorMs = floor.ms.raw;
      say(`tree: cold ${fmtMs(r.tree.coldChildrenMs)}, warm ${fmtMs(r.tree.warmChildrenMs)}`);
    }
    if (big && only.has('watch')) {
      say(`watch: ${SIZES.watchTrials} trials`);
      r.watch = await measureWatch(big, SIZES.watchTrials, 300);
      bigVClusters += r.watch.created;
      if (r.watch.finalCount !== bigVClusters) wrong(`after the watch trials the model lists ${r.watch.finalCount} vclusters, ${bigVClusters} exist`);
      say(`watch: median ${fmtNum(r.watch.latencyMs.median)} ms, p95 ${fmtNum(r.watch.latencyMs.p95)} ms`);
    }
    if (big && only.has('mapping')) {
      say(`mapping: fetchMapping with ${SIZES.fetchPods} pods`);
      r.mapping.fetch = await measureFetchMapping(big, SIZES.fetchPods);
      say(`fetchMapping: ${fmtMs(r.mapping.fetch.ms)}`);
    }
  } finally {
    await bigPrep?.catch(() => undefined);
    for (const h of startedHosts) await h.stop().catch((err: Error) => say(`stopping ${h.contextName}: ${err.message}`));
  }
  const left = runningProcesses();
  if (left.length) wrong(`processes still running after the hosts stopped: ${left.map((p) => `${p.name}(${p.pid})`).join(', ')}`);

  // 6. growth
  const g: Record<string, Growth> = {};
  if (r.discovery) {
    const pts = r.discovery.points as DiscoveryPoint[];
    for (const ns of new Set(pts.map((p) => p.namespaces))) {
      const series = pts.filter((p) => p.namespaces === ns);
      if (series.length < 2) continue;
      for (const k of ['ours', 'oursWarm', 'raw', 'kubectl', 'vclusterCli'] as const) {
        const have = series.filter((p) => p.ms[k].n > 0);
        if (have.length > 1) g[`discovery ${k}, ${ns} namespaces, by vclusters`] = growth(have.map((p) => ({ size: p.vclusters, value: p.ms[k].median })));
      }
    }
  }
  if (r.mapping?.join?.length > 1) g['joinMapping by pods'] = growth(r.mapping.join.map((j: { pods: number; ms: Summary }) => ({ size: j.pods, value: j.ms.median })));
  if (Object.keys(g).length) r.growth = g;
  r.targets = targets(r);
  r.durationS = (performance.now() - started) / 1000;
  r.machine.loadAverageAtEnd = os.loadavg().map((x) => round(x));
  r.wrongResults = failures;
  const text = printReport(r);
  r.report = text;
  fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(r, null, 2)}\n`);
  process.stdout.write(`\n${text}\n\nResults: ${path.relative(process.cwd(), RESULTS_FILE)}\n`);
  return failures.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`\n[bench] FAILED: ${err.stack ?? err}\n`);
    if (failures.length) process.stderr.write(`[bench] wrong results:\n${failures.map((f) => `  ${f}`).join('\n')}\n`);
    // Whatever was measured so far is still written, marked as failed.
    try {
      fs.writeFileSync(RESULTS_FILE, `${JSON.stringify({ ...results, failed: String(err.message ?? err), wrongResults: failures }, null, 2)}\n`);
    } catch {}
    process.exit(1);
  },
);
