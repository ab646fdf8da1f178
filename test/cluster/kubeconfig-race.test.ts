// Our kubeconfig writer against concurrent writers on the same file: real kubectl (`kubectl config set-cluster /
// set-credentials / set-context / use-context / delete-*`) in child processes, our writer in this process and in a
// second Node process (test/support/kubeconfig-writer-worker.ts). Every writer uses unique names and records what it
// added and removed; afterwards the file must parse and nothing anyone wrote may be lost or come back.
//
// kubectl runs one process at a time (concurrently with both of our writers): kubectl against kubectl loses entries
// by design — it reads the kubeconfig before taking the lock and then writes the difference between that read and a
// fresh one, deleting whatever appeared in between (kubernetes/kubernetes#28260). Our writer re-reads under the lock
// and holds the lock a moment after writing (lockLingerMs), so a kubectl that read the old content fails with
// "file exists" (and is retried here) instead of deleting what we wrote. After the linger our writers leave the file
// alone for a moment (lockGapMs), so that kubectl, which never waits for the lock, is not kept out by our two writers
// handing the lock to each other: every kubectl command must get through.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { toolPath } from '../../scripts/lib/toolchain.mjs';
import { DEFAULT_LOCK_LINGER_MS, KubeconfigWriter } from '../../src/kube/kubeconfig/writer';
import { settleLingeringLocks } from '../../src/kube/kubeconfig/lock';
import { loadKubeconfig } from '../../src/kube/kubeconfig/model';
import type { ManagedProcess } from '../harness/cluster/processes';
import { runProgram, spawnManaged } from '../harness/cluster/processes';
import { waitFor } from '../harness/cluster/rest';
import type { WorkerResult } from '../support/kubeconfig-writer-worker';
import { runWriter } from '../support/kubeconfig-writer-worker';

const REPO = path.resolve(__dirname, '..', '..');
// The writer's default linger (what users get). Our writer holds the lock only for its final read-check-write, a few
// milliseconds, so the linger is what covers kubectl's window between its first read and its lock; with 10 ms, a
// kubectl slowed down by a loaded machine outlasts it now and then and writes back what was removed meanwhile.
const LINGER_MS = Number(process.env.VCE_RACE_LINGER_MS ?? DEFAULT_LOCK_LINGER_MS);

interface KubectlStats {
  ops: number;
  lockBusy: number;
  failures: string[];
  present: string[];
  removed: string[];
  ms: number;
}

