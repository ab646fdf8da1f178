#!/usr/bin/env node
// `npm test`: sets up whatever is missing on this machine (Debian packages, Node 22/24, npm packages, the Go-built
// Kubernetes tools, code-server), then runs every check and suite and prints one closing line:
//   total: N passed, N failed
//
//   node scripts/test.mjs [static] [unit] [cluster] [integration] [package] [newcomer] [--serial]
//                                                                                        (default: all of them)
//
// Suites: static (tsc over the three tsconfigs, eslint, import cycles), unit (plain-Node mocha), cluster (plain-Node
// mocha against real etcd/kube-apiserver/kube-controller-manager, the vcluster CLI and Helm), integration (mocha inside
// the real VS Code extension host: code-server in headless Chromium, then UI checks), package (the .vsix and its
// contents), newcomer (README's `npm run demo` and `npm run screenshots` run through npm on a copy of the repository:
// scripts/newcomer.mjs). Exit code 0 only when everything passed.
//
// The suites tagged [real vcluster] / [real node] (test/cluster/real-node-*.test.ts and
// test/integration/real-node-*.test.ts) run real vclusters on a real node (test/harness/node.ts), which needs root,
// overlayfs and cgroups. On a machine without them those suites fail, saying what is missing, unless
// VCE_SKIP_REAL_NODE=1: then they are not run, and the closing line says so. The closing line counts the tests that
// touched a real vcluster.
//
// The steps run in three lanes at the same time, each line of output prefixed with its step's name: (1) the cluster
// suite's files on a real node and the kubeconfig race, then package; (2) the rest of the cluster suite, then unit;
// (3) static, integration, newcomer. The cluster lanes mostly wait on API servers, kubelets and lock gaps (under one
// core each), so the three share 2 cores well; every suite starts its own control plane and node (the node harness
// keeps concurrent runs apart). --serial runs the steps one after another without prefixes (about twice as long). README
// ("Tests") has the figures.
import { spawn } from 'node:child_process';
import readline from 'node:readline';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setup } from './setup.mjs';
import { CHECKS } from './lib/checks.mjs';
import { realNodeSupport, SKIP_REAL_NODE_ENV } from './lib/real-node.mjs';
import { envWithNode, mainWrapper, repoRoot, toolPath } from './lib/toolchain.mjs';

const ALL = ['static', 'unit', 'cluster', 'integration', 'package', 'newcomer'];
const say = (msg) => process.stdout.write(`\n[test] ${msg}\n`);

/** `prefix` (lanes): the child's output lines are prefixed with it. */
function run(node, args, { env = {}, label, prefix } = {}) {
  return new Promise((resolve) => {
    const start = Date.now();
    say(`${prefix ?? ''}${label}: ${path.basename(args[0])} ${args.slice(1).join(' ')}`);
    const child = spawn(node, args, {
      cwd: repoRoot,
      stdio: ['ignore', prefix ? 'pipe' : 'inherit', prefix ? 'pipe' : 'inherit'],
      env: envWithNode(node, { pathFirst: toolDirs(), set: env }),
    });
    if (prefix) {
      for (const [from, to] of [
        [child.stdout, process.stdout],
        [child.stderr, process.stderr],
      ]) {
        readline.createInterface({ input: from, crlfDelay: Infinity }).on('line', (line) => to.write(`${prefix}${line}\n`));
      }
    }
    child.on('error', (err) => {
      console.error(err);
      resolve({ code: 1, ms: Date.now() - start });
    });
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), ms: Date.now() - start }));
  });
}

function toolDirs() {
  return ['kubectl', 'helm', 'vcluster', 'etcd'].map((b) => path.dirname(toolPath(b))).filter((d) => fs.existsSync(d));
}

const bin = (pkg, file) => path.join(repoRoot, 'node_modules', pkg, file);

