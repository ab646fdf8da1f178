// kubectl's kubeconfig lock (client-go tools/clientcmd/loader.go lockFile): `<file>.lock` created with
// O_CREATE|O_EXCL, removed when done. kubectl never waits (it fails with "file exists"); we poll with a bounded wait.
// Several files are locked in sorted order, as client-go's ModifyConfig does, so two of our writers cannot deadlock.
// A lock of ours left by a process of this host that no longer runs (killed with SIGKILL, a crashed extension host)
// is taken over (takeOverDead); kubectl's (empty) and another host's are never touched.
// A lock may be kept for a while after the write it guarded (HeldLocks.releaseAfter, the writer's linger) and released
// by a timer while the caller goes on; a later acquireLocks in this process waits for that release (and the gap after
// it), and the process's exit, releaseLingeringLocks() and settleLingeringLocks() end the linger early or wait it out.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { processAlive } from '../process';
import { KubeconfigError } from './errors';
import { lockFailed, timeoutError } from './lockErrors';
import { pidNamespace, tempPathFor } from './leftovers';

export { STALE_LOCK_MS, removeCommand } from './lockErrors';

export interface LockOptions {
  /** How long to wait for a lock held by someone else (default 5000 ms). */
  readonly timeoutMs?: number;
  /** Poll interval while waiting (default 25 ms). */
  readonly pollMs?: number;
  /**
   * After one of our writers released a lock, none of ours takes it again for this long (default 0). kubectl never
   * waits for the lock: it fails when the lock is taken at the moment it tries, about 100 ms after it started. Without
   * the gap, our writers that write back to back (two VS Code windows, a burst of connects) hand the lock to each
   * other so quickly that a kubectl started meanwhile can find it taken every time. A lock held by kubectl or any
   * other program is taken as soon as it is free.
   */
  readonly gapMs?: number;
}

export const DEFAULT_LOCK_TIMEOUT_MS = 5000;

/** A lock we created: its path, the inode we created (dev:ino) and the token we (tried to) put in it. */
interface OwnLock {
  readonly path: string;
  readonly id: string;
  readonly token: string;
}

/** Locks held by this process, removed on exit so a crash of the caller's logic does not leave them behind. */
const held = new Map<string, OwnLock>();
/** Sets of locks kept after their write (HeldLocks.releaseAfter) until their timer releases them. */
const lingering = new Set<HeldLocks>();
/** For each lock path that is lingering: settles once it is released (what acquireLocks waits for in this process). */
const lingerDone = new Map<string, Promise<void>>();
/** When this process last released each lock (lock path -> Date.now()), for LockOptions.gapMs. */
const releasedAt = new Map<string, number>();
/** What our lock files start with (see the token in acquireLocks); kubectl's lock files are empty. */
const TOKEN_PREFIX = 'vcluster-explorer ';
let exitHookInstalled = false;

/**
 * Still the lock we created: the same inode, and its content our token or a part of it (a write of the token that
 * failed half-way, e.g. on a full disk). If someone removed it as stale and another program took it, it is theirs.
 */
function isOurs(lock: OwnLock, st: { dev: number | bigint; ino: number | bigint }, content: string): boolean {
  return `${st.dev}:${st.ino}` === lock.id && lock.token.startsWith(content);
}

