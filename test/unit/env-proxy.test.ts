// The environment's proxy for a cluster without proxy-url, by the rules of Go's golang.org/x/net/http/httpproxy that
// kubectl uses (src/kube/envProxy.ts). The cluster suite checks the same side by side with real kubectl
// (test/cluster/kubeconfig-fidelity.test.ts, "proxy from the environment").
import assert from 'node:assert/strict';
import { KubeError } from '../../src/kube/errors';
import { proxyFromEnvironment } from '../../src/kube/envProxy';

const proxyFor = (server: string, env: NodeJS.ProcessEnv) => proxyFromEnvironment(new URL(server), env)?.href;

describe('proxy from the environment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY as kubectl reads them)', () => {
  it('uses HTTPS_PROXY for https servers and HTTP_PROXY for http ones; the upper-case name wins', () => {
    const env = { HTTPS_PROXY: 'http://secure:3128', https_proxy: 'http://lower:1', HTTP_PROXY: 'http://plain:8080' };
    assert.equal(proxyFor('https://api.example.com:6443', env), 'http://secure:3128/');
    assert.equal(proxyFor('http://api.example.com:8080', env), 'http://plain:8080/');
    assert.equal(proxyFor('https://api.example.com', { https_proxy: 'http://lower:1' }), 'http://lower:1/');
    assert.equal(proxyFor('https://api.example.com', { HTTP_PROXY: 'http://plain:8080' }), undefined, 'HTTP_PROXY is not used for https');
    assert.equal(proxyFor('https://api.example.com', {}), undefined);
  });

  it('takes a value without a scheme as http://, keeps https and socks5 proxies, and dials other schemes as http', () => {
    assert.equal(proxyFor('https://api.example.com', { HTTPS_PROXY: 'proxy.corp:3128' }), 'http://proxy.corp:3128/');
    assert.equal(proxyFor('https://api.example.com', { HTTPS_PROXY: '10.1.2.3:3128' }), 'http://10.1.2.3:3128/');
    assert.equal(proxyFor('https://api.example.com', { HTTPS_PROXY: 'https://user:pw@proxy.corp' }), 'https://user:pw@proxy.corp/');
    assert.equal(proxyFor('https://api.example.com', { HTTPS_PROXY: 'socks5://proxy.corp:1080' }), 'socks5://proxy.corp:1080');
    assert.equal(proxyFor('https://api.example.com', { HTTPS_PROXY: 'socks5h://proxy.corp:1080' }), 'socks5://proxy.corp:1080');
    // kubectl with HTTPS_PROXY=ftp://127.0.0.1:9 sends its CONNECT to 127.0.0.1:9
    assert.equal(proxyFor('https://api.example.com', { HTTPS_PROXY: 'ftp://127.0.0.1:9' }), 'http://127.0.0.1:9/');
  });

  it('never proxies localhost or a loopback address', () => {
    const env = { HTTPS_PROXY: 'http://proxy:3128' };
    for (const server of ['https://localhost:6443', 'https://127.0.0.1:6443', 'https://127.9.8.7', 'https://[::1]:6443']) {
      assert.equal(proxyFor(server, env), undefined, server);
    }
    assert.equal(proxyFor('https://localhost.example.com', env), 'http://proxy:3128/');
  });

  it('NO_PROXY: a domain matches itself and its subdomains; a leading dot or *. only the subdomains', () => {
    const env = (noProxy: string) => ({ HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: noProxy });
    const direct = (server: string, noProxy: string) => proxyFor(server, env(noProxy)) === undefined;
    assert.ok(direct('https://example.com', 'example.com'));
    assert.ok(direct('https://api.example.com', 'example.com'));
    assert.ok(!direct('https://notexample.com', 'example.com'));
    assert.ok(!direct('https://example.com', '.example.com'));
    assert.ok(direct('https://api.example.com', '.example.com'));
    assert.ok(!direct('https://example.com', '*.example.com'));
    assert.ok(direct('https://a.b.example.com', '*.example.com'));
    assert.ok(direct('https://API.Example.COM', ' Example.com '), 'case and spaces do not matter');
    assert.ok(direct('https://api.example.com', 'other.org, example.com'), 'a list');
    assert.ok(direct('https://anything.example', '*'));
    assert.ok(!direct('https://anything.example', ''), 'empty');
  });

  it('NO_PROXY: a port, an IP address and a CIDR range; a domain never matches an IP address', () => {
    const env = (noProxy: string) => ({ HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: noProxy });
    const direct = (server: string, noProxy: string) => proxyFor(server, env(noProxy)) === undefined;
    assert.ok(direct('https://example.com:6443', 'example.com:6443'));
    assert.ok(!direct('https://example.com:8443', 'example.com:6443'));
    assert.ok(direct('https://example.com', 'example.com:443'), 'the scheme default port counts');
    assert.ok(direct('https://10.0.0.5:6443', '10.0.0.5'));
    assert.ok(direct('https://10.0.0.5:6443', '10.0.0.5:6443'));
    assert.ok(!direct('https://10.0.0.5:6443', '10.0.0.5:443'));
    assert.ok(direct('https://10.1.2.3', '10.0.0.0/8'));
    assert.ok(!direct('https://11.1.2.3', '10.0.0.0/8'));
    assert.ok(direct('https://[fd00::5]:6443', 'fd00::/8'));
    assert.ok(direct('https://[fd00::5]:6443', '[fd00::5]:6443'));
    assert.ok(!direct('https://10.0.0.5', '.0.0.5'), 'a domain entry does not match an IP address');
  });

  it('refuses HTTP_PROXY when REQUEST_METHOD is set (a CGI environment), as Go does', () => {
    assert.throws(
      () => proxyFromEnvironment(new URL('http://api.example.com'), { HTTP_PROXY: 'http://proxy:3128', REQUEST_METHOD: 'GET' }),
      (e: unknown) => e instanceof KubeError && /refusing to use HTTP_PROXY value in CGI environment/.test(e.message),
    );
    assert.equal(proxyFor('https://api.example.com', { HTTPS_PROXY: 'http://proxy:3128', REQUEST_METHOD: 'GET' }), 'http://proxy:3128/');
  });
});
