#!/usr/bin/env node
// `npm test`: sets up whatever is missing on this machine (Debian packages, Node 22/24, npm packages, the Go-built
// Kubernetes tools, code-server), then runs every check and suite and prints one closing line:
//   total: N passed, N failed
//
//   node scripts/test.mjs [static] [unit] [cluster] [integration] [package] [newcomer] [--serial]
//                                                                                        (default: all of them)
//
// Suites: static (tsc over the four tsconfigs: the root one, webview-ui/, test/ and bench/; eslint, prettier, import
// cycles), unit (plain-Node mocha), cluster (plain-Node mocha against real etcd/kube-apiserver/kube-controller-manager,
// the vcluster CLI and Helm), integration (mocha inside the real VS Code extension host: code-server in headless
// Chromium, then UI checks), package (the .vsix and its contents), newcomer (README's `npm run demo` and `npm run
// screenshots` run through npm on a copy of the repository: scripts/newcomer.mjs). Exit code 0 only when everything
// passed.
//
// The suites tagged [real vcluster] / [real node] (test/cluster/real-node-*.test.ts and
// test/integration/real-node-*.test.ts) run real vclusters on a real node (test/harness/node/node.ts), which needs root,
// overlayfs and cgroups. On a machine without them those suites fail, saying what is missing, unless
// VCE_SKIP_REAL_NODE=1: then they are not run, and the closing line says so. The closing line counts the tests that
// touched a real vcluster.
//
// The steps run in three lanes at the same time, each line of output prefixed with its step's name: (1) the cluster
// suite's files on a real node and the kubeconfig race, then package; (2) the rest of the cluster suite, then unit;
// (3) static, integration, newcomer. The cluster lanes mostly wait on API servers, kubelets and lock gaps (under one
// core each), so the three share 2 cores well; every suite starts its own control plane and node (the node harness
// keeps concurrent runs apart). --serial runs the steps one after another without prefixes (about twice as long).
// docs/development.md ("How long `npm test` takes") has the figures.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setup } from './setup.mjs';
import { CHECKS } from './lib/checks.mjs';
import { realNodeSupport, SKIP_REAL_NODE_ENV } from './lib/real-node.mjs';
import { envWithNode, mainWrapper, repoRoot, runChild, toolPath } from './lib/toolchain.mjs';

const ALL = ['static', 'unit', 'cluster', 'integration', 'package', 'newcomer'];
const say = (msg) => process.stdout.write(`\n[test] ${msg}\n`);
const bin = (pkg, file) => path.join(repoRoot, 'node_modules', pkg, file);

// ---- running one step's programs ---------------------------------------------------------------------------------

/** Runs `node args` with the tools on PATH; `prefix` (lanes): each line of its output is prefixed with it. */
async function run(node, args, { env = {}, label, prefix } = {}) {
  const start = Date.now();
  say(`${prefix ?? ''}${label}: ${path.basename(args[0])} ${args.slice(1).join(' ')}`);
  const r = await runChild(node, args, {
    cwd: repoRoot,
    env: envWithNode(node, { pathFirst: toolDirs(), set: env }),
    onLine: prefix ? (line, stream) => process[stream].write(`${prefix}${line}\n`) : undefined,
  }).ended;
  if (r.error) console.error(r.error);
  return { code: r.error ? 1 : (r.code ?? (r.signal ? 1 : 0)), ms: Date.now() - start };
}

function toolDirs() {
  return ['kubectl', 'helm', 'vcluster', 'etcd'].map((b) => path.dirname(toolPath(b))).filter((d) => fs.existsSync(d));
}

async function mocha(ctx, label, globs, extra = [], prefix = undefined) {
  const resultFile = path.join(os.tmpdir(), `vce-${label}-${process.pid}.json`);
  fs.rmSync(resultFile, { force: true });
  const r = await run(ctx.node, [bin('mocha', 'bin/mocha.js'), '--import=tsx', '--reporter', 'test/support/reporter.cjs', ...extra, ...globs], {
    label,
    prefix,
    env: { VCE_RESULT_FILE: resultFile },
  });
  return readResult(resultFile, r, label);
}

