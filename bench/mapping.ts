// 3. The mapping's host side. joinMapping over in-memory objects (1,000 to 50,000 rows), and fetchMapping against a
// real virtual API server and its host namespace holding N API objects (half of them pods, config maps and secrets in
// the virtual cluster, half their host twins as the syncer lays them out): time, API calls, peak memory and the size
// of the message the panel posts. Each fetch
// runs in a fresh Node process (mapping-child.ts) so that its peak resident memory is its own.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { repoRoot } from '../scripts/lib/toolchain.mjs';
import type { HostCluster } from '../test/harness/cluster/controlPlane';
import { runProgram } from '../test/harness/cluster/processes';
import type { KObject } from '../test/harness/cluster/rest';
import { hostName as fixtureHostName, namespaceLabelKey } from '../test/harness/worlds/worlds';
import { joinMapping, summarize as summarizeMapping } from '../src/vcluster/mapping';
import type { MappingKind } from '../src/shared/model';
import { pool } from './bulk';
import { bulkRest, connectionSpec, gc, mkTmp, say, wrong } from './common';
import type { ChildInput, ChildOutput } from './mapping-child';
import { type Summary, fmtMs, summarize } from './stats';

type Obj = KObject & {
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
};

const NOW = '2026-01-01T00:00:00Z';

function runningPod(name: string, ns: string, uid?: string): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, ...(uid ? { uid } : {}), labels: { app: name.replace(/-\d+$/, '') }, creationTimestamp: NOW },
    spec: { containers: [{ name: 'app', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }], serviceAccountName: 'default' },
    status: {
      phase: 'Running',
      hostIP: '10.1.0.10',
      podIP: '10.244.1.10',
      startTime: NOW,
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: NOW }],
      containerStatuses: [
        { name: 'app', image: 'nginx:1.27', imageID: '', ready: true, started: true, restartCount: 0, state: { running: { startedAt: NOW } } },
      ],
    },
  };
}

function dataObject(kind: 'ConfigMap' | 'Secret', name: string, ns: string): Obj {
  return {
    apiVersion: 'v1',
    kind,
    metadata: { name, namespace: ns, labels: { app: name.replace(/-\d+$/, '') } },
    ...(kind === 'Secret'
      ? { type: 'Opaque', data: { token: Buffer.from(randomUUID()).toString('base64') } }
      : { data: { 'app.properties': `id=${name}\nmode=bench\n` } }),
  };
}

/** The host twin of a virtual object as test/harness/worlds/worlds.ts lays it out (checked there against the real syncer), minus the token annotation; `annotated` false: labels only. */
function hostTwin(v: Obj, vcluster: string, hostNs: string, annotated: boolean, serviceUid?: string): Obj {
  const vns = v.metadata.namespace!;
  const name = fixtureHostName(v.metadata.name, vns, vcluster);
  const annotations: Record<string, string> = annotated
    ? {
        'vcluster.loft.sh/object-name': v.metadata.name,
        'vcluster.loft.sh/object-namespace': vns,
        'vcluster.loft.sh/object-uid': v.metadata.uid ?? '',
        'vcluster.loft.sh/object-kind': `/v1, Kind=${v.kind}`,
        'vcluster.loft.sh/object-host-name': name,
        'vcluster.loft.sh/object-host-namespace': hostNs,
        'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false',
      }
    : {};
  const { metadata: _m, status: _s, ...body } = v;
  return {
    ...body,
    metadata: {
      name,
      namespace: hostNs,
      labels: {
        ...(v.metadata.labels ?? {}),
        'vcluster.loft.sh/managed-by': vcluster,
        'vcluster.loft.sh/namespace': vns,
        [namespaceLabelKey('kubernetes.io/metadata.name', vcluster)]: vns,
      },
      annotations,
      ...(serviceUid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: vcluster, uid: serviceUid, controller: false }] } : {}),
    },
    ...(v.kind === 'Pod' ? { spec: { ...(v.spec as object), serviceAccountName: `vc-workload-${vcluster}`, automountServiceAccountToken: false } } : {}),
  };
}

// ---- the join alone ---------------------------------------------------------------------------------------------

/**
 * N rows from virtual pods and their host side: 90 % synced with annotations, 5 % synced without annotations (joined
 * by the name rule), 3 % only in the virtual cluster, 2 % orphans only on the host.
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
    if (cat < 95) {
      virtual.push(v);
      host.push(hostTwin(v, vc, hostNs, cat < 90));
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

export function measureJoin(sizes: readonly number[], runs: number): { rows: number; ms: Summary }[] {
  const out: { rows: number; ms: Summary }[] = [];
  for (const n of sizes) {
    const { input, expected } = joinInput(n);
    const times: number[] = [];
    for (let run = -3; run < Math.max(runs * 3, 9); run++) {
      gc();
      const t0 = performance.now();
      const r = joinMapping(input);
      const dt = performance.now() - t0;
      const s = summarizeMapping(r);
      if (s.synced !== expected.synced || s.virtualOnly !== expected.virtualOnly || s.hostOnly !== expected.hostOnly || r.length !== n) {
        wrong(
          `joinMapping(${n} rows): ${r.length} rows, synced/virtual-only/host-only ${s.synced}/${s.virtualOnly}/${s.hostOnly}, built ${expected.synced}/${expected.virtualOnly}/${expected.hostOnly}`,
        );
      }
      if (run >= 0) times.push(dt);
    }
    out.push({ rows: n, ms: summarize(times) });
    say(`join ${n} rows: ${fmtMs(summarize(times))}`);
  }
  return out;
}

// ---- fetchMapping against real API servers -------------------------------------------------------------------------

/** N virtual objects: 10 % pods, 70 % config maps, 20 % secrets, spread over 20 virtual namespaces. */
function objectPlan(n: number): { kind: 'Pod' | 'ConfigMap' | 'Secret'; name: string; namespace: string }[] {
  return Array.from({ length: n }, (_, i) => {
    const k = i % 10;
    const kind = k < 1 ? 'Pod' : k < 8 ? 'ConfigMap' : 'Secret';
    return { kind, name: `${kind === 'Pod' ? 'web' : kind === 'ConfigMap' ? 'cfg' : 'token'}-${i}`, namespace: `apps-${i % 20}` } as const;
  });
}

