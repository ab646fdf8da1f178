// vcluster.upgrade's plan (src/vcluster/upgrade.ts planUpgrade): the values it applies, what in them reaches the host
// cluster, and what it asks before anything runs; and the hostile inputs of the deployed-values path: a gzip bomb as
// release payload, a catastrophic `pattern` in the schema a release carries, Secrets that are not what they claim.
// The Helm side (which revision is chosen among real Secrets, what Helm itself picks) is in test/cluster/upgrade.test.ts.
import assert from 'node:assert/strict';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Secret } from '../../src/kube/types';
import {
  decodeReleaseData,
  HELM_RELEASE_TYPE,
  MAX_RELEASE_BYTES,
  releaseSecretMismatch,
  toHelmRelease,
  valuesYaml,
  type ReadRelease,
} from '../../src/vcluster/config/helmRelease';
import { loadBundledSchema } from '../../src/vcluster/config/schema';
import { compileSchema, unsafePattern } from '../../src/vcluster/config/validate';
import { hostSideEffects, manifestObjects, planUpgrade } from '../../src/vcluster/upgrade';

const schema = loadBundledSchema(path.resolve(__dirname, '..', '..'));

/** The release payload as the API returns it in data.release: base64 (Secret) of base64 (Helm) of gzip of JSON. */
function payload(json: string | Buffer): string {
  return Buffer.from(gzipSync(Buffer.from(json)).toString('base64')).toString('base64');
}

function release(config: Record<string, unknown>, over: Partial<ReadRelease> = {}): ReadRelease {
  return {
    name: 'dev',
    namespace: 'team',
    revision: 3,
    status: 'deployed',
    chartName: 'vcluster',
    chartVersion: '0.36.1',
    config,
    secretName: 'sh.helm.release.v1.dev.v3',
    concerns: [],
    alsoDeployed: [],
    ...over,
  };
}

const CLUSTER_ADMIN = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: tenant-admin
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
subjects:
  - kind: ServiceAccount
    name: default
    namespace: team
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: hello
  namespace: kube-system
