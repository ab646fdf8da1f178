// Child processes for tests and the demo: every child runs in its own process group (detached), is registered here,
// and is killed — with its whole group — when the test process ends for any reason: a normal exit, SIGINT, SIGTERM,
// SIGHUP, an uncaught exception or an unhandled rejection. A small watchdog process also kills the groups if this
// process is killed with SIGKILL (which no handler can see). Programs are always started with argument arrays, never
// through a shell.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** True once the process has exited. */
  hasExited(): boolean;
  /** The last part of stdout+stderr (for error messages; callers must not log secrets in it). */
  output(): string;
  /** Sends a signal to the whole process group. */
  signal(sig: NodeJS.Signals): void;
  /** SIGTERM to the group, SIGKILL after `graceMs`, resolves when the leader has exited. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Also append all output to this file. */
  logFile?: string;
  /** Characters of output kept in memory for output(); default 64 KiB. */
  keep?: number;
  /** Called with each chunk of output (stdout and stderr). */
  onOutput?: (chunk: string) => void;
}

const registry = new Map<number, ManagedProcess>();
let hooksInstalled = false;
let watchdog: ChildProcess | undefined;

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function killGroup(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch {
    /* already gone */
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Kills every registered process group synchronously: SIGTERM, up to `graceMs` for them to go, then SIGKILL.
 * Used from exit paths, where nothing asynchronous runs any more.
 */
export function killAllSync(graceMs = 1500): void {
  const pgids = [...registry.keys()];
  for (const pgid of pgids) killGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (pgids.some(groupAlive) && Date.now() < deadline) sleepSync(25);
  for (const pgid of pgids) if (groupAlive(pgid)) killGroup(pgid, 'SIGKILL');
  registry.clear();
  cleanupCallbacks.splice(0).forEach((fn) => {
    try {
      fn();
    } catch {
      /* best effort on the way out */
    }
  });
  if (watchdog?.pid) killGroup(watchdog.pid, 'SIGKILL');
  watchdog = undefined;
}

/** Stops every registered process (asynchronously, with a grace period). */
export async function stopAll(graceMs = 3000): Promise<void> {
  await Promise.all([...registry.values()].map((p) => p.stop(graceMs)));
}

/** Number of processes still registered (alive or not yet reaped by stop()). */
export function runningProcesses(): { name: string; pid: number }[] {
  return [...registry.values()].filter((p) => !p.hasExited()).map((p) => ({ name: p.name, pid: p.pid }));
}

const cleanupCallbacks: (() => void)[] = [];

/** Runs `fn` synchronously when the process exits (after the children are killed), e.g. to remove temp dirs. */
export function onExitSync(fn: () => void): () => void {
  installHooks();
  cleanupCallbacks.push(fn);
  return () => {
    const i = cleanupCallbacks.indexOf(fn);
    if (i >= 0) cleanupCallbacks.splice(i, 1);
  };
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => killAllSync());
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      killAllSync();
      // The conventional exit status for "killed by signal N" is 128 + N.
      process.exit(128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const)[sig]);
    });
  }
  // An uncaught exception or unhandled rejection ends the process through 'exit' (which kills the groups) unless
  // someone else handles it: mocha does, turning it into a test failure and carrying on, and then the children must
  // stay for the remaining tests. So only act when no other handler is installed, as Node's default would: crash.
  process.on('uncaughtException', (err) => {
    if (process.listenerCount('uncaughtException') > 1) return;
    process.stderr.write(`uncaught exception: ${(err?.stack ?? String(err)).slice(0, 4000)}\n`);
    killAllSync();
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    if (process.listenerCount('unhandledRejection') > 1) return;
    const r = reason as Error | undefined;
    process.stderr.write(`unhandled rejection: ${(r?.stack ?? String(reason)).slice(0, 4000)}\n`);
    killAllSync();
    process.exit(1);
  });
}

// The watchdog: a tiny Node process (in its own group, so terminal signals do not reach it) that polls this process
// and, once it is gone, kills the process groups listed in a file. It exits by itself when its parent dies.
let watchdogFile: string | undefined;