const COLLECTION: Record<'Pod' | 'ConfigMap' | 'Secret', string> = { Pod: 'pods', ConfigMap: 'configmaps', Secret: 'secrets' };

export async function measureFetchMapping(host: HostCluster, objects: number, runs: number) {
  const t0 = performance.now();
  // A vcluster's own API server (a real kube-apiserver on the host's etcd, as the harness starts one per vcluster)
  // and its host namespace; no chart objects are needed: without vc-config the mapping lists the chart's defaults.
  const virtualAccess = await host.startVirtual('mapbench');
  const vrest = bulkRest(virtualAccess);
  const hrest = bulkRest(host);
  try {
    await hrest.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench-mapping' } });
    // `objects` API objects in all: half in the virtual cluster, each with its host twin (one row per pair)
    const plan = objectPlan(Math.floor(objects / 2));
    const vNamespaces = [...new Set(plan.map((o) => o.namespace))];
    await pool(vNamespaces, 8, (n) => vrest.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: n } }));
    let done = 0;
    const progress = () => {
      if (++done % 10_000 === 0) say(`  mapping world: ${done} of ${plan.length * 2} objects`);
    };
    const virtualBody = (o: (typeof plan)[number]) => {
      const body = o.kind === 'Pod' ? runningPod(o.name, o.namespace) : dataObject(o.kind, o.name, o.namespace);
      delete body.status;
      return body;
    };
    // both sides at once (the host twin needs nothing the virtual API server assigns)
    await Promise.all([
      pool(plan, 24, async (o) => {
        await vrest.create(`/api/v1/namespaces/${o.namespace}/${COLLECTION[o.kind]}`, virtualBody(o));
        progress();
      }),
      pool(plan, 24, async (o) => {
        await hrest.create(`/api/v1/namespaces/bench-mapping/${COLLECTION[o.kind]}`, hostTwin(virtualBody(o), 'mapbench', 'bench-mapping', true));
        progress();
      }),
    ]);
    const buildMs = Math.round(performance.now() - t0);
    say(`mapping world: a vcluster with its own API server, ${plan.length} objects in it and their ${plan.length} host twins, in ${buildMs} ms`);
    const expected: Record<string, number> = {};
    for (const o of plan) expected[o.kind] = (expected[o.kind] ?? 0) + 1;

    const input: ChildInput = {
      host: connectionSpec(host),
      virtual: connectionSpec(virtualAccess),
      ref: { context: host.contextName, namespace: 'bench-mapping', name: 'mapbench' },
      hostNamespace: 'bench-mapping',
      builtNamespacePrefix: 'apps-',
    };
    const file = path.join(mkTmp('vce-bench-map-'), 'input.json');
    fs.writeFileSync(file, JSON.stringify(input), { mode: 0o600 });
    const child = path.join(repoRoot, 'bench', 'mapping-child.ts');
    const samples: ChildOutput[] = [];
    for (let run = -1; run < runs; run++) {
      const r = await runProgram(process.execPath, ['--expose-gc', '--import', 'tsx', child, file], { cwd: repoRoot, env: process.env, timeoutMs: 600_000 });
      const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildOutput;
      // the objects built (in the apps-* namespaces) are all synced; the API server's own objects elsewhere are not
      for (const [kind, n] of Object.entries(expected)) {
        const got = out.built[kind as MappingKind];
        if (!got || got.synced !== n || got.virtualOnly !== 0 || got.hostOnly !== 0) wrong(`fetchMapping: ${kind} ${JSON.stringify(got)}, built ${n} synced`);
      }
      if (out.errors.length) wrong(`fetchMapping reported errors: ${out.errors.join('; ')}`);
      if (run >= 0) samples.push(out);
    }
    const s = (f: (o: ChildOutput) => number, digits = 2) => summarize(samples.map(f), digits);
    return {
      objects,
      rows: samples[0]?.rows ?? 0,
      buildMs,
      ms: s((o) => o.fetchMs),
      apiRequests: samples[0]?.requests ?? 0,
      peakRssGrowthBytes: s((o) => o.peakRssGrowthBytes, 0),
      heapAfterBytes: s((o) => o.heapAfterBytes, 0),
      panelMs: s((o) => o.panelMs),
      messageBytes: samples[0]?.messageBytes ?? 0,
      plainMessageBytes: samples[0]?.plainMessageBytes ?? 0,
      note: "one fresh Node process per run (fresh clients to the host and the virtual kube-apiserver); every synced kind listed on both sides, Secrets/ConfigMaps/Endpoints as metadata only; peak memory = the process's peak resident set during the fetch minus its resident set before; panel = sanitize + encode + JSON of the message",
    };
  } finally {
    vrest.dispose();
    hrest.dispose();
    await virtualAccess.stop();
  }
}
