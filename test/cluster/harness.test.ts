// The harness itself, checked against real processes: the control plane is a real v1.34.4 API server, RBAC is
// enforced, the worlds are visible through @kubernetes/client-node exactly as laid out, the vc-NAME kubeconfigs reach
// real virtual API servers (also nested), faults recover, and no child process outlives its parent.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { AppsV1Api, CoreV1Api, KubeConfig, VersionApi } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { repoRoot, toolPath } from '../../scripts/lib/toolchain.mjs';
import type { HostCluster } from '../harness/cluster/controlPlane';
import { runProgram } from '../harness/cluster/processes';
import { DEFAULT_SERVER, hostName, safeConcatName, type DemoWorld } from '../harness/worlds/worlds';
import { getDemoWorld, getHost } from './setup';

function kubeConfig(yaml: string, server?: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(yaml);
  if (server) {
    // Point the single cluster at another endpoint (as vcluster connect does for a LoadBalancer ingress).
    kc.loadFromOptions({
      clusters: kc.clusters.map((c) => ({ ...c, server })),
      users: kc.users,
      contexts: kc.contexts,
      currentContext: kc.currentContext,
    });
  }
  return kc;
}

function statusCode(err: unknown): number | undefined {
  return (err as { code?: number }).code;
}

describe('test harness: a real Kubernetes control plane', function () {
  this.timeout(120_000);
  let host: HostCluster;
  let world: DemoWorld;

  before(async function () {
    host = await getHost();
    world = await getDemoWorld();
  });

  it('serves the real /version of kube-apiserver v1.34.4', async function () {
    const kc = kubeConfig(host.kubeconfig);
    const v = await kc.makeApiClient(VersionApi).getCode();
    assert.equal(v.gitVersion, 'v1.34.4');
    assert.equal(v.minor, '34');
    assert.equal(kc.getCurrentContext(), 'host');
  });

  it('runs the namespace controller: a deleted namespace really goes away', async function () {
    const core = kubeConfig(host.kubeconfig).makeApiClient(CoreV1Api);
    const name = `gone-${process.pid}`;
    await core.createNamespace({ body: { metadata: { name } } });
    await core.createNamespacedConfigMap({ namespace: name, body: { metadata: { name: 'x' }, data: { a: 'b' } } });
    await core.deleteNamespace({ name });
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await core.readNamespace({ name });
      } catch (err) {
        assert.equal(statusCode(err), 404);
        break;
      }
      assert.ok(Date.now() < deadline, 'namespace still exists after 60 s');
      await new Promise((r) => setTimeout(r, 250));
    }
  });

  it('enforces RBAC: the restricted user may list in its namespace only', async function () {
    const kc = kubeConfig(world.restricted.kubeconfig);
    assert.equal(kc.getCurrentContext(), 'restricted');
    const apps = kc.makeApiClient(AppsV1Api);
    await assert.rejects(apps.listStatefulSetForAllNamespaces({ labelSelector: 'app=vcluster' }), (err) => statusCode(err) === 403);
    const own = await apps.listNamespacedStatefulSet({ namespace: 'team-a', labelSelector: 'app=vcluster' });
    assert.deepEqual(
      own.items.map((s) => s.metadata?.name),
      ['dev'],
    );
    await assert.rejects(apps.listNamespacedStatefulSet({ namespace: 'team-b' }), (err) => statusCode(err) === 403);
  });

  it('lays out every host vcluster as the chart does (labels, services, secrets, image, Helm release)', async function () {
    const kc = kubeConfig(host.kubeconfig);
    const apps = kc.makeApiClient(AppsV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    const sts = await apps.listStatefulSetForAllNamespaces({ labelSelector: 'app=vcluster' });
    // The host is shared with other suites: look at the demo world's namespaces only.
    const demoNamespaces = new Set(world.vclusters.map((v) => v.namespace));
    const found = sts.items
      .filter((s) => s.metadata?.labels?.release && demoNamespaces.has(s.metadata.namespace!))
      .map((s) => `${s.metadata!.namespace}/${s.metadata!.name}`)
      .sort();
    const expected = world.vclusters.map((v) => `${v.namespace}/${v.name}`).sort();
    assert.deepEqual(found, expected);
    for (const vc of world.vclusters) {
      const s = sts.items.find((x) => x.metadata?.name === vc.name && x.metadata.namespace === vc.namespace)!;
      assert.equal(s.metadata!.labels!.chart, `vcluster-${vc.version}`);
      assert.equal(s.metadata!.labels!.heritage, 'Helm');
      const syncer = s.spec!.template.spec!.containers.find((c) => c.name === 'syncer');
      assert.equal(syncer?.image, `ghcr.io/loft-sh/vcluster-pro:${vc.version}`);
      const svc = await core.readNamespacedService({ name: vc.name, namespace: vc.namespace });
      assert.equal(svc.metadata!.labels!['vcluster.loft.sh/service'], 'true');
      assert.deepEqual(
        svc.spec!.ports!.map((p) => [p.port, p.targetPort]),
        [
          [443, 8443],
          [10250, 8443],
        ],
      );
      await core.readNamespacedService({ name: `${vc.name}-headless`, namespace: vc.namespace });
      const rel = await core.readNamespacedSecret({ name: `sh.helm.release.v1.${vc.name}.v1`, namespace: vc.namespace });
      assert.deepEqual(
        { owner: rel.metadata!.labels!.owner, name: rel.metadata!.labels!.name, status: rel.metadata!.labels!.status, version: rel.metadata!.labels!.version },
        { owner: 'helm', name: vc.name, status: 'deployed', version: '1' },
      );
      // client-node already removed the API's base64; Helm's own base64 and gzip remain.
      const helmBytes = Buffer.from(Buffer.from(rel.data!.release!, 'base64').toString('utf8'), 'base64');
      assert.deepEqual([...helmBytes.subarray(0, 3)], [0x1f, 0x8b, 0x08]);
      const release = JSON.parse(gunzipSync(helmBytes).toString('utf8'));
      assert.equal(release.chart.metadata.name, 'vcluster');
      assert.equal(release.chart.metadata.version, vc.version);
      assert.equal(release.info.status, 'deployed');
      const cfg = await core.readNamespacedSecret({ name: `vc-config-${vc.name}`, namespace: vc.namespace });
      const yaml = parseYaml(Buffer.from(cfg.data!['config.yaml']!, 'base64').toString('utf8'));
      assert.equal(yaml.controlPlane.distro.k8s.enabled, false, 'k8s is the default distro: no flag set');
      assert.equal(cfg.metadata!.annotations?.['sleepmode.loft.sh/sleep-type'] !== undefined, vc.state === 'Sleeping');
    }
  });

  it('gives paused and scaled-down vclusters zero replicas and no pod, others their pod NAME-0', async function () {
    const kc = kubeConfig(host.kubeconfig);
    const apps = kc.makeApiClient(AppsV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    for (const vc of world.vclusters) {
      const s = await apps.readNamespacedStatefulSet({ name: vc.name, namespace: vc.namespace });
      const pods = await core.listNamespacedPod({ namespace: vc.namespace, labelSelector: `app=vcluster,release=${vc.name}` });
      if (vc.state === 'Paused' || vc.state === 'ScaledDown') {
        assert.equal(s.spec!.replicas, 0, vc.name);
        assert.equal(pods.items.length, 0, vc.name);
        assert.equal(s.metadata!.annotations?.['loft.sh/paused'], vc.state === 'Paused' ? 'true' : undefined);
        if (vc.state === 'Paused') {
          assert.equal(s.metadata!.annotations!['loft.sh/paused-replicas'], '1');
          assert.match(s.metadata!.annotations!['loft.sh/paused-date']!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        }
      } else {
        assert.deepEqual(
          pods.items.map((p) => p.metadata!.name),
          [`${vc.name}-0`],
          vc.name,
        );
        assert.equal(pods.items[0]!.metadata!.ownerReferences?.[0]?.kind, 'StatefulSet', 'made by the real statefulset controller');
      }
    }
    const broken = await core.readNamespacedPod({ name: 'broken-0', namespace: 'team-c-broken' });
    assert.equal(broken.status!.containerStatuses![0]!.state!.waiting!.reason, 'CrashLoopBackOff');
  });

  it('agrees with the real vcluster CLI on every status (vcluster list --output json)', async function () {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-cli-home-'));
    try {
      const kcPath = path.join(home, 'kubeconfig');
      fs.writeFileSync(kcPath, host.kubeconfig, { mode: 0o600 });
      const r = await runProgram(toolPath('vcluster'), ['list', '--output', 'json'], {
        cwd: home,
        env: { PATH: process.env.PATH, HOME: home, KUBECONFIG: kcPath },
        timeoutMs: 60_000,
      });
      const demoNamespaces = new Set(world.vclusters.map((v) => v.namespace));
      const listed = (JSON.parse(r.stdout) as { Name: string; Namespace: string; Status: string; Version: string }[])
        .filter((x) => demoNamespaces.has(x.Namespace))
        .map((x) => `${x.Namespace}/${x.Name} ${x.Status} ${x.Version}`)
        .sort();
      const expected = world.vclusters.map((v) => `${v.namespace}/${v.name} ${v.expectedStatus} ${v.version}`).sort();
      assert.deepEqual(listed, expected);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('stores in vc-NAME a kubeconfig that reaches the vcluster’s own virtual API server', async function () {
    const core = kubeConfig(host.kubeconfig).makeApiClient(CoreV1Api);
    for (const vc of world.vclusters.filter((v) => v.virtual)) {
      const secret = await core.readNamespacedSecret({ name: `vc-${vc.name}`, namespace: vc.namespace });
      assert.deepEqual(Object.keys(secret.data!).sort(), ['certificate-authority', 'client-certificate', 'client-key', 'config', 'token']);
      const yaml = Buffer.from(secret.data!.config!, 'base64').toString('utf8');
      const kc = kubeConfig(yaml);
      let server: string | undefined;
      if (vc.access === 'loadbalancer') {
        assert.equal(kc.getCurrentCluster()!.server, DEFAULT_SERVER);
        const svc = await core.readNamespacedService({ name: vc.name, namespace: vc.namespace });
        assert.equal(svc.spec!.type, 'LoadBalancer');
        const ip = svc.status!.loadBalancer!.ingress![0]!.ip!;
        assert.match(ip, /^127\./);
        server = `https://${ip}`;
      } else {
        assert.equal(kc.getCurrentCluster()!.server, vc.virtual!.server);
      }
      const vcore = kubeConfig(yaml, server).makeApiClient(CoreV1Api);
      const ns = await vcore.listNamespace();
      const names = ns.items.map((n) => n.metadata!.name);
      assert.ok(names.includes('default') && names.includes('kube-system'), names.join(','));
      // The virtual cluster is a different cluster: the host namespace of the vcluster does not exist there.
      assert.ok(!names.includes(vc.namespace) || vc.namespace === 'default');
      // The bearer token of the secret works too.
      const token = Buffer.from(secret.data!.token!, 'base64').toString('utf8');
      const tkc = new KubeConfig();
      tkc.loadFromOptions({
        clusters: [{ name: 'c', server: server ?? vc.virtual!.server, caData: secret.data!['certificate-authority']! }],
        users: [{ name: 'u', token }],
        contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
        currentContext: 'x',
      });
      await tkc.makeApiClient(CoreV1Api).readNamespace({ name: 'default' });
    }
  });

  it('syncs virtual objects to the host under the translated name, with the mapping labels and annotations', async function () {
    const dev = world.find('dev', 'team-a');
    const core = kubeConfig(host.kubeconfig).makeApiClient(CoreV1Api);
    const vcore = kubeConfig(dev.virtual!.kubeconfig).makeApiClient(CoreV1Api);
    const web = await vcore.readNamespacedPod({ name: 'web', namespace: 'default' });
    const hostPod = await core.readNamespacedPod({ name: 'web-x-default-x-dev', namespace: 'team-a' });
    // The last label carries the virtual namespace's kubernetes.io/metadata.name (key hashed as translate.HostLabelNamespace).
    assert.deepEqual(hostPod.metadata!.labels, {
      app: 'web',
      'vcluster.loft.sh/managed-by': 'dev',
      'vcluster.loft.sh/namespace': 'default',
      'vcluster.loft.sh/ns-label-dev-x-cf1227b7b2': 'default',
    });
    const a = hostPod.metadata!.annotations!;
    assert.equal(a['vcluster.loft.sh/object-name'], 'web');
    assert.equal(a['vcluster.loft.sh/object-namespace'], 'default');
    assert.equal(a['vcluster.loft.sh/object-uid'], web.metadata!.uid);
    assert.equal(a['vcluster.loft.sh/object-kind'], '/v1, Kind=Pod');
    assert.equal(a['vcluster.loft.sh/object-host-name'], 'web-x-default-x-dev');
    assert.equal(a['vcluster.loft.sh/object-host-namespace'], 'team-a');
    assert.equal(a['vcluster.loft.sh/name'], 'web');
    assert.equal(hostPod.status!.phase, 'Running');
    assert.equal(hostPod.metadata!.ownerReferences![0]!.uid, dev.serviceUid, 'owned by Service NAME (setOwner)');
    // The world's description matches the cluster.
    const synced = dev.objects.filter((o) => o.mode === 'synced' && o.host);
    for (const o of synced) assert.equal(o.host!.name, hostName(o.virtual!.name, o.virtual!.namespace, 'dev'));
    const orphan = dev.objects.find((o) => o.mode === 'host-only')!;
    assert.equal(orphan.host!.name, 'stale-config-x-shop-x-dev');
    await assert.rejects(vcore.readNamespacedConfigMap({ name: 'stale-config', namespace: 'shop' }), (err) => statusCode(err) === 404);
    const long = dev.objects.find((o) => o.virtual?.namespace === 'long-names')!;
    assert.equal(long.host!.name.length, 63);
    assert.equal(long.host!.name, safeConcatName(long.virtual!.name, 'x', 'long-names', 'x', 'dev'));
    await core.readNamespacedConfigMap({ name: long.host!.name, namespace: 'team-a' });
  });

  it('implements SafeConcatName exactly as vcluster (values printed by its Go translate.SafeConcatName, v0.36.1)', function () {
    assert.equal(safeConcatName('web', 'x', 'default', 'x', 'dev'), 'web-x-default-x-dev');
    assert.equal(safeConcatName('a'.repeat(60), 'x', 'ns', 'x', 'vc'), `${'a'.repeat(52)}-72581a098e`);
    // A "." right before the cut collapses with the "-": 62 characters.
    assert.equal(safeConcatName(`${'b'.repeat(51)}.cccccccccccccccc`, 'x', 'ns', 'x', 'vc'), `${'b'.repeat(51)}-a1b547bf58`);
    assert.equal(
      safeConcatName('a-very-long-configuration-object-name-that-will-not-fit-on-the-host', 'x', 'long-names', 'x', 'dev'),
      'a-very-long-configuration-object-name-that-will-not--d596a2fc99',
    );
  });

  it('reaches the nested vcluster through its parent’s virtual cluster', async function () {
    const inner = world.find('inner');
    assert.deepEqual(inner.parents, [{ namespace: 'team-a', name: 'dev' }]);
    const dev = world.find('dev', 'team-a');
    const parentCore = kubeConfig(dev.virtual!.kubeconfig).makeApiClient(CoreV1Api);
    const parentApps = kubeConfig(dev.virtual!.kubeconfig).makeApiClient(AppsV1Api);
    const sts = await parentApps.listStatefulSetForAllNamespaces({ labelSelector: 'app=vcluster' });
    assert.deepEqual(
      sts.items.map((s) => `${s.metadata!.namespace}/${s.metadata!.name}`),
      ['nested/inner'],
    );
    const secret = await parentCore.readNamespacedSecret({ name: 'vc-inner', namespace: 'nested' });
    const innerCore = kubeConfig(Buffer.from(secret.data!.config!, 'base64').toString('utf8')).makeApiClient(CoreV1Api);
    const pods = await innerCore.listNamespacedPod({ namespace: 'default' });
    assert.deepEqual(
      pods.items.map((p) => p.metadata!.name),
      ['hello'],
    );
    // inner's pod is synced into dev's virtual cluster, and from there on to the host.
    await parentCore.readNamespacedPod({ name: 'hello-x-default-x-inner', namespace: 'nested' });
    const hostCore = kubeConfig(host.kubeconfig).makeApiClient(CoreV1Api);
    await hostCore.readNamespacedPod({ name: 'hello-x-default-x-inner-x-nested-x-dev', namespace: 'team-a' });
    await hostCore.readNamespacedPod({ name: 'inner-0-x-nested-x-dev', namespace: 'team-a' });
  });

  it('recovers when the host API server is stopped and started again, and hangs while paused', async function () {
    const core = kubeConfig(host.kubeconfig).makeApiClient(CoreV1Api);
    const pidBefore = host.apiserverPid;
    await host.stopApiServer();
    await assert.rejects(core.readNamespace({ name: 'default' }), /ECONNREFUSED|connect/);
    await host.startApiServer();
    assert.notEqual(host.apiserverPid, pidBefore);
    const ns = await core.readNamespace({ name: 'team-a' });
    assert.equal(ns.metadata!.name, 'team-a', 'the data survived in etcd');

    host.pauseApiServer();
    try {
      const state = fs
        .readFileSync(`/proc/${host.apiserverPid}/stat`, 'utf8')
        .replace(/^.*\) /s, '')
        .charAt(0);
      assert.equal(state, 'T', 'the API server process is stopped');
      const started = Date.now();
      const r = await host.rest.raw('GET', '/api/v1/namespaces/default', undefined, undefined, 1500).then(
        (res) => `answered ${res.status} ${res.text.slice(0, 200)}`,
        (err: Error) => err.message,
      );
      assert.match(r, /timed out/);
      assert.ok(Date.now() - started >= 1400);
    } finally {
      host.resumeApiServer();
    }
    assert.equal((await core.readNamespace({ name: 'default' })).metadata!.name, 'default');
  });
});

describe('test harness: child processes never outlive the test process', function () {
  this.timeout(30_000);
  const probe = path.join(repoRoot, 'test', 'harness', 'cluster', 'cleanup-probe.ts');

  function alive(pid: number): boolean {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  async function runProbe(mode: string, signal?: NodeJS.Signals): Promise<{ sleeper: number; dir: string; code: number | null; sig: NodeJS.Signals | null }> {
    const child = spawn(process.execPath, ['--import', 'tsx', probe, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const [sleeper, dir] = await new Promise<[number, string]>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /^(\d+) (\S+)\n/.exec(out);
        if (m) resolve([Number(m[1]), m[2]!]);
      });
      child.on('error', reject);
      child.on('close', () => reject(new Error(`probe ended before printing a pid: ${out}${err.slice(-2000)}`)));
    });
    assert.ok(alive(sleeper), 'the sleeper runs');
    assert.ok(fs.existsSync(dir), 'the temp dir exists');
    const closed = new Promise<{ code: number | null; sig: NodeJS.Signals | null }>((r) => child.on('close', (code, sig) => r({ code, sig })));
    if (signal) {
      await new Promise((r) => setTimeout(r, 300));
      child.kill(signal);
    }
    const { code, sig } = await closed;
    return { sleeper, dir, code, sig };
  }

  async function gone(pid: number, ms = 5000): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (!alive(pid)) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return !alive(pid);
  }

  for (const [mode, signal] of [['exit'], ['throw'], ['reject'], ['wait', 'SIGINT'], ['wait', 'SIGTERM'], ['wait', 'SIGKILL']] as [string, NodeJS.Signals?][]) {
    it(`kills the process group and removes temp dirs after ${signal ?? mode}`, async function () {
      const r = await runProbe(mode, signal);
      if (mode === 'throw' || mode === 'reject') assert.equal(r.code, 1);
      if (signal === 'SIGINT') assert.equal(r.code, 130);
      if (signal === 'SIGTERM') assert.equal(r.code, 143);
      // After SIGKILL only the watchdog can clean up; it polls every 500 ms.
      assert.ok(await gone(r.sleeper), `sleeper ${r.sleeper} survived ${signal ?? mode}`);
      const deadline = Date.now() + 3000;
      while (fs.existsSync(r.dir) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
      assert.ok(!fs.existsSync(r.dir), `temp dir ${r.dir} survived ${signal ?? mode}`);
    });
  }
});
