import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HostCluster } from '../harness/cluster/controlPlane';
import YAML from 'yaml';
import { buildWorld, createRestrictedUser, type World } from '../harness/worlds/worlds';
import { runProgram } from '../harness/cluster/processes';
import { toolPath } from '../../scripts/lib/toolchain.mjs';
import { pauseVCluster, resumeVCluster } from '../../src/vcluster/lifecycle';
import type { KubeList, Pod, Workload } from '../../src/kube/types';
import { waitFor } from '../harness/cluster/rest';
import { getHost, uniqueNamespace } from './setup';
import { productModel, type ProductModel } from './product';

// Pause and resume through the API must leave the host exactly as the CLI's own pause/resume would, so that
// `vcluster list` (the real CLI) agrees and `vcluster resume` can undo our pause. Fixtures, for the layouts a real
// vcluster does not reach quickly and for the model's watches and outages over many vclusters; pause and resume of a
// real vcluster, by the product and by the CLI, are in test/cluster/real-node-vcluster.test.ts.

async function cliList(host: HostCluster): Promise<{ Name: string; Namespace: string; Status: string }[]> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-cli-home-'));
  try {
    const r = await runProgram(toolPath('vcluster'), ['list', '--output', 'json', '--context', host.contextName], {
      env: { ...process.env, HOME: home, KUBECONFIG: host.kubeconfigPath },
      timeoutMs: 120_000,
      allowFailure: true,
    });
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout || 'null') ?? [];
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

