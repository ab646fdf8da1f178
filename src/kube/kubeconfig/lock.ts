// kubectl's kubeconfig lock (client-go tools/clientcmd/loader.go lockFile): `<file>.lock` created with
// O_CREATE|O_EXCL, removed when done. kubectl never waits (it fails with "file exists"); we poll with a bounded wait.
// Several files are locked in sorted order, as client-go's ModifyConfig does, so two of our writers cannot deadlock.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { KubeconfigError } from './errors';

export interface LockOptions {
  /** How long to wait for a lock held by someone else (default 5000 ms). */
  readonly timeoutMs?: number;
  /** Poll interval while waiting (default 25 ms). */
  readonly pollMs?: number;
}

export const DEFAULT_LOCK_TIMEOUT_MS = 5000;

/** Locks held by this process, removed on exit so a crash of the caller's logic does not leave them behind. */
const held = new Map<string, string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const [lockPath, token] of held) {
      try {
        if (fs.readFileSync(lockPath, 'utf8') === token) fs.unlinkSync(lockPath);
      } catch {
        // already gone
      }
    }
  });
}

export function lockPathFor(file: string): string {
  return `${file}.lock`;
}

/** A set of held locks; release() removes those that are still ours. */
export class HeldLocks {
  constructor(private readonly locks: { path: string; token: string }[]) {}

  get paths(): readonly string[] {
    return this.locks.map((l) => l.path);
  }

  async release(): Promise<void> {
    for (const l of [...this.locks].reverse()) {
      held.delete(l.path);
      try {
        // Only remove our own lock: if someone deleted it as stale and another program took it, it is theirs now.
        if ((await fsp.readFile(l.path, 'utf8')) === l.token) await fsp.unlink(l.path);
      } catch {
        // gone already
      }
    }
    this.locks.length = 0;
  }
}

/**
 * Takes `<file>.lock` for every file (and for the target of a symlinked file, so that a kubectl pointed at either
 * path is excluded), in sorted order. Files whose directory does not exist are skipped: nobody can write them
 * without creating the directory first. Throws KubeconfigError('lockTimeout') after the bounded wait.
 */
export async function acquireLocks(files: readonly string[], options: LockOptions = {}): Promise<HeldLocks> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const pollMs = options.pollMs ?? 25;
  const deadline = Date.now() + timeoutMs;
  const wanted = new Map<string, string>(); // lock path -> the kubeconfig file it guards
  for (const f of files) {
    const abs = path.resolve(f);
    if (!fs.existsSync(path.dirname(abs))) continue;
    wanted.set(lockPathFor(abs), abs);
    const real = await resolveSymlinks(abs);
    if (real !== abs && fs.existsSync(path.dirname(real))) wanted.set(lockPathFor(real), real);
  }
  const order = [...wanted.keys()].sort();
  const got: { path: string; token: string }[] = [];
  const locks = new HeldLocks(got);
  installExitHook();
  try {
    for (const lockPath of order) {
      const token = `vcluster-explorer pid=${process.pid} host=${os.hostname()} id=${randomBytes(8).toString('hex')}\n`;
      for (;;) {
        try {
          const fh = await fsp.open(lockPath, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, 0o600);
          held.set(lockPath, token);
          got.push({ path: lockPath, token });
          try {
            await fh.writeFile(token);
          } finally {
            await fh.close();
          }
          break;
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code !== 'EEXIST') {
            const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EROFS' ? 'read-only file system' : (code ?? 'unknown error');
            throw new KubeconfigError('lockFailed', `Cannot lock ${wanted.get(lockPath)}: creating ${lockPath} failed (${why})`, wanted.get(lockPath));
          }
          if (Date.now() >= deadline) throw await timeoutError(lockPath, wanted.get(lockPath)!, timeoutMs);
          await new Promise((r) => setTimeout(r, Math.min(pollMs, Math.max(1, deadline - Date.now()))));
        }
      }
    }
  } catch (err) {
    await locks.release();
    throw err;
  }
  return locks;
}

async function timeoutError(lockPath: string, file: string, timeoutMs: number): Promise<KubeconfigError> {
  let holder = 'another program (kubectl, the vcluster CLI or another VS Code window)';
  let age = '';
  try {
    const st = await fsp.stat(lockPath);
    age = ` The lock file is ${Math.max(0, Math.round((Date.now() - st.mtimeMs) / 1000))} s old.`;
    const content = await fsp.readFile(lockPath, 'utf8').catch(() => '');
    const m = /^vcluster-explorer pid=(\d+)/.exec(content);
    if (m) holder = `vcluster Explorer (process ${m[1]})`;
  } catch {
    // it vanished meanwhile
  }
  const secs = timeoutMs >= 1000 ? `${(timeoutMs / 1000).toFixed(timeoutMs % 1000 === 0 ? 0 : 1)} s` : `${timeoutMs} ms`;
  return new KubeconfigError(
    'lockTimeout',
    `Timed out after ${secs} waiting to lock ${file}: ${lockPath} is held by ${holder}.${age} ` +
      `If no such program is running, the lock was left behind by one that crashed: delete ${lockPath} and try again.`,
    file,
  );
}

/** Follows symlinks to the file that is really written (which may not exist yet). Max 40 hops, like the kernel. */
export async function resolveSymlinks(file: string): Promise<string> {
  let current = path.resolve(file);
  for (let i = 0; i < 40; i++) {
    let st: fs.Stats;
    try {
      st = await fsp.lstat(current);
    } catch {
      // Missing: the parent directories may still be links; resolve them if they exist.
      try {
        return path.join(await fsp.realpath(path.dirname(current)), path.basename(current));
      } catch {
        return current;
      }
    }
    if (!st.isSymbolicLink()) {
      try {
        return await fsp.realpath(current);
      } catch {
        return current;
      }
    }
    const target = await fsp.readlink(current);
    current = path.resolve(path.dirname(current), target);
  }
  throw new KubeconfigError('writeFailed', `${file}: too many levels of symbolic links`, file);
}
