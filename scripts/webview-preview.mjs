#!/usr/bin/env node
// Renders the built mapping webview (dist/mapping.js and dist/mapping.css) with a sample model in
// headless Debian Chromium, under the same Content Security Policy the panel uses, and writes PNG screenshots into screenshots/.
// A design aid: it stubs acquireVsCodeApi and sets VS Code-like theme variables for dark, light and high contrast
// (scripts/lib/webview-page.mjs). The real check runs inside VS Code.
//
//   node scripts/webview-preview.mjs [--rows 60] [--big 1000] [--out screenshots]
//   node scripts/webview-preview.mjs --vscode      the same panel inside real VS Code (code-server, see
//                                                  scripts/lib/vscode-host.mjs) in three built-in themes, via the
//                                                  fixture extension test/support/mapping-preview-extension.ts,
//                                                  which feeds the real panel a sample model
//
// Exits non-zero when the page logs an error, violates the CSP, or does not report what it rendered.
import * as esbuild from 'esbuild';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';
import { register as registerCjs } from 'tsx/cjs/api';
import { ensureWebviewBundle, openWebviewPage } from './lib/webview-page.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const arg = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1] : def;
};
const outDir = path.resolve(root, arg('out', 'screenshots'));
const smallRows = Number(arg('rows', '60'));
const bigRows = Number(arg('big', '1000'));

/** A TypeScript module of the repository (CommonJS through tsx: its exports may arrive as the default export). */
async function importTs(file) {
  const m = await import(pathToFileURL(path.join(root, file)).href);
  return m.default ?? m;
}

