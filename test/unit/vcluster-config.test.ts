// vcluster.yaml validation against the schema the extension bundles (the chart's values.schema.json of the pinned
// vcluster module), positions of every problem, warnings for old keys (from vcluster's own conversion code, see
// tools/vcluster/configmigrations), the Helm release reader and the display masking.
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { decodeReleaseData, maskCredentials, toHelmRelease, valuesYaml } from '../../src/vcluster/config/helmRelease';
import { BUNDLED_CHART_VERSION, KeyMoves, buildMoves, describeTarget, pairAdvisorExample } from '../../src/vcluster/config/migrations';
import { deprecationAt, isVClusterYamlName, loadBundledSchema, schemaAt, schemaForVersion } from '../../src/vcluster/config/schema';
import { VClusterConfigValidator, hasErrors, type ConfigProblem } from '../../src/vcluster/config/validate';
import { decodeConfigUri, encodeConfigUri } from '../../src/documents/configUri';

const root = path.resolve(__dirname, '..', '..');
const schema = loadBundledSchema(root);
let validator: VClusterConfigValidator;

/** The problem at a 1-based line, for readable assertions. */
function at(problems: readonly ConfigProblem[], line: number): ConfigProblem[] {
  return problems.filter((p) => p.start.line === line - 1);
}

describe('vcluster.yaml: the bundled schema', () => {
  it('is the draft 2020-12 schema of vcluster, with the top-level keys of the version it says', () => {
    assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
    assert.match(BUNDLED_CHART_VERSION, /^\d+\.\d+\.\d+$/);
    const props = Object.keys((schema as { properties: Record<string, unknown> }).properties);
    for (const k of ['controlPlane', 'sync', 'networking', 'policies', 'exportKubeConfig', 'sleep']) assert.ok(props.includes(k), k);
  });

  it('resolves key paths through $refs and reads deprecations with the key to use instead', () => {
    assert.equal(schemaAt(schema, ['controlPlane', 'distro', 'k8s', 'enabled'])?.type, 'boolean');
    assert.equal(schemaAt(schema, ['controlPlane', 'nope']), undefined);
    const dep = deprecationAt(schema, ['controlPlane', 'advanced', 'virtualScheduler']);
    assert.deepEqual(dep?.replacement, ['controlPlane', 'distro', 'k8s', 'scheduler']);
    assert.equal(dep?.rejected, false);
    assert.deepEqual(deprecationAt(schema, ['exportKubeConfig', 'secret'])?.replacement, ['exportKubeConfig', 'additionalSecrets'], 'a sibling named in Go');
    assert.equal(deprecationAt(schema, ['rbac', 'enableVolumeSnapshotRules'])?.rejected, true);
    assert.equal(deprecationAt(schema, ['controlPlane', 'distro']), undefined);
  });

  it("picks the bundled schema for every version, never the one stored in the deployed chart's release", () => {
    const bundled = () => schema;
    assert.deepEqual(schemaForVersion(bundled, BUNDLED_CHART_VERSION), { schema });
    assert.deepEqual(schemaForVersion(bundled, undefined), { schema });
    const other = schemaForVersion(bundled, 'v0.30.0');
    assert.equal(other.schema, schema);
    assert.equal(other.note, `vcluster Explorer bundles the schema of ${BUNDLED_CHART_VERSION}, so the values were checked against that, not 0.30.0's`);
  });

  it('applies to vcluster.yaml, vcluster.yml and NAME.vcluster.yaml only', () => {
    for (const f of ['vcluster.yaml', '/a/b/vcluster.yml', 'dev.vcluster.yaml', 'C:\\x\\prod.vcluster.yml', 'VCLUSTER.YAML'])
      assert.ok(isVClusterYamlName(f), f);
    for (const f of ['values.yaml', 'myvcluster.yaml', 'vcluster.yaml.bak', 'vcluster.json', '/vcluster.yaml/x.yaml']) assert.ok(!isVClusterYamlName(f), f);
  });
});

