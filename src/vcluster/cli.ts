import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describePermission, parseDenial } from '../kube/errors';
import { settleLingeringLocks } from '../kube/kubeconfig/lock';
import { signalProcessGroup } from '../kube/process';
import { CancelledError, UserFacingError } from '../shared/errors';

// Running the vcluster CLI (and Helm) — only with spawn and argument arrays, never through a shell.

export const CLI_MISSING = 'The vcluster CLI was not found. Install it from https://www.vcluster.com/docs/get-started or set "vcluster.cliPath".';

/** Finds an executable: an explicit path (which must exist and be executable) or a lookup on PATH. */
export function findExecutable(name: string, explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (explicit) {
    try {
      fs.accessSync(explicit, fs.constants.X_OK);
      return fs.statSync(explicit).isFile() ? explicit : undefined;
    } catch {
      return undefined;
    }
  }
  const exts = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD').split(';') : [''];
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const p = path.join(dir, name + ext);
      try {
        fs.accessSync(p, fs.constants.X_OK);
        if (fs.statSync(p).isFile()) return p;
      } catch {
        /* next */
      }
    }
  }
  return undefined;
}

export interface RunOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  /** Called with every chunk of output (stdout and stderr), for the output channel. */
  readonly onOutput?: (text: string) => void;
}

export interface RunResult {
  readonly code: number;
  /** The signal that ended the program, when something else killed it. */
  readonly signal?: NodeJS.Signals;
  readonly stdout: string;
  readonly stderr: string;
}

/** "exit code 3" or "killed by SIGKILL", for messages. */
export function describeExit(r: RunResult): string {
  return r.signal ? `killed by ${r.signal}` : `exit code ${r.code}`;
}

/**
 * Runs a program with an argument array. Cancelling (signal) or a timeout stops the whole process group (the
 * vcluster CLI starts helm as a child). Rejects with CancelledError when cancelled; resolves with the exit code
 * otherwise.
 */
export async function runProgram(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  // The vcluster CLI and Helm edit the kubeconfig through client-go, which gives up at once when `<file>.lock` exists:
  // a lock of ours that still lingers after our own last write (it is released in the background) must be gone first.
  await settleLingeringLocks();
  return new Promise<RunResult>((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(new CancelledError());
      return;
    }
    const child = spawn(file, [...args], {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
      shell: false,
    });
    let stdout = '';
    let stderr = '';
    let ended: 'cancelled' | 'timeout' | undefined;
    const stop = () => {
      if (child.exitCode !== null || !child.pid) return;
      signalProcessGroup(child.pid, 'SIGTERM');
      setTimeout(() => signalProcessGroup(child.pid, 'SIGKILL'), 3000).unref();
    };
    const onAbort = () => {
      ended = 'cancelled';
      stop();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          ended = 'timeout';
          stop();
        }, opts.timeoutMs)
      : undefined;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      opts.onOutput?.(d);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      opts.onOutput?.(d);
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (err.code === 'ENOENT') reject(new UserFacingError(`${path.basename(file)} was not found at ${file}`));
      else if (err.code === 'EACCES') reject(new UserFacingError(`${file} is not executable`));
      else reject(new UserFacingError(`Could not start ${file}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (ended === 'cancelled') {
        reject(new CancelledError(`${path.basename(file)} was stopped`));
        return;
      }
      if (ended === 'timeout') {
        reject(
          new UserFacingError(`${path.basename(file)} ${args[0] ?? ''} did not finish within ${Math.round((opts.timeoutMs ?? 0) / 1000)} s and was stopped`),
        );
        return;
      }
      resolve({ code: code ?? 128 + (signal ? osSignalNumber(signal) : 0), ...(signal ? { signal } : {}), stdout, stderr });
    });
  });
}

function osSignalNumber(signal: NodeJS.Signals): number {
  return ({ SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[signal] ?? 0;
}

/** The last meaningful error line of CLI output (vcluster prints "fatal ..." / "error ..."). */
export function lastErrorLine(out: string): string {
  const lines = out
    .split(/\r?\n/)
    .map((l) => l.replace(/\x1b\[[0-9;]*m/g, '').trim())
    .filter(Boolean);
  const err = [...lines].reverse().find((l) => /\b(fatal|error|failed)\b/i.test(l));
  return (err ?? lines[lines.length - 1] ?? '').slice(0, 400);
}

/** How a run of the vcluster CLI or Helm talks back: the log, the output channel, the progress notification. */
export interface RunReporter {
  /** One line for the log ("Running …"). */
  readonly log?: (line: string) => void;
  /** Every chunk of output, labelled with the program's step (e.g. "vcluster delete"). */
  readonly output?: (label: string, text: string) => void;
  /** The last meaningful line of the output so far, for a progress notification. */
  readonly progress?: (line: string) => void;
}

/**
 * Runs one step of the vcluster CLI or Helm (`label` names it in messages, e.g. "vcluster delete"): logs the command
 * line, streams its output, reports progress lines, and turns a failed exit into one message — the permission the API
 * server refused when the output quotes one, else the last error line — followed by `failureSuffix`.
 */
export async function runCli(
  label: string,
  file: string,
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; signal?: AbortSignal; failureSuffix?: string } & RunReporter = {},
): Promise<RunResult> {
  opts.log?.(`Running ${file} ${args.join(' ')}`);
  const r = await runProgram(file, args, {
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    onOutput: (text) => {
      opts.output?.(label, text);
      const line = lastErrorLine(text);
      if (line) opts.progress?.(line.slice(0, 80));
    },
  });
  if (r.code !== 0) throw programFailure(label, r, opts.failureSuffix);
  return r;
}

/** A failed CLI or Helm run as one message: the permission the API server refused when the output quotes one. */
export function programFailure(label: string, r: RunResult, suffix = ''): UserFacingError {
  const out = r.stdout + r.stderr;
  const denial = parseDenial(out.replace(/\x1b\[[0-9;]*m/g, ''));
  const reason = denial ? `the API server refused user "${denial.user}": ${describePermission(denial)}` : lastErrorLine(out) || 'no output';
  return new UserFacingError(`${label} failed (${describeExit(r)}): ${reason}.${suffix}`);
}

export interface CreateArgs {
  readonly name: string;
  readonly namespace: string;
  readonly context: string;
  readonly chartVersion?: string;
  readonly valuesFile?: string;
  readonly extraArgs?: readonly string[];
}

/** Arguments for `vcluster create`: never connect from the CLI (the extension connects without a held terminal). */
export function createArgs(a: CreateArgs): string[] {
  const args = ['create', a.name, '--namespace', a.namespace, '--context', a.context, '--connect=false'];
  if (a.chartVersion) args.push('--chart-version', a.chartVersion);
  if (a.valuesFile) args.push('--values', a.valuesFile);
  args.push(...(a.extraArgs ?? []));
  return args;
}

export function deleteArgs(name: string, namespace: string, context: string): string[] {
  return ['delete', name, '--namespace', namespace, '--context', context, '--wait=false'];
}