async function main() {
  const bytes = await ensureWebviewBundle();
  console.log(`dist/mapping.js  ${(bytes / 1024).toFixed(0)} KiB`);
  register();
  registerCjs(); // the .ts modules load as CommonJS (no "type": "module"); their relative imports need this hook
  const { sampleModel } = await importTs('webview-ui/mapping/sampleModel.ts');
  const { DEFAULT_PREFS, tableView } = await importTs('webview-ui/mapping/view.ts');
  const { digestKeys, rowKey } = await importTs('src/shared/mappingProtocol.ts');
  const { encodeMappingModel } = await importTs('src/shared/mappingWire.ts');
  /** What the webview must report for a model shown with default filters: computed here, independently of the page. */
  const expectedDigest = (m) => digestKeys(tableView(m.rows, DEFAULT_PREFS).rows.map(rowKey));
  fs.mkdirSync(outDir, { recursive: true });

  const small = sampleModel({ rows: smallRows, namespaces: 6 });
  const withErrors = {
    ...small,
    errors: [
      {
        kind: 'Secret',
        side: 'host',
        message: 'secrets is forbidden: User "dev" cannot list resource "secrets" in API group "" in the namespace "vcluster-dev"',
      },
    ],
  };
  const big = sampleModel({ rows: bigRows, namespaces: 24, seed: 7 });

  const wp = await openWebviewPage();
  const { page, problems } = wp;
  const shots = [];
  const load = async (theme, model, size) => {
    const ms = await wp.load(theme, encodeMappingModel(model), size);
    await page.waitForTimeout(300);
    return ms;
  };
  async function shot(name, opts = { fullPage: true }) {
    const file = path.join(outDir, `mapping-${name}.png`);
    await page.screenshot({ path: file, ...opts });
    shots.push(file);
  }
  /** The newest render report once it satisfies `ok` (reports come when the page is idle), or the last one after 10 s. */
  async function reportWhen(ok) {
    const until = Date.now() + 10_000;
    for (;;) {
      const r = await wp.lastRendered();
      if ((r && ok(r)) || Date.now() > until) return r;
      await page.waitForTimeout(50);
    }
  }
  /** Checks a render report against the model: every row matches, the digest is that of the whole sorted list. */
  function checkReport(what, r, model) {
    if (!r || r.total !== model.rows.length || r.matching !== model.rows.length || !(r.rows > 0 && r.rows <= r.matching)) {
      problems.push(`${what}: unexpected rendered report ${JSON.stringify(r)}`);
    }
    if (r?.digest !== expectedDigest(model))
      problems.push(`${what}: the table's rows differ from the model's (digest ${r?.digest}, expected ${expectedDigest(model)})`);
  }
  try {
    for (const theme of ['dark', 'light', 'high-contrast']) {
      await load(theme, withErrors);
      // expand two namespaces in the diagram, as a user would, with the keyboard
      for (const ns of ['default', 'shop']) {
        await page.focus(`#diagram g[data-id="ns/${ns}"]`);
        await page.keyboard.press('Enter');
      }
      await shot(theme);
    }
    checkReport('60 rows', await wp.lastRendered(), small);

    // the diagram is one tab stop; arrows move between boxes and Right expands a namespace
    const focusedId = () => page.evaluate(() => document.activeElement?.getAttribute('data-id'));
    const stops = await page.$$eval('#diagram g.node[tabindex="0"]', (gs) => gs.length);
    if (stops !== 1) problems.push(`diagram: expected one tab stop, found ${stops}`);
    await page.focus('#diagram g[data-id="ns/ingress-nginx"]');
    await page.keyboard.press('ArrowDown');
    if ((await focusedId()) !== 'ns/kube-system') problems.push(`diagram: ArrowDown went to ${await focusedId()}`);
    await page.keyboard.press('ArrowRight');
    const expanded = await page.getAttribute('#diagram g[data-id="ns/kube-system"]', 'aria-expanded');
    if (expanded !== 'true' || (await focusedId()) !== 'ns/kube-system')
      problems.push(`diagram: ArrowRight did not expand in place (${expanded}, ${await focusedId()})`);
    await page.keyboard.press('ArrowLeft');
    if ((await page.getAttribute('#diagram g[data-id="ns/kube-system"]', 'aria-expanded')) !== 'false') problems.push('diagram: ArrowLeft did not collapse');

    // clicking a row asks the host to open its YAML; the keyboard moves to the next row and opens that one
    await page.evaluate(() => {
      window.__posted.length = 0;
    });
    await page.click('.grid-row.row[data-pos="0"] .cell.host');
    const open = await page.evaluate(() => window.__posted.find((m) => m.type === 'openYaml'));
    if (!open || open.side !== 'host' || typeof open.id !== 'number') problems.push(`row click did not request openYaml: ${JSON.stringify(open)}`);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const open2 = await page.evaluate(() => window.__posted.filter((m) => m.type === 'openYaml')[1]);
    if (!open2 || open2.rowKey === open?.rowKey) problems.push(`keyboard Enter on the next row did not request another openYaml: ${JSON.stringify(open2)}`);

    // a kind node filters the table
    await page.click('#diagram g[data-id="ns/shop/Pod"]');
    const shopPods = small.rows.filter((r) => r.virtualNamespace === 'shop' && r.kind === 'Pod').length;
    const r2 = await reportWhen((r) => r.matching === shopPods);
    if (r2?.matching !== shopPods) problems.push(`diagram filter: expected ${shopPods} shop pods, webview reported ${JSON.stringify(r2)}`);
    await shot('high-contrast-filtered', { fullPage: false });

    // big model: timing, only the rows in view in the DOM, the end of the list one End key away, a narrow window
    const ms = await load('dark', big, { width: 1280, height: 1000 });
    const r3 = await wp.lastRendered();
    checkReport(`${big.rows.length} rows`, r3, big);
    if (r3 && r3.rows > 100) problems.push(`${big.rows.length} rows: ${r3.rows} rows in the DOM, the table should render only those in view`);
    console.log(`${big.rows.length} rows: first render reported after ${ms} ms (${r3?.rows} rows in the DOM, ${r3?.matching} matching)`);
    await shot('dark-1000', { fullPage: true });
    await page.click('.grid-row.row[data-pos="0"] .cell.kind');
    await page.keyboard.press('End');
    const lastLabel = await page.evaluate(() => document.activeElement?.getAttribute('aria-rowindex'));
    if (lastLabel !== String(big.rows.length + 1)) problems.push(`End did not reach the last row (aria-rowindex ${lastLabel})`);
    await page.fill('#filter >> input', 'payments').catch(async () => {
      await page.focus('#filter');
      await page.keyboard.type('payments');
    });
    const paymentsRows = big.rows.filter((r) =>
      [r.kind, r.virtualNamespace, r.virtualName, r.hostName, r.state, r.virtualStatus, r.hostStatus].join('\u0000').toLowerCase().includes('payments'),
    ).length;
    const r4 = await reportWhen((r) => r.matching === paymentsRows);
    if (r4?.matching !== paymentsRows) problems.push(`filter "payments": ${r4?.matching} matching, expected ${paymentsRows}`);
    console.log(`filter "payments": ${r4?.matching} matching`);
    await load('light', small, { width: 620, height: 900 });
    await shot('light-narrow');

    await wp.collectViolations();
    for (const s of shots) console.log(`screenshot ${path.relative(root, s)}`);
  } finally {
    await wp.close();
  }
  if (problems.length) {
    console.error(problems.join('\n'));
    process.exit(1);
  }
}