async function cli(host: HostCluster, args: string[]): Promise<void> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-cli-home-'));
  try {
    const r = await runProgram(toolPath('vcluster'), args, {
      env: { ...process.env, HOME: home, KUBECONFIG: host.kubeconfigPath },
      timeoutMs: 120_000,
      allowFailure: true,
    });
    assert.equal(r.code, 0, `vcluster ${args.join(' ')}: ${r.stdout}\n${r.stderr}`);
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

describe('pause and resume through the API, checked with the real CLI', function () {
  this.timeout(240_000);
  let host: HostCluster;
  let world: World;
  let p: ProductModel;
  const ns = uniqueNamespace('life');

  before(async () => {
    host = await getHost();
    world = await buildWorld(host, [
      {
        name: 'sleeper',
        namespace: ns,
        access: 'server',
        workloads: [
          { kind: 'Pod', namespace: 'default', name: 'app-a' },
          { kind: 'Pod', namespace: 'default', name: 'app-b' },
          { kind: 'ConfigMap', namespace: 'default', name: 'kept' },
        ],
      },
    ]);
    p = productModel([host.kubeconfigPath]);
    await p.model.reloadKubeconfig();
  });
  after(() => p?.dispose());

  const sts = () => host.rest.get(`/apis/apps/v1/namespaces/${ns}/statefulsets/sleeper`) as Promise<Workload>;
  const syncedPods = async () =>
    ((await host.rest.get(`/api/v1/namespaces/${ns}/pods?labelSelector=vcluster.loft.sh/managed-by%3Dsleeper`)) as KubeList<Pod>).items;

  it("pause: replicas 0, the CLI's annotations, synced pods deleted, and `vcluster list` says Paused", async () => {
    assert.ok((await syncedPods()).length >= 2, 'the world synced pods to the host');
    const before = await sts();
    const lines: string[] = [];
    await pauseVCluster(p.model.client(host.contextName), ns, 'sleeper', { waitMs: 20_000, log: (l) => lines.push(l) });
    const after = await sts();
    assert.equal(after.spec?.replicas, 0);
    assert.equal(after.metadata.annotations?.['loft.sh/paused'], 'true');
    assert.equal(after.metadata.annotations?.['loft.sh/paused-replicas'], String(before.spec?.replicas ?? 1));
    assert.match(after.metadata.annotations?.['loft.sh/paused-date'] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal((await syncedPods()).length, 0, 'synced workload pods are deleted');
    const cm = (await host.rest.get(`/api/v1/namespaces/${ns}/configmaps?labelSelector=vcluster.loft.sh/managed-by%3Dsleeper`)) as KubeList;
    assert.ok(cm.items.length >= 1, 'other synced objects are kept');
    const entry = (await cliList(host)).find((e) => e.Name === 'sleeper' && e.Namespace === ns);
    assert.equal(entry?.Status, 'Paused');
    const ours = (await p.model.vclusters(host.contextName, true)).namespaces.flatMap((n) => n.vclusters).find((v) => v.ref.name === 'sleeper');
    assert.equal(ours?.status, 'Paused');
    assert.ok(lines.some((l) => /Scale down/.test(l)));
  });

  it('pausing twice is harmless, and the real `vcluster resume` undoes our pause', async () => {
    await pauseVCluster(p.model.client(host.contextName), ns, 'sleeper', { waitMs: 1000 });
    await cli(host, ['resume', 'sleeper', '--namespace', ns]);
    const w = await sts();
    assert.equal(w.spec?.replicas, 1);
    assert.equal(w.metadata.annotations?.['loft.sh/paused'], undefined);
  });

  it('resume undoes the real `vcluster pause`: replicas back, annotations gone', async () => {
    await cli(host, ['pause', 'sleeper', '--namespace', ns]).catch(() => undefined);
    let w = await sts();
    if (w.metadata.annotations?.['loft.sh/paused'] !== 'true') {
      // The CLI waits for status.replicas to reach 0; when its wait fails after patching, the patch is still there.
      assert.fail(`vcluster pause did not annotate the StatefulSet: ${JSON.stringify(w.metadata.annotations)}`);
    }
    await resumeVCluster(p.model.client(host.contextName), ns, 'sleeper');
    w = await sts();
    assert.equal(w.spec?.replicas, 1);
    for (const a of ['loft.sh/paused', 'loft.sh/paused-replicas', 'loft.sh/paused-date']) assert.equal(w.metadata.annotations?.[a], undefined, a);
    const entry = (await cliList(host)).find((e) => e.Name === 'sleeper' && e.Namespace === ns);
    assert.notEqual(entry?.Status, 'Paused');
  });

  it('resume refuses a vcluster that is not paused, with a clear message', async () => {
    await assert.rejects(resumeVCluster(p.model.client(host.contextName), ns, 'sleeper'), /No paused vcluster "sleeper" was found in namespace/);
    await assert.rejects(pauseVCluster(p.model.client(host.contextName), ns, 'nope'), /No vcluster "nope" was found/);
  });

  it('world bookkeeping is intact', () => {
    assert.equal(world.find('sleeper', ns).name, 'sleeper');
  });
});

describe('the model stays live: watches and recovery', function () {
  this.timeout(240_000);

  it('sees a vcluster created in the host without a manual refresh', async () => {
    const host = await getHost();
    const p = productModel([host.kubeconfigPath], { watch: true, debounceMs: 50 });
    try {
      const ns = uniqueNamespace('watch');
      await p.model.vclusters(host.contextName);
      const changed = new Promise<void>((resolve) =>
        p.model.onDidChange((e) => {
          if (e.scope === 'context') resolve();
        }),
      );
      await buildWorld(host, [{ name: 'newcomer', namespace: ns, access: 'none' }]);
      await changed;
      const names = (await p.model.vclusters(host.contextName)).namespaces.flatMap((n) => n.vclusters).map((v) => `${v.ref.namespace}/${v.ref.name}`);
      assert.ok(names.includes(`${ns}/newcomer`), names.join(', '));
    } finally {
      p.dispose();
    }
  });

  it('delivers the first change of a burst at once and coalesces the rest into one more refresh', async () => {
    const host = await getHost();
    // a window far longer than the test may wait: only the leading-edge refresh can be seen in time
    const p = productModel([host.kubeconfigPath], { watch: true, debounceMs: 20_000 });
    try {
      const ns = uniqueNamespace('burst');
      await p.model.vclusters(host.contextName);
      const client = p.model.client(host.contextName);
      // the three watches (StatefulSets, Deployments, pods) open their streams just after discovery
      const listed = client.requests;
      await waitFor('the watches to start', async () => client.requests >= listed + 3, 10_000, 20);
      const changes: number[] = [];
      p.model.onDidChange((e) => {
        if (e.scope === 'context') changes.push(Date.now());
      });
      const t0 = Date.now();
      const requestsBefore = client.requests;
      await buildWorld(host, [{ name: 'first', namespace: ns, access: 'none' }]);
      await waitFor('the first change in the model', async () => changes.length > 0, 10_000, 50);
      const names = (await p.model.vclusters(host.contextName)).namespaces.flatMap((n) => n.vclusters).map((v) => `${v.ref.namespace}/${v.ref.name}`);
      assert.ok(names.includes(`${ns}/first`), 'the first change is in the model');
      assert.ok(changes[0]! - t0 < 10_000);
      // the change was in one namespace: only that namespace was listed again (four lists), not the whole cluster
      assert.equal(client.requests - requestsBefore, 4);
      // the rest of the burst (the pod and more StatefulSets) falls into the window: no further refresh before its end
      const before = client.requests;
      await buildWorld(host, [
        { name: 'second', namespace: ns, access: 'none' },
        { name: 'third', namespace: ns, access: 'none' },
      ]);
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(changes.length, 1, 'one refresh so far, the rest waits for the end of the window');
      assert.equal(client.requests - before, 0, 'no list made during the window');
    } finally {
      p.dispose();
    }
  });

  it('reports an unreachable API server as an error and recovers by itself when it is back', async () => {
    const host = await getHost();
    const ns = uniqueNamespace('outage');
    await buildWorld(host, [{ name: 'survivor', namespace: ns, access: 'none' }]);
    const p = productModel([host.kubeconfigPath], { watch: true, debounceMs: 50, timeoutMs: 3000 });
    try {
      await p.model.vclusters(host.contextName);
      const failed = new Promise<void>((resolve) =>
        p.model.onDidChange(() => {
          if (p.model.watchError(host.contextName)) resolve();
        }),
      );
      let t = Date.now();
      await host.stopApiServer();
      await failed;
      const timing = [`error seen after ${Date.now() - t} ms`];
      await assert.rejects(p.model.vclusters(host.contextName, true), (err: Error) => /unreachable|Cannot reach|did not answer/i.test(err.message));
      const recovered = new Promise<void>((resolve) =>
        p.model.onDidChange(() => {
          if (!p.model.watchError(host.contextName)) resolve();
        }),
      );
      t = Date.now();
      await host.startApiServer();
      timing.push(`API server restarted in ${Date.now() - t} ms`);
      t = Date.now();
      await recovered;
      timing.push(`recovery seen ${Date.now() - t} ms later`);
      console.log(`      ${timing.join('; ')}`);
      const result = await p.model.vclusters(host.contextName);
      assert.ok(
        result.namespaces.some((n) => n.name === ns),
        'the vcluster is listed again after the outage',
      );
    } finally {
      if (
        !(await host.rest.get('/version').then(
          () => true,
          () => false,
        ))
      )
        await host.startApiServer();
      p.dispose();
    }
  });

  it('watches what discovery could list: a user limited to one namespace gets a live tree, not a Forbidden watch', async () => {
    const host = await getHost();
    const ns = uniqueNamespace('rbac-watch');
    await buildWorld(host, [{ name: 'watched', namespace: ns, access: 'none' }]);
    const user = await createRestrictedUser(host, ns, `restricted-${ns}`, `restricted-${ns}`);
    const doc = YAML.parse(user.kubeconfig) as { contexts: { context: Record<string, string> }[] };
    doc.contexts[0]!.context.namespace = ns;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-rbac-watch-'));
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, YAML.stringify(doc), { mode: 0o600 });
    const p = productModel([file], { watch: true, debounceMs: 50 });
    try {
      assert.equal((await p.model.vclusters(user.contextName)).restricted, true);
      const changed = new Promise<void>((resolve) =>
        p.model.onDidChange((e) => {
          if (e.scope === 'context') resolve();
        }),
      );
      await host.rest.patch(`/apis/apps/v1/namespaces/${ns}/statefulsets/watched`, { metadata: { annotations: { 'loft.sh/paused': 'true' } } });
      await changed;
      assert.equal(p.model.watchError(user.contextName), undefined, 'the watches are allowed');
      const v = (await p.model.vclusters(user.contextName)).namespaces.flatMap((n) => n.vclusters)[0];
      assert.equal(v?.status, 'Paused', 'the change arrived through the watch');
    } finally {
      p.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a virtual API server that is down fails only its own subtree', async () => {
    const host = await getHost();
    const ns = uniqueNamespace('vdown');
    const world = await buildWorld(host, [
      { name: 'fragile', namespace: ns, nested: [{ name: 'child', namespace: 'inside', access: 'none' }] },
      { name: 'sturdy', namespace: ns + '-b', nested: [{ name: 'kid', namespace: 'inside', access: 'none' }] },
    ]);
    const p = productModel([host.kubeconfigPath], { timeoutMs: 3000 });
    try {
      const fragile = { context: host.contextName, namespace: ns, name: 'fragile' };
      const sturdy = { context: host.contextName, namespace: ns + '-b', name: 'sturdy' };
      assert.equal((await p.model.nested(fragile)).namespaces.length, 1);
      await world.find('fragile', ns).virtual!.stop();
      await assert.rejects(p.model.nested(fragile, true), /Cannot reach|did not answer|unreachable/i);
      const others = (await p.model.nested(sturdy, true)).namespaces.flatMap((n) => n.vclusters).map((v) => v.ref.name);
      assert.deepEqual(others, ['kid']);
      const hostList = (await p.model.vclusters(host.contextName, true)).namespaces.flatMap((n) => n.vclusters).map((v) => v.ref.name);
      assert.ok(hostList.includes('fragile') && hostList.includes('sturdy'));
    } finally {
      p.dispose();
    }
  });

  it('times out instead of hanging when the API server is stopped with SIGSTOP', async () => {
    const host = await getHost();
    const p = productModel([host.kubeconfigPath], { timeoutMs: 2000 });
    try {
      host.pauseApiServer();
      const t0 = Date.now();
      await assert.rejects(p.model.vclusters(host.contextName, true), /did not answer within 2 s/);
      assert.ok(Date.now() - t0 < 10_000);
    } finally {
      host.resumeApiServer();
      p.dispose();
    }
  });
});
