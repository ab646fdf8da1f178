// Every kind of a vcluster from its own API server: API discovery (aggregated, and the per-group fallback) against a
// real kube-apiserver, compared with `kubectl api-resources`; a CRD with additionalPrinterColumns becomes a kind as
// soon as it is Established (the cache refreshes through its CRD watch); kinds resolve in every form kubectl takes;
// its Table has the printer columns `kubectl get -o wide` prints; listResources lists it; and the sync defaults of
// the kinds table are vcluster's chart defaults.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { toolPath, vclusterChartDir } from '../../scripts/lib/toolchain.mjs';
import type { HostCluster } from '../harness/cluster/controlPlane';
import { runProgram } from '../harness/cluster/processes';
import { waitFor } from '../harness/cluster/rest';
import { buildWorld, type BuiltVCluster } from '../harness/worlds/worlds';
import { discoverResources, resolveKind, type ApiResourceList } from '../../src/kube/apiDiscovery';
import type { KubeClient } from '../../src/kube/client';
import { KINDS, groupResource } from '../../src/kube/kinds';
import { listTable } from '../../src/kube/table';
import type { OtherResourceInfo, ResourceInfo, VClusterRef } from '../../src/shared/model';
import { kindFolders } from '../../src/vcluster/apiResources';
import { InsideVClusters } from '../../src/vcluster/inside';
import { SYNC_FACTS } from '../../src/vcluster/mapping';
import { getHost, uniqueNamespace } from './setup';
import { productModel, type ProductModel } from './product';

const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

function widgetCrd(group: string, plural: string, kind: string, shortName: string) {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { plural, singular: plural.replace(/s$/, ''), kind, shortNames: [shortName] },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          additionalPrinterColumns: [
            { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
            { name: 'Color', type: 'string', jsonPath: '.spec.color', priority: 1 },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
        },
      ],
    },
  };
}

