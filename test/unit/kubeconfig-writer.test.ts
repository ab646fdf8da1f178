// The kubeconfig writer on real temp files: where each change lands in a KUBECONFIG list, byte-level preservation
// of everything it does not change, modes, symlinks, kubectl's lock, malformed input (nothing written), undo.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import type { ContextSpec } from '../../src/kube/kubeconfig/writer';
import { KubeconfigError } from '../../src/kube/kubeconfig/errors';
import { KubeconfigWriter } from '../../src/kube/kubeconfig/writer';
import { loadKubeconfig } from '../../src/kube/kubeconfig/model';
import { removeCommand } from '../../src/kube/kubeconfig/lock';

const FIXTURES = path.join(__dirname, 'fixtures', 'kubeconfig');

function spec(name: string, extra: Partial<ContextSpec> = {}): ContextSpec {
  return {
    name,
    cluster: { name, cluster: { server: `https://${name}.example:8443`, 'certificate-authority-data': 'Q0EtREFUQQ==' } },
    user: { name, user: { 'client-certificate-data': 'Q0VSVA==', 'client-key-data': 'S0VZ' } },
    ...extra,
  };
}

function parse(file: string): Record<string, unknown> {
  return YAML.parse(fs.readFileSync(file, 'utf8'), { version: '1.1' }) as Record<string, unknown>;
}

function names(file: string, list: 'clusters' | 'users' | 'contexts'): string[] {
  return ((parse(file)[list] ?? []) as { name: string }[]).map((e) => e.name);
}

/** Lines of `before` must appear in `after` unchanged and in order. */
function assertLinesKept(before: string, after: string): void {
  const out = after.split('\n');
  let i = 0;
  for (const line of before.split('\n')) {
    while (i < out.length && out[i] !== line) i++;
    assert.ok(i < out.length, `line lost or changed: ${JSON.stringify(line)}`);
    i++;
  }
}

