// The user's own kubeconfig must behave in the extension exactly as in kubectl. Every case writes a real kubeconfig
// (often a KUBECONFIG list of several files in different directories), asks real kubectl v1.34.4 who it is
// (`kubectl auth whoami -o json`, a SelfSubjectReview) and asks our client the same on the same files against the
// real kube-apiserver of the harness; both must agree — on the user, or on refusing. Identities: service-account
// tokens from the TokenRequest API and client certificates signed by the cluster's CA. Proxies are real local
// CONNECT and SOCKS5 proxies (test/harness/cluster/proxies.ts) in front of the real API server.
// Every case uses the identities, RBAC and side-by-side check (kubectl vs our client) that the one top-level before()
// sets up.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { toolPath } from '../../scripts/lib/toolchain.mjs';
import { KubeClient } from '../../src/kube/client';
import { connectionSpecFor } from '../../src/kube/connection';
import { KubeconfigWriter } from '../../src/kube/kubeconfig/writer';
import { loadKubeconfig } from '../../src/kube/kubeconfig/model';
import { contextKey } from '../../src/shared/refKey';
import { createCA } from '../harness/cluster/certs';
import type { HostCluster } from '../harness/cluster/controlPlane';
import { runProgram } from '../harness/cluster/processes';
import { startConnectProxy, startSocks5Proxy, type TestProxy } from '../harness/cluster/proxies';
import { waitFor } from '../harness/cluster/rest';
import { productModel } from './product';
import { getHost, uniqueNamespace } from './setup';

type Who = { user: string } | { error: string };

