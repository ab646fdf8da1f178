// A real VS Code for the integration tests, the UI checks, the screenshots and the demo: code-server (the VS Code
// workbench with a Node extension host on the server side, installed from npm by toolchain.mjs) opened in Debian's
// Chromium through playwright-core. See docs: real-vscode-for-tests.md.
//
//   startCodeServer({ extensionDevelopmentPath, workspace, env, port?, trust?, settings? })
//       -> { url, port, pid, tmpDir, logFile, workbenchUrl(opts), logTail(n), stop() }
//   openWorkbench({ server? | extensionDevelopmentPath, workspace, env, trust?, extensionTestsPath?, onLog?, onExit? })
//       -> { page, browser, context, server, exited, stop() }
//   runIntegrationTests({ testsDir, workspace, env, resultFile, timeoutMs, ... }) -> exit code
//   showViewContainer(page, title), viewPane(page, name), makeTempDir(prefix), freePort()
//
// Every process started here is stopped again: stop() ends the whole process tree, and exit hooks do the same on
// SIGINT/SIGTERM/SIGHUP, on an uncaught exception and on process exit. Programs are started without a shell.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { format } from 'node:util';
import { childEnv, codeServerEntry, ensureCodeServer, ensureNode, repoRoot, versions } from './toolchain.mjs';

export const chromiumPath = process.env.VCE_CHROMIUM || '/usr/bin/chromium';

/** Chromium flags that work in containers and CI without a GPU, a sandbox or network access. */
export const chromiumArgs = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--disable-features=Translate',
  '--disable-crash-reporter', '--disable-breakpad',
];

/** User settings for a quiet, deterministic workbench (no welcome page, tips, update checks or AI side bar). */
export const defaultUserSettings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.openRepositoryInParentFolders': 'never',
  // With trust enabled (trust: false) the folder opens in Restricted Mode without a modal prompt.
  'security.workspace.trust.startupPrompt': 'never',
};

const say = (msg) => process.stderr.write(`[vscode-host] ${msg}\n`);

// ---- process bookkeeping ----------------------------------------------------------------------------------------

/** Everything still running: { name, killSync(), stop() }. */
const live = new Set();
/** Temporary folders removed at exit at the latest (see makeTempDir). */
const tempDirs = new Set();
let hooksInstalled = false;

/** A new temporary folder that is removed on process exit, also after a signal; remove it earlier with rmSync. */
export function makeTempDir(prefix) {
  installExitHooks();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

function installExitHooks() {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => {
    for (const r of live) r.killSync();
    if (!process.env.VCE_KEEP_TMP) for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
  });
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
    process.on(sig, () => {
      say(`${sig}: stopping ${[...live].map((r) => r.name).join(', ') || 'nothing'}`);
      const hardStop = setTimeout(() => process.exit(code), 8000);
      hardStop.unref();
      Promise.allSettled([...live].map((r) => r.stop())).finally(() => process.exit(code));
    });
  }
  process.on('uncaughtException', (err) => {
    console.error(err);
    process.exit(1); // the 'exit' hook kills what is left
  });
}

