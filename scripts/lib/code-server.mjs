// code-server for the real VS Code host (scripts/lib/vscode-host.mjs): installed by toolchain.mjs, started with its own
// user data and extensions folders, stopped with its whole process tree.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { childEnv, codeServerEntry, ensureCodeServer, ensureNode, repoRoot, versions } from './toolchain.mjs';
import { atMost, descendants, isAlive, say, signalTree, sleep } from './host-processes.mjs';
import { makeTempDir, register } from './process-registry.mjs';

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
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** Environment variables of the launching process that must not leak into the test VS Code. */
/** Our environment without what would confuse code-server or leak into the extension host under test. */
export function cleanBaseEnv() {
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
  extensionDevelopmentPath = repoRoot,
  workspace,
  env = {},
  port,
  trust = true,
  settings = {},
  readyTimeoutMs = 90_000,
} = {}) {
  if (!workspace) throw new Error('startCodeServer: workspace is required');
  const entry = (await ensureCodeServer()) ?? codeServerEntry();
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
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--config',
    configFile,
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--vscode-option',
    'enable-smoke-test-driver',
    // Without this the server runs the user's login shell and gives the extension host that shell's PATH
    // (/etc/profile resets it), dropping the PATH passed in `env`.
    '--vscode-option',
    'force-disable-user-env',
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
    child.on('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
    child.on('error', (err) => {
      exitInfo = { code: null, signal: null, error: err };
      resolve(exitInfo);
    });
  });

  const pid = child.pid;
  let stopping;
  let forget;
  const logTail = (n = 40) => {
    try {
      return fs
        .readFileSync(logFile, 'utf8')
        .split('\n')
        .slice(-n - 1)
        .join('\n');
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
        forget();
        if (!process.env.VCE_KEEP_TMP) fs.rmSync(tmpDir, { recursive: true, force: true });
        else say(`kept ${tmpDir} (VCE_KEEP_TMP)`);
      })();
      return stopping;
    },
  };
  forget = register(record);

  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exitInfo) {
      await record.stop();
      throw new Error(
        `code-server exited before it was ready (${exitInfo.error?.message ?? exitInfo.signal ?? `exit ${exitInfo.code}`}). Its log:\n${logTail()}`,
      );
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
    const payload = [
      ['extensionDevelopmentPath', toRemoteUri(extensionDevelopmentPath)],
      ['skipWelcome', 'true'],
    ];
    if (extensionTestsPath) payload.push(['extensionTestsPath', toRemoteUri(extensionTestsPath)]);
    return `${base}/?folder=${encodeURIComponent(path.resolve(folder))}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  };

  return { url: workbenchUrl(), port, pid, tmpDir, logFile, logTail, workbenchUrl, stop: () => record.stop() };
}
