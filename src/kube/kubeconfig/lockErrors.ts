// The messages of a lock that cannot be taken (lock.ts): what failed, who holds the lock, and the command that removes
// one left behind by a crashed program.
import fsp from 'node:fs/promises';
import { KubeconfigError, fsFailureReason } from './errors';

export function lockFailed(lockPath: string, file: string, err: unknown): KubeconfigError {
  return new KubeconfigError('lockFailed', `Cannot lock ${file}: creating ${lockPath} failed (${fsFailureReason(err)}); the file was not changed`, file);
}

/** A lock older than this whose file is empty (kubectl writes nothing into its lock) was most likely left behind. */
export const STALE_LOCK_MS = 3 * 60_000;

/** The command that removes a file, for the user's shell (POSIX sh, or PowerShell on Windows). */
export function removeCommand(file: string, platform: NodeJS.Platform = process.platform): string {
  return platform === 'win32' ? `Remove-Item -LiteralPath '${file.replace(/'/g, "''")}'` : `rm -- '${file.replace(/'/g, "'\\''")}'`;
}

function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m} minutes`;
  const h = Math.round(m / 60);
  return h < 48 ? `${h} hours` : `${Math.round(h / 24)} days`;
}

/** The lockTimeout error: who holds the lock (our token names the process), and how to remove one left behind. */
export async function timeoutError(lockPath: string, file: string, timeoutMs: number, tokenPrefix: string): Promise<KubeconfigError> {
  let holder = 'another program (kubectl, the vcluster CLI or another VS Code window)';
  let ageMs: number | undefined;
  let content: string | undefined;
  try {
    const st = await fsp.stat(lockPath);
    ageMs = Date.now() - st.mtimeMs;
    content = await fsp.readFile(lockPath, 'utf8').catch(() => undefined);
    const m = new RegExp(`^${tokenPrefix}pid=(\\d+)`).exec(content ?? '');
    if (m) holder = `vcluster Explorer (process ${m[1]})`;
  } catch {
    // it vanished meanwhile
  }
  const secs = timeoutMs >= 1000 ? `${(timeoutMs / 1000).toFixed(timeoutMs % 1000 === 0 ? 0 : 1)} s` : `${timeoutMs} ms`;
  const remove = removeCommand(lockPath);
  if (ageMs !== undefined && ageMs >= STALE_LOCK_MS && content === '') {
    return new KubeconfigError(
      'lockTimeout',
      `Cannot lock ${file}: ${lockPath} is ${formatAge(ageMs)} old and empty, so it was most likely left behind by a kubectl ` +
        `(or another program) that crashed. If no kubectl is running, remove it with: ${remove}`,
      file,
    );
  }
  return new KubeconfigError(
    'lockTimeout',
    `Timed out after ${secs} waiting to lock ${file}: ${lockPath} is held by ${holder}.${ageMs !== undefined ? ` The lock file is ${formatAge(ageMs)} old.` : ''} ` +
      `If no such program is running, the lock was left behind by one that crashed: remove it with ${remove} and try again.`,
    file,
  );
}
