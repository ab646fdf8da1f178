#!/usr/bin/env node
// Runs the integration suite (test/integration/*.test.ts) inside a real VS Code extension host: code-server from npm,
// driven by Debian's Chromium (see scripts/lib/vscode-host.mjs), then the UI checks of scripts/lib/ui-checks.mjs.
//
//   node scripts/integration.mjs [options]
//     --kubeconfig <file>   KUBECONFIG for the extension host (default: a file that does not exist, so the extension
//                           sees no kubeconfig at all and shows its "No kubeconfig found" welcome)
//     --workspace <dir>     folder to open (default: a new empty folder)
//     --env KEY=VALUE       extra environment for the extension host (repeatable)
//     --result-file <file>  write { passes, failures, pending, tests, failed } here (mocha suite + UI checks)
//     --timeout <seconds>   limit for the mocha suite, server start included (default 300)
//     --grep <regexp>       only the mocha tests whose title matches
//     --untrusted           keep workspace trust on: the folder opens in Restricted Mode
//     --no-build            use the existing dist/ and out/integration/
//     --no-ui               skip the UI checks
// Exit code: 0 when everything passed. The extension host's PATH starts with the cached kubectl, helm and vcluster.
//
// The cluster suites start etcd and kube-apiservers INSIDE the extension host (test/harness) and stop them in after()
// hooks; the harness also kills them when the extension host exits, even by SIGKILL (its watchdog). As a last line,
// the suite lists the process groups it started in $VCE_PROCESS_FILE and this launcher kills whatever of them is still
// alive once the run is over — after a pass, a failure, a timeout or Ctrl-C.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SKIP_REAL_NODE_ENV } from './lib/real-node.mjs';
import { cacheRoot, repoRoot, runIfMain, runNodeScript, toolPath, vclusterChartDir } from './lib/toolchain.mjs';
import { liveGroupMembers } from './lib/host-processes.mjs';
import { makeTempDir, runIntegrationTests } from './lib/vscode-host.mjs';
import { runUiChecks } from './lib/ui-checks.mjs';

const say = (msg) => process.stderr.write(`[integration] ${msg}\n`);

function build() {
  return runNodeScript([path.join(repoRoot, 'scripts', 'build.mjs'), '--tests']);
}

/** Removes bundles in out/integration whose test/integration/*.ts is gone (index.ts runs every *.test.js there). */
function removeStaleBundles() {
  const out = path.join(repoRoot, 'out', 'integration');
  let files;
  try {
    files = fs.readdirSync(out);
  } catch {
    return;
  }
  for (const f of files) {
    const base = f.replace(/\.js(\.map)?$/, '');
    if (base !== f && !fs.existsSync(path.join(repoRoot, 'test', 'integration', `${base}.ts`))) fs.rmSync(path.join(out, f), { force: true });
  }
}

/** PATH for the extension host: the cached Kubernetes tools first (those that are built), then ours. */
function toolsPath() {
  const dirs = ['kubectl', 'helm', 'vcluster'].map((b) => path.dirname(toolPath(b))).filter((d) => fs.existsSync(d));
  return [...new Set(dirs), process.env.PATH ?? ''].join(path.delimiter);
}

function parseEnv(pairs = []) {
  const env = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i <= 0) throw new Error(`--env expects KEY=VALUE, got ${p}`);
    env[p.slice(0, i)] = p.slice(i + 1);
  }
  return env;
}

/** The process groups the suite recorded (see test/integration/support/cluster.ts): [{ pid, name, exe }]. */
const processFile = path.join(os.tmpdir(), `vce-integration-processes-${process.pid}.json`);

/** Kills (SIGKILL) every recorded process group that is still alive; returns their names. Synchronous: runs on exit. */
export function killLeftovers(file = processFile) {
  let list;
  try {
    list = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return [];
  }
  const killed = [];
  for (const { pid, name, exe } of Array.isArray(list) ? list : []) {
    if (!Number.isInteger(pid) || pid <= 1) continue;
    if (liveGroupMembers(pid).length === 0) continue; // the group is gone (or only zombies are left)
    let leaderExe;
    try {
      leaderExe = fs.readlinkSync(`/proc/${pid}/exe`);
    } catch {
      leaderExe = undefined; // the leader is gone but its group lives on: a group id is never reused while it exists
    }
    if (leaderExe !== undefined && exe && leaderExe !== exe) continue; // the pid was reused by something else
    try {
      process.kill(-pid, 'SIGKILL');
      killed.push(`${name} (pid ${pid})`);
    } catch {
      // gone meanwhile
    }
  }
  fs.rmSync(file, { force: true });
  return killed;
}

