// A writer of ours killed with SIGKILL in the middle of a write (test/support/kubeconfig-kill-worker.ts, a real
// process) leaves `<file>.lock` with our token (its pid, this host) and a temp copy with credentials in it. The next
// writer of ours takes the lock over and removes the copy, and then real kubectl (which never waits) can write too.
// What is not ours to take stays respected: a live process's lock, kubectl's empty lock, another host's, a partial
// token. Needs kubectl from the tools cache (no API server: `kubectl config` only).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { toolPath } from '../../scripts/lib/toolchain.mjs';
import { KubeconfigError } from '../../src/kube/kubeconfig/errors';
import { loadKubeconfig } from '../../src/kube/kubeconfig/model';
import { KubeconfigWriter } from '../../src/kube/kubeconfig/writer';
import { runProgram, spawnManaged, type ManagedProcess } from '../harness/cluster/processes';
import { waitFor } from '../harness/cluster/rest';
import { runWriter, type WorkerConfig, type WorkerResult } from '../support/kubeconfig-writer-worker';

const REPO = path.resolve(__dirname, '..', '..');
const WORKER = path.join(REPO, 'test', 'support', 'kubeconfig-kill-worker.ts');
const WRITER_WORKER = path.join(REPO, 'test', 'support', 'kubeconfig-writer-worker.ts');
/** This host (name and PID namespace) in our temp names (src/kube/kubeconfig/leftovers.ts). */
const pidNs = (() => {
  try {
    return /^pid:\[([0-9]+)\]$/.exec(fs.readlinkSync('/proc/self/ns/pid'))?.[1] ?? '';
  } catch {
    return '';
  }
})();
const hostTag = () => createHash('sha256').update(`${os.hostname()}\0${pidNs}`).digest('hex').slice(0, 8);
const SEED =
  'apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://seed.example\n  name: seed\ncontexts:\n- context:\n    cluster: seed\n    user: seed\n  name: seed\ncurrent-context: seed\nusers:\n- name: seed\n  user:\n    token: seed\n';

