#!/usr/bin/env node
// `npm run demo`: a real Kubernetes control plane with the demo world, and VS Code (code-server) with the extension.
//
//   node scripts/demo.mjs [--no-editor] [--no-real] [--port N] [--kubeconfig PATH]
//
// 1. sets up what is missing (the Go-built Kubernetes tools, Helm and the vcluster CLI, the real node's kubelet,
//    syncer, kine and images; code-server unless --no-editor),
// 2. starts etcd + kube-apiserver + kube-controller-manager + kube-scheduler and a real node (containerd + kubelet,
//    test/harness/node/node.ts), and lays out the fixture vclusters for states a real one cannot reach quickly (crashing,
//    sleeping, an old 0.20 layout scaled down),
// 3. writes a kubeconfig (contexts "demo-host" = admin, "demo-restricted" = a user who may only read namespace team-a,
//    with no namespace in its context: the tenant's path of README, from the Forbidden node to vcluster dev) and prints
//    `KUBECONFIG=<path>` as soon as the cluster is ready,
// 4. creates the real vclusters in the background with the real vcluster CLI — team-a/dev running an application with
//    a real vcluster nested inside it, team-c/qa running another, team-b/staging paused — and says when each is up,
// 5. builds the extension and starts code-server with it (KUBECONFIG set, kubectl/helm/vcluster on PATH) and prints
//    the URL; --no-editor stops after step 3 (the real vclusters still come up).
// On a machine that cannot run a node (not root, no overlayfs, ...), or with --no-real or VCE_SKIP_REAL_NODE=1, it
// says what is missing and shows the fixture world only: every vcluster laid out by test/harness/worlds/worlds.ts, each
// running one with its own real virtual API server.
// Ctrl-C or SIGTERM stops everything. The harness is TypeScript (test/harness); it runs here through tsx.
import fs from 'node:fs';
import path from 'node:path';
import { register as registerCjs } from 'tsx/cjs/api';
import { register } from 'tsx/esm/api';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { realNodeSupport, SKIP_REAL_NODE_ENV } from './lib/real-node.mjs';
import { cacheRoot, ensureGoTools, log, mainWrapper, repoRoot, runNodeScript, toolPath } from './lib/toolchain.mjs';

