// The mapping webview alone in headless Debian Chromium: the built page (dist/mapping.js and dist/mapping.css) under
// the Content Security Policy the panel uses, with acquireVsCodeApi stubbed and VS Code-like theme variables, served
// from a fake origin through request interception (no network, no server process). Used by the design preview
// (scripts/webview-preview.mjs) and by the benchmark (bench/webview.ts). The caller must be able to import
// TypeScript (tsx): the page's HTML comes from src/webview/html.ts.
//
//   const wp = await openWebviewPage();        // { page, context, load(theme, wireModel, size?), lastRendered(), … }
//   await wp.load('dark', encodeMappingModel(model));
//   await wp.close();
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { pageOptions } from '../build.mjs';
import { chromiumArgs, chromiumPath } from './vscode-host.mjs';
import { repoRoot } from './toolchain.mjs';

export const ORIGIN = 'https://webview.test';

const FONT = { 'font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif', 'font-size': '13px', 'font-weight': 'normal' };

/** The theme variables VS Code gives a webview, for its three kinds of built-in theme. */
export const THEMES = {
  dark: {
    ...FONT,
    foreground: '#cccccc',
    'editor-background': '#1f1f1f',
    descriptionForeground: '#9d9d9d',
    focusBorder: '#0078d4',
    'panel-border': '#2b2b2b',
    'editorGroup-border': '#ffffff17',
    'sideBar-background': '#181818',
    'list-hoverBackground': '#2a2d2e',
    'list-activeSelectionBackground': '#04395e',
    'list-activeSelectionForeground': '#ffffff',
    'list-inactiveSelectionBackground': '#37373d',
    'list-focusOutline': '#0078d4',
    'textLink-foreground': '#4daafc',
    'textLink-activeForeground': '#4daafc',
    'badge-background': '#616161',
    'badge-foreground': '#f8f8f8',
    'button-background': '#0078d4',
    'button-foreground': '#ffffff',
    'button-hoverBackground': '#026ec1',
    'button-border': '#ffffff12',
    'button-secondaryBackground': '#313131',
    'button-secondaryForeground': '#cccccc',
    'button-secondaryHoverBackground': '#3c3c3c',
    'settings-textInputBackground': '#313131',
    'settings-textInputForeground': '#cccccc',
    'settings-textInputBorder': '#3c3c3c',
    'settings-dropdownBackground': '#313131',
    'settings-dropdownForeground': '#cccccc',
    'settings-dropdownBorder': '#3c3c3c',
    'settings-dropdownListBorder': '#454545',
    'input-placeholderForeground': '#989898',
    'editorWarning-foreground': '#cca700',
    'editorError-foreground': '#f14c4c',
    'testing-iconPassed': '#73c991',
    errorForeground: '#f85149',
    'keybindingTable-rowsBackground': '#cccccc0a',
    'keybindingTable-headerBackground': '#cccccc0a',
    'icon-foreground': '#cccccc',
    'sideBarSectionHeader-background': '#181818',
    'sideBarTitle-foreground': '#cccccc',
    'widget-shadow': '#0000005c',
    'inputValidation-warningBackground': '#352a05',
    'inputValidation-warningBorder': '#b89500',
  },
  light: {
    ...FONT,
    foreground: '#3b3b3b',
    'editor-background': '#ffffff',
    descriptionForeground: '#717171',
    focusBorder: '#005fb8',
    'panel-border': '#e5e5e5',
    'editorGroup-border': '#e5e5e5',
    'sideBar-background': '#f8f8f8',
    'list-hoverBackground': '#f2f2f2',
    'list-activeSelectionBackground': '#e8e8e8',
    'list-activeSelectionForeground': '#000000',
    'list-inactiveSelectionBackground': '#e4e6f1',
    'list-focusOutline': '#005fb8',
    'textLink-foreground': '#005fb8',
    'textLink-activeForeground': '#005fb8',
    'badge-background': '#cccccc',
    'badge-foreground': '#3b3b3b',
    'button-background': '#005fb8',
    'button-foreground': '#ffffff',
    'button-hoverBackground': '#0258a8',
    'button-border': '#0000001a',
    'button-secondaryBackground': '#e5e5e5',
    'button-secondaryForeground': '#3b3b3b',
    'button-secondaryHoverBackground': '#cccccc',
    'settings-textInputBackground': '#ffffff',
    'settings-textInputForeground': '#3b3b3b',
    'settings-textInputBorder': '#cecece',
    'settings-dropdownBackground': '#ffffff',
    'settings-dropdownForeground': '#3b3b3b',
    'settings-dropdownBorder': '#cecece',
    'settings-dropdownListBorder': '#c8c8c8',
    'input-placeholderForeground': '#767676',
    'editorWarning-foreground': '#bf8803',
    'editorError-foreground': '#e51400',
    'testing-iconPassed': '#388a34',
    errorForeground: '#f85149',
    'keybindingTable-rowsBackground': '#0000000a',
    'keybindingTable-headerBackground': '#0000000a',
    'icon-foreground': '#3b3b3b',
    'sideBarSectionHeader-background': '#f8f8f8',
    'sideBarTitle-foreground': '#3b3b3b',
    'widget-shadow': '#00000029',
    'inputValidation-warningBackground': '#f6f5d2',
    'inputValidation-warningBorder': '#bf8803',
  },
  'high-contrast': {
    ...FONT,
    foreground: '#ffffff',
    'editor-background': '#000000',
    descriptionForeground: '#ffffffb3',
    focusBorder: '#f38518',
    contrastBorder: '#6fc3df',
    contrastActiveBorder: '#f38518',
    'panel-border': '#6fc3df',
    'editorGroup-border': '#6fc3df',
    'sideBar-background': '#000000',
    'list-hoverBackground': '#000000',
    'list-activeSelectionBackground': '#000000',
    'list-activeSelectionForeground': '#ffffff',
    'list-focusOutline': '#f38518',
    'textLink-foreground': '#21a6ff',
    'textLink-activeForeground': '#21a6ff',
    'badge-background': '#000000',
    'badge-foreground': '#ffffff',
    'button-background': '#000000',
    'button-foreground': '#ffffff',
    'button-border': '#6fc3df',
    'button-secondaryBackground': '#000000',
    'button-secondaryForeground': '#ffffff',
    'settings-textInputBackground': '#000000',
    'settings-textInputForeground': '#ffffff',
    'settings-textInputBorder': '#6fc3df',
    'settings-dropdownBackground': '#000000',
    'settings-dropdownForeground': '#ffffff',
    'settings-dropdownBorder': '#6fc3df',
    'settings-dropdownListBorder': '#6fc3df',
    'input-placeholderForeground': '#ffffffb3',
    'editorWarning-foreground': '#ffd370',
    'editorError-foreground': '#f48771',
    'testing-iconPassed': '#73c991',
    errorForeground: '#f48771',
    'keybindingTable-rowsBackground': '#00000000',
    'keybindingTable-headerBackground': '#00000000',
    'icon-foreground': '#ffffff',
  },
};

