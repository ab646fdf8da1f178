// The static checks, written once: `npm run typecheck` and `npm run lint` (scripts/check.mjs) and the `static` suite of
// `npm test` (scripts/test.mjs) all run this list.
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './toolchain.mjs';

const bin = (pkg, file) => path.join(repoRoot, 'node_modules', pkg, file);
const tsc = (project) => [bin('typescript', 'bin/tsc'), '--noEmit', '-p', project];
/** The webview pages' entry points: webview-ui/<page>/main.ts. */
const pageEntries = fs
  .readdirSync(path.join(repoRoot, 'webview-ui'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && fs.existsSync(path.join(repoRoot, 'webview-ui', d.name, 'main.ts')))
  .map((d) => `webview-ui/${d.name}/main.ts`)
  .sort();

/** Each check: the group it belongs to, a label, and the arguments of one `node` run. */
export const CHECKS = [
  { group: 'typecheck', label: 'typecheck', args: tsc('tsconfig.json') },
  { group: 'typecheck', label: 'typecheck webview-ui', args: tsc('webview-ui/tsconfig.json') },
  { group: 'typecheck', label: 'typecheck tests', args: tsc('test/tsconfig.json') },
  { group: 'typecheck', label: 'typecheck bench', args: tsc('bench/tsconfig.json') },
  { group: 'lint', label: 'eslint', args: [bin('eslint', 'bin/eslint.js'), '--max-warnings', '0', '.'] },
  // The formatter: prettier over what .prettierignore leaves (sources, tests, scripts, benchmark); `npm run format` writes.
  { group: 'lint', label: 'format', args: [bin('prettier', 'bin/prettier.cjs'), '--check', '--log-level', 'warn', '.'] },
  {
    group: 'lint',
    label: 'import cycles',
    args: [bin('dpdm', 'lib/bin/dpdm.js'), '--no-warning', '--no-tree', '--transform', '--exit-code', 'circular:1', 'src/extension.ts', ...pageEntries],
  },
];
