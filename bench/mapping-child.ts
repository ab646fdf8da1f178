// One fetchMapping in a fresh Node process, for bench/mapping.ts:
//   node --expose-gc --import tsx bench/mapping-child.ts <input.json>
// Loads the modules, settles the heap, then fetches the mapping once with fresh clients and prepares the panel's
// message the way the panel does (sanitize, wire form, JSON). Prints one JSON line (ChildOutput). Peak memory is the
// kernel's peak resident set of this process (getrusage) minus the resident set before the fetch.
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { KubeClient, type ConnectionSpec } from '../src/kube/client';
import { encodeMappingModel } from '../src/shared/mappingWire';
import type { MappingKind, VClusterRef } from '../src/shared/model';
import { fetchMapping, summarize } from '../src/vcluster/mapping';
import { sanitizeModel } from '../src/webview/sanitize';

export interface ChildInput {
  host: ConnectionSpec;
  virtual: ConnectionSpec;
  ref: VClusterRef;
  hostNamespace: string;
  /** Virtual namespaces of the objects the benchmark built (counted separately in `built`). */
  builtNamespacePrefix: string;
}

export interface ChildOutput {
  fetchMs: number;
  requests: number;
  rows: number;
  /** Rows of the built objects (virtual namespace with the prefix) per kind. */
  built: Partial<Record<MappingKind, { synced: number; virtualOnly: number; hostOnly: number }>>;
  errors: string[];
  peakRssGrowthBytes: number;
  heapAfterBytes: number;
  panelMs: number;
  messageBytes: number;
  plainMessageBytes: number;
}

async function main(): Promise<void> {
  const input = JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8')) as ChildInput;
  const gc = (globalThis as { gc?: () => void }).gc!;
  // Warm the module graph (client-node's authentication loads on the first request), then measure from a quiet heap.
  const warm = new KubeClient(input.host, { timeoutMs: 120_000 });
  await warm.get('/version');
  warm.dispose();
  gc();
  gc();
  const rssBefore = process.memoryUsage().rss;
  const heapBefore = process.memoryUsage().heapUsed;
  const host = new KubeClient(input.host, { timeoutMs: 300_000 });
  const virtual = new KubeClient(input.virtual, { timeoutMs: 300_000 });
  const t0 = performance.now();
  const model = await fetchMapping({ ref: input.ref, host, hostNamespace: input.hostNamespace, virtual });
  const fetchMs = performance.now() - t0;
  const peakRss = process.resourceUsage().maxRSS * 1024;
  gc();
  gc();
  const heapAfterBytes = process.memoryUsage().heapUsed - heapBefore;
  const t1 = performance.now();
  const message = JSON.stringify({ type: 'model', model: encodeMappingModel(sanitizeModel(model)) });
  const panelMs = performance.now() - t1;
  const plain = JSON.stringify({ type: 'model', model });
  const out: ChildOutput = {
    fetchMs,
    requests: host.requests + virtual.requests,
    rows: model.rows.length,
    built: summarize(model.rows.filter((r) => r.virtualNamespace?.startsWith(input.builtNamespacePrefix))).byKind as ChildOutput['built'],
    errors: model.errors.map((e) => `${e.side} ${e.kind}: ${e.message}`),
    peakRssGrowthBytes: Math.max(0, peakRss - rssBefore),
    heapAfterBytes,
    panelMs,
    messageBytes: Buffer.byteLength(message),
    plainMessageBytes: Buffer.byteLength(plain),
  };
  host.dispose();
  virtual.dispose();
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`${err.stack ?? err}\n`);
    process.exit(1);
  },
);
