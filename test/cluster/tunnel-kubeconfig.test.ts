// The kubeconfig entry Connect writes for a vcluster reachable only through a port-forward tunnel, used by real
// kubectl (v1.34.4) and by our client against a real kube-apiserver behind the tunnel. The tunnel listens on
// 127.0.0.1 only: the entry must name that address (`localhost` may resolve to ::1 first, where another local user can
// listen on the same port) and verify the serving certificate against the name the secret gave (tls-server-name:
// localhost; vcluster v0.36.1 pkg/server/cert/cert.go issues it for DNS localhost and IP 127.0.0.1).
//
// The host side of the tunnel is a small loopback server speaking the port-forward subprotocol (it answers the
// Service lookup with 404, as for a vcluster without a Service of its name, and forwards each stream to the real API
// server): the real kubelet path is covered in test/cluster/real-node-tunnel.test.ts; this test is about what is
// written and who can use it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import YAML from 'yaml';
import { toolPath } from '../../scripts/lib/toolchain.mjs';
import { KubeClient } from '../../src/kube/client';
import { KubeconfigWriter } from '../../src/kube/kubeconfig/writer';
import { PORT_FORWARD_PROTOCOLS, TunnelManager } from '../../src/kube/tunnel';
import type { Secret } from '../../src/kube/types';
import { DEFAULT_SECRET_SERVER, chooseEndpoint, parseVirtualKubeconfig, virtualConnectionSpec, virtualKubeconfigEntry } from '../../src/vcluster/access';
import type { HostCluster } from '../harness/cluster/controlPlane';
import { runProgram } from '../harness/cluster/processes';
import { getHost } from './setup';

