#!/usr/bin/env node
// Runs one of the project's scripts on a fresh machine: installs Node 22 and the npm packages first if they are
// missing (scripts/setup.mjs, no dependencies of its own), then runs the script with that Node, forwarding
// Ctrl-C / SIGTERM, and exits with its code. Used by `npm run demo`, `npm run bench` and `npm run screenshots`.
//   node scripts/launch.mjs <script.mjs> [args...]
import path from 'node:path';
import { setup } from './setup.mjs';
import { envWithNode, exitStatus, mainWrapper, repoRoot, runChild } from './lib/toolchain.mjs';

mainWrapper(async () => {
  const [script, ...args] = process.argv.slice(2);
  if (!script) throw new Error('usage: node scripts/launch.mjs <script.mjs> [args...]');
  const node = await setup(['npm', 'apt']);
  const { ended } = runChild(node, [path.join(repoRoot, 'scripts', script), ...args], { cwd: repoRoot, env: envWithNode(node), forwardSignals: true });
  process.exit(exitStatus(await ended));
});
