// 5. Activation: the production bundle built as `node scripts/build.mjs --production` does (into a temp dir), then
// require() + activate() in a fresh plain Node process per run with the vscode stand-in (activate-child.cjs), and
// an instrumented twin that counts the @kubernetes/client-node modules evaluated (none may be during activation).
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { repoRoot } from '../scripts/lib/toolchain.mjs';
import { runProgram } from '../test/harness/cluster/processes';
import { PRODUCTION, buildOptions, buildProduction } from './bundles';
import { mkTmp, wrong } from './common';
import { quick } from './options';
import { summarize } from './stats';

export async function measureActivation() {
  const out = mkTmp('vce-bench-dist-');
  const { extFile, webFile, metafile } = await buildProduction(out);
  const build = await buildOptions();
  const esbuild = await import('esbuild');
  // An instrumented twin in the same layout (dist/extension.js, and dist/authProvider.js which it loads only for a user
  // with an auth-provider): every @kubernetes/client-node module counts itself when evaluated.
  const probeFile = path.join(out, 'probe', 'extension.js');
  const marker = {
    name: 'client-node-marker',
    setup(b: { onLoad: (o: { filter: RegExp }, cb: (a: { path: string }) => { contents: string; loader: 'js' }) => void }) {
      b.onLoad({ filter: /[\\/]node_modules[\\/]@kubernetes[\\/]client-node[\\/].*\.js$/ }, (a) => ({
        contents: `globalThis.__vceClientNode = (globalThis.__vceClientNode || 0) + 1;\n${fs.readFileSync(a.path, 'utf8')}`,
        loader: 'js',
      }));
    },
  };
  for (const [options, outfile] of [
    [build.extensionOptions, probeFile],
    [build.authProviderOptions, path.join(out, 'probe', 'authProvider.js')],
  ] as const) {
    await esbuild.build({ ...options, ...PRODUCTION, outfile, metafile: false, plugins: [...(options.plugins as unknown[]), marker] } as never);
  }
  const meta = metafile as { outputs: Record<string, { bytes: number; inputs: Record<string, { bytesInOutput: number }> }> };
  const extOut = Object.values(meta.outputs).find((o) => o.bytes === fs.statSync(extFile).size) ?? Object.values(meta.outputs)[0]!;
  const clientNodeBytes = Object.entries(extOut.inputs)
    .filter(([p]) => p.includes('@kubernetes/client-node'))
    .reduce((n, [, i]) => n + i.bytesInOutput, 0);
  const sizes = {
    extensionBytes: fs.statSync(extFile).size,
    extensionGzipBytes: gzipSync(fs.readFileSync(extFile)).length,
    webviewBytes: fs.statSync(webFile).size,
    webviewGzipBytes: gzipSync(fs.readFileSync(webFile)).length,
    clientNodeBytesInExtension: clientNodeBytes,
  };
  const child = path.join(repoRoot, 'bench', 'activate-child.cjs');
  const pkg = path.join(repoRoot, 'package.json');
  const home = mkTmp('vce-bench-act-');
  // One context whose user has an auth-provider, the only thing the extension still hands to client-node: the probe's
  // positive control asks for its vclusters (the server is a closed port, so the request fails right after that).
  fs.writeFileSync(
    path.join(home, 'kubeconfig'),
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: probe',
      '  cluster:',
      '    server: https://127.0.0.1:9',
      'users:',
      '- name: probe',
      '  user:',
      '    auth-provider:',
      '      name: oidc',
      '      config:',
      '        id-token: not-a-real-token',
      '        client-id: probe',
      '        idp-issuer-url: https://127.0.0.1:9',
      'contexts:',
      '- name: probe',
      '  context:',
      '    cluster: probe',
      '    user: probe',
      'current-context: probe',
      '',
    ].join('\n'),
  );
  const env = { HOME: home, KUBECONFIG: path.join(home, 'kubeconfig'), PATH: process.env.PATH ?? '' };
  const runChild = async (bundle: string, extra: string[] = []) => {
    const r = await runProgram(process.execPath, [child, bundle, pkg, home, ...extra], { env, cwd: home, timeoutMs: 60_000 });
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown> & { loadMs: number; activateMs: number; totalMs: number };
  };
  const load: number[] = [];
  const act: number[] = [];
  const total: number[] = [];
  let sample: Record<string, unknown> = {};
  const n = quick ? 5 : 15;
  for (let run = -2; run < n; run++) {
    const r = await runChild(extFile);
    if (run >= 0) {
      load.push(r.loadMs);
      act.push(r.activateMs);
      total.push(r.totalMs);
    }
    sample = r;
  }
  const probe = await runChild(probeFile, ['--probe']);
  const clientNodeAtActivate = probe.clientNodeModulesAtActivate as number;
  const clientNodeServices = probe.clientNodeModulesAfterServices as number;
  const clientNodeAfter = probe.clientNodeModulesAfterAuthProvider as number;
  if (!(clientNodeAfter > 0)) wrong('activation probe: the client-node marker never counted, even for a user with an auth-provider (the probe does not work)');
  return {
    note: 'OUR module only: require(dist/extension.js) + activate(context) in a fresh plain Node process per run, with a stand-in `vscode` module injected through Module._load; the real extension host adds its own work around this',
    bundle: 'esbuild with the options of `node scripts/build.mjs --production`, built into a temp dir',
    sizes,
    loadMs: summarize(load),
    activateMs: summarize(act),
    loadPlusActivateMs: summarize(total),
    vscodeCallsDuringActivate: sample.vscodeCalls,
    vscodeCallKinds: sample.vscodeCallKinds,
    stubMissing: sample.missing,
    requireCacheAdded: sample.requireCacheAdded,
    clientNode: {
      modulesEvaluatedByLoadAndActivate: clientNodeAtActivate,
      modulesEvaluatedAfterServicesLoaded: clientNodeServices,
      modulesEvaluatedForAnAuthProvider: clientNodeAfter,
      evaluatedDuringActivate: clientNodeAtActivate > 0,
    },
  };
}