// ---- inside VS Code -------------------------------------------------------------------------------------------

/** Checks the event log of the lifecycle run; returns problems. */
function checkLifecycle(lines, rows) {
  const problems = [];
  const first = lines.indexOf(`rendered ${rows}`);
  const second = lines.indexOf(`rendered ${rows + 1}`);
  if (first < 0 || second < 0) return [`lifecycle: missing renders in ${lines.join(', ')}`];
  const loadsBetween = lines.slice(first, second).filter((l) => l === 'load').length;
  if (loadsBetween !== 1) problems.push(`lifecycle: a burst of 5 changes caused ${loadsBetween} reloads, expected 1`);
  const stop = lines.indexOf('watch-stop', second);
  if (stop < 0) problems.push('lifecycle: the watch was not stopped when the panel was hidden');
  if (!lines.includes('watching-while-hidden false')) problems.push('lifecycle: still watching while hidden');
  const restart = lines.indexOf('watch-start', stop);
  if (restart < 0 || !lines.slice(restart).includes('load')) problems.push('lifecycle: no watch + reload after the panel was shown again');
  if (!lines.includes('watching-after-reveal true')) problems.push('lifecycle: not watching after reveal');
  if (!lines.includes('lifecycle-done')) problems.push('lifecycle: did not finish');
  return problems;
}

