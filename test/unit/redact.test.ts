import assert from 'node:assert/strict';
import fs from 'node:fs';
import type http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { KubeClient } from '../../src/kube/client';
import { KubeError } from '../../src/kube/errors';
import { ExecCredentialProvider } from '../../src/kube/execCredential';
import { Watcher } from '../../src/kube/watch';
import type { MappingModel } from '../../src/shared/model';
import { redact, rememberAuthorization, rememberSecret } from '../../src/shared/redact';
import { redactMessage, sanitizeModel } from '../../src/webview/sanitize';
import { type CA, type CertFiles, createLoopbackServing } from '../harness/certs';

// One redaction function (src/shared/redact.ts) at every boundary where text reaches a person. The domain-side paths
// are checked here (API error bodies, watch errors, credential-plugin stderr, server URLs in network errors, webview
// posts); the VS Code side (tree tooltips and error nodes, quick picks, the command wrapper, the log) in the
// integration suite (test/integration/suites/untrusted.ts).

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-redact-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
let ca: CA;
let serving: CertFiles;
before(async function () {
  this.timeout(30_000);
  ({ ca, serving } = await createLoopbackServing(path.join(tmp, 'pki')));
});

describe('redact()', () => {
  it('user:password and a lone user part of URLs', () => {
    assert.equal(redact('Cannot reach https://admin:s3cret@10.0.0.1:6443 (ECONNREFUSED)'), 'Cannot reach https://<redacted>@10.0.0.1:6443 (ECONNREFUSED)');
    assert.equal(redact('proxy http://tok3nvalue@proxy:3128/'), 'proxy http://<redacted>@proxy:3128/');
    assert.equal(redact('https://10.0.0.1:6443/api?x=a@b'), 'https://10.0.0.1:6443/api?x=a@b');
  });

  it('Authorization headers, bearer and basic credentials, token-like fields', () => {
    assert.equal(redact('Authorization: Bearer abc.def-ghi'), 'Authorization: Bearer <redacted>');
    assert.equal(redact('"authorization":"Basic YWRtaW46cHc="'), '"authorization":"Basic <redacted>"');
    assert.equal(redact('invalid bearer token: abcdefgh12'), 'invalid bearer token: <redacted>');
    assert.equal(redact('password=pw123 client-key-data: LS0tXYZ'), 'password=<redacted> client-key-data: <redacted>');
  });

  it('PEM blocks, JWTs and long random strings, but not names, UIDs or paths', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----';
    assert.equal(redact(`key ${pem} end`), 'key <redacted PEM> end');
    assert.equal(redact('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0abc.c2lnbmF0dXJlYWJj'), '<redacted JWT>');
    assert.equal(redact('got 0123456789abcdef0123456789abcdef01234567 back'), 'got <redacted> back');
    const ordinary =
      'pod web-7d9f8b6c5-x2k4q in vc-my-vcluster-x-default-x-some-long-name uid 3f1c2a9e-1b2c-4d5e-8f90-123456789abc at /apis/apps/v1/namespaces/tree-a/statefulsets rv 12345678901234567890123456789012345';
    assert.equal(redact(ordinary), ordinary);
  });

  it('any credential this process used, whatever its shape', () => {
    rememberSecret('Opaque-Value-1', { origin: 'user' });
    rememberAuthorization(`Basic ${Buffer.from('alice:pw-of-alice').toString('base64')}`, { origin: 'user' });
    assert.equal(redact('server said Opaque-Value-1 twice: Opaque-Value-1'), 'server said <redacted> twice: <redacted>');
    assert.equal(redact('wrong password pw-of-alice'), 'wrong password <redacted>');
    rememberSecret('abcdef', { origin: 'user' }); // too short to remove everywhere
    assert.equal(redact('abcdef'), 'abcdef');
  });
});

interface Echo {
  server: string;
  close(): Promise<void>;
}

