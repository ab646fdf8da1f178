// One registry of what a process of ours must stop or remove before it ends, for the scripts (code-server and
// Chromium of the real VS Code host, scripts/lib/vscode-host.mjs) and the test harness (test/harness/cluster/processes.ts,
// which starts its children through it) alike, also when both run in one process (the demo, the benchmark).
//
// Registered: entries { name, pgid?, killSync(), stop(graceMs) } (a child started detached, in its own process group
// pgid, or anything else that knows how to stop itself), temporary folders and synchronous clean-ups. They are stopped
// when this process ends for any reason: a normal exit, SIGINT, SIGTERM, SIGHUP, an uncaught exception or an unhandled
// rejection. A small watchdog process kills the process groups (and removes the folders, and runs the commands given
// to cleanUpOnExit) if this process is killed with SIGKILL, which no handler can see. Plain Node ESM without
// dependencies; programs are started with argument arrays, never through a shell.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const say = (msg) => process.stderr.write(`[processes] ${msg}\n`);

/** Everything registered that is still to be stopped. */
const entries = new Set();
/** Synchronous clean-ups, run at exit after the entries are killed. */
const exitCallbacks = [];
/** What the watchdog handles after a SIGKILL: folders to remove and commands to run. */
const watchedDirs = new Set();
const abandonCommands = new Set();
let hooksInstalled = false;

/** True while process group `pgid` has a member (EPERM: it exists but is not ours to signal). */
export function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** Sends `sig` to process group `pgid`; nothing when it is gone. */
export function killGroup(pgid, sig) {
  try {
    process.kill(-pgid, sig);
  } catch {
    /* already gone */
  }
}

function sleepSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Registers `entry`: { name, pgid? (its process group: killed at exit and by the watchdog), killSync()? (called at
 * exit), stop(graceMs)? (called on a signal, may be asynchronous) }. Returns a function that forgets it.
 */
export function register(entry) {
  installExitHooks();
  entries.add(entry);
  if (entry.pgid !== undefined) updateWatchdog();
  return () => {
    if (!entries.delete(entry)) return;
    if (entry.pgid !== undefined) updateWatchdog();
  };
}

/** The registered entries (those with a pgid are the process groups). */
export function registered() {
  return [...entries];
}

/**
 * Kills everything registered synchronously: SIGTERM to every process group, up to `graceMs` for them to go, then
 * SIGKILL; then each entry's killSync() and the exit callbacks. Used from exit paths, where nothing asynchronous runs.
 */
export function killAllSync(graceMs = 1500) {
  const all = [...entries];
  entries.clear();
  const pgids = all.filter((e) => e.pgid !== undefined).map((e) => e.pgid);
  for (const pgid of pgids) killGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (pgids.some(groupAlive) && Date.now() < deadline) sleepSync(25);
  for (const pgid of pgids) if (groupAlive(pgid)) killGroup(pgid, 'SIGKILL');
  for (const fn of [...all.map((e) => e.killSync?.bind(e)), ...exitCallbacks.splice(0)]) {
    try {
      fn?.();
    } catch {
      /* best effort on the way out */
    }
  }
  stopWatchdog();
}

/** Stops every registered entry asynchronously (process groups: SIGTERM, SIGKILL after `graceMs`). */
export async function stopAll(graceMs = 3000) {
  await Promise.allSettled([...entries].map((e) => e.stop?.(graceMs)));
}

/** Runs `fn` synchronously when the process exits (after the entries are killed), e.g. to remove temp dirs. */
export function onExitSync(fn) {
  installExitHooks();
  exitCallbacks.push(fn);
  return () => {
    const i = exitCallbacks.indexOf(fn);
    if (i >= 0) exitCallbacks.splice(i, 1);
  };
}

