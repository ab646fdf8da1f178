// The project's npm dependencies: `npm ci` when node_modules does not match package-lock.json.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { run } from './child-env.mjs';
import { envWithNode, npmCli } from './node-runtime.mjs';
import { elapsed, log, repoRoot } from './versions.mjs';

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
