// Stopping programs the extension started (credential plugins, the vcluster CLI with its Helm child): they run in
// their own process group, so that signalling the group reaches their children too.

/** Sends `signal` to the process group of `pid` (the process alone where groups do not exist or it has none). */
export function signalProcessGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

/**
 * Whether a process of this host with this pid exists. `kill(pid, 0)` sends nothing: ESRCH says there is no such
 * process; EPERM says there is one (of another user). Anything but a plain positive pid counts as alive (0 and
 * negative numbers name process groups), so that a caller never treats a malformed pid as dead. A pid reused by an
 * unrelated process reads as alive: the safe side for callers that remove what a dead process left behind.
 */
export function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
