import assert from 'node:assert/strict';
import type { HostCluster } from '../harness/cluster/controlPlane';
import { buildWorld, createLongNameSyncedObject, type BuiltVCluster, type World } from '../harness/worlds/worlds';
import { MAPPED_KINDS } from '../../src/vcluster/mapping';
import type { MappingModel } from '../../src/shared/model';
import { getHost, uniqueNamespace } from './setup';
import { productModel, type ProductModel } from './product';

// The mapping model on real API servers: a virtual API server with objects, and their host twins laid out by the
// worlds (vcluster's own rules written down in test/harness/worlds/worlds.ts, not taken from the product's code), including
// hashed names, host objects without annotations (name-rule fallback), orphans, virtual-only objects and a nested
// vcluster.

describe('virtual → host mapping on real API servers', function () {
  this.timeout(180_000);
  let host: HostCluster;
  let world: World;
  let vc: BuiltVCluster;
  let p: ProductModel;
  let model: MappingModel;
  const ns = uniqueNamespace('map');

  before(async () => {
    host = await getHost();
    world = await buildWorld(host, [
      {
        name: 'mapper',
        namespace: ns,
        workloads: [
          { kind: 'Pod', namespace: 'default', name: 'web' },
          { kind: 'Service', namespace: 'default', name: 'web' },
          { kind: 'Endpoints', namespace: 'default', name: 'web' },
          { kind: 'ConfigMap', namespace: 'default', name: 'web-config' },
          { kind: 'Secret', namespace: 'default', name: 'web-credentials' },
          { kind: 'PersistentVolumeClaim', namespace: 'shop', name: 'orders-data' },
          { kind: 'Pod', namespace: 'shop', name: 'unannotated', mode: 'unannotated' },
          { kind: 'ConfigMap', namespace: 'shop', name: 'only-virtual', mode: 'virtual-only' },
          { kind: 'ConfigMap', namespace: 'shop', name: 'stale-config', mode: 'host-only' },
          { kind: 'Deployment', namespace: 'shop', name: 'orders' },
        ],
        nested: [{ name: 'inner', namespace: 'nested', workloads: [{ kind: 'Pod', namespace: 'default', name: 'hello' }] }],
      },
    ]);
    vc = world.find('mapper', ns);
    await createLongNameSyncedObject(vc);
    p = productModel([host.kubeconfigPath]);
    const services = await import('../../src/vcluster/mapping');
    const ref = { context: host.contextName, namespace: ns, name: 'mapper' };
    model = await services.fetchMapping({ ref, host: await p.model.hostClientOf(ref), hostNamespace: ns, virtual: (await p.model.reach(ref)).client });
  });
  after(() => p?.dispose());

  const mappedKinds = new Set<string>(MAPPED_KINDS.map((k) => k.kind));

  it('has a row with the right state and host name for every object the world built', () => {
    const built = vc.objects.filter((o) => mappedKinds.has(o.kind));
    assert.ok(built.length >= 10, `world built ${built.length} mapped objects`);
    for (const o of built) {
      const row = model.rows.find(
        (r) => r.kind === o.kind && (o.virtual ? r.virtualNamespace === o.virtual.namespace && r.virtualName === o.virtual.name : r.hostName === o.host?.name),
      );
      assert.ok(row, `no row for ${o.kind} ${JSON.stringify(o.virtual ?? o.host)}`);
      const expected = o.mode === 'virtual-only' ? 'virtual-only' : o.mode === 'host-only' ? 'host-only' : 'synced';
      assert.equal(row.state, expected, `${o.kind} ${o.virtual?.name ?? o.host?.name}`);
      if (o.host) {
        assert.equal(row.hostName, o.host.name);
        assert.equal(row.hostNamespace, ns);
      }
      if (o.mode === 'unannotated') assert.equal(row.joinedBy, 'name');
      // The host's endpoints controller, not the syncer, writes the Endpoints of a Service with a selector: no
      // vcluster annotations, so the name rule joins them (as the real syncer's output showed).
      if (o.mode === 'synced' && o.virtual) assert.equal(row.joinedBy, o.kind === 'Endpoints' ? 'name' : 'annotation', `${o.kind} ${o.virtual.name}`);
    }
  });

  it('finds the hashed host name of a long virtual name', () => {
    const row = model.rows.find((r) => r.virtualName === 'a-very-long-configuration-object-name-that-will-not-fit-on-the-host');
    assert.ok(row);
    assert.equal(row.state, 'synced');
    assert.ok(row.hostName && row.hostName.length <= 63, row.hostName);
    const built = vc.objects.find((o) => o.virtual?.name === row.virtualName);
    assert.equal(row.hostName, built?.host?.name);
  });

  it('maps the virtual default/kubernetes Service onto the host Service of the vcluster', () => {
    const row = model.rows.find((r) => r.kind === 'Service' && r.virtualNamespace === 'default' && r.virtualName === 'kubernetes');
    assert.equal(row?.state, 'synced');
    assert.equal(row?.hostName, 'mapper');
  });

  it("shows the nested vcluster's control plane as synced objects of its parent", () => {
    const pod = model.rows.find((r) => r.kind === 'Pod' && r.virtualNamespace === 'nested' && r.virtualName === 'inner-0');
    assert.equal(pod?.state, 'synced');
  });

  it('carries statuses, a consistent summary, and no Secret or ConfigMap data', () => {
    const web = model.rows.find((r) => r.kind === 'Pod' && r.virtualName === 'web');
    assert.ok(web?.virtualStatus && web.hostStatus, 'pod statuses on both sides');
    const s = model.summary;
    assert.equal(s.synced + s.virtualOnly + s.hostOnly, model.rows.length);
    assert.equal(s.hostOnly, model.rows.filter((r) => r.state === 'host-only').length);
    const json = JSON.stringify(model);
    assert.ok(!json.includes('"data"'), 'no data field anywhere in the model');
    assert.deepEqual(model.errors, []);
  });

  it('also works for a nested vcluster (virtual API of the parent acts as its host)', async () => {
    const services = await import('../../src/vcluster/mapping');
    const ref = { context: host.contextName, namespace: 'nested', name: 'inner', parents: [{ namespace: ns, name: 'mapper' }] };
    const m = await services.fetchMapping({ ref, host: await p.model.hostClientOf(ref), hostNamespace: 'nested', virtual: (await p.model.reach(ref)).client });
    const hello = m.rows.find((r) => r.kind === 'Pod' && r.virtualName === 'hello');
    assert.equal(hello?.state, 'synced');
    assert.equal(hello?.hostNamespace, 'nested');
  });
});
