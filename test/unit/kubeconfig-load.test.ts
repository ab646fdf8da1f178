// Loading KUBECONFIG lists: which files, first-wins merging, problems as data, connection specs, vcluster names.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeconfigError } from '../../src/kube/kubeconfig/errors';
import { defaultWriteFile, kubeconfigFiles } from '../../src/kube/kubeconfig/files';
import { loadKubeconfig } from '../../src/kube/kubeconfig/model';
import { parseVClusterContext, vclusterContextName } from '../../src/vcluster/contextName';
import { connectionSpecFor } from '../../src/kube/connection';
import { KubeError } from '../../src/kube/errors';

const FIXTURES = path.join(__dirname, 'fixtures', 'kubeconfig');

describe('kubeconfig loading', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-kcload-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const write = (name: string, text: string) => {
    const p = path.join(dir, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
    return p;
  };
  const fixture = (name: string, as = name) => write(as, fs.readFileSync(path.join(FIXTURES, name), 'utf8'));

  describe('kubeconfigFiles', () => {
    it('uses the setting override before KUBECONFIG, split on the path delimiter', () => {
      const files = kubeconfigFiles({ override: ['/a/one', '', '/a/two'].join(path.delimiter), env: { KUBECONFIG: '/env/x' }, home: '/home/u' });
      assert.deepEqual(files, ['/a/one', '/a/two']);
    });
    it('expands ~ in the override only', () => {
      assert.deepEqual(kubeconfigFiles({ override: '~/k/config', env: {}, home: '/home/u' }), ['/home/u/k/config']);
      assert.deepEqual(kubeconfigFiles({ env: { KUBECONFIG: '~/k/config' }, home: '/home/u' }), ['~/k/config']);
    });
    it('splits KUBECONFIG, drops empty entries and keeps the first of duplicates', () => {
      const env = { KUBECONFIG: ['/k/a', '', '/k/b', '/k/a', '/k/c', ''].join(path.delimiter) };
      assert.deepEqual(kubeconfigFiles({ env, home: '/home/u' }), ['/k/a', '/k/b', '/k/c']);
    });
    it('falls back to ~/.kube/config when neither is set (a blank override counts as unset)', () => {
      assert.deepEqual(kubeconfigFiles({ override: '  ', env: { KUBECONFIG: '' }, home: '/home/u' }), ['/home/u/.kube/config']);
      assert.deepEqual(kubeconfigFiles({ env: { KUBECONFIG: path.delimiter }, home: '/h' }), ['/h/.kube/config']);
    });
  });

  describe('defaultWriteFile (client-go GetDefaultFilename)', () => {
    it('is the only file of a one-element list even when it does not exist', () => {
      assert.equal(defaultWriteFile([path.join(dir, 'nope')]), path.join(dir, 'nope'));
    });
    it('is the first existing file of a list, else the last one', () => {
      const b = write('b', 'kind: Config\n');
      const c = write('c', 'kind: Config\n');
      assert.equal(defaultWriteFile([path.join(dir, 'a'), b, c]), b);
      assert.equal(defaultWriteFile([path.join(dir, 'x'), path.join(dir, 'y')]), path.join(dir, 'y'));
    });
  });

  describe('loadKubeconfig', () => {
    it('reads a kubeconfig written by real kubectl', async () => {
      const f = fixture('kubectl-written.yaml');
      const m = await loadKubeconfig([f]);
      assert.equal(m.currentContext, 'dev');
      assert.deepEqual([...m.contexts.keys()], ['dev', 'staging']);
      assert.equal(m.contexts.get('dev')!.namespace, 'team-a');
      assert.equal(m.clusters.get('staging')!.cluster['insecure-skip-tls-verify'], true);
      assert.deepEqual((m.users.get('oidc')!.user.exec as { args: string[] }).args, ['get-token', '--oidc-issuer-url=https://issuer.example']);
      assert.deepEqual(m.problems, []);
    });

    it('merges first-wins: the first file defining a name wins, current-context from the first file that sets one', async () => {
      const a = fixture('kubectl-written.yaml', 'a.yaml');
      const b = fixture('second.yaml', 'b.yaml');
      const m = await loadKubeconfig([b, a]);
      assert.equal(m.currentContext, 'second');
      assert.equal(m.currentContextFile, b);
      assert.equal(m.clusters.get('dev')!.cluster.server, 'https://shadowed.example.com');
      assert.equal(m.clusters.get('dev')!.file, b);
      assert.equal(m.contexts.get('dev')!.file, b);
      assert.equal(m.contexts.get('staging')!.file, a);
      assert.deepEqual([...m.contexts.keys()], ['second', 'dev', 'staging']);
      const m2 = await loadKubeconfig([a, b]);
      assert.equal(m2.currentContext, 'dev');
      assert.equal(m2.clusters.get('dev')!.cluster.server, 'https://dev.example.com:6443');
    });

    it('skips missing files like kubectl, and reports "no kubeconfig" when none exists', async () => {
      const a = fixture('kubectl-written.yaml', 'a.yaml');
      const m = await loadKubeconfig([path.join(dir, 'missing'), a]);
      assert.deepEqual(
        m.files.map((f) => f.exists),
        [false, true],
      );
      assert.equal(m.contexts.size, 2);
      await assert.rejects(loadKubeconfig([path.join(dir, 'x'), path.join(dir, 'y')]), (err: unknown) => {
        assert.ok(err instanceof KubeconfigError);
        assert.equal(err.code, 'noKubeconfig');
        assert.match(err.message, /No kubeconfig file found/);
        assert.ok(err.message.includes(path.join(dir, 'x')));
        return true;
      });
    });

    it('keeps good contexts next to a context with a dangling reference, which carries the problem', async () => {
      const f = write(
        'k.yaml',
        [
          'apiVersion: v1',
          'kind: Config',
          'clusters:',
          '- name: c1',
          '  cluster: {server: "https://c1"}',
          'users:',
          '- name: u1',
          '  user: {token: t}',
          'contexts:',
          '- name: good',
          '  context: {cluster: c1, user: u1}',
          '- name: broken',
          '  context: {cluster: gone, user: u1}',
          '- name: nouser',
          '  context: {cluster: c1, user: ghost}',
          'current-context: missing-ctx',
          '',
        ].join('\n'),
      );
      const m = await loadKubeconfig([f]);
      assert.deepEqual([...m.contexts.keys()], ['good', 'broken', 'nouser']);
      assert.deepEqual(m.contexts.get('good')!.problems, []);
      assert.match(m.contexts.get('broken')!.problems[0]!, /context "broken" refers to cluster "gone", which no kubeconfig file defines/);
      assert.ok(m.contexts.get('broken')!.problems[0]!.startsWith(f));
      assert.match(m.contexts.get('nouser')!.problems[0]!, /user "ghost"/);
      const cc = m.problems.find((p) => p.code === 'danglingReference' && !p.entry);
      assert.ok(cc, 'current-context naming a missing context is reported');
      assert.match(cc.message, /current-context "missing-ctx"/);
      assert.ok(m.problems.every((p) => !p.blocking));
    });

    it('reports a broken file as a problem and still loads the other files', async () => {
      const bad = write('bad.yaml', 'apiVersion: v1\nclusters: [\n');
      const good = fixture('kubectl-written.yaml', 'good.yaml');
      const m = await loadKubeconfig([bad, good]);
      assert.equal(m.contexts.size, 2);
      assert.equal(m.files[0]!.failed, true);
      const p = m.problems.find((x) => x.file === bad)!;
      assert.equal(p.code, 'invalidYaml');
      assert.equal(p.blocking, true);
      assert.match(p.message, new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: invalid YAML: line \\d+, column \\d+`));
    });

    it('treats `yes`/`on` as YAML 1.1 booleans, as kubectl does, so a string field holding them is a type problem', async () => {
      const f = write(
        'k.yaml',
        'clusters:\n- name: c\n  cluster:\n    server: https://c\n    insecure-skip-tls-verify: yes\ncontexts:\n- name: x\n  context:\n    cluster: c\n    namespace: on\n',
      );
      const m = await loadKubeconfig([f]);
      assert.equal(m.clusters.get('c')!.cluster['insecure-skip-tls-verify'], true);
      const p = m.problems.find((x) => x.code === 'wrongType');
      assert.ok(p);
      assert.match(p.message, /context "x" \(contexts\[0\]\): "namespace" must be a string, found a boolean/);
    });

    it('reads a file again while kubectl holds its lock and the content does not parse yet (in-place rewrite)', async () => {
      const full = fs.readFileSync(path.join(FIXTURES, 'kubectl-written.yaml'), 'utf8');
      const f = write('config', full.slice(0, full.indexOf('users:') + 12)); // cut inside a list: invalid YAML
      fs.writeFileSync(`${f}.lock`, '');
      const rewritten = new Promise<void>((resolve) =>
        setTimeout(() => {
          fs.writeFileSync(f, full);
          fs.unlinkSync(`${f}.lock`);
          resolve();
        }, 200),
      );
      const m = await loadKubeconfig([f]).finally(() => rewritten);
      assert.deepEqual(m.problems, []);
      assert.equal(m.users.size, 2);
    });

    it('reports the real file behind a symlinked kubeconfig, for watching', async () => {
      const real = fixture('kubectl-written.yaml', path.join('real', 'config'));
      const link = path.join(dir, 'link');
      fs.symlinkSync(real, link);
      const m = await loadKubeconfig([link]);
      assert.equal(m.files[0]!.path, link);
      assert.equal(m.files[0]!.realPath, fs.realpathSync(real));
      assert.equal(m.contexts.get('dev')!.file, link);
    });

    it('accepts an empty file and a comment-only file as empty kubeconfigs', async () => {
      const e = write('empty', '');
      const c = write('comments', '# nothing here yet\n');
      const m = await loadKubeconfig([e, c]);
      assert.equal(m.contexts.size, 0);
      assert.deepEqual(m.problems, []);
    });
  });

  describe('connectionSpecFor', () => {
    it('keeps the entries as written, paths resolved against the directory of the defining file', async () => {
      const f = fixture('commented.yaml', path.join('team', 'config'));
      const m = await loadKubeconfig([f]);
      const o = connectionSpecFor(m, 'prod');
      assert.equal(o.contextName, 'prod');
      assert.equal(o.namespace, 'default');
      assert.equal(o.cluster['certificate-authority'], path.join(dir, 'team', 'certs', 'prod-ca.crt'));
      assert.deepEqual(o.cluster.extensions, [{ name: 'client.authentication.k8s.io/exec', extension: { audience: 'prod' } }]);
      assert.equal(o.user['client-certificate'], path.join(dir, 'team', 'certs', 'alice.crt'));
      assert.equal(o.user['client-key'], path.join(dir, 'team', 'certs', 'alice.key'));
      assert.equal(connectionSpecFor(m, 'lab').cluster['tls-server-name'], 'lab.internal');
    });

    it('resolves tokenFile and a command given as a path, each against the file that defines the user (merged lists)', async () => {
      const first = write(
        path.join('a', 'config'),
        [
          'clusters:',
          '- name: c',
          '  cluster: {server: "https://c/", certificate-authority: ca.crt}',
          'contexts:',
          '- name: tf',
          '  context: {cluster: c, user: tf}',
          '- name: ex',
          '  context: {cluster: c, user: ex}',
          '- name: path',
          '  context: {cluster: c, user: onpath}',
          '',
        ].join('\n'),
      );
      const second = write(
        path.join('b', 'sub', 'config'),
        [
          'users:',
          '- name: tf',
          '  user: {tokenFile: secrets/token, token-file: ignored}',
          '- name: ex',
          '  user:',
          '    exec: {apiVersion: client.authentication.k8s.io/v1, command: ./bin/helper, args: [a]}',
          '- name: onpath',
          '  user:',
          '    exec: {apiVersion: client.authentication.k8s.io/v1, command: kubelogin}',
          '',
        ].join('\n'),
      );
      const m = await loadKubeconfig([first, second]);
      const tf = connectionSpecFor(m, 'tf');
      assert.equal(tf.cluster['certificate-authority'], path.join(dir, 'a', 'ca.crt'), 'the cluster is defined in the first file');
      assert.equal(tf.user.tokenFile, path.join(dir, 'b', 'sub', 'secrets', 'token'), 'the user in the second');
      assert.equal(tf.user['token-file'], 'ignored', 'token-file is no kubeconfig field: left alone (and unused)');
      assert.equal((connectionSpecFor(m, 'ex').user.exec as { command: string }).command, path.join(dir, 'b', 'sub', 'bin', 'helper'));
      assert.equal((connectionSpecFor(m, 'path').user.exec as { command: string }).command, 'kubelogin', 'a bare name is looked up on PATH');
    });

    it('gives a context without a user an empty user (anonymous, as in kubectl)', async () => {
      const f = write('k.yaml', 'clusters:\n- name: c\n  cluster: {server: "https://c"}\ncontexts:\n- name: anon\n  context: {cluster: c}\n');
      const m = await loadKubeconfig([f]);
      assert.deepEqual(connectionSpecFor(m, 'anon').user, {});
    });

    it('refuses an unknown or broken context with a config error naming the file', async () => {
      const f = write('k.yaml', 'contexts:\n- name: b\n  context: {cluster: nowhere}\n');
      const m = await loadKubeconfig([f]);
      assert.throws(
        () => connectionSpecFor(m, 'nope'),
        (e: unknown) => e instanceof KubeError && e.kind === 'config' && /"nope" is not in the kubeconfig/.test(e.message),
      );
      assert.throws(
        () => connectionSpecFor(m, 'b'),
        (e: unknown) => e instanceof KubeError && e.kind === 'config' && e.message.includes(f),
      );
    });
  });

  describe('vcluster context names', () => {
    it('parses vcluster_<name>_<namespace>_<parent>, the parent keeping its own underscores', () => {
      assert.deepEqual(parseVClusterContext('vcluster_my-vc_team-a_kind-kind'), { name: 'my-vc', namespace: 'team-a', parentContext: 'kind-kind' });
      assert.deepEqual(parseVClusterContext('vcluster_inner_ns2_vcluster_outer_ns1_minikube'), {
        name: 'inner',
        namespace: 'ns2',
        parentContext: 'vcluster_outer_ns1_minikube',
      });
    });
    it('returns undefined for other names and empty parts', () => {
      for (const n of ['minikube', 'vcluster_only_two', 'vcluster__ns_ctx', 'vcluster_n__ctx', 'vcluster_n_ns_', 'vcluster-platform_x_y_z', 'Vcluster_a_b_c']) {
        assert.equal(parseVClusterContext(n), undefined, n);
      }
    });
    it('vclusterContextName is the inverse', () => {
      const name = vclusterContextName('vc1', 'vcluster-vc1', 'gke_proj_europe-west1_main');
      assert.equal(name, 'vcluster_vc1_vcluster-vc1_gke_proj_europe-west1_main');
      assert.deepEqual(parseVClusterContext(name), { name: 'vc1', namespace: 'vcluster-vc1', parentContext: 'gke_proj_europe-west1_main' });
    });
  });
});
