// vcluster.upgrade's domain against the harness with the REAL vcluster CLI and Helm (offline, through
// --local-chart-dir as in real-cli.test.ts): a values change and a version change, each checked in the Helm release;
// a rejected upgrade reports the CLI's reason and the release's state. Also: the Helm release reader against what
// `vcluster describe --config-only` prints, describe against `vcluster describe --output json`, and the bundled
// schema / old-key data against the pinned vcluster module. And release Secrets a tenant wrote next to Helm's: which
// revision is chosen (with real Helm as the oracle: `helm upgrade --reuse-values` and `helm get values`), Secrets that
// are not what they claim, a gzip bomb.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { parse as parseYaml } from 'yaml';
import { repoRoot, toolPath, vclusterChartDir, versions } from '../../scripts/lib/toolchain.mjs';
import type { HostCluster } from '../harness/cluster/controlPlane';
import { runProgram } from '../harness/cluster/processes';
import { waitFor, type KObject } from '../harness/cluster/rest';
import { podStatusFor } from '../harness/worlds/worlds';
import { KubeClient } from '../../src/kube/client';
import { decodeReleaseData, readDeployedRelease, readHelmRelease, valuesYaml } from '../../src/vcluster/config/helmRelease';
import { loadBundledSchema } from '../../src/vcluster/config/schema';
import { VClusterConfigValidator } from '../../src/vcluster/config/validate';
import { fetchDetails } from '../../src/vcluster/describeRead';
import { describeOutcome, planUpgrade, runUpgrade, upgradeArgs } from '../../src/vcluster/upgrade';
import { stampChart } from '../support/charts';
import { getHost, uniqueNamespace } from './setup';

const current = versions.vcluster.replace(/^v/, '');
/** The version the test vcluster starts at: the same chart stamped one patch lower (the CLI embeds no chart). */
const older = current.replace(/\.(\d+)$/, (_, p: string) => `.${Math.max(0, Number(p) - 1)}`);

