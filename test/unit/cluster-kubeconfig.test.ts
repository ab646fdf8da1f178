import assert from 'node:assert/strict';
import fs from 'node:fs';
import type http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { stringify as toYaml } from 'yaml';
import { KubeClient } from '../../src/kube/client';
import { UserFacingError } from '../../src/shared/errors';
import { UnusableClusterKubeconfigError, ingressHost, parseVirtualKubeconfig, virtualClient, virtualKubeconfigEntry } from '../../src/vcluster/access';
import { ALLOWED_CLUSTER_FIELDS, ALLOWED_USER_FIELDS } from '../../src/vcluster/clusterKubeconfig';
import { ExplorerModel } from '../../src/vcluster/explorer';
import { KubeconfigState } from '../../src/vcluster/kubeconfigState';
import type { Secret } from '../../src/kube/types';
import { type CA, type CertFiles, createLoopbackServing } from '../harness/cluster/certs';

// A kubeconfig read from a cluster (Secret vc-NAME) is data written by whoever may create secrets in that namespace. A
// tenant of a shared host cluster plants a StatefulSet labelled app=vcluster and a vc-NAME secret whose kubeconfig
// names a credential plugin (exec), an auth-provider command (cmd-path) or a local file (tokenFile, client-key, …).
// Before the allow-list, reading that secret ran the program as the user and sent the file's content as a bearer
// token. Here the "host" and the "virtual API server" are one small local HTTPS server (a test CA made with openssl by
// test/harness/cluster/certs.ts) that serves the planted secret as a recorded API object and records every Authorization
// header it receives (the real control plane version of these checks is test/cluster/untrusted-kubeconfig.test.ts).

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-untrusted-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const SECRET_TOKEN = 'tenant-token-0123456789abcdef';
const PLUGIN_TOKEN = 'plugin-token-from-the-canary-program';
const FILE_TOKEN = 'private-file-token-of-the-user';
const marker = path.join(tmp, 'canary-ran');
/** The tenant's program: it leaves a mark when run and answers as a credential plugin and as a gcp cmd-path would. */
const canary = path.join(tmp, 'canary');
fs.writeFileSync(
  canary,
  `#!/bin/sh\necho "$0 $*" >> '${marker}'\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"${PLUGIN_TOKEN}"},"token":"${PLUGIN_TOKEN}","expiry":"2099-01-01T00:00:00Z"}'\n`,
  { mode: 0o755 },
);
/** A private file of the user. */
const privateFile = path.join(tmp, 'private-token');
fs.writeFileSync(privateFile, FILE_TOKEN, { mode: 0o600 });
const missing = (name: string) => path.join(tmp, 'never-created', name);

const canaryRan = () => fs.existsSync(marker);

let ca: CA;
let serving: CertFiles;
before(async function () {
  this.timeout(30_000);
  ({ ca, serving } = await createLoopbackServing(path.join(tmp, 'pki')));
});
/** The cluster fields that make our client trust the test server. */
const trust = () => ({ 'certificate-authority-data': Buffer.from(ca.certPem).toString('base64') });

interface Recorder {
  server: string;
  auth: (string | undefined)[];
  headers: http.IncomingHttpHeaders[];
  secret?: Secret;
  close(): Promise<void>;
}