/** A new temporary folder, removed at exit (after a signal too) unless VCE_KEEP_TMP is set; remove it earlier yourself. */
export function makeTempDir(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  onExitSync(() => {
    if (!process.env.VCE_KEEP_TMP) fs.rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/**
 * Removes `dir` when this process exits, also when it is SIGKILLed (the watchdog does it then). Returns a function
 * that forgets the dir (after the caller removed it itself).
 */
export function removeOnExit(dir) {
  watchedDirs.add(dir);
  const forgetSync = onExitSync(() => fs.rmSync(dir, { recursive: true, force: true }));
  updateWatchdog();
  return () => {
    forgetSync();
    watchedDirs.delete(dir);
    updateWatchdog();
  };
}

/**
 * Runs `fn` synchronously when this process exits normally or by a handled signal (like onExitSync), and `argv` (a
 * program with its arguments, no shell) from the watchdog when this process is killed with SIGKILL — after the process
 * groups are killed and before the temp dirs are removed. For state that killing the groups does not remove (a real
 * node's containers, mounts, network). Returns a function that forgets both.
 */
export function cleanUpOnExit(fn, argv, cwd) {
  const forgetSync = onExitSync(fn);
  const command = { argv, cwd };
  abandonCommands.add(command);
  updateWatchdog();
  return () => {
    forgetSync();
    abandonCommands.delete(command);
    updateWatchdog();
  };
}

// ---- the exit hooks ----------------------------------------------------------------------------------------------

/** How long a signal waits for the entries' stop() before the process exits anyway (the exit hook kills the rest). */
const SIGNAL_STOP_MS = 8000;
/** The grace a process group gets on a signal between SIGTERM and SIGKILL. */
const SIGNAL_GRACE_MS = 1500;

export function installExitHooks() {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => killAllSync());
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      // The conventional exit status for "killed by signal N" is 128 + N.
      const code = 128 + os.constants.signals[sig];
      const names = [...entries].map((e) => e.name);
      if (names.length) say(`${sig}: stopping ${names.join(', ')}`);
      setTimeout(() => process.exit(code), SIGNAL_STOP_MS).unref();
      void stopAll(SIGNAL_GRACE_MS).finally(() => process.exit(code));
    });
  }
  // An uncaught exception or unhandled rejection ends the process through 'exit' (which kills everything) unless
  // someone else handles it: mocha does, turning it into a test failure and carrying on, and then the children must
  // stay for the remaining tests. So only act when no other handler is installed, as Node's default would: crash.
  process.on('uncaughtException', (err) => {
    if (process.listenerCount('uncaughtException') > 1) return;
    process.stderr.write(`uncaught exception: ${(err?.stack ?? String(err)).slice(0, 4000)}\n`);
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    if (process.listenerCount('unhandledRejection') > 1) return;
    process.stderr.write(`unhandled rejection: ${(reason?.stack ?? String(reason)).slice(0, 4000)}\n`);
    process.exit(1);
  });
}

// ---- the watchdog ------------------------------------------------------------------------------------------------

// A tiny Node process (in its own group, so terminal signals do not reach it) that polls this process and, once it is
// gone, kills the process groups listed in a file, runs the abandon commands and removes the folders. It exits by
// itself when its parent dies. Started with the first process group, folder or command it has to look after.
const WATCHDOG_CODE = [
  "const fs = require('fs');",
  "const { spawnSync } = require('child_process');",
  'const [parent, file] = [Number(process.argv[1]), process.argv[2]];',
  'const alive = (p) => { try { process.kill(p, 0); return true; } catch (e) { return e.code === "EPERM"; } };',
  'const timer = setInterval(() => {',
  '  if (alive(parent)) return;',
  '  clearInterval(timer);',
  '  let st = { groups: [], dirs: [], commands: [] }; try { st = JSON.parse(fs.readFileSync(file, "utf8")); } catch {}',
  '  for (const g of st.groups) { try { process.kill(-g, "SIGKILL"); } catch {} }',
  '  setTimeout(() => {',
  '    for (const c of st.commands || []) { try { spawnSync(c.argv[0], c.argv.slice(1), { cwd: c.cwd, stdio: "ignore", timeout: 120000 }); } catch {} }',
  '    for (const d of st.dirs) { try { fs.rmSync(d, { recursive: true, force: true }); } catch {} }',
  '    try { fs.unlinkSync(file); } catch {}',
  '    process.exit(0);',
  '  }, 300);',
  '}, 500);',
].join('\n');

let watchdog;
let watchdogFile;

function updateWatchdog() {
  if (!watchdogFile) {
    watchdogFile = path.join(os.tmpdir(), `vce-watchdog-${process.pid}.json`);
    fs.writeFileSync(watchdogFile, '[]');
    watchdog = spawn(process.execPath, ['-e', WATCHDOG_CODE, String(process.pid), watchdogFile], {
      detached: true,
      stdio: 'ignore',
      env: { PATH: process.env.PATH ?? '' },
    });
    watchdog.unref();
  }
  const groups = [...entries].filter((e) => e.pgid !== undefined).map((e) => e.pgid);
  fs.writeFileSync(watchdogFile, JSON.stringify({ groups, dirs: [...watchedDirs], commands: [...abandonCommands] }));
}

function stopWatchdog() {
  if (watchdog?.pid) killGroup(watchdog.pid, 'SIGKILL');
  if (watchdogFile) fs.rmSync(watchdogFile, { force: true });
  watchdog = undefined;
  watchdogFile = undefined;
}
