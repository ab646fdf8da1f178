#!/usr/bin/env node
// Renders the built mapping webview (dist/webview.js + media/mapping.css) with a sample model in headless Debian
// Chromium, under the same Content Security Policy the panel uses, and writes PNG screenshots into screenshots/.
// A design aid: it stubs acquireVsCodeApi and sets VS Code-like theme variables for dark, light and high contrast.
// The real check runs inside VS Code.
//
//   node scripts/webview-preview.mjs [--rows 60] [--big 1000] [--out screenshots]
//   node scripts/webview-preview.mjs --vscode      the same panel inside real VS Code (code-server, see
//                                                  scripts/lib/vscode-host.mjs) in three built-in themes, via a
//                                                  throw-away extension that feeds the panel the sample model
//
// Exits non-zero when the page logs an error, violates the CSP, or does not report what it rendered.
// Serves everything from a fake origin through request interception: no network, no server process.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';
import { register as registerCjs } from 'tsx/cjs/api';
import { chromium } from 'playwright-core';
import { webviewOptions } from './build.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const arg = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1] : def;
};
const outDir = path.resolve(root, arg('out', 'screenshots'));
const smallRows = Number(arg('rows', '60'));
const bigRows = Number(arg('big', '1000'));
const ORIGIN = 'https://webview.test';

