#!/usr/bin/env node
// Screenshots of the extension in a real VS Code workbench (code-server in headless Chromium), for the README and
// for checking the UI by eye:
//   npm run screenshots -- [--kubeconfig <file>] [--out <dir>] [--name <prefix>] [--theme dark|light] [--no-build]
//                          [--expand <tree item label>]... [--mapping <vcluster row label>] [--wait <ms>]
// Opens the workbench with the extension, clicks the vcluster activity-bar item, waits for the Clusters view and
// writes <out>/<name>-workbench.png (whole window) and <out>/<name>-sidebar.png (the side bar). Default out:
// screenshots/ (git-ignored). Without --kubeconfig the extension sees no kubeconfig (the welcome view).
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot, runIfMain, runNodeScript, toolPath } from './lib/toolchain.mjs';
import { makeTempDir, openWorkbench, showViewContainer, viewPane } from './lib/vscode-host.mjs';

const say = (msg) => process.stderr.write(`[screenshots] ${msg}\n`);

const themes = { dark: 'Default Dark Modern', light: 'Default Light Modern' };

export async function main(argv = process.argv.slice(2)) {
  const { values } = parseArgs({
    args: argv,
    options: {
      kubeconfig: { type: 'string' },
      out: { type: 'string', default: path.join(repoRoot, 'screenshots') },
      name: { type: 'string', default: 'explorer' },
      theme: { type: 'string', default: 'dark' },
      workspace: { type: 'string' },
      expand: { type: 'string', multiple: true, default: [] },
      mapping: { type: 'string' },
      wait: { type: 'string', default: '1500' },
      'no-build': { type: 'boolean', default: false },
    },
  });
  if (!themes[values.theme]) throw new Error(`--theme must be one of ${Object.keys(themes).join(', ')}`);
  if (!values['no-build']) await runNodeScript([path.join(repoRoot, 'scripts', 'build.mjs')]);
  const tmp = makeTempDir('vce-screenshots-');
  let wb;
  try {
    const workspace = values.workspace ? path.resolve(values.workspace) : path.join(tmp, 'workspace');
    fs.mkdirSync(workspace, { recursive: true });
    const kubeconfig = values.kubeconfig ? path.resolve(values.kubeconfig) : path.join(tmp, 'no-kubeconfig', 'config');
    if (values.kubeconfig && !fs.existsSync(kubeconfig)) throw new Error(`--kubeconfig ${kubeconfig} does not exist`);
    const toolDirs = ['kubectl', 'helm', 'vcluster'].map((b) => path.dirname(toolPath(b))).filter((d) => fs.existsSync(d));
    wb = await openWorkbench({
      workspace,
      env: { KUBECONFIG: kubeconfig, PATH: [...new Set(toolDirs), process.env.PATH ?? ''].join(path.delimiter) },
      settings: { 'workbench.colorTheme': themes[values.theme] },
      deviceScaleFactor: 1,
    });
    const { page } = wb;
    await showViewContainer(page, 'vcluster');
    const pane = viewPane(page, 'Clusters');
    await pane.waitFor({ state: 'visible', timeout: 30_000 });
    // the tree (rows) or a welcome message, whichever the extension shows
    await pane.locator('.monaco-list-row, .welcome-view-content').first().waitFor({ state: 'visible', timeout: 30_000 });
    for (const label of values.expand) {
      const row = pane.locator('.monaco-list-row', { hasText: label }).first();
      await row.waitFor({ timeout: 30_000 });
      if ((await row.getAttribute('aria-expanded')) === 'false') await row.click();
      await page.waitForTimeout(500);
    }
    if (values.mapping) {
      // Open the mapping view through the row's inline action, as a user would.
      const row = pane.locator('.monaco-list-row', { hasText: values.mapping }).first();
      await row.click();
      await row.hover();
      await row.locator('.action-label[aria-label*="Mapping"]').click();
      await page.locator('.webview.ready, iframe.webview').first().waitFor({ state: 'attached', timeout: 30_000 });
      await page.waitForTimeout(4000);
    }
    await page.mouse.move(700, 450); // no hover tooltip from the activity bar in the picture
    await page.keyboard.press('Escape');
    await page.waitForTimeout(Number(values.wait)); // let spinners, decorations and hovers settle
    fs.mkdirSync(values.out, { recursive: true });
    const whole = path.join(values.out, `${values.name}-workbench.png`);
    const side = path.join(values.out, `${values.name}-sidebar.png`);
    await page.screenshot({ path: whole });
    await page.locator('.part.sidebar').screenshot({ path: side });
    say(`wrote ${path.relative(process.cwd(), whole)} and ${path.relative(process.cwd(), side)}`);
    return 0;
  } finally {
    await wb?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, main, say);