async function mocha(node, label, globs, extra = [], prefix = undefined) {
  const resultFile = path.join(os.tmpdir(), `vce-${label}-${process.pid}.json`);
  fs.rmSync(resultFile, { force: true });
  const r = await run(node, [bin('mocha', 'bin/mocha.js'), '--import=tsx', '--reporter', 'test/support/reporter.cjs', ...extra, ...globs], {
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
async function script(node, name, args, { label, resultLabel = label, prefix }) {
  const resultFile = path.join(os.tmpdir(), `vce-${resultLabel.replace(/ /g, '-')}-${process.pid}.json`);
  const r = await run(node, [path.join(repoRoot, 'scripts', name), ...args, '--result-file', resultFile], { label, prefix });
  return readResult(resultFile, r, resultLabel);
}

async function check(node, label, args, prefix) {
  const r = await run(node, args, { label, prefix });
  return { label, passes: r.code === 0 ? 1 : 0, failures: r.code === 0 ? 0 : 1, pending: 0, ms: r.ms };
}

mainWrapper(async () => {
  const args = process.argv.slice(2);
  const serial = args.includes('--serial');
  const unknown = args.filter((a) => !ALL.includes(a) && a !== '--serial');
  if (unknown.length) {
    process.stderr.write(`unknown argument ${unknown.join(', ')}\nusage: node scripts/test.mjs [${ALL.join('] [')}] [--serial]\n`);
    process.exit(2);
  }
  const wanted = args.filter((a) => ALL.includes(a));
  const suites = wanted.length ? wanted : ALL;
  const t0 = Date.now();
  say(`setting up (${suites.join(', ')})`);
  const parts = ['npm', 'apt'];
  if (suites.some((s) => ['cluster', 'integration', 'newcomer'].includes(s))) parts.push('tools');
  if (suites.includes('integration')) parts.push('vscode');
  const node = await setup(parts);
  say(`set-up done in ${((Date.now() - t0) / 1000).toFixed(0)} s; tests run on Node ${node}`);
  const skipReal = process.env[SKIP_REAL_NODE_ENV] === '1';
  const realWanted = suites.includes('cluster') || suites.includes('integration');
  if (realWanted && skipReal) say(`${SKIP_REAL_NODE_ENV}=1: the suites on a real node and real vclusters are NOT run`);
  if (realWanted && !skipReal) {
    const missing = realNodeSupport();
    if (missing.length) {
      say(
        `this machine cannot run a real node, so the real-vcluster suites will fail:\n  - ${missing.join('\n  - ')}\n` +
          `Set ${SKIP_REAL_NODE_ENV}=1 to run everything else and report those suites as not run.`,
      );
    }
  }

  // The steps, in the order a serial run takes them and the summary lists them. The cluster suite is two
  // runs of mocha: the files on a real node (and the kubeconfig race, which mostly waits) and the others.
  const clusterArgs = ['--require', 'test/cluster/setup.ts', '--timeout', '120000'];
  const NODE_FILES = ['test/cluster/real-node-*.test.ts', 'test/cluster/kubeconfig-race.test.ts'];
  const steps = [
    {
      name: 'static',
      suite: 'static',
      run: async (prefix) => {
        const out = [];
        for (const c of CHECKS) out.push(await check(node, c.label, c.args, prefix?.(c.label)));
        return out;
      },
    },
    // Unit tests read files and start small programs: mocha's 2 s default is too short on a busy 2-core machine.
    { name: 'unit', suite: 'unit', run: async (prefix) => [await mocha(node, 'unit', ['test/unit/**/*.test.ts'], ['--timeout', '20000'], prefix?.('unit'))] },
    {
      name: 'cluster',
      suite: 'cluster',
      run: async (prefix) => [
        await mocha(node, 'cluster', ['test/cluster/**/*.test.ts'], [...clusterArgs, ...NODE_FILES.flatMap((g) => ['--ignore', g])], prefix?.('cluster')),
      ],
    },
    {
      name: 'clusterNode',
      suite: 'cluster',
      run: async (prefix) => [await mocha(node, 'cluster (node, race)', skipReal ? NODE_FILES.slice(1) : NODE_FILES, clusterArgs, prefix?.('cluster node'))],
    },
    {
      name: 'integration',
      suite: 'integration',
      run: async (prefix) => [
        // Longer than the launcher's default: this run also starts a real node and a real vcluster.
        await script(node, 'integration.mjs', ['--timeout', '900'], { label: 'integration', prefix: prefix?.('integration') }),
        // Workspace trust: the same extension in Restricted Mode (only the trust tests).
        await script(node, 'integration.mjs', ['--untrusted', '--no-ui', '--no-build', '--grep', 'workspace trust'], {
          label: 'integration (untrusted)',
          resultLabel: 'integration untrusted',
          prefix: prefix?.('untrusted'),
        }),
      ],
    },
    {
      name: 'package',
      suite: 'package',
      run: async (prefix) => [await script(node, 'package.mjs', ['--check'], { label: 'package', prefix: prefix?.('package') })],
    },
    {
      name: 'newcomer',
      suite: 'newcomer',
      run: async (prefix) => [await script(node, 'newcomer.mjs', [], { label: 'newcomer', prefix: prefix?.('newcomer') })],
    },
  ].filter((s) => suites.includes(s.suite));

  const byStep = new Map();
  if (serial) {
    for (const s of steps) byStep.set(s.name, await s.run(undefined));
  } else {
    const lanes = [
      ['clusterNode', 'package'],
      ['cluster', 'unit'],
      ['static', 'integration', 'newcomer'],
    ];
    const prefix = (label) => `[${label}] `;
    await Promise.all(
      lanes.map(async (lane) => {
        for (const name of lane) {
          const s = steps.find((x) => x.name === name);
          if (s) byStep.set(name, await s.run(prefix));
        }
      }),
    );
  }
  const results = steps.flatMap((s) => byStep.get(s.name) ?? []);
  process.stdout.write('\n[test] summary\n');
  for (const r of results) {
    process.stdout.write(
      `  ${r.failures ? '✖' : '✔'} ${r.label.padEnd(22)} ${String(r.passes).padStart(4)} passed  ${String(r.failures).padStart(3)} failed  ${(r.ms / 1000).toFixed(1).padStart(7)} s\n`,
    );
  }
  const passed = results.reduce((a, r) => a + r.passes, 0);
  const failed = results.reduce((a, r) => a + r.failures, 0);
  const skipped = results.reduce((a, r) => a + r.pending, 0);
  const sum = (k) => results.reduce((a, r) => a + (r.real?.[k] ?? 0), 0);
  const realNote = !realWanted
    ? ''
    : skipReal
      ? `; real-vcluster suites NOT RUN (${SKIP_REAL_NODE_ENV}=1)`
      : `; ${sum('passes') + sum('failures')} on real vclusters (${sum('failures')} failed), ${sum('nodePasses') + sum('nodeFailures')} more on the real node`;
  process.stdout.write(`[test] whole run ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  process.stdout.write(`total: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}${realNote}\n`);
  process.exit(failed ? 1 : 0);
});