function updateWatchdog(): void {
  if (!watchdogFile) {
    watchdogFile = path.join(os.tmpdir(), `vce-watchdog-${process.pid}.json`);
    fs.writeFileSync(watchdogFile, '[]');
    const code = [
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
    watchdog = spawn(process.execPath, ['-e', code, String(process.pid), watchdogFile], {
      detached: true,
      stdio: 'ignore',
      env: { PATH: process.env.PATH ?? '' },
    });
    watchdog.unref();
    const file = watchdogFile;
    cleanupCallbacks.push(() => fs.rmSync(file, { force: true }));
  }
  fs.writeFileSync(watchdogFile, JSON.stringify({ groups: [...registry.keys()], dirs: [...tempDirs], commands: [...abandonCommands] }));
}

const tempDirs = new Set<string>();
const abandonCommands = new Set<{ argv: string[]; cwd?: string }>();

/**
 * Runs `fn` synchronously when this process exits normally or by a handled signal (like onExitSync), and `argv` (a
 * program with its arguments, no shell) from the watchdog when this process is killed with SIGKILL — after the process
 * groups are killed and before the temp dirs are removed. For state that killing the groups does not remove (a real
 * node's containers, mounts, network). Returns a function that forgets both.
 */
export function cleanUpOnExit(fn: () => void, argv: string[], cwd?: string): () => void {
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

/**
 * Removes `dir` when this process exits, also when it is SIGKILLed (the watchdog does it then). Returns a function
 * that forgets the dir (after the caller removed it itself).
 */
export function removeOnExit(dir: string): () => void {
  tempDirs.add(dir);
  const forgetSync = onExitSync(() => fs.rmSync(dir, { recursive: true, force: true }));
  updateWatchdog();
  return () => {
    forgetSync();
    tempDirs.delete(dir);
    updateWatchdog();
  };
}

/** Starts a program in its own process group and registers it for cleanup. */
export function spawnManaged(name: string, command: string, args: readonly string[], opts: SpawnOptions = {}): ManagedProcess {
  installHooks();
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) {
    // spawn failed synchronously (e.g. ENOENT): the 'error' event follows; surface it as an exception now.
    throw new Error(`could not start ${name} (${command})`);
  }
  const pid = child.pid;
  const keep = opts.keep ?? 64 * 1024;
  let buf = '';
  const log = opts.logFile ? fs.createWriteStream(opts.logFile, { flags: 'a' }) : undefined;
  const onData = (d: Buffer) => {
    const s = d.toString();
    buf = (buf + s).slice(-keep);
    log?.write(s);
    opts.onOutput?.(s);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('error', (err) => {
      buf += `\n[spawn error] ${err.message}`;
    });
    child.on('close', (code, signal) => {
      done = true;
      log?.end();
      resolve({ code, signal });
    });
  });
  let stopping: Promise<void> | undefined;
  const proc: ManagedProcess = {
    name,
    pid,
    child,
    exited,
    hasExited: () => done,
    output: () => buf,
    signal: (sig) => killGroup(pid, sig),
    stop: (graceMs = 3000) => {
      stopping ??= (async () => {
        killGroup(pid, 'SIGCONT'); // a SIGSTOPped process cannot act on SIGTERM
        killGroup(pid, 'SIGTERM');
        const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
        // The leader is gone; make sure nothing else in its group lingers.
        if (groupAlive(pid)) killGroup(pid, 'SIGKILL');
        registry.delete(pid);
        updateWatchdog();
      })();
      return stopping;
    },
  };
  registry.set(pid, proc);
  updateWatchdog();
  return proc;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

/**
 * Runs a program to completion (no shell; in its own process group, registered like every other child) and returns
 * its output; rejects with the output in the message when it exits non-zero, unless `allowFailure` is set.
 */
export async function runProgram(
  command: string,
  args: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; allowFailure?: boolean; input?: string } = {},
): Promise<RunResult> {
  installHooks();
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    detached: true,
    stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let spawnError: Error | undefined;
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('error', (err) => {
      spawnError = err;
      resolve({ code: null, signal: null });
    });
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  const pid = child.pid;
  if (pid !== undefined) {
    registry.set(pid, {
      name: command,
      pid,
      child,
      exited: closed,
      hasExited: () => child.exitCode !== null || child.signalCode !== null,
      output: () => stdout + stderr,
      signal: (sig) => killGroup(pid, sig),
      stop: async () => {
        killGroup(pid, 'SIGKILL');
        await closed;
      },
    });
    updateWatchdog();
  }
  if (opts.input !== undefined) child.stdin?.end(opts.input);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (pid !== undefined) killGroup(pid, 'SIGKILL');
  }, opts.timeoutMs ?? 120_000);
  const { code, signal } = await closed;
  clearTimeout(timer);
  if (pid !== undefined) {
    if (groupAlive(pid)) killGroup(pid, 'SIGKILL');
    registry.delete(pid);
    updateWatchdog();
  }
  if (spawnError) throw new Error(`could not start ${command}: ${spawnError.message}`);
  const status = timedOut ? 'timed out' : signal ? `killed by ${signal}` : `exit ${code}`;
  if ((code !== 0 || timedOut) && !opts.allowFailure) {
    throw new Error(`${command} ${args.join(' ')} failed (${status}):\n${stdout.slice(-3000)}\n${stderr.slice(-3000)}`);
  }
  return { stdout, stderr, code: timedOut ? -1 : (code ?? -1) };
}
