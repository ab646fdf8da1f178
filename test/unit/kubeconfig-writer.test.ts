// The kubeconfig writer on real temp files: where each change lands in a KUBECONFIG list, the same file listed twice,
// byte-level preservation of everything it does not change, modes, symlinks, backups and undo. Locks, malformed input
// and data loss: kubeconfig-writer-safety.test.ts.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { KubeconfigError } from '../../src/kube/kubeconfig/errors';
import { loadKubeconfig } from '../../src/kube/kubeconfig/model';
import { FIXTURES, assertLinesKept, names, parse, spec, tempKubeconfigDir } from '../support/kubeconfigFiles';

describe('kubeconfig writer', () => {
  const kc = tempKubeconfigDir();
  const { write, fixture, writer, leftovers } = kc;

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
      await w.upsertContext({
        ...spec('second'),
        cluster: { name: 'second', cluster: { server: 'https://moved.example' } },
        user: { name: 'dev-admin', user: { token: 'new' } },
      });
      assert.equal(
        (parse(b).clusters as { name: string; cluster: { server: string } }[]).find((c) => c.name === 'second')!.cluster.server,
        'https://moved.example',
      );
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
      const w = writer([path.join(kc.dir, 'missing.yaml'), a, b]);
      await w.useContext('dev');
      assert.equal(parse(a)['current-context'], 'dev');
      assert.equal(parse(b)['current-context'], 'second', 'the later file keeps its (now shadowed) value, as kubectl leaves it');
      assert.equal((await loadKubeconfig([a, b])).currentContext, 'dev');
      assert.ok(!fs.existsSync(path.join(kc.dir, 'missing.yaml')));
      const again = await w.useContext('dev');
      assert.equal(again.changed, false);
    });

    it('when no file of the list exists, creates the last one (0600, parent directories 0700)', async () => {
      const first = path.join(kc.dir, 'x', 'one');
      const last = path.join(kc.dir, 'y', 'z', 'two');
      const w = writer([first, last]);
      await w.upsertContext(spec('only'), { makeCurrent: true });
      assert.ok(!fs.existsSync(first));
      assert.equal(fs.statSync(last).mode & 0o777, 0o600);
      assert.equal(fs.statSync(path.join(kc.dir, 'y')).mode & 0o777, 0o700);
      assert.equal(fs.statSync(path.join(kc.dir, 'y', 'z')).mode & 0o777, 0o700);
      const m = await loadKubeconfig([first, last]);
      assert.equal(m.currentContext, 'only');
      assert.deepEqual(m.problems, []);
      assert.equal(parse(last).kind, 'Config');
    });

    it('works on a workspace-scoped file owned by the extension, leaving the user kubeconfig alone', async () => {
      const user = fixture('kubectl-written.yaml', 'home.yaml');
      const userBefore = fs.readFileSync(user);
      const ws = path.join(kc.dir, 'storage', 'workspace-1', 'kubeconfig');
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
        let again = path.join(kc.dir, '.', 'sub', '..', 'a.yaml');
        if (how === 'through a symlink') {
          again = path.join(kc.dir, 'link.yaml');
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
      const link = path.join(kc.dir, 'link.yaml');
      fs.symlinkSync(a, link);
      const m = await loadKubeconfig([a, link, a]);
      assert.deepEqual(
        m.files.map((f) => f.path),
        [a],
      );
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
      assert.match(
        afterAdd,
        / {6}tls-server-name: lab.internal\n {2}- name: vcluster_vc_team_lab\n {4}cluster:\n/,
        "the new entry follows the list's indentation and key order",
      );

      await w.useContext('prod');
      const afterUse = fs.readFileSync(f, 'utf8');
      assert.equal(afterUse, afterAdd.replace('current-context: lab\n', 'current-context: prod\n'), 'exactly one line changed');

      // an in-place change of one field of an existing cluster touches only that scalar
      await w.upsertContext({
        name: 'lab',
        cluster: { name: 'lab', cluster: { server: 'https://lab2.example.com', 'tls-server-name': 'lab.internal' } },
        user: { name: 'alice', user: { 'client-certificate': 'certs/alice.crt', 'client-key': 'certs/alice.key' } },
      });
      const afterSet = fs.readFileSync(f, 'utf8');
      assert.equal(afterSet, afterUse.replace('server: https://lab.example.com\n', 'server: https://lab2.example.com\n'));

      const m = await loadKubeconfig([f]);
      assert.deepEqual((m.clusters.get('prod')!.cluster.extensions as unknown[]).length, 1);
      assert.deepEqual(parse(f)['x-team-notes'], { owner: 'platform', since: 2024 });
    });

    it('keeps fields it does not manage when replacing a cluster, and drops replaced credentials', async () => {
      const f = fixture('commented.yaml', 'config');
      const w = writer([f]);
      await w.upsertContext({
        name: 'prod',
        cluster: { name: 'prod', cluster: { server: 'https://new-prod' } },
        user: { name: 'alice', user: { token: 'tkn' } },
      });
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
      const link = path.join(kc.dir, 'link');
      fs.symlinkSync(path.join('real', 'kubeconfig'), link);
      await writer([link]).upsertContext(spec('via-link'));
      assert.ok(fs.lstatSync(link).isSymbolicLink());
      assert.equal(fs.readlinkSync(link), path.join('real', 'kubeconfig'));
      assert.ok(names(real, 'contexts').includes('via-link'));
      assert.equal(fs.statSync(real).mode & 0o777, 0o644);
      assert.deepEqual(leftovers(), []);
      assert.deepEqual(fs.readdirSync(path.join(kc.dir, 'real')), ['kubeconfig']);
    });

    it('a dangling symlink gets its target created, and the link stays a link', async () => {
      const link = path.join(kc.dir, 'link');
      fs.symlinkSync(path.join(kc.dir, 'target', 'cfg'), link);
      fs.mkdirSync(path.join(kc.dir, 'target'));
      await writer([link]).upsertContext(spec('new'), { makeCurrent: true });
      assert.ok(fs.lstatSync(link).isSymbolicLink());
      assert.equal(parse(path.join(kc.dir, 'target', 'cfg'))['current-context'], 'new');
    });

    it('edits a JSON kubeconfig (flow style) correctly by re-rendering it', async () => {
      const json = JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'j', cluster: { server: 'https://j' } }],
        contexts: [{ name: 'j', context: { cluster: 'j' } }],
        'current-context': 'j',
        users: [],
        'x-json': { a: [1, 2] },
      });
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
      await assert.rejects(
        w.undoLast(),
        (e: unknown) =>
          e instanceof KubeconfigError &&
          e.code === 'changedSince' &&
          e.message.startsWith(`${f} was changed after vcluster Explorer's change (switch to context "staging"`),
      );
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

      const fresh = path.join(kc.dir, 'ws', 'kubeconfig');
      const w2 = writer([fresh], { backupDir: path.join(kc.dir, 'backups2') });
      await w2.upsertContext(spec('x'));
      assert.ok(fs.existsSync(fresh));
      await w2.undoLast();
      assert.ok(!fs.existsSync(fresh));
    });

    it('keeps only the last N backups, private to the user', async () => {
      const f = fixture('kubectl-written.yaml', 'config');
      const backupDir = path.join(kc.dir, 'bk');
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
