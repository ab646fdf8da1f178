import net from 'node:net';
import WebSocket from 'ws';
import { Emitter } from '../shared/emitter';
import type { ConnectOptions, KubeClient } from './client';
import { fromStatus } from './errors';

// In-process port-forwarding to a pod over the Kubernetes WebSocket port-forward protocol (what `kubectl
// port-forward` does over SPDY): a local TCP listener on 127.0.0.1, and for every accepted connection one WebSocket
// to .../pods/<pod>/portforward?ports=<port>. Each WebSocket message starts with a channel byte: 0 carries data,
// 1 carries errors; the first message on each channel is the port number (2 bytes, little-endian), not data.
// Because every TCP connection opens its own WebSocket, a dropped stream is re-established by the next connection.

export const PORT_FORWARD_PROTOCOLS = ['v4.channel.k8s.io', 'portforward.k8s.io'];

export interface TunnelInfo {
  readonly key: string;
  readonly context: string;
  readonly namespace: string;
  readonly pod: string;
  readonly remotePort: number;
  readonly localPort: number;
  readonly connections: number;
  readonly lastError?: string;
}

interface Tunnel {
  info: Omit<TunnelInfo, 'connections'>;
  server: net.Server;
  sockets: Set<net.Socket>;
  /** The WebSockets to the API server, one per local connection. */
  websockets: Set<WebSocket>;
  lastError?: string;
  /** Kept open while idle: a kubeconfig context points at it (connect). */
  pinned: boolean;
  /** Kept open while idle by this many users (an open terminal, a port-forward through the vcluster it reaches). */
  holds: number;
  lastUsed: number;
}

/** Unpinned tunnels (nested discovery, mapping) close after this long without a connection. */
export const TUNNEL_IDLE_MS = 5 * 60_000;

export class TunnelManager {
  private readonly tunnels = new Map<string, Tunnel>();
  private readonly pending = new Map<string, Promise<number>>();
  private readonly changes = new Emitter<void>();
  /** Told when a tunnel opens or closes. */
  readonly onDidChange = this.changes.event;
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly opts: { log?: (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void; idleMs?: number } = {}) {
    const idle = opts.idleMs ?? TUNNEL_IDLE_MS;
    this.sweeper = setInterval(() => this.closeIdle(idle), Math.min(60_000, idle)).unref();
  }

  /** Closes unpinned tunnels that had no connection for `idleMs`. */
  closeIdle(idleMs: number, now = Date.now()): number {
    return this.close((t) => {
      const tunnel = this.tunnels.get(t.key);
      return !!tunnel && !tunnel.pinned && tunnel.holds === 0 && tunnel.sockets.size === 0 && now - tunnel.lastUsed >= idleMs;
    });
  }

  /** Keeps the tunnel on `localPort` open while idle (a kubeconfig context points at it). */
  pin(localPort: number): boolean {
    const t = [...this.tunnels.values()].find((x) => x.info.localPort === localPort);
    if (t) t.pinned = true;
    return !!t;
  }

  /** Keeps the tunnel on `localPort` open while idle until the handle is disposed; undefined when there is none. */
  hold(localPort: number): { dispose(): void } | undefined {
    const t = [...this.tunnels.values()].find((x) => x.info.localPort === localPort);
    if (!t) return undefined;
    t.holds++;
    let done = false;
    return {
      dispose: () => {
        if (!done) {
          done = true;
          t.holds--;
          t.lastUsed = Date.now();
        }
      },
    };
  }

  private changed(): void {
    this.changes.fire();
  }

  list(): TunnelInfo[] {
    return [...this.tunnels.values()].map((t) => ({ ...t.info, connections: t.sockets.size, lastError: t.lastError }));
  }

  /**
   * Opens (or reuses) a tunnel to `pod:port` in `namespace` through `host`; resolves to the local port. With
   * `localPort` (restoring a tunnel a kubeconfig context points at) it listens on that port or fails. With `owner`, the
   * tunnel is that owner's alone (a port-forward a person started).
   */
  open(host: KubeClient, namespace: string, pod: string, port: number, localPort = 0, owner?: string): Promise<number> {
    // A port-forward a person started (`owner`) gets a tunnel of its own, stopped on its own; the extension's own
    // tunnels (to vcluster API servers) are shared per pod port.
    const key = `${host.contextName}|${host.server}|${namespace}/${pod}:${port}${owner ? `|${owner}` : ''}`;
    const existing = this.tunnels.get(key);
    if (existing) return Promise.resolve(existing.info.localPort);
    let p = this.pending.get(key);
    if (!p) {
      p = this.start(key, host, namespace, pod, port, localPort).finally(() => this.pending.delete(key));
      this.pending.set(key, p);
    }
    return p;
  }

