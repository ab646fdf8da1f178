import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { KubeClient } from '../../src/kube/client';
import { PORT_FORWARD_PROTOCOLS, TunnelManager } from '../../src/kube/tunnel';
import { type CA, createCA, issueCert } from '../harness/cluster/certs';

// The port-forward tunnel's requests and its bookkeeping, against a local WebSocket server that speaks the
// Kubernetes port-forward subprotocol (channel byte, then the port number as the first frame of each channel): what a
// real API server cannot show (the headers that arrive, no credentials over plain http, what the server saw opened and
// closed). Forwarding, errors, reuse, re-opening and closing are tested over the real API server, kubelet and
// containerd in test/cluster/real-node-tunnel.test.ts.

interface Server {
  url: string;
  requests: { path: string; protocol: string; auth?: string; impersonate?: string }[];
  close(): Promise<void>;
}

async function portForwardServer(): Promise<Server> {
  const httpServer = http.createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  const wss = new WebSocketServer({
    server: httpServer,
    handleProtocols: (protocols) => [...protocols].find((p) => PORT_FORWARD_PROTOCOLS.includes(p)) ?? false,
  });
  const state: Server = { url: '', requests: [], close: async () => undefined };
  wss.on('connection', (ws: WebSocket, req) => {
    state.requests.push({
      path: req.url ?? '',
      protocol: ws.protocol,
      auth: req.headers.authorization,
      impersonate: req.headers['impersonate-user'] as string | undefined,
    });
    const port = Number(new URL(req.url ?? '', 'http://x').searchParams.get('ports'));
    const portFrame = (channel: number) => Buffer.from([channel, port & 0xff, port >> 8]);
    ws.send(portFrame(0));
    ws.send(portFrame(1));
    ws.on('message', (data: Buffer) => {
      assert.equal(data[0], 0, 'data must go to channel 0');
      ws.send(Buffer.concat([Buffer.from([0]), Buffer.from(data.subarray(1).toString('utf8').toUpperCase())]));
    });
  });
  await new Promise<void>((r) => httpServer.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((r) => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      httpServer.close(() => r());
    });
  return state;
}

function roundTrip(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(text));
    let got = '';
    s.on('data', (d) => {
      got += d.toString();
      if (got.length >= text.length) {
        s.end();
        resolve(got);
      }
    });
    s.on('error', reject);
    s.on('close', () => {
      if (got.length < text.length) resolve(got);
    });
  });
}

describe('port-forward tunnel: requests', () => {
  let server: Server;
  let tunnels: TunnelManager;
  let client: KubeClient;
  beforeEach(async () => {
    server = await portForwardServer();
    tunnels = new TunnelManager();
    client = new KubeClient({
      contextName: 'ctx',
      clusterName: 'c',
      cluster: { server: server.url, 'insecure-skip-tls-verify': true },
      userName: 'u',
      user: { token: 'not-a-real-token-123', as: 'tunnel-user' },
    });
  });
  afterEach(async () => {
    tunnels.dispose();
    client.dispose();
    await server.close();
  });

  it('forwards bytes both ways through the pod port, with the subprotocol, path and headers of the API client', async () => {
    const port = await tunnels.open(client, 'team-a', 'dev-0', 8443);
    assert.equal(await roundTrip(port, 'hello vcluster'), 'HELLO VCLUSTER');
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0]!.path, '/api/v1/namespaces/team-a/pods/dev-0/portforward?ports=8443');
    assert.ok(PORT_FORWARD_PROTOCOLS.includes(server.requests[0]!.protocol));
    // The request headers of the client (impersonation here); as kubectl, no credentials go to a plain-http server.
    assert.equal(server.requests[0]!.impersonate, 'tunnel-user');
    assert.equal(server.requests[0]!.auth, undefined);
    assert.deepEqual(
      tunnels.list().map((t) => [t.namespace, t.pod, t.remotePort, t.localPort]),
      [['team-a', 'dev-0', 8443, port]],
    );
  });
});

