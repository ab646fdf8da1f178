#!/usr/bin/env node
// The same integration suite under @vscode/test-electron, the standard launcher, for machines that can download a
// desktop VS Code (or have one installed). Offline machines (CI here) use `npm run test:integration`, which runs the
// suite in code-server instead (scripts/integration.mjs).
//
//   npm run test:electron -- [--vscode <path to code executable>] [--version stable|insiders|1.101.0]
//                            [--kubeconfig <file>] [--no-build] [--result-file <file>]
// Without --vscode (or $VSCODE_EXECUTABLE) it downloads VS Code into .vscode-test/ (git-ignored). On Linux without a
// display run it under `xvfb-run -a`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot, runIfMain, runNodeScript, toolPath } from './lib/toolchain.mjs';

const say = (msg) => process.stderr.write(`[test-electron] ${msg}\n`);

function build() {
  return runNodeScript([path.join(repoRoot, 'scripts', 'build.mjs'), '--tests']);
}

/** PATH with the cached kubectl, helm and vcluster first (those that are built), as in scripts/integration.mjs. */
function toolsPath() {
  const dirs = ['kubectl', 'helm', 'vcluster'].map((b) => path.dirname(toolPath(b))).filter((d) => fs.existsSync(d));
  return [...new Set(dirs), process.env.PATH ?? ''].join(path.delimiter);
}

const NETWORK_ERROR =
  /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|socket hang up|getaddrinfo|timeout|Failed to get JSON|status code|tunneling socket|proxy/i;

export async function main(argv = process.argv.slice(2)) {
  const { values } = parseArgs({
    args: argv,
    options: {
      vscode: { type: 'string', default: process.env.VSCODE_EXECUTABLE },
      version: { type: 'string', default: 'stable' },
      kubeconfig: { type: 'string' },
      'result-file': { type: 'string' },
      'no-build': { type: 'boolean', default: false },
    },
  });
  const { downloadAndUnzipVSCode, runTests } = await import('@vscode/test-electron');
  if (!values['no-build']) await build();

  let vscodeExecutablePath = values.vscode && path.resolve(values.vscode);
  if (vscodeExecutablePath && !fs.existsSync(vscodeExecutablePath)) throw new Error(`--vscode ${vscodeExecutablePath} does not exist`);
  if (!vscodeExecutablePath) {
    try {
      vscodeExecutablePath = await downloadAndUnzipVSCode({ version: values.version, cachePath: path.join(repoRoot, '.vscode-test'), timeout: 30_000 });
    } catch (err) {
      const msg = String(err?.message ?? err);
      say(`could not download VS Code ${values.version} from update.code.visualstudio.com: ${msg.split('\n')[0]}`);
      if (NETWORK_ERROR.test(msg)) {
        say('This launcher needs internet access, or an installed VS Code: --vscode <path to the code executable> (or $VSCODE_EXECUTABLE).');
        say('Offline, run the same suite in code-server instead: npm run test:integration');
      }
      return 1;
    }
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    say('warning: no DISPLAY; desktop VS Code needs one on Linux. Run under `xvfb-run -a npm run test:electron`.');
  }

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-electron-'));
  const removeTmp = () => fs.rmSync(tmp, { recursive: true, force: true });
  process.on('exit', removeTmp); // also after Ctrl-C, which @vscode/test-electron answers by killing VS Code's tree
  try {
    const workspace = path.join(tmp, 'workspace');
    fs.mkdirSync(workspace);
    const resultFile = values['result-file'] ? path.resolve(values['result-file']) : path.join(tmp, 'result.json');
    const code = await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: path.join(repoRoot, 'out', 'integration'),
      launchArgs: [
        workspace,
        '--disable-extensions', // other installed extensions stay off; the one under development loads
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        '--disable-telemetry',
        `--user-data-dir=${path.join(tmp, 'user-data')}`,
        `--extensions-dir=${path.join(tmp, 'extensions')}`,
      ],
      extensionTestsEnv: {
        // no kubeconfig by default, as in scripts/integration.mjs
        KUBECONFIG: values.kubeconfig ? path.resolve(values.kubeconfig) : path.join(tmp, 'no-kubeconfig', 'config'),
        VCE_RESULT_FILE: resultFile,
        VCE_WORKSPACE_TRUST: 'trusted', // --disable-workspace-trust
        PATH: toolsPath(),
        VCE_EXPECTED_PATH_ENTRY: toolsPath().split(path.delimiter)[0],
      },
    });
    say(`VS Code exited with ${code}`);
    return code;
  } catch (err) {
    say(`the suite failed: ${err?.message ?? err}`);
    return 1;
  } finally {
    removeTmp();
  }
}

runIfMain(import.meta.url, main, say);
