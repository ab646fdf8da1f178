// One activation measurement in a fresh Node process (so the module load is cold every time):
//   node bench/activate-child.cjs <bundle.js> <package.json> <tmpdir> [--probe]
// Injects the `vscode` stand-in through Module._load, then times require(bundle) and activate(context). With --probe
// (an instrumented bundle whose @kubernetes/client-node modules count themselves in globalThis.__vceClientNode) it
// also reports how many client-node modules were evaluated by load+activate, after the lazy services module is asked
// for, and — as a positive control — after a request for a user with an auth-provider. Prints one JSON line. This measures OUR module's load + activate cost in plain
// Node with a stand-in vscode: the real extension host adds its own work around it.
'use strict';
const { performance } = require('node:perf_hooks');
const fs = require('node:fs');
const { createVscodeStub, installVscodeStub, fakeExtensionContext } = require('./vscode-stub.cjs');

async function main() {
  const [bundle, pkgFile, dir] = process.argv.slice(2);
  const probe = process.argv.includes('--probe');
  const packageJSON = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
  const stub = createVscodeStub();
  installVscodeStub(stub);
  const cacheBefore = new Set(Object.keys(require.cache));
  const t0 = performance.now();
  const ext = require(bundle);
  const t1 = performance.now();
  const context = fakeExtensionContext(stub, dir, packageJSON);
  const api = ext.activate(context);
  const t2 = performance.now();
  const evaluatedAtActivate = globalThis.__vceClientNode ?? 0;
  const callsAtActivate = [...stub.calls];
  const loadedFiles = Object.keys(require.cache).filter((k) => !cacheBefore.has(k));
  const out = {
    loadMs: t1 - t0,
    activateMs: t2 - t1,
    totalMs: t2 - t0,
    subscriptions: context.subscriptions.length,
    vscodeCalls: callsAtActivate.length,
    vscodeCallKinds: [...new Set(callsAtActivate.map((c) => c.replace(/\(.*\)$/, '')))],
    missing: callsAtActivate.filter((c) => c.startsWith('missing:')),
    requireCacheAdded: loadedFiles.map((f) => f.replace(dir, '<tmp>')),
    apiKeys: Object.keys(api ?? {}),
  };
  if (probe) {
    out.clientNodeModulesAtActivate = evaluatedAtActivate;
    // Positive control: the services (what the first tree expansion or command loads), then a request for a user with
    // an auth-provider, which only client-node implements: client-node is evaluated now.
    try {
      await api.testing.services();
    } catch (err) {
      out.servicesError = String((err && err.message) || err);
    }
    out.clientNodeModulesAfterServices = globalThis.__vceClientNode ?? 0;
    try {
      await api.listVClusters('probe');
    } catch {
      /* the server is a closed port */
    }
    out.clientNodeModulesAfterAuthProvider = globalThis.__vceClientNode ?? 0;
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`${(err && err.stack) || err}\n`);
  process.exit(1);
});