/** Removes the lock file if it still is ours, synchronously (on exit, and releasing a linger at once). */
function removeIfOursSync(lock: OwnLock): boolean {
  try {
    if (!isOurs(lock, fs.lstatSync(lock.path), fs.readFileSync(lock.path, 'utf8'))) return false;
    fs.unlinkSync(lock.path);
    return true;
  } catch {
    return false; // already gone
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A lingering lock is still in `held`: a process.exit() during the linger removes it too.
  process.once('exit', () => {
    for (const lock of held.values()) removeIfOursSync(lock);
  });
}

export function lockPathFor(file: string): string {
  return `${file}.lock`;
}

/**
 * A set of held locks; release() removes those that are still ours, releaseAfter() does so later, in the background.
 * Released once: whichever of the timer, release() and releaseLingeringLocks() comes first does it, so that no second
 * removal can hit a lock someone else took meanwhile.
 */
export class HeldLocks {
  private releasing?: Promise<void>;
  private timer?: NodeJS.Timeout;
  /** While lingering: the promise in lingerDone and what settles it. */
  private linger?: { readonly done: Promise<void>; readonly settle: () => void; readonly paths: readonly string[] };

  constructor(private readonly locks: OwnLock[]) {}

  get paths(): readonly string[] {
    return this.locks.map((l) => l.path);
  }

  release(): Promise<void> {
    this.releasing ??= this.removeAll();
    return this.releasing;
  }

  /**
   * Keeps the locks for `ms` more and returns at once; a timer releases them then. Until it does, acquireLocks in
   * this process waits for them as for any held lock, and the process's exit removes them (installExitHook).
   */
  releaseAfter(ms: number): void {
    if (this.releasing || this.linger) return;
    let settle!: () => void;
    const done = new Promise<void>((resolve) => (settle = resolve));
    this.linger = { done, settle, paths: this.paths };
    lingering.add(this);
    for (const p of this.linger.paths) lingerDone.set(p, done);
    this.timer = setTimeout(() => void this.release().catch(() => undefined), Math.max(0, ms));
  }

  /** Ends a linger at once and synchronously (releaseLingeringLocks); a release already under way is left to finish. */
  releaseNowSync(): void {
    if (this.releasing) return;
    this.releasing = Promise.resolve();
    try {
      for (const l of [...this.locks].reverse()) {
        if (held.get(l.path) === l) held.delete(l.path); // not a later lock of ours on the path (ours removed by hand)
        if (removeIfOursSync(l)) releasedAt.set(l.path, Date.now());
      }
      this.locks.length = 0;
    } finally {
      this.endLinger();
    }
  }

  private async removeAll(): Promise<void> {
    try {
      for (const l of [...this.locks].reverse()) {
        if (held.get(l.path) === l) held.delete(l.path); // not a later lock of ours on the path (ours removed by hand)
        try {
          if (isOurs(l, await fsp.lstat(l.path), await fsp.readFile(l.path, 'utf8'))) {
            await fsp.unlink(l.path);
            releasedAt.set(l.path, Date.now());
          }
        } catch {
          // gone already
        }
      }
      this.locks.length = 0;
    } finally {
      this.endLinger();
    }
  }

  private endLinger(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    lingering.delete(this);
    const linger = this.linger;
    if (!linger) return;
    for (const p of linger.paths) if (lingerDone.get(p) === linger.done) lingerDone.delete(p);
    linger.settle();
  }
}

/**
 * Releases every lock of this process that is lingering after its write, at once (synchronously): for a process
 * that is about to end (the extension's deactivation). A lock that was read by a kubectl just before our write is
 * then no longer held against its write-back; the exit hook would remove it a moment later anyway.
 */
export function releaseLingeringLocks(): void {
  for (const l of [...lingering]) l.releaseNowSync();
}

/** Settles once every lock that is lingering now has been released (by its timer, after its linger). */
export async function settleLingeringLocks(): Promise<void> {
  await Promise.all(new Set(lingerDone.values()));
}

/**
 * Takes `<file>.lock` for every file (and for the target of a symlinked file, so that a kubectl pointed at either
 * path is excluded), in sorted order. Files whose directory does not exist are skipped: nobody can write them
 * without creating the directory first. Throws KubeconfigError('lockTimeout') after the bounded wait.
 */
export async function acquireLocks(files: readonly string[], options: LockOptions = {}): Promise<HeldLocks> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const pollMs = options.pollMs ?? 25;
  const gapMs = options.gapMs ?? 0;
  const deadline = Date.now() + timeoutMs;
  const wanted = new Map<string, string>(); // lock path -> the kubeconfig file it guards
  // Locks of symlink targets, taken where we may: a link into a directory we cannot create files in (a read-only
  // dotfiles checkout) is written by kubectl, which locks only `<link>.lock` (client-go v0.34 loader.go lockFile), and
  // a kubectl given the target's path cannot take `<target>.lock` there either.
  const besides = new Set<string>();
  for (const f of files) {
    const abs = path.resolve(f);
    if (!fs.existsSync(path.dirname(abs))) continue;
    wanted.set(lockPathFor(abs), abs);
    besides.delete(lockPathFor(abs)); // a configured file's own lock is never optional
    const real = await resolveSymlinks(abs);
    if (real !== abs && fs.existsSync(path.dirname(real)) && !wanted.has(lockPathFor(real))) {
      wanted.set(lockPathFor(real), real);
      besides.add(lockPathFor(real));
    }
  }
  const order = [...wanted.keys()].sort();
  const got: OwnLock[] = [];
  const locks = new HeldLocks(got);
  installExitHook();
  try {
    for (const lockPath of order) {
      const token = newToken();
      // the last attempt found the lock held by one of our writers in another process
      let heldByUs = false;
      for (;;) {
        if (gapMs > 0) {
          let from = releasedAt.get(lockPath) ?? 0;
          // released since the last poll: leave the gap from now (at most one poll interval late)
          if (heldByUs && !fs.existsSync(lockPath)) from = Math.max(from, Date.now());
          const wait = Math.min(from + gapMs - Date.now(), deadline - Date.now());
          if (wait > 0) {
            heldByUs = false;
            await new Promise((r) => setTimeout(r, wait));
          }
        }
        let fh: fsp.FileHandle;
        try {
          fh = await fsp.open(lockPath, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, 0o600);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (besides.has(lockPath) && (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')) break;
          if (code !== 'EEXIST') throw lockFailed(lockPath, wanted.get(lockPath)!, err);
          // Left by one of our writers that was killed: take it over and try again at once.
          if (await takeOverDead(lockPath)) continue;
          if (Date.now() >= deadline) throw await timeoutError(lockPath, wanted.get(lockPath)!, timeoutMs, TOKEN_PREFIX);
          // Lingering after a write of this process: wait for its timer (no polling), then for the gap as always.
          const ours = lingerDone.get(lockPath);
          if (ours) {
            let timer: NodeJS.Timeout | undefined;
            await Promise.race([ours, new Promise((r) => (timer = setTimeout(r, deadline - Date.now())))]);
            clearTimeout(timer);
            heldByUs = false;
            continue;
          }
          if (gapMs > 0) {
            // Gone between the open and this read: it was released just now, by the holder the last poll saw.
            const content = await fsp.readFile(lockPath, 'utf8').catch(() => undefined);
            if (content !== undefined) heldByUs = content.startsWith(TOKEN_PREFIX);
          }
          await new Promise((r) => setTimeout(r, Math.min(pollMs, Math.max(1, deadline - Date.now()))));
          continue;
        }
        // From here on the lock exists and is ours: whatever fails, release() below removes it.
        try {
          const st = await fh.stat();
          const lock: OwnLock = { path: lockPath, id: `${st.dev}:${st.ino}`, token };
          held.set(lockPath, lock);
          got.push(lock);
          await fh.writeFile(token);
        } catch (err) {
          await fh.close().catch(() => undefined);
          // Without a recorded inode the file cannot be told apart from someone else's: remove what we just made.
          if (!got.some((l) => l.path === lockPath)) await fsp.unlink(lockPath).catch(() => undefined);
          throw lockFailed(lockPath, wanted.get(lockPath)!, err);
        }
        await fh.close();
        break;
      }
    }
  } catch (err) {
    await locks.release();
    throw err;
  }
  return locks;
}

/** What our lock files hold: this process, this host (its name and, on Linux, its PID namespace) and a random id. */
function newToken(): string {
  const ns = pidNamespace();
  return `${TOKEN_PREFIX}pid=${process.pid} host=${os.hostname()}${ns ? ` pidns=${ns}` : ''} id=${randomBytes(8).toString('hex')}\n`;
}

/** What a look at a lock file saw: its inode (dev:ino), mtime and content (the first KiB). */
interface Seen {
  readonly id: string;
  readonly mtimeMs: number;
  readonly content: string;
}

/** Inode and content through one handle (so they belong together), never through a symlink; undefined when absent. */
async function look(p: string): Promise<Seen | undefined> {
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(p, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0));
  } catch {
    return undefined;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) return undefined;
    const buf = Buffer.alloc(1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return { id: `${st.dev}:${st.ino}`, mtimeMs: st.mtimeMs, content: buf.subarray(0, bytesRead).toString('utf8') };
  } catch {
    return undefined;
  } finally {
    await fh.close().catch(() => undefined);
  }
}