/** A local server that answers like an API server behind a careless proxy: it echoes the credential in its errors. */
async function echoServer(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<Echo> {
  const srv = https.createServer({ cert: serving.certPem, key: serving.keyPem }, handler);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    server: `https://127.0.0.1:${(srv.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        srv.closeAllConnections();
        srv.close(() => r());
      }),
  };
}

const client = (server: string, token: string) =>
  new KubeClient(
    {
      contextName: 'c',
      clusterName: 'c',
      cluster: { server, 'certificate-authority-data': Buffer.from(ca.certPem).toString('base64') },
      userName: 'u',
      user: { token },
    },
    { timeoutMs: 5000 },
  );

describe('redaction at the domain boundaries', () => {
  it('a KubeError built from an API error body that echoes the bearer token', async () => {
    const token = 'opaque-Tok3n-echoed';
    const echo = await echoServer((req, res) => {
      res.statusCode = 401;
      res.setHeader('Content-Type', 'application/json');
      res.end(
        JSON.stringify({
          kind: 'Status',
          status: 'Failure',
          reason: 'Unauthorized',
          message: `token "${String(req.headers.authorization).replace(/^Bearer /, '')}" is not valid`,
          code: 401,
        }),
      );
    });
    const c = client(echo.server, token);
    try {
      await assert.rejects(
        c.get('/api/v1/namespaces'),
        (e: unknown) => e instanceof KubeError && e.kind === 'unauthorized' && !e.message.includes(token) && /token "<redacted>" is not valid/.test(e.message),
      );
    } finally {
      c.dispose();
      await echo.close();
    }
  });

  it('a watch ERROR event whose Status message echoes the token', async () => {
    const token = 'watch-Tok3n-echoed';
    const echo = await echoServer((req, res) => {
      res.setHeader('Content-Type', 'application/json');
      if (!req.url?.includes('watch=1')) {
        res.end(JSON.stringify({ kind: 'List', metadata: { resourceVersion: '5' }, items: [] }));
        return;
      }
      res.write(
        `${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 500, message: `proxy rejected ${String(req.headers.authorization)}` } })}\n`,
      );
      res.end();
    });
    const c = client(echo.server, token);
    const health: (KubeError | undefined)[] = [];
    const w = new Watcher(c, '/api/v1/pods', { onEvent: () => undefined, onHealth: (e) => health.push(e) });
    try {
      await waitUntil(() => health.length > 0);
      assert.ok(health[0] && !health[0].message.includes(token), health[0]?.message);
      assert.match(health[0]!.message, /proxy rejected Bearer <redacted>/);
    } finally {
      w.dispose();
      await w.done;
      c.dispose();
      await echo.close();
    }
  });

  it("a credential plugin's stderr", async () => {
    const plugin = path.join(tmp, 'plugin');
    fs.writeFileSync(
      plugin,
      '#!/bin/sh\necho "refresh failed: refresh-token=rt-0123 at https://u:p4ss@idp.example.com, got 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" >&2\nexit 1\n',
      { mode: 0o755 },
    );
    const p = new ExecCredentialProvider({ apiVersion: 'client.authentication.k8s.io/v1', interactiveMode: 'Never', command: plugin }, 'alice', 5000);
    await assert.rejects(p.get(), (e: Error) => {
      assert.match(e.message, /failed \(exit code 1\): refresh failed: refresh-token=<redacted> at https:\/\/<redacted>@idp\.example\.com, got <redacted>/);
      for (const s of ['rt-0123', 'p4ss', '9f86d081884c7d659a']) assert.ok(!e.message.includes(s), s);
      return true;
    });
  });

  it('a server URL with user:password in a network error', async () => {
    const c = new KubeClient(
      {
        contextName: 'c',
        clusterName: 'c',
        cluster: { server: 'https://admin:hunter2-pw@127.0.0.1:1', 'insecure-skip-tls-verify': true },
        userName: 'u',
        user: {},
      },
      { timeoutMs: 3000 },
    );
    try {
      await assert.rejects(c.get('/version'), (e: KubeError) => e.message === 'Cannot reach https://<redacted>@127.0.0.1:1 (ECONNREFUSED)');
    } finally {
      c.dispose();
    }
  });

  it("webview posts: error messages and the model's free text", () => {
    rememberSecret('webview-Tok3n-value', { origin: 'user' });
    const posted = redactMessage({ type: 'loadError', ref: { context: 'c', namespace: 'n', name: 'v' }, message: 'GET failed: webview-Tok3n-value rejected' });
    assert.deepEqual(posted, { type: 'loadError', ref: { context: 'c', namespace: 'n', name: 'v' }, message: 'GET failed: <redacted> rejected' });
    assert.deepEqual(redactMessage({ type: 'reply', id: 1, ok: false, message: 'Authorization: Bearer webview-Tok3n-value' }), {
      type: 'reply',
      id: 1,
      ok: false,
      message: 'Authorization: Bearer <redacted>',
    });
    const model: MappingModel = {
      vcluster: { context: 'c', namespace: 'n', name: 'v' },
      hostNamespace: 'n',
      rows: [{ kind: 'Pod', state: 'synced', virtualStatus: 'Error: webview-Tok3n-value' }],
      summary: { synced: 1, virtualOnly: 0, hostOnly: 0, byKind: {} },
      errors: [{ kind: 'Secret', side: 'host', message: 'forbidden for https://a:b@x' }],
      fetchedAt: '',
    };
    const clean = JSON.stringify(sanitizeModel(model));
    assert.ok(!clean.includes('webview-Tok3n-value') && !clean.includes('a:b@'), clean);
  });
});

async function waitUntil(ok: () => boolean, timeoutMs = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