function readResult(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

export async function main(argv = process.argv.slice(2)) {
  const { values } = parseArgs({
    args: argv,
    options: {
      kubeconfig: { type: 'string' },
      workspace: { type: 'string' },
      env: { type: 'string', multiple: true },
      'result-file': { type: 'string' },
      timeout: { type: 'string', default: '300' },
      grep: { type: 'string' },
      untrusted: { type: 'boolean', default: false },
      'no-build': { type: 'boolean', default: false },
      'no-ui': { type: 'boolean', default: false },
    },
  });
  const started = Date.now();
  const tmp = makeTempDir('vce-integration-');
  try {
    if (!values['no-build']) await build();
    removeStaleBundles();
    const workspace = values.workspace ? path.resolve(values.workspace) : path.join(tmp, 'workspace');
    fs.mkdirSync(workspace, { recursive: true });
    // "Empty kubeconfig" = none at all: KUBECONFIG names a file that does not exist, and HOME (a fresh temporary
    // folder, see startCodeServer) has no ~/.kube/config.
    const kubeconfig = values.kubeconfig ? path.resolve(values.kubeconfig) : path.join(tmp, 'no-kubeconfig', 'config');
    const PATH = toolsPath();
    // The chart for `vcluster create --local-chart-dir` (found with `go list`, which needs this user's Go cache).
    const chartDir = await vclusterChartDir().catch((err) => {
      say(`the vcluster chart was not found (${err.message.split('\n')[0]}); the create test will fail`);
      return '';
    });
    const env = {
      PATH,
      VCE_EXPECTED_PATH_ENTRY: PATH.split(path.delimiter)[0], // checked by foundation.test.ts
      KUBECONFIG: kubeconfig,
      VCE_WORKSPACE_TRUST: values.untrusted ? 'untrusted' : 'trusted', // checked by foundation.test.ts
      ...(values.grep ? { VCE_GREP: values.grep } : {}),
      // For the cluster suites: where the harness records its process groups, where the cached Kubernetes tools are
      // (code-server gives the extension host a temporary HOME and XDG_CACHE_HOME), and the vcluster chart.
      VCE_PROCESS_FILE: processFile,
      VCE_TOOLS_CACHE_HOME: path.dirname(cacheRoot()),
      ...(chartDir ? { VCE_VCLUSTER_CHART_DIR: chartDir } : {}),
      // The real-vcluster suite is left out when the person opted out of the real node (scripts/test.mjs).
      ...(process.env[SKIP_REAL_NODE_ENV] ? { [SKIP_REAL_NODE_ENV]: process.env[SKIP_REAL_NODE_ENV] } : {}),
      ...parseEnv(values.env),
    };
    const resultFile = path.join(tmp, 'mocha-result.json');
    const code = await runIntegrationTests({
      testsDir: path.join(repoRoot, 'out', 'integration'),
      workspace,
      env,
      resultFile,
      timeoutMs: Number(values.timeout) * 1000,
      trust: !values.untrusted,
    });
    const result = readResult(resultFile) ?? {
      passes: 0,
      failures: 1,
      pending: 0,
      tests: 1,
      failed: [{ title: 'integration suite', message: `no result (exit code ${code})` }],
    };
    let ok = code === 0 && result.failures === 0;
    if (!values['no-ui']) {
      const ui = await runUiChecks({ workspace, env, trust: !values.untrusted });
      for (const k of ['passes', 'failures', 'pending', 'tests']) result[k] = (result[k] ?? 0) + ui[k];
      result.failed = [...(result.failed ?? []), ...ui.failed];
      ok &&= ui.failures === 0;
    }
    if (values['result-file']) fs.writeFileSync(path.resolve(values['result-file']), JSON.stringify(result));
    say(
      `${result.passes} passed, ${result.failures} failed${result.pending ? `, ${result.pending} pending` : ''} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    for (const f of result.failed ?? []) say(`  ✖ ${f.title}: ${f.message}`);
    return ok ? 0 : 1;
  } finally {
    const killed = killLeftovers();
    if (killed.length) say(`killed ${killed.length} process group(s) the extension host left behind: ${killed.join(', ')}`);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // Also on Ctrl-C / SIGTERM: the process registry (scripts/lib/process-registry.mjs) stops code-server and then
  // exits, which runs this.
  process.on('exit', () => {
    const killed = killLeftovers();
    if (killed.length) say(`killed ${killed.length} process group(s) the extension host left behind: ${killed.join(', ')}`);
  });
}
runIfMain(import.meta.url, main, say);
