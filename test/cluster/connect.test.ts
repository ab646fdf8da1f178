import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import type { HostCluster } from '../harness/cluster/controlPlane';
import { runProgram } from '../harness/cluster/processes';
import { waitFor } from '../harness/cluster/rest';
import { buildWorld, podStatusFor, type World } from '../harness/worlds/worlds';
import { toolPath } from '../../scripts/lib/toolchain.mjs';
import { KubeconfigWriter } from '../../src/kube/kubeconfig/writer';
import { connectVCluster, disconnectContext } from '../../src/vcluster/connect';
import { getHost, uniqueNamespace } from './setup';
import { productModel, type ProductModel } from './product';

// Connect without VS Code: the domain function the command calls reaches the vcluster's kubeconfig through the host,
// chooses the endpoint, probes the virtual API server and writes the context; real kubectl then uses that context.
// The vclusters are fixtures (test/harness/worlds/worlds.ts): a LoadBalancer ingress, a pod still starting, a kubeconfig
// secret written late or never are states a real vcluster does not reach quickly here. Connect to a real vcluster
// through the tunnel over the real kubelet: test/cluster/real-node-vcluster.test.ts and the integration suite.

describe('connect (the domain function, without VS Code)', function () {
  this.timeout(180_000);
  let host: HostCluster;
  let world: World;
  let p: ProductModel;
  let dir: string;
  let file: string;
  const ns = uniqueNamespace('conn');

  before(async () => {
    host = await getHost();
    world = await buildWorld(host, [
      { name: 'direct', namespace: ns, access: 'server', workloads: [{ kind: 'ConfigMap', namespace: 'default', name: 'marker' }] },
      { name: 'balanced', namespace: ns, access: 'loadbalancer' },
      { name: 'silent', namespace: ns, state: 'Running', access: 'none' },
      // Coming up: its pod is not ready yet (its secret is already there), or its pod just turned ready and the secret
      // is not written yet, or it never comes up.
      { name: 'starting', namespace: ns, state: 'ContainerCreating', access: 'server', kubeconfigSecret: true },
      { name: 'late', namespace: ns, state: 'Running', access: 'server', kubeconfigSecret: false },
      { name: 'stuck', namespace: ns, state: 'ContainerCreating', access: 'server', kubeconfigSecret: true },
    ]);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-connect-'));
    file = path.join(dir, 'config');
    fs.copyFileSync(host.kubeconfigPath, file);
    p = productModel([file]);
    await p.model.reloadKubeconfig();
  });
  after(() => {
    p?.dispose();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const deps = () => ({ model: p.model, tunnels: p.tunnels, timeoutMs: 15_000 });
  const kubectl = (args: string[]) => runProgram(toolPath('kubectl'), ['--kubeconfig', file, ...args], { allowFailure: true, timeoutMs: 60_000 });
  const currentContext = () => (YAML.parse(fs.readFileSync(file, 'utf8')) as { 'current-context'?: string })['current-context'];

  it('writes the context named as `vcluster connect` names it, makes it current, and kubectl reaches the virtual cluster', async () => {
    const ref = { context: host.contextName, namespace: ns, name: 'direct' };
    const steps: string[] = [];
    const c = await connectVCluster(deps(), ref, new KubeconfigWriter({ files: [file] }), { report: (s) => steps.push(s) });
    assert.equal(c.contextName, `vcluster_direct_${ns}_${host.contextName}`);
    assert.equal(c.endpoint.kind, 'secret');
    assert.equal(c.endpoint.server, world.find('direct', ns).endpoint);
    assert.equal(c.tunnel, undefined, 'a direct endpoint needs no tunnel');
    assert.deepEqual(steps.slice(0, 2), ['reading the vcluster kubeconfig', 'choosing the endpoint']);
    assert.equal(currentContext(), c.contextName);
    const r = await kubectl(['get', 'configmap', 'marker', '-n', 'default', '-o', 'jsonpath={.metadata.name}']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'marker', 'the object exists only in the virtual cluster');
    assert.ok(
      p.model.snapshot()?.contexts.some((x) => x.name === c.contextName && x.vcluster?.name === 'direct'),
      'the model re-read the kubeconfig',
    );
  });

  it('a vcluster behind a LoadBalancer: the ingress address becomes the server, and kubectl reaches it', async () => {
    const ref = { context: host.contextName, namespace: ns, name: 'balanced' };
    const c = await connectVCluster(deps(), ref, new KubeconfigWriter({ files: [file] }));
    assert.equal(c.endpoint.kind, 'loadBalancer');
    const r = await kubectl(['--context', c.contextName, 'get', 'namespace', 'default', '-o', 'jsonpath={.metadata.name}']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'default');
  });

  it('disconnect goes back to the parent context and keeps the vcluster context, or removes it when asked', async () => {
    const ref = { context: host.contextName, namespace: ns, name: 'direct' };
    const writer = new KubeconfigWriter({ files: [file] });
    const c = await connectVCluster(deps(), ref, writer);
    assert.equal(await disconnectContext(writer, await p.model.reloadKubeconfig(), c.contextName, { removeContext: false }), host.contextName);
    assert.equal(currentContext(), host.contextName);
    const kept = await kubectl(['config', 'get-contexts', c.contextName, '-o', 'name']);
    assert.equal(kept.stdout.trim(), c.contextName, 'the context stays, as `vcluster disconnect` leaves it');
    await connectVCluster(deps(), ref, writer);
    await disconnectContext(writer, await p.model.reloadKubeconfig(), c.contextName, { removeContext: true });
    assert.equal(currentContext(), host.contextName);
    const gone = await kubectl(['config', 'get-contexts', c.contextName, '-o', 'name']);
    assert.notEqual(gone.code, 0, 'kubectl no longer finds the context');
    await assert.rejects(disconnectContext(writer, await p.model.reloadKubeconfig(), host.contextName, { removeContext: false }), /is not a vcluster context/);
  });

  it('when the virtual API server does not answer, it says so and writes nothing', async () => {
    const before = fs.readFileSync(file, 'utf8');
    const ref = { context: host.contextName, namespace: ns, name: 'silent' };
    await assert.rejects(connectVCluster(deps(), ref, new KubeconfigWriter({ files: [file] })), /silent/);
    assert.equal(fs.readFileSync(file, 'utf8'), before, 'the kubeconfig is unchanged');
  });

  it('a vcluster still starting: Connect waits until its pod is ready, as `vcluster connect` does, then connects', async () => {
    const ref = { context: host.contextName, namespace: ns, name: 'starting' };
    const steps: string[] = [];
    let madeReady = false;
    const connecting = connectVCluster(deps(), ref, new KubeconfigWriter({ files: [file] }), { report: (s) => steps.push(s) });
    await waitFor(
      'Connect to report that it waits',
      async () => steps.some((s) => s.includes('waiting for the vcluster to come up: pod starting-0 (ContainerCreating)')),
      30_000,
      200,
    );
    const pod = await host.rest.get(`/api/v1/namespaces/${ns}/pods/starting-0`);
    await host.rest.patch(`/api/v1/namespaces/${ns}/pods/starting-0/status`, { status: podStatusFor('Running', pod) });
    madeReady = true;
    const c = await connecting.then((r) => ({ ...r, after: madeReady }));
    assert.ok(c.after, 'it connected only after the pod was ready');
    assert.equal(c.endpoint.server, world.find('starting', ns).endpoint);
    assert.equal(currentContext(), c.contextName);
  });

  it('a vcluster whose pod just turned ready: Connect waits for its kubeconfig secret to be written', async () => {
    const ref = { context: host.contextName, namespace: ns, name: 'late' };
    const steps: string[] = [];
    const connecting = connectVCluster(deps(), ref, new KubeconfigWriter({ files: [file] }), { report: (s) => steps.push(s) });
    await waitFor('Connect to report that it waits', async () => steps.some((s) => s.includes('its kubeconfig secret vc-late')), 30_000, 200);
    // What the syncer would write: the same kind of kubeconfig as the other vcluster's (a real virtual API server).
    const model = await host.rest.get(`/api/v1/namespaces/${ns}/secrets/vc-direct`);
    await host.rest.request('POST', `/api/v1/namespaces/${ns}/secrets`, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'vc-late', namespace: ns },
      data: model.data,
    });
    const c = await connecting;
    assert.equal(c.contextName, `vcluster_late_${ns}_${host.contextName}`);
    assert.equal(currentContext(), c.contextName);
  });

  it('a vcluster that does not come up: Connect gives up after its wait, says what it waited for, and writes nothing', async () => {
    const before = fs.readFileSync(file, 'utf8');
    const ref = { context: host.contextName, namespace: ns, name: 'stuck' };
    await assert.rejects(
      connectVCluster({ ...deps(), waitMs: 3000 }, ref, new KubeconfigWriter({ files: [file] })),
      /did not come up within 3 s \(still waiting for pod stuck-0 \(ContainerCreating\)\)/,
    );
    assert.equal(fs.readFileSync(file, 'utf8'), before, 'the kubeconfig is unchanged');
    const controller = new AbortController();
    const cancelled = connectVCluster(deps(), ref, new KubeconfigWriter({ files: [file] }), { signal: controller.signal });
    setTimeout(() => controller.abort(), 1500);
    await assert.rejects(cancelled, { name: 'CancelledError' });
  });
});
