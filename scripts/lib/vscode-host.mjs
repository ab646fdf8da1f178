// A real VS Code for the integration tests, the UI checks, the screenshots and the demo: code-server (the VS Code
// workbench with a Node extension host on the server side, installed from npm by toolchain.mjs) opened in Debian's
// Chromium through playwright-core.
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
//
// The parts: process-registry.mjs (bookkeeping and exit hooks, shared with the test harness), host-processes.mjs
// (process trees from /proc), code-server.mjs, workbench.mjs (Chromium, UI helpers, the integration suite).
export { descendants, processesMentioning } from './host-processes.mjs';
export { makeTempDir } from './process-registry.mjs';
export { defaultUserSettings, freePort, startCodeServer } from './code-server.mjs';
export { chromiumArgs, chromiumPath, openWorkbench, runIntegrationTests, showViewContainer, viewPane, workbenchNoise } from './workbench.mjs';