  private start(key: string, host: KubeClient, namespace: string, pod: string, port: number, localPort: number): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const sockets = new Set<net.Socket>();
      const server = net.createServer((socket) => {
        sockets.add(socket);
        tunnel.lastUsed = Date.now();
        this.changed();
        socket.on('close', () => {
          sockets.delete(socket);
          tunnel.lastUsed = Date.now();
          this.changed();
        });
        this.pipe(host, namespace, pod, port, socket, tunnel);
      });
      const tunnel: Tunnel = {
        info: { key, context: host.contextName, namespace, pod, remotePort: port, localPort: 0 },
        server,
        sockets,
        websockets: new Set(),
        pinned: false,
        holds: 0,
        lastUsed: Date.now(),
      };
      server.on('error', (err) => reject(err));
      server.listen(localPort, '127.0.0.1', () => {
        const addr = server.address();
        if (!addr || typeof addr === 'string') {
          reject(new Error('The tunnel has no local port'));
          return;
        }
        tunnel.info = { ...tunnel.info, localPort: addr.port };
        this.tunnels.set(key, tunnel);
        this.opts.log?.('info', `Port-forward 127.0.0.1:${addr.port} → ${namespace}/${pod}:${port} (context ${host.contextName})`);
        this.changed();
        resolve(addr.port);
      });
    });
  }

  private pipe(host: KubeClient, namespace: string, pod: string, port: number, socket: net.Socket, tunnel: Tunnel): void {
    socket.pause();
    // The local client may go away while the credentials are still being fetched (a slow exec plugin): then no
    // WebSocket may be opened at all, and one that is open goes with it.
    let ws: WebSocket | undefined;
    let closed = false;
    const end = () => {
      closed = true;
      if (ws) {
        tunnel.websockets.delete(ws);
        if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.terminate();
      }
    };
    socket.on('close', end);
    socket.on('error', end);
    // The first error of a connection is the one to report: ending the connection after it makes the WebSocket report
    // its own end ("closed before the connection was established"), which says nothing about the cause.
    let failed = false;
    const fail = (message: string) => {
      if (failed) return;
      failed = true;
      this.fail(tunnel, socket, message);
    };
    void (async () => {
      let opts: ConnectOptions;
      try {
        opts = await host.connectOptions();
      } catch (err) {
        if (!closed) fail(`cannot open the port-forward: ${(err as Error).message}`);
        return;
      }
      if (closed || socket.destroyed) return;
      const url = new URL(host.server);
      url.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:';
      url.pathname = `${url.pathname.replace(/\/+$/, '')}/api/v1/namespaces/${namespace}/pods/${pod}/portforward`;
      url.search = `ports=${port}`;
      let conn: WebSocket;
      try {
        conn = new WebSocket(url, PORT_FORWARD_PROTOCOLS, { ...opts, handshakeTimeout: 15_000 });
      } catch (err) {
        fail(`cannot open the port-forward: ${(err as Error).message}`);
        return;
      }
      ws = conn;
      tunnel.websockets.add(conn);
      const seen = new Set<number>();
      conn.binaryType = 'nodebuffer';
      conn.on('open', () => {
        socket.on('data', (chunk: Buffer) => {
          if (conn.readyState === WebSocket.OPEN) conn.send(Buffer.concat([Buffer.from([0]), chunk]));
        });
        socket.resume();
      });
      conn.on('message', (data: Buffer) => {
        if (data.length < 1) return;
        const channel = data[0]!;
        let payload = data.subarray(1);
        if (!seen.has(channel)) {
          // The first frame of each channel carries the port number.
          seen.add(channel);
          payload = payload.subarray(2);
        }
        if (payload.length === 0) return;
        if (channel === 0) socket.write(payload);
        else if (channel === 1) fail(`the pod reported: ${payload.toString('utf8').slice(0, 300)}`);
      });
      conn.on('error', (err) => fail(err.message));
      conn.on('unexpected-response', (_req, res) => {
        // The Status in the answer says why (a pod that is gone, RBAC refusing pods/portforward): keep its message.
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          if (body.length < 16 * 1024) body += d;
        });
        const done = () => {
          const status = res.statusCode ?? 0;
          const why = fromStatus(status, body, 'port-forward').message.replace(/^port-forward: /, '');
          fail(`the API server answered HTTP ${status} to the port-forward${why && why !== `HTTP ${status}` ? `: ${why.slice(0, 300)}` : ''}`);
        };
        res.on('end', done);
        res.on('error', done);
      });
      conn.on('close', () => {
        tunnel.websockets.delete(conn);
        socket.end();
      });
    })();
  }

  /** Open local connections and WebSockets of all tunnels (0 after close()). */
  openSockets(): number {
    let n = 0;
    for (const t of this.tunnels.values()) n += t.sockets.size + t.websockets.size;
    return n;
  }

  private fail(tunnel: Tunnel, socket: net.Socket, message: string): void {
    tunnel.lastError = message;
    this.opts.log?.('warn', `Port-forward to ${tunnel.info.namespace}/${tunnel.info.pod}:${tunnel.info.remotePort}: ${message}`);
    socket.destroy();
    this.changed();
  }

  /** Closes tunnels whose key matches (or all). */
  close(predicate: (t: TunnelInfo) => boolean = () => true): number {
    let n = 0;
    for (const t of this.list()) {
      if (!predicate(t)) continue;
      const tunnel = this.tunnels.get(t.key);
      if (!tunnel) continue;
      for (const s of tunnel.sockets) s.destroy();
      for (const w of tunnel.websockets) w.terminate();
      tunnel.websockets.clear();
      tunnel.server.close();
      this.tunnels.delete(t.key);
      n++;
    }
    if (n) this.changed();
    return n;
  }

  dispose(): void {
    clearInterval(this.sweeper);
    this.close();
    this.changes.dispose();
  }
}
