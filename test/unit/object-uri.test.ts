import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { OBJECT_SCHEME, addressForRow, decodeObjectUri, encodeObjectUri, prepareObjectYaml, type ObjectAddress } from '../../src/documents/objectUri';

const nested: ObjectAddress = {
  ref: { context: 'gke_proj_europe-west1_main cluster', namespace: 'team-a', name: 'dev', parents: [{ namespace: 'vc-outer', name: 'outer' }] },
  side: 'host',
  kind: 'ConfigMap',
  namespace: 'vcluster-dev',
  name: 'kube-root-ca.crt-x-default-x-dev',
};

describe('webview object URIs', () => {
  it('encodes a readable path and round-trips every part, also for nested vclusters and odd context names', () => {
    const parts = encodeObjectUri(nested);
    assert.equal(parts.scheme, OBJECT_SCHEME);
    assert.equal(parts.path, '/host/vcluster-dev/ConfigMap/kube-root-ca.crt-x-default-x-dev.yaml');
    assert.deepEqual(decodeObjectUri(parts), nested);
    const flat: ObjectAddress = {
      ref: { context: 'ctx&a=b?#%', namespace: 'n', name: 'v' },
      side: 'virtual',
      kind: 'Pod',
      namespace: 'default',
      name: 'web-0',
    };
    assert.deepEqual(decodeObjectUri(encodeObjectUri(flat)), flat);
  });

  it('survives the query being carried as a URL (percent-encoded once more and decoded again)', () => {
    const parts = encodeObjectUri(nested);
    const url = new URL(`${parts.scheme}:${parts.path}?${parts.query}`);
    assert.deepEqual(decodeObjectUri({ scheme: url.protocol.slice(0, -1), path: decodeURIComponent(url.pathname), query: url.search.slice(1) }), nested);
  });

  it('keeps the parents in order', () => {
    const two: ObjectAddress = {
      ...nested,
      ref: {
        ...nested.ref,
        parents: [
          { namespace: 'a', name: 'first' },
          { namespace: 'b', name: 'second' },
        ],
      },
    };
    assert.deepEqual(decodeObjectUri(encodeObjectUri(two))?.ref.parents, [
      { namespace: 'a', name: 'first' },
      { namespace: 'b', name: 'second' },
    ]);
  });

  it('refuses to encode names that are not Kubernetes names', () => {
    assert.throws(() => encodeObjectUri({ ...nested, name: '../etc/passwd' }), /name/);
    assert.throws(() => encodeObjectUri({ ...nested, namespace: 'a/b' }), /namespace/);
    assert.throws(() => encodeObjectUri({ ...nested, name: '' }), /name/);
  });

  const good = encodeObjectUri(nested);
  const badParts: [string, { scheme?: string; path: string; query: string }][] = [
    ['another scheme', { ...good, scheme: 'file' }],
    ['an unknown side', { ...good, path: good.path.replace('/host/', '/both/') }],
    ['an unknown kind', { ...good, path: good.path.replace('/ConfigMap/', '/Node/') }],
    ['a missing .yaml suffix', { ...good, path: good.path.replace(/\.yaml$/, '') }],
    ['extra path segments', { ...good, path: `/host/a/b${good.path}` }],
    ['a dot-dot name', { ...good, path: '/host/vcluster-dev/ConfigMap/...yaml' }],
    ['no vcluster', { ...good, query: 'context=c' }],
    ['no context', { ...good, query: 'vcluster=n%2Fv' }],
    ['a malformed parent', { ...good, query: `${good.query}&parent=nope` }],
  ];
  for (const [what, parts] of badParts) {
    it(`decodes ${what} to undefined`, () => {
      assert.equal(decodeObjectUri(parts), undefined);
    });
  }

  it('addresses each side of a row and nothing for a missing side', () => {
    const ref = { context: 'c', namespace: 'vc-ns', name: 'vc' };
    const row = {
      kind: 'Pod' as const,
      virtualNamespace: 'default',
      virtualName: 'web',
      hostNamespace: 'vc-ns',
      hostName: 'web-x-default-x-vc',
      state: 'synced' as const,
    };
    assert.deepEqual(addressForRow(ref, row, 'virtual'), { ref, side: 'virtual', kind: 'Pod', namespace: 'default', name: 'web' });
    assert.deepEqual(addressForRow(ref, row, 'host'), { ref, side: 'host', kind: 'Pod', namespace: 'vc-ns', name: 'web-x-default-x-vc' });
    assert.equal(addressForRow(ref, { kind: 'Pod', hostNamespace: 'vc-ns', hostName: 'x', state: 'host-only' }, 'virtual'), undefined);
  });
});

