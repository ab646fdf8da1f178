#!/usr/bin/env node
// `npm run typecheck` / `npm run lint`: runs the static checks of one group (scripts/lib/checks.mjs) with this Node, one
// after the other, and stops at the first that fails.
//   node scripts/check.mjs typecheck|lint
import { spawnSync } from 'node:child_process';
import { CHECKS } from './lib/checks.mjs';
import { repoRoot } from './lib/toolchain.mjs';

const group = process.argv[2];
const checks = CHECKS.filter((c) => c.group === group);
if (checks.length === 0) {
  console.error(`usage: node scripts/check.mjs ${[...new Set(CHECKS.map((c) => c.group))].join('|')}`);
  process.exit(2);
}
for (const c of checks) {
  const r = spawnSync(process.execPath, c.args, { cwd: repoRoot, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`[check] ${c.label} failed`);
    process.exit(r.status ?? 1);
  }
}