describe('port-forward tunnel: nothing leaks', function () {
  this.timeout(60_000);
  let dir: string;
  let ca: CA;
  let httpsServer: https.Server;
  let wss: WebSocketServer;
  let url: string;
  let opened = 0;
  let tunnels: TunnelManager;
  let client: KubeClient;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-tunnel-'));
    ca = await createCA(dir, 'ca');
    const serving = await issueCert(ca, dir, 'serving', { commonName: 'localhost', ips: ['127.0.0.1'], usage: 'server' });
    httpsServer = https.createServer({ cert: serving.certPem, key: serving.keyPem });
    wss = new WebSocketServer({ server: httpsServer, handleProtocols: (protocols) => [...protocols].find((p) => PORT_FORWARD_PROTOCOLS.includes(p)) ?? false });
    wss.on('connection', (ws: WebSocket, req) => {
      opened++;
      const port = Number(new URL(req.url ?? '', 'http://x').searchParams.get('ports'));
      ws.send(Buffer.from([0, port & 0xff, port >> 8]));
      ws.send(Buffer.from([1, port & 0xff, port >> 8]));
      ws.on('message', (data: Buffer) => ws.send(Buffer.concat([Buffer.from([0]), data.subarray(1)])));
    });
    await new Promise<void>((r) => httpsServer.listen(0, '127.0.0.1', r));
    url = `https://127.0.0.1:${(httpsServer.address() as AddressInfo).port}`;
  });
  after(async () => {
    wss.close();
    await new Promise<void>((r) => httpsServer.close(() => r()));
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    opened = 0;
    // A credential plugin that takes its time, as a cloud login does.
    const plugin = path.join(dir, 'slow-plugin');
    fs.writeFileSync(
      plugin,
      '#!/bin/sh\nsleep 1\necho \'{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"slow-token"}}\'\n',
      { mode: 0o755 },
    );
    tunnels = new TunnelManager();
    client = new KubeClient({
      contextName: 'ctx',
      clusterName: 'c',
      userName: 'u',
      cluster: { server: url, 'certificate-authority-data': Buffer.from(ca.certPem).toString('base64') },
      user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', interactiveMode: 'Never', command: plugin } },
    });
  });
  afterEach(() => {
    tunnels.dispose();
    client.dispose();
  });

  const openClients = () => [...wss.clients].filter((c) => c.readyState === c.OPEN || c.readyState === c.CONNECTING).length;

  it('a local client that disconnects while the credentials are still being fetched leaves no WebSocket open', async () => {
    const port = await tunnels.open(client, 'ns', 'p-0', 8443);
    const s = net.connect(port, '127.0.0.1');
    await new Promise((r) => s.once('connect', r));
    s.destroy();
    await new Promise((r) => setTimeout(r, 2000)); // the plugin answers after 1 s
    assert.equal(opened, 0, 'no WebSocket was opened for a client that is gone');
    assert.equal(openClients(), 0);
    assert.equal(tunnels.openSockets(), 0);
  });

  it('after close() no local connection and no WebSocket is left open', async () => {
    const port = await tunnels.open(client, 'ns', 'p-0', 8443);
    const held = net.connect(port, '127.0.0.1');
    const echoed = new Promise<string>((resolve) => held.once('data', (d) => resolve(d.toString())));
    await new Promise((r) => held.once('connect', r));
    held.write('ping');
    assert.equal(await echoed, 'ping');
    assert.equal(openClients(), 1);
    assert.ok(tunnels.openSockets() >= 2, 'one local connection and its WebSocket');
    // A second client that is still waiting for its credentials when the tunnel closes.
    client.update({
      ...client.spec,
      user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', interactiveMode: 'Never', command: path.join(dir, 'slow-plugin'), args: ['again'] } },
    });
    const waiting = net.connect(port, '127.0.0.1');
    await new Promise((r) => waiting.once('connect', r));
    tunnels.close();
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(tunnels.openSockets(), 0);
    assert.equal(openClients(), 0, 'the server sees every WebSocket closed');
    assert.equal(opened, 1, 'the client that was still waiting never opened one');
    assert.ok(held.destroyed || held.readableEnded);
  });
});
