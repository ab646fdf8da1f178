// Entry of the integration suite inside the VS Code extension host (the standard `run()` of extensionTestsPath).
// scripts/build.mjs --tests bundles each test/integration/*.ts into out/integration/*.js; this file runs mocha over
// every out/integration/*.test.js with the project's reporter, which writes the counts to $VCE_RESULT_FILE.
// mocha stays external to the bundle and is resolved from the repository's node_modules.
import fs from 'node:fs';
import path from 'node:path';
import * as mochaModule from 'mocha';

type MochaClass = typeof Mocha;

/** mocha 12 is ESM; required from CommonJS its constructor is the `Mocha` (or `default`) export. */
function mochaConstructor(): MochaClass {
  const m = mochaModule as unknown as { Mocha?: MochaClass; default?: MochaClass };
  const ctor = m.Mocha ?? m.default ?? (mochaModule as unknown as MochaClass);
  if (typeof ctor !== 'function') throw new Error('mocha did not export its constructor');
  return ctor;
}

export async function run(): Promise<void> {
  const testsDir = __dirname; // out/integration
  const repo = path.resolve(testsDir, '..', '..');
  const MochaCtor = mochaConstructor();
  const mocha = new MochaCtor({
    ui: 'bdd',
    color: false,
    timeout: Number(process.env.VCE_TEST_TIMEOUT_MS) || 60_000,
    reporter: path.join(repo, 'test', 'support', 'reporter.cjs'),
    ...(process.env.VCE_GREP ? { grep: process.env.VCE_GREP } : {}),
  });
  // VCE_SKIP_REAL_NODE=1 (see scripts/test.mjs): the suites on a real node are not run, and npm test says so.
  const skipReal = process.env.VCE_SKIP_REAL_NODE === '1';
  const files = fs
    .readdirSync(testsDir)
    .filter((f) => f.endsWith('.test.js') && !(skipReal && f.startsWith('real-node-')))
    .sort();
  if (files.length === 0) throw new Error(`no *.test.js files in ${testsDir}`);
  for (const f of files) mocha.addFile(path.join(testsDir, f));
  await mocha.loadFilesAsync();
  const failures = await new Promise<number>((resolve) => {
    mocha.run((n) => resolve(n));
  });
  if (failures > 0) throw new Error(`${failures} integration test(s) failed`);
}