describe('kubeconfig: what a killed writer of ours leaves behind does not block anyone', function () {
  this.timeout(60_000);
  let dir: string;
  let file: string;
  const workers: ManagedProcess[] = [];
  /** A pid no process has: a child that has exited and been reaped. */
  let deadPid = 0;
  before(async () => {
    const p = spawnManaged('short-lived', process.execPath, ['-e', '']);
    await p.exited;
    deadPid = p.pid;
  });
  const kubectl = (args: string[]) => {
    const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: file };
    delete env.DISABLE_KUBECONFIG_LOCK;
    return runProgram(toolPath('kubectl'), ['config', ...args], { env, allowFailure: true, timeoutMs: 30_000 });
  };
  const upsert = (name: string, lockTimeoutMs = 5000) =>
    new KubeconfigWriter({ files: [file], lockLingerMs: 0, lockTimeoutMs }).upsertContext({
      name,
      cluster: { name, cluster: { server: `https://${name}.example` } },
      user: { name, user: { token: `${name}-token` } },
    });
  const leftovers = () => fs.readdirSync(dir).filter((n) => n.endsWith('.tmp'));
  /** Starts the worker, waits until it holds the lock and its temp copy, and leaves it running. */
  const holdingWorker = async (): Promise<ManagedProcess> => {
    const w = spawnManaged('kubeconfig-kill-worker', process.execPath, ['--import', 'tsx', WORKER, file], { cwd: REPO });
    workers.push(w);
    await waitFor(
      'the worker to hold the lock mid-write',
      async () => w.output().includes('holding') || (w.hasExited() && Promise.reject(new Error(w.output()))),
      30_000,
      20,
    );
    return w;
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-killed-writer-'));
    file = path.join(dir, 'config');
    fs.writeFileSync(file, SEED, { mode: 0o600 });
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop(500)));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('after SIGKILL mid-write: our next writer takes the lock over and removes the temp copy; kubectl writes again', async () => {
    const w = await holdingWorker();
    const lock = fs.readFileSync(`${file}.lock`, 'utf8');
    assert.match(lock, new RegExp(`^vcluster-explorer pid=${w.pid} host=`));
    assert.equal(leftovers().length, 1, 'the worker has its temp copy next to the file');
    assert.match(fs.readFileSync(path.join(dir, leftovers()[0]!), 'utf8'), /killed-writer-secret/);
    w.signal('SIGKILL');
    await w.exited;

    // kubectl is blocked by the dead lock (what the user saw before: "file exists" until removed by hand) …
    const blocked = await kubectl(['set-context', 'theirs', '--cluster=seed', '--user=seed']);
    assert.notEqual(blocked.code, 0);
    assert.match(blocked.stderr, /config\.lock: file exists/);

    // … our writer takes it over, writes, and removes the dead copy with its credentials …
    await upsert('next');
    assert.deepEqual(leftovers(), [], 'the temp copy of the killed writer is gone');
    assert.ok(!fs.existsSync(`${file}.lock`), 'no lock afterwards');
    assert.deepEqual(fs.readdirSync(dir).sort(), ['config'], 'no takeover guard or moved-aside lock either');
    const after = await loadKubeconfig([file]);
    assert.ok(after.contexts.has('next') && !after.contexts.has('killed'));

    // … and kubectl gets through.
    const ok = await kubectl(['set-context', 'theirs', '--cluster=seed', '--user=seed']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok((await loadKubeconfig([file])).contexts.has('theirs'));
  });

  it('the temp copy of a killed writer goes with the next write even when its lock was removed by hand', async () => {
    const w = await holdingWorker();
    w.signal('SIGKILL');
    await w.exited;
    fs.unlinkSync(`${file}.lock`);
    assert.equal(leftovers().length, 1);
    await upsert('next');
    assert.deepEqual(fs.readdirSync(dir), ['config'], 'no copy of the credentials left behind');
  });

  it('three writers of ours (three processes) meet the dead lock at once: one at a time, nothing lost', async () => {
    const w = await holdingWorker();
    w.signal('SIGKILL');
    await w.exited;
    // Two more processes with our writer and this one all find the dead lock and take it over at the same moment.
    const others = ['a', 'b'].map((prefix) => {
      const result = path.join(dir, `result-${prefix}.json`);
      const cfg: WorkerConfig = { file, prefix, ops: 8, lingerMs: 0, result };
      return runProgram(process.execPath, ['--import', 'tsx', WRITER_WORKER, JSON.stringify(cfg)], { cwd: REPO, timeoutMs: 60_000, allowFailure: true }).then(
        (r) => {
          assert.equal(r.code, 0, r.stderr);
          const out = JSON.parse(fs.readFileSync(result, 'utf8')) as WorkerResult;
          fs.unlinkSync(result);
          return out;
        },
      );
    });
    const results = [await runWriter({ file, prefix: 'c', ops: 8, lingerMs: 0 }), ...(await Promise.all(others))];
    const names = new Set((await loadKubeconfig([file])).contexts.keys());
    for (const r of results) {
      assert.deepEqual(r.failures, [], r.prefix);
      for (const n of r.present) assert.ok(names.has(n), `${n} was written and must be there`);
      for (const n of r.removed) assert.ok(!names.has(n), `${n} was removed and must be gone`);
    }
    assert.deepEqual(fs.readdirSync(dir).sort(), ['config']);
  });

  it('a live process of ours still holds its lock: our writer waits and times out, nothing removed', async () => {
    const w = await holdingWorker();
    await assert.rejects(
      upsert('next', 600),
      (err: unknown) => err instanceof KubeconfigError && err.code === 'lockTimeout' && err.message.includes(`process ${w.pid}`),
    );
    assert.match(fs.readFileSync(`${file}.lock`, 'utf8'), new RegExp(`^vcluster-explorer pid=${w.pid} `));
    assert.equal(leftovers().length, 1, "a live writer's temp copy is left alone");
  });

  for (const [what, content] of [
    ["kubectl's lock (an empty file)", ''],
    ['a lock of ours from another host', () => `vcluster-explorer pid=${deadPid} host=${os.hostname()}-elsewhere id=0123456789abcdef\n`],
    [
      'a lock of ours from this host name but another PID namespace (a container)',
      () => `vcluster-explorer pid=${deadPid} host=${os.hostname()} pidns=1 id=0123456789abcdef\n`,
    ],
    ['a token of ours written only in part', () => `vcluster-explorer pid=${deadPid} host=${os.hostname()}`],
  ] as const) {
    it(`${what} is respected even when no process holds it`, async () => {
      fs.writeFileSync(`${file}.lock`, typeof content === 'function' ? content() : content, { mode: 0o600 });
      const before = fs.readFileSync(`${file}.lock`, 'utf8');
      await assert.rejects(upsert('next', 400), (err: unknown) => err instanceof KubeconfigError && err.code === 'lockTimeout');
      assert.equal(fs.readFileSync(`${file}.lock`, 'utf8'), before);
      assert.equal((await loadKubeconfig([file])).contexts.has('next'), false);
    });
  }

  it('temp names of a dead process of another host, not of our pattern, or a symlink are left alone', async () => {
    const elsewhere = `.config.vce-${hostTag() === '00000000' ? '11111111' : '00000000'}-${deadPid}-0123abcd.tmp`;
    const notOurs = `.config.vce-${hostTag()}-${deadPid}-0123abcd.tmp.bak`;
    const linked = `.config.vce-${hostTag()}-${deadPid}-4567abcd.tmp`;
    fs.symlinkSync(path.join(dir, 'elsewhere-target'), path.join(dir, linked));
    fs.writeFileSync(path.join(dir, elsewhere), 'x', { mode: 0o600 });
    fs.writeFileSync(path.join(dir, notOurs), 'x', { mode: 0o600 });
    await upsert('next');
    assert.deepEqual(fs.readdirSync(dir).sort(), [elsewhere, notOurs, linked, 'config'].sort());
  });
});