describe('vcluster.yaml: validation with positions', function () {
  // The first compile of vcluster's schema takes a few seconds on a busy machine.
  this.timeout(60_000);
  before(() => {
    validator = new VClusterConfigValidator(schema);
  });

  it('accepts a valid file, an empty file and nulls (Helm drops nulls before validating)', () => {
    const ok = validator.validate(
      'controlPlane:\n  distro:\n    k8s:\n      enabled: true\nsync:\n  toHost:\n    ingresses:\n      enabled: true\n  fromHost:\n    nodes:\n      enabled: null\n',
    );
    assert.deepEqual(ok.problems, []);
    assert.deepEqual(validator.validate('').problems, []);
    assert.deepEqual(validator.validate('# only a comment\n').problems, []);
  });

  it('marks an unknown key at the key, a wrong type at the value, on the right line and column', () => {
    const text = [
      'controlPlane:', //           1
      '  distro:', //                2
      '    k3s:', //                 3  removed in 0.33: unknown now
      '      enabled: true',
      'sync:', //                    5
      '  toHost:',
      '    pods:',
      '      enabled: "yes"', //     8  must be boolean
      '',
    ].join('\n');
    const { problems } = validator.validate(text);
    const k3s = at(problems, 3).find((p) => p.kind === 'schema');
    assert.ok(k3s, JSON.stringify(problems));
    assert.deepEqual(
      [k3s.start, k3s.end],
      [
        { line: 2, character: 4 },
        { line: 2, character: 7 },
      ],
    );
    assert.match(k3s.message, /"k3s" is not allowed in controlPlane\.distro/);
    const enabled = at(problems, 8)[0];
    assert.ok(enabled);
    assert.deepEqual(
      [enabled.start, enabled.end],
      [
        { line: 7, character: 15 },
        { line: 7, character: 20 },
      ],
      'the value "yes"',
    );
    assert.match(enabled.message, /sync\.toHost\.pods\.enabled: must be boolean, not a string/);
    assert.ok(hasErrors(problems));
  });

  it('names the allowed types of a union once instead of one error per branch', () => {
    const { problems } = validator.validate('rbac:\n  clusterRole:\n    enabled: 3\n');
    assert.equal(problems.length, 1, JSON.stringify(problems));
    assert.match(problems[0]!.message, /rbac\.clusterRole\.enabled: must be (string or boolean|boolean or string), not a number/);
    assert.equal(problems[0]!.start.line, 2);
  });

  it('reports YAML syntax errors and a document that is not a map', () => {
    const bad = validator.validate('controlPlane:\n  distro: [k8s\n');
    assert.equal(bad.problems[0]?.kind, 'yaml');
    assert.equal(bad.values, undefined);
    const dup = validator.validate('sync: {}\nsync: {}\n');
    assert.equal(dup.problems[0]?.kind, 'yaml', 'duplicate keys');
    assert.equal(dup.problems[0]?.start.line, 1);
    const list = validator.validate('- a\n- b\n');
    assert.match(list.problems[0]!.message, /map of keys/);
  });

  it('warns about keys the schema deprecates, naming the key to use; a key the chart rejects is an error', () => {
    const { problems } = validator.validate(
      'controlPlane:\n  advanced:\n    virtualScheduler:\n      enabled: true\nrbac:\n  enableVolumeSnapshotRules:\n    enabled: true\n',
    );
    const vs = at(problems, 3)[0]!;
    assert.equal(vs.severity, 'warning');
    assert.equal(vs.kind, 'deprecated');
    assert.match(vs.message, /use "controlPlane\.distro\.k8s\.scheduler" instead/);
    assert.deepEqual(vs.start, { line: 2, character: 4 });
    const snap = at(problems, 6)[0]!;
    assert.equal(snap.severity, 'error');
    assert.match(snap.message, /Removed in 0\.36\.0/);
  });
});

