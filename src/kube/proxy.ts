// A cluster's `proxy-url`, as client-go v0.34 uses it (tools/clientcmd/helpers.go parseProxyURL; Go's net/http
// Transport): "http" and "https" proxies get a CONNECT for https API servers and absolute-form requests for http
// ones, with Basic Proxy-Authorization from the URL's user info; "socks5" proxies get a SOCKS5 CONNECT (RFC 1928)
// with host names resolved by the proxy, and username/password authentication (RFC 1929) from the user info.
// Default ports as Go's: 80, 443 and 1080.
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { KubeError } from './errors';

const SCHEMES = new Set(['http:', 'https:', 'socks5:']);
/** Go's default ports by scheme (portMap in net/http and in golang.org/x/net/http/httpproxy). */
export const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443, 'socks5:': 1080 };

/** Parses a proxy-url; throws KubeError('config') with kubectl's reason for what kubectl refuses. */
export function parseProxyUrl(raw: string, clusterName: string): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new KubeError('config', `invalid 'proxy-url' for cluster "${clusterName}": not a URL`);
  }
  if (!SCHEMES.has(u.protocol)) {
    throw new KubeError(
      'config',
      `invalid 'proxy-url' for cluster "${clusterName}": unsupported scheme "${u.protocol.replace(/:$/, '')}", must be http, https, or socks5`,
    );
  }
  return u;
}

/** The proxy URL without user info, for messages. */
export function describeProxy(u: URL): string {
  return `${u.protocol}//${u.host}`;
}

function proxyCredentials(u: URL): { user: string; pass: string } | undefined {
  if (!u.username && !u.password) return undefined;
  return { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) };
}

/** Basic Proxy-Authorization for an http(s) proxy whose URL carries user info. */
export function proxyAuthorization(u: URL): string | undefined {
  const c = proxyCredentials(u);
  return c ? `Basic ${Buffer.from(`${c.user}:${c.pass}`).toString('base64')}` : undefined;
}

export function proxyHostPort(u: URL): { host: string; port: number } {
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port) || DEFAULT_PORTS[u.protocol]! };
}

/** Reads exactly the bytes asked for from a socket during a handshake. */
class HandshakeReader {
  private buf = Buffer.alloc(0);
  private waiting?: { n: number; resolve: (b: Buffer) => void; reject: (e: Error) => void };
  private failed?: Error;
  private readonly onData = (d: Buffer) => {
    this.buf = Buffer.concat([this.buf, d]);
    this.pump();
  };
  private readonly onEnd = () => this.fail(new Error('the proxy closed the connection'));
  private readonly onError = (e: Error) => this.fail(e);

  constructor(private readonly socket: net.Socket) {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('error', this.onError);
  }

  private fail(e: Error): void {
    this.failed = e;
    const w = this.waiting;
    this.waiting = undefined;
    w?.reject(e);
  }

  private pump(): void {
    const w = this.waiting;
    if (!w || this.buf.length < w.n) return;
    this.waiting = undefined;
    const out = this.buf.subarray(0, w.n);
    this.buf = this.buf.subarray(w.n);
    w.resolve(out);
  }

  read(n: number): Promise<Buffer> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.waiting = { n, resolve, reject };
      this.pump();
    });
  }

  /** Reads up to and including the blank line that ends HTTP response headers. */
  async readHeaders(limit = 16 * 1024): Promise<string> {
    for (;;) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end >= 0) {
        const head = this.buf.subarray(0, end).toString('latin1');
        this.buf = this.buf.subarray(end + 4);
        return head;
      }
      if (this.buf.length > limit) throw new Error('the proxy sent an oversized answer');
      await this.read(this.buf.length + 1).then((b) => {
        this.buf = Buffer.concat([b, this.buf]);
      });
    }
  }

  /** Stops reading; bytes that arrived after the handshake go back to the socket. */
  release(): void {
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('error', this.onError);
    if (this.buf.length) this.socket.unshift(this.buf);
  }
}

async function connectToProxy(proxy: URL, signalTimeoutMs: number, tlsOptions: tls.ConnectionOptions): Promise<net.Socket> {
  const { host, port } = proxyHostPort(proxy);
  const socket =
    proxy.protocol === 'https:' ? tls.connect({ ...tlsOptions, host, port, servername: net.isIP(host) ? undefined : host }) : net.connect({ host, port });
  socket.setTimeout(signalTimeoutMs, () =>
    socket.destroy(new Error(`the proxy ${describeProxy(proxy)} did not answer within ${Math.round(signalTimeoutMs / 1000)} s`)),
  );
  await once(socket, proxy.protocol === 'https:' ? 'secureConnect' : 'connect');
  return socket;
}

async function httpConnect(socket: net.Socket, reader: HandshakeReader, proxy: URL, host: string, port: number): Promise<void> {
  const target = `${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
  const auth = proxyAuthorization(proxy);
  socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${auth ? `Proxy-Authorization: ${auth}\r\n` : ''}\r\n`);
  const head = await reader.readHeaders();
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1];
  if (status !== '200') throw new Error(`the proxy ${describeProxy(proxy)} refused CONNECT ${target} (${status ? `HTTP ${status}` : 'not an HTTP answer'})`);
}

const SOCKS_REPLIES: Record<number, string> = {
  1: 'general failure',
  2: 'connection not allowed by ruleset',
  3: 'network unreachable',
  4: 'host unreachable',
  5: 'connection refused',
  6: 'TTL expired',
  7: 'command not supported',
  8: 'address type not supported',
};

