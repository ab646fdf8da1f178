// The benchmark's report: the growth of each figure with size, the targets (met or missed, with the value), and the
// printed tables. It reads only the results object, so a results.json can be printed again.
import type { DiscoveryPoint, PagingPoint } from './discovery';
import type { HostileResults } from './hostile';
import { type HostileCase, hostileTextLines } from './hostile-text';
import type { KubeconfigPoint } from './kubeconfig';
import { TARGETS } from './options';
import { type Growth, type Summary, fmtBytes, fmtMs, fmtNum, fmtRatio, growth } from './stats';
import type { WebviewPoint } from './webview';

// The results object is assembled part by part in main.ts; its parts are typed where they are measured.
type Results = Record<string, any>;

export interface Target {
  target: string;
  value: string;
  met: boolean;
  /** Informational: reported as under/over, not as met/missed. */
  info?: boolean;
}

const med = (s: Summary | undefined) => s?.median ?? Number.NaN;

export function growthCurves(r: Results): Record<string, Growth> {
  const g: Record<string, Growth> = {};
  const add = (name: string, pts: { size: number; value: number }[]) => {
    const ok = pts.filter((p) => Number.isFinite(p.value));
    if (ok.length > 1) g[name] = growth(ok);
  };
  const pts = (r.discovery?.points ?? []) as DiscoveryPoint[];
  for (const ns of new Set(pts.map((p) => p.namespaces))) {
    const series = pts.filter((p) => p.namespaces === ns);
    for (const k of ['ours', 'raw', 'kubectl', 'vclusterCli'] as const) {
      add(
        `discovery ${k}, ${ns} namespaces, by vclusters`,
        series.filter((p) => p.ms[k].n > 0).map((p) => ({ size: p.vclusters, value: p.ms[k].median })),
      );
    }
  }
  for (const vc of new Set(pts.map((p) => p.vclusters))) {
    const series = pts.filter((p) => p.vclusters === vc);
    if (series.length > 1)
      add(
        `discovery ours, ${vc} vclusters, by namespaces`,
        series.map((p) => ({ size: p.namespaces, value: p.ms.ours.median })),
      );
  }
  add(
    'joinMapping by rows',
    (r.join ?? []).map((j: { rows: number; ms: Summary }) => ({ size: j.rows, value: j.ms.median })),
  );
  const wv = (r.webview?.points ?? []) as WebviewPoint[];
  add(
    'webview first paint by rows',
    wv.map((p) => ({ size: p.rows, value: med(p.firstPaintMs) })),
  );
  add(
    'webview keystroke by rows',
    wv.map((p) => ({ size: p.rows, value: med(p.filterKeystrokeMs) })),
  );
  add(
    'webview message bytes by rows',
    wv.map((p) => ({ size: p.rows, value: p.messageBytes })),
  );
  const kc = (r.kubeconfig ?? []) as KubeconfigPoint[];
  add(
    'context switch (ours, cold) by contexts',
    kc.map((p) => ({ size: p.contexts, value: med(p.ms.switch) })),
  );
  add(
    'context switch (ours, warm) by contexts',
    kc.map((p) => ({ size: p.contexts, value: med(p.ms.switchWarm) })),
  );
  add(
    'kubectl config use-context by contexts',
    kc.map((p) => ({ size: p.contexts, value: med(p.ms.kubectl) })),
  );
  return g;
}

