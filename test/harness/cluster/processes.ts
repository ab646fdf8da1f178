// Child processes for tests and the demo: every child runs in its own process group (detached) and is registered in
// the registry the scripts share (scripts/lib/process-registry.mjs), which kills it — with its whole group — when the
// test process ends for any reason: a normal exit, SIGINT, SIGTERM, SIGHUP, an uncaught exception or an unhandled
// rejection, and whose watchdog process also kills the groups if this process is killed with SIGKILL (which no
// handler can see). Programs are always started with argument arrays, never through a shell.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { groupAlive, killGroup, register, registered } from '../../../scripts/lib/process-registry.mjs';

export { cleanUpOnExit, killAllSync, onExitSync, removeOnExit, stopAll } from '../../../scripts/lib/process-registry.mjs';

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

/** The harness's processes still running (not yet reaped by stop()): the registered process groups. */
export function runningProcesses(): { name: string; pid: number }[] {
  return registered()
    .filter((e) => e.pgid !== undefined && !e.hasExited?.())
    .map((e) => ({ name: e.name, pid: e.pgid! }));
}

/** Starts a program in its own process group and registers it for cleanup. */
export function spawnManaged(name: string, command: string, args: readonly string[], opts: SpawnOptions = {}): ManagedProcess {
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
  let forget = (): void => undefined;
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
        forget();
      })();
      return stopping;
    },
  };
  forget = register({ name, pgid: pid, hasExited: proc.hasExited, stop: proc.stop });
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
  const forget =
    pid === undefined
      ? () => undefined
      : register({
          name: command,
          pgid: pid,
          hasExited: () => child.exitCode !== null || child.signalCode !== null,
          stop: async () => {
            killGroup(pid, 'SIGKILL');
            await closed;
          },
        });
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
  }
  forget();
  if (spawnError) throw new Error(`could not start ${command}: ${spawnError.message}`);
  const status = timedOut ? 'timed out' : signal ? `killed by ${signal}` : `exit ${code}`;
  if ((code !== 0 || timedOut) && !opts.allowFailure) {
    throw new Error(`${command} ${args.join(' ')} failed (${status}):\n${stdout.slice(-3000)}\n${stderr.slice(-3000)}`);
  }
  return { stdout, stderr, code: timedOut ? -1 : (code ?? -1) };
}