async function socks5Connect(socket: net.Socket, reader: HandshakeReader, proxy: URL, host: string, port: number): Promise<void> {
  const creds = proxyCredentials(proxy);
  socket.write(Buffer.from(creds ? [5, 2, 0, 2] : [5, 1, 0]));
  const [version, method] = await reader.read(2);
  if (version !== 5) throw new Error(`${describeProxy(proxy)} is not a SOCKS5 proxy`);
  if (method === 2 && creds) {
    const user = Buffer.from(creds.user);
    const pass = Buffer.from(creds.pass);
    if (user.length > 255 || pass.length > 255) throw new Error('the SOCKS5 user name or password is too long');
    socket.write(Buffer.concat([Buffer.from([1, user.length]), user, Buffer.from([pass.length]), pass]));
    const [, status] = await reader.read(2);
    if (status !== 0) throw new Error(`the SOCKS5 proxy ${describeProxy(proxy)} rejected the user name and password`);
  } else if (method !== 0) {
    throw new Error(`the SOCKS5 proxy ${describeProxy(proxy)} accepts none of the offered authentication methods`);
  }
  let addr: Buffer;
  if (net.isIPv4(host)) addr = Buffer.from([1, ...host.split('.').map(Number)]);
  else if (net.isIPv6(host)) addr = Buffer.concat([Buffer.from([4]), ipv6Bytes(host)]);
  else {
    const name = Buffer.from(host);
    if (name.length > 255) throw new Error('the host name is too long for SOCKS5');
    addr = Buffer.concat([Buffer.from([3, name.length]), name]);
  }
  socket.write(Buffer.concat([Buffer.from([5, 1, 0]), addr, Buffer.from([port >> 8, port & 0xff])]));
  const [, rep, , atyp] = await reader.read(4);
  if (rep !== 0) throw new Error(`the SOCKS5 proxy ${describeProxy(proxy)} could not connect to ${host}:${port} (${SOCKS_REPLIES[rep!] ?? `reply ${rep}`})`);
  const rest = atyp === 1 ? 4 : atyp === 4 ? 16 : atyp === 3 ? (await reader.read(1))[0]! : -1;
  if (rest < 0) throw new Error(`the SOCKS5 proxy ${describeProxy(proxy)} sent an unknown address type`);
  await reader.read(rest + 2);
}

function ipv6Bytes(ip: string): Buffer {
  const [head = '', tail = ''] = ip.split('::');
  const parts = (s: string) => (s ? s.split(':') : []);
  const h = parts(head);
  const t = parts(tail);
  const groups = ip.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16) || 0, i * 2));
  return out;
}

/**
 * A raw connection to host:port through the proxy (CONNECT or SOCKS5). The caller puts TLS on top for https.
 * `proxyTls` verifies an https proxy (Go's Transport uses the cluster's TLS settings for it as well).
 */
export async function openProxyTunnel(proxy: URL, host: string, port: number, timeoutMs: number, proxyTls: tls.ConnectionOptions = {}): Promise<net.Socket> {
  let socket: net.Socket;
  try {
    socket = await connectToProxy(proxy, timeoutMs, proxyTls);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new KubeError(
      code && /CERT|SSL|TLS/.test(code) ? 'tls' : 'unreachable',
      `Cannot reach the proxy ${describeProxy(proxy)} (${code ?? (err as Error).message})`,
    );
  }
  const reader = new HandshakeReader(socket);
  try {
    if (proxy.protocol === 'socks5:') await socks5Connect(socket, reader, proxy, host, port);
    else await httpConnect(socket, reader, proxy, host, port);
  } catch (err) {
    reader.release();
    socket.destroy();
    throw new KubeError('unreachable', `Through the proxy: ${(err as Error).message}`);
  }
  reader.release();
  socket.setTimeout(0);
  return socket;
}

export interface ProxyAgentOptions {
  readonly proxy: URL;
  /** Handshake timeout with the proxy. */
  readonly timeoutMs: number;
  /** TLS options (CA, verification) for an https proxy. */
  readonly proxyTls?: tls.ConnectionOptions;
}

type Callback = (err: Error | null, stream: Duplex) => void;

/**
 * createConnection of both agents: the tunnel through the proxy to the request's host and port, handed to the agent
 * through the callback (Node's Agent accepts a connection made asynchronously), with `wrap` on top (TLS for https).
 */
function connectThrough(
  p: ProxyAgentOptions,
  options: http.ClientRequestArgs,
  defaultPort: number,
  wrap: (raw: net.Socket) => Duplex,
  callback?: Callback,
): undefined {
  const host = String(options.host ?? options.hostname ?? 'localhost').replace(/^\[|\]$/g, '');
  const port = Number(options.port) || defaultPort;
  openProxyTunnel(p.proxy, host, port, p.timeoutMs, p.proxyTls).then(
    (raw) => callback?.(null, wrap(raw)),
    (err: Error) => callback?.(err, undefined as unknown as Duplex),
  );
  return undefined;
}

/** A keep-alive agent for https API servers whose connections go through the proxy (TLS to the API server inside). */
export class ProxyHttpsAgent extends https.Agent {
  constructor(
    private readonly p: ProxyAgentOptions,
    options: https.AgentOptions,
  ) {
    super(options);
  }

  override createConnection(options: https.RequestOptions, callback?: Callback): Duplex | null | undefined {
    return connectThrough(this.p, options, 443, (raw) => tls.connect({ ...(options as tls.ConnectionOptions), socket: raw }), callback);
  }
}

/** A keep-alive agent for plain-http API servers behind a SOCKS5 proxy. */
export class ProxyHttpAgent extends http.Agent {
  constructor(
    private readonly p: ProxyAgentOptions,
    options: http.AgentOptions,
  ) {
    super(options);
  }

  override createConnection(options: http.ClientRequestArgs, callback?: Callback): Duplex | null | undefined {
    return connectThrough(this.p, options, 80, (raw) => raw, callback);
  }
}