const TOKEN_FORMAT = /^vcluster-explorer pid=([1-9][0-9]{0,9}) host=(.*?)(?: pidns=([0-9]+))? id=[0-9a-f]{16}\n$/;

/**
 * The content is a whole token of ours (newToken) naming this host (name and PID namespace) and a process that no
 * longer runs. An empty file (kubectl's lock, or ours before its token was written), a partial token, another host's
 * (or another PID namespace's) and a live process's are not: nothing but the holder removes those.
 */
function heldByDeadProcess(content: string): boolean {
  const m = TOKEN_FORMAT.exec(content);
  if (!m || m[2] !== os.hostname() || (m[3] ?? '') !== pidNamespace()) return false;
  const pid = Number(m[1]);
  return pid !== process.pid && !processAlive(pid);
}

/** A takeover guard older than this is left from a taker that was stopped or killed (a takeover takes milliseconds). */
const GUARD_STALE_MS = 10_000;

/**
 * Removes `lockPath` when it is a lock of a dead process of ours (heldByDeadProcess); true when it did, and the
 * caller tries O_EXCL again (whoever creates the lock first gets it, as always).
 *
 * The race: two of our writers (two VS Code windows) see the same dead lock. Were each to unlink it and create its
 * own, the second unlink could remove the first taker's new lock, and both would write. So a takeover is done by one
 * taker at a time, under a guard `<lock>.vce-takeover` created with O_EXCL: whoever holds the guard looks again and
 * removes the lock only if it still is the very file judged dead (same inode and the same token, whose random id is
 * never reused). The other takers find the guard and simply poll again. Inside the guard nothing of ours can
 * change the lock (a dead holder does not release, live holders remove only their own inode, kubectl never removes
 * another's lock), so what is left is a person or program removing it by hand at that moment: removeIfStill moves the
 * file aside and checks what it moved before deleting it, and puts anything else back. A guard whose taker was
 * killed (a dead pid of this host, or older than GUARD_STALE_MS) is removed the same way, so takeovers never stop.
 */