/** Builds dist/mapping.js (and copies the codicon files) from the current sources; returns its size in bytes. */
export async function ensureWebviewBundle() {
  await esbuild.build({ ...pageOptions('mapping'), absWorkingDir: repoRoot, logLevel: 'warning' });
  const src = path.join(repoRoot, 'node_modules', '@vscode', 'codicons', 'dist');
  for (const f of ['codicon.css', 'codicon.ttf']) {
    if (!fs.existsSync(path.join(repoRoot, 'dist', f))) fs.copyFileSync(path.join(src, f), path.join(repoRoot, 'dist', f));
  }
  return fs.statSync(path.join(repoRoot, 'dist', 'mapping.js')).size;
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
    setState: (s) => {
      state = s;
    },
  });
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
}

/**
 * Opens Chromium with the webview page. `problems` collects console errors, page errors and CSP violations (read it
 * after collectViolations()). load() opens a fresh page in a theme, posts `{ type: 'model', model: wireModel }` and
 * resolves with the milliseconds until the page reported what it rendered.
 */
export async function openWebviewPage({ viewport = { width: 1280, height: 900 } } = {}) {
  const html_ = await import(pathToFileURL(path.join(repoRoot, 'src/webview/html.ts')).href);
  const { renderHtml } = html_.default ?? html_;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-webview-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath, headless: true, viewport, args: chromiumArgs });
  const problems = [];
  const close = async () => {
    await context.close().catch(() => undefined);
    fs.rmSync(profile, { recursive: true, force: true });
  };
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.addInitScript(installStub);
    const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString('base64url');
    const html = renderHtml({
      cspSource: ORIGIN,
      nonce,
      scriptUri: `${ORIGIN}/dist/mapping.js`,
      styleUris: [`${ORIGIN}/dist/mapping.css`],
      codiconUri: `${ORIGIN}/dist/codicon.css`,
      title: 'Mapping preview',
      state: { ref: { context: 'kind-host', namespace: 'vcluster-dev', name: 'dev' } },
    });
    await context.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      if (url.origin !== ORIGIN) return route.abort();
      if (url.pathname === '/' || url.pathname === '/index.html') return route.fulfill({ contentType: 'text/html', body: html });
      const file = path.join(repoRoot, path.normalize(url.pathname));
      const allowed = [path.join(repoRoot, 'dist') + path.sep];
      if (!allowed.some((d) => file.startsWith(d)) || !fs.existsSync(file)) return route.fulfill({ status: 404, body: '' });
      return route.fulfill({ contentType: CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream', body: fs.readFileSync(file) });
    });

    async function collectViolations() {
      if (!page.url().startsWith(ORIGIN)) return;
      const v = await page.evaluate(() => window.__cspViolations ?? []);
      problems.push(...v.map((x) => `CSP violation: ${x}`));
    }
    /** A fresh page in `theme`; resolves when the webview said `ready`. */
    async function open(theme, size = viewport) {
      await collectViolations();
      await page.setViewportSize(size);
      await page.goto(`${ORIGIN}/index.html`);
      await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'), null, { timeout: 20_000 });
      await page.evaluate(
        ({ vars, cls }) => {
          for (const [k, v] of Object.entries(vars)) document.documentElement.style.setProperty(`--vscode-${k}`, v);
          document.body.classList.add(cls);
        },
        { vars: THEMES[theme], cls: theme === 'light' ? 'vscode-light' : theme === 'dark' ? 'vscode-dark' : 'vscode-high-contrast' },
      );
    }
    async function load(theme, wireModel, size = viewport) {
      await open(theme, size);
      const t0 = Date.now();
      await page.evaluate((m) => {
        window.__posted.length = 0;
        window.postMessage({ type: 'model', model: m }, '*');
      }, wireModel);
      await page.waitForFunction(() => window.__posted.some((m) => m.type === 'rendered'), null, { timeout: 60_000 });
      const ms = Date.now() - t0;
      await page.evaluate(() => document.fonts.ready);
      return ms;
    }
    const lastRendered = () => page.evaluate(() => [...window.__posted].reverse().find((m) => m.type === 'rendered'));
    return { page, context, problems, open, load, lastRendered, collectViolations, close };
  } catch (err) {
    await close();
    throw err;
  }
}
