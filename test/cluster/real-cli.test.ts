// The REAL vcluster CLI (v0.36.1, built from its Go module) and Helm against the harness, offline: create renders the
// real chart from --local-chart-dir, and what it renders is compared with what worlds.ts imitates, so a fixture that
// drifts from the chart fails here. list / pause / resume / delete run for real too: the statefulset controller of the
// harness creates and removes the pod; no node runs it on this host, so it stays Pending (vclusters that really run
// are in real-node-vcluster.test.ts).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { toolPath, vclusterChartDir, versions } from '../../scripts/lib/toolchain.mjs';
import type { HostCluster } from '../harness/cluster/controlPlane';
import { runProgram } from '../harness/cluster/processes';
import { waitFor, type KObject } from '../harness/cluster/rest';
import { buildWorld } from '../harness/worlds/worlds';
import { getHost, uniqueNamespace } from './setup';

const version = versions.vcluster.replace(/^v/, '');

interface ListEntry {
  Name: string;
  Namespace: string;
  Status: string;
  Version: string;
  Connected: boolean;
  Created: string;
  AgeSeconds: number;
}

describe('the real vcluster CLI and Helm against the harness', function () {
  this.timeout(180_000);
  let host: HostCluster;
  let home: string;
  let env: NodeJS.ProcessEnv;
  let chartDir: string;
  const name = 'real';
  let ns: string;
  let fixtureNs: string;
  const timings: Record<string, number> = {};

  async function cli(args: string[], timeoutMs = 120_000) {
    const t = Date.now();
    const r = await runProgram(toolPath('vcluster'), args, { cwd: home, env, timeoutMs });
    timings[args[0]!] = Date.now() - t;
    return r;
  }

  async function list(): Promise<ListEntry[]> {
    const r = await cli(['list', '--output', 'json']);
    return (JSON.parse(r.stdout) as ListEntry[] | null) ?? [];
  }

  const get = (p: string) => host.rest.get(p);

  before(async function () {
    host = await getHost();
    ns = uniqueNamespace('cli');
    fixtureNs = uniqueNamespace('cli-fixture');
    // HOME and the working directory in a temp dir: the CLI writes ~/.vcluster, and refuses to run in a directory
    // that contains something named "vcluster".
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-cli-'));
    const kubeconfig = path.join(home, 'kubeconfig');
    fs.writeFileSync(kubeconfig, host.kubeconfig, { mode: 0o600 });
    env = {
      PATH: [path.dirname(toolPath('helm')), process.env.PATH ?? ''].join(path.delimiter),
      HOME: home,
      KUBECONFIG: kubeconfig,
    };
    // The chart inside the Go module says `version: 0.0.1` (the release pipeline stamps the real one); a CLI built
    // with `go build` embeds no chart. Stamp the copy with the CLI's version, as the release does.
    const src = await vclusterChartDir();
    chartDir = path.join(home, 'charts', 'chart-' + version);
    fs.cpSync(src, chartDir, { recursive: true });
    fs.chmodSync(chartDir, 0o755);
    const chartYaml = path.join(chartDir, 'Chart.yaml');
    fs.chmodSync(chartYaml, 0o644);
    fs.writeFileSync(chartYaml, fs.readFileSync(chartYaml, 'utf8').replace(/^version: .*$/m, `version: ${version}`));
  });

  after(function () {
    if (process.env.VCE_HARNESS_VERBOSE === '1') process.stderr.write(`[real-cli] timings (ms): ${JSON.stringify(timings)}\n`);
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('creates a vcluster offline with `vcluster create --local-chart-dir` and Helm', async function () {
    const r = await cli(['create', name, '-n', ns, '--connect=false', '--add=false', '--local-chart-dir', chartDir]);
    assert.match(r.stdout + r.stderr, /Successfully created virtual cluster/);
    const sts = await get(`/apis/apps/v1/namespaces/${ns}/statefulsets/${name}`);
    assert.equal(sts.metadata.labels.release, name);
    const nsObj = await get(`/api/v1/namespaces/${ns}`);
    assert.equal(nsObj.metadata.annotations['vcluster.loft.sh/created'], 'true');
  });

  it('lists it Pending: the statefulset controller made its pod, and no node runs it on this host', async function () {
    await waitFor<KObject>('pod real-0', () => host.rest.getOrUndefined(`/api/v1/namespaces/${ns}/pods/${name}-0`), 30_000);
    const entry = (await list()).find((e) => e.Name === name && e.Namespace === ns);
    assert.deepEqual({ status: entry?.Status, version: entry?.Version, connected: entry?.Connected }, { status: 'Pending', version, connected: false });
  });

  it('renders exactly the layout worlds.ts imitates (workload, services, secrets, service accounts, Helm release)', async function () {
    const world = await buildWorld(host, [{ name, namespace: fixtureNs, access: 'none' }]);
    assert.equal(world.vclusters.length, 1);
    const pair = async (p: (n: string) => string): Promise<[KObject, KObject]> => [await get(p(ns)), await get(p(fixtureNs))];

    const [realSts, fakeSts] = await pair((n) => `/apis/apps/v1/namespaces/${n}/statefulsets/${name}`);
    assert.deepEqual(fakeSts.metadata.labels, realSts.metadata.labels, 'StatefulSet labels');
    assert.deepEqual(fakeSts.metadata.annotations, { ...realSts.metadata.annotations, 'meta.helm.sh/release-namespace': fixtureNs });
    const shape = (s: KObject) => ({
      selector: s.spec.selector,
      serviceName: s.spec.serviceName,
      podManagementPolicy: s.spec.podManagementPolicy,
      replicas: s.spec.replicas,
      claims: s.spec.volumeClaimTemplates.map((c: KObject) => [c.metadata.name, c.spec.accessModes, c.spec.resources]),
      templateLabels: s.spec.template.metadata.labels,
      serviceAccountName: s.spec.template.spec.serviceAccountName,
      containers: s.spec.template.spec.containers.map((c: KObject) => [c.name, c.image]),
      initContainers: s.spec.template.spec.initContainers.map((c: KObject) => [c.name, c.image]),
      volumes: s.spec.template.spec.volumes
        .map((v: KObject) => v.name)
        .filter((n: string) => n !== 'helm-cache' && n !== 'tmp')
        .sort(),
    });
    assert.deepEqual(shape(fakeSts), shape(realSts));

    for (const svc of [name, `${name}-headless`]) {
      const [real, fake] = await pair((n) => `/api/v1/namespaces/${n}/services/${svc}`);
      assert.deepEqual(fake.metadata.labels, real.metadata.labels, `Service ${svc} labels`);
      const s = (o: KObject) => ({
        type: o.spec.type,
        headless: o.spec.clusterIP === 'None',
        selector: o.spec.selector,
        publishNotReadyAddresses: o.spec.publishNotReadyAddresses ?? false,
        ports: o.spec.ports.map((p: KObject) => [p.name, p.port, p.targetPort, p.protocol]),
      });
      assert.deepEqual(s(fake), s(real), `Service ${svc}`);
    }

    const [realCfg, fakeCfg] = await pair((n) => `/api/v1/namespaces/${n}/secrets/vc-config-${name}`);
    assert.deepEqual(fakeCfg.metadata.labels, realCfg.metadata.labels, 'vc-config labels');
    assert.deepEqual(Object.keys(fakeCfg.data), Object.keys(realCfg.data));
    assert.equal(fakeCfg.type, realCfg.type);

    for (const sa of [`vc-${name}`, `vc-workload-${name}`]) {
      const [real, fake] = await pair((n) => `/api/v1/namespaces/${n}/serviceaccounts/${sa}`);
      assert.deepEqual(fake.metadata.labels, real.metadata.labels, `ServiceAccount ${sa}`);
    }
    const [realRole, fakeRole] = await pair((n) => `/apis/rbac.authorization.k8s.io/v1/namespaces/${n}/roles/vc-${name}`);
    assert.deepEqual(fakeRole.metadata.labels, realRole.metadata.labels);

    const [realRel, fakeRel] = await pair((n) => `/api/v1/namespaces/${n}/secrets/sh.helm.release.v1.${name}.v1`);
    assert.equal(fakeRel.type, realRel.type);
    const labelsWithoutTime = (o: KObject) => ({ ...o.metadata.labels, modifiedAt: typeof o.metadata.labels.modifiedAt });
    assert.deepEqual(labelsWithoutTime(fakeRel), labelsWithoutTime(realRel));
    const decode = (o: KObject) => JSON.parse(gunzipSync(Buffer.from(Buffer.from(o.data.release, 'base64').toString('utf8'), 'base64')).toString('utf8'));
    const [real, fake] = [decode(realRel), decode(fakeRel)];
    for (const f of ['name', 'version', 'namespace'] as const) assert.equal(fake[f] === fixtureNs ? ns : fake[f], real[f], f);
    assert.deepEqual(
      [fake.chart.metadata.name, fake.chart.metadata.version, fake.info.status],
      [real.chart.metadata.name, real.chart.metadata.version, real.info.status],
    );

    // The pods agree too (the fixture's pod comes from the same real statefulset controller; what a kubelet reports
    // about a real one is compared in real-node-vcluster.test.ts).
    const [realPod, fakePod] = await pair((n) => `/api/v1/namespaces/${n}/pods/${name}-0`);
    const podShape = (p: KObject) => ({
      labels: Object.keys(p.metadata.labels).sort(),
      owner: p.metadata.ownerReferences.map((o: KObject) => o.kind),
      containers: p.spec.containers.map((c: KObject) => c.name),
    });
    assert.deepEqual(podShape(fakePod), podShape(realPod));
  });

  it('pauses and resumes it for real (vcluster pause / resume), as worlds.ts lays out a paused vcluster', async function () {
    const r = await cli(['pause', name, '-n', ns]);
    assert.match(r.stdout + r.stderr, /Successfully paused/);
    const sts = await get(`/apis/apps/v1/namespaces/${ns}/statefulsets/${name}`);
    assert.equal(sts.spec.replicas, 0);
    assert.equal(sts.metadata.annotations['loft.sh/paused'], 'true');
    assert.equal(sts.metadata.annotations['loft.sh/paused-replicas'], '1');
    assert.match(sts.metadata.annotations['loft.sh/paused-date'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    await waitFor(
      'the statefulset controller to remove the pod',
      async () => (await host.rest.getOrUndefined(`/api/v1/namespaces/${ns}/pods/${name}-0`)) === undefined,
      30_000,
    );
    assert.equal((await list()).find((e) => e.Name === name && e.Namespace === ns)?.Status, 'Paused');

    // The fixture's paused layout carries the same annotation keys and replicas.
    const pausedNs = uniqueNamespace('cli-paused');
    await buildWorld(host, [{ name, namespace: pausedNs, state: 'Paused' }]);
    const fake = await get(`/apis/apps/v1/namespaces/${pausedNs}/statefulsets/${name}`);
    assert.deepEqual(Object.keys(fake.metadata.annotations).sort(), Object.keys(sts.metadata.annotations).sort());
    assert.equal(fake.spec.replicas, sts.spec.replicas);

    const r2 = await cli(['resume', name, '-n', ns]);
    assert.match(r2.stdout + r2.stderr, /Successfully resumed/);
    const resumed = await get(`/apis/apps/v1/namespaces/${ns}/statefulsets/${name}`);
    assert.equal(resumed.spec.replicas, 1);
    assert.equal(resumed.metadata.annotations['loft.sh/paused'], undefined);
    await waitFor('the statefulset controller to recreate the pod', () => host.rest.getOrUndefined(`/api/v1/namespaces/${ns}/pods/${name}-0`), 30_000);
    assert.equal((await list()).find((e) => e.Name === name && e.Namespace === ns)?.Status, 'Pending');
  });

  it('deletes it for real (helm uninstall, and the namespace the CLI created)', async function () {
    const r = await cli(['delete', name, '-n', ns]);
    assert.match(r.stdout + r.stderr, /Successfully deleted virtual cluster/);
    assert.equal(await host.rest.getOrUndefined(`/apis/apps/v1/namespaces/${ns}/statefulsets/${name}`), undefined);
    await waitFor(
      'the namespace controller to remove the namespace',
      async () => (await host.rest.getOrUndefined(`/api/v1/namespaces/${ns}`)) === undefined,
      90_000,
      500,
    );
    assert.equal(
      (await list()).find((e) => e.Name === name && e.Namespace === ns),
      undefined,
    );
  });
});
