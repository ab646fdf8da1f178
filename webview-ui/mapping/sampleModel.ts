// A deterministic, made-up MappingModel for the preview script and the view-logic tests (never bundled into the
// webview: main.ts does not import it). Host names follow vcluster's short form `<name>-x-<namespace>-x-<vcluster>`
// without the hashing of long names, which is enough for a picture.

import type { MappingKind, MappingModel, MappingRow, MappingSummary, SyncState } from '../../src/shared/model';

const KINDS: readonly MappingKind[] = ['Pod', 'Service', 'ConfigMap', 'Secret', 'PersistentVolumeClaim', 'ServiceAccount', 'Endpoints', 'Ingress'];
const POD_STATUS = ['Running', 'Running', 'Running', 'Pending', 'Completed', 'CrashLoopBackOff'];

/** A small linear congruential generator: the same seed gives the same model. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function summarize(rows: readonly MappingRow[]): MappingSummary {
  const byKind: Record<string, { synced: number; virtualOnly: number; hostOnly: number }> = {};
  let synced = 0,
    virtualOnly = 0,
    hostOnly = 0;
  for (const r of rows) {
    const k = (byKind[r.kind] ??= { synced: 0, virtualOnly: 0, hostOnly: 0 });
    if (r.state === 'synced') {
      synced++;
      k.synced++;
    } else if (r.state === 'virtual-only') {
      virtualOnly++;
      k.virtualOnly++;
    } else {
      hostOnly++;
      k.hostOnly++;
    }
  }
  return { synced, virtualOnly, hostOnly, byKind };
}

export interface SampleOptions {
  readonly rows?: number;
  readonly namespaces?: number;
  readonly seed?: number;
  readonly vcluster?: string;
  readonly hostNamespace?: string;
}

export function sampleModel(opts: SampleOptions = {}): MappingModel {
  const n = opts.rows ?? 60;
  const vc = opts.vcluster ?? 'dev';
  const hostNs = opts.hostNamespace ?? `vcluster-${vc}`;
  const nsCount = opts.namespaces ?? 5;
  const rand = rng(opts.seed ?? 42);
  const namespaces = ['default', 'kube-system', 'shop', 'payments', 'monitoring', 'ingress-nginx', 'batch', 'staging']
    .concat(Array.from({ length: Math.max(0, nsCount - 8) }, (_, i) => `team-${i + 1}`))
    .slice(0, nsCount);
  const rows: MappingRow[] = [];
  const seen = new Set<string>();
  for (let i = 0; rows.length < n && i < n * 10; i++) {
    const kind = KINDS[Math.floor(rand() ** 1.6 * KINDS.length)]!;
    const ns = namespaces[Math.floor(rand() ** 1.3 * namespaces.length)]!;
    const base = ['web', 'api', 'worker', 'cache', 'db', 'queue', 'auth', 'cart', 'search', 'report'][Math.floor(rand() * 10)]!;
    const name = `${base}-${((i * 7919) % 100000).toString(36)}`;
    const key = `${kind}/${ns}/${name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const p = rand();
    const state: SyncState = p < 0.9 ? 'synced' : p < 0.96 ? 'virtual-only' : 'host-only';
    const status = kind === 'Pod' ? POD_STATUS[Math.floor(rand() * POD_STATUS.length)] : kind === 'PersistentVolumeClaim' ? 'Bound' : undefined;
    const hostName = `${name}-x-${ns}-x-${vc}`;
    rows.push({
      kind,
      ...(state !== 'host-only' ? { virtualNamespace: ns, virtualName: name } : {}),
      ...(state !== 'virtual-only' ? { hostNamespace: hostNs, hostName } : {}),
      ...(status && state !== 'host-only' ? { virtualStatus: status } : {}),
      ...(status && state !== 'virtual-only' ? { hostStatus: state === 'host-only' ? 'Running' : status } : {}),
      state,
      ...(state === 'synced' ? { joinedBy: rand() < 0.95 ? ('annotation' as const) : ('name' as const) } : {}),
    });
  }
  return {
    vcluster: { context: 'kind-host', namespace: hostNs, name: vc },
    hostNamespace: hostNs,
    rows,
    summary: summarize(rows),
    errors: [],
    fetchedAt: '2026-11-25T09:00:00.000Z',
  };
}
