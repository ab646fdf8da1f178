// The workbench of the real VS Code host (scripts/lib/vscode-host.mjs): Debian's Chromium through playwright-core on a
// code-server, helpers for its UI, and the integration suite run inside its extension host.
import fs from 'node:fs';
import path from 'node:path';
import { format } from 'node:util';
import { repoRoot } from './toolchain.mjs';
import { cleanBaseEnv, startCodeServer } from './code-server.mjs';
import { atMost, processesMentioning, say, sleep } from './host-processes.mjs';
import { makeTempDir, register } from './process-registry.mjs';

export const chromiumPath = process.env.VCE_CHROMIUM || '/usr/bin/chromium';

/** Chromium flags that work in containers and CI without a GPU, a sandbox or network access. */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--disable-features=Translate',
  '--disable-crash-reporter',
  '--disable-breakpad',
];

// ---- Chromium ---------------------------------------------------------------------------------------------------

async function loadChromium() {
  if (!fs.existsSync(chromiumPath)) {
    throw new Error(
      `Chromium was not found at ${chromiumPath}. Install it with: apt-get install -y chromium (or set VCE_CHROMIUM). Never use \`npx playwright install\`.`,
    );
  }
  const { chromium } = await import('playwright-core');
  return chromium;
}

/** The workbench logs console-style argument lists (mocha's spec reporter uses printf formats such as '%s'). */
function formatAutomationArgs(args) {
  if (!Array.isArray(args)) return String(args ?? '');
  return format(...args);
}

/**
 * Harmless workbench chatter that would bury the test output: connection set-up, and failed look-ups of the
 * extension gallery (there is no internet). Shown anyway with VCE_VERBOSE=1.
 */
export const workbenchNoise = [
  /^Resolving connection token/,
  /^Resolved connection token/,
  /^Creating a socket/,
  /^\[reconnection-grace-time\]/,
  /^Updating additional builtin extensions cache/,
  /^\[Service Worker\]/,
  /^\[AgentHost:/,
  /^\[AccountPolicyGate\]/,
  /ENOTFOUND|EAI_AGAIN|open-vsx\.org|marketplace\.visualstudio\.com|gallery/i,
  /^Canceled: Canceled/, // the workbench cancels its pending calls when the extension host ends after the tests
];

function isNoise(line) {
  return !process.env.VCE_VERBOSE && workbenchNoise.some((re) => re.test(line));
}

/**
 * Opens the VS Code workbench in headless Chromium.
 *   server               a running startCodeServer() result; without it a server is started (and stopped by stop())
 *   url                  instead of a server: the workbench URL of a code-server started elsewhere (e.g. the demo)
 *   extensionTestsPath   run this test entry (a folder with index.js exporting run()) inside the extension host
 *   onLog(line)          lines the workbench logs in automation mode (the extension host's console while testing)
 *   onExit(code)         called when the workbench reports the end of an extension test run
 *   viewport             default 1400x900
 * Returns { page, browser (the persistent browser context), context, server, exited (Promise<code>), stop() }.
 */
export async function openWorkbench({
  server,
  url,
  extensionDevelopmentPath,
  workspace,
  env,
  trust,
  settings,
  extensionTestsPath,
  onLog,
  onExit,
  viewport = { width: 1400, height: 900 },
  deviceScaleFactor = 1,
  waitForWorkbench = true,
} = {}) {
  const chromium = await loadChromium();
  const ownServer = !server && !url;
  if (ownServer) server = await startCodeServer({ extensionDevelopmentPath, workspace, env, trust, settings });
  const profileDir = makeTempDir('vce-chromium-');
  fs.mkdirSync(path.join(profileDir, 'tmp'), { recursive: true });
  let context;
  let stopping;
  let forget;
  const record = {
    name: 'Chromium',
    killSync() {
      for (const p of processesMentioning(profileDir)) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          // gone
        }
      }
      fs.rmSync(profileDir, { recursive: true, force: true });
      if (ownServer) server.stop();
    },
    stop() {
      stopping ??= (async () => {
        try {
          await atMost(context?.close(), 10_000);
        } catch {
          // already closed
        }
        // Chromium's helper processes outlive close() for a moment; wait for them, then kill what is left.
        for (let i = 0; i < 30 && processesMentioning(profileDir).length; i++) await sleep(100);
        for (const p of processesMentioning(profileDir)) {
          try {
            process.kill(p, 'SIGKILL');
          } catch {
            // gone
          }
        }
        forget();
        fs.rmSync(profileDir, { recursive: true, force: true });
        if (ownServer) await server.stop();
      })();
      return stopping;
    },
  };
  forget = register(record);

  let resolveExit;
  const exited = new Promise((resolve) => {
    resolveExit = resolve;
  });
  try {
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: chromiumPath,
      headless: true,
      args: chromiumArgs,
      viewport,
      deviceScaleFactor,
      env: { ...cleanBaseEnv(), HOME: profileDir, TMPDIR: path.join(profileDir, 'tmp') },
      handleSIGINT: false, // our exit hooks close the browser
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    // Both must exist before the workbench loads: it looks for them to decide that it runs under automation.
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const line = formatAutomationArgs(args);
      if (!isNoise(line)) onLog?.(line, type);
    });
    await page.exposeFunction('codeAutomationExit', (code) => {
      const n = Number(code);
      onExit?.(n);
      resolveExit(n);
    });
    page.on('crash', () => {
      onLog?.('the workbench page crashed', 'error');
      resolveExit(1);
    });
    await page.goto(url ?? server.workbenchUrl({ extensionTestsPath }), { waitUntil: 'domcontentloaded', timeout: 60_000 });
    if (waitForWorkbench) await page.locator('.monaco-workbench').first().waitFor({ timeout: 60_000 });
    return { page, browser: context, context, server, exited, stop: () => record.stop() };
  } catch (err) {
    await record.stop();
    throw err;
  }
}

