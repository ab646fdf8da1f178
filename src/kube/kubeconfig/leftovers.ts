// What a killed writer leaves behind, and how to tell ours of this host from everything else.
//
// The atomic writer (atomic.ts) writes a temp copy next to the kubeconfig, `.<name>.vce-<host>-<pid>-<random>.tmp`
// (<host>: a short hash of this host's name and PID namespace, <pid>: the writing process), and renames it into place. A process killed
// in between (SIGKILL, a crashed extension host, power loss) leaves the copy behind, credentials and all, 0600. Our
// writer removes such copies of dead processes of this host whenever it next writes into that directory: only names
// of exactly this pattern, only regular files (never a link) owned by the user. A copy of a process of another host
// (a home directory shared over NFS) is left alone: its pid says nothing here.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { processAlive } from '../process';

let pidNs: string | undefined;

/**
 * The inode of this process's PID namespace on Linux ('' elsewhere, or when /proc cannot tell). Pids are only
 * comparable within one namespace: a container with the host's name (host networking) and a bind-mounted ~/.kube
 * sees the same host name but other pids.
 */
export function pidNamespace(): string {
  if (pidNs === undefined) {
    try {
      pidNs = /^pid:\[([0-9]+)\]$/.exec(fs.readlinkSync('/proc/self/ns/pid'))?.[1] ?? '';
    } catch {
      pidNs = '';
    }
  }
  return pidNs;
}

/** 8 hex digits naming this host (its name and PID namespace) in file names (a host name may hold any character). */
export function hostTag(): string {
  return createHash('sha256').update(`${os.hostname()}\0${pidNamespace()}`).digest('hex').slice(0, 8);
}

/** A new temp path next to `file`, for a copy that is renamed over it. */
export function tempPathFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.vce-${hostTag()}-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
}

const TEMP_NAME = /^\..+\.vce-([0-9a-f]{8})-([1-9][0-9]{0,9})-[0-9a-f]{8}\.tmp$/;

/** Whether `name` is a temp copy of ours left by a process of this host that no longer runs. */
export function isDeadTempName(name: string): boolean {
  const m = TEMP_NAME.exec(name);
  if (!m || m[1] !== hostTag()) return false;
  const pid = Number(m[2]);
  return pid !== process.pid && !processAlive(pid);
}

/**
 * Removes the temp copies in `dir` that processes of this host left when they were killed (see above). Returns the
 * names removed. Never throws: a directory we cannot list or a file we cannot remove is left as it is.
 */
export async function removeDeadTemps(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return [];
  }
  const uid = process.getuid?.();
  const removed: string[] = [];
  for (const name of names) {
    if (!isDeadTempName(name)) continue;
    const p = path.join(dir, name);
    try {
      const st = await fsp.lstat(p);
      if (!st.isFile() || (uid !== undefined && st.uid !== uid)) continue;
      await fsp.unlink(p);
      removed.push(name);
    } catch {
      // gone meanwhile, or not ours to remove
    }
  }
  return removed;
}