describe('every kind of a vcluster, from API discovery, on a real API server', function () {
  this.timeout(180_000);
  let host: HostCluster;
  let vc: BuiltVCluster;
  let p: ProductModel;
  let inside: InsideVClusters;
  let client: KubeClient;
  let ref: VClusterRef;
  const ns = uniqueNamespace('kinds');

  const kubectl = async (...args: string[]) =>
    (await runProgram(toolPath('kubectl'), ['--kubeconfig', vc.virtual!.kubeconfigPath, '--context', vc.virtual!.contextName, ...args], { timeoutMs: 60_000 }))
      .stdout;
  const established = (name: string) =>
    waitFor(`${name} Established`, async () => {
      const crd = await vc.virtual!.rest.get(`${CRD_PATH}/${name}`);
      return (crd.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Established' && c.status === 'True');
    });

  before(async () => {
    host = await getHost();
    const world = await buildWorld(host, [{ name: 'kinds', namespace: ns }]);
    vc = world.find('kinds', ns);
    assert.ok(vc.virtual, 'the vcluster has an API server');
    await vc.virtual.rest.create(CRD_PATH, widgetCrd('example.com', 'widgets', 'Widget', 'wg'));
    await established('widgets.example.com');
    await vc.virtual.rest.ensure('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    // Objects may be refused for a moment after Established, until the CRD's handler is installed.
    await waitFor('a widget', async () =>
      vc
        .virtual!.rest.create('/apis/example.com/v1/namespaces/shop/widgets', {
          apiVersion: 'example.com/v1',
          kind: 'Widget',
          metadata: { name: 'big-blue' },
          spec: { size: 7, color: 'blue' },
        })
        .then(
          () => true,
          () => false,
        ),
    );
    await vc.virtual.rest.create('/api/v1/namespaces/shop/secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db' },
      stringData: { password: 'correct-horse', user: 'shop' },
    });
    p = productModel([host.kubeconfigPath]);
    inside = new InsideVClusters(p.model, p.tunnels);
    ref = { context: host.contextName, namespace: ns, name: 'kinds' };
    client = (await p.model.reach(ref)).client;
  });
  after(() => {
    inside?.dispose();
    p?.dispose();
  });

  let list: ApiResourceList;

  it('finds what `kubectl api-resources` lists, custom resources included, in two requests', async () => {
    const before = client.requests;
    list = await discoverResources(client);
    assert.equal(client.requests - before, 2, 'aggregated discovery: /api and /apis');
    assert.ok(list.aggregated);
    assert.deepEqual(list.failed, []);
    // kubectl api-resources -o name: resource[.group] of every resource with a list verb or not, one per line.
    const names = (await kubectl('api-resources', '-o', 'name')).trim().split('\n').sort();
    assert.deepEqual(list.resources.map(groupResource).sort(), names);
    assert.ok(names.includes('widgets.example.com'));
    // Scope and short names as kubectl prints them (--namespaced=false: the cluster-scoped ones).
    const cluster = (await kubectl('api-resources', '--namespaced=false', '-o', 'name')).trim().split('\n').sort();
    assert.deepEqual(
      list.resources
        .filter((r) => !r.namespaced)
        .map(groupResource)
        .sort(),
      cluster,
    );
    const wide = await kubectl('api-resources', '--api-group=example.com');
    assert.match(wide, /^widgets\s+wg\s+example\.com\/v1\s+true\s+Widget\s*$/m);
  });

  it('resolves a kind in every form kubectl takes, as kubectl does', async () => {
    for (const name of ['Widget', 'widget', 'widgets', 'wg', 'widgets.example.com', 'widgets.v1.example.com', 'Widget.example.com'])
      assert.equal(groupResource(resolveKind(list, name)), 'widgets.example.com', name);
    for (const name of ['Deployment', 'deployments', 'deploy', 'deployments.apps'])
      assert.equal(groupResource(resolveKind(list, name)), 'deployments.apps', name);
    // kubectl's own answer for the ambiguous "events": the core group.
    const explained = await kubectl('explain', 'events', '--output=plaintext');
    assert.match(explained, /^VERSION:\s+v1$/m);
    assert.equal(groupResource(resolveKind(list, 'events')), 'events');
  });

  it("lists a CRD's objects as a Table with its printer columns, as `kubectl get -o wide` prints them", async () => {
    const t = await listTable(client, resolveKind(list, 'wg'), { namespace: 'shop' });
    assert.deepEqual(
      t.columns.map((c) => [c.name, c.priority]),
      [
        ['Name', 0],
        ['Size', 0],
        ['Color', 1],
        ['Age', 0],
      ],
    );
    assert.equal(t.rows.length, 1);
    const row = t.rows[0]!;
    assert.deepEqual([row.name, row.namespace], ['big-blue', 'shop']);
    const out = (await kubectl('get', 'widgets', '-n', 'shop', '-o', 'wide', '--no-headers')).trim().split(/\s+/);
    // kubectl -o wide prints every column, in the server's order.
    assert.deepEqual(row.cells.slice(0, 3), out.slice(0, 3));
    assert.deepEqual(out.slice(0, 3), ['big-blue', '7', 'blue']);
    const headers = (await kubectl('get', 'widgets', '-n', 'shop', '-o', 'wide')).split('\n')[0]!.trim().split(/\s+/);
    assert.deepEqual(
      headers,
      t.columns.map((c) => c.name.toUpperCase()),
    );
  });

  it('a Secret as a Table: type and number of keys, no value on the wire', async () => {
    const t = await listTable(client, KINDS.Secret, { namespace: 'shop' });
    const db = t.rows.find((r) => r.name === 'db')!;
    assert.deepEqual(db.cells.slice(0, 3), ['db', 'Opaque', '2']);
    assert.ok(!JSON.stringify(t).includes('correct-horse') && !JSON.stringify(t).includes(Buffer.from('correct-horse').toString('base64')));
  });

  it('sorts the kinds into the folders: common, more, Cluster, Custom Resources', async () => {
    const api = await inside.apiResources.get(ref);
    const f = kindFolders(api.list.resources, api.customResources);
    assert.deepEqual(
      f.custom.map((g) => [g.group, g.resources.map((r) => r.kind)]),
      [['example.com', ['Widget']]],
    );
    assert.equal(f.common.length, 16);
    assert.equal(f.cluster.length, 7);
    assert.ok(f.more.some((r) => r.kind === 'Lease') && f.more.some((r) => r.kind === 'Widget'));
  });

  it('listResources: the inside kinds as before, short names too, any other kind as metadata', async () => {
    const widgets = (await inside.resources(ref, { namespace: 'shop', kind: 'widgets.example.com' })) as OtherResourceInfo[];
    assert.deepEqual(widgets, [
      { kind: 'Widget', group: 'example.com', version: 'v1', resource: 'widgets', namespace: 'shop', name: 'big-blue', created: widgets[0]!.created },
    ]);
    assert.deepEqual(await inside.resources(ref, { kind: 'wg' }), widgets, 'all namespaces without one');
    const secrets = (await inside.resources(ref, { namespace: 'shop', kind: 'secret' })) as OtherResourceInfo[];
    assert.ok(secrets.some((s) => s.name === 'db'));
    assert.ok(!JSON.stringify(secrets).includes(Buffer.from('correct-horse').toString('base64')), 'metadata only');
    const nodes = await inside.resources(ref, { kind: 'nodes' });
    assert.ok(nodes.every((n) => !('namespace' in n)));
    // An inside kind by a short name: the same ResourceInfo shape as by its name.
    const byName = (await inside.resources(ref, { namespace: 'default', kind: 'Service' })) as ResourceInfo[];
    const byShort = (await inside.resources(ref, { namespace: 'default', kind: 'svc' })) as ResourceInfo[];
    assert.deepEqual(byShort, byName);
    assert.ok(byName.some((s) => s.name === 'kubernetes' && s.status === 'ClusterIP'));
    await assert.rejects(inside.resources(ref, { namespace: 'shop', kind: 'gizmos' }), /serves no kind "gizmos".*Widget/s);
  });

  it('sees a CRD added later: its watch tells, and discovery then serves the new kind', async () => {
    const hold = await inside.apiResources.watch(ref);
    try {
      const first = await inside.apiResources.get(ref);
      assert.ok(!first.list.resources.some((r) => r.resource === 'gadgets'));
      const changed = new Promise<void>((resolve) => {
        const sub = inside.apiResources.onDidChange(() => {
          sub.dispose();
          resolve();
        });
      });
      await vc.virtual!.rest.create(CRD_PATH, widgetCrd('tools.example.org', 'gadgets', 'Gadget', 'gd'));
      await changed;
      // After the change the cache reads again; once the CRD is Established and served, the kind is there.
      await established('gadgets.tools.example.org');
      const r = await waitFor('gadgets in the cache', async () => {
        const api = await inside.apiResources.get(ref);
        return api.list.resources.find((x) => x.resource === 'gadgets');
      });
      assert.equal(groupResource(r), 'gadgets.tools.example.org');
      const f = kindFolders((await inside.apiResources.get(ref)).list.resources, (await inside.apiResources.get(ref)).customResources);
      assert.deepEqual(
        f.custom.map((g) => g.group),
        ['example.com', 'tools.example.org'],
      );
      assert.equal(groupResource((await inside.apiResources.resolve(ref, 'gd')).resource), 'gadgets.tools.example.org');
    } finally {
      hold.dispose();
    }
  });

  it('the sync defaults of the kinds table are those of the vcluster chart', async () => {
    const values = YAML.parse(fs.readFileSync(path.join(await vclusterChartDir(), 'values.yaml'), 'utf8')) as {
      sync: { toHost: Record<string, { enabled: boolean; all?: boolean }> };
    };
    for (const [kind, f] of Object.entries(SYNC_FACTS)) {
      const v = values.sync.toHost[f.syncKey];
      assert.ok(v, `${kind}: sync.toHost.${f.syncKey}`);
      assert.equal(f.defaultSynced, v.enabled, `${kind}: enabled`);
      assert.equal(f.all, v.all ?? true, `${kind}: all`);
    }
    assert.equal(values.sync.toHost.configMaps!.enabled, true);
  });
});

