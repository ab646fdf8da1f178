import assert from 'node:assert/strict';
import { fetchDetails } from '../../src/vcluster/describeRead';
import { pauseVCluster, resumeVCluster } from '../../src/vcluster/lifecycle';
import { fetchMapping, MAPPED_KINDS } from '../../src/vcluster/mapping';
import type { MappingModel } from '../../src/shared/model';
import { type RealCluster } from '../harness/node/node';
import {
  applyObjects,
  createRealVCluster,
  provideClaimVolume,
  runVClusterCli,
  sampleApp,
  VCLUSTER_VERSION,
  type RealVCluster,
} from '../harness/node/realVCluster';
import { waitFor, type KObject } from '../harness/cluster/rest';
import { buildWorld } from '../harness/worlds/worlds';
import { getHost, getRealCluster, uniqueNamespace } from './setup';
import { productModel, type ProductModel } from './product';

// vclusters as users have them: installed by the real vcluster CLI from the real chart, their pod running the real
// syncer on a real node (test/harness/node/node.ts, realVCluster.ts). What the product says is checked against the real
// CLI (`vcluster list`) and against what the real syncer created on the host.
//
// One vcluster "apps" carries the sample application and, later, a nested vcluster "inner"; the tests run in order
// and share them (each real vcluster costs about 540 MB and 20–30 s to start).

interface ListEntry {
  Name: string;
  Namespace: string;
  Status: string;
  Version: string;
}

const NS = 'real-apps';
const APP_NS = 'shop';