const THEMES = {
  dark: {
    'font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif', 'font-size': '13px', 'font-weight': 'normal',
    'foreground': '#cccccc', 'editor-background': '#1f1f1f', 'descriptionForeground': '#9d9d9d', 'focusBorder': '#0078d4',
    'panel-border': '#2b2b2b', 'editorGroup-border': '#ffffff17', 'sideBar-background': '#181818',
    'list-hoverBackground': '#2a2d2e', 'list-activeSelectionBackground': '#04395e', 'list-activeSelectionForeground': '#ffffff',
    'list-inactiveSelectionBackground': '#37373d', 'list-focusOutline': '#0078d4',
    'textLink-foreground': '#4daafc', 'textLink-activeForeground': '#4daafc',
    'badge-background': '#616161', 'badge-foreground': '#f8f8f8',
    'button-background': '#0078d4', 'button-foreground': '#ffffff', 'button-hoverBackground': '#026ec1', 'button-border': '#ffffff12',
    'button-secondaryBackground': '#313131', 'button-secondaryForeground': '#cccccc', 'button-secondaryHoverBackground': '#3c3c3c',
    'settings-textInputBackground': '#313131', 'settings-textInputForeground': '#cccccc', 'settings-textInputBorder': '#3c3c3c',
    'settings-dropdownBackground': '#313131', 'settings-dropdownForeground': '#cccccc', 'settings-dropdownBorder': '#3c3c3c',
    'settings-dropdownListBorder': '#454545', 'input-placeholderForeground': '#989898',
    'editorWarning-foreground': '#cca700', 'editorError-foreground': '#f14c4c', 'testing-iconPassed': '#73c991', 'errorForeground': '#f85149',
    'keybindingTable-rowsBackground': '#cccccc0a', 'keybindingTable-headerBackground': '#cccccc0a', 'icon-foreground': '#cccccc',
    'sideBarSectionHeader-background': '#181818', 'sideBarTitle-foreground': '#cccccc', 'widget-shadow': '#0000005c',
    'inputValidation-warningBackground': '#352a05', 'inputValidation-warningBorder': '#b89500',
  },
  light: {
    'font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif', 'font-size': '13px', 'font-weight': 'normal',
    'foreground': '#3b3b3b', 'editor-background': '#ffffff', 'descriptionForeground': '#717171', 'focusBorder': '#005fb8',
    'panel-border': '#e5e5e5', 'editorGroup-border': '#e5e5e5', 'sideBar-background': '#f8f8f8',
    'list-hoverBackground': '#f2f2f2', 'list-activeSelectionBackground': '#e8e8e8', 'list-activeSelectionForeground': '#000000',
    'list-inactiveSelectionBackground': '#e4e6f1', 'list-focusOutline': '#005fb8',
    'textLink-foreground': '#005fb8', 'textLink-activeForeground': '#005fb8',
    'badge-background': '#cccccc', 'badge-foreground': '#3b3b3b',
    'button-background': '#005fb8', 'button-foreground': '#ffffff', 'button-hoverBackground': '#0258a8', 'button-border': '#0000001a',
    'button-secondaryBackground': '#e5e5e5', 'button-secondaryForeground': '#3b3b3b', 'button-secondaryHoverBackground': '#cccccc',
    'settings-textInputBackground': '#ffffff', 'settings-textInputForeground': '#3b3b3b', 'settings-textInputBorder': '#cecece',
    'settings-dropdownBackground': '#ffffff', 'settings-dropdownForeground': '#3b3b3b', 'settings-dropdownBorder': '#cecece',
    'settings-dropdownListBorder': '#c8c8c8', 'input-placeholderForeground': '#767676',
    'editorWarning-foreground': '#bf8803', 'editorError-foreground': '#e51400', 'testing-iconPassed': '#388a34', 'errorForeground': '#f85149',
    'keybindingTable-rowsBackground': '#0000000a', 'keybindingTable-headerBackground': '#0000000a', 'icon-foreground': '#3b3b3b',
    'sideBarSectionHeader-background': '#f8f8f8', 'sideBarTitle-foreground': '#3b3b3b', 'widget-shadow': '#00000029',
    'inputValidation-warningBackground': '#f6f5d2', 'inputValidation-warningBorder': '#bf8803',
  },
  'high-contrast': {
    'font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif', 'font-size': '13px', 'font-weight': 'normal',
    'foreground': '#ffffff', 'editor-background': '#000000', 'descriptionForeground': '#ffffffb3', 'focusBorder': '#f38518',
    'contrastBorder': '#6fc3df', 'contrastActiveBorder': '#f38518', 'panel-border': '#6fc3df', 'editorGroup-border': '#6fc3df',
    'sideBar-background': '#000000', 'list-hoverBackground': '#000000', 'list-activeSelectionBackground': '#000000',
    'list-activeSelectionForeground': '#ffffff', 'list-focusOutline': '#f38518',
    'textLink-foreground': '#21a6ff', 'textLink-activeForeground': '#21a6ff', 'badge-background': '#000000', 'badge-foreground': '#ffffff',
    'button-background': '#000000', 'button-foreground': '#ffffff', 'button-border': '#6fc3df',
    'button-secondaryBackground': '#000000', 'button-secondaryForeground': '#ffffff',
    'settings-textInputBackground': '#000000', 'settings-textInputForeground': '#ffffff', 'settings-textInputBorder': '#6fc3df',
    'settings-dropdownBackground': '#000000', 'settings-dropdownForeground': '#ffffff', 'settings-dropdownBorder': '#6fc3df',
    'settings-dropdownListBorder': '#6fc3df', 'input-placeholderForeground': '#ffffffb3',
    'editorWarning-foreground': '#ffd370', 'editorError-foreground': '#f48771', 'testing-iconPassed': '#73c991', 'errorForeground': '#f48771',
    'keybindingTable-rowsBackground': '#00000000', 'keybindingTable-headerBackground': '#00000000', 'icon-foreground': '#ffffff',
  },
};

/** Builds dist/webview.js (and the codicon files) if they are missing or older than the sources. */
async function ensureBundle() {
  await esbuild.build({ ...webviewOptions, absWorkingDir: root, logLevel: 'warning' });
  const src = path.join(root, 'node_modules', '@vscode', 'codicons', 'dist');
  for (const f of ['codicon.css', 'codicon.ttf']) {
    if (!fs.existsSync(path.join(root, 'dist', f))) fs.copyFileSync(path.join(src, f), path.join(root, 'dist', f));
  }
  return fs.statSync(path.join(root, 'dist', 'webview.js')).size;
}

const CONTENT_TYPES = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf', '.map': 'application/json', '.svg': 'image/svg+xml' };