async function takeOverDead(lockPath: string): Promise<boolean> {
  const seen = await look(lockPath);
  if (!seen || !heldByDeadProcess(seen.content)) return false;
  const guardPath = `${lockPath}.vce-takeover`;
  let gh: fsp.FileHandle;
  try {
    gh = await fsp.open(guardPath, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return false;
    const g = await look(guardPath);
    if (g && (heldByDeadProcess(g.content) || Date.now() - g.mtimeMs > GUARD_STALE_MS)) await removeIfStill(guardPath, g);
    return false;
  }
  let guard: Seen;
  try {
    const token = newToken();
    await gh.writeFile(token);
    const st = await gh.stat();
    guard = { id: `${st.dev}:${st.ino}`, mtimeMs: st.mtimeMs, content: token };
  } catch {
    await gh.close().catch(() => undefined);
    await fsp.unlink(guardPath).catch(() => undefined);
    return false;
  }
  await gh.close().catch(() => undefined);
  try {
    const now = await look(lockPath);
    if (!now || now.id !== seen.id || now.content !== seen.content) return false;
    return await removeIfStill(lockPath, now);
  } finally {
    await removeIfStill(guardPath, guard);
  }
}

/**
 * Removes `p` only if it still is the file `seen` (same inode, same content), never a file that took its name since:
 * renames it aside (atomic), checks what it moved, deletes that, and otherwise puts it back with link(), which fails
 * rather than replace a file that took the name meanwhile. The aside name is a temp name of ours (leftovers.ts), so
 * that what a taker killed right here leaves is removed by the next write into the directory.
 */
async function removeIfStill(p: string, seen: Seen): Promise<boolean> {
  const aside = tempPathFor(p);
  try {
    await fsp.rename(p, aside);
  } catch {
    return false;
  }
  const moved = await look(aside);
  if (moved && moved.id === seen.id && moved.content === seen.content) {
    await fsp.unlink(aside).catch(() => undefined);
    return true;
  }
  try {
    await fsp.link(aside, p);
  } catch (err) {
    // No hard links on this file system: rename back unless the name was taken meanwhile.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST' && !fs.existsSync(p)) await fsp.rename(aside, p).catch(() => undefined);
  }
  await fsp.unlink(aside).catch(() => undefined);
  return false;
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