// ---- workbench UI helpers ---------------------------------------------------------------------------------------

/** Clicks the activity-bar item whose label starts with `title` and waits for its side bar to show. */
export async function showViewContainer(page, title, { timeout = 30_000 } = {}) {
  const item = page.locator(`.part.activitybar .action-item a.action-label[aria-label^="${title}"]`).first();
  await item.waitFor({ timeout });
  const li = item.locator('xpath=..');
  if ((await li.getAttribute('class'))?.split(/\s+/).includes('checked') !== true) await item.click();
  await page
    .locator('.part.sidebar .composite.title')
    .filter({ hasText: new RegExp(title, 'i') })
    .first()
    .waitFor({ timeout });
}

/** The side-bar pane (view) whose header has the given name; the locator covers header and body. */
export function viewPane(page, name) {
  return page
    .locator('.part.sidebar .pane')
    .filter({ has: page.locator('.pane-header', { hasText: name }) })
    .first();
}

// ---- running the integration suite ------------------------------------------------------------------------------

/**
 * What the extension host cannot see: how the workbench rendered something (a notification, the status bar, a hover).
 * A test logs `[vce-dom] {"id", "query", "hover"?}` (test/integration/support/workbench.ts, renderedDom) and reads the
 * answer from $VCE_DOM_DIR/<id>.json: for each element matching the CSS selector `query` (after hovering the first
 * match of `hover`), its text, its links and its codicons.
 */
export const DOM_QUERY_PREFIX = '[vce-dom] ';