/** The stub of the VS Code webview API, run before the page's own scripts (CSP does not apply to it). */
function installStub() {
  const posted = [];
  let state = undefined;
  window.__posted = posted;
  window.acquireVsCodeApi = () => ({
    postMessage: (m) => posted.push(JSON.parse(JSON.stringify(m))),
    getState: () => state,
    setState: (s) => { state = s; },
  });
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
}

async function main() {
  const bytes = await ensureBundle();
  console.log(`dist/webview.js  ${(bytes / 1024).toFixed(0)} KiB`);
  register();
  registerCjs(); // the .ts modules load as CommonJS (no "type": "module"); their relative imports need this hook
  const { renderHtml } = await import(pathToFileURL(path.join(root, 'src/webview/html.ts')).href);
  const { sampleModel } = await import(pathToFileURL(path.join(root, 'webview-ui/sampleModel.ts')).href);
  const { DEFAULT_PREFS, tableView } = await import(pathToFileURL(path.join(root, 'webview-ui/view.ts')).href);
  const { digestKeys, rowKey } = await import(pathToFileURL(path.join(root, 'src/shared/protocol.ts')).href);
  /** What the webview must report for a model shown with default filters: computed here, independently of the page. */
  const expectedDigest = (m) => digestKeys(tableView(m.rows, DEFAULT_PREFS).rows.map(rowKey));
  fs.mkdirSync(outDir, { recursive: true });

  const small = sampleModel({ rows: smallRows, namespaces: 6 });
  const withErrors = {
    ...small,
    errors: [{ kind: 'Secret', side: 'host', message: 'secrets is forbidden: User "dev" cannot list resource "secrets" in API group "" in the namespace "vcluster-dev"' }],
  };
  const big = sampleModel({ rows: bigRows, namespaces: 24, seed: 7 });

  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'vcx-preview-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const problems = [];
  try {
    const page = context.pages()[0] ?? await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.addInitScript(installStub);
    const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString('base64url');
    const html = renderHtml({
      cspSource: ORIGIN, nonce,
      scriptUri: `${ORIGIN}/dist/webview.js`,
      styleUris: [`${ORIGIN}/media/mapping.css`],
      codiconUri: `${ORIGIN}/dist/codicon.css`,
      title: 'Mapping preview',
      state: { ref: small.vcluster },
    });
    await context.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      if (url.origin !== ORIGIN) return route.abort();
      if (url.pathname === '/' || url.pathname === '/index.html') return route.fulfill({ contentType: 'text/html', body: html });
      const file = path.join(root, path.normalize(url.pathname));
      const allowed = [path.join(root, 'dist') + path.sep, path.join(root, 'media') + path.sep];
      if (!allowed.some((d) => file.startsWith(d)) || !fs.existsSync(file)) return route.fulfill({ status: 404, body: '' });
      return route.fulfill({ contentType: CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream', body: fs.readFileSync(file) });
    });

    const shots = [];
    async function collectViolations() {
      if (!page.url().startsWith(ORIGIN)) return;
      const v = await page.evaluate(() => window.__cspViolations ?? []);
      problems.push(...v.map((x) => `CSP violation: ${x}`));
    }
    async function load(theme, model, { width = 1280, height = 900 } = {}) {
      await collectViolations();
      await page.setViewportSize({ width, height });
      await page.goto(`${ORIGIN}/index.html`);
      await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'), null, { timeout: 10_000 });
      await page.evaluate(({ vars, cls }) => {
        for (const [k, v] of Object.entries(vars)) document.documentElement.style.setProperty(`--vscode-${k}`, v);
        document.body.classList.add(cls);
      }, { vars: THEMES[theme], cls: theme === 'light' ? 'vscode-light' : theme === 'dark' ? 'vscode-dark' : 'vscode-high-contrast' });
      const t0 = Date.now();
      await page.evaluate((m) => {
        window.__posted.length = 0;
        window.postMessage({ type: 'model', model: m }, '*');
      }, model);
      await page.waitForFunction(() => window.__posted.some((m) => m.type === 'rendered'), null, { timeout: 20_000 });
      const ms = Date.now() - t0;
      await page.evaluate(() => document.fonts.ready);
      await page.waitForTimeout(300);
      return ms;
    }
    async function shot(name, opts = { fullPage: true }) {
      const file = path.join(outDir, `mapping-${name}.png`);
      await page.screenshot({ path: file, ...opts });
      shots.push(file);
    }
    async function lastRendered() {
      return page.evaluate(() => [...window.__posted].reverse().find((m) => m.type === 'rendered'));
    }

    for (const theme of ['dark', 'light', 'high-contrast']) {
      await load(theme, withErrors);
      // expand two namespaces in the diagram, as a user would, with the keyboard
      for (const ns of ['default', 'shop']) {
        await page.focus(`#diagram g[data-id="ns/${ns}"]`);
        await page.keyboard.press('Enter');
      }
      await shot(theme);
    }
    const r1 = await lastRendered();
    if (!r1 || r1.rows !== Math.min(small.rows.length, 200) || r1.total !== small.rows.length) problems.push(`unexpected rendered report ${JSON.stringify(r1)}`);
    if (r1?.digest !== expectedDigest(small)) problems.push(`the rendered rows differ from the model's first page (digest ${r1?.digest}, expected ${expectedDigest(small)})`);

    // the diagram is one tab stop; arrows move between boxes and Right expands a namespace
    const focusedId = () => page.evaluate(() => document.activeElement?.getAttribute('data-id'));
    const stops = await page.$$eval('#diagram g.node[tabindex="0"]', (gs) => gs.length);
    if (stops !== 1) problems.push(`diagram: expected one tab stop, found ${stops}`);
    await page.focus('#diagram g[data-id="ns/ingress-nginx"]');
    await page.keyboard.press('ArrowDown');
    if ((await focusedId()) !== 'ns/kube-system') problems.push(`diagram: ArrowDown went to ${await focusedId()}`);
    await page.keyboard.press('ArrowRight');
    const expanded = await page.getAttribute('#diagram g[data-id="ns/kube-system"]', 'aria-expanded');
    if (expanded !== 'true' || (await focusedId()) !== 'ns/kube-system') problems.push(`diagram: ArrowRight did not expand in place (${expanded}, ${await focusedId()})`);
    await page.keyboard.press('ArrowLeft');
    if ((await page.getAttribute('#diagram g[data-id="ns/kube-system"]', 'aria-expanded')) !== 'false') problems.push('diagram: ArrowLeft did not collapse');

    // clicking a row asks the host to open its YAML
    await page.evaluate(() => { window.__posted.length = 0; });
    await page.click('vscode-table-row:first-child vscode-table-cell.host');
    const open = await page.evaluate(() => window.__posted.find((m) => m.type === 'openYaml'));
    if (!open || open.side !== 'host' || typeof open.id !== 'number') problems.push(`row click did not request openYaml: ${JSON.stringify(open)}`);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const open2 = await page.evaluate(() => window.__posted.filter((m) => m.type === 'openYaml')[1]);
    if (!open2 || open2.rowKey === open.rowKey) problems.push(`keyboard Enter on the next row did not request another openYaml: ${JSON.stringify(open2)}`);

    // a kind node filters the table
    await page.click('#diagram g[data-id="ns/shop/Pod"]');
    await page.waitForTimeout(200);
    const r2 = await lastRendered();
    const shopPods = small.rows.filter((r) => r.virtualNamespace === 'shop' && r.kind === 'Pod').length;
    if (r2?.matching !== shopPods) problems.push(`diagram filter: expected ${shopPods} shop pods, webview reported ${JSON.stringify(r2)}`);
    await shot('high-contrast-filtered', { fullPage: false });

    // big model: timing and a narrow window
    const ms = await load('dark', big, { width: 1280, height: 1000 });
    const r3 = await lastRendered();
    if (r3?.digest !== expectedDigest(big)) problems.push(`1,000 rows: digest ${r3?.digest}, expected ${expectedDigest(big)}`);
    console.log(`${big.rows.length} rows: first render reported after ${ms} ms (${r3?.rows} rows in the table, ${r3?.matching} matching)`);
    await shot('dark-1000', { fullPage: true });
    await page.fill('#filter >> input', 'payments').catch(async () => {
      await page.focus('#filter');
      await page.keyboard.type('payments');
    });
    await page.waitForTimeout(400);
    const r4 = await lastRendered();
    console.log(`filter "payments": ${r4?.matching} matching`);
    await load('light', small, { width: 620, height: 900 });
    await shot('light-narrow');

    await collectViolations();
    for (const s of shots) console.log(`screenshot ${path.relative(root, s)}`);
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  if (problems.length) {
    console.error(problems.join('\n'));
    process.exit(1);
  }
}

// ---- inside VS Code -------------------------------------------------------------------------------------------

const SECRET_VALUE = 'aHVudGVyMg==';

/** The throw-away extension: the real MappingPanels + ObjectYamlProvider over a sample model. */
function entrySource() {
  const imp = (p) => JSON.stringify(path.join(root, p));
  return `
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { MappingPanels } from ${imp('src/webview/mappingPanel.ts')};
import { ObjectYamlProvider } from ${imp('src/webview/yamlDocuments.ts')};
import { sampleModel, summarize } from ${imp('webview-ui/sampleModel.ts')};

const log = (line: string) => fs.appendFileSync(process.env.VCX_EVENTS!, line + '\\n');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function activate(context: vscode.ExtensionContext) {
  let model = sampleModel({ rows: Number(process.env.VCX_ROWS || 60), namespaces: 6 });
  const lifecycle = process.env.VCX_LIFECYCLE === '1';
  let changed: (() => void) | undefined;
  const yaml = new ObjectYamlProvider(async (a) => [
    'apiVersion: v1', 'kind: ' + a.kind, 'metadata:', '  name: ' + a.name, '  namespace: ' + a.namespace,
    ...(a.kind === 'Secret' ? ['type: Opaque', 'data:', '  password: ${SECRET_VALUE}'] : ['spec: {}']),
  ].join('\\n') + '\\n');
  const source = {
    load: async () => { log('load'); return { ...model, fetchedAt: new Date().toISOString() }; },
    watch: (_ref: unknown, onChange: () => void) => {
      log('watch-start');
      changed = onChange;
      return { dispose() { changed = undefined; log('watch-stop'); } };
    },
    openYaml: (ref: any, row: any, side: any) => yaml.openRow(ref, row, side),
  };
  const panels = new MappingPanels({ extensionUri: context.extensionUri, source, debounceMs: 200 });
  context.subscriptions.push(yaml, panels, panels.registerSerializer());
  const panel = panels.show(model.vcluster);
  panel.onDidRender((r) => { log('rendered ' + r.total); fs.writeFileSync(process.env.VCX_REPORT!, JSON.stringify(r)); });
  if (!lifecycle) return;
  void (async () => {
    while (panel.lastRendered?.total !== model.rows.length || !changed) await sleep(100);
    // a new object appears, reported as a burst of five events: the panel must reload once
    const rows = [...model.rows, { kind: 'Pod' as const, virtualNamespace: 'default', virtualName: 'new-pod', hostNamespace: model.hostNamespace, hostName: 'new-pod-x-default-x-dev', state: 'synced' as const }];
    model = { ...model, rows, summary: summarize(rows) };
    for (let i = 0; i < 5; i++) changed();
    while (panel.lastRendered?.total !== rows.length) await sleep(100);
    // hide the panel behind another editor in its group, then bring it back
    const doc = await vscode.workspace.openTextDocument({ content: 'hiding the mapping panel' });
    await vscode.window.showTextDocument(doc, { viewColumn: panel.panel.viewColumn, preview: false });
    await sleep(1000);
    log('watching-while-hidden ' + panel.watching);
    const next = panel.nextRender(15000).catch(() => log('no render after reveal'));
    panel.reveal();
    await next;
    log('watching-after-reveal ' + panel.watching);
    log('lifecycle-done');
  })();
}
export function deactivate() {}
`;
}

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
  await ensureBundle();
  const ext = makeTempDir('vcx-webview-ext-');
  fs.mkdirSync(path.join(ext, 'dist'));
  fs.mkdirSync(path.join(ext, 'media'));
  for (const f of ['webview.js', 'codicon.css', 'codicon.ttf']) fs.copyFileSync(path.join(root, 'dist', f), path.join(ext, 'dist', f));
  fs.copyFileSync(path.join(root, 'media', 'mapping.css'), path.join(ext, 'media', 'mapping.css'));
  fs.writeFileSync(path.join(ext, 'entry.ts'), entrySource());
  await esbuild.build({
    entryPoints: [path.join(ext, 'entry.ts')], outfile: path.join(ext, 'extension.js'), bundle: true, platform: 'node',
    format: 'cjs', target: 'node22', external: ['vscode'], mainFields: ['module', 'main'], logLevel: 'warning', absWorkingDir: root,
  });
  fs.writeFileSync(path.join(ext, 'package.json'), JSON.stringify({
    name: 'vcx-webview-check', publisher: 'preview', version: '0.0.0', engines: { vscode: '^1.101.0' },
    main: './extension.js', activationEvents: ['onStartupFinished'],
  }));
  const workspace = makeTempDir('vcx-webview-ws-');
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
      extensionDevelopmentPath: ext, workspace,
      env: { VCX_REPORT: report, VCX_EVENTS: events, VCX_ROWS: String(smallRows), VCX_LIFECYCLE: lifecycle ? '1' : '0' },
      settings: { 'workbench.colorTheme': theme }, viewport: { width: 1400, height: 1000 },
    });
    try {
      const { page } = wb;
      const consoleLines = [];
      page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') consoleLines.push(`${m.type()}: ${m.text()}`); });
      const deadline = Date.now() + 60_000;
      while (!fs.existsSync(report) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      if (!fs.existsSync(report)) {
        problems.push(`${name}: the webview never reported a render`);
        for (const f of page.frames()) console.error(`frame ${f.url().slice(0, 160)}`);
        console.error(consoleLines.filter((l) => /webview|Content Security|Refused|vcx|mapping/i.test(l)).slice(0, 30).join('\n'));
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
      if (rendered.rows !== Math.min(200, expectedTotal) || rendered.total !== expectedTotal) problems.push(`${name}: unexpected report ${JSON.stringify(rendered)}`);
      let frame;
      for (let i = 0; i < 40 && !frame; i++) {
        for (const f of page.frames()) if (await f.$('#app vscode-table').catch(() => null)) frame = f;
        if (!frame) await page.waitForTimeout(250);
      }
      if (!frame) { problems.push(`${name}: webview frame not found`); continue; }
      await page.waitForTimeout(800);
      const shotFile = path.join(outDir, `vscode-mapping-${name}.png`);
      await page.screenshot({ path: shotFile });
      console.log(`screenshot ${path.relative(root, shotFile)}`);
      if (name !== 'dark') continue;
      // open a Secret's YAML by clicking its row: the editor must show the object without its data
      await frame.click('table.kinds button.link:text-is("Secret")');
      await frame.click('vscode-table-row:first-child .name[data-side="virtual"]');
      const editor = page.locator('.editor-instance .monaco-editor .view-lines').first();
      try {
        await editor.getByText('data hidden', { exact: false }).waitFor({ timeout: 20_000 });
      } catch (err) {
        await page.screenshot({ path: path.join(outDir, 'vscode-mapping-secret-yaml-FAILED.png') });
        console.error(`webview status: ${await frame.locator('#status').innerText().catch(() => '?')}`);
        console.error(consoleLines.slice(-20).join('\n'));
        throw err;
      }
      const text = await editor.innerText();
      if (text.includes(SECRET_VALUE)) problems.push('the Secret value reached the editor');
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
