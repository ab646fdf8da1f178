import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { KubeClient } from '../../src/kube/client';
import { TunnelManager } from '../../src/kube/tunnel';
import { NODE_TAINT_KEY, type RealCluster } from '../harness/node/node';
import { waitFor, type KObject } from '../harness/cluster/rest';
import { getRealCluster } from './setup';
import { productModel, type ProductModel } from './product';

// The extension's port-forward tunnel (src/kube/tunnel.ts) over the real path: the host kube-apiserver upgrades the
// WebSocket and forwards to the real kubelet, which forwards through containerd into the pod's network namespace. The
// pod runs busybox `nc` as a persistent server that answers every connection through `tr a-z A-Z`.

const NS = 'tunnel-test';

function roundTrip(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(text));
    let got = '';
    const timer = setTimeout(() => s.destroy(), 15_000);
    s.on('data', (d) => {
      got += d.toString();
      if (got.length >= text.length) s.end();
    });
    s.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    s.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
  });
}

describe('[real node] the port-forward tunnel through the real API server, kubelet and containerd', function () {
  this.timeout(180_000);
  let cluster: RealCluster;
  let p: ProductModel;
  let tunnels: TunnelManager;
  let client: KubeClient;

  before(async function () {
    this.timeout(1_200_000);
    cluster = await getRealCluster();
    const rest = cluster.host.rest;
    await rest.ensure('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await waitFor('the default ServiceAccount of the namespace', () => rest.getOrUndefined(`/api/v1/namespaces/${NS}/serviceaccounts/default`), 30_000);
    for (const name of ['upper-a', 'upper-b']) {
      await rest.ensure(`/api/v1/namespaces/${NS}/pods`, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: NS },
        spec: {
          terminationGracePeriodSeconds: 1,
          tolerations: [{ key: NODE_TAINT_KEY, operator: 'Exists', effect: 'NoSchedule' }],
          containers: [
            { name: 'nc', image: cluster.node.images.busybox.ref, imagePullPolicy: 'Never', command: ['nc', '-ll', '-p', '9000', '-e', 'tr', 'a-z', 'A-Z'] },
          ],
        },
      });
    }
    await waitFor(
      'the echo pods to run',
      async () => {
        const pods = await rest.get(`/api/v1/namespaces/${NS}/pods`);
        return pods.items.length === 2 && pods.items.every((x: KObject) => x.status?.containerStatuses?.[0]?.ready === true);
      },
      120_000,
      500,
    );
    p = productModel([cluster.host.kubeconfigPath]);
    await p.model.reloadKubeconfig();
    client = p.model.client(cluster.host.contextName);
  });

  beforeEach(() => {
    tunnels = new TunnelManager();
  });
  afterEach(() => tunnels.dispose());
  after(() => p?.dispose());

  it('forwards bytes both ways to the pod port, and the pod runs on the real node', async () => {
    const pod = await cluster.host.rest.get(`/api/v1/namespaces/${NS}/pods/upper-a`);
    assert.equal(pod.spec.nodeName, cluster.node.name);
    const port = await tunnels.open(client, NS, 'upper-a', 9000);
    assert.equal(await roundTrip(port, 'hello vcluster\n'), 'HELLO VCLUSTER\n');
    assert.deepEqual(
      tunnels.list().map((t) => [t.namespace, t.pod, t.remotePort, t.localPort]),
      [[NS, 'upper-a', 9000, port]],
    );
  });

  it('reuses one tunnel per pod port and opens a new stream for every connection', async () => {
    const [a, b] = await Promise.all([tunnels.open(client, NS, 'upper-a', 9000), tunnels.open(client, NS, 'upper-a', 9000)]);
    assert.equal(a, b);
    assert.equal(await roundTrip(a, 'one\n'), 'ONE\n');
    assert.equal(await roundTrip(a, 'two\n'), 'TWO\n');
    const [x, y] = await Promise.all([roundTrip(a, 'three\n'), roundTrip(a, 'four\n')]);
    assert.deepEqual([x, y], ['THREE\n', 'FOUR\n']);
  });

  it('reports what the kubelet says about a port nobody listens on, and closes the connection', async () => {
    const port = await tunnels.open(client, NS, 'upper-a', 9999);
    assert.equal(await roundTrip(port, 'x\n'), '');
    await waitFor('the tunnel to record the error', async () => tunnels.list()[0]?.lastError, 10_000, 50);
    assert.match(tunnels.list()[0]!.lastError!, /9999|refused|connect/i);
  });

  it('reports an unknown pod as the API server answers it', async () => {
    const port = await tunnels.open(client, NS, 'no-such-pod', 9000);
    assert.equal(await roundTrip(port, 'x\n'), '');
    await waitFor('the tunnel to record the error', async () => tunnels.list()[0]?.lastError, 10_000, 50);
    assert.match(tunnels.list()[0]!.lastError!, /404|not ?found/i);
  });

  it('re-opens on the same local port (restoring the tunnel a kubeconfig context points at), and refuses a busy one', async () => {
    const first = await tunnels.open(client, NS, 'upper-a', 9000);
    tunnels.close();
    const again = await tunnels.open(client, NS, 'upper-a', 9000, first);
    assert.equal(again, first);
    assert.equal(await roundTrip(again, 'back\n'), 'BACK\n');
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    try {
      const busy = (blocker.address() as AddressInfo).port;
      await assert.rejects(tunnels.open(client, NS, 'upper-b', 9000, busy), /EADDRINUSE/);
    } finally {
      blocker.close();
    }
  });

  it('closes idle tunnels unless a context pins them', async () => {
    const a = await tunnels.open(client, NS, 'upper-a', 9000);
    const b = await tunnels.open(client, NS, 'upper-b', 9000);
    assert.equal(await roundTrip(b, 'b\n'), 'B\n');
    assert.equal(tunnels.pin(a), true);
    assert.equal(tunnels.closeIdle(60_000), 0, 'not idle long enough yet');
    assert.equal(tunnels.closeIdle(60_000, Date.now() + 61_000), 1);
    assert.deepEqual(
      tunnels.list().map((t) => t.localPort),
      [a],
    );
    assert.equal(await roundTrip(a, 'pinned\n'), 'PINNED\n');
  });

  it('stops listening when closed', async () => {
    const port = await tunnels.open(client, NS, 'upper-a', 9000);
    assert.equal(tunnels.close(), 1);
    await assert.rejects(roundTrip(port, 'x\n'), /ECONNREFUSED/);
    assert.equal(tunnels.list().length, 0);
  });
});
