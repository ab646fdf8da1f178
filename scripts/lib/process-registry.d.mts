// Types for process-registry.mjs, so that the test harness (test/harness/cluster/processes.ts) can import it.
export interface RegistryEntry {
  readonly name: string;
  /** Its process group: SIGTERM/SIGKILL at exit, SIGKILL from the watchdog after a SIGKILL of this process. */
  readonly pgid?: number;
  /** Called at exit, synchronously. */
  killSync?(): void;
  /** Called on SIGINT/SIGTERM/SIGHUP and by stopAll(). */
  stop?(graceMs?: number): Promise<void>;
  /** False while it still runs (runningProcesses() of the harness lists those). */
  hasExited?(): boolean;
}
export function groupAlive(pgid: number): boolean;
export function killGroup(pgid: number, sig: NodeJS.Signals): void;
export function register(entry: RegistryEntry): () => void;
export function registered(): RegistryEntry[];
export function killAllSync(graceMs?: number): void;
export function stopAll(graceMs?: number): Promise<void>;
export function onExitSync(fn: () => void): () => void;
export function makeTempDir(prefix: string): string;
export function removeOnExit(dir: string): () => void;
export function cleanUpOnExit(fn: () => void, argv: string[], cwd?: string): () => void;
export function installExitHooks(): void;