export function targets(r: Results): Target[] {
  const out: Target[] = [];
  const push = (target: string, value: string, met: boolean, info = false) => out.push({ target, value, met, ...(info ? { info } : {}) });
  for (const d of (r.discovery?.points ?? []) as DiscoveryPoint[]) {
    const label = `${d.vclusters} vc / ${d.namespaces} ns`;
    push(
      `discovery ≤ ${TARGETS.discoveryVsKubectl}× kubectl (${label})`,
      fmtRatio(d.ratios.oursToKubectl),
      d.ratios.oursToKubectl.median <= TARGETS.discoveryVsKubectl,
    );
    if (d.ratios.oursToVclusterCli.n > 0)
      push(
        `discovery ≤ ${TARGETS.discoveryVsCli}× vcluster CLI (${label})`,
        fmtRatio(d.ratios.oursToVclusterCli),
        d.ratios.oursToVclusterCli.median <= TARGETS.discoveryVsCli,
      );
    push(
      `discovery within ${TARGETS.discoveryVsRaw}× raw (${label})`,
      `${fmtRatio(d.ratios.oursToRaw)}; warm client ${fmtRatio(d.ratios.oursWarmToRaw)}`,
      d.ratios.oursToRaw.median <= TARGETS.discoveryVsRaw,
    );
  }
  if (r.tree) {
    const t = r.tree;
    push(
      `tree children (${t.namespaceNodes} namespace nodes, ${t.namespacesInCluster} namespaces in the cluster) < ${TARGETS.treeChildrenMs} ms`,
      fmtMs(t.warmChildrenMs),
      t.warmChildrenMs.median < TARGETS.treeChildrenMs,
    );
    push(
      `tree children with all ${t.namespacesInCluster} namespaces pinned < ${TARGETS.treeChildrenMs} ms`,
      fmtMs(t.allNamespacesPinned.childrenMs),
      t.allNamespacesPinned.childrenMs.median < TARGETS.treeChildrenMs,
    );
    push(
      `memory held after expanding the context < ${TARGETS.heapHeldMiB} MiB`,
      fmtBytes(t.heapHeldBytes.median),
      t.heapHeldBytes.median < TARGETS.heapHeldMiB * 1024 * 1024,
    );
    const floor = t.rawFloorMs ? `; the raw HTTPS floor of its list requests is ${fmtMs(t.rawFloorMs)}` : '';
    push(
      `first expansion incl. discovery over HTTPS < ${TARGETS.treeChildrenMs} ms`,
      `${fmtMs(t.coldChildrenMs)}${floor}`,
      t.coldChildrenMs.median < TARGETS.treeChildrenMs,
      true,
    );
  }
  const j50 = ((r.join ?? []) as { rows: number; ms: Summary }[]).find((x) => x.rows === 50_000);
  if (j50) push(`50,000-row join < ${TARGETS.join50000Ms} ms`, fmtMs(j50.ms), j50.ms.median < TARGETS.join50000Ms);
  if (r.watch)
    push(
      `watch latency p95 < ${TARGETS.watchP95Ms} ms`,
      `p95 ${fmtNum(r.watch.latencyMs.p95)} ms (median ${fmtNum(r.watch.latencyMs.median)})`,
      r.watch.latencyMs.p95 < TARGETS.watchP95Ms,
    );
  if (r.activation) {
    push(`activate() < ${TARGETS.activateMs} ms`, fmtMs(r.activation.activateMs), r.activation.activateMs.median < TARGETS.activateMs);
    push(
      'activation does not evaluate @kubernetes/client-node',
      `${r.activation.clientNode.modulesEvaluatedByLoadAndActivate} modules`,
      !r.activation.clientNode.evaluatedDuringActivate,
    );
  }
  for (const k of (r.kubeconfig ?? []) as KubeconfigPoint[]) {
    if (k.contexts >= 10_000) {
      push(
        `context switch at ${k.contexts} contexts < ${TARGETS.switchAt10000Ms} ms (the file read by the extension before)`,
        fmtMs(k.ms.switchWarm),
        k.ms.switchWarm.median < TARGETS.switchAt10000Ms,
      );
      push(
        `context switch at ${k.contexts} contexts, cold (the file just changed, read by the switch) < ${TARGETS.switchAt10000Ms} ms`,
        fmtMs(k.ms.switch),
        k.ms.switch.median < TARGETS.switchAt10000Ms,
        true,
      );
    }
    push(
      `context switch ≤ ${TARGETS.switchVsKubectl}× kubectl (${k.contexts} contexts, both cold)`,
      fmtRatio(k.switchToKubectl),
      k.switchToKubectl.median <= TARGETS.switchVsKubectl,
    );
    push(
      `backups ≤ ${TARGETS.backupsToFileSize}× the file (${k.contexts} contexts, ${k.backups.records} records)`,
      `${k.backups.toFileSize}× (${fmtBytes(k.backups.bytes)})`,
      k.backups.toFileSize <= TARGETS.backupsToFileSize,
    );
  }
  // the cold switch against kubectl at the two sizes of the target, side by side in one run
  const kcAt = (n: number) => ((r.kubeconfig ?? []) as KubeconfigPoint[]).find((k) => k.contexts === n);
  if (r.kubeconfig) {
    const sides = [1000, 10_000].map((n) => ({ n, k: kcAt(n) }));
    push(
      `cold switch ≤ ${TARGETS.switchVsKubectl}× kubectl at 1,000 and 10,000 contexts (one run)`,
      sides
        .map(({ n, k }) =>
          k
            ? `${fmtRatio(k.switchToKubectl)} at ${n.toLocaleString('en-US')} (${fmtMs(k.ms.switch)} vs ${fmtMs(k.ms.kubectl)})`
            : `${n.toLocaleString('en-US')} not measured (the full run: node scripts/bench.mjs --only kubeconfig)`,
        )
        .join(' · '),
      sides.every(({ k }) => k && k.switchToKubectl.median <= TARGETS.switchVsKubectl),
    );
  }
  if (r.workbench?.switchClickToStatusBarMs) {
    push(
      `workbench: switch button click → status bar < ${TARGETS.switchClickMs} ms`,
      fmtMs(r.workbench.switchClickToStatusBarMs),
      r.workbench.switchClickToStatusBarMs.median < TARGETS.switchClickMs,
    );
  }
  const big = ((r.webview?.points ?? []) as WebviewPoint[]).at(-1);
  if (big) {
    push(
      `mapping view first paint < ${TARGETS.webviewFirstPaintMs} ms (${big.rows} rows)`,
      fmtMs(big.firstPaintMs),
      big.firstPaintMs.median < TARGETS.webviewFirstPaintMs,
    );
    push(
      `mapping view keystroke → table < ${TARGETS.webviewFilterMs} ms (${big.rows} rows)`,
      fmtMs(big.filterKeystrokeMs),
      big.filterKeystrokeMs.median < TARGETS.webviewFilterMs,
    );
    push(
      `mapping view scroll: frames p95 < ${TARGETS.webviewFrameP95Ms} ms, only the rows in view rendered (${big.rows} rows)`,
      `p95 ${fmtNum(big.scroll.frameMs.p95)} ms, ${big.scroll.longFrames} frames > 50 ms, ≤ ${big.scroll.rowsInDomMax} rows in the DOM`,
      big.scroll.frameMs.p95 < TARGETS.webviewFrameP95Ms && big.scroll.rowsInDomMax < 100,
    );
  }
  return out;
}