async function apiServer(): Promise<Recorder> {
  const rec: Recorder = { server: '', auth: [], headers: [], close: async () => undefined };
  const srv = https.createServer({ cert: serving.certPem, key: serving.keyPem }, (req, res) => {
    rec.auth.push(req.headers.authorization);
    rec.headers.push(req.headers);
    res.setHeader('Content-Type', 'application/json');
    const url = new URL(req.url ?? '/', 'http://x');
    if (/\/secrets\/vc-[a-z-]+$/.test(url.pathname)) {
      res.end(JSON.stringify(rec.secret));
    } else if (/^\/(api|apis\/apps)\/v1\/(statefulsets|deployments|pods|secrets)$/.test(url.pathname)) {
      res.end(JSON.stringify({ kind: 'List', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: [] }));
    } else {
      res.end(JSON.stringify({ kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'default' } }));
    }
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  rec.server = `https://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  rec.close = () =>
    new Promise<void>((r) => {
      srv.closeAllConnections();
      srv.close(() => r());
    });
  return rec;
}

function plant(rec: Recorder, cluster: Record<string, unknown>, user: Record<string, unknown>): void {
  const config = toYaml({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: rec.server, ...trust(), ...cluster } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'x',
  });
  rec.secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'vc-evil', namespace: 'tenant' },
    data: { config: Buffer.from(config).toString('base64') },
  };
}

const gcpCmdPath = {
  name: 'gcp',
  config: { 'cmd-path': canary, 'cmd-args': 'config config-helper --format=json', 'token-key': '{.token}', 'expiry-key': '{.expiry}' },
};

describe('a kubeconfig from a cluster is data, never code', () => {
  let rec: Recorder;
  let host: KubeClient;
  beforeEach(async () => {
    fs.rmSync(marker, { force: true });
    rec = await apiServer();
    host = new KubeClient({
      contextName: 'host',
      clusterName: 'host',
      cluster: { server: rec.server, ...trust() },
      userName: 'host',
      user: { token: 'host-admin-token' },
    });
  });
  afterEach(async () => {
    host.dispose();
    await rec.close();
  });

  /** Reaches the planted vcluster as the tree does and makes one request with what it got. */
  async function reachAndRequest(): Promise<void> {
    const { client } = await virtualClient(host, 'tenant', 'evil', 'vcluster_evil_tenant_host', { timeoutMs: 5000 });
    try {
      await client.get('/api/v1/namespaces/default');
    } finally {
      client.dispose();
    }
  }

  it('an exec credential plugin named by the secret is never run; its inline token is used', async () => {
    plant(rec, {}, { token: SECRET_TOKEN, exec: { apiVersion: 'client.authentication.k8s.io/v1', command: canary, args: ['exec'] } });
    await reachAndRequest();
    assert.equal(canaryRan(), false, "the tenant's program ran");
    assert.equal(rec.auth.at(-1), `Bearer ${SECRET_TOKEN}`);
  });

  it('an auth-provider command (cmd-path) named by the secret is never run', async () => {
    plant(rec, {}, { token: SECRET_TOKEN, 'auth-provider': gcpCmdPath });
    await reachAndRequest();
    assert.equal(canaryRan(), false, "the tenant's program ran");
    assert.equal(rec.auth.at(-1), `Bearer ${SECRET_TOKEN}`);
  });

  it('a tokenFile pointing at a private file of the user is never read: nothing usable is left, and the error says so', async () => {
    plant(rec, {}, { tokenFile: privateFile });
    await assert.rejects(
      reachAndRequest(),
      (e: unknown) =>
        e instanceof UnusableClusterKubeconfigError &&
        /secret tenant\/vc-evil has no credential the extension accepts from a cluster/.test(e.message) &&
        /user\.tokenFile/.test(e.message) &&
        !e.message.includes(privateFile) &&
        !e.message.includes(FILE_TOKEN) &&
        e.ignored.join() === 'user.tokenFile',
    );
    assert.ok(!rec.auth.some((a) => a?.includes(FILE_TOKEN)), "the private file's content was sent as a bearer token");
    assert.equal(rec.auth.length, 1, "only the host's request for the secret was made");
  });

  it('an exec-only or auth-provider-only secret leaves nothing usable, and runs nothing', async () => {
    plant(rec, {}, { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: canary } });
    await assert.rejects(reachAndRequest(), (e: UnusableClusterKubeconfigError) => e.ignored.join() === 'user.exec');
    plant(rec, {}, { 'auth-provider': gcpCmdPath });
    await assert.rejects(reachAndRequest(), (e: UnusableClusterKubeconfigError) => e.ignored.join() === 'user.auth-provider');
    assert.equal(canaryRan(), false);
  });

  it('certificate, key and CA file paths are never opened (they name files that do not exist: opening one would fail)', async () => {
    plant(
      rec,
      { 'certificate-authority': missing('ca.crt') },
      { token: SECRET_TOKEN, 'client-certificate': missing('client.crt'), 'client-key': missing('client.key'), 'token-file': privateFile },
    );
    await reachAndRequest();
    assert.equal(rec.auth.at(-1), `Bearer ${SECRET_TOKEN}`);
  });

  it('no proxy, basic auth or impersonation from the secret reaches a request', async () => {
    plant(
      rec,
      { 'proxy-url': 'http://127.0.0.1:9', extensions: [{ name: 'x', extension: {} }] },
      {
        token: SECRET_TOKEN,
        username: 'admin',
        password: 'hunter2-password',
        as: 'system:admin',
        'as-groups': ['system:masters'],
        'as-uid': '1',
        'as-user-extra': { a: ['b'] },
      },
    );
    await reachAndRequest();
    const h = rec.headers.at(-1)!;
    assert.equal(h.authorization, `Bearer ${SECRET_TOKEN}`);
    assert.deepEqual(
      Object.keys(h).filter((k) => k.startsWith('impersonate-')),
      [],
    );
  });

  it('what was left out is reported by name, never by value', () => {
    plant(
      rec,
      { 'certificate-authority': missing('ca.crt'), 'proxy-url': 'http://127.0.0.1:9', 'disable-compression': true },
      {
        token: SECRET_TOKEN,
        exec: { command: canary },
        'auth-provider': gcpCmdPath,
        tokenFile: privateFile,
        username: 'admin',
        password: 'hunter2-password',
        as: 'root',
      },
    );
    const kc = parseVirtualKubeconfig(rec.secret!, 'tenant', 'evil');
    assert.deepEqual(kc.ignored, [
      'cluster.certificate-authority',
      'cluster.disable-compression',
      'cluster.proxy-url',
      'user.as',
      'user.auth-provider',
      'user.exec',
      'user.password',
      'user.tokenFile',
      'user.username',
    ]);
    assert.deepEqual(kc.user, { token: SECRET_TOKEN });
    assert.deepEqual(kc.cluster, { server: rec.server, ...trust() });
  });

  it('Connect writes only allow-listed fields', () => {
    plant(
      rec,
      { 'tls-server-name': 'vc.example', 'insecure-skip-tls-verify': false, 'proxy-url': 'http://127.0.0.1:9', extensions: [] },
      {
        'client-certificate-data': 'Q0VSVA==',
        'client-key-data': 'S0VZ',
        token: SECRET_TOKEN,
        exec: { command: canary },
        'auth-provider': gcpCmdPath,
        tokenFile: privateFile,
        'client-key': missing('k'),
      },
    );
    const kc = parseVirtualKubeconfig(rec.secret!, 'tenant', 'evil');
    const entry = virtualKubeconfigEntry('vcluster_evil_tenant_host', kc, { kind: 'secret', server: kc.secretServer });
    for (const k of Object.keys(entry.cluster.cluster)) assert.ok((ALLOWED_CLUSTER_FIELDS as readonly string[]).includes(k), `cluster.${k}`);
    for (const k of Object.keys(entry.user.user)) assert.ok((ALLOWED_USER_FIELDS as readonly string[]).includes(k), `user.${k}`);
    assert.deepEqual(entry.user.user, { 'client-certificate-data': 'Q0VSVA==', 'client-key-data': 'S0VZ', token: SECRET_TOKEN });
    assert.deepEqual(entry.cluster.cluster, { server: rec.server, ...trust(), 'tls-server-name': 'vc.example', 'insecure-skip-tls-verify': false });
  });

  it('a client certificate without its key is no credential', () => {
    plant(rec, {}, { 'client-certificate-data': 'Q0VSVA==' });
    assert.throws(() => parseVirtualKubeconfig(rec.secret!, 'tenant', 'evil'), UnusableClusterKubeconfigError);
  });
});

describe('the server URL of a kubeconfig from a cluster', () => {
  const withServer = (server: string): Secret => ({
    metadata: { name: 'vc-x', namespace: 'ns' },
    data: {
      config: Buffer.from(toYaml({ clusters: [{ name: 'c', cluster: { server } }], users: [{ name: 'u', user: { token: SECRET_TOKEN } }] })).toString('base64'),
    },
  });

  for (const server of [
    'unix:///var/run/docker.sock',
    'http+unix://%2Fvar%2Frun%2Fdocker.sock/api',
    'file:///etc/passwd',
    'ftp://127.0.0.1/',
    'ws://127.0.0.1:8443',
    'javascript:alert(1)',
    '/var/run/docker.sock',
    'localhost:8443',
    'https://',
  ]) {
    it(`is refused: ${server}`, () => {
      assert.throws(
        () => parseVirtualKubeconfig(withServer(server), 'ns', 'x'),
        (e: unknown) =>
          e instanceof UserFacingError &&
          /The server URL in the "config" key of the secret ns\/vc-x (uses the scheme|is not a URL|has no host)/.test(e.message),
      );
    });
  }

  it('loses a user:password part, which is reported by name only', () => {
    const kc = parseVirtualKubeconfig(withServer('https://admin:hunter2-password@10.0.0.1:6443'), 'ns', 'x');
    assert.equal(kc.secretServer, 'https://10.0.0.1:6443');
    assert.equal(kc.cluster.server, 'https://10.0.0.1:6443');
    assert.deepEqual(kc.ignored, ['cluster.server (user:password part)']);
    assert.ok(!JSON.stringify(kc.ignored).includes('hunter2'));
  });

  it('keeps an https or http server as written (path included)', () => {
    assert.equal(parseVirtualKubeconfig(withServer('https://localhost:8443'), 'ns', 'x').secretServer, 'https://localhost:8443');
    assert.equal(parseVirtualKubeconfig(withServer('http://10.0.0.1:8080/prefix'), 'ns', 'x').secretServer, 'http://10.0.0.1:8080/prefix');
  });

  it('a LoadBalancer ingress becomes a URL host only when it is a DNS name or an IP address', () => {
    assert.equal(ingressHost('10.0.0.7'), '10.0.0.7');
    assert.equal(ingressHost('fd00::7'), '[fd00::7]');
    assert.equal(ingressHost('lb.example.com'), 'lb.example.com');
    for (const bad of ['evil.com/x?', 'user:pw@evil.com', 'a b', 'unix:/var/run/x.sock', '', '..', 'x'.repeat(300)])
      assert.equal(ingressHost(bad), undefined, bad);
  });
});

describe('the model behind the tree and the API', () => {
  let rec: Recorder;
  let state: KubeconfigState;
  let model: ExplorerModel;
  const logs: string[] = [];
  beforeEach(async () => {
    fs.rmSync(marker, { force: true });
    logs.length = 0;
    rec = await apiServer();
    const file = path.join(tmp, 'kubeconfig');
    fs.writeFileSync(
      file,
      toYaml({
        apiVersion: 'v1',
        kind: 'Config',
        'current-context': 'host',
        clusters: [{ name: 'host', cluster: { server: rec.server, ...trust() } }],
        users: [{ name: 'host', user: { token: 'host-admin-token' } }],
        contexts: [{ name: 'host', context: { cluster: 'host', user: 'host' } }],
      }),
      { mode: 0o600 },
    );
    state = new KubeconfigState(
      () => [file],
      () => false,
    );
    model = new ExplorerModel({ kubeconfig: state, watch: () => false, log: (level, msg) => logs.push(`${level} ${msg}`) });
  });
  afterEach(async () => {
    model.dispose();
    state.dispose();
    await rec.close();
  });

  const ref = { context: 'host', namespace: 'tenant', name: 'evil' };

  it('records what was left out, logs it once by name, and runs nothing on nested discovery', async () => {
    plant(rec, {}, { token: SECRET_TOKEN, exec: { command: canary }, tokenFile: privateFile });
    const events: string[] = [];
    model.onDidChange((e) => events.push(e.scope));
    await model.nested(ref);
    await model.nested(ref, true);
    model.invalidate();
    await model.nested(ref);
    assert.equal(canaryRan(), false);
    assert.deepEqual(model.ignoredKubeconfigFields(ref), ['user.exec', 'user.tokenFile']);
    const lines = logs.filter((l) => l.includes('vc-evil'));
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0]!, /^warn .*left out.*: user\.exec, user\.tokenFile$/);
    assert.ok(!lines[0]!.includes(canary) && !lines[0]!.includes(privateFile));
    assert.ok(events.includes('vcluster'), 'a change event lets the tree update the tooltip');
  });

  it('records what was left out when nothing usable is left, too', async () => {
    plant(rec, {}, { exec: { command: canary } });
    await assert.rejects(model.nested(ref), UnusableClusterKubeconfigError);
    assert.deepEqual(model.ignoredKubeconfigFields(ref), ['user.exec']);
    assert.equal(canaryRan(), false);
  });
});