describe('[real vcluster] a vcluster installed by the real CLI, its pod running the real syncer on a real node', function () {
  this.timeout(300_000);
  let cluster: RealCluster;
  let p: ProductModel;
  let apps: RealVCluster;
  let inner: RealVCluster;
  const ctx = () => cluster.host.contextName;

  async function cliList(kubeconfig = cluster.host.kubeconfigPath): Promise<ListEntry[]> {
    const r = await runVClusterCli(cluster, kubeconfig, ['list', '--output', 'json']);
    return (JSON.parse(r.stdout.trim() || 'null') as ListEntry[] | null) ?? [];
  }

  async function productStatus(namespace: string, name: string): Promise<string | undefined> {
    const found = (await p.model.vclusters(ctx(), true)).namespaces.flatMap((n) => n.vclusters);
    return found.find((v) => v.ref.namespace === namespace && v.ref.name === name)?.status;
  }

  /** Waits until `vcluster list` and the product's discovery both say `status` (undefined: not listed at all). */
  async function bothSay(namespace: string, name: string, status: string | undefined, timeoutMs = 180_000): Promise<void> {
    let last = '';
    await waitFor(
      `vcluster list and discovery to say ${status ?? 'nothing'} for ${namespace}/${name}`,
      async () => {
        const cli = (await cliList()).find((e) => e.Namespace === namespace && e.Name === name)?.Status;
        const ours = await productStatus(namespace, name);
        last = `CLI ${cli ?? '(not listed)'}, discovery ${ours ?? '(not found)'}`;
        return cli === status && ours === status;
      },
      timeoutMs,
      1000,
    ).catch((err: Error) => {
      throw new Error(`${err.message} — last seen: ${last}`);
    });
  }

  const setUnschedulable = (on: boolean) => cluster.host.rest.patch(`/api/v1/nodes/${cluster.node.name}`, { spec: { unschedulable: on } });

  before(async function () {
    this.timeout(1_200_000);
    cluster = await getRealCluster();
    p = productModel([cluster.host.kubeconfigPath]);
    await p.model.reloadKubeconfig();
  });
  after(async function () {
    p?.dispose();
    if (cluster) await setUnschedulable(false).catch(() => undefined);
  });

  describe('its life: Pending → Running → Paused → Running → deleted, as `vcluster list` says', function () {
    it('is Pending while no node takes pods (the real scheduler cannot place it)', async function () {
      await setUnschedulable(true);
      apps = await createRealVCluster(cluster, { name: 'apps', namespace: NS, wait: false });
      const sts = await cluster.host.rest.get(`/apis/apps/v1/namespaces/${NS}/statefulsets/apps`);
      assert.equal(sts.metadata.labels.chart, `vcluster-${VCLUSTER_VERSION}`);
      await bothSay(NS, 'apps', 'Pending');
      const pod = await cluster.host.rest.get(`/api/v1/namespaces/${NS}/pods/apps-0`);
      assert.equal(pod.spec.nodeName, undefined);
      assert.equal(pod.status.conditions?.find((c: KObject) => c.type === 'PodScheduled')?.reason, 'Unschedulable');
    });

    it('is Running once the node takes pods: the syncer runs and its virtual API server answers', async function () {
      await setUnschedulable(false);
      await apps.waitRunning();
      await bothSay(NS, 'apps', 'Running');
      const pod = await cluster.host.rest.get(`/api/v1/namespaces/${NS}/pods/apps-0`);
      assert.equal(pod.spec.nodeName, cluster.node.name);
      const version = await (await apps.virtual()).rest.get('/version');
      assert.equal(version.gitVersion, 'v1.34.4', 'the virtual control plane is the kube-apiserver of the local image');
      const listed = (await cliList()).find((e) => e.Name === 'apps' && e.Namespace === NS);
      assert.equal(listed?.Version, VCLUSTER_VERSION);
    });

    it('is described as `vcluster describe` describes it, with the certificates its syncer wrote', async function () {
      const d = await fetchDetails(p.model.client(ctx()), { context: ctx(), namespace: NS, name: 'apps' }, { contexts: [] });
      const cli = JSON.parse((await apps.cli(['describe', 'apps', '--namespace', NS, '--output', 'json'])).stdout) as {
        status: string;
        version: string;
        backingStore: string;
      };
      assert.deepEqual([d.status, d.versions.vcluster, d.backingStore], [cli.status, cli.version, cli.backingStore]);
      assert.equal(d.status, 'Running');
      // The syncer writes its serving and client certificates (Secret apps-certs) when it starts; they last a year.
      assert.ok(d.certificates.items.length > 0, 'certificates from apps-certs');
      assert.ok(
        d.certificates.items.every((c) => c.daysLeft > 300),
        JSON.stringify(d.certificates.items.map((c) => c.daysLeft)),
      );
    });
  });

  describe('what the real syncer made of the sample application', function () {
    let model: MappingModel;
    let hostObjects: Map<string, KObject>;

    before(async function () {
      this.timeout(300_000);
      const v = await apps.virtual();
      await applyObjects(v.rest, sampleApp(cluster.node.images.busybox.ref, APP_NS));
      await provideClaimVolume(apps, APP_NS, 'web-data');
      await waitFor(
        'the sample application to run on the node (deployment pod and worker pod Running, claim Bound)',
        async () => {
          const pods = (await v.rest.get(`/api/v1/namespaces/${APP_NS}/pods`)).items as KObject[];
          const pvc = await v.rest.get(`/api/v1/namespaces/${APP_NS}/persistentvolumeclaims/web-data`);
          return pods.length === 2 && pods.every((x) => x.status?.phase === 'Running') && pvc.status?.phase === 'Bound';
        },
        180_000,
        1000,
      );
      // Endpoints follow the pods a moment later (the virtual endpoints controller, then the syncer).
      await waitFor(
        'the virtual endpoints of Service web',
        async () => (await v.rest.get(`/api/v1/namespaces/${APP_NS}/endpoints/web`)).subsets?.length > 0,
        60_000,
        500,
      );
      const ref = { context: ctx(), namespace: NS, name: 'apps' };
      model = await fetchMapping({ ref, host: await p.model.hostClientOf(ref), hostNamespace: NS, virtual: (await p.model.reach(ref)).client });
      hostObjects = new Map();
      for (const k of MAPPED_KINDS) {
        const base = k.path.slice(0, k.path.lastIndexOf('/'));
        const plural = k.path.slice(k.path.lastIndexOf('/') + 1);
        const list = await cluster.host.rest.getOrUndefined(
          `${base}/namespaces/${NS}/${plural}?labelSelector=${encodeURIComponent('vcluster.loft.sh/managed-by=apps')}`,
        );
        for (const o of (list?.items ?? []) as KObject[]) hostObjects.set(`${k.kind} ${o.metadata.name}`, o);
      }
    });

    it('ran the workloads for real: the deployment pod logs through the host, reading its config map and secret', async function () {
      const v = await apps.virtual();
      const pod = ((await v.rest.get(`/api/v1/namespaces/${APP_NS}/pods?labelSelector=app%3Dweb`)).items as KObject[])[0]!;
      const row = model.rows.find((r) => r.kind === 'Pod' && r.virtualName === pod.metadata.name);
      assert.ok(row?.hostName, `the mapping has the host pod of ${pod.metadata.name}`);
      const log = await cluster.host.rest.raw('GET', `/api/v1/namespaces/${NS}/pods/${row.hostName}/log`);
      assert.equal(log.status, 200, log.text);
      assert.match(log.text, /web started with 19 bytes of password/);
      assert.match(log.text, /web log line 0/);
      const hostPod = hostObjects.get(`Pod ${row.hostName}`)!;
      assert.equal(hostPod.spec.nodeName, cluster.node.name);
    });

    it('has a synced row for every host object the syncer made, joined to the virtual object its annotations name', function () {
      const synced = model.rows.filter((r) => r.state === 'synced');
      for (const [key, o] of hostObjects) {
        const kind = key.split(' ')[0]!;
        const vName = o.metadata.annotations?.['vcluster.loft.sh/object-name'];
        const vNs = o.metadata.annotations?.['vcluster.loft.sh/object-namespace'];
        if (!vName) continue;
        const row = synced.find((r) => r.kind === kind && r.hostName === o.metadata.name);
        assert.ok(row, `no synced row for host ${key} (virtual ${vNs}/${vName})`);
        assert.deepEqual([row.virtualNamespace, row.virtualName], [vNs, vName], key);
      }
      for (const r of synced) {
        if (r.kind === 'Service' && r.virtualNamespace === 'default' && r.virtualName === 'kubernetes') continue;
        assert.ok(
          hostObjects.has(`${r.kind} ${r.hostName}`),
          `the mapping says ${r.kind} ${r.virtualNamespace}/${r.virtualName} is synced to ${r.hostName}, which the host does not have`,
        );
      }
    });

    it('pairs the pods, the service, the endpoints, the config map and secret used by the pod, and the claim', function () {
      const state = (kind: string, name: string) =>
        model.rows.find(
          (r) => r.kind === kind && r.virtualNamespace === APP_NS && (r.virtualName === name || (kind === 'Pod' && r.virtualName?.startsWith(`${name}-`))),
        )?.state;
      for (const [kind, name] of [
        ['Pod', 'web'],
        ['Pod', 'web-worker'],
        ['Service', 'web'],
        ['ConfigMap', 'web-config'],
        ['Secret', 'web-credentials'],
        ['PersistentVolumeClaim', 'web-data'],
      ] as const) {
        assert.equal(state(kind, name), 'synced', `${kind} ${name}`);
      }
      // A config map no pod uses stays in the virtual cluster (sync.toHost.configMaps.all is false by default).
      assert.equal(state('ConfigMap', 'unused-config'), 'virtual-only');
      assert.ok(
        model.rows.some((r) => r.kind === 'Endpoints' && r.virtualNamespace === APP_NS && r.virtualName === 'web'),
        'the virtual endpoints have a row',
      );
      assert.equal(model.errors.length, 0, JSON.stringify(model.errors));
    });

    it('reports the pod status the kubelet reports', function () {
      const row = model.rows.find((r) => r.kind === 'Pod' && r.virtualName === 'web-worker')!;
      assert.equal(row.hostStatus ?? row.virtualStatus, 'Running');
    });

    it('is what the fixtures of worlds.ts lay out for the same objects: host names, labels, annotations, owners', async function () {
      // The same virtual objects in a fixture world on the fixture host (same vcluster name, another host namespace).
      const fixtureHost = await getHost();
      const fixtureNs = uniqueNamespace('real-twin');
      const labelsOf = (kind: string, name: string) =>
        sampleApp('unused', APP_NS).find((o) => o.kind === kind && o.metadata.name === name)!.metadata.labels as Record<string, string>;
      const world = await buildWorld(fixtureHost, [
        {
          name: 'apps',
          namespace: fixtureNs,
          workloads: [
            { kind: 'Pod', namespace: APP_NS, name: 'web-worker', labels: labelsOf('Pod', 'web-worker') },
            { kind: 'Service', namespace: APP_NS, name: 'web', labels: labelsOf('Service', 'web') },
            { kind: 'Endpoints', namespace: APP_NS, name: 'web', labels: labelsOf('Service', 'web') },
            { kind: 'ConfigMap', namespace: APP_NS, name: 'web-config', labels: labelsOf('ConfigMap', 'web-config') },
            { kind: 'Secret', namespace: APP_NS, name: 'web-credentials', labels: labelsOf('Secret', 'web-credentials') },
            { kind: 'PersistentVolumeClaim', namespace: APP_NS, name: 'web-data', labels: labelsOf('PersistentVolumeClaim', 'web-data') },
          ],
        },
      ]);
      const fixture = world.find('apps', fixtureNs);
      // Values that differ by nature (uids, the host namespace, times, the token's random key) are named, not compared;
      // what the host's own controllers add (the volume binder's annotations) is left out.
      const uid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
      const jwt = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
      const shape = (o: KObject, hostNs: string) => ({
        name: o.metadata.name,
        labels: o.metadata.labels ?? {},
        annotations: Object.fromEntries(
          Object.entries((o.metadata.annotations ?? {}) as Record<string, string>)
            .filter(([k]) => !k.startsWith('pv.kubernetes.io/'))
            .map(([k, v]) => [
              k.startsWith('vcluster.loft.sh/token-') ? 'vcluster.loft.sh/token-<random>' : k,
              uid.test(v)
                ? '<uid>'
                : v === hostNs
                  ? '<host namespace>'
                  : jwt.test(v)
                    ? '<token>'
                    : k === 'endpoints.kubernetes.io/last-change-trigger-time'
                      ? '<time>'
                      : v,
            ]),
        ),
        owners: ((o.metadata.ownerReferences ?? []) as KObject[]).map((r) => `${r.kind}/${r.name} controller=${r.controller}`),
      });
      const compared: string[] = [];
      for (const o of fixture.objects) {
        const real = hostObjects.get(`${o.kind} ${o.host!.name}`);
        assert.ok(real, `the real syncer made no host ${o.kind} named ${o.host!.name} (the fixture did)`);
        const plural = MAPPED_KINDS.find((k) => k.kind === o.kind)!
          .path.split('/')
          .pop();
        const fake = await fixtureHost.rest.get(`/api/v1/namespaces/${fixtureNs}/${plural}/${o.host!.name}`);
        assert.deepEqual(shape(fake, fixtureNs), shape(real, NS), `${o.kind} ${o.host!.name}: the fixture (actual) differs from the real syncer (expected)`);
        compared.push(o.kind);
      }
      assert.deepEqual(compared.sort(), ['ConfigMap', 'Endpoints', 'PersistentVolumeClaim', 'Pod', 'Secret', 'Service']);
    });
  });

  describe('a real vcluster nested inside it', function () {
    before(async function () {
      this.timeout(600_000);
      inner = await createRealVCluster(cluster, { name: 'inner', namespace: 'nested', parent: apps });
    });

    it('runs its pod on the same node, synced to the host by the outer syncer', async function () {
      const pod = await cluster.host.rest.get(`/api/v1/namespaces/${NS}/pods/${inner.hostPodName}`);
      assert.equal(inner.hostPodName, 'inner-0-x-nested-x-apps');
      assert.equal(pod.spec.nodeName, cluster.node.name);
      assert.equal(pod.metadata.annotations['vcluster.loft.sh/object-name'], 'inner-0');
      assert.equal((await (await inner.virtual()).rest.get('/version')).gitVersion, 'v1.34.4');
    });

    it('is discovered through the outer vcluster with the status `vcluster list` gives inside it', async function () {
      const outerRef = { context: ctx(), namespace: NS, name: 'apps' };
      const found = (await p.model.nested(outerRef, true)).namespaces.flatMap((n) => n.vclusters);
      const mine = found.find((v) => v.ref.name === 'inner');
      assert.ok(mine, `found ${found.map((v) => v.ref.name).join(', ')}`);
      assert.deepEqual(mine.ref.parents, [{ namespace: NS, name: 'apps' }]);
      const cli = (await cliList((await apps.virtual()).kubeconfigPath)).find((e) => e.Name === 'inner');
      assert.equal(cli?.Status, 'Running');
      assert.equal(mine.status, cli.Status);
      assert.equal(mine.version, VCLUSTER_VERSION);
    });

    it('is gone from discovery once the CLI deletes it', async function () {
      await inner.cli(['delete', 'inner', '--namespace', 'nested']);
      const outerRef = { context: ctx(), namespace: NS, name: 'apps' };
      await waitFor(
        'discovery inside apps to lose inner',
        async () => !(await p.model.nested(outerRef, true)).namespaces.flatMap((n) => n.vclusters).some((v) => v.ref.name === 'inner'),
        120_000,
        1000,
      );
      await waitFor(
        'the host pod of inner to go',
        async () => (await cluster.host.rest.getOrUndefined(`/api/v1/namespaces/${NS}/pods/${inner.hostPodName}`)) === undefined,
        120_000,
        1000,
      );
    });
  });

  describe('pause and resume, by the product and by the CLI, each seeing the other', function () {
    it('pause by the product: `vcluster list` says Paused, the pod is gone', async function () {
      await pauseVCluster(p.model.client(ctx()), NS, 'apps', { waitMs: 120_000 });
      await bothSay(NS, 'apps', 'Paused');
      await waitFor('the pod to go', async () => (await cluster.host.rest.getOrUndefined(`/api/v1/namespaces/${NS}/pods/apps-0`)) === undefined, 120_000, 500);
    });

    it('resume by the CLI: discovery says Running once the pod runs again, with its virtual cluster kept', async function () {
      await apps.cli(['resume', 'apps', '--namespace', NS]);
      await apps.waitRunning();
      await bothSay(NS, 'apps', 'Running');
      const v = await apps.virtual();
      await v.rest.get(`/api/v1/namespaces/${APP_NS}/configmaps/unused-config`);
    });

    it('pause by the CLI: discovery says Paused; resume by the product: `vcluster list` says Running', async function () {
      await apps.cli(['pause', 'apps', '--namespace', NS]);
      await bothSay(NS, 'apps', 'Paused');
      await resumeVCluster(p.model.client(ctx()), NS, 'apps');
      await apps.waitRunning();
      await bothSay(NS, 'apps', 'Running');
    });
  });

  describe('deleted', function () {
    it('by the CLI: discovery no longer finds it, and the host keeps nothing of it', async function () {
      await apps.cli(['delete', 'apps', '--namespace', NS]);
      await bothSay(NS, 'apps', undefined);
      await waitFor(
        'the namespace the CLI created to go',
        async () => (await cluster.host.rest.getOrUndefined(`/api/v1/namespaces/${NS}`)) === undefined,
        180_000,
        1000,
      );
    });
  });
});
