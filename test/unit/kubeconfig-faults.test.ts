// The writer against real file-system faults: a full disk (a tiny tmpfs), a rename that the kernel refuses (the
// kubeconfig is a mount point) and an exception thrown under the lock. Whatever fails after `<file>.lock` exists,
// the lock and every temp file are gone when the error is reported, and the kubeconfig is unchanged. The tmpfs and
// the bind mount live in a private mount namespace of a child process (util-linux `unshare`), so the test needs no
// privileges on the machine and leaves no mount behind.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeconfigError } from '../../src/kube/kubeconfig/errors';
import { KubeconfigWriter } from '../../src/kube/kubeconfig/writer';
import { runProgram } from '../harness/cluster/processes';

const REPO = path.resolve(__dirname, '..', '..');
const WORKER = path.join(REPO, 'test', 'support', 'kubeconfig-fault-worker.ts');

interface FaultResult {
  error?: { code?: string; message: string };
  listing: string[];
  config: 'unchanged' | 'changed';
  crash?: string;
}

async function inFault(scenario: string): Promise<FaultResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-fault-'));
  try {
    const script = 'mount -t tmpfs -o size=64k,mode=0700 tmpfs "$1" && exec "$2" --import tsx "$3" "$1" "$4"';
    const r = await runProgram('unshare', ['--user', '--map-root-user', '--mount', 'sh', '-c', script, 'sh', dir, process.execPath, WORKER, scenario], {
      cwd: REPO,
      timeoutMs: 60_000,
      allowFailure: true,
    });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    assert.ok(line.startsWith('{'), `the fault worker did not report (exit ${r.code}): ${r.stderr.slice(0, 500)}`);
    const result = JSON.parse(line) as FaultResult;
    assert.equal(result.crash, undefined, result.crash);
    assert.deepEqual(fs.readdirSync(dir), [], 'nothing leaked out of the namespace');
    return result;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('kubeconfig writer under file-system faults: the lock is never left behind', function () {
  this.timeout(60_000);

  it("a disk so full that the lock's own content cannot be written: lock removed, clear message", async () => {
    const r = await inFault('full');
    assert.equal(r.error?.code, 'lockFailed', JSON.stringify(r.error));
    assert.match(r.error!.message, /config\.lock failed \(no space left on device\)/);
    assert.deepEqual(r.listing, ['config'], 'no lock and no temp file');
    assert.equal(r.config, 'unchanged');
  });

  it('a disk that fills up while the new kubeconfig is written: temp file and lock removed', async () => {
    const r = await inFault('almost-full');
    assert.equal(r.error?.code, 'writeFailed', JSON.stringify(r.error));
    assert.match(r.error!.message, /no space left on device; the file was not changed/);
    assert.deepEqual(r.listing, ['config']);
    assert.equal(r.config, 'unchanged');
  });

  it('a rename refused by the kernel (EBUSY): temp file and lock removed', async () => {
    const r = await inFault('rename');
    assert.equal(r.error?.code, 'writeFailed', JSON.stringify(r.error));
    assert.match(r.error!.message, /EBUSY; the file was not changed/);
    assert.deepEqual(r.listing, ['config']);
    assert.equal(r.config, 'unchanged');
  });

  it('an exception thrown under the lock: lock removed before the error is reported', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-fault-'));
    try {
      const file = path.join(dir, 'config');
      fs.writeFileSync(
        file,
        'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://c"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n',
        { mode: 0o600 },
      );
      const writer = new KubeconfigWriter({ files: [file], lockLingerMs: 0 });
      await assert.rejects(writer.removeContext('x'), (e: unknown) => {
        assert.ok(e instanceof KubeconfigError && e.code === 'contextInUse');
        assert.deepEqual(fs.readdirSync(dir), ['config'], 'the lock is already gone when the error arrives');
        return true;
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