describe('API discovery of a server without aggregated discovery', function () {
  this.timeout(120_000);

  it('reads the same resources through /api/v1 and /apis/G/V', async () => {
    const host = await getHost();
    const { KubeClient } = await import('../../src/kube/client');
    const { connectionSpecFor } = await import('../../src/kube/connection');
    const { loadKubeconfig } = await import('../../src/kube/kubeconfig/model');
    const c = new KubeClient(connectionSpecFor(await loadKubeconfig([host.kubeconfigPath]), host.contextName));
    try {
      const aggregated = await discoverResources(c);
      // The same server, asked as a client that knows only the older documents (its answer to application/json).
      const legacyClient = new Proxy(c, {
        get(target, prop, receiver) {
          if (prop === 'get')
            return (p: string, o?: { accept?: string; signal?: AbortSignal }) =>
              target.get(p, { ...o, accept: o?.accept?.includes('apidiscovery') ? 'application/json' : o?.accept });
          return Reflect.get(target, prop, receiver);
        },
      });
      const legacy = await discoverResources(legacyClient);
      assert.equal(legacy.aggregated, false);
      const norm = (l: ApiResourceList) =>
        l.resources.map((r) => ({ ...r, verbs: [...r.verbs].sort(), subresources: [...r.subresources].sort(), categories: [...r.categories].sort() }));
      assert.deepEqual(norm(legacy), norm(aggregated));
    } finally {
      c.dispose();
    }
  });
});