describe('kubeconfig race: our writer, a second writer process and kubectl on one file', function () {
  this.timeout(420_000);
  let dir: string;
  let kubectl: string;
  let worker: ManagedProcess | undefined;

  before(() => {
    kubectl = toolPath('kubectl');
    assert.ok(fs.existsSync(kubectl), `kubectl is missing at ${kubectl}; run npm run setup`);
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-kcrace-'));
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const env = (file: string): NodeJS.ProcessEnv => {
    const e: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: file };
    delete e.DISABLE_KUBECONFIG_LOCK;
    return e;
  };
  const runKubectl = (file: string, args: string[]) => runProgram(kubectl, ['config', ...args], { env: env(file), allowFailure: true, timeoutMs: 30_000 });
  const seed = (file: string) =>
    fs.writeFileSync(
      file,
      'apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://seed.example\n  name: seed\ncontexts:\n- context:\n    cluster: seed\n    user: seed\n  name: seed\ncurrent-context: seed\nusers:\n- name: seed\n  user:\n    token: seed\n',
      { mode: 0o600 },
    );

  it('kubectl and our writer exclude each other through <file>.lock (O_EXCL)', async () => {
    const file = path.join(dir, 'config');
    seed(file);
    // kubectl refuses while our writer holds the lock …
    const holder = new KubeconfigWriter({ files: [file], lockLingerMs: 1500 });
    const holding = holder.upsertContext({
      name: 'ours',
      cluster: { name: 'ours', cluster: { server: 'https://ours' } },
      user: { name: 'ours', user: { token: 't' } },
    });
    for (let i = 0; i < 100 && !fs.existsSync(`${file}.lock`); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(fs.existsSync(`${file}.lock`), 'our writer holds <file>.lock');
    const refused = await runKubectl(file, ['set-context', 'theirs', '--cluster=seed', '--user=seed']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.lock: file exists`));
    await holding;
    // the write returns before the linger ends; the lock goes when it does
    await waitFor('our lock to be released after the linger', async () => !fs.existsSync(`${file}.lock`), 10_000, 10);
    const merged = await loadKubeconfig([file]);
    assert.ok(merged.contexts.has('ours') && !merged.contexts.has('theirs'));

    // … and our writer waits for a kubectl-style lock (kubectl just failed on exactly this path with O_EXCL).
    fs.writeFileSync(`${file}.lock`, '', { mode: 0 });
    const waiting = new KubeconfigWriter({ files: [file], lockLingerMs: 0, lockTimeoutMs: 5000 }).useContext('ours');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await loadKubeconfig([file])).currentContext, 'seed', 'nothing written while the lock exists');
    fs.unlinkSync(`${file}.lock`);
    await waiting;
    assert.equal((await loadKubeconfig([file])).currentContext, 'ours');
    const after = await runKubectl(file, ['use-context', 'seed']);
    assert.equal(after.code, 0, after.stderr);
  });

  it('puts each change in the same file of a KUBECONFIG list as kubectl does', async () => {
    const fixtures = path.join(REPO, 'test', 'unit', 'fixtures', 'kubeconfig');
    const layout = (sub: string) => {
      const d = path.join(dir, sub);
      fs.mkdirSync(d);
      fs.copyFileSync(path.join(fixtures, 'kubectl-written.yaml'), path.join(d, 'a'));
      fs.copyFileSync(path.join(fixtures, 'second.yaml'), path.join(d, 'b'));
      return [path.join(d, 'missing'), path.join(d, 'a'), path.join(d, 'b')];
    };
    const theirs = layout('kubectl');
    const ours = layout('ours');
    const list = theirs.join(path.delimiter);
    const k = async (...args: string[]) => {
      const r = await runProgram(kubectl, ['config', ...args], { env: { ...env(list), KUBECONFIG: list }, allowFailure: true });
      assert.equal(r.code, 0, r.stderr);
    };
    const w = new KubeconfigWriter({ files: ours, lockLingerMs: 0 });

    await k('use-context', 'staging');
    await w.useContext('staging');
    await k('set-cluster', 'fresh', '--server=https://fresh.example');
    await k('set-credentials', 'fresh', '--token=tok');
    await k('set-context', 'fresh', '--cluster=fresh', '--user=fresh');
    await w.upsertContext({
      name: 'fresh',
      cluster: { name: 'fresh', cluster: { server: 'https://fresh.example' } },
      user: { name: 'fresh', user: { token: 'tok' } },
    });
    await k('set-context', 'second', '--namespace=zzz');
    await w.upsertContext({
      name: 'second',
      cluster: { name: 'second', cluster: { server: 'https://second.example.com' } },
      user: { name: 'dev-admin', user: { token: 'fake-token-not-secret' } },
      namespace: 'zzz',
    });
    await k('use-context', 'fresh');
    await k('delete-context', 'staging');
    await w.removeContext('staging', { switchTo: 'fresh' });

    const summary = async (file: string) => {
      if (!fs.existsSync(file)) return 'absent';
      const m = await loadKubeconfig([file]);
      return {
        current: m.currentContext,
        contexts: [...m.contexts.values()].map((c) => `${c.name}:${c.cluster}/${c.user}/${c.namespace ?? ''}`).sort(),
        clusters: [...m.clusters.values()].map((c) => `${c.name}:${String(c.cluster.server)}`).sort(),
        users: [...m.users.keys()].sort(),
      };
    };
    for (let i = 0; i < theirs.length; i++) {
      assert.deepEqual(await summary(ours[i]!), await summary(theirs[i]!), `file ${path.basename(theirs[i]!)} differs from kubectl's`);
    }
    assert.equal((await loadKubeconfig(ours)).currentContext, 'fresh');
  });

  it('loses nothing over >= 1,000 concurrent operations', async () => {
    const file = path.join(dir, 'config');
    seed(file);
    const started = Date.now();
    const resultFile = path.join(dir, 'worker.json');
    // Our writers together write about twice a second (each write holds the lock 200 ms and leaves a 150 ms gap);
    // kubectl about six times. The counts keep the three lanes busy for about the same time.
    const workerOps = 130;
    const ourOps = 130;
    const kubectlOps = 740;

    worker = spawnManaged(
      'kubeconfig-writer-worker',
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(REPO, 'test', 'support', 'kubeconfig-writer-worker.ts'),
        JSON.stringify({ file, prefix: 'proc', ops: workerOps, lingerMs: LINGER_MS, result: resultFile }),
      ],
      { cwd: REPO },
    );

    const kubectlLane = async (prefix: string, ops: number): Promise<KubectlStats> => {
      const s: KubectlStats = { ops: 0, lockBusy: 0, failures: [], present: [], removed: [], ms: 0 };
      const t0 = Date.now();
      const run = async (args: string[]) => {
        for (let attempt = 0; attempt < 400; attempt++) {
          // Start kubectl when the lock looks free (it does not wait itself); someone may still take it first.
          for (let i = 0; i < 500 && fs.existsSync(`${file}.lock`); i++) await new Promise((res) => setTimeout(res, 2));
          const r = await runKubectl(file, args);
          if (r.code === 0) {
            s.ops++;
            return true;
          }
          if (/\.lock: file exists/.test(r.stderr)) {
            s.lockBusy++;
            await new Promise((res) => setTimeout(res, 2 + Math.random() * 10));
            continue;
          }
          s.failures.push(`kubectl config ${args[0]} ${args[1]}: ${r.stderr.trim().slice(0, 300)}`);
          return false;
        }
        s.failures.push(`kubectl config ${args[0]} ${args[1]}: lock never free`);
        return false;
      };
      for (let r = 0; s.ops < ops && s.failures.length < 20; r++) {
        const n = `${prefix}-${r}`;
        if (!(await run(['set-cluster', n, `--server=https://${n}.example`, '--insecure-skip-tls-verify=true']))) continue;
        if (!(await run(['set-credentials', n, `--token=token-${n}`]))) continue;
        if (!(await run(['set-context', n, `--cluster=${n}`, `--user=${n}`, '--namespace=default']))) continue;
        s.present.push(n);
        if (r % 3 === 0) await run(['use-context', n]);
        // Remove the oldest entry of ours once there are a dozen, unless kubectl made it current (kubectl would leave
        // current-context dangling).
        const old = s.present.find((x) => Number(x.slice(prefix.length + 1)) % 3 !== 0);
        if (s.present.length > 12 && old !== undefined) {
          const ok = (await run(['delete-context', old])) && (await run(['delete-cluster', old])) && (await run(['delete-user', old]));
          if (ok) {
            s.present.splice(s.present.indexOf(old), 1);
            s.removed.push(old);
          }
        }
      }
      s.ms = Date.now() - t0;
      return s;
    };

    const [ours, kube] = await Promise.all([runWriter({ file, prefix: 'ours', ops: ourOps, lingerMs: LINGER_MS }), kubectlLane('kc', kubectlOps)]);
    // our last write returned while its lock lingers: the timer must release it (checked at the end: no lock left)
    await settleLingeringLocks();
    const exit = await worker.exited;
    assert.equal(exit.code, 0, `worker failed: ${worker.output().slice(-2000)}`);
    const proc = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as WorkerResult;
    const totalMs = Date.now() - started;

    const merged = await loadKubeconfig([file]);
    const lost: string[] = [];
    const resurrected: string[] = [];
    const check = (who: string, present: string[], removed: string[]) => {
      for (const n of present) {
        for (const [kind, map] of [
          ['context', merged.contexts],
          ['cluster', merged.clusters],
          ['user', merged.users],
        ] as const) {
          if (!map.has(n)) lost.push(`${who}: ${kind} ${n}`);
        }
      }
      for (const n of removed) {
        for (const [kind, map] of [
          ['context', merged.contexts],
          ['cluster', merged.clusters],
          ['user', merged.users],
        ] as const) {
          if (map.has(n)) resurrected.push(`${who}: ${kind} ${n}`);
        }
      }
    };
    check('our writer', ours.present, ours.removed);
    check('worker process', proc.present, proc.removed);
    check('kubectl', kube.present, kube.removed);
    check('seed', ['seed'], []);

    const total = ours.ops + proc.ops + kube.ops;
    const line = (who: string, ops: number, ms: number, extra = '') =>
      `  ${who.padEnd(16)} ${String(ops).padStart(5)} ops in ${(ms / 1000).toFixed(1)} s${extra}`;
    process.stdout.write(
      [
        `      kubeconfig race (${(totalMs / 1000).toFixed(1)} s, lock linger ${LINGER_MS} ms):`,
        line('our writer', ours.ops, ours.ms, `, ${ours.present.length} entries kept, ${ours.removed.length} removed`),
        line('worker process', proc.ops, proc.ms, `, ${proc.present.length} entries kept, ${proc.removed.length} removed`),
        line(
          'kubectl',
          kube.ops,
          kube.ms,
          `, ${kube.present.length} entries kept, ${kube.removed.length} removed, ${kube.lockBusy} refused by the lock and retried`,
        ),
        `  total ${total} operations; losses = ${lost.length}, resurrected = ${resurrected.length}, failures = ${ours.failures.length + proc.failures.length + kube.failures.length}`,
        '',
      ].join('\n      '),
    );

    assert.deepEqual([...ours.failures, ...proc.failures, ...kube.failures], []);
    assert.ok(total >= 1000, `only ${total} operations`);
    assert.deepEqual(lost, [], 'nothing anyone wrote is lost');
    assert.deepEqual(resurrected, [], 'nothing anyone removed comes back');
    assert.deepEqual(
      merged.problems.filter((p) => p.blocking),
      [],
      'the file parses cleanly',
    );
    assert.ok(merged.currentContext && merged.contexts.has(merged.currentContext), 'current-context names an existing context');
    assert.deepEqual(
      fs.readdirSync(dir).filter((n) => n.endsWith('.lock') || n.endsWith('.tmp')),
      [],
      'no lock or temp file left',
    );
  });
});