function parseArgs(argv) {
  const o = { editor: true, real: true, port: undefined, kubeconfig: path.join(cacheRoot(), 'demo', 'kubeconfig') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const eq = a.indexOf('=');
      if (eq >= 0) return a.slice(eq + 1);
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--no-editor') o.editor = false;
    else if (a === '--no-real') o.real = false;
    else if (a.startsWith('--port')) o.port = Number(value());
    else if (a.startsWith('--kubeconfig')) o.kubeconfig = path.resolve(value());
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: node scripts/demo.mjs [--no-editor] [--no-real] [--port N] [--kubeconfig PATH]\n');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

/** One kubeconfig with the admin context (renamed) and the restricted user's context (renamed). */
function mergedKubeconfig(adminYaml, restrictedYaml) {
  const rename = (cfg, to) => ({
    clusters: cfg.clusters.map((c) => ({ ...c, name: to })),
    users: cfg.users.map((u) => ({ ...u, name: to })),
    contexts: cfg.contexts.map((c) => ({ name: to, context: { ...c.context, cluster: to, user: to } })),
  });
  const a = rename(parseYaml(adminYaml), 'demo-host');
  const r = rename(parseYaml(restrictedYaml), 'demo-restricted');
  return toYaml({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [...a.clusters, ...r.clusters],
    users: [...a.users, ...r.users],
    contexts: [...a.contexts, ...r.contexts],
    'current-context': 'demo-host',
    preferences: {},
  });
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  await ensureGoTools();

  // The harness modules are TypeScript loaded as CommonJS (the package has no "type": "module"): hook both loaders.
  register();
  registerCjs();
  const { startHost } = await import('../test/harness/cluster/controlPlane.ts');
  const { buildDemoWorld } = await import('../test/harness/worlds/worlds.ts');

  // Every process (etcd, the API servers, the controller-manager, the node, code-server) is in a registry whose exit
  // hooks kill it on Ctrl-C, SIGTERM, SIGHUP, an uncaught exception or a normal exit (test/harness/cluster/processes.ts and
  // scripts/lib/vscode-host.mjs); the temp dirs and the node's machine-wide state go with them
  // (test/harness/node/nodeState.ts). The kubeconfig is removed too: its ports die with us.
  process.on('exit', () => fs.rmSync(opts.kubeconfig, { force: true }));
  const missing = opts.real && process.env[SKIP_REAL_NODE_ENV] !== '1' ? realNodeSupport() : ['(real vclusters turned off)'];
  let host;
  let restricted;
  let real;
  if (missing.length === 0) {
    const { startRealCluster } = await import('../test/harness/node/node.ts');
    const { buildRealDemo } = await import('../test/harness/node/realDemo.ts');
    log('starting the control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler) and a real node (containerd, kubelet)');
    const cluster = await startRealCluster({ contextName: 'demo-host' });
    host = cluster.host;
    log('laying out the fixture vclusters (states a real vcluster does not reach quickly)');
    const demo = await buildRealDemo(cluster, (msg) => log(msg));
    restricted = demo.restricted;
    real = demo.real;
    log(
      `fixtures: ${demo.fixtures
        .all()
        .map((v) => `${v.namespace}/${v.name} (${v.expectedStatus})`)
        .join(', ')}; the real vclusters are being created`,
    );
  } else {
    if (opts.real) log(`no real vclusters: this machine cannot run a node:\n  - ${missing.join('\n  - ')}`);
    log('starting the control plane (etcd, kube-apiserver, kube-controller-manager)');
    host = await startHost({ contextName: 'demo-host' });
    log('building the demo world');
    const world = await buildDemoWorld(host);
    restricted = world.restricted;
    log(
      `fixtures: ${world
        .all()
        .map((v) => `${v.parents.map((p) => `${p.namespace}/${p.name} > `).join('')}${v.namespace}/${v.name} (${v.expectedStatus})`)
        .join(', ')}`,
    );
  }
  fs.mkdirSync(path.dirname(opts.kubeconfig), { recursive: true });
  fs.writeFileSync(opts.kubeconfig, mergedKubeconfig(host.kubeconfig, restricted.kubeconfig), { mode: 0o600 });
  fs.chmodSync(opts.kubeconfig, 0o600);
  process.stdout.write(`KUBECONFIG=${opts.kubeconfig}\n`);
  log(`host ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  real?.then(
    (made) => log(`all ${made.length} real vclusters are up, ${((Date.now() - t0) / 1000).toFixed(0)} s after the start`),
    (err) => log(`a real vcluster did not come up: ${err.message}`),
  );
  log(`try: ${toolPath('kubectl')} --kubeconfig ${opts.kubeconfig} get statefulsets -A -l app=vcluster`);

  const toolPathEnv = [path.dirname(toolPath('vcluster')), path.dirname(toolPath('helm')), path.dirname(toolPath('kubectl')), process.env.PATH ?? ''].join(
    path.delimiter,
  );
  if (opts.editor) {
    log('building the extension');
    // Its output goes to stderr: stdout carries only the KUBECONFIG= and URL= lines.
    await runNodeScript([path.join(repoRoot, 'scripts', 'build.mjs')], { stdio: ['ignore', 2, 2] });
    const { startCodeServer } = await import('./lib/vscode-host.mjs');
    const workspace = path.join(cacheRoot(), 'demo', 'workspace');
    fs.mkdirSync(workspace, { recursive: true });
    log('starting code-server with the extension');
    const editor = await startCodeServer({
      extensionDevelopmentPath: repoRoot,
      workspace,
      env: { KUBECONFIG: opts.kubeconfig, PATH: toolPathEnv },
      ...(opts.port ? { port: opts.port } : {}),
    });
    process.stdout.write(`URL=${editor.url}\n`);
  }
  log('running; press Ctrl-C to stop everything');
  // Keep the process alive until a signal arrives.
  setInterval(() => undefined, 1 << 30);
}

mainWrapper(main);
