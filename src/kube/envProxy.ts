// The proxy from the environment for a cluster without `proxy-url`, as kubectl picks it: client-go's transport uses Go's
// http.ProxyFromEnvironment (k8s.io/client-go v0.34 transport/cache.go, through apimachinery's
// NewProxierWithNoProxyCIDR), which is golang.org/x/net/http/httpproxy:
// - HTTPS_PROXY (else https_proxy) for https API servers, HTTP_PROXY (else http_proxy) for http ones; a value without
//   a scheme ("proxy:3128") is taken as http://; a value that does not parse is ignored;
// - never for "localhost" or a loopback address;
// - not for a host NO_PROXY (else no_proxy) names: comma-separated entries, "*" for every host, an IP address or a
//   CIDR range, or a domain that matches itself and its subdomains (".example.com" and "*.example.com" only the
//   subdomains), each optionally with ":port";
// - HTTP_PROXY is refused when REQUEST_METHOD is set (a CGI environment, golang.org/s/cgihttpproxy).
import net from 'node:net';
import { domainToASCII } from 'node:url';
import { KubeError } from './errors';
import { DEFAULT_PORTS } from './proxy';

type Matcher = (host: string, port: string, ip: string | undefined) => boolean;

interface EnvProxyConfig {
  readonly httpProxy?: URL;
  readonly httpsProxy?: URL;
  readonly cgi: boolean;
  readonly ipMatchers: readonly Matcher[];
  readonly domainMatchers: readonly Matcher[];
}

function envAny(env: NodeJS.ProcessEnv, ...names: string[]): string {
  for (const n of names) {
    const v = env[n];
    if (v) return v;
  }
  return '';
}

function parseProxy(raw: string): URL | undefined {
  if (!raw) return undefined;
  let u: URL | undefined;
  try {
    u = new URL(raw);
  } catch {
    u = undefined;
  }
  if (!u || !u.protocol || !u.host) {
    try {
      return new URL(`http://${raw}`);
    } catch {
      return undefined; // Go ignores a proxy variable it cannot parse
    }
  }
  return u;
}

function isAscii(s: string): boolean {
  return /^[\x00-\x7f]*$/.test(s);
}

/** Go's idnaASCII: non-ASCII names to punycode, unchanged when that fails. */
function idna(host: string): string {
  if (isAscii(host)) return host;
  const v = domainToASCII(host);
  return v || host;
}

/** Splits "host:port" / "[v6]:port" as Go's net.SplitHostPort; undefined when there is no port. */
function splitHostPort(s: string): { host: string; port: string } | undefined {
  const m = /^\[([^\]]*)\]:([^:]*)$/.exec(s) ?? /^([^:[\]]*):([^:]*)$/.exec(s);
  return m ? { host: m[1]!, port: m[2]! } : undefined;
}

const family = (ip: string): 'ipv4' | 'ipv6' => (net.isIPv6(ip) ? 'ipv6' : 'ipv4');

/** What Go's IP.IsLoopback counts: 127.0.0.0/8, ::1 and IPv4-mapped 127.x. */
const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');
LOOPBACK.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');

function parseCidr(p: string): Matcher | undefined {
  const m = /^(.+)\/(\d{1,3})$/.exec(p);
  if (!m) return undefined;
  const version = net.isIP(m[1]!);
  const bits = Number(m[2]);
  if (!version || bits > (version === 4 ? 32 : 128)) return undefined;
  const list = new net.BlockList();
  list.addSubnet(m[1]!, bits, family(m[1]!));
  return (_host, _port, ip) => ip !== undefined && list.check(ip, family(ip));
}

function parseConfig(env: NodeJS.ProcessEnv): EnvProxyConfig {
  const httpProxy = parseProxy(envAny(env, 'HTTP_PROXY', 'http_proxy'));
  const httpsProxy = parseProxy(envAny(env, 'HTTPS_PROXY', 'https_proxy'));
  const cgi = (env.REQUEST_METHOD ?? '') !== '';
  const ipMatchers: Matcher[] = [];
  const domainMatchers: Matcher[] = [];
  for (const entry of envAny(env, 'NO_PROXY', 'no_proxy').split(',')) {
    const p = entry.trim().toLowerCase();
    if (!p) continue;
    if (p === '*') {
      const all: Matcher = () => true;
      return { httpProxy, httpsProxy, cgi, ipMatchers: [all], domainMatchers: [all] };
    }
    const cidr = parseCidr(p);
    if (cidr) {
      ipMatchers.push(cidr);
      continue;
    }
    const hp = splitHostPort(p);
    let phost = hp ? hp.host : p;
    const pport = hp ? hp.port : '';
    if (hp && !phost) continue;
    if (net.isIP(phost)) {
      const one = new net.BlockList();
      one.addAddress(phost, family(phost));
      ipMatchers.push((_host, port, ip) => ip !== undefined && one.check(ip, family(ip)) && (pport === '' || pport === port));
      continue;
    }
    if (!phost) continue;
    if (phost.startsWith('*.')) phost = phost.slice(1);
    const matchHost = !phost.startsWith('.');
    if (matchHost) phost = `.${phost}`;
    phost = idna(phost);
    const suffix = phost;
    domainMatchers.push((host, port, ip) => {
      if (ip !== undefined) return false;
      if (host.endsWith(suffix) || (matchHost && host === suffix.slice(1))) return pport === '' || pport === port;
      return false;
    });
  }
  return { httpProxy, httpsProxy, cgi, ipMatchers, domainMatchers };
}

function useProxy(cfg: EnvProxyConfig, target: URL): boolean {
  const host = idna(target.hostname.replace(/^\[|\]$/g, ''));
  const port = target.port || String(DEFAULT_PORTS[target.protocol] ?? '');
  if (host === 'localhost') return false;
  const ip = net.isIP(host) ? host : undefined;
  if (ip && LOOPBACK.check(ip, family(ip))) return false;
  const h = host.trim().toLowerCase();
  if (ip && cfg.ipMatchers.some((m) => m(h, port, ip))) return false;
  return !cfg.domainMatchers.some((m) => m(h, port, ip));
}

/**
 * The proxy kubectl would use for the API server `server` when its cluster has no proxy-url, from `env` (default
 * process.env); undefined for none. Throws KubeError('config') for a proxy kubectl would not use either.
 */
export function proxyFromEnvironment(server: URL, env: NodeJS.ProcessEnv = process.env): URL | undefined {
  const cfg = parseConfig(env);
  let proxy: URL | undefined;
  if (server.protocol === 'https:') proxy = cfg.httpsProxy;
  else if (server.protocol === 'http:') {
    proxy = cfg.httpProxy;
    if (proxy && cfg.cgi) throw new KubeError('config', 'refusing to use HTTP_PROXY value in CGI environment; see golang.org/s/cgihttpproxy');
  }
  if (!proxy || !useProxy(cfg, server)) return undefined;
  // Go's Transport dials socks5 and socks5h proxies with SOCKS5 (ours always lets the proxy resolve names, as socks5h
  // does), https ones with TLS, and any other scheme as a plain http proxy (kubectl with HTTPS_PROXY=ftp://host:port
  // sends its CONNECT to host:port).
  if (proxy.protocol === 'http:' || proxy.protocol === 'https:' || proxy.protocol === 'socks5:') return proxy;
  const scheme = proxy.protocol === 'socks5h:' ? 'socks5' : 'http';
  const auth = proxy.username || proxy.password ? `${proxy.username}:${proxy.password}@` : '';
  return new URL(`${scheme}://${auth}${proxy.host || 'invalid'}`);
}