describe('webview object YAML: Secret data never shown', () => {
  const secretAddress: ObjectAddress = { ...nested, kind: 'Secret', name: 'db-x-default-x-dev' };
  const secretYaml = `apiVersion: v1
kind: Secret
metadata:
  name: db-x-default-x-dev
  namespace: vcluster-dev
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"data":{"password":"aHVudGVyMg=="}}'
    vcluster.loft.sh/object-name: db
  managedFields:
    - manager: syncer
type: Opaque
data:
  password: aHVudGVyMg==
  username: YWRtaW4=
stringData:
  token: plain-text-token
`;

  it('removes data, stringData and the last-applied copy, keeps metadata, and says so', () => {
    const out = prepareObjectYaml(secretAddress, secretYaml);
    assert.doesNotMatch(out, /aHVudGVyMg|YWRtaW4|plain-text-token|last-applied/);
    assert.match(out, /^# Secret vcluster-dev\/db-x-default-x-dev on the host of vcluster dev/);
    assert.match(out, /# data hidden: .*\(keys: password, token, username\)/);
    const obj = parse(out) as { metadata: Record<string, unknown> & { annotations: Record<string, string> }; type: string; data?: unknown };
    assert.equal(obj.type, 'Opaque');
    assert.equal(obj.data, undefined);
    assert.equal(obj.metadata.annotations['vcluster.loft.sh/object-name'], 'db');
    assert.equal(obj.metadata.managedFields, undefined);
  });

  it('handles Secrets and other objects without annotations, managedFields or metadata', () => {
    const bare = prepareObjectYaml(secretAddress, 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  password: aHVudGVyMg==\n');
    assert.doesNotMatch(bare, /aHVudGVyMg/);
    assert.match(bare, /# data hidden: .*\(keys: password\)/);
    assert.equal((parse(bare) as { metadata: { name: string } }).metadata.name, 's');
    const noMeta = prepareObjectYaml(secretAddress, 'kind: Secret\nstringData:\n  token: plain\n');
    assert.doesNotMatch(noMeta, /plain/);
    const cm = prepareObjectYaml({ ...nested }, 'kind: ConfigMap\ndata:\n  a: b\n');
    assert.equal((parse(cm) as { data: { a: string } }).data.a, 'b');
  });

  it('redacts the virtual service account token the syncer keeps in an annotation of a host pod', () => {
    // Recorded from the real syncer (vcluster v0.36.1) on a real node: the host pod of a virtual pod, shortened.
    const token =
      'eyJhbGciOiJSUzI1NiIsImtpZCI6IjQzSUZydi1OZm9jX0steXhhSE1MeDhFR200aDJrX0x2TlFmVm1pU2FuT3cifQ.eyJhdWQiOlsiaHR0cHM6Ly9rdWJlcm5ldGVzLmRlZmF1bHQuc3ZjIl19.DwDyycA1eeIOSU43zPQPpfClZHJGxyzZlxOAPFcSWsgsic9o8V_v5bBKsCzsnRI3iJbIYCWGigXGrIChwbJCDm94x8kQF8Cq';
    const podYaml = [
      'apiVersion: v1',
      'kind: Pod',
      'metadata:',
      '  name: web-worker-x-shop-x-apps',
      '  namespace: real-apps',
      '  annotations:',
      '    vcluster.loft.sh/object-name: web-worker',
      '    vcluster.loft.sh/service-account-name: default',
      `    vcluster.loft.sh/token-ktnvlzhy: ${token}`,
      `    example.com/copied: "bearer ${token}"`,
      'spec:',
      '  containers: [{name: worker, image: "localhost/library/busybox:1.35.0"}]',
      '',
    ].join('\n');
    const out = prepareObjectYaml({ ...nested, kind: 'Pod', name: 'web-worker-x-shop-x-apps' }, podYaml);
    assert.doesNotMatch(out, /eyJhbGci|DwDyycA1/);
    const a = (parse(out) as { metadata: { annotations: Record<string, string> } }).metadata.annotations;
    assert.equal(a['vcluster.loft.sh/token-ktnvlzhy'], '<redacted: a service account token>');
    assert.equal(a['vcluster.loft.sh/object-name'], 'web-worker');
    assert.equal(a['vcluster.loft.sh/service-account-name'], 'default');
  });

  it('treats a document whose kind is Secret as a Secret even when the address says otherwise', () => {
    const out = prepareObjectYaml({ ...secretAddress, kind: 'ConfigMap' }, secretYaml);
    assert.doesNotMatch(out, /aHVudGVyMg|plain-text-token/);
  });

  it('hides everything of a Secret that cannot be parsed', () => {
    const out = prepareObjectYaml(secretAddress, 'kind: Secret\ndata: {password: "aHVudGVyMg==\n  : [');
    assert.doesNotMatch(out, /aHVudGVyMg/);
    assert.match(out, /nothing of it is shown/);
    const out2 = prepareObjectYaml({ ...secretAddress, kind: 'Pod' }, 'kind: "Secret"\ndata: {a: b\n---\n: [');
    assert.doesNotMatch(out2, /data:/);
  });

  it('shows other kinds in full, minus managedFields', () => {
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  managedFields: [{manager: x}]\ndata:\n  key: value\n';
    const out = prepareObjectYaml({ ...nested, name: 'app' }, cm);
    const obj = parse(out) as { data: Record<string, string>; metadata: Record<string, unknown> };
    assert.equal(obj.data.key, 'value');
    assert.equal(obj.metadata.managedFields, undefined);
    assert.match(out, /^# ConfigMap vcluster-dev\/app on the host of vcluster dev \(team-a, gke_proj_europe-west1_main cluster\) \(read-only\)\n/);
  });
});