async function previewInVsCode() {
  const { openWorkbench, makeTempDir } = await import('./lib/vscode-host.mjs');
  await ensureWebviewBundle();
  const secret = randomBytes(12).toString('base64');
  const ext = makeTempDir('vce-webview-ext-');
  fs.mkdirSync(path.join(ext, 'dist'));
  for (const f of ['mapping.js', 'mapping.css', 'codicon.css', 'codicon.ttf']) fs.copyFileSync(path.join(root, 'dist', f), path.join(ext, 'dist', f));
  await esbuild.build({
    entryPoints: [path.join(root, 'test', 'support', 'mapping-preview-extension.ts')],
    outfile: path.join(ext, 'extension.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    external: ['vscode'],
    mainFields: ['module', 'main'],
    logLevel: 'warning',
    absWorkingDir: root,
  });
  fs.writeFileSync(
    path.join(ext, 'package.json'),
    JSON.stringify({
      name: 'vce-webview-check',
      publisher: 'preview',
      version: '0.0.0',
      engines: { vscode: '^1.101.0' },
      main: './extension.js',
      activationEvents: ['onStartupFinished'],
    }),
  );
  const workspace = makeTempDir('vce-webview-ws-');
  const report = path.join(ext, 'rendered.json');
  const events = path.join(ext, 'events.log');
  fs.mkdirSync(outDir, { recursive: true });
  const problems = [];
  const themes = { dark: 'Default Dark Modern', light: 'Default Light Modern', 'high-contrast': 'Default High Contrast' };
  for (const [name, theme] of Object.entries(themes)) {
    fs.rmSync(report, { force: true });
    fs.writeFileSync(events, '');
    const lifecycle = name === 'dark';
    const wb = await openWorkbench({
      extensionDevelopmentPath: ext,
      workspace,
      env: { VCE_REPORT: report, VCE_EVENTS: events, VCE_ROWS: String(smallRows), VCE_LIFECYCLE: lifecycle ? '1' : '0', VCE_SECRET: secret },
      settings: { 'workbench.colorTheme': theme },
      viewport: { width: 1400, height: 1000 },
    });
    try {
      const { page } = wb;
      const consoleLines = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') consoleLines.push(`${m.type()}: ${m.text()}`);
      });
      const deadline = Date.now() + 60_000;
      while (!fs.existsSync(report) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      if (!fs.existsSync(report)) {
        problems.push(`${name}: the webview never reported a render`);
        for (const f of page.frames()) console.error(`frame ${f.url().slice(0, 160)}`);
        console.error(
          consoleLines
            .filter((l) => /webview|Content Security|Refused|vcx|mapping/i.test(l))
            .slice(0, 30)
            .join('\n'),
        );
        await page.screenshot({ path: path.join(outDir, `vscode-mapping-${name}-FAILED.png`) });
        continue;
      }
      if (lifecycle) {
        const until = Date.now() + 60_000;
        while (!fs.readFileSync(events, 'utf8').includes('lifecycle-done') && Date.now() < until) await new Promise((r) => setTimeout(r, 250));
        const lines = fs.readFileSync(events, 'utf8').split('\n').filter(Boolean);
        console.log(`lifecycle events: ${lines.join(', ')}`);
        problems.push(...checkLifecycle(lines, smallRows));
      }
      const rendered = JSON.parse(fs.readFileSync(report, 'utf8'));
      console.log(`${name}: webview rendered ${rendered.rows} of ${rendered.total} rows (digest ${rendered.digest})`);
      const expectedTotal = smallRows + (lifecycle ? 1 : 0);
      if (rendered.total !== expectedTotal || rendered.matching !== expectedTotal || !(rendered.rows > 0))
        problems.push(`${name}: unexpected report ${JSON.stringify(rendered)}`);
      let frame;
      for (let i = 0; i < 40 && !frame; i++) {
        for (const f of page.frames()) if (await f.$('#app .grid').catch(() => null)) frame = f;
        if (!frame) await page.waitForTimeout(250);
      }
      if (!frame) {
        problems.push(`${name}: webview frame not found`);
        continue;
      }
      await page.waitForTimeout(800);
      const shotFile = path.join(outDir, `vscode-mapping-${name}.png`);
      await page.screenshot({ path: shotFile });
      console.log(`screenshot ${path.relative(root, shotFile)}`);
      if (name !== 'dark') continue;
      // open a Secret's YAML by clicking its row: the editor must show the object without its data
      await frame.click('table.kinds button.link:text-is("Secret")');
      await frame.click('.grid-row.row[data-pos="0"] .name[data-side="virtual"]');
      const editor = page.locator('.editor-instance .monaco-editor .view-lines').first();
      try {
        await editor.getByText('data hidden', { exact: false }).waitFor({ timeout: 20_000 });
      } catch (err) {
        await page.screenshot({ path: path.join(outDir, 'vscode-mapping-secret-yaml-FAILED.png') });
        console.error(
          `webview status: ${await frame
            .locator('#status')
            .innerText()
            .catch(() => '?')}`,
        );
        console.error(consoleLines.slice(-20).join('\n'));
        throw err;
      }
      const text = await editor.innerText();
      if (text.includes(secret)) problems.push('the Secret value reached the editor');
      if (!/kind: Secret/.test(text.replace(/\u00a0/g, ' '))) problems.push(`the Secret YAML is not in the editor: ${text.slice(0, 200)}`);
      const yamlShot = path.join(outDir, 'vscode-mapping-secret-yaml.png');
      await page.screenshot({ path: yamlShot });
      console.log(`screenshot ${path.relative(root, yamlShot)}`);
    } finally {
      await wb.stop();
    }
  }
  if (problems.length) {
    console.error(problems.join('\n'));
    process.exit(1);
  }
}

(argv.includes('--vscode') ? previewInVsCode() : main()).catch((e) => {
  console.error(e);
  process.exit(1);
});
