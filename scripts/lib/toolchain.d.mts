// Types for toolchain.mjs (and the modules it re-exports), so that TypeScript tests and the harness can import it.
export const repoRoot: string;
export const versions: {
  nodeTest: string;
  nodeCodeServer: string;
  codeServer: string;
  kubernetes: string;
  etcd: string;
  helm: string;
  vcluster: string;
  kine: string;
};
export const aptPackages: string[];
export function cacheRoot(): string;
export class SetupError extends Error {}
export function log(msg: string): void;
export function elapsed(start: number): string;
export interface ChildEnvOptions {
  pathFirst?: string[];
  set?: Record<string, string>;
  drop?: RegExp[];
}
export function basePath(): string[];
export function childEnv(opts?: ChildEnvOptions): NodeJS.ProcessEnv & { PATH: string };
export function envWithNode(nodeBin: string, opts?: ChildEnvOptions): NodeJS.ProcessEnv & { PATH: string };
export interface ChildEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the program could not be started. */
  error?: Error;
}
export function runChild(
  cmd: string,
  args: readonly string[],
  opts?: {
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    stdio?: unknown;
    detached?: boolean;
    onData?: (chunk: string, stream: 'stdout' | 'stderr') => void;
    onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
    forwardSignals?: boolean;
  },
): { child: import('node:child_process').ChildProcess; pid: number | undefined; ended: Promise<ChildEnd> };
export function exitStatus(end: ChildEnd): number;
export function endedHow(end: ChildEnd): string;
export function runNodeScript(args: string[], opts?: { stdio?: unknown }): Promise<void>;
export function which(cmd: string): string | undefined;
export function run(
  cmd: string,
  args: string[],
  opts?: { stdio?: unknown; cwd?: string; env?: NodeJS.ProcessEnv; echo?: boolean; label?: string },
): Promise<string>;
export function ensureAptPackages(pkgs?: string[]): Promise<void>;
export function ensureNode(version: string): Promise<string>;
export function npmCli(): string;
export function ensureNpmDeps(nodeBin: string): Promise<void>;
export type GoToolName = 'kubernetes' | 'etcd' | 'helm' | 'vcluster' | 'node' | 'syncer' | 'kine' | 'configmigrations';
export const goTools: Record<
  GoToolName,
  { version: string; module?: string; packages: string[]; binaries: string[]; rename?: Record<string, string>; flags: string[] }
>;
export function toolDir(name: GoToolName): string;
export function toolPath(
  binary: 'kube-apiserver' | 'kube-controller-manager' | 'kubectl' | 'etcd' | 'helm' | 'vcluster' | 'kubelet' | 'kube-scheduler' | 'vcluster-syncer' | 'kine',
): string;
export function vclusterChartDir(): Promise<string>;
export function ensureGoTools(names?: GoToolName[]): Promise<void>;
export function codeServerDir(): string;
export function codeServerEntry(): string;
export function ensureCodeServer(): Promise<void>;
export function mainWrapper(fn: () => Promise<void>): void;
export function runIfMain(moduleUrl: string, main: () => Promise<number>, say: (msg: string) => void): void;
