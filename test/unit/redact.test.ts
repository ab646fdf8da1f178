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
import {
  MAX_MESSAGE_CHARS,
  admitsClusterValue,
  clip,
  forgetSecretsForTests,
  redact,
  redactClipped,
  rememberAuthorization,
  rememberSecret,
} from '../../src/shared/redact';
import { redactMessage, sanitizeModel } from '../../src/webview/sanitize';
import { type CA, type CertFiles, createLoopbackServing } from '../harness/cluster/certs';

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

describe('redact(): the credential shapes of messages', () => {
  it('refresh tokens: fields, phrases and Google-style 1//… tokens', () => {
    assert.equal(redact('{"refresh_token":"rt-abc-123456"}'), '{"refresh_token":"<redacted>"}');
    assert.equal(redact('oidc: refresh token "0.AXoA2lrt9Zq" was revoked'), 'oidc: refresh token "<redacted>" was revoked');
    assert.equal(redact('invalid_grant for 1//0gLkR2xVqYz8aBcDeFgHiJkLmN ok'), 'invalid_grant for <redacted> ok');
    assert.equal(redact('the access token introspection failed'), 'the access token introspection failed', 'a word after the phrase stays');
  });

  it('AWS secret access keys, also with "/" and "+" in them', () => {
    assert.equal(redact('aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'), 'aws_secret_access_key = <redacted>');
    assert.equal(redact('SignatureDoesNotMatch for wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY.'), 'SignatureDoesNotMatch for <redacted>.');
    assert.equal(redact('{"SecretAccessKey":"Ab+9/Ab+9/Ab+9/Ab+9/Ab+9/Ab+9/Ab+9/Ab+9/"}'), '{"SecretAccessKey":"<redacted>"}');
    const path40 = '/apis/apps/v1/namespaces/team/deployments';
    assert.equal(redact(`GET ${path40}`), `GET ${path40}`, 'a path of the same length stays');
  });

  it('Kubernetes bootstrap tokens', () => {
    assert.equal(redact('kubeadm join 10.0.0.1:6443 --discovery x abcdef.0123456789abcdef'), 'kubeadm join 10.0.0.1:6443 --discovery x <redacted>');
    assert.equal(redact('see config.yamlbackupfiles now'), 'see config.yamlbackupfiles now', 'a dotted word of that shape without digits stays');
  });

  it('client_secret= and client-secret', () => {
    assert.equal(redact('POST /token client_secret=cs-Secret-1&grant_type=x'), 'POST /token client_secret=<redacted>&grant_type=x');
    assert.equal(redact('"client_secret": "cs-Secret-2"'), '"client_secret": "<redacted>"');
    assert.equal(redact('client-secret: cs-Secret-3'), 'client-secret: <redacted>');
  });

  it('--token VALUE, --token=VALUE and --oidc-client-secret=VALUE', () => {
    assert.equal(redact('exec: kubectl get pods --token tok-Value-1 -n x'), 'exec: kubectl get pods --token <redacted> -n x');
    assert.equal(redact('args: --token=tok-Value-2'), 'args: --token=<redacted>');
    assert.equal(redact('kube-apiserver --oidc-client-secret=oidc-Value-3 --v=2'), 'kube-apiserver --oidc-client-secret=<redacted> --v=2');
    assert.equal(redact('--db-password  pw-Value-4'), '--db-password  <redacted>');
    assert.equal(redact('--token --insecure'), '--token --insecure', 'a following flag is no value');
  });

  it('user:password in URLs also when the password holds "/" (DSNs), but not a port and a path', () => {
    assert.equal(redact('dial mysql://root:pa/ss@db:3306/vc failed'), 'dial mysql://<redacted>@db:3306/vc failed');
    assert.equal(redact('GET https://10.0.0.1:6443/api/v1/x@y'), 'GET https://10.0.0.1:6443/api/v1/x@y');
  });

  it('a PEM block cut short loses its body; one cut before redaction too', () => {
    assert.equal(redact('key: -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\nkqhkiG9w0 (truncated)'), 'key: <redacted PEM>(truncated)');
    assert.equal(redact('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0abc'), '<redacted JWT>', 'a JWT cut after its payload');
  });
});

