// The extension inside a real VS Code extension host against a REAL vcluster: a host with a real node
// (test/harness/node/node.ts, started inside this extension host), a vcluster created through the extension's create
// command by the real vcluster CLI from the real chart, its pod running the real syncer on the real kubelet. Connect
// goes through the extension's port-forward tunnel over that kubelet; kubectl then works through the written context;
// pause, resume and delete are done with the commands and with the CLI, each checked by the other.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import * as vscode from 'vscode';
import type { RealCluster } from '../harness/node/node';
import { provideVolume, realValues, runVClusterCli, VCLUSTER_VERSION } from '../harness/node/realVCluster';
import { waitFor, type KObject } from '../harness/cluster/rest';
import { getRealCluster, stopRealCluster } from './support/cluster';
import { kubectl } from './support/programs';
import { Tree, description, extensionApi, extensionLogTail, item, setSetting, type TestedApi } from './support/workbench';

const CONTEXT = 'real-host';
const NAME = 'live';
const NS = 'real-it';
const VCLUSTER_CONTEXT = `vcluster_${NAME}_${NS}_${CONTEXT}`;

describe('[real vcluster] the extension with a real vcluster on a real node', function () {
  this.timeout(240_000);
  let cluster: RealCluster;
  let api: TestedApi;
  let tree: Tree;
  let dir: string;
  let kubeconfig: string;
  let valuesFile: string;
  const ref = { context: CONTEXT, namespace: NS, name: NAME };

  const cliStatus = async (): Promise<string | undefined> => {
    const r = await runVClusterCli(cluster, cluster.host.kubeconfigPath, ['list', '--output', 'json']);
    return ((JSON.parse(r.stdout.trim() || 'null') as { Name: string; Namespace: string; Status: string }[] | null) ?? []).find(
      (e) => e.Name === NAME && e.Namespace === NS,
    )?.Status;
  };
  const treeShows = (status: string) =>
    tree.until(
      `the tree to show ${NAME} ${status}`,
      async () => {
        const n = await tree.vcluster(CONTEXT, NS, NAME);
        return n && description(n).includes(status);
      },
      120_000,
    );
  const hostPod = () => cluster.host.rest.getOrUndefined(`/api/v1/namespaces/${NS}/pods/${NAME}-0`);
  const podReady = async () => {
    const pod = await hostPod();
    return pod?.status?.phase === 'Running' && (pod.status.containerStatuses ?? []).every((c: KObject) => c.ready);
  };
  const currentContext = () => (parseYaml(fs.readFileSync(kubeconfig, 'utf8')) as { 'current-context'?: string })['current-context'];

  before(async function () {
    this.timeout(900_000);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-it-real-'));
    const clusterP = getRealCluster();
    api = await extensionApi();
    tree = new Tree(api);
    cluster = await clusterP;
    kubeconfig = path.join(dir, 'kube', 'config');
    fs.mkdirSync(path.dirname(kubeconfig), { recursive: true, mode: 0o700 });
    fs.writeFileSync(kubeconfig, cluster.host.kubeconfig, { mode: 0o600 });
    valuesFile = path.join(dir, 'vcluster.yaml');
    fs.writeFileSync(valuesFile, toYaml(realValues(cluster, false)));
    // Nothing provisions volumes on this host: a volume for the claim the StatefulSet will make.
    await provideVolume(cluster, NS, `data-${NAME}-0`);
    await setSetting('refresh.debounceMs', 100);
    await setSetting('kubeconfig', kubeconfig);
    // The chart comes from the harness's local chart repository, as `--chart-repo` would for an air-gapped user.
    await setSetting('create.extraArgs', ['--chart-repo', cluster.node.chartRepo, '--add=false', '--background-proxy=false']);
    await waitFor('the extension to read the kubeconfig', async () => (await api.listContexts()).some((c) => c.name === CONTEXT), 30_000);
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed')
      console.log(`      --- extension log (last lines) ---\n${extensionLogTail(25, api?.testing.logDir).replace(/^/gm, '      | ')}`);
  });

  after(async function () {
    this.timeout(120_000);
    try {
      for (const key of ['kubeconfig', 'create.extraArgs', 'refresh.debounceMs']) await setSetting(key, undefined);
    } finally {
      await stopRealCluster();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('creates a vcluster with the create command and the real CLI; the tree shows it Running once its syncer runs, as `vcluster list` does', async function () {
    const created = await vscode.commands.executeCommand('vcluster.create', { ...ref, chartVersion: VCLUSTER_VERSION, valuesFile, connect: false });
    assert.deepEqual(created, ref);
    await waitFor('the vcluster pod to run on the node', podReady, 180_000, 1000);
    assert.equal((await hostPod())!.spec.nodeName, cluster.node.name);
    await treeShows('Running');
    assert.equal(await cliStatus(), 'Running');
    assert.ok(description((await tree.vcluster(CONTEXT, NS, NAME))!).includes(`v${VCLUSTER_VERSION}`));
  });

  it('connects through a port-forward tunnel to the pod; kubectl then works in the virtual cluster through the written context', async function () {
    const contextName = await vscode.commands.executeCommand('vcluster.connect', ref);
    assert.equal(contextName, VCLUSTER_CONTEXT);
    assert.equal(currentContext(), VCLUSTER_CONTEXT);
    const doc = parseYaml(fs.readFileSync(kubeconfig, 'utf8')) as { clusters: { name: string; cluster: { server: string; 'tls-server-name'?: string } }[] };
    const server = doc.clusters.find((c) => c.name === VCLUSTER_CONTEXT)!.cluster.server;
    // The secret names https://localhost:8443 and Service NAME is a ClusterIP: only a port-forward reaches the pod.
    const port = Number(new URL(server).port);
    // The tunnel listens on 127.0.0.1 only; the certificate (issued by vcluster for localhost) is checked by name.
    assert.match(server, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(doc.clusters.find((c) => c.name === VCLUSTER_CONTEXT)!.cluster['tls-server-name'], 'localhost');
    assert.ok(
      (await api.testing.services()).tunnels.list().some((t) => t.localPort === port && t.pod === `${NAME}-0` && t.remotePort === 8443),
      'a tunnel to the pod port 8443 is open',
    );

    const ns = await kubectl(kubeconfig, ['--context', VCLUSTER_CONTEXT, 'get', 'namespaces', '-o', 'name']);
    assert.match(ns.stdout, /namespace\/kube-system/);
    assert.doesNotMatch(ns.stdout, new RegExp(`namespace/${NS}\\b`), 'the host namespace does not exist in the virtual cluster');
    // A pod created through the tunnel runs on the real node, and its log comes back the same way.
    await kubectl(kubeconfig, [
      '--context',
      VCLUSTER_CONTEXT,
      'run',
      'greeter',
      `--image=${cluster.node.images.busybox.ref}`,
      '--image-pull-policy=Never',
      '--restart=Never',
      '--',
      '/bin/sh',
      '-c',
      'echo hello through the tunnel; sleep 3600',
    ]);
    await waitFor(
      'the virtual pod to run',
      async () => (await kubectl(kubeconfig, ['--context', VCLUSTER_CONTEXT, 'get', 'pod', 'greeter', '-o', 'jsonpath={.status.phase}'])).stdout === 'Running',
      120_000,
      1000,
    );
    const log = await kubectl(kubeconfig, ['--context', VCLUSTER_CONTEXT, 'logs', 'greeter']);
    assert.match(log.stdout, /hello through the tunnel/);
    const synced = await cluster.host.rest.get(`/api/v1/namespaces/${NS}/pods/greeter-x-default-x-${NAME}`);
    assert.equal(synced.spec.nodeName, cluster.node.name);
    await tree.until('the tree to mark it connected and current', async () => {
      const n = await tree.vcluster(CONTEXT, NS, NAME);
      return n && item(n).contextValue === 'vcluster.connectedCurrent';
    });
  });

  it('pause with the command: `vcluster list` says Paused and the tree follows; resume with the CLI: the tree says Running and kubectl works again', async function () {
    await vscode.commands.executeCommand('vcluster.pause', ref);
    assert.equal(currentContext(), CONTEXT, 'pausing the vcluster one is in switches back to the host context, as the CLI does');
    await waitFor('the pod to go', async () => (await hostPod()) === undefined, 120_000, 500);
    assert.equal(await cliStatus(), 'Paused');
    await treeShows('Paused');

    await runVClusterCli(cluster, cluster.host.kubeconfigPath, ['resume', NAME, '--namespace', NS]);
    await waitFor('the vcluster pod to run again', podReady, 180_000, 1000);
    await treeShows('Running');
    // The pinned tunnel reaches the new pod: the connected context works without connecting again.
    await waitFor(
      'kubectl to reach the resumed virtual cluster',
      async () =>
        (await kubectl(kubeconfig, ['--context', VCLUSTER_CONTEXT, 'get', 'namespaces', '-o', 'name'], { allowFailure: true })).stdout.includes(
          'namespace/default',
        ),
      60_000,
      1000,
    );
  });

  it('pause with the CLI: the tree says Paused; resume with the command: `vcluster list` says Running', async function () {
    await runVClusterCli(cluster, cluster.host.kubeconfigPath, ['pause', NAME, '--namespace', NS]);
    await treeShows('Paused');
    await vscode.commands.executeCommand('vcluster.resume', ref);
    await waitFor('the vcluster pod to run again', podReady, 180_000, 1000);
    await waitFor('`vcluster list` to say Running', async () => (await cliStatus()) === 'Running', 60_000, 1000);
    await treeShows('Running');
  });

  it('deletes it with the delete command: `vcluster list` no longer lists it, and the tree drops it', async function () {
    await vscode.commands.executeCommand('vcluster.delete', { ...ref, force: true });
    await waitFor('`vcluster list` to lose it', async () => (await cliStatus()) === undefined, 120_000, 1000);
    await tree.until('the tree to drop it', async () => (await tree.vcluster(CONTEXT, NS, NAME)) === undefined, 120_000);
    await waitFor(
      'its pods to go from the node',
      async () => ((await cluster.host.rest.get(`/api/v1/namespaces/${NS}/pods`).catch(() => ({ items: [] }))).items as KObject[]).length === 0,
      120_000,
      1000,
    );
  });
});
