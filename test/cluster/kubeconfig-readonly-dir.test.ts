// A kubeconfig that is a symlink into a directory its user may not create files in (a dotfiles checkout made
// read-only, a config management tree), the file itself writable: real kubectl (v1.34.4) writes it, in place through
// the link, locking only `<link>.lock` (client-go loader.go lockFile and WriteToFile); through the target's own path it
// refuses, as `<target>.lock` cannot be created. Our writer must do the same, side by side with kubectl on the same
// files. The directory is really read-only for both: the test runs them without the capabilities that let root write
// anywhere (util-linux setpriv), or as they are when the test does not run as root.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { toolPath } from '../../scripts/lib/toolchain.mjs';
import { runProgram } from '../harness/cluster/processes';

const REPO = path.resolve(__dirname, '..', '..');
const WORKER = path.join(REPO, 'test', 'support', 'kubeconfig-upsert-worker.ts');
const SEED =
  'apiVersion: v1\nclusters:\n- cluster:\n    server: https://seed.example\n  name: seed\ncontexts:\n- context:\n    cluster: seed\n    user: seed\n  name: seed\ncurrent-context: seed\nkind: Config\npreferences: {}\nusers:\n- name: seed\n  user:\n    token: seed\n';

/** Runs a program without the right to write into directories whose mode forbids it. */
function restricted(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env) {
  const root = process.getuid?.() === 0;
  return runProgram(root ? 'setpriv' : command, root ? ['--bounding-set=-dac_override,-dac_read_search,-fowner', command, ...args] : args, {
    cwd: REPO,
    env,
    allowFailure: true,
    timeoutMs: 60_000,
  });
}

describe('a kubeconfig symlinked into a read-only directory: written as kubectl writes it', function () {
  this.timeout(120_000);
  let kubectl: string;
  let dir: string;
  let dots: string;
  let target: string;
  let link: string;
  before(() => {
    kubectl = toolPath('kubectl');
    assert.ok(fs.existsSync(kubectl), `kubectl is missing at ${kubectl}; run npm run setup`);
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-rodir-'));
    dots = path.join(dir, 'dotfiles');
    fs.mkdirSync(dots);
    target = path.join(dots, 'kubeconfig');
    fs.writeFileSync(target, SEED);
    fs.chmodSync(target, 0o640);
    fs.chmodSync(dots, 0o555);
    fs.mkdirSync(path.join(dir, 'home'));
    link = path.join(dir, 'home', 'config');
    fs.symlinkSync('../dotfiles/kubeconfig', link);
  });
  afterEach(() => {
    fs.chmodSync(dots, 0o755);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const kubectlAt = (file: string, args: string[]) => restricted(kubectl, args, { ...process.env, KUBECONFIG: file });
  const ours = async (file: string, name: string): Promise<{ error?: { code?: string; message: string } }> => {
    const r = await restricted(process.execPath, ['--import', 'tsx', WORKER, file, name]);
    const line = r.stdout.trim().split('\n').pop() ?? '';
    assert.ok(line.startsWith('{'), `the worker did not report (exit ${r.code}): ${r.stderr.slice(0, 500)}`);
    return JSON.parse(line) as { error?: { code?: string; message: string } };
  };
  const contexts = () => ((YAML.parse(fs.readFileSync(target, 'utf8')) as { contexts: { name: string }[] }).contexts ?? []).map((c) => c.name).sort();

  it('through the link: kubectl writes it, and so do we, in place, keeping the link and the mode', async () => {
    // The directory really is read-only to both.
    const probe = await restricted('touch', [path.join(dots, 'probe')]);
    assert.notEqual(probe.code, 0, 'a file could be created in the read-only directory');

    const k = await kubectlAt(link, ['config', 'set-context', 'by-kubectl', '--cluster=seed', '--user=seed']);
    assert.equal(k.code, 0, `kubectl: ${k.stderr}`);
    const r = await ours(link, 'by-us');
    assert.equal(r.error, undefined, JSON.stringify(r.error));

    assert.ok(fs.lstatSync(link).isSymbolicLink(), 'the link stays a link');
    assert.equal(fs.statSync(target).mode & 0o777, 0o640, 'the mode is kept');
    assert.deepEqual(contexts(), ['by-kubectl', 'by-us', 'seed']);
    // kubectl reads what we wrote
    const v = await kubectlAt(link, ['config', 'get-contexts', '-o', 'name']);
    assert.equal(v.code, 0, v.stderr);
    assert.deepEqual(v.stdout.trim().split('\n').sort(), ['by-kubectl', 'by-us', 'seed']);
    // nothing left behind: no lock, no temp file
    assert.deepEqual(fs.readdirSync(dots), ['kubeconfig']);
    assert.deepEqual(fs.readdirSync(path.dirname(link)), ['config']);
  });

  it("through the target's own path: kubectl refuses (it cannot create the lock there), and so do we", async () => {
    const k = await kubectlAt(target, ['config', 'set-context', 'by-kubectl', '--cluster=seed', '--user=seed']);
    assert.notEqual(k.code, 0);
    assert.match(k.stderr, /kubeconfig\.lock: permission denied/);
    const r = await ours(target, 'by-us');
    assert.equal(r.error?.code, 'lockFailed', JSON.stringify(r.error));
    assert.match(r.error!.message, /kubeconfig\.lock failed \(permission denied\); the file was not changed/);
    assert.equal(fs.readFileSync(target, 'utf8'), SEED);
    assert.deepEqual(fs.readdirSync(dots), ['kubeconfig']);
  });
});