/** Child processes of `pid`, recursively, from /proc (Linux); empty elsewhere. */
export function descendants(pid) {
  let entries;
  try {
    entries = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return [];
  }
  const children = new Map();
  for (const d of entries) {
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(d));
    } catch {
      // the process ended while we looked
    }
  }
  const out = [];
  const queue = [pid];
  while (queue.length) {
    for (const c of children.get(queue.shift()) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

function signalTree(pid, signal, extra = []) {
  const pids = [...descendants(pid), ...extra];
  try {
    process.kill(-pid, signal); // the process group started with detached: true
  } catch {
    // already gone
  }
  for (const p of pids) {
    try {
      process.kill(p, signal);
    } catch {
      // already gone
    }
  }
}

/** Processes whose command line contains `needle` (Linux /proc); used to find a browser by its profile folder. */
/** Processes (not ours) whose command line contains `needle`, from /proc. */
export function processesMentioning(needle) {
  const out = [];
  let entries;
  try {
    entries = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  for (const d of entries) {
    try {
      if (fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(needle)) out.push(Number(d));
    } catch {
      // ended meanwhile
    }
  }
  return out.filter((p) => p !== process.pid);
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Waits for `promise` at most `ms`; the timer is cleared either way so it never keeps the process alive. */
async function atMost(promise, ms) {
  let timer;
  try {
    return await Promise.race([promise, new Promise((r) => { timer = setTimeout(r, ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

// ---- code-server ------------------------------------------------------------------------------------------------

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function httpGet(url, timeoutMs = 2000) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** Environment variables of the launching process that must not leak into the test VS Code. */
/** Our environment without what would confuse code-server or leak into the extension host under test. */
function cleanBaseEnv() {
  return childEnv({ drop: [/^VSCODE_/, /^ELECTRON_/, /^KUBECONFIG$/, /^VCE_RESULT_FILE$/] });
}

function toRemoteUri(p) {
  return `vscode-remote://remote${path.resolve(p).split(path.sep).map(encodeURIComponent).join('/')}`;
}

/**
 * Starts code-server on 127.0.0.1 in its own process group, with HOME and XDG_* in a new temporary folder.
 *   extensionDevelopmentPath  the extension to load (default: this repository)
 *   workspace                 the folder the workbench opens
 *   env                       extra environment for the server and so for the extension host (KUBECONFIG, PATH, ...);
 *                             it is applied last and may override HOME/XDG_* on purpose
 *   trust                     true (default): --disable-workspace-trust; false: trust stays on, the folder is untrusted
 *   settings                  user settings merged over defaultUserSettings
 *   port                      default: a free port
 */
export async function startCodeServer({
  extensionDevelopmentPath = repoRoot, workspace, env = {}, port, trust = true, settings = {}, readyTimeoutMs = 90_000,
} = {}) {
  if (!workspace) throw new Error('startCodeServer: workspace is required');
  installExitHooks();
  const entry = await ensureCodeServer() ?? codeServerEntry();
  const node24 = await ensureNode(versions.nodeCodeServer);
  port ??= await freePort();

  const tmpDir = makeTempDir('vce-code-server-');
  const dirs = {
    HOME: path.join(tmpDir, 'home'),
    XDG_CONFIG_HOME: path.join(tmpDir, 'home', '.config'),
    XDG_DATA_HOME: path.join(tmpDir, 'home', '.local', 'share'),
    XDG_CACHE_HOME: path.join(tmpDir, 'home', '.cache'),
    XDG_STATE_HOME: path.join(tmpDir, 'home', '.local', 'state'),
    XDG_RUNTIME_DIR: path.join(tmpDir, 'runtime'),
    TMPDIR: path.join(tmpDir, 'tmp'),
  };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true, mode: 0o700 });
  const userDataDir = path.join(tmpDir, 'user-data');
  const extensionsDir = path.join(tmpDir, 'extensions');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...defaultUserSettings, ...settings }, null, 2));
  const configFile = path.join(tmpDir, 'config.yaml');
  fs.writeFileSync(configFile, 'auth: none\ncert: false\n');
  const logFile = path.join(tmpDir, 'server.log');
  const logFd = fs.openSync(logFile, 'a');

  const args = [
    entry,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--config', configFile,
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--vscode-option', 'enable-smoke-test-driver',
    // Without this the server runs the user's login shell and gives the extension host that shell's PATH
    // (/etc/profile resets it), dropping the PATH passed in `env`.
    '--vscode-option', 'force-disable-user-env',
    ...(trust ? ['--disable-workspace-trust'] : []),
  ];
  const child = spawn(node24, args, {
    cwd: tmpDir,
    detached: true, // own process group: stop() signals the group
    stdio: ['ignore', logFd, logFd],
    env: { ...cleanBaseEnv(), ...dirs, ...env },
  });
  fs.closeSync(logFd);
  let exitInfo;
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => { exitInfo = { code, signal }; resolve(exitInfo); });
    child.on('error', (err) => { exitInfo = { code: null, signal: null, error: err }; resolve(exitInfo); });
  });

  const pid = child.pid;
  let stopping;
  const logTail = (n = 40) => {
    try {
      return fs.readFileSync(logFile, 'utf8').split('\n').slice(-n - 1).join('\n');
    } catch {
      return '';
    }
  };
  const record = {
    name: `code-server (pid ${pid})`,
    killSync() {
      if (pid) signalTree(pid, 'SIGKILL');
      fs.rmSync(tmpDir, { recursive: true, force: true });
    },
    stop() {
      stopping ??= (async () => {
        if (pid && !exitInfo) {
          const tree = descendants(pid);
          signalTree(pid, 'SIGTERM');
          await atMost(exited, 5000);
          await sleep(100);
          signalTree(pid, 'SIGKILL', tree.filter(isAlive));
          await atMost(exited, 2000);
        }
        live.delete(record);
        if (!process.env.VCE_KEEP_TMP) fs.rmSync(tmpDir, { recursive: true, force: true });
        else say(`kept ${tmpDir} (VCE_KEEP_TMP)`);
      })();
      return stopping;
    },
  };
  live.add(record);

  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exitInfo) {
      await record.stop();
      throw new Error(`code-server exited before it was ready (${exitInfo.error?.message ?? exitInfo.signal ?? `exit ${exitInfo.code}`}). Its log:\n${logTail()}`);
    }
    try {
      const res = await httpGet(`${base}/healthz`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      const tail = logTail();
      await record.stop();
      throw new Error(`code-server did not answer ${base}/healthz within ${readyTimeoutMs / 1000} s. Its log:\n${tail}`);
    }
    await sleep(250);
  }

  /** The workbench URL that opens `workspace` with the extension under development (and optionally its tests). */
  const workbenchUrl = ({ extensionTestsPath, folder = workspace } = {}) => {
    const payload = [['extensionDevelopmentPath', toRemoteUri(extensionDevelopmentPath)], ['skipWelcome', 'true']];
    if (extensionTestsPath) payload.push(['extensionTestsPath', toRemoteUri(extensionTestsPath)]);
    return `${base}/?folder=${encodeURIComponent(path.resolve(folder))}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  };

  return { url: workbenchUrl(), port, pid, tmpDir, logFile, logTail, workbenchUrl, stop: () => record.stop() };
}

// ---- Chromium ---------------------------------------------------------------------------------------------------

async function loadChromium() {
  if (!fs.existsSync(chromiumPath)) {
    throw new Error(`Chromium was not found at ${chromiumPath}. Install it with: apt-get install -y chromium (or set VCE_CHROMIUM). Never use \`npx playwright install\`.`);
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
  /^Resolving connection token/, /^Resolved connection token/, /^Creating a socket/, /^\[reconnection-grace-time\]/,
  /^Updating additional builtin extensions cache/, /^\[Service Worker\]/, /^\[AgentHost:/, /^\[AccountPolicyGate\]/,
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
  server, url, extensionDevelopmentPath, workspace, env, trust, settings, extensionTestsPath, onLog, onExit,
  viewport = { width: 1400, height: 900 }, deviceScaleFactor = 1, waitForWorkbench = true,
} = {}) {
  installExitHooks();
  const chromium = await loadChromium();
  const ownServer = !server && !url;
  if (ownServer) server = await startCodeServer({ extensionDevelopmentPath, workspace, env, trust, settings });
  const profileDir = makeTempDir('vce-chromium-');
  fs.mkdirSync(path.join(profileDir, 'tmp'), { recursive: true });
  let context;
  let stopping;
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
        live.delete(record);
        fs.rmSync(profileDir, { recursive: true, force: true });
        if (ownServer) await server.stop();
      })();
      return stopping;
    },
  };
  live.add(record);

  let resolveExit;
  const exited = new Promise((resolve) => { resolveExit = resolve; });
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
  await page.locator('.part.sidebar .composite.title').filter({ hasText: new RegExp(title, 'i') }).first().waitFor({ timeout });
}