describe('redact(): linear on hostile text', () => {
  // Each input made the old rules take seconds to minutes (measured in bench/hostile-text.ts); here only the result is
  // checked. The sizes are far above MAX_MESSAGE_CHARS on purpose: redact() itself must be linear, whatever calls it.
  it('many PEM BEGIN lines without END', () => {
    const n = 40_000; // 1.3 MB
    const out = redact('-----BEGIN CERTIFICATE-----\nMIIB\n'.repeat(n));
    assert.ok(out === '<redacted PEM>'.repeat(n), out.slice(0, 100));
  });

  it('a BEGIN and many END lines that are no END', () => {
    const text = `-----BEGIN X-----\n${'-----END \n'.repeat(100_000)}`;
    assert.equal(redact(text), '<redacted PEM>');
    const many = '-----BEGIN X-----\n-----END \n'.repeat(40_000);
    const out = redact(many);
    assert.ok(out === '<redacted PEM>'.repeat(40_000), out.slice(0, 100));
  });

  it('a run of eyJ and a run of dotted words before no URL scheme', () => {
    for (const text of ['eyJ'.repeat(300_000), 'a.'.repeat(400_000), 'a://b:c'.repeat(100_000)]) {
      const out = redact(text);
      assert.ok(out === text, out.slice(0, 100));
    }
  });

  it('256 remembered tenant tokens with one long common prefix, against text made of that prefix', () => {
    forgetSecretsForTests();
    const prefix = 'ab-1'.repeat(200); // no opaque-token shape of its own
    rememberSecret(
      Array.from({ length: 256 }, (_, i) => `${prefix}zQ${i}x`),
      { origin: 'cluster' },
    );
    const text = `${prefix.repeat(100)} and ${prefix}zQ7x`;
    const out = redact(text);
    assert.ok(out === `${prefix.repeat(100)} and <redacted>`, out.slice(-100));
    forgetSecretsForTests();
  });
});

describe("remembered credentials: the user's and the cluster's", () => {
  beforeEach(() => forgetSecretsForTests());
  after(() => forgetSecretsForTests());

  it('a value from a cluster that is a word or a phrase is not remembered; a token is', () => {
    const words = ['Successfully', 'internationalization', 'connection refused now', 'aaaaaaaaaaaaaaaa1', 'kube-system', 'Running'];
    rememberSecret(words, { origin: 'cluster' });
    for (const w of words) assert.equal(redact(`x ${w} y`), `x ${w} y`, w);
    for (const w of words) assert.equal(admitsClusterValue(w), false, w);
    rememberSecret('abcdef.0123456789abcdef', { origin: 'cluster' });
    rememberSecret('tenant-Tok3n-value-99', { origin: 'cluster' });
    assert.equal(redact('said tenant-Tok3n-value-99'), 'said <redacted>');
    // The user's own values only need 8 characters.
    rememberSecret('hunter22', { origin: 'user' });
    assert.equal(redact('pw hunter22'), 'pw <redacted>');
  });

  it("tokens read from clusters cannot push the user's credentials out", () => {
    rememberAuthorization('Bearer users-own-Token-1', { origin: 'user' });
    for (let i = 0; i < 1000; i++) rememberSecret(`tenant-${i}-Zq9xW7vB3nM5kL`, { origin: 'cluster' });
    assert.equal(redact('echo users-own-Token-1'), 'echo <redacted>');
    assert.equal(redact('echo tenant-999-Zq9xW7vB3nM5kL'), 'echo <redacted>', 'the newest tenant token is known');
    assert.equal(redact('echo tenant-0-Zq9xW7vB3nM5kL'), 'echo tenant-0-Zq9xW7vB3nM5kL', 'the oldest tenant token was forgotten');
  });

  it('overlapping remembered values are removed whole', () => {
    rememberSecret(['abcdefgh12', 'cdefgh12345678'], { origin: 'user' });
    assert.equal(redact('[abcdefgh12345678]'), '[<redacted>]');
  });
});

describe('clip(): messages are cut before redaction', () => {
  afterEach(() => forgetSecretsForTests());

  it('cuts at white space, says how much was left out, and leaves short text alone', () => {
    assert.equal(clip('short'), 'short');
    const long = `${'word '.repeat(10_000)}end`;
    const c = clip(long, 1000);
    assert.ok(c.length < 1100 && c.startsWith('word word'), c.slice(-80));
    assert.match(c, / … \(\d+ more characters not shown\)$/);
    assert.ok(!/wor …/.test(c), 'no word cut in two');
  });

  it('a remembered credential cut in two loses its first part too', () => {
    const token = `Tok3n${'x9'.repeat(600)}`; // longer than the 1 KiB the cut looks back for white space
    rememberSecret(token, { origin: 'user' });
    const c = redactClipped(`denied:${token}`, 500);
    assert.ok(!c.includes(token.slice(0, 20)), c);
    assert.match(c, /^denied:<redacted> … \(\d+ more characters not shown\)$/);
    assert.equal(clip(`denied ${token}`, 500), `denied  … (${token.length} more characters not shown)`, 'or the cut goes back to white space');
  });

  it('at the entry points: KubeError messages and redactClipped() stay within the cap', () => {
    const body = `{"message":"${'-----BEGIN X-----\n'.repeat(50_000)}"}`;
    const e = new KubeError('server', `the server said: ${body}`);
    assert.ok(e.message.length < MAX_MESSAGE_CHARS + 100, String(e.message.length));
    assert.ok(redactClipped('y'.repeat(1_000_000)).length < MAX_MESSAGE_CHARS + 100);
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