/** A port-forward endpoint whose every stream goes to `target` (host:port). */
async function forwardingServer(target: { host: string; port: number }): Promise<{ url: string; streams: () => number; close(): Promise<void> }> {
  const httpServer = http.createServer((_req, res) => {
    res.statusCode = 404;
    res.setHeader('content-type', 'application/json');
    res.end('{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}');
  });
  const wss = new WebSocketServer({ server: httpServer, handleProtocols: (p) => [...p].find((x) => PORT_FORWARD_PROTOCOLS.includes(x)) ?? false });
  const sockets = new Set<net.Socket>();
  let streams = 0;
  wss.on('connection', (ws: WebSocket, req) => {
    streams++;
    const port = Number(new URL(req.url ?? '', 'http://x').searchParams.get('ports'));
    ws.send(Buffer.from([0, port & 0xff, port >> 8]));
    ws.send(Buffer.from([1, port & 0xff, port >> 8]));
    const s = net.connect(target.port, target.host);
    sockets.add(s);
    s.on('data', (d) => ws.send(Buffer.concat([Buffer.from([0]), d])));
    s.on('close', () => {
      sockets.delete(s);
      ws.close();
    });
    s.on('error', () => ws.close());
    ws.on('message', (data: Buffer) => {
      if (data[0] === 0 && data.length > 1) s.write(data.subarray(1));
    });
    ws.on('close', () => s.destroy());
  });
  await new Promise<void>((r) => httpServer.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`,
    streams: () => streams,
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        for (const s of sockets) s.destroy();
        wss.close();
        httpServer.close(() => r());
      }),
  };
}

describe('the kubeconfig of a tunnelled vcluster: 127.0.0.1 with tls-server-name, usable by kubectl', function () {
  this.timeout(120_000);
  let host: HostCluster;
  let server: Awaited<ReturnType<typeof forwardingServer>>;
  let tunnels: TunnelManager;
  let hostClient: KubeClient;
  let dir: string;
  const clients: KubeClient[] = [];

  before(async () => {
    host = await getHost();
    const api = new URL(host.server);
    server = await forwardingServer({ host: api.hostname, port: Number(api.port) });
    tunnels = new TunnelManager();
    hostClient = new KubeClient({ contextName: 'host', clusterName: 'host', userName: 'host', cluster: { server: server.url }, user: {} });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-tunnel-kc-'));
  });
  after(async () => {
    for (const c of clients) c.dispose();
    hostClient?.dispose();
    tunnels?.dispose();
    await server?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The vcluster's secret as vcluster writes it: the admin kubeconfig at https://localhost:8443. */
  const secretKubeconfig = (extraCluster: Record<string, unknown> = {}) => {
    const doc = YAML.parse(host.kubeconfig) as { clusters: { cluster: Record<string, unknown> }[] };
    doc.clusters[0]!.cluster = { ...doc.clusters[0]!.cluster, server: DEFAULT_SECRET_SERVER, ...extraCluster };
    const secret: Secret = { metadata: { name: 'vc-dev', namespace: 'team' }, data: { config: Buffer.from(YAML.stringify(doc)).toString('base64') } };
    return parseVirtualKubeconfig(secret, 'team', 'dev');
  };
  const kubectl = (file: string, args: string[]) => runProgram(toolPath('kubectl'), ['--kubeconfig', file, ...args], { allowFailure: true, timeoutMs: 60_000 });

  it('writes https://127.0.0.1:PORT with tls-server-name localhost, and kubectl and our client reach the API server', async () => {
    const kc = secretKubeconfig();
    const endpoint = await chooseEndpoint(hostClient, 'team', 'dev', kc, tunnels);
    assert.equal(endpoint.kind, 'tunnel');
    const port = tunnels.list()[0]!.localPort;
    assert.equal(endpoint.server, `https://127.0.0.1:${port}`);
    assert.equal(endpoint.tlsServerName, 'localhost');

    const file = path.join(dir, 'config');
    const ctx = 'vcluster_dev_team_host';
    await new KubeconfigWriter({ files: [file], lockLingerMs: 0 }).upsertContext(virtualKubeconfigEntry(ctx, kc, endpoint), { makeCurrent: true });
    const written = YAML.parse(fs.readFileSync(file, 'utf8')) as { clusters: { name: string; cluster: Record<string, unknown> }[] };
    const cluster = written.clusters.find((c) => c.name === ctx)!.cluster;
    assert.equal(cluster.server, `https://127.0.0.1:${port}`);
    assert.equal(cluster['tls-server-name'], 'localhost');

    const before = server.streams();
    const r = await kubectl(file, ['get', 'namespace', 'default', '-o', 'name']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'namespace/default');
    assert.ok(server.streams() > before, 'kubectl went through the tunnel');

    const client = new KubeClient(virtualConnectionSpec(ctx, kc, endpoint));
    clients.push(client);
    const ns = await client.get<{ metadata: { name: string } }>('/api/v1/namespaces/default');
    assert.equal(ns.metadata.name, 'default');
  });

  it('both verify the certificate against tls-server-name: a name it was not issued for is refused by kubectl and by us', async () => {
    const kc = secretKubeconfig({ 'tls-server-name': 'not-in-the-certificate.example' });
    const endpoint = await chooseEndpoint(hostClient, 'team', 'dev', kc, tunnels);
    assert.equal(endpoint.tlsServerName, 'not-in-the-certificate.example', "the secret's own tls-server-name wins");
    const file = path.join(dir, 'wrong-name');
    const ctx = 'vcluster_dev_team_host';
    await new KubeconfigWriter({ files: [file], lockLingerMs: 0 }).upsertContext(virtualKubeconfigEntry(ctx, kc, endpoint), { makeCurrent: true });
    const r = await kubectl(file, ['get', 'namespace', 'default', '-o', 'name', '--request-timeout=20s']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /not-in-the-certificate\.example/);
    const client = new KubeClient(virtualConnectionSpec(ctx, kc, endpoint));
    clients.push(client);
    await assert.rejects(client.get('/api/v1/namespaces/default'), /not-in-the-certificate\.example|certificate|altnames/i);
  });
});
