import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

// The extension's bundle carries none of @kubernetes/client-node: the auth-provider path (src/kube/authProvider.ts) is
// its own bundle, loaded at run time from beside dist/extension.js. Built here with the options of
// `node scripts/build.mjs --production` into a temp dir, then the auth-provider bundle is loaded as the extension does.

const root = path.resolve(__dirname, '..', '..');

type Outputs = Record<string, { bytes: number; inputs: Record<string, unknown> }>;

describe('production bundles', function () {
  this.timeout(120_000);
  let dir: string;
  let outputs: Outputs;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-bundles-'));
    const build = (await import(pathToFileURL(path.join(root, 'scripts', 'build.mjs')).href)) as Record<string, Record<string, unknown>>;
    const esbuild = await import('esbuild');
    const production = { minify: true, sourcemap: false, legalComments: 'none', logLevel: 'error', metafile: true } as const;
    const ext = await esbuild.build({ ...build.extensionOptions, ...production, outfile: path.join(dir, 'extension.js') } as never);
    const auth = await esbuild.build({ ...build.authProviderOptions, ...production, outfile: path.join(dir, 'authProvider.js') } as never);
    outputs = { ...(ext as { metafile: { outputs: Outputs } }).metafile.outputs, ...(auth as { metafile: { outputs: Outputs } }).metafile.outputs };
  });
  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const output = (file: string) => Object.entries(outputs).find(([p]) => p.endsWith(`/${file}`))![1];

  it('dist/extension.js contains no @kubernetes/client-node module, and loads dist/authProvider.js with require()', () => {
    const inputs = Object.keys(output('extension.js').inputs);
    assert.ok(
      inputs.some((p) => p.includes('src/kube/credentials.ts')),
      'the credentials module is in the bundle',
    );
    assert.deepEqual(
      inputs.filter((p) => p.includes('@kubernetes/client-node') || p.includes('src/kube/authProvider.ts')),
      [],
    );
    assert.match(fs.readFileSync(path.join(dir, 'extension.js'), 'utf8'), /require\("\.\/authProvider\.js"\)/);
    assert.ok(Object.keys(output('authProvider.js').inputs).some((p) => p.includes('@kubernetes/client-node')));
  });

  it('the auth-provider bundle applies an oidc id-token that is still valid as the bearer token', async () => {
    const payload = Buffer.from(JSON.stringify({ iss: 'https://127.0.0.1:9', exp: Math.floor(Date.now() / 1000) + 3600 })).toString('base64url');
    const idToken = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.c2ln`;
    const m = require(path.join(dir, 'authProvider.js')) as typeof import('../../src/kube/authProvider');
    const apply = m.authProviderApplier('https://127.0.0.1:9', {
      name: 'oidc',
      config: { 'client-id': 'vce', 'idp-issuer-url': 'https://127.0.0.1:9', 'id-token': idToken },
    });
    const headers: Record<string, string> = {};
    await apply(headers);
    assert.equal(headers.Authorization, `Bearer ${idToken}`);
  });
});