function readResult(file, r, label) {
  let counts = { passes: 0, failures: 0, pending: 0, real: undefined };
  try {
    counts = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    /* the run died before reporting */
  }
  fs.rmSync(file, { force: true });
  // A non-zero exit without reported failures (a crash, a hook that failed to load) still counts as one failure.
  const failures = counts.failures || (r.code !== 0 ? 1 : 0);
  return { label, passes: counts.passes, failures, pending: counts.pending ?? 0, real: counts.real, ms: r.ms };
}

/** Runs scripts/<script> with `--result-file` and reads the counts it wrote (reported under `resultLabel`). */
async function script(ctx, name, args, { label, resultLabel = label, prefix }) {
  const resultFile = path.join(os.tmpdir(), `vce-${resultLabel.replace(/ /g, '-')}-${process.pid}.json`);
  const r = await run(ctx.node, [path.join(repoRoot, 'scripts', name), ...args, '--result-file', resultFile], { label, prefix });
  return readResult(resultFile, r, resultLabel);
}

async function check(ctx, label, args, prefix) {
  const r = await run(ctx.node, args, { label, prefix });
  return { label, passes: r.code === 0 ? 1 : 0, failures: r.code === 0 ? 0 : 1, pending: 0, ms: r.ms };
}

// ---- the steps ---------------------------------------------------------------------------------------------------

// The cluster suite is two runs of mocha: the files on a real node (and the kubeconfig race, which mostly waits) and
// the others.
const CLUSTER_ARGS = ['--require', 'test/cluster/setup.ts', '--timeout', '120000'];
const NODE_FILES = ['test/cluster/real-node-*.test.ts', 'test/cluster/kubeconfig-race.test.ts'];

/**
 * The steps, in the order a serial run takes them and the summary lists them. Each `run(ctx, prefix)` returns its
 * results; `prefix(label)` is undefined in a serial run. ctx: { node, skipReal }.
 */
const STEPS = [
  {
    name: 'static',
    suite: 'static',
    run: async (ctx, prefix) => {
      const out = [];
      for (const c of CHECKS) out.push(await check(ctx, c.label, c.args, prefix?.(c.label)));
      return out;
    },
  },
  // Unit tests read files and start small programs: mocha's 2 s default is too short on a busy 2-core machine.
  { name: 'unit', suite: 'unit', run: async (ctx, prefix) => [await mocha(ctx, 'unit', ['test/unit/**/*.test.ts'], ['--timeout', '20000'], prefix?.('unit'))] },
  {
    name: 'cluster',
    suite: 'cluster',
    run: async (ctx, prefix) => [
      await mocha(ctx, 'cluster', ['test/cluster/**/*.test.ts'], [...CLUSTER_ARGS, ...NODE_FILES.flatMap((g) => ['--ignore', g])], prefix?.('cluster')),
    ],
  },
  {
    name: 'clusterNode',
    suite: 'cluster',
    run: async (ctx, prefix) => [
      await mocha(ctx, 'cluster (node, race)', ctx.skipReal ? NODE_FILES.slice(1) : NODE_FILES, CLUSTER_ARGS, prefix?.('cluster node')),
    ],
  },
  {
    name: 'integration',
    suite: 'integration',
    run: async (ctx, prefix) => [
      // Longer than the launcher's default: this run also starts a real node and a real vcluster.
      await script(ctx, 'integration.mjs', ['--timeout', '900'], { label: 'integration', prefix: prefix?.('integration') }),
      // Workspace trust: the same extension in Restricted Mode (only the trust tests).
      await script(ctx, 'integration.mjs', ['--untrusted', '--no-ui', '--no-build', '--grep', 'workspace trust'], {
        label: 'integration (untrusted)',
        resultLabel: 'integration untrusted',
        prefix: prefix?.('untrusted'),
      }),
    ],
  },
  {
    name: 'package',
    suite: 'package',
    run: async (ctx, prefix) => [await script(ctx, 'package.mjs', ['--check'], { label: 'package', prefix: prefix?.('package') })],
  },
  {
    name: 'newcomer',
    suite: 'newcomer',
    run: async (ctx, prefix) => [await script(ctx, 'newcomer.mjs', [], { label: 'newcomer', prefix: prefix?.('newcomer') })],
  },
];

/** The lanes of a parallel run: each runs its steps one after another, the lanes at the same time. */
const LANES = [
  ['clusterNode', 'package'],
  ['cluster', 'unit'],
  ['static', 'integration', 'newcomer'],
];

