import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { contentSecurityPolicy, escapeHtml, isCspSourceList, renderHtml } from '../../src/webview/html';
import { sanitizeModel } from '../../src/webview/sanitize';
import type { MappingModel } from '../../src/shared/model';

const cspSource = 'https://*.vscode-cdn.net';
const base = {
  cspSource,
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/mapping.js',
  styleUris: ['https://file+.vscode-resource.vscode-cdn.net/ext/media/panel.css', 'https://file+.vscode-resource.vscode-cdn.net/ext/media/mapping.css'],
  codiconUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/codicon.css',
};

function cspOf(html: string): Map<string, string[]> {
  const m = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(m, 'the page has a CSP meta tag');
  const decoded = m[1]!.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
  return new Map(
    decoded
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([k, ...v]) => [k!, v]),
  );
}

describe('webview html: renderHtml', () => {
  const nonce = randomBytes(18).toString('base64url');
  const html = renderHtml({ ...base, nonce, state: { ref: { context: 'c', namespace: 'n', name: 'v' } } });
  const csp = cspOf(html);

  it('denies everything by default and allows scripts only by nonce', () => {
    assert.deepEqual(csp.get('default-src'), ["'none'"]);
    assert.deepEqual(csp.get('script-src'), [`'nonce-${nonce}'`]);
  });

  it('takes styles and fonts only from the webview resource origin, images also as data:', () => {
    assert.deepEqual(csp.get('style-src'), [cspSource]);
    assert.deepEqual(csp.get('font-src'), [cspSource]);
    assert.deepEqual(csp.get('img-src'), [cspSource, 'data:']);
    assert.equal(csp.has('connect-src'), false, 'no network from the webview');
  });

  it('allows nothing unsafe anywhere', () => {
    assert.doesNotMatch(html, /unsafe-(inline|eval|hashes)|wasm-unsafe|strict-dynamic/);
    assert.doesNotMatch(html, /\sstyle=/i, 'no inline style attributes');
    assert.doesNotMatch(html, /\son[a-z]+=/i, 'no inline event handlers');
  });

  it('puts the nonce on every script tag, and every script has a src (no inline code)', () => {
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1);
    for (const [, attrs, body] of scripts) {
      assert.match(attrs!, new RegExp(`\\snonce="${nonce}"`));
      assert.match(attrs!, /\ssrc="https:\/\/file\+\.vscode-resource\.vscode-cdn\.net\/ext\/dist\/mapping\.js"/);
      assert.equal(body!.trim(), '');
    }
  });

  it('links the style sheets, the codicon one with the id vscode-elements looks for', () => {
    assert.match(html, /<link id="vscode-codicon-stylesheet" rel="stylesheet" href="[^"]+\/dist\/codicon\.css">/);
    assert.match(
      html,
      /<link rel="stylesheet" href="[^"]+\/media\/panel\.css">\s*<link rel="stylesheet" href="[^"]+\/media\/mapping\.css">/,
      "the shared sheet first, then the panel's own",
    );
  });

  it('escapes the initial state so that it cannot break out of its attribute', () => {
    const evil = renderHtml({ ...base, nonce, state: { ref: { context: '"><script>alert(1)</script>', namespace: 'n', name: "v'&" } } });
    assert.equal([...evil.matchAll(/<script\b/g)].length, 1);
    const m = /<body data-state="([^"]*)">/.exec(evil);
    assert.ok(m);
    const decoded = m[1]!.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
    assert.equal(JSON.parse(decoded).ref.context, '"><script>alert(1)</script>');
  });

  it('uses a different nonce per render and refuses weak or malformed nonces and sources', () => {
    const a = cspOf(renderHtml({ ...base, nonce: randomBytes(18).toString('base64url') })).get('script-src');
    const b = cspOf(renderHtml({ ...base, nonce: randomBytes(18).toString('base64url') })).get('script-src');
    assert.notDeepEqual(a, b);
    assert.throws(() => renderHtml({ ...base, nonce: 'abc' }), /nonce/);
    assert.throws(() => renderHtml({ ...base, nonce: `${'a'.repeat(20)}' 'unsafe-inline` }), /nonce/);
    assert.throws(() => renderHtml({ ...base, nonce, cspSource: "https://x 'unsafe-eval'" }), /cspSource/);
    assert.throws(() => renderHtml({ ...base, nonce, cspSource: 'https://x; script-src *' }), /cspSource/);
    assert.throws(() => renderHtml({ ...base, nonce, cspSource: "'self' 'unsafe-inline'" }), /cspSource/);
    assert.throws(() => renderHtml({ ...base, nonce, cspSource: 'https://x\nscript-src *' }), /cspSource/);
    assert.throws(() => renderHtml({ ...base, nonce, cspSource: '' }), /cspSource/);
  });

  it("accepts the web workbench's cspSource (code-server: 'self' plus the CDN host)", () => {
    const web = cspOf(renderHtml({ ...base, nonce, cspSource: "'self' https://*.vscode-cdn.net" }));
    assert.deepEqual(web.get('style-src'), ["'self'", 'https://*.vscode-cdn.net']);
    assert.deepEqual(web.get('img-src'), ["'self'", 'https://*.vscode-cdn.net', 'data:']);
    assert.ok(isCspSourceList('vscode-webview://abc123 https://file+.vscode-resource.vscode-cdn.net'));
  });

  it('builds the same policy through contentSecurityPolicy()', () => {
    assert.equal(contentSecurityPolicy('https://r', 'n'.repeat(16)).split('; ')[0], "default-src 'none'");
    assert.equal(escapeHtml(`<a href="x">'&\``), '&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#96;');
  });
});

describe('webview sanitizeModel', () => {
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2EifQ.c2lnbmF0dXJlc2lnbmF0dXJl';
  const model = {
    vcluster: { context: 'c', namespace: 'n', name: 'v', token: 'x' },
    hostNamespace: 'n',
    rows: [
      {
        kind: 'Secret',
        virtualNamespace: 'default',
        virtualName: 's',
        hostNamespace: 'n',
        hostName: 's-x-default-x-v',
        state: 'synced',
        raw: { data: { password: 'aHVudGVyMg==' } },
        virtualStatus: `token: ${jwt}`,
      },
    ],
    summary: { synced: 1, virtualOnly: 0, hostOnly: 0, byKind: { Secret: { synced: 1, virtualOnly: 0, hostOnly: 0 } } },
    errors: [{ kind: 'Pod', side: 'host', message: `Unauthorized: Authorization: Bearer ${jwt}` }],
    fetchedAt: '2026-11-25T09:00:00Z',
  } as unknown as MappingModel;

  it('keeps only protocol fields and redacts free text', () => {
    const clean = sanitizeModel(model);
    const text = JSON.stringify(clean);
    assert.doesNotMatch(text, /aHVudGVyMg|eyJhbGci|"raw"|"token":"x"/);
    assert.equal(clean.rows[0]!.hostName, 's-x-default-x-v');
    assert.match(clean.errors[0]!.message, /^Unauthorized: Authorization: Bearer <redacted>/);
    assert.deepEqual(Object.keys(clean.vcluster).sort(), ['context', 'name', 'namespace']);
    assert.equal(clean.summary.byKind.Secret?.synced, 1);
  });
});
