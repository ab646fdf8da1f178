// Command line, sizes and targets of `npm run bench` (see main.ts for what each figure is).
//
//   node scripts/bench.mjs [--quick] [--runs N] [--only a,b,…] [--cli-everywhere] [--namespace-curve] [--no-workbench]
import os from 'node:os';
import path from 'node:path';
import { repoRoot, versions } from '../scripts/lib/toolchain.mjs';
import { round } from './stats';

const argv = process.argv.slice(2);
const argValue = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};

/** Every part of the benchmark, in the order it runs. */
export const PARTS = [
  'activation',
  'join',
  'hostile-config',
  'webview',
  'kubeconfig',
  'hostile',
  'hostile-text',
  'discovery',
  'tree',
  'watch',
  'mapping',
  'inside',
  'workbench',
] as const;
export type Part = (typeof PARTS)[number];

export const quick = argv.includes('--quick');
export const cliEverywhere = argv.includes('--cli-everywhere');
/** Also discovery in a second, smaller world (1,000 namespaces): the namespace count's share (about 4 minutes more). */
export const namespaceCurve = argv.includes('--namespace-curve');
export const only: ReadonlySet<string> = new Set(
  (argValue('--only') ?? PARTS.filter((p) => p !== 'workbench' || !argv.includes('--no-workbench')).join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
for (const p of only) if (!(PARTS as readonly string[]).includes(p)) throw new Error(`--only: unknown part "${p}" (parts: ${PARTS.join(', ')})`);
export const RUNS = Number(argValue('--runs') ?? (quick ? 3 : 7));

/**
 * The worlds. Discovery grows the vclusters of the big world (10,000 namespaces, up to 2,000 vclusters), which
 * every later figure reuses; with --namespace-curve first those of a small one (1,000 namespaces) too.
 */
export const SIZES = quick
  ? {
      small: { namespaces: 100, vclusters: [10, 50] },
      big: { namespaces: 1000, vclusters: [10, 50, 200] },
      cliAt: [10],
      joinRows: [1000, 10_000],
      fetchObjects: 2000,
      insidePods: 2000,
      webviewRows: [1000, 10_000],
      kubeconfigContexts: [100, 1000],
      watchTrials: 10,
      workbenchRuns: 2,
      pageLimits: [100],
      pagingRuns: 2,
    }
  : {
      small: { namespaces: 1000, vclusters: [10, 100, 500] },
      big: { namespaces: 10_000, vclusters: [10, 100, 500, 2000] },
      cliAt: [10, 100],
      joinRows: [1000, 10_000, 50_000],
      fetchObjects: 50_000,
      insidePods: 10_000,
      webviewRows: [1000, 10_000, 50_000],
      kubeconfigContexts: [1000, 10_000],
      watchTrials: 30,
      workbenchRuns: 5,
      pageLimits: [250, 500, 1000],
      pagingRuns: 3,
    };

export const TARGETS = {
  discoveryVsKubectl: 1.0,
  discoveryVsCli: 0.5,
  discoveryVsRaw: 1.1,
  treeChildrenMs: 100,
  heapHeldMiB: 60,
  join50000Ms: 100,
  watchP95Ms: 300,
  activateMs: 20,
  switchAt10000Ms: 1000,
  switchVsKubectl: 0.1,
  /** The real workbench: a click on a context's switch button → the status bar names it. */
  switchClickMs: 150,
  backupsToFileSize: 3,
  webviewFirstPaintMs: 300,
  webviewFilterMs: 50,
  webviewFrameP95Ms: 34,
};

export const SLOW_MS = 10_000;
export const RESULTS_FILE = path.join(repoRoot, 'bench', 'results.json');

export function machine() {
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