describe('upgrade with the real vcluster CLI and Helm', function () {
  this.timeout(240_000);
  let host: HostCluster;
  let home: string;
  let env: NodeJS.ProcessEnv;
  let client: KubeClient;
  const charts: Record<string, string> = {};
  const name = 'up';
  let ns: string;

  async function cli(args: string[]) {
    return runProgram(toolPath('vcluster'), args, { cwd: home, env, timeoutMs: 180_000 });
  }

  function valuesFile(text: string): string {
    const f = path.join(home, `values-${Math.random().toString(36).slice(2)}.vcluster.yaml`);
    fs.writeFileSync(f, text);
    return f;
  }

  async function upgrade(values: string, version: string) {
    const args = upgradeArgs({
      name,
      namespace: ns,
      context: host.contextName,
      valuesFile: values,
      chartVersion: version,
      extraArgs: ['--local-chart-dir', charts[version]!, '--add=false'],
    });
    return runUpgrade({ cli: toolPath('vcluster'), args, env, cwd: home, cluster: client, namespace: ns, name });
  }

  before(async function () {
    host = await getHost();
    ns = uniqueNamespace('upgrade');
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-upgrade-'));
    const kubeconfig = path.join(home, 'kubeconfig');
    fs.writeFileSync(kubeconfig, host.kubeconfig, { mode: 0o600 });
    env = { PATH: [path.dirname(toolPath('helm')), process.env.PATH ?? ''].join(path.delimiter), HOME: home, KUBECONFIG: kubeconfig };
    const src = await vclusterChartDir();
    charts[older] = stampChart(src, path.join(home, 'charts'), older);
    charts[current] = stampChart(src, path.join(home, 'charts'), current);
    const doc = parseYaml(host.kubeconfig) as {
      clusters: { name: string; cluster: Record<string, unknown> }[];
      users: { name: string; user: Record<string, unknown> }[];
    };
    client = new KubeClient({
      contextName: host.contextName,
      clusterName: doc.clusters[0]!.name,
      cluster: doc.clusters[0]!.cluster,
      userName: doc.users[0]!.name,
      user: doc.users[0]!.user,
    });
    const r = await cli([
      'create',
      name,
      '-n',
      ns,
      '--connect=false',
      '--add=false',
      '--local-chart-dir',
      charts[older]!,
      '--values',
      valuesFile('sync:\n  toHost:\n    ingresses:\n      enabled: false\n'),
    ]);
    assert.match(r.stdout + r.stderr, /Successfully created virtual cluster/);
  });

  after(function () {
    client?.dispose();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('reads the release as `vcluster describe --config-only` prints it', async () => {
    const release = await readHelmRelease(client, ns, name);
    assert.ok(release);
    assert.deepEqual([release.revision, release.status, release.chartName, release.chartVersion], [1, 'deployed', 'vcluster', older]);
    const r = await cli(['describe', name, '-n', ns, '--config-only']);
    assert.deepEqual(parseYaml(valuesYaml(release.config)), parseYaml(r.stdout), 'same user-supplied values as the CLI');
    assert.equal((release.config as { sync: { toHost: { ingresses: { enabled: boolean } } } }).sync.toHost.ingresses.enabled, false);
    assert.ok(!('schema' in release), "the chart's schema stored in the release is cluster data and never kept");
    assert.deepEqual([release.secretName, release.concerns, release.alsoDeployed], [`sh.helm.release.v1.${name}.v1`, [], []]);
    assert.deepEqual(await readDeployedRelease(client, ns, name), release, 'one revision: the newest is the deployed one');
    assert.equal(await readHelmRelease(client, ns, 'not-installed-by-helm'), undefined, 'no release: undefined (the metadata list has "items": null)');
  });

  it('applies a changed vcluster.yaml: a new revision, deployed, with the new values', async () => {
    const file = valuesFile('sync:\n  toHost:\n    ingresses:\n      enabled: true\n');
    assert.deepEqual(new VClusterConfigValidator(loadBundledSchema(repoRoot)).validate(fs.readFileSync(file, 'utf8')).problems, []);
    const outcome = await upgrade(file, older);
    const { ok, message } = describeOutcome(name, outcome);
    assert.ok(ok, `${message}\n${outcome.result.stdout}${outcome.result.stderr}`);
    assert.match(outcome.result.stdout + outcome.result.stderr, /Successfully upgraded virtual cluster/);
    assert.deepEqual([outcome.before?.revision, outcome.after?.revision, outcome.after?.status], [1, 2, 'deployed']);
    const release = await readHelmRelease(client, ns, name);
    assert.equal((release!.config as { sync: { toHost: { ingresses: { enabled: boolean } } } }).sync.toHost.ingresses.enabled, true);
    assert.equal(release!.chartVersion, older, 'same chart version');
    const cfg = await host.rest.get(`/api/v1/namespaces/${ns}/secrets/vc-config-${name}`);
    assert.match(Buffer.from(cfg.data['config.yaml'], 'base64').toString('utf8'), /ingresses:\n\s+enabled: true/, 'the chart rendered the new values');
  });

  it('changes the version: the release and the workload carry the new chart version', async () => {
    const keep = valuesFile(valuesYaml((await readHelmRelease(client, ns, name))!.config));
    const outcome = await upgrade(keep, current);
    const { ok, message } = describeOutcome(name, outcome);
    assert.ok(ok, `${message}\n${outcome.result.stdout}${outcome.result.stderr}`);
    assert.deepEqual([outcome.after?.revision, outcome.after?.status], [3, 'deployed']);
    const release = await readHelmRelease(client, ns, name);
    assert.equal(release!.chartVersion, current);
    assert.equal((release!.config as { sync: { toHost: { ingresses: { enabled: boolean } } } }).sync.toHost.ingresses.enabled, true, 'values kept');
    const sts = await host.rest.get(`/apis/apps/v1/namespaces/${ns}/statefulsets/${name}`);
    assert.equal(sts.metadata.labels.chart, `vcluster-${current}`);
    assert.ok(
      sts.spec.template.spec.containers.some((c: KObject) => c.image.endsWith(`:${current}`)),
      'syncer image of the new version',
    );
  });

  it("a values file the CLI rejects: the CLI's reason and the release left as it was, never a success", async () => {
    const outcome = await upgrade(valuesFile('sync:\n  toHost:\n    pods:\n      enabled: "yes"\n'), current);
    const { ok, message } = describeOutcome(name, outcome);
    assert.equal(ok, false);
    assert.notEqual(outcome.result.code, 0);
    assert.match(message, /vcluster create --upgrade failed for up \(exit code \d+\): .+\. Afterwards Helm release revision 3 is deployed \(unchanged\)\./);
  });

  describe('a release history with Secrets Helm did not write (whoever can write Secrets in the namespace can add one)', () => {
    const forgedName = `sh.helm.release.v1.${name}.v99`;
    const hostManifests =
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: tenant-admin\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cluster-admin\nsubjects:\n- kind: ServiceAccount\n  name: default\n  namespace: tenant\n';
    const forgedValues = { experimental: { deploy: { host: { manifests: hostManifests } } } };

    /** The revision Helm left deployed (3 after the tests above; 1 when only this block runs). */
    let deployedRev: number;
    before(async () => {
      const l = await host.rest.get(`/api/v1/namespaces/${ns}/secrets?labelSelector=${encodeURIComponent(`owner=helm,name=${name},status=deployed`)}`);
      assert.equal(l.items.length, 1, 'Helm left one revision deployed');
      deployedRev = Number(l.items[0].metadata.labels.version);
    });

    /** Revision 99 written next to the real ones: the real deployed release copied, with other values and status. */
    async function forge(o: { status: string; type?: string; payload?: string }) {
      const real = await host.rest.get(`/api/v1/namespaces/${ns}/secrets/sh.helm.release.v1.${name}.v${deployedRev}`);
      const rel = decodeReleaseData(real.data.release) as Record<string, unknown> & { info: Record<string, unknown> };
      const forged = { ...rel, version: 99, config: forgedValues, info: { ...rel.info, status: o.status } };
      const data = o.payload ?? execHelmEncode(forged);
      await host.rest.create(`/api/v1/namespaces/${ns}/secrets`, {
        apiVersion: 'v1',
        kind: 'Secret',
        type: o.type ?? 'helm.sh/release.v1',
        metadata: { name: forgedName, labels: { owner: 'helm', name, status: o.status, version: '99' } },
        data: { release: Buffer.from(data).toString('base64') },
      });
    }
    /** Helm's encoding: base64 of gzip of JSON (pkg/storage/driver/util.go encodeRelease, v3.21.4). */
    function execHelmEncode(release: unknown): string {
      return gzipSync(Buffer.from(JSON.stringify(release))).toString('base64');
    }
    /** The values `helm upgrade --reuse-values` takes as current, from Helm itself (a client-side dry run). */
    async function helmReused(): Promise<unknown> {
      const r = await runProgram(
        toolPath('helm'),
        ['upgrade', name, charts[current]!, '-n', ns, '--kube-context', host.contextName, '--reuse-values', '--dry-run=client', '-o', 'json'],
        { cwd: home, env, timeoutMs: 120_000 },
      );
      return (JSON.parse(r.stdout) as { config: unknown }).config;
    }
    async function helmGetValues(): Promise<unknown> {
      const r = await runProgram(toolPath('helm'), ['get', 'values', name, '-n', ns, '--kube-context', host.contextName, '-o', 'json'], {
        cwd: home,
        env,
        timeoutMs: 60_000,
      });
      return JSON.parse(r.stdout);
    }
    const plan = async () => {
      const release = await readDeployedRelease(client, ns, name);
      assert.ok(release);
      return {
        release,
        plan: planUpgrade({ name, namespace: ns, release, targetVersion: current, values: { from: 'deployed' }, schema: loadBundledSchema(repoRoot) }),
      };
    };

    afterEach(async () => host.rest.delete(`/api/v1/namespaces/${ns}/secrets/${forgedName}`));

    it('a newer revision that is not deployed (failed): the deployed revision is kept, as helm upgrade takes it', async () => {
      await forge({ status: 'failed' });
      const { release, plan: p } = await plan();
      assert.deepEqual([release.revision, release.status, release.concerns], [deployedRev, 'deployed', []]);
      assert.deepEqual(release.config, await helmReused(), 'the values Helm itself reuses on upgrade');
      assert.deepEqual(p.hostSideEffects, [], 'the deployed values reach nothing beyond the vcluster');
      assert.ok(p.confirmation && !p.refusal);
      // `helm get values` (and `helm status`) show the newest revision whatever its status, and so does readHelmRelease.
      assert.deepEqual(await helmGetValues(), forgedValues);
      assert.equal((await readHelmRelease(client, ns, name))?.revision, 99);
    });

    it('a newer revision that says deployed: Helm takes it; the plan refuses, since two revisions say deployed', async () => {
      await forge({ status: 'deployed' });
      assert.deepEqual(await helmReused(), forgedValues, 'Helm reuses the forged values: the choice alone is no defence');
      const { release, plan: p } = await plan();
      assert.deepEqual([release.revision, release.alsoDeployed], [99, [deployedRev]]);
      assert.match(release.concerns.join(' '), new RegExp(`Revisions 99, ${deployedRev} all say they are deployed`));
      assert.equal(p.confirmation, undefined);
      assert.match(p.refusal!.message, new RegExp(`revisions 99, ${deployedRev} all say they are deployed.*Nothing was run`));
      assert.deepEqual(
        p.hostSideEffects.map((e) => [e.path, e.what.replace(/^.*: /, '')]),
        [['experimental.deploy.host.manifests', 'ClusterRoleBinding tenant-admin → ClusterRole cluster-admin']],
      );
    });

    it('a Secret labelled as the deployed revision 99 but not of type helm.sh/release.v1 is ignored and named', async () => {
      await forge({ status: 'deployed', type: 'Opaque' });
      assert.equal((await readHelmRelease(client, ns, name))?.revision, deployedRev, "describe's reader ignores it too");
      const { release, plan: p } = await plan();
      assert.equal(release.revision, deployedRev);
      assert.deepEqual(release.concerns, [`Secret ${forgedName} is not a release Helm wrote: its type is "Opaque", not helm.sh/release.v1; it was ignored.`]);
      assert.match(p.confirmation!.detail, /Warning: Secret sh\.helm\.release\.v1\.up\.v99 is not a release Helm wrote/);
    });

    it('a gzip bomb as revision 99 (a small Secret inflating to 64 MiB) is not inflated beyond the bound, and is named', async () => {
      const bomb = gzipSync(
        Buffer.concat([Buffer.from('{"name":"up","version":99,"config":{"x":"'), Buffer.alloc(64 * 1024 * 1024, 0x20), Buffer.from('"}}')]),
      );
      await forge({ status: 'deployed', payload: bomb.toString('base64') });
      const fromDescribe = await readHelmRelease(client, ns, name);
      assert.equal(fromDescribe?.revision, deployedRev, 'the newest usable revision, for describe');
      assert.match(fromDescribe.concerns.join(' '), /Secret sh\.helm\.release\.v1\.up\.v99 could not be decoded: the release inflates to more than 32 MiB/);
      const { release } = await plan();
      assert.equal(release.revision, deployedRev, 'and for the upgrade');
    });
  });

  it('describes the vcluster as `vcluster describe` does, with certificate expiry from its certificate secret', async () => {
    const pod = await waitFor<KObject>('the pod', () => host.rest.getOrUndefined(`/api/v1/namespaces/${ns}/pods/${name}-0`), 60_000);
    await host.rest.patch(`/api/v1/namespaces/${ns}/pods/${name}-0/status`, { status: podStatusFor('Running', pod) });
    // The syncer writes NAME-certs when it starts; there is none here, so write one as it would, with a short-lived cert.
    const dir = fs.mkdtempSync(path.join(home, 'certs-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        path.join(dir, 'k'),
        '-out',
        path.join(dir, 'c'),
        '-days',
        '20',
        '-subj',
        '/CN=kube-apiserver',
      ],
      { stdio: 'ignore' },
    );
    await host.rest.ensure(`/api/v1/namespaces/${ns}/secrets`, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `${name}-certs`, namespace: ns },
      data: {
        'apiserver.crt': fs.readFileSync(path.join(dir, 'c')).toString('base64'),
        'apiserver.key': fs.readFileSync(path.join(dir, 'k')).toString('base64'),
      },
    });
    const d = await fetchDetails(client, { context: host.contextName, namespace: ns, name }, { contexts: [] });
    const r = await cli(['describe', name, '-n', ns, '--output', 'json']);
    const cliOut = JSON.parse(r.stdout) as { status: string; version: string; backingStore: string };
    assert.deepEqual([d.status, d.versions.vcluster, d.backingStore], [cliOut.status, cliOut.version, cliOut.backingStore]);
    assert.deepEqual([d.helm?.revision, d.helm?.status, d.versions.chart], [3, 'deployed', current]);
    assert.equal(d.certificates.items.length, 1);
    assert.ok(d.certificates.items[0]!.daysLeft < 30 && d.certificates.items[0]!.daysLeft >= 19);
    assert.ok(!JSON.stringify(d).includes('PRIVATE KEY'));
    assert.ok(d.events.length > 0, 'events of the StatefulSet (SuccessfulCreate) are there');
  });

  it('the bundled schema and old-key data are exactly what the pinned vcluster module gives', async function () {
    this.timeout(900_000);
    const r = await runProgram(process.execPath, [path.join(repoRoot, 'scripts', 'vcluster-config-data.mjs'), '--check'], {
      cwd: repoRoot,
      timeoutMs: 880_000,
      allowFailure: true,
    });
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });
});
