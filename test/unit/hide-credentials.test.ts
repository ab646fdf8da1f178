import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { maskCredentials } from '../../src/vcluster/config/helmRelease';
import { HIDDEN } from '../../src/vcluster/config/hideCredentials';

// Show Deployed Configuration and Compare (src/vcluster/config/hideCredentials.ts): each credential shape a tenant's
// or an admin's vcluster.yaml may hold is hidden, and every key stays so that a diff of two configurations keeps its
// structure. The values are written the way vcluster.yaml (chart values, v0.36.1 layout) holds them.

/** Every key path of a value, so a masked value can be checked to have the same structure. */
function paths(v: unknown, at = ''): string[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => paths(x, `${at}[${i}]`));
  if (v && typeof v === 'object') return Object.entries(v as Record<string, unknown>).flatMap(([k, x]) => [`${at}.${k}`, ...paths(x, `${at}.${k}`)]);
  return [];
}

function masked(values: Record<string, unknown>, secrets: readonly string[]): string {
  const out = maskCredentials(values);
  assert.deepEqual(paths(out), paths(values), 'the keys stay');
  const text = JSON.stringify(out);
  for (const s of secrets) assert.ok(!text.includes(s), `${s} is shown: ${text}`);
  return text;
}

describe('hiding credentials in deployed configurations', () => {
  it('env entries whose name looks secret lose their value, others keep it', () => {
    const values = {
      controlPlane: {
        distro: {
          k8s: {
            env: [
              { name: 'DB_PASSWORD', value: 'pw-env-1' },
              { name: 'GITHUB_TOKEN', value: 'ghp_envtoken2' },
              { name: 'AWS_SECRET_ACCESS_KEY', value: 'env-aws-3' },
              { name: 'API_KEY', value: 'env-key-4' },
              { name: 'LOG_LEVEL', value: 'debug' },
            ],
          },
        },
      },
    };
    const text = masked(values, ['pw-env-1', 'ghp_envtoken2', 'env-aws-3', 'env-key-4']);
    assert.ok(text.includes('"debug"') && text.includes('DB_PASSWORD'), 'names and ordinary values stay');
  });

  it('registry auth fields (Docker config) are hidden', () => {
    const auth = Buffer.from('robot:registry-pass').toString('base64');
    const values = {
      controlPlane: { advanced: { registry: { auths: { 'registry.example.com': { auth, username: 'robot' } } } } },
      experimental: { dockerConfig: `{"auths":{"r.example.com":{"auth":"${auth}"}}}` },
    };
    const text = masked(values, [auth]);
    assert.ok(text.includes('"username":"robot"'));
  });

  it('credential flags in argument lists: --oidc-client-secret=…, --token …, --*password*=', () => {
    const values = {
      controlPlane: {
        distro: {
          k8s: {
            apiServer: {
              extraArgs: [
                '--oidc-issuer-url=https://idp.example.com',
                '--oidc-client-secret=oidc-sec-1',
                '--token',
                'flag-tok-2',
                '--db-password=flag-pw-3',
                '--v=2',
              ],
            },
          },
        },
        statefulSet: { command: ['sh', '-c', 'exec syncer --service-account-token=inline-tok-4 --x'] },
      },
    };
    const text = masked(values, ['oidc-sec-1', 'flag-tok-2', 'flag-pw-3', 'inline-tok-4']);
    assert.ok(text.includes('--oidc-issuer-url=https://idp.example.com') && text.includes('--oidc-client-secret=') && text.includes('"--v=2"'));
  });

  it('Secrets in experimental.deploy.*.manifests lose data and stringData, the other manifests stay', () => {
    const manifests = [
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\ndata:\n  mode: fast\n',
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  password: bWFuaWZlc3QtcHc=\nstringData:\n  token: manifest-token-2\n',
    ].join('---\n');
    const out = maskCredentials({ experimental: { deploy: { vcluster: { manifests }, host: { manifests } } } }) as {
      experimental: { deploy: { vcluster: { manifests: string } } };
    };
    const shown = out.experimental.deploy.vcluster.manifests;
    for (const s of ['bWFuaWZlc3QtcHc=', 'manifest-token-2']) assert.ok(!shown.includes(s), shown);
    const docs = parseAllDocuments(shown).map((d) => d.toJS() as { kind: string; data: Record<string, string>; stringData?: Record<string, string> });
    assert.deepEqual(
      docs.map((d) => d.kind),
      ['ConfigMap', 'Secret'],
    );
    assert.deepEqual(docs[0]!.data, { mode: 'fast' });
    assert.deepEqual(docs[1]!.data, { password: HIDDEN }, 'keys of the Secret stay');
    assert.deepEqual(docs[1]!.stringData, { token: HIDDEN });
    // A template that is no YAML yet is hidden whole when it holds a Secret.
    const template = 'kind: Secret\ndata:\n  token: {{ .Values.tok | b64enc }}\n  x: [unclosed\n';
    assert.equal((maskCredentials({ manifestsTemplate: template }) as { manifestsTemplate: string }).manifestsTemplate, HIDDEN);
  });

  it('DSN passwords with "/" (and "@") in them', () => {
    const values = {
      controlPlane: {
        backingStore: {
          database: {
            external: { dataSource: 'postgres://vc:pa/ss@db.example.com:5432/vcluster' },
            other: 'mysql://root:p/w@x@tcp(db:3306)/k3s',
          },
        },
      },
      k3sDsn: 'root:dsn/pw@tcp(db:3306)/k3s',
      plain: 'https://10.0.0.1:6443/api?x=a@b',
      image: 'nginx:1.27@sha256:0123abcd',
    };
    const text = masked(values, ['pa/ss', 'p/w@x', 'dsn/pw']);
    assert.ok(text.includes('postgres://vc:<hidden>@db.example.com:5432/vcluster'), text);
    assert.ok(text.includes('mysql://root:<hidden>@tcp(db:3306)/k3s'), text);
    assert.ok(text.includes('https://10.0.0.1:6443/api?x=a@b'), 'a port and path is no password');
    assert.ok(text.includes('nginx:1.27@sha256:0123abcd'), 'an image tag is no password');
  });

  it('PEM keys and certificates under any key, also base64-encoded', () => {
    const pem = '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIPemKeyBody\n-----END EC PRIVATE KEY-----\n';
    const values = {
      controlPlane: { proxy: { extraSANs: ['a.example.com'] }, advanced: { customCa: pem, webhookBundle: Buffer.from(pem).toString('base64') } },
      integrations: { x: { tlsMaterial: { certificate: '-----BEGIN CERTIFICATE-----\nMIIBcertBody\n-----END CERTIFICATE-----' } } },
    };
    const text = masked(values, ['MHcCAQEEIPemKeyBody', 'MIIBcertBody', Buffer.from(pem).toString('base64').slice(0, 24)]);
    assert.ok(text.includes('a.example.com'));
  });

  it('still hides credential-named keys and keeps the names of Secrets', () => {
    const text = masked({ sync: { toHost: { secrets: { enabled: true } } }, a: { clientSecret: 'cs-1', secretName: 'keep-me' } }, ['cs-1']);
    assert.ok(text.includes('keep-me') && text.includes('"secrets":{"enabled":true}'));
  });
});
