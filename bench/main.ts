// `npm run bench` (scripts/bench.mjs runs this file with `node --expose-gc --import tsx`): measured speed and scale of
// vcluster Explorer against kubectl and the vcluster CLI, on real etcd + kube-apiserver + kube-controller-manager
// processes started by the test harness, in a real browser and in a real VS Code. It prints a table and writes
// bench/results.json (git-ignored) with, for every figure, the median and spread of several runs. It asserts nothing
// about times, but it exits non-zero when a measured operation returns a wrong result (a different number of
// vclusters, rows missing from the table, a context switch the file does not show, ...). Every process it starts is
// stopped again, also on failure and on Ctrl-C (harness processes.ts).
//
// One file per measurement: activation.ts, mapping.ts (join and fetch), hostile-config.ts, webview.ts, kubeconfig.ts,
// hostile.ts, hostile-text.ts, discovery.ts (with hosts.ts and world.ts building the worlds), tree.ts, watch.ts,
// workbench.ts; report.ts prints. This file
// runs them in order and builds each world once: the big one (10,000 namespaces, 2,000 vclusters) serves every
// figure after discovery.
//
//   node scripts/bench.mjs [--quick] [--runs N] [--only <parts>] [--cli-everywhere] [--namespace-curve] [--no-workbench]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { runningProcesses } from '../test/harness/cluster/processes';
import { failures, say, wrong } from './common';
import { type DiscoveryPoint, measureDiscovery, measurePaging } from './discovery';
import { type PreparedHost, growVClusters, prepareHost, stopHosts } from './hosts';
import { measureActivation } from './activation';
import { measureHostileText } from './hostile-text';
import { measureHostileConfig } from './hostile-config';
import { measureKubeconfig } from './kubeconfig';
import { measureHostile } from './hostile';
import { measureInside } from './inside';
import { measureFetchMapping, measureJoin } from './mapping';
import { RESULTS_FILE, RUNS, SIZES, TARGETS, cliEverywhere, machine, namespaceCurve, only, quick } from './options';
import { growthCurves, printReport, targets } from './report';
import { fmtMs, fmtNum, round } from './stats';
import { measureTree } from './tree';
import { measureWatch } from './watch';
import { measureWebview } from './webview';
import { measureWorkbench } from './workbench';
import { namespaceOf } from './world';

const results: Record<string, any> = {};

/** Grows a host's vclusters through `sizes`, measuring discovery at each. */
async function discoveryWorld(prep: PreparedHost, sizes: readonly number[]): Promise<DiscoveryPoint[]> {
  const points: DiscoveryPoint[] = [];
  for (const n of sizes) {
    await growVClusters(prep, n);
    // `vcluster list` makes two requests per vcluster through client-go's default 5 QPS limiter (≈ 0.4 s per vcluster);
    // it runs at the sizes of SIZES.cliAt (--cli-everywhere: at every size, ≈ 15 minutes more at 2,000).
    const skip = new Set(cliEverywhere || (SIZES.cliAt as readonly number[]).includes(n) ? [] : ['vclusterCli' as const]);
    const p = await measureDiscovery(prep.host, prep.namespaces, n, RUNS, skip);
    say(
      `discovery ${prep.namespaces} ns / ${n} vc: ours ${fmtMs(p.ms.ours)} · raw ${fmtMs(p.ms.raw)} · kubectl ${fmtMs(p.ms.kubectl)} · vcluster list ${fmtMs(p.ms.vclusterCli)} · ${p.apiRequestsPerDiscovery} calls`,
    );
    points.push(p);
  }
  return points;
}