async function answerDomQuery(page, dir, line) {
  let req;
  try {
    req = JSON.parse(line.slice(DOM_QUERY_PREFIX.length));
  } catch {
    return;
  }
  if (typeof req?.id !== 'string' || !/^[a-z0-9-]{1,64}$/.test(req.id) || typeof req.query !== 'string') return;
  let answer;
  try {
    if (!page) throw new Error('the workbench page is not open yet');
    if (typeof req.hover === 'string') await page.locator(req.hover).first().hover({ timeout: 10_000 });
    const elements = await page.locator(req.query).evaluateAll((els) =>
      els.map((e) => ({
        text: e.textContent ?? '',
        links: [...e.querySelectorAll('a')].map((a) => ({ href: a.getAttribute('href'), dataHref: a.getAttribute('data-href'), text: a.textContent ?? '' })),
        icons: [...e.querySelectorAll('.codicon')].flatMap((i) => [...i.classList].filter((c) => c.startsWith('codicon-'))),
      })),
    );
    answer = { elements };
  } catch (err) {
    answer = { error: String(err?.message ?? err) };
  }
  const file = path.join(dir, `${req.id}.json`);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(answer));
  fs.renameSync(`${file}.tmp`, file);
}

/**
 * Runs the extension's integration suite inside a real VS Code extension host and returns the suite's exit code.
 *   testsDir    compiled folder whose index.js exports run() (out/integration)
 *   resultFile  where the reporter writes { passes, failures, pending, tests, failed } (VCE_RESULT_FILE)
 *   timeoutMs   the whole run, server start included (default 5 minutes)
 * Chromium and code-server are always stopped, also on failure, timeout and interrupt.
 */
export async function runIntegrationTests({
  testsDir,
  workspace,
  env = {},
  resultFile,
  timeoutMs = 300_000,
  extensionDevelopmentPath = repoRoot,
  trust = true,
  settings,
  log = (line) => process.stdout.write(`${line}\n`),
} = {}) {
  if (!testsDir || !fs.existsSync(path.join(testsDir, 'index.js'))) {
    throw new Error(`runIntegrationTests: ${testsDir}/index.js does not exist (build it with: node scripts/build.mjs --tests)`);
  }
  const started = Date.now();
  if (resultFile) fs.rmSync(resultFile, { force: true });
  let timer;
  const timedOut = new Promise((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  let server;
  let wb;
  const domDir = makeTempDir('vce-dom-');
  try {
    const serverEnv = { ...env, VCE_DOM_DIR: domDir, ...(resultFile ? { VCE_RESULT_FILE: path.resolve(resultFile) } : {}) };
    server = await Promise.race([
      startCodeServer({ extensionDevelopmentPath, workspace, env: serverEnv, trust, settings }),
      timedOut.then(() => {
        throw new Error(`code-server did not start within the ${timeoutMs / 1000} s timeout`);
      }),
    ]);
    say(`code-server ready on port ${server.port} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const onLog = (line) => {
      if (line.startsWith(DOM_QUERY_PREFIX)) void answerDomQuery(wb?.page, domDir, line);
      else log(line);
    };
    wb = await openWorkbench({ server, extensionTestsPath: testsDir, onLog, waitForWorkbench: false });
    const outcome = await Promise.race([wb.exited, timedOut]);
    if (outcome === 'timeout') {
      say(
        `TIMEOUT: the integration suite did not finish within ${timeoutMs / 1000} s; stopping Chromium and code-server. Last lines of the server log:\n${server.logTail(30)}`,
      );
      writeFailure(resultFile, 'integration suite', `timed out after ${timeoutMs / 1000} s`);
      return 124;
    }
    say(`suite finished with exit code ${outcome} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (outcome !== 0 && resultFile && !fs.existsSync(resultFile)) {
      say(`the suite ended with code ${outcome} before mocha reported; last lines of the server log:\n${server.logTail(30)}`);
      writeFailure(resultFile, 'integration suite', `the extension host ended with code ${outcome} before the tests reported`);
    }
    return outcome;
  } finally {
    clearTimeout(timer);
    await wb?.stop();
    await server?.stop();
    fs.rmSync(domDir, { recursive: true, force: true });
  }
}

function writeFailure(resultFile, title, message) {
  if (!resultFile || fs.existsSync(resultFile)) return;
  fs.writeFileSync(resultFile, JSON.stringify({ passes: 0, failures: 1, pending: 0, tests: 1, failed: [{ title, message }] }));
}
