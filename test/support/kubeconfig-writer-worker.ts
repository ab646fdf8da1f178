// A second process that changes a kubeconfig through KubeconfigWriter, for the race test
// (test/cluster/kubeconfig-race.test.ts). Run: node --import tsx test/support/kubeconfig-writer-worker.ts '<json>'
// with { file, prefix, ops, lingerMs, result }. It adds contexts (each with its own cluster and user) under unique
// names, switches to some, removes some of its older ones, and writes what it did to `result` as JSON.
import fs from 'node:fs';
import { settleLingeringLocks } from '../../src/kube/kubeconfig/lock';
import { KubeconfigWriter } from '../../src/kube/kubeconfig/writer';

export interface WorkerConfig {
  file: string;
  prefix: string;
  ops: number;
  lingerMs: number;
  result: string;
}

export interface WorkerResult {
  prefix: string;
  ops: number;
  /** Names (context = cluster = user) that must exist at the end. */
  present: string[];
  /** Names this writer removed again: they must be gone at the end. */
  removed: string[];
  failures: string[];
  ms: number;
}

/** The same operation mix for the in-process writer and this worker. */
export async function runWriter(cfg: Omit<WorkerConfig, 'result'>): Promise<WorkerResult> {
  const w = new KubeconfigWriter({ files: [cfg.file], lockLingerMs: cfg.lingerMs, lockTimeoutMs: 20_000 });
  const present: string[] = [];
  const removed: string[] = [];
  const failures: string[] = [];
  const started = Date.now();
  let ops = 0;
  let i = 0;
  while (ops < cfg.ops) {
    const name = `${cfg.prefix}-${i++}`;
    try {
      await w.upsertContext(
        {
          name,
          cluster: { name, cluster: { server: `https://${name}.example:8443`, 'insecure-skip-tls-verify': true } },
          user: { name, user: { token: `token-${name}` } },
          namespace: 'default',
        },
        { makeCurrent: i % 4 === 0 },
      );
      present.push(name);
      ops++;
      // Keep the file small (fast) by removing our oldest entries once we have a dozen.
      if (present.length > 12 && ops < cfg.ops) {
        const old = present.shift()!;
        // switchTo is only used when `old` happens to be current at that moment (another writer may have switched).
        await w.removeContext(old, { removeClusterAndUser: true, switchTo: present[present.length - 1]! });
        removed.push(old);
        ops++;
      }
      if (i % 5 === 0 && ops < cfg.ops) {
        await w.useContext(present[0]!);
        ops++;
      }
    } catch (err) {
      failures.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
      if (failures.length > 20) break;
    }
  }
  return { prefix: cfg.prefix, ops, present, removed, failures, ms: Date.now() - started };
}

function main(): void {
  const cfg = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;
  // Interrupted by the test runner: leave through process.exit so the writer's exit hook removes a held lock.
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.once(sig, () => process.exit(130));
  runWriter(cfg).then(
    async (r) => {
      fs.writeFileSync(cfg.result, JSON.stringify(r));
      // the last write's lock is still lingering: let it run out (as a natural exit would) before process.exit
      await settleLingeringLocks();
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`worker failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}

if (require.main === module) main();