const SSR = { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' };

describe("the user's kubeconfig behaves as in kubectl (same files, same API server)", function () {
  this.timeout(180_000);
  let host: HostCluster;
  let kubectl: string;
  let dir: string;
  let ns: string;
  const tokens: Record<string, string> = {};
  const certs: Record<string, { cert: string; key: string }> = {};
  const clients: KubeClient[] = [];
  const proxies: TestProxy[] = [];

  const sa = (name: string) => `system:serviceaccount:${ns}:${name}`;

  before(async () => {
    host = await getHost();
    kubectl = toolPath('kubectl');
    assert.ok(fs.existsSync(kubectl), `kubectl is missing at ${kubectl}; run npm run setup`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-fidelity-'));
    ns = uniqueNamespace('fidelity');
    await host.rest.ensure('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    for (const name of ['alice', 'bob', 'watcher', 'nobody']) {
      await host.rest.ensure(`/api/v1/namespaces/${ns}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } });
      const tr = await host.rest.request<{ status: { token: string } }>('POST', `/api/v1/namespaces/${ns}/serviceaccounts/${name}/token`, {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { expirationSeconds: 7200 },
      });
      tokens[name] = tr.status.token;
    }
    // "watcher" may list and watch what the tree watches (and config maps), cluster-wide; "nobody" may not.
    await host.rest.ensure('/apis/rbac.authorization.k8s.io/v1/clusterroles', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: `${ns}-watcher` },
      rules: [
        { apiGroups: ['apps'], resources: ['statefulsets', 'deployments'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['pods', 'configmaps', 'namespaces'], verbs: ['get', 'list', 'watch'] },
      ],
    });
    await host.rest.ensure('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: `${ns}-watcher` },
      subjects: [{ kind: 'ServiceAccount', name: 'watcher', namespace: ns }],
      roleRef: { kind: 'ClusterRole', name: `${ns}-watcher`, apiGroup: 'rbac.authorization.k8s.io' },
    });
    for (const user of ['carol', 'dave', 'rot-1', 'rot-2']) {
      const kc = await host.userKubeconfig(user);
      certs[user] = { cert: kc.cert.certPath, key: kc.cert.keyPath };
    }
  });
  after(async () => {
    for (const c of clients) c.dispose();
    for (const p of proxies) await p.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Writes a file under the test directory (creating directories); returns its path. */
  const put = (rel: string, content: string | object, mode = 0o600): string => {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, typeof content === 'string' ? content : YAML.stringify(content), { mode });
    fs.chmodSync(p, mode);
    return p;
  };
  const copy = (from: string, rel: string) => put(rel, fs.readFileSync(from, 'utf8'));
  const clusterEntry = (extra: Record<string, unknown> = {}) => ({
    server: host.server,
    'certificate-authority-data': Buffer.from(host.ca.certPem).toString('base64'),
    ...extra,
  });
  /** A one-file kubeconfig with context "x" of cluster "c" and user "u". */
  const single = (rel: string, cluster: Record<string, unknown>, user: Record<string, unknown>) =>
    put(rel, {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    });

  /** This process's environment without proxy variables, plus `extra`. */
  const envWith = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const v of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy']) delete env[v];
    return { ...env, ...extra };
  };

  async function whoKubectl(files: readonly string[], context = 'x', extraEnv: NodeJS.ProcessEnv = {}): Promise<Who & { stderr: string }> {
    // From another directory, so that nothing relative resolves against the working directory by accident.
    const env = envWith({ ...extraEnv, KUBECONFIG: files.join(path.delimiter) });
    const r = await runProgram(kubectl, ['auth', 'whoami', '-o', 'json', '--context', context], {
      env,
      cwd: os.tmpdir(),
      allowFailure: true,
      timeoutMs: 60_000,
    });
    if (r.code !== 0) return { error: r.stderr.trim(), stderr: r.stderr };
    return { user: (JSON.parse(r.stdout) as { status: { userInfo: { username: string } } }).status.userInfo.username, stderr: r.stderr };
  }

  async function ourClient(files: readonly string[], context = 'x', extraEnv: NodeJS.ProcessEnv = {}): Promise<KubeClient> {
    const merged = await loadKubeconfig(files);
    const c = new KubeClient(connectionSpecFor(merged, context), { timeoutMs: 30_000, credentialRecheckMs: 500, env: envWith(extraEnv) });
    clients.push(c);
    return c;
  }

  async function whoUs(c: KubeClient | Promise<KubeClient>): Promise<Who> {
    try {
      const r = await (
        await c
      ).request<{ status: { userInfo: { username: string } } }>('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { body: SSR });
      return { user: r.status.userInfo.username };
    } catch (err) {
      return { error: (err as Error).message };
    }
  }

  /** Both name the same user (returned), or both refuse (the two messages are returned for further checks). */
  async function agree(files: readonly string[], context = 'x'): Promise<{ kubectl: Who; ours: Who }> {
    const k = await whoKubectl(files, context);
    let o: Who;
    try {
      o = await whoUs(await ourClient(files, context));
    } catch (err) {
      o = { error: (err as Error).message }; // refused when reading the kubeconfig, before any request
    }
    if ('user' in k) assert.deepEqual(o, { user: k.user }, `kubectl is ${k.user}; we got ${JSON.stringify(o)}`);
    else assert.ok('error' in o, `kubectl refused (${k.error}); we got ${JSON.stringify(o)}`);
    return { kubectl: k, ours: o };
  }

  const userOf = (w: Who) => ('user' in w ? w.user : `error: ${w.error}`);

  describe('tokens', () => {
    it('tokenFile, relative to the kubeconfig that defines it', async () => {
      put('tf/tokens/alice', `${tokens.alice}\n`);
      const f = single('tf/config', clusterEntry(), { tokenFile: 'tokens/alice' });
      assert.equal(userOf((await agree([f])).kubectl), sa('alice'));
    });

    it('token and tokenFile together: the file wins, as in client-go', async () => {
      put('both/alice', tokens.alice!);
      const f = single('both/config', clusterEntry(), { token: tokens.bob, tokenFile: 'alice' });
      assert.equal(userOf((await agree([f])).kubectl), sa('alice'));
    });

    it('an oidc auth-provider whose id-token is still valid: sent as the bearer token, as kubectl does (client-node, its own bundle)', async () => {
      // The id-token is a ServiceAccount token (a JWT with `exp`): neither kubectl nor client-node asks the issuer while
      // it is valid, and the API server authenticates it as the ServiceAccount.
      const f = single('oidc/config', clusterEntry(), {
        'auth-provider': { name: 'oidc', config: { 'client-id': 'vce', 'idp-issuer-url': 'https://127.0.0.1:9', 'id-token': tokens.bob } },
      });
      assert.equal(userOf((await agree([f])).kubectl), sa('bob'));
    });

    it('token-file is not a kubeconfig field: kubectl ignores it, and so do we (no credentials, refused)', async () => {
      put('tfile/alice', tokens.alice!);
      const f = single('tfile/config', clusterEntry(), { 'token-file': path.join(dir, 'tfile/alice') });
      const r = await agree([f]);
      // kubectl has no credentials and tries to prompt for a user name (stdin is not a terminal: EOF); we, without a
      // terminal, go on as the anonymous user, whom the API server refuses.
      assert.match(userOf(r.kubectl), /EOF/);
      assert.match(userOf(r.ours), /system:anonymous/);
    });

    it('a missing tokenFile is refused by both', async () => {
      const f = single('missing/config', clusterEntry(), { tokenFile: 'no-such-token' });
      const r = await agree([f]);
      assert.match(userOf(r.ours), /Cannot read the token file .*no-such-token .*no such file/);
    });
  });

  describe('relative paths in a KUBECONFIG list resolve against the file that defines each entry', () => {
    it('certificate authority (cluster file), client certificate and key (user file), never the working directory', async () => {
      copy(host.ca.certPath, 'list/a/ca.crt');
      // Decoys with the same relative names next to the other file: resolving against the wrong file gives "dave".
      copy(certs.dave!.cert, 'list/a/user.crt');
      copy(certs.dave!.key, 'list/a/user.key');
      copy(certs.carol!.cert, 'list/b/sub/user.crt');
      copy(certs.carol!.key, 'list/b/sub/user.key');
      const a = put('list/a/config', {
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server: host.server, 'certificate-authority': 'ca.crt' } }],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'x',
      });
      const b = put('list/b/sub/config', {
        apiVersion: 'v1',
        kind: 'Config',
        users: [{ name: 'u', user: { 'client-certificate': 'user.crt', 'client-key': 'user.key' } }],
      });
      assert.equal(userOf((await agree([a, b])).kubectl), 'carol');
    });

    it('an exec command given as a relative path', async () => {
      const plugin = (token: string) =>
        `#!/bin/sh\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"${token}"}}'\n`;
      put('exec/a/bin/plugin', plugin(tokens.bob!), 0o755);
      put('exec/b/bin/plugin', plugin(tokens.alice!), 0o755);
      const a = put('exec/a/config', {
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: clusterEntry() }],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'x',
      });
      const b = put('exec/b/config', {
        apiVersion: 'v1',
        kind: 'Config',
        users: [{ name: 'u', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', interactiveMode: 'Never', command: './bin/plugin' } } }],
      });
      assert.equal(userOf((await agree([a, b])).kubectl), sa('alice'));
    });
  });

  describe('proxy-url', () => {
    for (const kind of ['http', 'socks5'] as const) {
      for (const auth of [undefined, 'proxy-user:s3cret']) {
        it(`${kind}${auth ? ' with credentials in the URL' : ''}: both go through the proxy to the API server`, async () => {
          const proxy = kind === 'http' ? await startConnectProxy(auth) : await startSocks5Proxy(auth);
          proxies.push(proxy);
          const f = single(`proxy-${kind}-${auth ? 'auth' : 'open'}/config`, clusterEntry({ 'proxy-url': proxy.url }), { token: tokens.alice });
          const serverHostPort = new URL(host.server).host;
          const k = await whoKubectl([f]);
          assert.equal(userOf(k), sa('alice'));
          assert.ok(proxy.targets.includes(serverHostPort), `kubectl went through the proxy: ${proxy.targets.join(', ')}`);
          proxy.reset();
          assert.equal(userOf(await whoUs(ourClient([f]))), sa('alice'));
          assert.ok(proxy.targets.includes(serverHostPort), `we went through the proxy: ${proxy.targets.join(', ')}`);
          assert.equal(proxy.refused, 0);
          if (auth) assert.ok(proxy.credentials.every((c) => c === auth) && proxy.credentials.length > 0);
        });
      }
    }

    describe('no proxy-url: the proxy from the environment (HTTPS_PROXY, NO_PROXY)', () => {
      // The server by a name only the proxy resolves (api.vce.invalid -> 127.0.0.1, as a proxy with its own DNS), with
      // tls-server-name for the API server's certificate: kubectl never proxies a loopback address.
      let proxy: TestProxy;
      let f: string;
      let target: string;
      before(async () => {
        proxy = await startConnectProxy(undefined, { 'api.vce.invalid': '127.0.0.1' });
        proxies.push(proxy);
        const port = new URL(host.server).port;
        target = `api.vce.invalid:${port}`;
        f = single('env-proxy/config', clusterEntry({ server: `https://${target}`, 'tls-server-name': 'kubernetes.default.svc' }), { token: tokens.alice });
      });

      it('HTTPS_PROXY: both go through it to the API server', async () => {
        const env = { HTTPS_PROXY: proxy.url };
        proxy.reset();
        assert.equal(userOf(await whoKubectl([f], 'x', env)), sa('alice'));
        assert.deepEqual([...new Set(proxy.targets)], [target], 'kubectl went through the proxy');
        proxy.reset();
        assert.equal(userOf(await whoUs(ourClient([f], 'x', env))), sa('alice'));
        assert.deepEqual([...new Set(proxy.targets)], [target], 'we went through the proxy');
      });

      it('a proxy without scheme in https_proxy (lower case) is taken as http://, by both', async () => {
        const env = { https_proxy: proxy.url.replace(/^http:\/\//, '') };
        proxy.reset();
        assert.equal(userOf(await whoKubectl([f], 'x', env)), sa('alice'));
        assert.equal(userOf(await whoUs(ourClient([f], 'x', env))), sa('alice'));
        assert.ok(proxy.targets.length >= 2 && proxy.targets.every((t) => t === target), proxy.targets.join(', '));
      });

      it('NO_PROXY naming the server: neither uses the proxy (and the name does not resolve without it)', async () => {
        for (const noProxy of ['.invalid', 'api.vce.invalid', `vce.invalid:${new URL(host.server).port}`]) {
          const env = { HTTPS_PROXY: proxy.url, NO_PROXY: noProxy };
          proxy.reset();
          const k = await whoKubectl([f], 'x', env);
          const o = await whoUs(ourClient([f], 'x', env));
          assert.ok('error' in k && 'error' in o, `${noProxy}: kubectl ${userOf(k)}; ours ${userOf(o)}`);
          assert.deepEqual(proxy.targets, [], `${noProxy}: nothing went through the proxy`);
        }
      });

      it('a server on a loopback address never goes through the proxy, whatever HTTPS_PROXY says', async () => {
        const direct = single('env-proxy-loopback/config', clusterEntry(), { token: tokens.alice });
        const env = { HTTPS_PROXY: 'http://127.0.0.1:9' }; // nothing listens on the discard port
        assert.equal(userOf(await whoKubectl([direct], 'x', env)), sa('alice'));
        assert.equal(userOf(await whoUs(ourClient([direct], 'x', env))), sa('alice'));
      });
    });

    it('a proxy-url with another scheme is refused by both', async () => {
      const f = single('proxy-ftp/config', clusterEntry({ 'proxy-url': 'ftp://127.0.0.1:21' }), { token: tokens.alice });
      const r = await agree([f]);
      assert.match(userOf(r.ours), /unsupported scheme "ftp", must be http, https, or socks5/);
    });
  });

  describe('tls-server-name', () => {
    it('a name the serving certificate covers works; another fails verification, in both', async () => {
      const good = single('sni-good/config', clusterEntry({ 'tls-server-name': 'kubernetes.default.svc' }), { token: tokens.alice });
      assert.equal(userOf((await agree([good])).kubectl), sa('alice'));
      const bad = single('sni-bad/config', clusterEntry({ 'tls-server-name': 'not-the-server.example' }), { token: tokens.alice });
      const r = await agree([bad]);
      assert.match(userOf(r.kubectl), /not-the-server\.example/);
      assert.match(userOf(r.ours), /TLS|certificate|altname/i);
    });
  });

  describe('disable-compression', () => {
    it('answers come gzip-compressed unless the cluster disables compression, in both', async () => {
      const cmNs = `${ns}-gz`;
      await host.rest.ensure('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: cmNs } });
      const filler = 'a kubeconfig fidelity test line that compresses well. '.repeat(90);
      for (let i = 0; i < 60; i++) {
        await host.rest.ensure(`/api/v1/namespaces/${cmNs}/configmaps`, {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: `cm-${i}` },
          data: { text: filler },
        });
      }
      const listPath = `/api/v1/namespaces/${cmNs}/configmaps`;
      const proxy = await startConnectProxy();
      proxies.push(proxy);
      const bytes: Record<string, number> = {};
      for (const disabled of [false, true]) {
        const f = single(`gz-${disabled}/config`, clusterEntry({ 'proxy-url': proxy.url, ...(disabled ? { 'disable-compression': true } : {}) }), {
          token: tokens.watcher,
        });
        proxy.reset();
        const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: f };
        const r = await runProgram(kubectl, ['get', '--raw', listPath], { env, allowFailure: true, timeoutMs: 60_000 });
        assert.equal(r.code, 0, r.stderr);
        bytes[`kubectl-${disabled}`] = proxy.bytesFromServer;
        proxy.reset();
        const c = await ourClient([f]);
        const list = await c.get<{ items: unknown[] }>(listPath);
        assert.equal(list.items.length, 60);
        bytes[`ours-${disabled}`] = proxy.bytesFromServer;
      }
      for (const who of ['kubectl', 'ours']) {
        assert.ok(
          bytes[`${who}-false`]! * 3 < bytes[`${who}-true`]!,
          `${who}: ${bytes[`${who}-false`]} bytes compressed vs ${bytes[`${who}-true`]} with disable-compression`,
        );
      }
    });
  });

  describe('exec plugins', () => {
    /** A plugin that records what it was given (KUBERNETES_EXEC_INFO, one env variable, stdin) and answers with a token. */
    const recorder = (rel: string) =>
      put(
        rel,
        [
          '#!/bin/sh',
          'out="$1"; shift',
          'printf "%s" "$KUBERNETES_EXEC_INFO" > "$out.info"',
          'printf "%s" "$FROM_KUBECONFIG" > "$out.env"',
          `echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"${tokens.bob}"}}'`,
          '',
        ].join('\n'),
        0o755,
      );

    it("env, provideClusterInfo (with the cluster's exec extension) and interactiveMode Never reach the plugin as in kubectl", async () => {
      const plugin = recorder('execinfo/plugin');
      const record = (who: string) => path.join(dir, 'execinfo', who);
      const cfg = (who: string) =>
        single(
          `execinfo/${who}.config`,
          clusterEntry({
            'tls-server-name': 'kubernetes.default.svc',
            extensions: [{ name: 'client.authentication.k8s.io/exec', extension: { audience: 'fidelity', nested: { n: 1 } } }],
          }),
          {
            exec: {
              apiVersion: 'client.authentication.k8s.io/v1',
              command: plugin,
              args: [record(who)],
              interactiveMode: 'Never',
              provideClusterInfo: true,
              env: [{ name: 'FROM_KUBECONFIG', value: 'exec env value' }],
            },
          },
        );
      assert.equal(userOf(await whoKubectl([cfg('kubectl')])), sa('bob'));
      assert.equal(userOf(await whoUs(ourClient([cfg('ours')]))), sa('bob'));
      const info = (who: string) => JSON.parse(fs.readFileSync(`${record(who)}.info`, 'utf8')) as Record<string, unknown>;
      assert.deepEqual(info('ours'), info('kubectl'));
      assert.equal((info('ours').spec as { interactive: boolean }).interactive, false);
      assert.equal((info('ours').spec as { cluster: { server: string } }).cluster.server, host.server);
      assert.equal(fs.readFileSync(`${record('ours')}.env`, 'utf8'), 'exec env value');
      assert.equal(fs.readFileSync(`${record('kubectl')}.env`, 'utf8'), 'exec env value');
      // Without the exec extension, with a proxy and disable-compression.
      const plain = (who: string) =>
        single(`execinfo/plain-${who}.config`, clusterEntry({ 'proxy-url': 'http://127.0.0.1:9', 'disable-compression': true }), {
          exec: {
            apiVersion: 'client.authentication.k8s.io/v1',
            command: plugin,
            args: [record(`plain-${who}`)],
            interactiveMode: 'Never',
            provideClusterInfo: true,
          },
        });
      await whoKubectl([plain('kubectl')]);
      await whoUs(ourClient([plain('ours')]));
      assert.deepEqual(info('plain-ours'), info('plain-kubectl'));
    });

    it('a missing plugin: both refuse and show the installHint', async () => {
      const hint = 'Install the fidelity-login plugin from your platform team.';
      // A command name looked up on PATH (client-go shows the hint when that lookup fails).
      const f = single('hint/config', clusterEntry(), {
        exec: { apiVersion: 'client.authentication.k8s.io/v1', interactiveMode: 'Never', command: 'vce-fidelity-no-such-plugin', installHint: hint },
      });
      const r = await agree([f]);
      assert.ok(userOf(r.kubectl).includes(hint), userOf(r.kubectl));
      assert.ok(userOf(r.ours).includes(hint), userOf(r.ours));
    });

    for (const [label, exec] of [
      ['interactiveMode Always without a terminal', { interactiveMode: 'Always' }],
      ['a v1 exec section without interactiveMode', {}],
      ['an exec section without apiVersion', { apiVersion: undefined, interactiveMode: 'Never' }],
    ] as const) {
      it(`${label}: refused by both`, async () => {
        const plugin = recorder(`refuse-${label.length}/plugin`);
        const f = single(`refuse-${label.length}/config`, clusterEntry(), {
          exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, args: [path.join(dir, `refuse-${label.length}`, 'rec')], ...exec },
        });
        await agree([f]);
      });
    }

    it('v1beta1 without interactiveMode defaults to IfAvailable: runs non-interactively in both', async () => {
      const f = single('beta/config', clusterEntry(), {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1beta1',
          command: put(
            'beta/plugin',
            `#!/bin/sh\necho '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"${tokens.alice}"}}'\n`,
            0o755,
          ),
        },
      });
      assert.equal(userOf((await agree([f])).kubectl), sa('alice'));
    });

    for (const [label, answerVersion] of [
      ['another apiVersion', '"apiVersion":"client.authentication.k8s.io/v1beta1",'],
      ['no apiVersion', ''],
    ] as const) {
      it(`an answer with ${label} is refused by both`, async () => {
        const where = `mismatch-${label.length}`;
        const f = single(`${where}/config`, clusterEntry(), {
          exec: {
            apiVersion: 'client.authentication.k8s.io/v1',
            interactiveMode: 'Never',
            command: put(`${where}/plugin`, `#!/bin/sh\necho '{${answerVersion}"kind":"ExecCredential","status":{"token":"${tokens.alice}"}}'\n`, 0o755),
          },
        });
        const r = await agree([f]);
        assert.match(userOf(r.ours), /is configured to use API version client\.authentication\.k8s\.io\/v1, plugin returned/);
      });
    }

    it('token and exec together: the token is used and the plugin never runs, in both', async () => {
      const ran = path.join(dir, 'tokexec', 'ran');
      const plugin = put(
        'tokexec/plugin',
        `#!/bin/sh\ntouch "${ran}"\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"${tokens.bob}"}}'\n`,
        0o755,
      );
      const f = single('tokexec/config', clusterEntry(), {
        token: tokens.alice,
        exec: { apiVersion: 'client.authentication.k8s.io/v1', interactiveMode: 'Never', command: plugin },
      });
      assert.equal(userOf((await agree([f])).kubectl), sa('alice'));
      assert.ok(!fs.existsSync(ran));
    });

    it('a client certificate from the plugin is replaced when the plugin hands out a new one before expiry', async function () {
      this.timeout(60_000);
      const counter = path.join(dir, 'rot', 'count');
      const pem = (p: string) => JSON.stringify(fs.readFileSync(p, 'utf8'));
      const answer = (user: 'rot-1' | 'rot-2', expires: string) =>
        `{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"clientCertificateData":${pem(certs[user]!.cert)},"clientKeyData":${pem(certs[user]!.key)},"expirationTimestamp":"${expires}"}}`;
      put('rot/first.json', answer('rot-1', new Date(Date.now() + 14_000).toISOString().replace(/\.\d+Z$/, 'Z')));
      put('rot/second.json', answer('rot-2', '2099-01-01T00:00:00Z'));
      const plugin = put(
        'rot/plugin',
        `#!/bin/sh\necho x >> "${counter}"\nif [ "$(wc -l < "${counter}")" -le 1 ]; then cat "${path.join(dir, 'rot/first.json')}"; else cat "${path.join(dir, 'rot/second.json')}"; fi\n`,
        0o755,
      );
      const f = single('rot/config', clusterEntry(), { exec: { apiVersion: 'client.authentication.k8s.io/v1', interactiveMode: 'Never', command: plugin } });
      const c = await ourClient([f]);
      let changed = 0;
      c.onDidChangeCredentials(() => changed++);
      assert.equal(userOf(await whoUs(c)), 'rot-1');
      await new Promise((r) => setTimeout(r, 5000)); // less than 10 s of validity left now: refreshed before expiry
      assert.equal(userOf(await whoUs(c)), 'rot-2', 'the new certificate is used, on a new connection');
      assert.ok(changed >= 1, 'live watches were told to reconnect');
    });
  });

  describe('files that change on disk are picked up without a new client', () => {
    it('tokenFile, client certificate and key, and the CA file', async function () {
      this.timeout(60_000);
      const tokenPath = put('rotate/token', tokens.alice!);
      const ft = single('rotate/token.config', clusterEntry(), { tokenFile: 'token' });
      const ct = await ourClient([ft]);
      assert.equal(userOf(await whoUs(ct)), sa('alice'));
      fs.writeFileSync(tokenPath, tokens.bob!);
      await new Promise((r) => setTimeout(r, 1100));
      assert.equal(userOf(await whoUs(ct)), sa('bob'));
      assert.equal(userOf(await whoKubectl([ft])), sa('bob'), 'kubectl agrees on the file as it is now');

      copy(certs.carol!.cert, 'rotate/user.crt');
      copy(certs.carol!.key, 'rotate/user.key');
      const fc = single('rotate/cert.config', clusterEntry(), { 'client-certificate': 'user.crt', 'client-key': 'user.key' });
      const cc = await ourClient([fc]);
      assert.equal(userOf(await whoUs(cc)), 'carol');
      copy(certs.dave!.cert, 'rotate/user.crt');
      copy(certs.dave!.key, 'rotate/user.key');
      await new Promise((r) => setTimeout(r, 1100));
      assert.equal(userOf(await whoUs(cc)), 'dave');
      assert.equal(userOf(await whoKubectl([fc])), 'dave');

      const other = await createCA(path.join(dir, 'rotate', 'other-ca'), 'other');
      copy(other.certPath, 'rotate/ca.crt');
      const fa = single('rotate/ca.config', { server: host.server, 'certificate-authority': 'ca.crt' }, { token: tokens.alice });
      const ca = await ourClient([fa]);
      assert.match(userOf(await whoUs(ca)), /TLS|certificate/i, 'a CA that did not sign the server is refused');
      copy(host.ca.certPath, 'rotate/ca.crt');
      await new Promise((r) => setTimeout(r, 1100));
      assert.equal(userOf(await whoUs(ca)), sa('alice'));
    });
  });

  describe('the same file listed twice', () => {
    it('directly and through a symlink: one file for kubectl, our loader and our writer', async () => {
      const a = put('twice/a.yaml', {
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: clusterEntry() }],
        users: [{ name: 'u', user: { token: tokens.alice } }],
        contexts: [
          { name: 'first', context: { cluster: 'c', user: 'u' } },
          { name: 'second', context: { cluster: 'c', user: 'u' } },
        ],
        'current-context': 'first',
      });
      const link = path.join(dir, 'twice', 'link.yaml');
      fs.symlinkSync('a.yaml', link);
      const files = [a, link, a];
      const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: files.join(path.delimiter) };
      const names = async () =>
        (await runProgram(kubectl, ['config', 'get-contexts', '-o', 'name'], { env, timeoutMs: 30_000 })).stdout.trim().split('\n').sort();
      assert.deepEqual([...(await loadKubeconfig(files)).contexts.keys()].sort(), await names());
      await new KubeconfigWriter({ files, lockLingerMs: 0 }).removeContext('first', { switchTo: '' });
      assert.deepEqual(await names(), ['second'], 'kubectl sees the context removed for good');
      const view = JSON.parse((await runProgram(kubectl, ['config', 'view', '-o', 'json'], { env, timeoutMs: 30_000 })).stdout) as {
        'current-context'?: string;
      };
      assert.equal(view['current-context'] ?? '', '');
    });
  });

  describe('watches survive credential changes', () => {
    it('a kubeconfig edit that only rotates the token makes the live watches reconnect with the new one', async function () {
      this.timeout(90_000);
      const f = single('live/config', clusterEntry(), { token: tokens.watcher });
      const p = productModel([f], { watch: true });
      try {
        await p.model.reloadKubeconfig();
        await p.model.vclusters('x', true);
        assert.equal(p.model.watchError(contextKey('x')), undefined);
        // The same context with another user's token: nothing visible changes, the watches must still reconnect.
        single('live/config', clusterEntry(), { token: tokens.nobody });
        const err = await waitFor('the watches to reconnect with the new (unauthorised) token', async () => p.model.watchError(contextKey('x')), 30_000);
        assert.equal(err.kind, 'forbidden', err.message);
        assert.match(err.message, new RegExp(sa('nobody').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      } finally {
        p.dispose();
      }
    });
  });
});
