#!/usr/bin/env node
// Checks of the real workbench UI that the extension-host API cannot see (what the user actually gets on screen),
// run by scripts/integration.mjs after the mocha suite. Each check drives code-server in headless Chromium.
//   node scripts/lib/ui-checks.mjs [--kubeconfig <file>]   (expects a built dist/; default kubeconfig: a missing file)
// A failing check leaves a screenshot in screenshots/failures/.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { makeTempDir, openWorkbench, showViewContainer, viewPane } from './vscode-host.mjs';
import { repoRoot } from './toolchain.mjs';

const CONTAINER_TITLE = 'vcluster'; // package.json contributes.viewsContainers.activitybar[0].title
const VIEW_NAME = 'Clusters'; // contributes.views.vclusterExplorer[0].name

/** Checks for a workbench whose extension host sees no kubeconfig at all. */
export const noKubeconfigChecks = [
  {
    title: 'the vcluster activity-bar item opens the Clusters view',
    async run(page) {
      await showViewContainer(page, CONTAINER_TITLE);
      await viewPane(page, VIEW_NAME).waitFor({ state: 'visible', timeout: 30_000 });
    },
  },
  {
    title: 'the Clusters view shows the "No kubeconfig found" welcome with its buttons',
    async run(page) {
      await showViewContainer(page, CONTAINER_TITLE);
      const welcome = viewPane(page, VIEW_NAME).locator('.welcome-view-content');
      await welcome.getByText('No kubeconfig found', { exact: false }).first().waitFor({ state: 'visible', timeout: 30_000 });
      await welcome.getByRole('button', { name: 'Choose a kubeconfig file' }).waitFor({ state: 'visible', timeout: 5000 });
      await welcome.getByRole('button', { name: 'Learn about kubeconfig files' }).waitFor({ state: 'visible', timeout: 5000 });
      // the welcome for a kubeconfig without contexts must not show at the same time
      const other = await welcome.getByText('has no contexts yet', { exact: false }).count();
      if (other !== 0) throw new Error('the "no contexts" welcome is shown as well');
    },
  },
];

/**
 * Opens one workbench and runs `checks` in order against it.
 * Returns { passes, failures, tests, failed: [{ title, message }] } (the reporter's result format).
 */
export async function runUiChecks({ workspace, env = {}, checks = noKubeconfigChecks, log = (l) => process.stdout.write(`${l}\n`), trust } = {}) {
  const result = { passes: 0, failures: 0, pending: 0, tests: 0, failed: [] };
  log('\n  UI checks (code-server workbench in Chromium)');
  let wb;
  try {
    wb = await openWorkbench({ workspace, env, trust });
    for (const check of checks) {
      result.tests += 1;
      const started = Date.now();
      try {
        await check.run(wb.page);
        result.passes += 1;
        log(`    ✔ ${check.title} (${Date.now() - started}ms)`);
      } catch (err) {
        result.failures += 1;
        const message = String(err?.message ?? err).split('\n')[0];
        result.failed.push({ title: `UI: ${check.title}`, message });
        log(`    ✖ ${check.title}\n      ${message}`);
        const dir = path.join(repoRoot, 'screenshots', 'failures');
        fs.mkdirSync(dir, { recursive: true });
        const file = path.join(dir, `${check.title.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}.png`);
        await wb.page.screenshot({ path: file }).then(
          () => log(`      screenshot: ${path.relative(repoRoot, file)}`),
          () => {},
        );
      }
    }
  } catch (err) {
    result.tests += 1;
    result.failures += 1;
    result.failed.push({ title: 'UI: open the workbench', message: String(err?.message ?? err) });
    log(`    ✖ could not open the workbench: ${err?.message ?? err}`);
  } finally {
    await wb?.stop();
  }
  log(`  ${result.passes} passing, ${result.failures} failing`);
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { kubeconfig: { type: 'string' }, workspace: { type: 'string' } } });
  const tmp = makeTempDir('vce-ui-checks-');
  const workspace = values.workspace ? path.resolve(values.workspace) : path.join(tmp, 'workspace');
  fs.mkdirSync(workspace, { recursive: true });
  const kubeconfig = values.kubeconfig ? path.resolve(values.kubeconfig) : path.join(tmp, 'no-kubeconfig', 'config');
  runUiChecks({ workspace, env: { KUBECONFIG: kubeconfig } })
    .then((r) => {
      process.exitCode = r.failures ? 1 : 0;
    })
    .catch((err) => {
      console.error(err);
      process.exitCode = 1;
    })
    .finally(() => fs.rmSync(tmp, { recursive: true, force: true }));
}
