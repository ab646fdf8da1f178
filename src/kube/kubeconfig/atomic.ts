// Writes a file so that readers see either the old or the new content: a temp file in the same directory, fsync,
// rename over the target, fsync of the directory. Symlinks are followed (the link stays a link and the file it
// points to is replaced); the target's mode (and owner, when running as root) is kept; new files are 0600 in
// directories created 0700. Temp files are 0600 and removed again whatever fails.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { KubeconfigError, fsFailureReason } from './errors';
import { removeDeadTemps, tempPathFor } from './leftovers';
import { resolveSymlinks } from './lock';

export async function writeFileAtomic(file: string, content: string | Buffer): Promise<void> {
  const real = await resolveSymlinks(file);
  const dir = path.dirname(real);
  let mode = 0o600;
  let owner: { uid: number; gid: number } | undefined;
  try {
    const st = await fsp.stat(real);
    mode = st.mode & 0o7777;
    owner = { uid: st.uid, gid: st.gid };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw writeError(file, err);
    await fsp.mkdir(dir, { recursive: true, mode: 0o700 }).catch((e: unknown) => {
      throw writeError(file, e);
    });
  }
  // Copies that killed writers of this host left here (with credentials in them) go first (leftovers.ts).
  await removeDeadTemps(dir);
  const tmp = tempPathFor(real);
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(tmp, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // A directory we may not create files in, but a file we may write (e.g. a shared admin kubeconfig):
    // write in place under the lock, as kubectl always does.
    if ((code === 'EACCES' || code === 'EPERM') && owner) return writeInPlace(file, real, content);
    throw writeError(file, err);
  }
  // The temp file stays 0600 for as long as it is a temp file: the target's mode and owner are given to it only once
  // it has been renamed into place (through the same handle).
  let renamed = false;
  try {
    try {
      await fh.writeFile(content);
      if (owner && process.getuid?.() === 0 && (owner.uid !== 0 || owner.gid !== 0)) await fh.chown(owner.uid, owner.gid);
      await fh.sync();
      await fsp.rename(tmp, real);
      renamed = true;
      // Should this fail, the file stays 0600: stricter than before, never looser.
      if (mode !== 0o600) await fh.chmod(mode).catch(() => undefined);
    } finally {
      await fh.close();
    }
  } catch (err) {
    if (!renamed) await fsp.unlink(tmp).catch(() => undefined);
    throw writeError(file, err);
  }
  await syncDir(dir);
}

async function writeInPlace(file: string, real: string, content: string | Buffer): Promise<void> {
  try {
    const fh = await fsp.open(real, 'r+');
    try {
      await fh.truncate(0);
      await fh.write(typeof content === 'string' ? Buffer.from(content) : content, 0, undefined, 0);
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch (err) {
    throw writeError(file, err);
  }
}

export async function syncDir(dir: string): Promise<void> {
  try {
    const dh = await fsp.open(dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  } catch {
    // Some file systems do not support fsync on directories; the rename is still atomic.
  }
}

/** Removes a file (used by undo when the change created it), following symlinks like writeFileAtomic. */
export async function removeFileDurably(file: string): Promise<void> {
  const real = await resolveSymlinks(file);
  try {
    await fsp.unlink(real);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw writeError(file, err);
  }
  await syncDir(path.dirname(real));
}

function writeError(file: string, err: unknown): KubeconfigError {
  const why = fsFailureReason(err, err instanceof Error ? err.message : String(err));
  return new KubeconfigError('writeFailed', `Cannot write ${file}: ${why}; the file was not changed`, file);
}