export function printReport(r: Results, failures: readonly string[]): string {
  const lines: string[] = [];
  const p = (s = '') => lines.push(s);
  const m = r.machine;
  p(`vcluster Explorer benchmark — ${r.mode} run, ${r.startedAt}, ${Math.round(r.durationS)} s`);
  p(
    `Machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}; load average at start ${m.loadAverageAtStart.join(' ')}, at end ${(m.loadAverageAtEnd ?? []).join(' ')}`,
  );
  p(
    `Cluster: real etcd ${m.etcd} + kube-apiserver/kube-controller-manager ${m.kubernetes} (test harness); kubectl ${m.kubernetes}; vcluster CLI ${m.vclusterCli}`,
  );
  p('Figures: median (min–max) over the runs; ratios are computed run by run (same round, rotating order) and then summarized.');
  p();
  if (r.discovery) {
    p(`1. Discovery of all vclusters in a context (fresh client per run = first expansion; lists in pages of ${r.discovery.points[0]?.pageLimit ?? '?'})`);
    p(
      '| namespaces | vclusters | ours | ours warm | raw HTTPS (floor) | kubectl get sts,deploy -A | vcluster list | ours/kubectl | ours/vcluster CLI | ours/raw | API calls |',
    );
    p('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const d of r.discovery.points as DiscoveryPoint[]) {
      p(
        `| ${d.namespaces} | ${d.vclusters} | ${fmtMs(d.ms.ours)} | ${fmtMs(d.ms.oursWarm)} | ${fmtMs(d.ms.raw)} | ${fmtMs(d.ms.kubectl)} | ${fmtMs(d.ms.vclusterCli)} | ${fmtRatio(d.ratios.oursToKubectl)} | ${fmtRatio(d.ratios.oursToVclusterCli)} | ${fmtRatio(d.ratios.oursToRaw)} | ${d.apiRequestsPerDiscovery} |`,
      );
    }
    if (r.discovery.paging) {
      const pg = r.discovery.paging;
      p(`   Page size at ${pg.vclusters} vclusters / ${pg.namespaces} namespaces (warm client; heap = growth during one discovery):`);
      for (const x of pg.points as PagingPoint[]) {
        p(
          `   ${x.pageLimit ? `limit ${x.pageLimit}` : 'one request per list'}: ${fmtMs(x.ms)} (raw ${fmtMs(x.rawMs)}), ${x.apiRequests} API calls, heap +${fmtBytes(x.heapGrowthBytes.median)}`,
        );
      }
    }
    p();
  }
  if (r.tree) {
    const t = r.tree;
    p(`2. Tree: a context with ${t.namespacesInCluster} namespaces and ${t.vclusters} vclusters (${t.namespaceNodes} namespace nodes)`);
    p(
      `   cold (fresh model, first expansion, includes discovery over HTTPS): ${fmtMs(t.coldChildrenMs)}${t.rawFloorMs ? ` (raw HTTPS floor of discovery alone: ${fmtMs(t.rawFloorMs)})` : ''}; heap held by model cache + children + client: ${fmtBytes(t.heapHeldBytes.median)} (${fmtBytes(t.heapHeldBytes.min)}–${fmtBytes(t.heapHeldBytes.max)})`,
    );
    p(
      `   warm (discovery cached): ${fmtMs(t.warmChildrenMs)}; getTreeItem for all children ${fmtMs(t.getTreeItemAllChildrenMs)}; expanding every namespace ${fmtMs(t.expandAllNamespacesMs)}`,
    );
    p(
      `   all ${t.allNamespacesPinned.children} namespaces pinned by the filter: children ${fmtMs(t.allNamespacesPinned.childrenMs)}, getTreeItem ${fmtMs(t.allNamespacesPinned.getTreeItemMs)}`,
    );
    p();
  }
  if (r.join || r.mapping) {
    p('3. Mapping, host side');
    for (const j of (r.join ?? []) as { rows: number; ms: Summary }[]) p(`   joinMapping, ${j.rows} rows: ${fmtMs(j.ms)}`);
    if (r.mapping) {
      const f = r.mapping;
      p(
        `   fetchMapping, ${f.objects} objects (${f.rows} rows) in a real virtual API server + host namespace: ${fmtMs(f.ms)}, ${f.apiRequests} API calls, peak memory +${fmtBytes(f.peakRssGrowthBytes.median)} (resident), model held ${fmtBytes(f.heapAfterBytes.median)}`,
      );
      p(`   the panel's message: ${fmtBytes(f.messageBytes)} (the plain model: ${fmtBytes(f.plainMessageBytes)}), prepared in ${fmtMs(f.panelMs)}`);
    }
    p();
  }
  if (r.watch) {
    const w = r.watch;
    p(
      `4. Watch latency: vcluster created in the host → in the model after its change event, ${w.trials} trials, window ${w.debounceMs} ms (the setting's default): median ${fmtNum(w.latencyMs.median)} ms, p95 ${fmtNum(w.latencyMs.p95)} ms (min ${fmtNum(w.latencyMs.min)}, max ${fmtNum(w.latencyMs.max)})`,
    );
    p();
  }
  if (r.activation) {
    const a = r.activation;
    p(`5. Activation — ${a.note}`);
    p(
      `   load ${fmtMs(a.loadMs)}, activate() ${fmtMs(a.activateMs)}, load+activate ${fmtMs(a.loadPlusActivateMs)}; ${a.vscodeCallsDuringActivate} vscode API calls`,
    );
    p(
      `   dist/extension.js ${fmtBytes(a.sizes.extensionBytes)} (gzip ${fmtBytes(a.sizes.extensionGzipBytes)}; client-node code in it ${fmtBytes(a.sizes.clientNodeBytesInExtension)}), dist/mapping.js ${fmtBytes(a.sizes.webviewBytes)} (gzip ${fmtBytes(a.sizes.webviewGzipBytes)})`,
    );
    p(
      `   @kubernetes/client-node evaluated during load+activate: ${a.clientNode.evaluatedDuringActivate ? `YES (${a.clientNode.modulesEvaluatedByLoadAndActivate} modules)` : 'no (0 modules)'}; after the lazy services load: ${a.clientNode.modulesEvaluatedAfterServicesLoaded} modules; for a user with an auth-provider: ${a.clientNode.modulesEvaluatedForAnAuthProvider} modules (the probe's positive control)`,
    );
    p();
  }
  if (r.kubeconfig) {
    p('6. Context switch, connect and undo in big kubeconfigs (lock = how long <file>.lock existed)');
    p(
      '| contexts | file | switch, warm | switch, cold | lock held | kubectl config use-context | lock held | ours (cold)/kubectl | connect | undo | backups |',
    );
    p('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const k of r.kubeconfig as KubeconfigPoint[]) {
      p(
        `| ${k.contexts} | ${fmtBytes(k.fileBytes)} | ${fmtMs(k.ms.switchWarm)} | ${fmtMs(k.ms.switch)} | ${fmtMs(k.lockHeldMs.switch)} | ${fmtMs(k.ms.kubectl)} | ${fmtMs(k.lockHeldMs.kubectl)} | ${fmtRatio(k.switchToKubectl)} | ${fmtMs(k.ms.connect)} | ${fmtMs(k.ms.undo)} | ${fmtBytes(k.backups.bytes)} (${k.backups.toFileSize}× the file) |`,
      );
    }
    p();
  }
  if (r.webview) {
    p(`7. The mapping view in Chromium (dist/mapping.js ${fmtBytes(r.webview.bundleBytes)})`);
    p('| rows | message | plain model | data → first paint | keystroke → table | scroll frame median / p95 | frames > 50 ms | rows in the DOM |');
    p('|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const w of r.webview.points as WebviewPoint[]) {
      p(
        `| ${w.rows} | ${fmtBytes(w.messageBytes)} | ${fmtBytes(w.plainMessageBytes)} | ${fmtMs(w.firstPaintMs)} | ${fmtMs(w.filterKeystrokeMs)} | ${fmtNum(w.scroll.frameMs.median)} / ${fmtNum(w.scroll.frameMs.p95)} ms | ${w.scroll.longFrames} of ${w.scroll.frames} | ${w.scroll.rowsInDomMax} |`,
      );
    }
    p();
  }
  if (r.workbench) {
    const w = r.workbench;
    p(
      `8. The real workbench (${w.contexts} contexts, ${w.runs} runs): window load → first tree rows ${fmtMs(w.windowToTreeRowsMs)} (p25–p75 ${fmtNum(w.windowToTreeRowsMs.p25)}–${fmtNum(w.windowToTreeRowsMs.p75)}); switch button click → status bar ${fmtMs(w.switchClickToStatusBarMs)} (p25–p75 ${fmtNum(w.switchClickToStatusBarMs.p25)}–${fmtNum(w.switchClickToStatusBarMs.p75)})`,
    );
    p();
  }
  if (r.inside) {
    const i = r.inside;
    p(`9. Inside a vcluster: the Pods folder of a namespace holding ${i.pods} pods in the vcluster's own API server (pages of ${i.pageSize})`);
    p(
      `   first page as the tree shows it, fresh model (includes reaching the vcluster): ${fmtMs(i.firstPageColdMs)}; again: ${fmtMs(i.firstPageWarmMs)}; every pod in one list: ${fmtMs(i.allPodsMs)}`,
    );
    p();
  }
  if (r.hostile) {
    const h = r.hostile as HostileResults;
    p(
      `9b. Hostile API servers (loopback), default bounds: body ${fmtBytes(h.bounds.bodyBytes)} (received and inflated), watch event ${fmtBytes(h.bounds.watchFrameBytes)}, ${h.bounds.listPages} pages a list`,
    );
    p('| case | until the error | peak memory growth (heap + Buffers, sampled) | bytes the server sent | error |');
    p('|---|---:|---:|---:|---|');
    for (const c of h.cases) p(`| ${c.name} | ${fmtMs(c.ms)} | +${fmtBytes(c.peakMemoryGrowthBytes.median)} | ${fmtBytes(c.bytesSent)} | ${c.error} |`);
    p(`   one valid watch line: ${h.longLines.map((l) => `${fmtBytes(l.bytes)} ${fmtMs(l.ms)}`).join(', ')}`);
    const e = h.endsAfterEvent;
    p(`   a server that ends every watch after one event, ${e.seconds} s: ${e.watches} watch requests, ${e.lists} list, ${e.events} events`);
    p();
  }
  if (r.growth) {
    p('10. Growth with size (t ≈ fixed + per-item·n fitted over the sizes; exponent = log(time ratio)/log(size ratio) of each step)');
    for (const [name, g] of Object.entries(r.growth as Record<string, Growth>)) {
      p(`   ${name}: ${g.verdict}; ${g.points.map((x) => `${x.size}: ${fmtNum(x.value)}`).join(', ')}`);
    }
    p();
  }
  if (r.hostileText) {
    for (const line of hostileTextLines(r.hostileText as HostileCase[])) p(line);
  }
  if (r.hostileConfig) {
    const h = r.hostileConfig;
    p('12. Hostile deployed configuration (a release Secret written by a tenant), in memory');
    p(
      `   gzip bomb: ${fmtBytes(h.bomb.secretDataBytes)} of Secret data inflating to ${fmtBytes(h.bomb.inflatesToBytes)}, refused at the ${fmtBytes(h.bomb.boundBytes)} bound in ${fmtMs(h.bomb.refuseMs)}; an unbounded inflate of a 64 MiB one (the old decoder): ${fmtMs(h.unboundedInflate64MiBMs)}`,
    );
    p(
      `   bundled schema, a name failing its pattern at the end: ${(h.bundledPatterns as { length: number; validateMs: Summary }[]).map((x) => `${x.length} chars ${fmtMs(x.validateMs)}`).join(', ')}`,
    );
    p(
      `   a stored schema's ^(a+)+$ as the old path ran it: ${(h.storedPattern.oldPathMs as { length: number; ms: number }[]).map((x) => `${x.length} chars ${fmtNum(x.ms)} ms`).join(', ')}; now refused when compiled, in ${fmtMs(h.storedPattern.refuseAtCompileMs)}`,
    );
    p();
  }
  if (r.targets) {
    p('Targets');
    for (const t of r.targets as Target[]) {
      const v = t.info ? (t.met ? 'under' : 'over') : t.met ? 'met' : 'MISSED';
      p(`   ${v.padEnd(6)} ${t.target}: ${t.value}`);
    }
    p();
  }
  p(
    failures.length
      ? `WRONG RESULTS (${failures.length}):\n${failures.map((f) => `   ${f}`).join('\n')}`
      : 'All measured operations returned the results that were built.',
  );
  return lines.join('\n');
}