/** The side-bar pane (view) whose header has the given name; the locator covers header and body. */
export function viewPane(page, name) {
  return page.locator('.part.sidebar .pane').filter({ has: page.locator('.pane-header', { hasText: name }) }).first();
}

// ---- running the integration suite ------------------------------------------------------------------------------

/**
 * Runs the extension's integration suite inside a real VS Code extension host and returns the suite's exit code.
 *   testsDir    compiled folder whose index.js exports run() (out/integration)
 *   resultFile  where the reporter writes { passes, failures, pending, tests, failed } (VCE_RESULT_FILE)
 *   timeoutMs   the whole run, server start included (default 5 minutes)
 * Chromium and code-server are always stopped, also on failure, timeout and interrupt.
 */
export async function runIntegrationTests({
  testsDir, workspace, env = {}, resultFile, timeoutMs = 300_000, extensionDevelopmentPath = repoRoot, trust = true,
  settings, log = (line) => process.stdout.write(`${line}\n`),
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
  try {
    const serverEnv = { ...env, ...(resultFile ? { VCE_RESULT_FILE: path.resolve(resultFile) } : {}) };
    server = await Promise.race([
      startCodeServer({ extensionDevelopmentPath, workspace, env: serverEnv, trust, settings }),
      timedOut.then(() => { throw new Error(`code-server did not start within the ${timeoutMs / 1000} s timeout`); }),
    ]);
    say(`code-server ready on port ${server.port} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    wb = await openWorkbench({ server, extensionTestsPath: testsDir, onLog: (line) => log(line), waitForWorkbench: false });
    const outcome = await Promise.race([wb.exited, timedOut]);
    if (outcome === 'timeout') {
      say(`TIMEOUT: the integration suite did not finish within ${timeoutMs / 1000} s; stopping Chromium and code-server. Last lines of the server log:\n${server.logTail(30)}`);
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
  }
}

function writeFailure(resultFile, title, message) {
  if (!resultFile || fs.existsSync(resultFile)) return;
  fs.writeFileSync(resultFile, JSON.stringify({ passes: 0, failures: 1, pending: 0, tests: 1, failed: [{ title, message }] }));
}
