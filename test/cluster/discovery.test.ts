import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import type { HostCluster } from '../harness/cluster/controlPlane';
import { buildWorld, type World } from '../harness/worlds/worlds';
import { runProgram } from '../harness/cluster/processes';
import { toolPath } from '../../scripts/lib/toolchain.mjs';
import type { VClusterInfo } from '../../src/shared/model';
import { discover } from '../../src/vcluster/discovery';
import { getHost, uniqueNamespace } from './setup';
import { productModel, type ProductModel } from './product';

// Discovery and status on real API servers, against worlds laid out as the chart and syncer do, and against the
// real vcluster CLI's `list`: the tree must say what `vcluster list` says. Fixtures, because one world holds every
// status at once (sleeping, crash loops, scaled down, an old 0.20 Deployment layout, k3s); the status of a real
// vcluster through its life is checked in test/cluster/real-node-vcluster.test.ts.

describe('discovery on a real control plane', function () {
  this.timeout(180_000);
  let host: HostCluster;
  let world: World;
  let p: ProductModel;
  const ns = {
    running: uniqueNamespace('disc-run'),
    paused: uniqueNamespace('disc-paused'),
    pending: uniqueNamespace('disc-pending'),
    crash: uniqueNamespace('disc-crash'),
    init: uniqueNamespace('disc-init'),
    scaled: uniqueNamespace('disc-scaled'),
    sleeping: uniqueNamespace('disc-sleep'),
    deploy: uniqueNamespace('disc-deploy'),
    nested: uniqueNamespace('disc-nest'),
  };

  before(async () => {
    host = await getHost();
    world = await buildWorld(host, [
      { name: 'alpha', namespace: ns.running, access: 'none' },
      { name: 'paused', namespace: ns.paused, state: 'Paused' },
      { name: 'waiting', namespace: ns.pending, state: 'Pending' },
      { name: 'crashy', namespace: ns.crash, state: 'CrashLoopBackOff' },
      { name: 'initing', namespace: ns.init, state: 'Init:1/3' },
      { name: 'scaled', namespace: ns.scaled, state: 'ScaledDown', version: '0.34.0' },
      { name: 'sleepy', namespace: ns.sleeping, state: 'Sleeping', access: 'none' },
      { name: 'deployed', namespace: ns.deploy, kind: 'Deployment', version: '0.20.0', distro: 'k3s', access: 'none' },
      {
        name: 'outer',
        namespace: ns.nested,
        nested: [
          {
            name: 'middle',
            namespace: 'level-1',
            nested: [
              { name: 'deepest', namespace: 'level-2' },
              { name: 'stopped', namespace: 'level-2b', state: 'Paused' },
            ],
          },
        ],
      },
    ]);
    p = productModel([host.kubeconfigPath]);
  });
  after(() => p?.dispose());

  function mine(list: readonly VClusterInfo[]): VClusterInfo[] {
    const wanted = new Set(Object.values(ns));
    return list.filter((v) => wanted.has(v.ref.namespace));
  }

  it('finds every vcluster of the world with the status, kind and version the chart and CLI imply', async () => {
    const result = await p.model.vclusters(host.contextName, true);
    const found = mine(result.namespaces.flatMap((n) => n.vclusters));
    const expected = world.vclusters;
    assert.equal(found.length, expected.length, `found ${found.map((v) => v.ref.name).join(', ')}`);
    for (const e of expected) {
      const v = found.find((x) => x.ref.name === e.name && x.ref.namespace === e.namespace);
      assert.ok(v, `vcluster ${e.namespace}/${e.name} was not found`);
      assert.equal(v.status, e.expectedStatus, `status of ${e.name}`);
      assert.equal(v.kind, e.kind, `kind of ${e.name}`);
      assert.equal(v.version, e.version, `version of ${e.name}`);
      assert.equal(v.ref.context, host.contextName);
    }
    assert.equal(found.find((v) => v.ref.name === 'paused')?.phase, 'paused');
    assert.equal(found.find((v) => v.ref.name === 'crashy')?.phase, 'failing');
    assert.equal(found.find((v) => v.ref.name === 'initing')?.phase, 'pending');
    assert.equal(found.find((v) => v.ref.name === 'deployed')?.distro, 'k3s');
    assert.ok(result.requests <= 4, `discovery made ${result.requests} requests`);
    assert.equal(result.restricted, false);
  });

  it('reads large lists in pages (limit/continue) and finds exactly what one request per list finds', async () => {
    const client = p.model.client(host.contextName);
    const opts = { rootContext: host.contextName, foundInContext: host.contextName };
    const whole = await discover(client, { ...opts, pageLimit: 0 });
    const paged = await discover(client, { ...opts, pageLimit: 2 });
    const summary = (r: typeof whole) => r.namespaces.flatMap((n) => n.vclusters.map((v) => `${v.ref.namespace}/${v.ref.name} ${v.status} ${v.kind}`));
    assert.ok(summary(whole).length >= world.vclusters.length);
    assert.deepEqual(summary(paged), summary(whole));
    assert.equal(whole.requests, 4);
    // at least three StatefulSets and three vcluster pods: every list of more than two objects takes more requests
    assert.ok(paged.requests >= 8, `paged discovery made ${paged.requests} requests`);
  });

  it('agrees with `vcluster list --output json` for every vcluster', async function () {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-cli-home-'));
    try {
      const r = await runProgram(toolPath('vcluster'), ['list', '--output', 'json', '--context', host.contextName], {
        env: { ...process.env, HOME: home, KUBECONFIG: host.kubeconfigPath },
        timeoutMs: 120_000,
        allowFailure: true,
      });
      assert.equal(r.code, 0, r.stderr);
      const cli = JSON.parse(r.stdout || 'null') as { Name: string; Namespace: string; Status: string; Version: string }[] | null;
      const ours = mine((await p.model.vclusters(host.contextName, true)).namespaces.flatMap((n) => n.vclusters));
      const cliMine = (cli ?? []).filter((c) => Object.values(ns).includes(c.Namespace));
      assert.equal(cliMine.length, ours.length);
      for (const c of cliMine) {
        const v = ours.find((x) => x.ref.name === c.Name && x.ref.namespace === c.Namespace);
        assert.ok(v, `${c.Namespace}/${c.Name} is listed by the CLI but not by us`);
        assert.equal(v.status, c.Status, `status of ${c.Name}: ours ${v.status}, CLI ${c.Status}`);
        assert.equal(v.version, c.Version, `version of ${c.Name}`);
      }
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('discovers nested vclusters two levels deep through the virtual API servers', async () => {
    const outer = world.find('outer', ns.nested);
    const outerRef = { context: host.contextName, namespace: outer.namespace, name: outer.name };
    const level1 = (await p.model.nested(outerRef)).namespaces.flatMap((n) => n.vclusters);
    assert.deepEqual(
      level1.map((v) => `${v.ref.namespace}/${v.ref.name}`),
      ['level-1/middle'],
    );
    assert.deepEqual(level1[0]!.ref.parents, [{ namespace: ns.nested, name: 'outer' }]);
    assert.equal(level1[0]!.status, 'Running');
    const level2 = (await p.model.nested(level1[0]!.ref)).namespaces.flatMap((n) => n.vclusters);
    assert.deepEqual(level2.map((v) => `${v.ref.namespace}/${v.ref.name}:${v.status}`).sort(), ['level-2/deepest:Running', 'level-2b/stopped:Paused']);
    assert.deepEqual(level2[0]!.ref.parents, [
      { namespace: ns.nested, name: 'outer' },
      { namespace: 'level-1', name: 'middle' },
    ]);
  });

  it('refuses to go deeper than the depth limit, and says why', async () => {
    const shallow = productModel([host.kubeconfigPath], { nestedMaxDepth: 1 });
    try {
      const outerRef = { context: host.contextName, namespace: ns.nested, name: 'outer' };
      const level1 = (await shallow.model.nested(outerRef)).namespaces.flatMap((n) => n.vclusters);
      await assert.rejects(shallow.model.nested(level1[0]!.ref), /depth 1/);
    } finally {
      shallow.dispose();
    }
  });

  it('explains why a vcluster without a reachable API server cannot be expanded', async () => {
    const ref = { context: host.contextName, namespace: ns.pending, name: 'waiting' };
    await assert.rejects(p.model.nested(ref), /vc-waiting|reach|answer|refused/i);
  });
});

describe('discovery with a user that may only read one namespace', function () {
  this.timeout(180_000);
  it('falls back to the namespace of the context and says so', async () => {
    const host = await getHost();
    const ns = uniqueNamespace('rbac');
    await buildWorld(host, [{ name: 'mine', namespace: ns, access: 'none' }]);
    const { createRestrictedUser } = await import('../harness/worlds/worlds');
    const user = await createRestrictedUser(host, ns, `restricted-${ns}`, `restricted-${ns}`);
    // Without a namespace in the context, the fallback (like the CLI's) looks in "default", which is forbidden too.
    const withoutNs = productModel([user.kubeconfigPath]);
    try {
      await assert.rejects(withoutNs.model.vclusters(user.contextName, true), /forbidden cluster-wide and in namespace "default"/);
    } finally {
      withoutNs.dispose();
    }
    const doc = YAML.parse(user.kubeconfig) as { contexts: { context: Record<string, string> }[] };
    doc.contexts[0]!.context.namespace = ns;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-rbac-'));
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, YAML.stringify(doc), { mode: 0o600 });
    const p = productModel([file]);
    try {
      const result = await p.model.vclusters(user.contextName, true);
      assert.equal(result.restricted, true);
      assert.deepEqual(result.searchedNamespaces, [ns]);
      assert.deepEqual(
        result.namespaces.flatMap((n) => n.vclusters).map((v) => v.ref.name),
        ['mine'],
      );
    } finally {
      p.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