describe("vcluster.yaml: keys of older versions (derived from vcluster's conversion code)", function () {
  this.timeout(60_000);
  before(() => {
    validator ??= new VClusterConfigValidator(schema);
  });

  it("has a move for every leaf of the 0.19 values and pairs the 0.32 advisors' examples", () => {
    const moves = buildMoves();
    assert.ok(moves.filter((m) => m.since === '0.20').length > 100, 'legacy leaves');
    const k = new KeyMoves(moves);
    // Spot checks against vcluster's own code (config/legacyconfig/migrate.go and config/warnings.go, v0.36.1).
    assert.deepEqual(k.find(['sync', 'nodes', 'enabled'])?.to, ['sync.fromHost.nodes.enabled']);
    assert.equal(describeTarget('sync.ingresses.enabled', k.find(['sync', 'ingresses', 'enabled'])!.to), 'sync.toHost.ingresses.enabled');
    assert.equal(describeTarget('etcd.image', k.find(['etcd', 'image'])!.to), 'controlPlane.backingStore.etcd.deploy.statefulSet.image');
    assert.deepEqual(k.find(['external', 'platform', 'autoSleep', 'afterInactivity'])?.to, ['sleep.auto.afterInactivity']);
    assert.deepEqual(k.find(['external', 'platform', 'autoSleep'])?.to, ['sleep.auto']);
    assert.deepEqual(k.find(['sleepMode', 'autoSleep', 'afterInactivity'])?.to, ['sleep.auto.afterInactivity']);
    assert.deepEqual(k.find(['sleepMode', 'enabled'])?.to, [], '"enabled" has been removed');
    assert.deepEqual(k.find(['external', 'platform', 'autoSnapshot', 'enabled'])?.to, [], 'removed, not paired with volumes.enabled');
    assert.deepEqual(k.find(['external', 'platform', 'autoSnapshot', 'volumes', 'enabled'])?.to, ['snapshots.auto.volumes.enabled']);
    assert.deepEqual(k.find(['external', 'platform', 'apiKey', 'secretName'])?.to, ['platform.apiKey.secretName']);
  });

  it('pairs an example by key suffix first and equal values second', () => {
    const moves = pairAdvisorExample('a:\n  b:\n    x: 1\n    w:\n      s: 2\n    s: 1\n    gone: true\n', 'c:\n  s: 1\n  x: 9\n  wake:\n    s: 2\n', '9.9');
    const by = new Map(moves.map((m) => [m.from, m.to]));
    assert.deepEqual(by.get('a.b.x'), ['c.x']);
    assert.deepEqual(by.get('a.b.s'), ['c.s'], 'equal value wins the tie');
    assert.deepEqual(by.get('a.b.w.s'), ['c.wake.s']);
    assert.deepEqual(by.get('a.b'), ['c']);
    assert.deepEqual(by.get('a.b.gone'), []);
  });

  it('warns at an old key with the new one, and only where the key is not valid any more', () => {
    const text = [
      'api:', //                      1
      '  extraArgs:', //              2  0.19 → controlPlane.distro.k8s.apiServer.extraArgs
      '    - --foo',
      'sync:',
      '  nodes:', //                  5  0.19 → sync.fromHost.nodes
      '    enabled: true', //         6
      'sleepMode:', //                7
      '  enabled: true', //           8  removed in 0.32
      '  autoSleep:',
      '    afterInactivity: 1h', //  10  → sleep.auto.afterInactivity
      'sleep:',
      '  auto:',
      '    afterInactivity: 2h', //  13  valid now: no warning
      '',
    ].join('\n');
    const { problems } = validator.validate(text);
    const moved = problems.filter((p) => p.kind === 'moved');
    const lines = (l: number) => at(moved, l).map((p) => p.message);
    assert.deepEqual(lines(2), ['"api.extraArgs" is the form of vcluster before 0.20: use "controlPlane.distro.k8s.apiServer.extraArgs" instead']);
    assert.deepEqual(lines(6), ['"sync.nodes.enabled" is the form of vcluster before 0.20: use "sync.fromHost.nodes.enabled" instead']);
    assert.deepEqual(lines(8), ['"sleepMode.enabled" was removed in vcluster 0.32: it has no replacement']);
    assert.deepEqual(lines(10), ['"sleepMode.autoSleep.afterInactivity" is the form of vcluster before 0.32: use "sleep.auto.afterInactivity" instead']);
    assert.deepEqual(lines(13), []);
    assert.equal(at(moved, 6)[0]!.severity, 'warning');
    assert.deepEqual(at(moved, 6)[0]!.start, { line: 5, character: 4 });
    // The schema errors stay: Helm would reject the file.
    assert.ok(problems.some((p) => p.kind === 'schema' && p.path === 'api'));
    const refused = validator.validate('syncer:\n  volumeMounts:\n    - name: x\n').problems.filter((p) => p.kind === 'moved');
    assert.match(refused[0]!.message, /^"syncer\.volumeMounts" is not supported since vcluster 0\.20: syncer\.volumeMounts is not allowed anymore/);
  });
});