async function main(): Promise<number> {
  const started = performance.now();
  const r = results;
  Object.assign(r, {
    mode: quick ? 'quick' : 'full',
    startedAt: new Date().toISOString(),
    machine: machine(),
    runs: RUNS,
    sizes: SIZES,
    targetValues: TARGETS,
  });
  const needBig = ['discovery', 'tree', 'watch', 'mapping', 'inside', 'workbench'].some((s) => only.has(s));
  const big = SIZES.big;
  try {
    if (only.has('activation')) {
      say('activation: production bundles and load+activate in fresh Node processes');
      r.activation = await measureActivation();
    }
    if (only.has('join')) {
      say(`join: joinMapping over ${SIZES.joinRows.join(', ')} rows in memory`);
      r.join = measureJoin(SIZES.joinRows, RUNS);
    }
    if (only.has('hostile-config')) {
      say('hostile-config: a gzip bomb as release payload, the bundled patterns and a stored catastrophic one, in memory');
      r.hostileConfig = await measureHostileConfig(RUNS);
    }
    if (only.has('webview')) {
      say(`webview: the mapping view in Chromium at ${SIZES.webviewRows.join(', ')} rows`);
      r.webview = await measureWebview(SIZES.webviewRows, Math.min(RUNS, 5));
    }
    if (only.has('hostile-text')) {
      say('hostile text: distroOf and redact() on the inputs that made the former code backtrack');
      r.hostileText = measureHostileText(RUNS);
    }
    if (only.has('kubeconfig')) {
      say(`kubeconfig: switch, connect and undo at ${SIZES.kubeconfigContexts.join(', ')} contexts, and kubectl`);
      r.kubeconfig = await measureKubeconfig(SIZES.kubeconfigContexts, Math.min(RUNS, 5));
    }
    if (only.has('hostile')) {
      say('hostile: loopback servers sending oversized and endless answers, with the default bounds');
      r.hostile = await measureHostile(Math.min(RUNS, 5));
    }
    if (needBig) {
      const points: DiscoveryPoint[] = [];
      if (only.has('discovery') && namespaceCurve) {
        const s = SIZES.small;
        say(`discovery, small world: ${s.namespaces} namespaces, vclusters ${s.vclusters.join(' → ')}`);
        const small = await prepareHost(`host-${s.namespaces}ns`, s.namespaces);
        points.push(...(await discoveryWorld(small, s.vclusters)));
        await small.host.stop();
      }
      say(`big world: ${big.namespaces} namespaces, vclusters ${big.vclusters.join(' → ')}`);
      const prep = await prepareHost(`host-${big.namespaces}ns`, big.namespaces);
      if (only.has('discovery')) {
        points.push(...(await discoveryWorld(prep, big.vclusters)));
        say(`page sizes at ${prep.vclusters} vclusters: one request per list and limit ${SIZES.pageLimits.join(', ')}`);
        r.discovery = {
          points,
          paging: {
            namespaces: prep.namespaces,
            vclusters: prep.vclusters,
            points: await measurePaging(prep.host, prep.vclusters, SIZES.pageLimits, SIZES.pagingRuns),
          },
        };
      } else {
        await growVClusters(prep, big.vclusters[big.vclusters.length - 1]!);
      }
      const host = prep.host;
      let vclusters = prep.vclusters;
      if (only.has('tree')) {
        say(`tree: ${vclusters} vclusters over ${prep.namespaces} namespaces`);
        const nsWith = new Set(Array.from({ length: vclusters }, (_, i) => namespaceOf('bench', i, prep.namespaces))).size;
        r.tree = await measureTree(host, vclusters, nsWith, RUNS);
        const floor = points.find((p) => p.cluster === host.contextName && p.vclusters === vclusters);
        if (floor) r.tree.rawFloorMs = floor.ms.raw;
        say(`tree: cold ${fmtMs(r.tree.coldChildrenMs)}, warm ${fmtMs(r.tree.warmChildrenMs)}`);
      }
      if (only.has('watch')) {
        say(`watch: ${SIZES.watchTrials} trials`);
        r.watch = await measureWatch(host, SIZES.watchTrials, 300);
        vclusters += r.watch.created;
        if (r.watch.finalCount !== vclusters) wrong(`after the watch trials the model lists ${r.watch.finalCount} vclusters, ${vclusters} exist`);
        say(`watch: median ${fmtNum(r.watch.latencyMs.median)} ms, p95 ${fmtNum(r.watch.latencyMs.p95)} ms`);
      }
      if (only.has('workbench')) {
        say('workbench: code-server in Chromium');
        r.workbench = await measureWorkbench(host, SIZES.workbenchRuns);
      }
      if (only.has('mapping')) {
        say(`mapping: fetchMapping over ${SIZES.fetchObjects} objects`);
        r.mapping = await measureFetchMapping(host, SIZES.fetchObjects, Math.min(RUNS, 5));
        say(`fetchMapping: ${fmtMs(r.mapping.ms)}`);
      }
      if (only.has('inside')) {
        say(`inside: the Pods folder of a vcluster holding ${SIZES.insidePods} pods`);
        r.inside = await measureInside(host, SIZES.insidePods, RUNS);
        say(`inside: first page cold ${fmtMs(r.inside.firstPageColdMs)}, warm ${fmtMs(r.inside.firstPageWarmMs)}`);
      }
    }
  } finally {
    await stopHosts();
  }
  const left = runningProcesses();
  if (left.length) wrong(`processes still running after the hosts stopped: ${left.map((p) => `${p.name}(${p.pid})`).join(', ')}`);
  r.growth = growthCurves(r);
  r.targets = targets(r);
  r.durationS = (performance.now() - started) / 1000;
  r.machine.loadAverageAtEnd = os.loadavg().map((x) => round(x));
  r.wrongResults = failures;
  const text = printReport(r, failures);
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
