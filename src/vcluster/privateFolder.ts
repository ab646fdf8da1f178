// Where the private kubeconfigs of terminals live: a folder only the user can reach, never the shared temp folder. In
// /tmp another local user could, once a file is removed (its terminal closed, the window reloaded while VS Code kept
// the terminal's process, whose KUBECONFIG still names the path), create the same path with an exec plugin of their
// own; in a 0700 folder of the user nobody else can create anything. The folder is in $XDG_RUNTIME_DIR when that is a
// real folder of the user's with mode 0700 (memory-backed and cleared at logout on systemd systems), else in the
// extension's global storage, which the caller passes in (this module stays free of VS Code).
//
// Each kubeconfig gets a folder of its own, `vcluster-terminal-<host>-<pid>-XXXXXX` (<host>: a hash of this host's
// name, <pid>: the extension host): the folders of extension hosts of this host that no longer run (a window reloaded
// or crashed) are removed by the next one.
import fs from 'node:fs';
import path from 'node:path';
import { hostTag } from '../kube/kubeconfig/leftovers';
import { processAlive } from '../kube/process';
import { UserFacingError } from '../shared/errors';

/** The name of our folder inside $XDG_RUNTIME_DIR or the extension's storage. */
export const TERMINAL_FOLDER = 'terminal-kubeconfigs';
const PREFIX = 'vcluster-terminal-';

function uid(): number | undefined {
  return process.getuid?.();
}

/** $XDG_RUNTIME_DIR when it is an absolute path to a real folder (not a link) of this user with mode 0700. */
export function runtimeDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = env.XDG_RUNTIME_DIR;
  const me = uid();
  if (!dir || !path.isAbsolute(dir) || me === undefined) return undefined;
  try {
    const st = fs.lstatSync(dir);
    return st.isDirectory() && st.uid === me && (st.mode & 0o777) === 0o700 ? dir : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The folders terminals' kubeconfigs may be in, the one to use first: ours in $XDG_RUNTIME_DIR (see runtimeDir), then
 * ours in `storage` (the extension's global storage).
 */
export function terminalFolders(storage: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const run = runtimeDir(env);
  return [...(run ? [path.join(run, 'vcluster-explorer', TERMINAL_FOLDER)] : []), path.join(storage, TERMINAL_FOLDER)];
}

function refuse(dir: string, why: string): UserFacingError {
  return new UserFacingError(`Refusing to keep a private kubeconfig in ${dir}: ${why}. Remove or fix that folder and try again.`);
}

/**
 * Makes `dir` a folder only the user can reach, or refuses (UserFacingError): created 0700 when missing (with its
 * missing parents, 0700 too); an existing one must be a real folder (a symbolic link is refused, not followed) of this
 * user that nobody else may write in, and is narrowed to 0700 when others may read it. On Windows, where modes and
 * uids do not apply, the folder is only created.
 */
export function ensurePrivateFolder(dir: string): void {
  fs.mkdirSync(path.dirname(dir), { recursive: true, mode: 0o700 });
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const me = uid();
  if (me === undefined) return;
  let fd: number;
  try {
    // O_NOFOLLOW: a link in place of the folder fails here instead of being followed.
    fd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY | fs.constants.O_NOFOLLOW);
  } catch (err) {
    // (with O_DIRECTORY, Linux reports a link as ENOTDIR)
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || (code === 'ENOTDIR' && fs.lstatSync(dir).isSymbolicLink())) throw refuse(dir, 'it is a symbolic link');
    if (code === 'ENOTDIR') throw refuse(dir, 'it is not a folder');
    throw err;
  }
  try {
    const st = fs.fstatSync(fd);
    if (st.uid !== me) throw refuse(dir, `it belongs to another user (uid ${st.uid})`);
    if (st.mode & 0o022) throw refuse(dir, `others may write in it (mode ${(st.mode & 0o777).toString(8).padStart(3, '0')})`);
    if (st.mode & 0o077) fs.fchmodSync(fd, 0o700);
  } finally {
    fs.closeSync(fd);
  }
}

/** A new folder of its own (0700) in `folder` for one kubeconfig; `folder` is checked first (ensurePrivateFolder). */
export function newPrivateSubfolder(folder: string): string {
  ensurePrivateFolder(folder);
  return fs.mkdtempSync(path.join(folder, `${PREFIX}${hostTag()}-${process.pid}-`));
}

const SUBFOLDER = /^vcluster-terminal-([0-9a-f]{8})-([1-9][0-9]{0,9})-[A-Za-z0-9]{6}$/;

/**
 * Removes the kubeconfig folders in `folder` of extension hosts of this host that no longer run; returns how many.
 * Only names of our pattern, only real folders of this user. Never throws.
 */
export function removeDeadSubfolders(folder: string): number {
  let names: string[];
  try {
    names = fs.readdirSync(folder);
  } catch {
    return 0;
  }
  const me = uid();
  let n = 0;
  for (const name of names) {
    const m = SUBFOLDER.exec(name);
    if (!m || m[1] !== hostTag()) continue;
    const pid = Number(m[2]);
    if (pid === process.pid || processAlive(pid)) continue;
    const p = path.join(folder, name);
    try {
      const st = fs.lstatSync(p);
      if (!st.isDirectory() || (me !== undefined && st.uid !== me)) continue;
      fs.rmSync(p, { recursive: true, force: true });
      n++;
    } catch {
      // gone meanwhile, or not ours to remove
    }
  }
  return n;
}
