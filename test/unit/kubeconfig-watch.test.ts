// The kubeconfig file watch on real files: a `~/.kube/config` that is a symlink into a dotfiles directory (changed
// there by rename, as kubectl and our writer write), a kubeconfig (and its directory) created after start, and a
// change that touches only credentials, which changes nothing visible but must reach the clients, and a change in the
// gap between the first read and the watch.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeconfigState, type KubeconfigSnapshot } from '../../src/vcluster/kubeconfigState';

const config = (contexts: string[], token = 't') =>
  [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: c',
    '  cluster: {server: "https://c.example"}',
    'users:',
    '- name: u',
    `  user: {token: ${token}}`,
    'contexts:',
    ...contexts.flatMap((n) => [`- name: ${n}`, '  context: {cluster: c, user: u}']),
    `current-context: ${contexts[0] ?? ''}`,
    '',
  ].join('\n');

/** Writes like kubectl does: a temp file in the same directory renamed over the target. */
function replace(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

function next(subscribe: (l: (s: KubeconfigSnapshot) => void) => { dispose(): void }, what: string, ms = 5000): Promise<KubeconfigSnapshot> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`no change event within ${ms} ms: ${what}`));
    }, ms);
    const sub = subscribe((s) => {
      clearTimeout(timer);
      sub.dispose();
      resolve(s);
    });
  });
}

describe('kubeconfig file watch', function () {
  this.timeout(20_000);
  let dir: string;
  let state: KubeconfigState | undefined;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-kcwatch-'));
  });
  afterEach(() => {
    state?.dispose();
    state = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('follows a symlinked kubeconfig: a change of the file it points to shows up', async () => {
    const real = path.join(dir, 'dotfiles', 'kube', 'config');
    fs.mkdirSync(path.dirname(real), { recursive: true });
    fs.writeFileSync(real, config(['one']), { mode: 0o600 });
    const link = path.join(dir, 'home', '.kube', 'config');
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(path.relative(path.dirname(link), real), link);
    state = new KubeconfigState(() => [link]);
    const s = state;
    assert.deepEqual(
      (await s.reload()).contexts.map((c) => c.name),
      ['one'],
    );
    await new Promise((r) => setTimeout(r, 200));
    const changed = next((l) => s.onDidChange(l), 'the symlink target was replaced');
    replace(real, config(['one', 'two']));
    assert.deepEqual(
      (await changed).contexts.map((c) => c.name),
      ['one', 'two'],
    );
  });

  it('notices a kubeconfig that is created after start, directory and all', async () => {
    const file = path.join(dir, 'home', '.kube', 'config');
    fs.mkdirSync(path.join(dir, 'home'));
    state = new KubeconfigState(() => [file]);
    const s = state;
    assert.equal((await s.reload()).state, 'noKubeconfig');
    await new Promise((r) => setTimeout(r, 200));
    const ready = new Promise<KubeconfigSnapshot>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the new kubeconfig was not noticed')), 8000);
      const sub = s.onDidChange((snap) => {
        if (snap.state === 'ready') {
          clearTimeout(timer);
          sub.dispose();
          resolve(snap);
        }
      });
    });
    // What a first `kind create cluster` does: the directory, then the file.
    fs.mkdirSync(path.dirname(file));
    await new Promise((r) => setTimeout(r, 300));
    replace(file, config(['kind-kind']));
    assert.deepEqual(
      (await ready).contexts.map((c) => c.name),
      ['kind-kind'],
    );
  });

  it('sees a change made after the first read but before the watch is in place', async () => {
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, config(['one']), { mode: 0o600 });
    state = new KubeconfigState(() => [file]);
    const s = state;
    // The listener of the first read runs before the watch is installed (installing it awaits the file system): a
    // write here is in the gap, and no watch event will ever report it.
    let changed = false;
    const sub = s.onDidChange(() => {
      if (changed) return;
      changed = true;
      replace(file, config(['two']));
    });
    const seen = next((l) => s.onDidChange(l), 'the change in the gap');
    const first = await s.reload();
    sub.dispose();
    assert.equal(first.currentContext, 'one');
    assert.ok(changed);
    assert.equal((await seen).currentContext, 'one', 'the first read');
    const again = await next((l) => s.onDidChange(l), 'the change in the gap');
    assert.equal(again.currentContext, 'two');
    assert.deepEqual(
      s.snapshot()?.contexts.map((c) => c.name),
      ['two'],
    );
  });

  it('tells content listeners about a change of credentials only (nothing visible changed)', async () => {
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, config(['one'], 'old-token'), { mode: 0o600 });
    state = new KubeconfigState(() => [file]);
    const s = state;
    await s.reload();
    let visible = 0;
    s.onDidChange(() => visible++);
    await new Promise((r) => setTimeout(r, 200));
    const content = next((l) => s.onDidChangeContent(l), 'the token changed');
    replace(file, config(['one'], 'new-token'));
    await content;
    assert.equal(visible, 0, 'nothing visible changed');
  });
});