`;

const plan = (config: Record<string, unknown>, over: Partial<ReadRelease> = {}, targetVersion = '0.36.1') =>
  planUpgrade({ name: 'dev', namespace: 'team', release: release(config, over), targetVersion, values: { from: 'deployed' }, schema });

describe('upgrade plan: deployed values are shown and confirmed, naming what they change in the host', () => {
  it('names experimental.deploy.host.manifests with the objects it creates (a binding to cluster-admin), and never lets force skip it', () => {
    const p = plan({ experimental: { deploy: { host: { manifests: CLUSTER_ADMIN } } } });
    assert.equal(p.refusal, undefined);
    assert.deepEqual(
      p.hostSideEffects.map((e) => e.path),
      ['experimental.deploy.host.manifests'],
    );
    assert.match(p.hostSideEffects[0]!.what, /ClusterRoleBinding tenant-admin → ClusterRole cluster-admin, ConfigMap hello in kube-system/);
    const c = p.confirmation!;
    assert.match(c.message, /Apply the deployed values of dev \(0\.36\.1 → 0\.36\.1\)\? They change the host cluster: experimental\.deploy\.host\.manifests\./);
    assert.match(c.detail, /Helm release revision 3, deployed, Secret sh\.helm\.release\.v1\.dev\.v3/);
    assert.match(c.detail, /applied with your rights/);
    assert.match(c.detail, /• experimental\.deploy\.host\.manifests: objects created in the host cluster exactly as written/);
    assert.equal(c.button, 'Apply to the Host Cluster');
    assert.equal(c.skippable, false);
    assert.equal(p.valuesText, valuesYaml(release({ experimental: { deploy: { host: { manifests: CLUSTER_ADMIN } } } }).config), 'exactly the values read');
  });

  it('names plugins, RBAC rules, extra volumes, arguments and images of the pod, and host-reading syncs', () => {
    const values = {
      plugins: { evil: { image: 'attacker/evil:1', rbac: { clusterRole: { extraRules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] } } } },
      rbac: { clusterRole: { extraRules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }] }, role: { enabled: true } },
      controlPlane: {
        statefulSet: {
          image: { registry: 'evil.example', repository: 'x' },
          args: ['--anything'],
          persistence: { addVolumes: [{ name: 'root', hostPath: { path: '/' } }], addVolumeMounts: [{ name: 'root', mountPath: '/host' }] },
          security: { containerSecurityContext: { privileged: true } },
        },
        distro: { k8s: { apiServer: { extraArgs: ['--anonymous-auth=true'] } } },
        advanced: { serviceAccount: { enabled: false, name: 'admin-sa' } },
      },
      sync: { fromHost: { secrets: { enabled: true, mappings: { byName: { '*/*': 'x/*' } } } }, toHost: { ingresses: { enabled: true } } },
      exportKubeConfig: { server: 'https://x:443', additionalSecrets: [{ name: 'a' }, { name: 'b', namespace: 'kube-system' }] },
    };
    const p = plan(values);
    assert.deepEqual(
      p.hostSideEffects.map((e) => e.path),
      [
        'rbac.clusterRole',
        'rbac.role',
        'plugins',
        'controlPlane.statefulSet.image',
        'controlPlane.statefulSet.args',
        'controlPlane.statefulSet.security',
        'controlPlane.statefulSet.persistence.addVolumes',
        'controlPlane.statefulSet.persistence.addVolumeMounts',
        'controlPlane.distro.k8s.apiServer',
        'controlPlane.advanced.serviceAccount',
        'sync.fromHost.secrets',
        'exportKubeConfig.additionalSecrets',
      ],
    );
    for (const e of p.hostSideEffects) assert.ok(p.confirmation!.detail.includes(`• ${e.path}: `), e.path);
    assert.ok(!p.confirmation!.detail.includes('ingresses'), 'a sync inside the namespace is not a host-side effect');
    assert.deepEqual(
      hostSideEffects({ exportKubeConfig: { server: 'https://x:443', additionalSecrets: [{ name: 'a' }] } }),
      [],
      'a kubeconfig Secret in its own namespace is not',
    );
  });

  it('asks a plain question, not skippable either, when nothing reaches beyond the vcluster; disabled keys are not named', () => {
    const p = plan({
      sync: { toHost: { ingresses: { enabled: true } } },
      rbac: { clusterRole: { enabled: false } },
      plugins: {},
      experimental: { deploy: { host: { manifests: '' } } },
    });
    assert.deepEqual(p.hostSideEffects, []);
    assert.equal(p.confirmation?.message, 'Upgrade vcluster dev (0.36.1 → 0.36.1) with its deployed values (revision 3)?');
    assert.equal(p.confirmation?.button, 'Upgrade');
    assert.equal(p.confirmation?.skippable, false);
    assert.match(p.confirmation!.detail, /The values come from the cluster/);
  });

  it('puts the release concerns and a skipped minor version into the question', () => {
    const p = plan(
      {},
      {
        chartVersion: '0.34.0',
        concerns: ['Secret sh.helm.release.v1.dev.v99 is not a release Helm wrote: its type is "Opaque", not helm.sh/release.v1; it was ignored.'],
      },
    );
    assert.match(p.confirmation!.detail, /Warning: Secret sh\.helm\.release\.v1\.dev\.v99 is not a release Helm wrote/);
    assert.match(p.confirmation!.detail, /skips 1 minor version/);
    assert.equal(p.confirmation!.button, 'Upgrade Anyway');
  });

  it('refuses when several revisions pass every check and say they are deployed: which values are deployed cannot be told', () => {
    const p = plan({ experimental: { deploy: { host: { manifests: CLUSTER_ADMIN } } } }, { revision: 99, alsoDeployed: [3] });
    assert.equal(p.confirmation, undefined);
    assert.match(p.refusal!.message, /revisions 99, 3 all say they are deployed.*Nothing was run: upgrade with a vcluster\.yaml of your own/);
    assert.equal(p.refusal!.showValues, false);
  });

  it('refuses deployed values the bundled schema rejects, and shows them', () => {
    const p = plan({ sync: { toHost: { pods: { enabled: 'yes' } } } });
    assert.match(
      p.refusal!.message,
      /The deployed configuration of dev is not valid for vcluster 0\.36\.1 \(1 errors, first: sync\.toHost\.pods\.enabled: must be boolean/,
    );
    assert.equal(p.refusal!.showValues, true);
  });

  it("a chosen vcluster.yaml is the user's own: asked about only for a risky version step, which force may skip", () => {
    const f = planUpgrade({
      name: 'dev',
      namespace: 'team',
      release: release({}),
      targetVersion: '0.36.2',
      values: { from: 'file', file: '/w/vcluster.yaml' },
      schema,
    });
    assert.equal(f.confirmation, undefined);
    assert.equal(f.valuesText, undefined);
    const down = planUpgrade({
      name: 'dev',
      namespace: 'team',
      release: release({}),
      targetVersion: '0.35.0',
      values: { from: 'file', file: '/w/vcluster.yaml' },
      schema,
    });
    assert.deepEqual([down.confirmation?.button, down.confirmation?.skippable], ['Upgrade Anyway', true]);
  });

  it('lists manifest objects safely: no control characters, bounded, nothing for a template or garbage', () => {
    assert.deepEqual(manifestObjects('kind: "Secret\\u001b[31m"\nmetadata: {name: "a\\nb"}\n'), ['Secret??31m a?b']);
    assert.deepEqual(manifestObjects(': : :\n- ['), []);
    const many = Array.from({ length: 9 }, (_, i) => `kind: ConfigMap\nmetadata: {name: c${i}}\n`).join('---\n');
    const e = hostSideEffects({ experimental: { deploy: { host: { manifests: many } } } });
    assert.match(e[0]!.what, /c5 and 3 more$/);
  });
});

describe('hostile release data: bounded inflation, no foreign schema, Secrets checked', () => {
  it('a gzip bomb (a small payload inflating far beyond any release) is refused with a clear error, not inflated', () => {
    // 64 MiB of valid JSON inflating from a 64 KiB payload: the old decoder inflated and parsed it.
    const bomb = payload(Buffer.concat([Buffer.from('{"config":"'), Buffer.alloc(64 * 1024 * 1024, 0x20), Buffer.from('"}')]));
    assert.ok(bomb.length < 200 * 1024, `the payload is small (${bomb.length} bytes)`);
    assert.throws(() => decodeReleaseData(bomb), /the release inflates to more than 32 MiB, which no Helm release does/);
    assert.equal(MAX_RELEASE_BYTES, 32 * 1024 * 1024);
    assert.throws(() => decodeReleaseData(Buffer.from(Buffer.from([0x1f, 0x8b, 8, 0, 1, 2]).toString('base64')).toString('base64')), /not valid gzip/);
  });

  it("never keeps the chart's schema from a release, so its catastrophic pattern is not run; the bundled schema checks the values", () => {
    const evil = { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { x: { type: 'string', pattern: '^(a+)+$' } } };
    const rel = {
      name: 'dev',
      namespace: 'team',
      version: 3,
      info: { status: 'deployed' },
      chart: { metadata: { name: 'vcluster', version: '0.36.1' }, schema: Buffer.from(JSON.stringify(evil)).toString('base64') },
      config: { x: `${'a'.repeat(30)}!` },
    };
    const secret: Secret = {
      metadata: { name: 'sh.helm.release.v1.dev.v3', namespace: 'team', labels: { owner: 'helm', name: 'dev', status: 'deployed', version: '3' } },
    };
    const r = toHelmRelease(decodeReleaseData(payload(JSON.stringify(rel))), secret);
    assert.ok(!('schema' in r), "the stored chart's schema is not kept");
    const p = planUpgrade({
      name: 'dev',
      namespace: 'team',
      release: { ...r, secretName: 'x', concerns: [], alsoDeployed: [] },
      values: { from: 'deployed' },
      schema,
    });
    assert.deepEqual(
      p.problems.map((x) => x.message),
      ['Property "x" is not allowed at the top level (vcluster schema)'],
      'checked by the bundled schema, which knows no "x"',
    );
  });

  it('refuses to compile a pattern a backtracking engine can take exponential time on; accepts the bundled ones', () => {
    assert.throws(
      () => compileSchema({ type: 'string', pattern: '^(a+)+$' }),
      /pattern "\^\(a\+\)\+\$" is refused: it has a repeated group that itself repeats or alternates/,
    );
    assert.throws(() => compileSchema({ type: 'object', patternProperties: { '^(a|aa)*$': {} } }), /refused/);
    assert.ok(compileSchema(schema), 'the bundled schema compiles');
    const table: [string, string | undefined][] = [
      ['^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', undefined],
      ['.*', undefined],
      ['^[a-z]{1,63}$', undefined],
      ['^(a*)*$', 'a repeated group that itself repeats or alternates'],
      ['^(a|b)*$', 'a repeated group that itself repeats or alternates'],
      ['^a*a*$', 'more than one unbounded repetition'],
      ['^a{0,100}b*$', 'more than one unbounded repetition'],
      ['a+b', 'an unbounded repetition that is not anchored with ^'],
      ['^(x)\\1$', 'a backreference'],
      ['^(?=a).$', 'a lookaround'],
      ['^[a-', 'an unterminated character class'],
    ];
    for (const [p, why] of table) assert.equal(unsafePattern(p), why, p);
  });

  it('a Secret is only a release when its type, name, labels and decoded release agree', () => {
    const labels = { owner: 'helm', name: 'dev', status: 'deployed', version: '99' };
    const good: Secret = { type: HELM_RELEASE_TYPE, metadata: { name: 'sh.helm.release.v1.dev.v99', namespace: 'team', labels } };
    const rel = { name: 'dev', namespace: 'team', version: 99, info: { status: 'deployed' } };
    assert.equal(releaseSecretMismatch(good, rel, 'team', 'dev', 99), undefined);
    assert.match(releaseSecretMismatch({ ...good, type: 'Opaque' }, rel, 'team', 'dev', 99)!, /type is "Opaque", not helm\.sh\/release\.v1/);
    assert.match(releaseSecretMismatch(good, { ...rel, version: 3 }, 'team', 'dev', 99)!, /release data says revision 3, its labels 99/);
    assert.match(releaseSecretMismatch(good, { ...rel, info: { status: 'failed' } }, 'team', 'dev', 99)!, /says "failed", its labels "deployed"/);
    assert.match(releaseSecretMismatch(good, { ...rel, namespace: 'other' }, 'team', 'dev', 99)!, /names namespace "other"/);
    assert.match(releaseSecretMismatch(good, { ...rel, name: 'x' }, 'team', 'dev', 99)!, /names release "x"/);
  });
});
