// Real forward proxies for tests of a cluster's `proxy-url`: an HTTP CONNECT proxy (RFC 9110 §9.3.6) and a SOCKS5
// proxy (RFC 1928, with RFC 1929 username/password when asked to), both on loopback. They tunnel bytes to the real
// API server and record what passed: the CONNECT targets, the credentials offered, and how many bytes came back from
// the server (which shows whether the answers were gzip-compressed). Independent of src/.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TestProxy {
  /** proxy-url for a kubeconfig (with user info when credentials are required). */
  readonly url: string;
  /** host:port of every tunnel opened. */
  readonly targets: string[];
  /** Credentials offered, "user:password" (Proxy-Authorization or SOCKS5 username/password). */
  readonly credentials: string[];
  /** Requests refused for missing or wrong credentials. */
  refused: number;
  /** Bytes from the servers to the clients, through all tunnels. */
  bytesFromServer: number;
  reset(): void;
  close(): Promise<void>;
}

function tunnel(state: TestProxy, client: net.Socket, host: string, port: number, onUp: () => void): void {
  const upstream = net.connect(port, host, () => {
    upstream.on('data', (d: Buffer) => {
      state.bytesFromServer += d.length;
    });
    upstream.pipe(client);
    client.pipe(upstream);
    onUp();
  });
  upstream.on('error', () => client.destroy());
  client.on('error', () => upstream.destroy());
  client.on('close', () => upstream.destroy());
  upstream.on('close', () => client.destroy());
}

function base(url: string, sockets: Set<net.Socket>, server: net.Server): TestProxy {
  const state: TestProxy = {
    url,
    targets: [],
    credentials: [],
    refused: 0,
    bytesFromServer: 0,
    reset() {
      state.targets.length = 0;
      state.credentials.length = 0;
      state.refused = 0;
      state.bytesFromServer = 0;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
  return state;
}

function track(server: net.Server, sockets: Set<net.Socket>): void {
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
}

/** An HTTP proxy that only does CONNECT; with `auth` ("user:password") it demands Basic Proxy-Authorization. */
/**
 * An HTTP CONNECT proxy; with `auth` ("user:password") it demands Basic Proxy-Authorization. `hosts` are names it
 * resolves itself (name -> address), as a proxy with its own DNS does for names the client cannot resolve.
 */
export async function startConnectProxy(auth?: string, hosts: Readonly<Record<string, string>> = {}): Promise<TestProxy> {
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_req, res) => {
    res.writeHead(405);
    res.end();
  });
  track(server, sockets);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const userInfo = auth ? `${auth.split(':').map(encodeURIComponent).join(':')}@` : '';
  const state = base(`http://${userInfo}127.0.0.1:${port}`, sockets, server);
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const offered = /^Basic (.+)$/.exec(req.headers['proxy-authorization'] ?? '')?.[1];
    const creds = offered ? Buffer.from(offered, 'base64').toString('utf8') : undefined;
    if (creds) state.credentials.push(creds);
    if (auth && creds !== auth) {
      state.refused++;
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const target = req.url ?? '';
    const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(target);
    if (!m) {
      client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    state.targets.push(target);
    tunnel(state, client, hosts[m[1]!.toLowerCase()] ?? m[1]!, Number(m[2]), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) client.unshift(head);
    });
  });
  return state;
}

/** A SOCKS5 proxy (CONNECT only); with `auth` ("user:password") it demands username/password authentication. */
export async function startSocks5Proxy(auth?: string): Promise<TestProxy> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer();
  track(server, sockets);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const userInfo = auth ? `${auth.split(':').map(encodeURIComponent).join(':')}@` : '';
  const state = base(`socks5://${userInfo}127.0.0.1:${port}`, sockets, server);
  server.on('connection', (client: net.Socket) => {
    let buf = Buffer.alloc(0);
    let phase: 'greeting' | 'auth' | 'request' = 'greeting';
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        if (phase === 'greeting') {
          if (buf.length < 2 || buf.length < 2 + buf[1]!) return;
          const methods = [...buf.subarray(2, 2 + buf[1]!)];
          buf = buf.subarray(2 + buf[1]!);
          const want = auth ? 2 : 0;
          if (!methods.includes(want)) {
            state.refused++;
            client.end(Buffer.from([5, 0xff]));
            return;
          }
          client.write(Buffer.from([5, want]));
          phase = auth ? 'auth' : 'request';
        } else if (phase === 'auth') {
          if (buf.length < 2) return;
          const ulen = buf[1]!;
          if (buf.length < 3 + ulen) return;
          const plen = buf[2 + ulen]!;
          if (buf.length < 3 + ulen + plen) return;
          const creds = `${buf.subarray(2, 2 + ulen).toString()}:${buf.subarray(3 + ulen, 3 + ulen + plen).toString()}`;
          buf = buf.subarray(3 + ulen + plen);
          state.credentials.push(creds);
          if (creds !== auth) {
            state.refused++;
            client.end(Buffer.from([1, 1]));
            return;
          }
          client.write(Buffer.from([1, 0]));
          phase = 'request';
        } else {
          if (buf.length < 5) return;
          const atyp = buf[3]!;
          const addrLen = atyp === 1 ? 4 : atyp === 4 ? 16 : 1 + buf[4]!;
          if (buf.length < 4 + addrLen + 2) return;
          const addr = buf.subarray(4, 4 + addrLen);
          const host = atyp === 1 ? [...addr].join('.') : atyp === 4 ? (addr.toString('hex').match(/.{4}/g) ?? []).join(':') : addr.subarray(1).toString();
          const targetPort = buf.readUInt16BE(4 + addrLen);
          const rest = buf.subarray(4 + addrLen + 2);
          client.off('data', onData);
          client.pause();
          state.targets.push(`${host}:${targetPort}`);
          tunnel(state, client, host, targetPort, () => {
            client.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
            if (rest.length) client.unshift(rest);
            client.resume();
          });
          return;
        }
      }
    };
    client.on('data', onData);
    client.on('error', () => client.destroy());
  });
  return state;
}
