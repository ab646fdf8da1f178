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
