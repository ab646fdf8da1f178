// The kubeconfig writer with big files: it reads and plans without the lock and checks under it that nothing changed
// meanwhile (a change by someone else is read again, never lost), keeps undo backups as patches (they do not grow
// with the file), and still undoes changes recorded by earlier versions (whole-file backups).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { KubeconfigWriter } from '../../src/kube/kubeconfig/writer';

/** A kubeconfig in kubectl's layout with n contexts, each with its own cluster and user. */
function kubeconfig(n: number): string {
  const items = (f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join('');
  return (
    `apiVersion: v1\nclusters:\n${items((i) => `- cluster:\n    certificate-authority-data: ${Buffer.from(`certificate-${i}`.repeat(30)).toString('base64')}\n    server: https://10.0.${i >> 8}.${i & 255}:6443\n  name: c${i}\n`)}` +
    `contexts:\n${items((i) => `- context:\n    cluster: c${i}\n    user: u${i}\n  name: x${i}\n`)}current-context: x0\nkind: Config\npreferences: {}\n` +
    `users:\n${items((i) => `- name: u${i}\n  user:\n    token: secret-${i}\n`)}`
  );
}

const current = (file: string) => (YAML.parse(fs.readFileSync(file, 'utf8'), { version: '1.1' }) as { 'current-context': string })['current-context'];

describe('kubeconfig writer with big files', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-kcws-'));
    file = path.join(dir, 'config');
    fs.writeFileSync(file, kubeconfig(2000), { mode: 0o600 });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const writer = () => new KubeconfigWriter({ files: [file], backupDir: path.join(dir, 'backups'), lockLingerMs: 0, lockTimeoutMs: 10_000, lockPollMs: 10 });

  it('re-reads a file that changed between its read and the lock: the other change is kept', async () => {
    // Hold kubectl's lock, let the writer read and plan, change the file as kubectl would under its lock, release.
    const lock = `${file}.lock`;
    fs.writeFileSync(lock, '');
    const switching = writer().useContext('x7');
    await new Promise((r) => setTimeout(r, 300));
    const text = fs.readFileSync(file, 'utf8').replace('contexts:\n', 'contexts:\n- context:\n    cluster: c1\n    user: u1\n  name: added-by-kubectl\n');
    fs.writeFileSync(file, text);
    fs.unlinkSync(lock);
    const r = await switching;
    assert.equal(r.changed, true);
    const after = fs.readFileSync(file, 'utf8');
    assert.ok(after.includes('name: added-by-kubectl'), 'the change made while the writer waited for the lock was lost');
    assert.equal(current(file), 'x7');
    assert.ok(!fs.existsSync(lock));
  });

  it('keeps undo backups as patches: a dozen changes of a big file take a sliver of its size, and undo is byte exact', async () => {
    const w = writer();
    const size = fs.statSync(file).size;
    const before = fs.readFileSync(file);
    for (let i = 1; i <= 12; i++) await w.useContext(`x${i * 97}`);
    const mid = fs.readFileSync(file);
    await w.upsertContext(
      { name: 'vc', cluster: { name: 'vc', cluster: { server: 'https://vc:443' } }, user: { name: 'vc', user: { token: 't' } } },
      { makeCurrent: true },
    );
    const backups = path.join(dir, 'backups');
    const total = fs.readdirSync(backups).reduce((n, f) => n + fs.statSync(path.join(backups, f)).size, 0);
    assert.equal(fs.readdirSync(backups).length, 10, 'the newest ten are kept');
    assert.ok(total < size / 20, `backups take ${total} bytes next to a ${size}-byte file`);
    await w.undoLast();
    assert.ok(fs.readFileSync(file).equals(mid), 'undo of connect restores the bytes before it');
    for (let i = 0; i < 9; i++) await w.undoLast();
    assert.equal(current(file), 'x291', 'back to the third switch: the oldest of the ten kept undoes the fourth');
    assert.ok(!fs.readFileSync(file).equals(before));
  });

  it('undoes a change recorded as a whole-file backup by an earlier version', async () => {
    const backups = path.join(dir, 'backups');
    fs.mkdirSync(backups, { mode: 0o700 });
    const before = fs.readFileSync(file);
    const after = fs.readFileSync(file, 'utf8').replace('current-context: x0', 'current-context: x5');
    fs.writeFileSync(file, after);
    const { createHash } = await import('node:crypto');
    const record = {
      version: 1,
      id: '000001700000000-0000001-0a0b0c0d',
      time: new Date().toISOString(),
      description: 'switch to context "x5"',
      files: [{ path: file, before: before.toString('base64'), afterSha256: createHash('sha256').update(after).digest('hex') }],
    };
    fs.writeFileSync(path.join(backups, `${record.id}.json`), JSON.stringify(record), { mode: 0o600 });
    const r = await writer().undoLast();
    assert.equal(r.description, 'switch to context "x5"');
    assert.ok(fs.readFileSync(file).equals(before));
  });
});
