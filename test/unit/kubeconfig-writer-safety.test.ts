// The kubeconfig writer on real temp files, when things go wrong: kubectl's lock (<file>.lock), malformed input
// (nothing written) and no data loss under concurrent writers. Where changes land and what is preserved:
// kubeconfig-writer.test.ts.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { KubeconfigError } from '../../src/kube/kubeconfig/errors';
import { loadKubeconfig } from '../../src/kube/kubeconfig/model';
import { removeCommand } from '../../src/kube/kubeconfig/lock';
import { waitFor } from '../harness/cluster/rest';
import { names, parse, spec, tempKubeconfigDir } from '../support/kubeconfigFiles';

describe('kubeconfig writer: locks, malformed input, no data loss', () => {
  const kc = tempKubeconfigDir();
  const { write, fixture, writer, leftovers } = kc;

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

    it("takes nothing from a moment of kubectl's in-place write: a plan made without the lock that writes nothing or refuses is redone under it", async () => {
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
      const [removed, switched] = await Promise.all([
        w.removeContext('staging', { removeClusterAndUser: true }),
        writer([f], { lockTimeoutMs: 5000 }).useContext('dev'),
      ]);
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
      // until the first writer holds the lock (it reads and plans first, which takes longer on a busy machine)
      await waitFor('the first writer to hold the lock', async () => fs.existsSync(`${f}.lock`), 2000, 10);
      await assert.rejects(writer([f], { lockTimeoutMs: 150 }).useContext('dev'), /held by vcluster Explorer \(process \d+\)/);
      await first;
    });

    it('leaves a gap after one of our writers released the lock, so that kubectl (which never waits) gets a turn', async function () {
      this.timeout(20_000);
      const f = fixture('kubectl-written.yaml', 'config');
      // in this process: a second write right after the first waits out the gap
      const w = writer([f], { lockLingerMs: 0, lockGapMs: 600 });
      await w.useContext('staging');
      const released = Date.now();
      await w.useContext('dev');
      assert.ok(Date.now() - released >= 590, `the second write waited ${Date.now() - released} ms`);

      // another process of ours (on a file this process has not written): its lock carries our token, and the gap
      // starts when the lock is gone. The lock goes once the writer has read it (it reads and plans the change first,
      // which can take long on a busy machine): its access time is set before its change time, so the writer's first
      // read moves it (relatime); 5 s at most where access times are not kept.
      const e = fixture('kubectl-written.yaml', 'elsewhere');
      const eLock = `${e}.lock`;
      fs.writeFileSync(eLock, `vcluster-explorer pid=1 host=elsewhere id=0\n`);
      fs.utimesSync(eLock, new Date(0), new Date());
      let removed = 0;
      const removal = (async () => {
        for (const until = Date.now() + 5000; Date.now() < until && fs.statSync(eLock).atimeMs === 0;) await new Promise((r) => setTimeout(r, 5));
        fs.unlinkSync(eLock);
        removed = Date.now();
      })();
      await writer([e], { lockLingerMs: 0, lockGapMs: 600 }).useContext('staging');
      assert.ok(removed > 0, 'the write waited for the lock');
      await removal;
      assert.ok(Date.now() - removed >= 590, `wrote ${Date.now() - removed} ms after the lock was gone`);
      assert.equal(parse(e)['current-context'], 'staging');

      // kubectl's lock (empty) on a file none of ours wrote: taken as soon as it is free, no gap
      const g = fixture('kubectl-written.yaml', 'other');
      fs.writeFileSync(`${g}.lock`, '');
      setTimeout(() => fs.unlinkSync(`${g}.lock`), 150);
      const started = Date.now();
      await writer([g], { lockLingerMs: 0, lockGapMs: 5000 }).useContext('dev');
      const took = Date.now() - started;
      assert.ok(took >= 140 && took < 4000, `took ${took} ms after a 150 ms kubectl lock`);
      assert.equal(parse(g)['current-context'], 'dev');
      assert.deepEqual(leftovers(), []);
    });

    it('locks every file of the list, so kubectl working on any of them is excluded', async () => {
      const a = fixture('kubectl-written.yaml', 'a');
      const b = fixture('second.yaml', 'b');
      fs.writeFileSync(`${b}.lock`, '');
      await assert.rejects(
        writer([a, b], { lockTimeoutMs: 100 }).useContext('staging'),
        (e: unknown) => e instanceof KubeconfigError && e.code === 'lockTimeout' && e.message.includes(`${b}.lock`),
      );
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
      {
        title: 'invalid YAML (unclosed flow sequence)',
        text: 'apiVersion: v1\nclusters: [\n',
        code: 'invalidYaml',
        problem: /invalid YAML: line \d+, column \d+/,
      },
      {
        title: 'invalid YAML (bad indentation)',
        text: 'apiVersion: v1\nclusters:\n- name: a\n   cluster: x\n  oops\n',
        code: 'invalidYaml',
        problem: /invalid YAML: line \d+/,
      },
      { title: 'a duplicate key', text: 'apiVersion: v1\nkind: Config\nkind: Config\n', code: 'invalidYaml', problem: /unique/ },
      { title: 'a list at the top level', text: '- name: a\n- name: b\n', code: 'wrongType', problem: /top level must be a mapping.*found a list/ },
      { title: 'a scalar at the top level', text: 'just some text\n', code: 'wrongType', problem: /top level must be a mapping.*found a string/ },
      {
        title: 'clusters as a mapping',
        text: 'clusters:\n  c: {server: https://c}\n',
        code: 'wrongType',
        problem: /"clusters" must be a list, found a mapping/,
      },
      {
        title: 'current-context as a list',
        text: `${GOOD_CLUSTERS}current-context: [a]\n`,
        code: 'wrongType',
        problem: /"current-context" must be a string, found a list/,
      },
      { title: 'another kind', text: 'apiVersion: v1\nkind: Pod\n', code: 'wrongKind', problem: /kind must be "Config", found "Pod"/ },
      { title: 'another apiVersion', text: 'apiVersion: v2\nkind: Config\n', code: 'wrongKind', problem: /apiVersion must be "v1", found "v2"/ },
      { title: 'two YAML documents', text: 'kind: Config\n---\nkind: Config\n', code: 'multipleDocuments', problem: /contains 2 YAML documents/ },
      { title: 'an entry that is not a mapping', text: 'contexts:\n- just-a-name\n', code: 'wrongType', problem: /contexts\[0\] must be a mapping/ },
      { title: 'an entry without a name', text: 'clusters:\n- cluster: {server: https://x}\n', code: 'missingName', problem: /clusters\[0\] has no name/ },
      {
        title: 'a duplicate name in one file',
        text: `${GOOD_CLUSTERS}- name: c\n  cluster:\n    server: https://other\n`,
        code: 'duplicateName',
        problem: /cluster "c" \(clusters\[1\]\) has the same name as clusters\[0\]/,
      },
      {
        title: 'a non-boolean insecure-skip-tls-verify',
        text: 'clusters:\n- name: c\n  cluster: {server: https://c, insecure-skip-tls-verify: "maybe"}\n',
        code: 'wrongType',
        problem: /"insecure-skip-tls-verify" must be a boolean/,
      },
      {
        title: 'a numeric server',
        text: 'clusters:\n- name: c\n  cluster: {server: 8443}\n',
        code: 'wrongType',
        problem: /cluster "c" \(clusters\[0\]\): "server" must be a string, found a number/,
      },
      {
        title: 'a context body that is a string',
        text: 'contexts:\n- name: x\n  context: c\n',
        code: 'wrongType',
        problem: /context "x" \(contexts\[0\]\): "context" must be a mapping/,
      },
      {
        title: 'exec args that are not strings',
        text: 'users:\n- name: u\n  user:\n    exec: {command: k, args: [1, {a: b}]}\n',
        code: 'wrongType',
        problem: /user "u" \(users\[0\]\): "exec.args" must be a list of strings/,
      },
      {
        title: 'a token that is a mapping',
        text: 'users:\n- name: u\n  user:\n    token: {value: x}\n',
        code: 'wrongType',
        problem: /"token" must be a string, found a mapping/,
      },
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
      const f = path.join(kc.dir, 'config');
      fs.mkdirSync(f);
      const good = fixture('kubectl-written.yaml', 'good');
      const goodBefore = fs.readFileSync(good);
      await assert.rejects(
        writer([good, f]).useContext('staging'),
        (err: unknown) => err instanceof KubeconfigError && err.code === 'unreadable' && err.message === `${f}: cannot be read (it is a directory)`,
      );
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
      const f = write(
        'config',
        `${'clusters:\n- name: c\n  cluster: {server: "https://c"}\n'}contexts:\n- name: ok\n  context: {cluster: c}\n- name: broken\n  context: {cluster: gone}\ncurrent-context: ok\n`,
      );
      const before = fs.readFileSync(f);
      await assert.rejects(
        writer([f]).useContext('broken'),
        (err: unknown) =>
          err instanceof KubeconfigError &&
          err.code === 'danglingReference' &&
          err.message.includes(f) &&
          /cluster "gone", which no kubeconfig file defines/.test(err.message),
      );
      assert.deepEqual(fs.readFileSync(f), before);
      // a dangling context elsewhere does not block unrelated changes (kubectl is lenient there too)
      await writer([f]).upsertContext(spec('other'));
      assert.ok(names(f, 'contexts').includes('other'));
    });

    it('refuses an unknown context, a current context without a replacement, and a bad spec', async () => {
      const f = fixture('kubectl-written.yaml', 'config');
      const before = fs.readFileSync(f);
      const w = writer([f]);
      await assert.rejects(
        w.useContext('nope'),
        (e: unknown) => e instanceof KubeconfigError && e.code === 'unknownContext' && e.message.includes(f) && e.message.includes('"nope"'),
      );
      await assert.rejects(
        w.removeContext('dev'),
        (e: unknown) => e instanceof KubeconfigError && e.code === 'contextInUse' && e.message.startsWith(`${f}: context "dev" is the current context`),
      );
      await assert.rejects(w.removeContext('dev', { switchTo: 'ghost' }), (e: unknown) => e instanceof KubeconfigError && e.code === 'unknownContext');
      await assert.rejects(
        w.upsertContext({ ...spec('x'), cluster: { name: 'x', cluster: { 'certificate-authority-data': 'QQ==' } } }),
        (e: unknown) => e instanceof KubeconfigError && e.code === 'invalidArgument' && /has no server/.test(e.message),
      );
      await assert.rejects(
        w.upsertContext({ ...spec('x'), user: { name: 'x', user: { token: 42 } } }),
        (e: unknown) => e instanceof KubeconfigError && /"token" must be a string/.test(e.message),
      );
      await assert.rejects(w.upsertContext(spec('bad\nname')), (e: unknown) => e instanceof KubeconfigError && e.code === 'invalidArgument');
      // A lone surrogate cannot be written as UTF-8 (it would become U+FFFD, another name).
      await assert.rejects(
        w.upsertContext(spec('half\ud800')),
        (e: unknown) => e instanceof KubeconfigError && e.code === 'invalidArgument' && /valid Unicode/.test(e.message),
      );
      await assert.rejects(w.setContextNamespace('dev', 'ns\udc00'), (e: unknown) => e instanceof KubeconfigError && e.code === 'invalidArgument');
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
      const servers = new Map([
        ['prod', 'https://prod.example.com'],
        ['lab', 'https://lab.example.com'],
        ['dev', 'https://dev.example.com:6443'],
        ['staging', 'https://staging.example.com'],
      ]);
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
          await w.upsertContext(
            {
              name: n,
              cluster: { name: `c-${n}`, cluster: { server } },
              user: { name: `u-${n}`, user: { token: `t${step}` } },
              ...(ns ? { namespace: ns } : {}),
            },
            { makeCurrent },
          );
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
});