describe('Helm release reader and display', () => {
  const release = {
    name: 'vc',
    namespace: 'ns',
    version: 3,
    info: { status: 'deployed', description: 'Upgrade complete', first_deployed: '2026-01-01T00:00:00Z', last_deployed: '2026-02-01T00:00:00Z' },
    chart: {
      metadata: { name: 'vcluster', version: '0.36.1', appVersion: '0.36.1' },
      schema: Buffer.from(JSON.stringify({ type: 'object' })).toString('base64'),
      templates: [{ name: 'x', data: 'c2VjcmV0' }],
    },
    config: { sync: { toHost: { ingresses: { enabled: true } } } },
    manifest: 'kind: Secret\ndata: {password: c2VjcmV0}\n',
  };
  // What the API returns in data.release: base64 (the Secret) of base64 (Helm) of gzip of JSON.
  const data = Buffer.from(gzipSync(Buffer.from(JSON.stringify(release))).toString('base64')).toString('base64');
  const secret = {
    metadata: { name: 'sh.helm.release.v1.vc.v3', namespace: 'ns', labels: { owner: 'helm', name: 'vc', status: 'deployed', version: '3' } },
    data: { release: data },
  };

  it("decodes base64(base64(gzip(JSON))) and keeps only the shown fields (never the manifest, templates or the chart's schema)", () => {
    const r = toHelmRelease(decodeReleaseData(data), secret);
    assert.deepEqual(r, {
      name: 'vc',
      namespace: 'ns',
      revision: 3,
      status: 'deployed',
      description: 'Upgrade complete',
      firstDeployed: '2026-01-01T00:00:00Z',
      lastDeployed: '2026-02-01T00:00:00Z',
      chartName: 'vcluster',
      chartVersion: '0.36.1',
      appVersion: '0.36.1',
      config: { sync: { toHost: { ingresses: { enabled: true } } } },
    });
    assert.ok(!('schema' in r), "the chart's schema is cluster data and never kept");
    assert.ok(!JSON.stringify(r).includes('c2VjcmV0'));
  });

  it('rejects data that is not a release', () => {
    assert.throws(() => decodeReleaseData(Buffer.from(Buffer.from('[1]').toString('base64')).toString('base64')), /not a JSON object/);
    assert.throws(() => decodeReleaseData('bm90IGpzb24='));
  });

  it('prints values as YAML ({} when none) and hides credentials in them', () => {
    assert.equal(valuesYaml({}), '{}\n');
    const masked = maskCredentials({
      controlPlane: { backingStore: { database: { external: { dataSource: 'mysql://root:s3cret@db:3306/vc', connector: 'my-secret' } } } },
      integrations: { externalSecrets: { apiToken: 'abc', password: 'pw', secretName: 'keep-me' } },
      list: [{ accessKey: 'AKIA' }],
    });
    const text = JSON.stringify(masked);
    for (const s of ['s3cret', '"abc"', '"pw"', 'AKIA']) assert.ok(!text.includes(s), s);
    assert.ok(text.includes('mysql://root:<hidden>@db:3306/vc'));
    assert.ok(text.includes('keep-me') && text.includes('my-secret'), 'names of secrets are not credentials');
  });

  it('addresses deployed configurations with vcluster-config: URIs that round-trip and reject anything else', () => {
    const a = { ref: { context: 'kind-a b', namespace: 'team-a', name: 'dev', parents: [{ namespace: 'outer', name: 'o' }] }, kind: 'values' as const };
    const parts = encodeConfigUri(a);
    assert.equal(parts.path, '/values/team-a/dev.vcluster.yaml');
    assert.deepEqual(decodeConfigUri(parts), a);
    assert.equal(decodeConfigUri({ ...parts, path: '/values/team-a/other.vcluster.yaml' }), undefined, 'path and query disagree');
    assert.equal(decodeConfigUri({ ...parts, path: '/secrets/team-a/dev.vcluster.yaml' }), undefined);
    assert.equal(decodeConfigUri({ ...parts, scheme: 'file' }), undefined);
    assert.throws(() => encodeConfigUri({ ref: { context: 'c', namespace: '../x', name: 'dev' }, kind: 'values' }));
  });
});