/** What each suite needs set up beyond the npm packages and the Debian packages. */
const SETUP_PARTS = { cluster: ['tools'], integration: ['tools', 'vscode'], newcomer: ['tools'] };

// ---- the run -----------------------------------------------------------------------------------------------------

/** The suites asked for and --serial; an unknown argument ends the run with the usage (exit 2). */
function parseArguments(args) {
  const unknown = args.filter((a) => !ALL.includes(a) && a !== '--serial');
  if (unknown.length) {
    process.stderr.write(`unknown argument ${unknown.join(', ')}\nusage: node scripts/test.mjs [${ALL.join('] [')}] [--serial]\n`);
    process.exit(2);
  }
  const wanted = args.filter((a) => ALL.includes(a));
  return { suites: wanted.length ? wanted : ALL, serial: args.includes('--serial') };
}

/** Says up front when the real-node suites are turned off or cannot work on this machine. */
function announceRealNode(realWanted, skipReal) {
  if (realWanted && skipReal) say(`${SKIP_REAL_NODE_ENV}=1: the suites on a real node and real vclusters are NOT run`);
  if (!realWanted || skipReal) return;
  const missing = realNodeSupport();
  if (missing.length) {
    say(
      `this machine cannot run a real node, so the real-vcluster suites will fail:\n  - ${missing.join('\n  - ')}\n` +
        `Set ${SKIP_REAL_NODE_ENV}=1 to run everything else and report those suites as not run.`,
    );
  }
}

/** Runs `steps` one after another (serial) or in LANES with prefixed output; returns their results in `steps` order. */
async function runLanes(steps, ctx, { serial = false } = {}) {
  const byStep = new Map();
  if (serial) {
    for (const s of steps) byStep.set(s.name, await s.run(ctx, undefined));
  } else {
    const prefix = (label) => `[${label}] `;
    await Promise.all(
      LANES.map(async (lane) => {
        for (const s of lane.map((name) => steps.find((x) => x.name === name)).filter(Boolean)) byStep.set(s.name, await s.run(ctx, prefix));
      }),
    );
  }
  return steps.flatMap((s) => byStep.get(s.name) ?? []);
}

/** The summary lines and the closing `total:` line (CI reads both); returns the number of failures. */
function printSummary(results, { t0, realWanted, skipReal }) {
  const out = (line) => process.stdout.write(`${line}\n`);
  out('\n[test] summary');
  for (const r of results) {
    out(
      `  ${r.failures ? '✖' : '✔'} ${r.label.padEnd(22)} ${String(r.passes).padStart(4)} passed  ${String(r.failures).padStart(3)} failed  ${(r.ms / 1000).toFixed(1).padStart(7)} s`,
    );
  }
  const sum = (pick) => results.reduce((a, r) => a + (pick(r) ?? 0), 0);
  const [passed, failed, skipped] = [sum((r) => r.passes), sum((r) => r.failures), sum((r) => r.pending)];
  const real = (k) => sum((r) => r.real?.[k]);
  const realNote = !realWanted
    ? ''
    : skipReal
      ? `; real-vcluster suites NOT RUN (${SKIP_REAL_NODE_ENV}=1)`
      : `; ${real('passes') + real('failures')} on real vclusters (${real('failures')} failed), ${real('nodePasses') + real('nodeFailures')} more on the real node`;
  out(`[test] whole run ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  out(`total: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}${realNote}`);
  return failed;
}

mainWrapper(async () => {
  const { suites, serial } = parseArguments(process.argv.slice(2));
  const t0 = Date.now();
  say(`setting up (${suites.join(', ')})`);
  const parts = [...new Set(['npm', 'apt', ...suites.flatMap((s) => SETUP_PARTS[s] ?? [])])];
  const node = await setup(parts);
  say(`set-up done in ${((Date.now() - t0) / 1000).toFixed(0)} s; tests run on Node ${node}`);
  const skipReal = process.env[SKIP_REAL_NODE_ENV] === '1';
  const realWanted = suites.includes('cluster') || suites.includes('integration');
  announceRealNode(realWanted, skipReal);
  const steps = STEPS.filter((s) => suites.includes(s.suite));
  const results = await runLanes(steps, { node, skipReal }, { serial });
  const failed = printSummary(results, { t0, realWanted, skipReal });
  process.exit(failed ? 1 : 0);
});
