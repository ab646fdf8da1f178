// The set-up's fixed points: where the repository and the cache are, the versions of everything installed outside
// node_modules (the cache key), the Debian packages, and the way a set-up step reports progress and failure. Plain Node
// ESM without dependencies, like every module of the set-up (scripts/lib/toolchain.mjs lists them), so it runs before
// `npm ci`.
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
// The real node of the tests and the demo (test/harness/node/node.ts): containerd, runc and the CNI plugins; busybox-static
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

/**
 * Runs `main` (it resolves to the exit status) when the module at `moduleUrl` is the program node was started with;
 * a failure is one line through `say`.
 */
export function runIfMain(moduleUrl, main, say) {
  if (moduleUrl !== `file://${process.argv[1]}`) return;
  main().then(
    (code) => process.exit(code),
    (err) => {
      say(`error: ${err?.message ?? err}`);
      process.exit(1);
    },
  );
}
