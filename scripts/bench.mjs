#!/usr/bin/env node
// `npm run bench`: measured speed and scale of vcluster Explorer against kubectl and the vcluster CLI, on the real
// control plane of the test harness, in Chromium and in a real VS Code (code-server). This launcher only starts
// bench/main.ts in Node with the TypeScript loader and --expose-gc (heap figures); the child owns every process it
// starts and stops them on exit, failure or Ctrl-C.
//
//   npm run bench [-- --quick] [-- --runs N] [-- --cli-everywhere] [-- --namespace-curve] [-- --no-workbench]
//                 [-- --only activation,join,hostile-config,webview,kubeconfig,hostile,hostile-text,discovery,tree,watch,mapping,inside,workbench]
//
// Prints a table, writes bench/results.json (git-ignored), exits non-zero when a measured operation returned a wrong
// result. Times are reported, never asserted.
import path from 'node:path';
import { endedHow, exitStatus, repoRoot, runChild } from './lib/toolchain.mjs';

// Signals are passed on (Ctrl-C in a terminal reaches both anyway): the child stops every process it started and
// exits; this launcher waits for that and exits with the child's status.
const { ended } = runChild(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(repoRoot, 'bench', 'main.ts'), ...process.argv.slice(2)], {
  cwd: repoRoot,
  forwardSignals: true,
});
const r = await ended;
if (r.error) console.error(`[bench] ${endedHow(r)} (node)`);
process.exit(exitStatus(r));