describe('kubeconfig writer', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-kcw-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const write = (name: string, text: string, mode = 0o600) => {
    const p = path.join(dir, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text, { mode });
    fs.chmodSync(p, mode);
    return p;
  };
  const fixture = (name: string, as = name) => write(as, fs.readFileSync(path.join(FIXTURES, name), 'utf8'));
  const writer = (files: string[], more: Partial<ConstructorParameters<typeof KubeconfigWriter>[0]> = {}) =>
    new KubeconfigWriter({ files, backupDir: path.join(dir, 'backups'), lockLingerMs: 0, ...more });
  const leftovers = () => fs.readdirSync(dir).filter((n) => n.endsWith('.lock') || n.endsWith('.tmp'));

  describe('where each change lands in a KUBECONFIG list (client-go ModifyConfig)', () => {
    it('new entries and current-context go to the first file, an existing entry is changed in the file that defines it', async () => {
      const a = fixture('kubectl-written.yaml', 'a.yaml');
      const b = fixture('second.yaml', 'b.yaml');
      const bBefore = fs.readFileSync(b, 'utf8');
      const w = writer([a, b]);

      await w.upsertContext(spec('fresh'), { makeCurrent: true });
      assert.ok(names(a, 'contexts').includes('fresh'));
      assert.ok(names(a, 'clusters').includes('fresh'));
      assert.ok(names(a, 'users').includes('fresh'));
      assert.equal(parse(a)['current-context'], 'fresh');
      assert.equal(fs.readFileSync(b, 'utf8'), bBefore, 'the second file is untouched');

      // "second" is defined only in b: changing it changes b
      await w.upsertContext({ ...spec('second'), cluster: { name: 'second', cluster: { server: 'https://moved.example' } }, user: { name: 'dev-admin', user: { token: 'new' } } });
      assert.equal((parse(b).clusters as { name: string; cluster: { server: string } }[]).find((c) => c.name === 'second')!.cluster.server, 'https://moved.example');
      assert.ok(!names(a, 'contexts').includes('second'));
      // dev-admin is defined in a (first-wins): its change lands in a, not in b
      assert.equal((parse(a).users as { name: string; user: { token: string } }[]).find((u) => u.name === 'dev-admin')!.user.token, 'new');
      const merged = await loadKubeconfig([a, b]);
      assert.equal(merged.currentContext, 'fresh');
      assert.equal(merged.contexts.get('second')!.file, b);
    });

    it('useContext writes current-context to the first existing file, even when a later file sets it', async () => {
      const a = write('a.yaml', 'apiVersion: v1\nkind: Config\nclusters: []\nusers:\n- name: dev-admin\n  user: {token: t}\n');
      const b = fixture('second.yaml', 'b.yaml');
      const w = writer([path.join(dir, 'missing.yaml'), a, b]);
      await w.useContext('dev');
      assert.equal(parse(a)['current-context'], 'dev');
      assert.equal(parse(b)['current-context'], 'second', 'the later file keeps its (now shadowed) value, as kubectl leaves it');
      assert.equal((await loadKubeconfig([a, b])).currentContext, 'dev');
      assert.ok(!fs.existsSync(path.join(dir, 'missing.yaml')));
      const again = await w.useContext('dev');
      assert.equal(again.changed, false);
    });

    it('when no file of the list exists, creates the last one (0600, parent directories 0700)', async () => {
      const first = path.join(dir, 'x', 'one');
      const last = path.join(dir, 'y', 'z', 'two');
      const w = writer([first, last]);
      await w.upsertContext(spec('only'), { makeCurrent: true });
      assert.ok(!fs.existsSync(first));
      assert.equal(fs.statSync(last).mode & 0o777, 0o600);
      assert.equal(fs.statSync(path.join(dir, 'y')).mode & 0o777, 0o700);
      assert.equal(fs.statSync(path.join(dir, 'y', 'z')).mode & 0o777, 0o700);
      const m = await loadKubeconfig([first, last]);
      assert.equal(m.currentContext, 'only');
      assert.deepEqual(m.problems, []);
      assert.equal(parse(last).kind, 'Config');
    });

    it('works on a workspace-scoped file owned by the extension, leaving the user kubeconfig alone', async () => {
      const user = fixture('kubectl-written.yaml', 'home.yaml');
      const userBefore = fs.readFileSync(user);
      const ws = path.join(dir, 'storage', 'workspace-1', 'kubeconfig');
      const w = writer([ws]);
      await w.upsertContext(spec('vcluster_vc_ns_dev'), { makeCurrent: true });
      assert.deepEqual(fs.readFileSync(user), userBefore);
      const m = await loadKubeconfig([ws]);
      assert.equal(m.currentContext, 'vcluster_vc_ns_dev');
      assert.equal(fs.statSync(ws).mode & 0o777, 0o600);
    });

    it('removeContext removes from the defining file and keeps a cluster or user another context still uses', async () => {
      const a = fixture('kubectl-written.yaml', 'a.yaml');
      const b = fixture('second.yaml', 'b.yaml');
      const w = writer([a, b]);
      // "staging" (in a) uses cluster staging and user oidc, used by nothing else: both go
      await w.removeContext('staging', { removeClusterAndUser: true });
      assert.deepEqual(names(a, 'contexts'), ['dev']);
      assert.deepEqual(names(a, 'clusters'), ['dev']);
      assert.deepEqual(names(a, 'users'), ['dev-admin']);
      // "second" (in b) uses user dev-admin, which context "dev" still uses: the user stays, cluster "second" goes
      await w.removeContext('second', { removeClusterAndUser: true, switchTo: 'dev' });
      assert.deepEqual(names(b, 'contexts'), ['dev']);
      assert.deepEqual(names(b, 'clusters'), ['dev']);
      assert.deepEqual(names(a, 'users'), ['dev-admin']);
      const m = await loadKubeconfig([a, b]);
      assert.equal(m.currentContext, 'dev');
      assert.deepEqual(m.problems, []);
    });

    it('removing the current context switches to the context the caller names, or clears it with ""', async () => {
      const a = fixture('kubectl-written.yaml', 'a.yaml');
      const w = writer([a]);
      await w.removeContext('dev', { switchTo: 'staging' });
      assert.equal(parse(a)['current-context'], 'staging');
      await w.removeContext('staging', { switchTo: '' });
      assert.equal(parse(a)['current-context'], '');
      assert.deepEqual(names(a, 'contexts'), []);
      assert.deepEqual(names(a, 'clusters'), ['dev', 'staging'], 'without removeClusterAndUser they stay');
    });
  });

  describe('the same file listed twice (directly, or through a symlink) is one file', () => {
    for (const how of ['through a symlink', 'under a second spelling'] as const) {
      it(`removing the current context with current-context cleared sticks (${how})`, async () => {
        const a = fixture('kubectl-written.yaml', 'a.yaml');
        let again = path.join(dir, '.', 'sub', '..', 'a.yaml');
        if (how === 'through a symlink') {
          again = path.join(dir, 'link.yaml');
          fs.symlinkSync('a.yaml', again);
        }
        await writer([a, again]).removeContext('dev', { switchTo: '' });
        const m = await loadKubeconfig([a]);
        assert.ok(!m.contexts.has('dev'), 'the removed context does not come back from the second name');
        assert.equal(m.currentContext, undefined);
        assert.deepEqual(leftovers(), []);
      });
    }

    it('is loaded once: one file entry and every problem once', async () => {
      const a = write('a.yaml', 'clusters:\n- name: c\n  cluster: {}\ncontexts:\n- name: x\n  context: {cluster: c}\n');
      const link = path.join(dir, 'link.yaml');
      fs.symlinkSync(a, link);
      const m = await loadKubeconfig([a, link, a]);
      assert.deepEqual(m.files.map((f) => f.path), [a]);
      assert.equal(m.problems.filter((p) => p.code === 'incomplete' && p.entry?.kind === 'cluster').length, 1);
    });
  });

  describe('preservation', () => {
    it('keeps comments, key order, quoting, flow style and unknown fields byte for byte', async () => {
      const f = fixture('commented.yaml', 'config');
      const before = fs.readFileSync(f, 'utf8');
      const w = writer([f]);
      await w.upsertContext(spec('vcluster_vc_team_lab'));
      const afterAdd = fs.readFileSync(f, 'utf8');
      assertLinesKept(before, afterAdd);
      assert.ok(afterAdd.startsWith(before.slice(0, before.indexOf('contexts:'))), 'everything up to the insertion is unchanged');
      assert.ok(afterAdd.endsWith(before.slice(before.indexOf('x-team-notes:'))), 'everything after the insertions is unchanged');
      assert.match(afterAdd, / {6}tls-server-name: lab.internal\n {2}- name: vcluster_vc_team_lab\n {4}cluster:\n/, 'the new entry follows the list\'s indentation and key order');

      await w.useContext('prod');
      const afterUse = fs.readFileSync(f, 'utf8');
      assert.equal(afterUse, afterAdd.replace('current-context: lab\n', 'current-context: prod\n'), 'exactly one line changed');

      // an in-place change of one field of an existing cluster touches only that scalar
      await w.upsertContext({ name: 'lab', cluster: { name: 'lab', cluster: { server: 'https://lab2.example.com', 'tls-server-name': 'lab.internal' } }, user: { name: 'alice', user: { 'client-certificate': 'certs/alice.crt', 'client-key': 'certs/alice.key' } } });
      const afterSet = fs.readFileSync(f, 'utf8');
      assert.equal(afterSet, afterUse.replace('server: https://lab.example.com\n', 'server: https://lab2.example.com\n'));

      const m = await loadKubeconfig([f]);
      assert.deepEqual((m.clusters.get('prod')!.cluster.extensions as unknown[]).length, 1);
      assert.deepEqual(parse(f)['x-team-notes'], { owner: 'platform', since: 2024 });
    });

    it('keeps fields it does not manage when replacing a cluster, and drops replaced credentials', async () => {
      const f = fixture('commented.yaml', 'config');
      const w = writer([f]);
      await w.upsertContext({ name: 'prod', cluster: { name: 'prod', cluster: { server: 'https://new-prod' } }, user: { name: 'alice', user: { token: 'tkn' } } });
      const m = await loadKubeconfig([f]);
      const prod = m.clusters.get('prod')!.cluster;
      assert.equal(prod.server, 'https://new-prod');
      assert.equal(prod['certificate-authority'], undefined);
      assert.equal((prod.extensions as unknown[]).length, 1, 'extensions are kept');
      assert.deepEqual(m.users.get('alice')!.user, { token: 'tkn' });
      assert.equal(m.contexts.get('prod')!.namespace, 'default', 'an existing namespace is kept when none is given');
      assert.match(fs.readFileSync(f, 'utf8'), /# Team kubeconfig — hand-edited, please keep these comments\.\n/);
    });

    it('keeps the file mode, and keeps CRLF line endings', async () => {
      const f = write('config', fs.readFileSync(path.join(FIXTURES, 'kubectl-written.yaml'), 'utf8').replace(/\n/g, '\r\n'), 0o640);
      await writer([f]).upsertContext(spec('crlf'), { makeCurrent: true });
      assert.equal(fs.statSync(f).mode & 0o777, 0o640);
      const text = fs.readFileSync(f, 'utf8');
      assert.ok(!/[^\r]\n/.test(text), 'every newline is still CRLF');
      assert.equal(parse(f)['current-context'], 'crlf');
    });

    it('follows a symlink: the target file is written and the link stays a link', async () => {
      const real = fixture('kubectl-written.yaml', path.join('real', 'kubeconfig'));
      fs.chmodSync(real, 0o644);
      const link = path.join(dir, 'link');
      fs.symlinkSync(path.join('real', 'kubeconfig'), link);
      await writer([link]).upsertContext(spec('via-link'));
      assert.ok(fs.lstatSync(link).isSymbolicLink());
      assert.equal(fs.readlinkSync(link), path.join('real', 'kubeconfig'));
      assert.ok(names(real, 'contexts').includes('via-link'));
      assert.equal(fs.statSync(real).mode & 0o777, 0o644);
      assert.deepEqual(leftovers(), []);
      assert.deepEqual(fs.readdirSync(path.join(dir, 'real')), ['kubeconfig']);
    });

    it('a dangling symlink gets its target created, and the link stays a link', async () => {
      const link = path.join(dir, 'link');
      fs.symlinkSync(path.join(dir, 'target', 'cfg'), link);
      fs.mkdirSync(path.join(dir, 'target'));
      await writer([link]).upsertContext(spec('new'), { makeCurrent: true });
      assert.ok(fs.lstatSync(link).isSymbolicLink());
      assert.equal(parse(path.join(dir, 'target', 'cfg'))['current-context'], 'new');
    });

    it('edits a JSON kubeconfig (flow style) correctly by re-rendering it', async () => {
      const json = JSON.stringify({ apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'j', cluster: { server: 'https://j' } }], contexts: [{ name: 'j', context: { cluster: 'j' } }], 'current-context': 'j', users: [], 'x-json': { a: [1, 2] } });
      const f = write('config.json', json);
      await writer([f]).upsertContext(spec('added'), { makeCurrent: true });
      const m = await loadKubeconfig([f]);
      assert.deepEqual([...m.contexts.keys()], ['j', 'added']);
      assert.equal(m.currentContext, 'added');
      assert.deepEqual(parse(f)['x-json'], { a: [1, 2] });
      assert.deepEqual(m.problems, []);
    });

    it('appends to an empty or comment-only file without losing the comments', async () => {
      const f = write('config', '# managed by vcluster Explorer\n');
      await writer([f]).upsertContext(spec('first'), { makeCurrent: true });
      const text = fs.readFileSync(f, 'utf8');
      assert.ok(text.startsWith('# managed by vcluster Explorer\n'));
      assert.equal((await loadKubeconfig([f])).currentContext, 'first');
    });
  });

  describe('kubectl lock (<file>.lock, O_EXCL)', () => {
    it('waits for a lock held by someone else and times out with a clear message, leaving file and lock alone', async () => {
      const f = fixture('kubectl-written.yaml', 'config');
      const before = fs.readFileSync(f);
      const lock = `${f}.lock`;
      fs.writeFileSync(lock, '', { mode: 0 }); // what kubectl creates
      const started = Date.now();
      await assert.rejects(writer([f], { lockTimeoutMs: 300 }).useContext('staging'), (err: unknown) => {
        assert.ok(err instanceof KubeconfigError);
        assert.equal(err.code, 'lockTimeout');
        assert.ok(err.message.includes(lock), err.message);
        assert.match(err.message, /Timed out after 300 ms waiting to lock .*: .* is held by another program \(kubectl/);
        assert.ok(err.message.includes(`remove it with rm -- '${lock}' and try again`), err.message);
        return true;
      });
      assert.ok(Date.now() - started >= 290);
      assert.deepEqual(fs.readFileSync(f), before);
      assert.ok(fs.existsSync(lock), 'a lock that is not ours is never removed');
    });

    it('reports an empty lock older than a few minutes as left behind, with its age and the exact command to remove it', async () => {
      const f = fixture('kubectl-written.yaml', 'config');
      const lock = `${f}.lock`;
      fs.writeFileSync(lock, '');
      const old = new Date(Date.now() - 17 * 60_000);
      fs.utimesSync(lock, old, old);
      await assert.rejects(writer([f], { lockTimeoutMs: 100 }).useContext('staging'), (err: unknown) => {
        assert.ok(err instanceof KubeconfigError && err.code === 'lockTimeout');
        assert.ok(err.message.includes(`${lock} is 17 minutes old and empty`), err.message);
        assert.ok(err.message.endsWith(`remove it with: rm -- '${lock}'`), err.message);
        return true;
      });
      assert.ok(fs.existsSync(lock), 'reported, never removed by us');
    });

    it('quotes the remove command for the shell (POSIX sh and PowerShell)', () => {
      assert.equal(removeCommand("/home/o'neil/.kube/config.lock", 'linux'), "rm -- '/home/o'\\''neil/.kube/config.lock'");
      assert.equal(removeCommand("C:\\Users\\o'neil\\.kube\\config.lock", 'win32'), "Remove-Item -LiteralPath 'C:\\Users\\o''neil\\.kube\\config.lock'");
    });

    it('proceeds as soon as the other lock is released, and removes its own lock afterwards', async () => {
      const f = fixture('kubectl-written.yaml', 'config');
      const lock = `${f}.lock`;
      fs.writeFileSync(lock, '');
      setTimeout(() => fs.unlinkSync(lock), 200);
      const started = Date.now();
      await writer([f], { lockTimeoutMs: 5000 }).useContext('staging');
      assert.ok(Date.now() - started >= 190, 'it waited for the lock');
      assert.equal(parse(f)['current-context'], 'staging');
      assert.deepEqual(leftovers(), []);
    });

    it('takes nothing from a moment of kubectl\'s in-place write: a plan made without the lock that writes nothing or refuses is redone under it', async () => {
      // kubectl truncates the file and writes it again while it holds <file>.lock (client-go WriteToFile): a read in
      // between sees a valid, empty kubeconfig, in which "staging" does not exist.
      const f = fixture('kubectl-written.yaml', 'config');
      const whole = fs.readFileSync(f);
      const lock = `${f}.lock`;
      fs.writeFileSync(lock, '');
      fs.writeFileSync(f, '');
      setTimeout(() => {
        fs.writeFileSync(f, whole);
        fs.unlinkSync(lock);
      }, 200);
      const w = writer([f], { lockTimeoutMs: 5000 });
      const [removed, switched] = await Promise.all([w.removeContext('staging', { removeClusterAndUser: true }), writer([f], { lockTimeoutMs: 5000 }).useContext('dev')]);
      assert.equal(removed.changed, true, 'the removal was made on the whole file, not skipped on the empty one');
      assert.ok(!names(f, 'contexts').includes('staging'));
      assert.ok(names(f, 'contexts').includes('dev'));
      assert.equal(switched.changed, false, 'dev was already current in the whole file');
      assert.deepEqual(leftovers(), []);
    });

    it('names its own lock holder in the timeout message', async () => {
      const f = fixture('kubectl-written.yaml', 'config');
      const slow = writer([f], { lockLingerMs: 600 });
      const first = slow.useContext('staging');
      await new Promise((r) => setTimeout(r, 100));
      await assert.rejects(writer([f], { lockTimeoutMs: 150 }).useContext('dev'), /held by vcluster Explorer \(process \d+\)/);
      await first;
    });

    it('locks every file of the list, so kubectl working on any of them is excluded', async () => {
      const a = fixture('kubectl-written.yaml', 'a');
      const b = fixture('second.yaml', 'b');
      fs.writeFileSync(`${b}.lock`, '');
      await assert.rejects(writer([a, b], { lockTimeoutMs: 100 }).useContext('staging'), (e: unknown) => e instanceof KubeconfigError && e.code === 'lockTimeout' && e.message.includes(`${b}.lock`));
      assert.ok(!fs.existsSync(`${a}.lock`), 'the lock it did get was released');
    });

    it('serialises concurrent writers: no entry is lost', async function () {
      this.timeout(240_000);
      const f = fixture('kubectl-written.yaml', 'config');
      // 50 writes queue for one lock: on a busy machine one may wait longer than the default lock timeout, and this
      // test is about lost entries, not speed.
      const w1 = writer([f], { backupDir: undefined, lockTimeoutMs: 120_000 });
      const w2 = writer([f], { backupDir: undefined, lockTimeoutMs: 120_000 });
      const ops: Promise<unknown>[] = [];
      for (let i = 0; i < 25; i++) {
        ops.push(w1.upsertContext(spec(`one-${i}`)));
        ops.push(w2.upsertContext(spec(`two-${i}`), { makeCurrent: i % 5 === 0 }));
      }
      await Promise.all(ops);
      const m = await loadKubeconfig([f]);
      for (let i = 0; i < 25; i++) {
        for (const n of [`one-${i}`, `two-${i}`]) {
          assert.ok(m.contexts.has(n) && m.clusters.has(n) && m.users.has(n), `${n} lost`);
        }
      }
      assert.ok(m.contexts.has('dev') && m.contexts.has('staging'));
      assert.deepEqual(m.problems, []);
      assert.deepEqual(leftovers(), []);
    });
  });

  describe('malformed input: a KubeconfigError naming the file and the problem, and nothing is written', () => {
    const GOOD_CLUSTERS = 'clusters:\n- name: c\n  cluster:\n    server: https://c\n';
    const cases: { title: string; text: string; code: string; problem: RegExp }[] = [
      { title: 'invalid YAML (unclosed flow sequence)', text: 'apiVersion: v1\nclusters: [\n', code: 'invalidYaml', problem: /invalid YAML: line \d+, column \d+/ },
      { title: 'invalid YAML (bad indentation)', text: 'apiVersion: v1\nclusters:\n- name: a\n   cluster: x\n  oops\n', code: 'invalidYaml', problem: /invalid YAML: line \d+/ },
      { title: 'a duplicate key', text: 'apiVersion: v1\nkind: Config\nkind: Config\n', code: 'invalidYaml', problem: /unique/ },
      { title: 'a list at the top level', text: '- name: a\n- name: b\n', code: 'wrongType', problem: /top level must be a mapping.*found a list/ },
      { title: 'a scalar at the top level', text: 'just some text\n', code: 'wrongType', problem: /top level must be a mapping.*found a string/ },
      { title: 'clusters as a mapping', text: 'clusters:\n  c: {server: https://c}\n', code: 'wrongType', problem: /"clusters" must be a list, found a mapping/ },
      { title: 'current-context as a list', text: `${GOOD_CLUSTERS}current-context: [a]\n`, code: 'wrongType', problem: /"current-context" must be a string, found a list/ },
      { title: 'another kind', text: 'apiVersion: v1\nkind: Pod\n', code: 'wrongKind', problem: /kind must be "Config", found "Pod"/ },
      { title: 'another apiVersion', text: 'apiVersion: v2\nkind: Config\n', code: 'wrongKind', problem: /apiVersion must be "v1", found "v2"/ },
      { title: 'two YAML documents', text: 'kind: Config\n---\nkind: Config\n', code: 'multipleDocuments', problem: /contains 2 YAML documents/ },
      { title: 'an entry that is not a mapping', text: 'contexts:\n- just-a-name\n', code: 'wrongType', problem: /contexts\[0\] must be a mapping/ },
      { title: 'an entry without a name', text: 'clusters:\n- cluster: {server: https://x}\n', code: 'missingName', problem: /clusters\[0\] has no name/ },
      { title: 'a duplicate name in one file', text: `${GOOD_CLUSTERS}- name: c\n  cluster:\n    server: https://other\n`, code: 'duplicateName', problem: /cluster "c" \(clusters\[1\]\) has the same name as clusters\[0\]/ },
      { title: 'a non-boolean insecure-skip-tls-verify', text: 'clusters:\n- name: c\n  cluster: {server: https://c, insecure-skip-tls-verify: "maybe"}\n', code: 'wrongType', problem: /"insecure-skip-tls-verify" must be a boolean/ },
      { title: 'a numeric server', text: 'clusters:\n- name: c\n  cluster: {server: 8443}\n', code: 'wrongType', problem: /cluster "c" \(clusters\[0\]\): "server" must be a string, found a number/ },
      { title: 'a context body that is a string', text: 'contexts:\n- name: x\n  context: c\n', code: 'wrongType', problem: /context "x" \(contexts\[0\]\): "context" must be a mapping/ },
      { title: 'exec args that are not strings', text: 'users:\n- name: u\n  user:\n    exec: {command: k, args: [1, {a: b}]}\n', code: 'wrongType', problem: /user "u" \(users\[0\]\): "exec.args" must be a list of strings/ },
      { title: 'a token that is a mapping', text: 'users:\n- name: u\n  user:\n    token: {value: x}\n', code: 'wrongType', problem: /"token" must be a string, found a mapping/ },
    ];
    for (const c of cases) {
      it(`refuses ${c.title}`, async () => {
        const f = write('config', c.text);
        const before = fs.readFileSync(f);
        const good = fixture('kubectl-written.yaml', 'good');
        const goodBefore = fs.readFileSync(good);
        await assert.rejects(writer([good, f]).upsertContext(spec('new'), { makeCurrent: true }), (err: unknown) => {
          assert.ok(err instanceof KubeconfigError, String(err));
          assert.equal(err.code, c.code, err.message);
          assert.ok(err.message.startsWith(`${f}: `), `names the file: ${err.message}`);
          assert.match(err.message, c.problem);
          assert.equal(err.file, f);
          return true;
        });
        assert.deepEqual(fs.readFileSync(f), before, 'the malformed file is unchanged');
        assert.deepEqual(fs.readFileSync(good), goodBefore, 'the good file is unchanged too');
        assert.deepEqual(leftovers(), []);
        assert.equal(await writer([f]).lastChange(), undefined, 'no backup was recorded');
      });
    }

    it('refuses an unreadable file (a directory where the file should be)', async () => {
      const f = path.join(dir, 'config');
      fs.mkdirSync(f);
      const good = fixture('kubectl-written.yaml', 'good');
      const goodBefore = fs.readFileSync(good);
      await assert.rejects(writer([good, f]).useContext('staging'), (err: unknown) =>
        err instanceof KubeconfigError && err.code === 'unreadable' && err.message === `${f}: cannot be read (it is a directory)`);
      assert.deepEqual(fs.readFileSync(good), goodBefore);
    });

    it('never shows credential values in a YAML error', async () => {
      const f = write('config', 'users:\n- name: u\n  user:\n    token: sup3r-s3cret-t0ken\n    client-key-data: S0VZLURBVEE=\n   bad: [\n');
      await assert.rejects(writer([f]).useContext('x'), (err: unknown) => {
        assert.ok(err instanceof KubeconfigError);
        assert.ok(!err.message.includes('sup3r-s3cret-t0ken') && !err.message.includes('S0VZLURBVEE='), err.message);
        assert.ok(err.message.startsWith(`${f}: invalid YAML`));
        return true;
      });
    });

    it('refuses to switch to a context whose cluster is missing, naming the file and the cluster', async () => {
      const f = write('config', `${'clusters:\n- name: c\n  cluster: {server: "https://c"}\n'}contexts:\n- name: ok\n  context: {cluster: c}\n- name: broken\n  context: {cluster: gone}\ncurrent-context: ok\n`);
      const before = fs.readFileSync(f);
      await assert.rejects(writer([f]).useContext('broken'), (err: unknown) =>
        err instanceof KubeconfigError && err.code === 'danglingReference' && err.message.includes(f) && /cluster "gone", which no kubeconfig file defines/.test(err.message));
      assert.deepEqual(fs.readFileSync(f), before);
      // a dangling context elsewhere does not block unrelated changes (kubectl is lenient there too)
      await writer([f]).upsertContext(spec('other'));
      assert.ok(names(f, 'contexts').includes('other'));
    });

    it('refuses an unknown context, a current context without a replacement, and a bad spec', async () => {
      const f = fixture('kubectl-written.yaml', 'config');
      const before = fs.readFileSync(f);
      const w = writer([f]);
      await assert.rejects(w.useContext('nope'), (e: unknown) => e instanceof KubeconfigError && e.code === 'unknownContext' && e.message.includes(f) && e.message.includes('"nope"'));
      await assert.rejects(w.removeContext('dev'), (e: unknown) => e instanceof KubeconfigError && e.code === 'contextInUse' && e.message.startsWith(`${f}: context "dev" is the current context`));
      await assert.rejects(w.removeContext('dev', { switchTo: 'ghost' }), (e: unknown) => e instanceof KubeconfigError && e.code === 'unknownContext');
      await assert.rejects(w.upsertContext({ ...spec('x'), cluster: { name: 'x', cluster: { 'certificate-authority-data': 'QQ==' } } }), (e: unknown) => e instanceof KubeconfigError && e.code === 'invalidArgument' && /has no server/.test(e.message));
      await assert.rejects(w.upsertContext({ ...spec('x'), user: { name: 'x', user: { token: 42 } } }), (e: unknown) => e instanceof KubeconfigError && /"token" must be a string/.test(e.message));
      await assert.rejects(w.upsertContext(spec('bad\nname')), (e: unknown) => e instanceof KubeconfigError && e.code === 'invalidArgument');
      assert.deepEqual(fs.readFileSync(f), before);
      assert.equal(await w.lastChange(), undefined);
    });
  });

  describe('no data loss', () => {
    it('a seeded random sequence of 150 changes over two files matches an independent model after every step', async function () {
      this.timeout(60_000);
      const a = fixture('commented.yaml', 'a');
      const b = fixture('kubectl-written.yaml', 'b');
      const w = writer([a, b], { backupDir: undefined });
      // The model: what kubectl's merge of [a, b] must show. Seeded from the fixtures' known content.
      const contexts = new Map<string, { cluster: string; user: string; ns?: string }>([
        ['prod', { cluster: 'prod', user: 'alice', ns: 'default' }],
        ['lab', { cluster: 'lab', user: 'alice' }],
        ['dev', { cluster: 'dev', user: 'dev-admin', ns: 'team-a' }],
        ['staging', { cluster: 'staging', user: 'oidc' }],
      ]);
      const servers = new Map([['prod', 'https://prod.example.com'], ['lab', 'https://lab.example.com'], ['dev', 'https://dev.example.com:6443'], ['staging', 'https://staging.example.com']]);
      const users = new Set(['alice', 'dev-admin', 'oidc']);
      let current = 'lab';
      let seed = 42;
      const rnd = (n: number) => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed % n;
      };
      const pick = () => [...contexts.keys()][rnd(contexts.size)]!;
      for (let step = 0; step < 150; step++) {
        const op = rnd(10);
        if (op < 5 || contexts.size < 3) {
          const n = rnd(3) === 0 && contexts.size > 0 ? pick() : `gen-${step}`;
          const server = `https://s${step}.example`;
          const ns = rnd(2) === 0 ? `ns-${step}` : undefined;
          const makeCurrent = rnd(3) === 0;
          await w.upsertContext({ name: n, cluster: { name: `c-${n}`, cluster: { server } }, user: { name: `u-${n}`, user: { token: `t${step}` } }, ...(ns ? { namespace: ns } : {}) }, { makeCurrent });
          const prev = contexts.get(n);
          contexts.set(n, { cluster: `c-${n}`, user: `u-${n}`, ...(ns ? { ns } : prev?.ns ? { ns: prev.ns } : {}) });
          servers.set(`c-${n}`, server);
          users.add(`u-${n}`);
          if (makeCurrent) current = n;
        } else if (op < 8) {
          const n = pick();
          const others = [...contexts.keys()].filter((x) => x !== n);
          const switchTo = others[rnd(others.length)]!;
          await w.removeContext(n, { removeClusterAndUser: true, switchTo });
          const gone = contexts.get(n)!;
          contexts.delete(n);
          const used = (k: 'cluster' | 'user', v: string) => [...contexts.values()].some((c) => c[k] === v);
          if (!used('cluster', gone.cluster)) servers.delete(gone.cluster);
          if (!used('user', gone.user)) users.delete(gone.user);
          if (current === n) current = switchTo;
        } else {
          const n = pick();
          await w.useContext(n);
          current = n;
        }
        const m = await loadKubeconfig([a, b]);
        assert.deepEqual(m.problems, [], `step ${step}`);
        assert.equal(m.currentContext, current, `step ${step}`);
        assert.deepEqual(
          [...m.contexts.values()].map((c) => [c.name, c.cluster, c.user, c.namespace]).sort(),
          [...contexts].map(([k, c]) => [k, c.cluster, c.user, c.ns]).sort(),
          `step ${step}`,
        );
        assert.deepEqual(new Map([...m.clusters.values()].map((c) => [c.name, c.cluster.server])), servers, `step ${step}`);
        assert.deepEqual(new Set(m.users.keys()), users, `step ${step}`);
      }
      // The unknown top-level field and the file header survive the whole sequence.
      assert.deepEqual(parse(a)['x-team-notes'], { owner: 'platform', since: 2024 });
      assert.ok(fs.readFileSync(a, 'utf8').startsWith('# Team kubeconfig — hand-edited, please keep these comments.\n'));
    });
  });

  describe('backups and undo', () => {
    it('undoLast restores the exact bytes before the last change, one change at a time', async () => {
      const f = fixture('commented.yaml', 'config');
      const original = fs.readFileSync(f);
      const w = writer([f]);
      await w.upsertContext(spec('a1'));
      const afterFirst = fs.readFileSync(f);
      const r = await w.useContext('a1');
      assert.ok(r.backupId);
      const last = await w.lastChange();
      assert.equal(last!.description, 'switch to context "a1"');
      assert.deepEqual(last!.files, [f]);
      assert.equal((await w.undoLast()).description, 'switch to context "a1"');
      assert.deepEqual(fs.readFileSync(f), afterFirst);
      await w.undoLast();
      assert.deepEqual(fs.readFileSync(f), original);
      await assert.rejects(w.undoLast(), (e: unknown) => e instanceof KubeconfigError && e.code === 'nothingToUndo');
      assert.deepEqual(leftovers(), []);
    });

    it('refuses to undo when someone changed the file since, and restores nothing', async () => {
      const f = fixture('kubectl-written.yaml', 'config');
      const w = writer([f]);
      await w.useContext('staging');
      fs.appendFileSync(f, '# edited by hand afterwards\n');
      const edited = fs.readFileSync(f);
      await assert.rejects(w.undoLast(), (e: unknown) =>
        e instanceof KubeconfigError && e.code === 'changedSince' && e.message.startsWith(`${f} was changed after vcluster Explorer's change (switch to context "staging"`));
      assert.deepEqual(fs.readFileSync(f), edited);
      assert.ok(await w.lastChange(), 'the backup is kept');
    });

    it('undoes a change across several files, and removes a file the change created', async () => {
      const a = fixture('kubectl-written.yaml', 'a');
      const b = fixture('second.yaml', 'b');
      const aBefore = fs.readFileSync(a);
      const bBefore = fs.readFileSync(b);
      const w = writer([b, a]);
      await w.useContext('staging'); // b gets current-context: staging
      const bAtStaging = fs.readFileSync(b);
      const r = await w.removeContext('staging', { removeClusterAndUser: true, switchTo: 'second' });
      assert.deepEqual([...r.files].sort(), [a, b].sort());
      assert.deepEqual(names(a, 'users'), ['dev-admin']);
      assert.equal(parse(b)['current-context'], 'second');
      await w.undoLast();
      assert.deepEqual(fs.readFileSync(a), aBefore);
      assert.deepEqual(fs.readFileSync(b), bAtStaging);
      await w.undoLast();
      assert.deepEqual(fs.readFileSync(a), aBefore);
      assert.deepEqual(fs.readFileSync(b), bBefore);

      const fresh = path.join(dir, 'ws', 'kubeconfig');
      const w2 = writer([fresh], { backupDir: path.join(dir, 'backups2') });
      await w2.upsertContext(spec('x'));
      assert.ok(fs.existsSync(fresh));
      await w2.undoLast();
      assert.ok(!fs.existsSync(fresh));
    });

    it('keeps only the last N backups, private to the user', async () => {
      const f = fixture('kubectl-written.yaml', 'config');
      const backupDir = path.join(dir, 'bk');
      const w = writer([f], { backupDir, keepBackups: 2 });
      for (const c of ['staging', 'dev', 'staging', 'dev']) await w.useContext(c);
      const files = fs.readdirSync(backupDir);
      assert.equal(files.length, 2);
      assert.equal(fs.statSync(backupDir).mode & 0o777, 0o700);
      for (const n of files) assert.equal(fs.statSync(path.join(backupDir, n)).mode & 0o777, 0o600);
      await w.undoLast();
      await w.undoLast();
      assert.equal(parse(f)['current-context'], 'dev', 'two undos go back two changes');
      await assert.rejects(w.undoLast(), /no kubeconfig change/);
    });
  });
});
