// The lock's linger after a write (lock.ts HeldLocks.releaseAfter, the writer's lockLingerMs): a switch, connect or
// undo returns as soon as the new file is in place, while `<file>.lock` stays for the linger so that a kubectl that
// read the old file cannot write it back (kubernetes/kubernetes#28260). Our next edit waits for the lingering lock,
// and nothing leaves the lock behind: not the timer, not releaseLingeringLocks(), not a process.exit() meanwhile.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { releaseLingeringLocks, settleLingeringLocks } from '../../src/kube/kubeconfig/lock';
import { runProgram } from '../harness/cluster/processes';
import { runProgram as runCliProgram } from '../../src/vcluster/cli';
import { names, parse, spec, tempKubeconfigDir } from '../support/kubeconfigFiles';

const REPO = path.resolve(__dirname, '..', '..');
const WORKER = path.join(REPO, 'test', 'support', 'kubeconfig-linger-worker.ts');

describe('kubeconfig writer: the lock lingers after the write returns', () => {
  const kc = tempKubeconfigDir();
  const { fixture, writer, leftovers } = kc;
  // a test that fails half-way must not keep its lock (or this process) for a minute
  afterEach(() => releaseLingeringLocks());

  const ourLock = (lock: string) => fs.existsSync(lock) && fs.readFileSync(lock, 'utf8').startsWith(`vcluster-explorer pid=${process.pid} `);

  it('switch, connect and undo return with the new file in place and the lock still held; the timer releases it', async () => {
    const f = fixture('kubectl-written.yaml', 'config');
    const lock = `${f}.lock`;
    const original = fs.readFileSync(f);
    const w = writer([f], { lockLingerMs: 1000, lockGapMs: 0 });

    const switched = await w.useContext('staging');
    assert.equal(switched.changed, true);
    assert.equal(parse(f)['current-context'], 'staging', 'the file is written when the switch returns');
    assert.ok(ourLock(lock), 'the lock (with our token) is still held when the switch returns');
    await settleLingeringLocks();
    assert.ok(!fs.existsSync(lock), 'released after the linger');

    const connected = await w.upsertContext(spec('vc-one'), { makeCurrent: true });
    assert.ok(connected.backupId, 'the undo record is kept before the connect returns');
    assert.equal(parse(f)['current-context'], 'vc-one');
    assert.ok(ourLock(lock), 'held after connect');
    await settleLingeringLocks();
    assert.ok(!fs.existsSync(lock));

    await w.undoLast();
    assert.equal(parse(f)['current-context'], 'staging');
    assert.ok(!names(f, 'contexts').includes('vc-one'));
    assert.ok(ourLock(lock), 'held after undo');
    await settleLingeringLocks();
    await w.undoLast();
    assert.ok(fs.readFileSync(f).equals(original), 'both changes undone, byte for byte');
    await settleLingeringLocks();
    assert.deepEqual(leftovers(), []);
  });

  it('a second edit started during the linger waits for the lock, from the same writer and from another one', async () => {
    const f = fixture('kubectl-written.yaml', 'config');
    const lock = `${f}.lock`;
    const first = writer([f], { lockLingerMs: 800, lockGapMs: 0 });
    await first.useContext('staging');
    assert.ok(ourLock(lock), 'the first switch returned while its lock lingers');

    // What the file holds the moment the lingering lock is gone: nothing of the two edits below may be in it yet.
    const atRelease = settleLingeringLocks().then(() => ({ config: parse(f) }));
    const again = first.upsertContext(spec('third'), { makeCurrent: true });
    const other = writer([f], { lockLingerMs: 0, lockGapMs: 0 }).setContextNamespace('staging', 'team-b');
    const [seen, r1, r2] = await Promise.all([atRelease, again, other]);

    assert.equal(seen.config['current-context'], 'staging', "the first switch's file, unchanged during its linger");
    assert.ok(!(seen.config.contexts as { name: string }[]).some((c) => c.name === 'third'), 'the connect waited for the lingering lock');
    const staging = (seen.config.contexts as { name: string; context: { namespace?: string } }[]).find((c) => c.name === 'staging');
    assert.equal(staging?.context.namespace, undefined, 'the other writer waited for the lingering lock');

    assert.equal(r1.changed, true);
    assert.equal(r2.changed, true);
    const end = parse(f);
    assert.equal(end['current-context'], 'third');
    assert.deepEqual(names(f, 'contexts').sort(), ['dev', 'staging', 'third']);
    assert.equal((end.contexts as { name: string; context: { namespace?: string } }[]).find((c) => c.name === 'staging')?.context.namespace, 'team-b');
    await settleLingeringLocks();
    assert.deepEqual(leftovers(), []);
  });

  it('an undo started during the linger of the change it undoes waits for the lock and restores the bytes', async () => {
    const f = fixture('kubectl-written.yaml', 'config');
    const original = fs.readFileSync(f);
    const w = writer([f], { lockLingerMs: 800, lockGapMs: 0 });
    await w.upsertContext(spec('vc-two'), { makeCurrent: true });
    assert.ok(ourLock(`${f}.lock`));
    const atRelease = settleLingeringLocks().then(() => parse(f)['current-context']);
    await w.undoLast();
    assert.equal(await atRelease, 'vc-two', 'nothing was restored while the lock lingered');
    assert.ok(fs.readFileSync(f).equals(original));
    await settleLingeringLocks();
    assert.deepEqual(leftovers(), []);
  });

  it('releaseLingeringLocks() releases at once (a window closing), and the next edit does not wait', async () => {
    const f = fixture('kubectl-written.yaml', 'config');
    await writer([f], { lockLingerMs: 60_000 }).useContext('staging');
    assert.ok(ourLock(`${f}.lock`));
    releaseLingeringLocks();
    assert.ok(!fs.existsSync(`${f}.lock`), 'gone synchronously');
    // with the lock still there this would time out
    await writer([f], { lockLingerMs: 0, lockGapMs: 0, lockTimeoutMs: 2000 }).useContext('dev');
    assert.equal(parse(f)['current-context'], 'dev');
    await settleLingeringLocks();
    assert.deepEqual(leftovers(), []);
  });

  it('leaves alone a lock that is no longer ours when the linger ends (removed by hand and taken by kubectl)', async () => {
    const f = fixture('kubectl-written.yaml', 'config');
    const lock = `${f}.lock`;
    await writer([f], { lockLingerMs: 300 }).useContext('staging');
    fs.unlinkSync(lock);
    fs.writeFileSync(lock, ''); // kubectl's lock is empty
    await settleLingeringLocks();
    assert.ok(fs.existsSync(lock), "kubectl's lock is not removed by our timer");
    assert.equal(fs.readFileSync(lock, 'utf8'), '');
    fs.unlinkSync(lock);

    // and one removed during the linger: the timer finds nothing and fails nowhere
    await writer([f], { lockLingerMs: 300 }).useContext('dev');
    fs.unlinkSync(lock);
    await settleLingeringLocks();
    assert.deepEqual(leftovers(), []);
  });

  it('a process.exit() during the linger removes the lock', async function () {
    this.timeout(60_000);
    const f = fixture('kubectl-written.yaml', 'config');
    const r = await runProgram(process.execPath, ['--import', 'tsx', WORKER, f, 'staging'], { cwd: REPO, timeoutMs: 30_000, allowFailure: true });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    assert.ok(line.startsWith('{'), `the worker did not report (exit ${r.code}): ${r.stderr.slice(0, 500)}`);
    assert.deepEqual(JSON.parse(line), { changed: true, lockWhileLingering: true }, 'the switch returned during its 60 s linger');
    assert.equal(r.code, 0);
    assert.equal(parse(f)['current-context'], 'staging');
    assert.ok(!fs.existsSync(`${f}.lock`), 'the exit removed the lingering lock');
    assert.deepEqual(leftovers(), []);
  });

  it('the vcluster CLI and Helm start only after a lingering lock is released (client-go gives up on a lock at once)', async () => {
    const f = fixture('kubectl-written.yaml', 'config');
    const lock = `${f}.lock`;
    const w = writer([f], { lockLingerMs: 1000, lockGapMs: 0 });
    await w.useContext('staging');
    assert.ok(ourLock(lock), 'the switch returned while its lock lingers');
    // A program that fails when it finds the lock, as client-go's ModifyConfig does.
    const r = await runCliProgram('/bin/sh', ['-c', 'if [ -e "$1" ]; then echo "found $1" >&2; exit 3; fi', 'sh', lock]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!fs.existsSync(lock));
    assert.deepEqual(leftovers(), []);
  });
});
