// The real kubectl and vcluster CLI, as a user would run them next to the extension. Started with argument arrays
// (never a shell) through the harness's runProgram, which puts each in its own process group and kills it on exit.
import fs from 'node:fs';
import path from 'node:path';
import { runProgram, type RunResult } from '../../harness/cluster/processes';
import { waitFor } from '../../harness/cluster/rest';

/** A program on PATH (scripts/integration.mjs puts the cached kubectl, helm and vcluster first). */
export function onPath(name: string): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      // next
    }
  }
  throw new Error(`${name} is not on PATH (${process.env.PATH})`);
}

/** kubectl with an explicit kubeconfig file. */
export async function kubectl(kubeconfig: string, args: readonly string[], opts: { allowFailure?: boolean } = {}): Promise<RunResult> {
  // `kubectl config` gives up at once on a held `<file>.lock`, and the extension's lock lingers 200 ms after its last
  // write, in the background (the command has already returned): a test that edits the file the moment a command
  // returns waits for the lock, as a person would simply be too slow to meet it.
  if (args[0] === 'config') await waitFor('the extension to release its kubeconfig lock', async () => !fs.existsSync(`${kubeconfig}.lock`), 10_000, 25);
  return runProgram(onPath('kubectl'), ['--kubeconfig', kubeconfig, ...args], {
    timeoutMs: 60_000,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/' },
    ...opts,
  });
}

/** kubectl as a terminal with KUBECONFIG=`kubeconfigVar` (a path-delimiter list) would run it. */
export function kubectlWithEnv(kubeconfigVar: string, args: readonly string[]): Promise<RunResult> {
  return runProgram(onPath('kubectl'), args, {
    timeoutMs: 60_000,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/', KUBECONFIG: kubeconfigVar },
  });
}

/** One entry of `vcluster list --output json` (the Go struct has no json tags: PascalCase keys). */
export interface CliListEntry {
  Name: string;
  Namespace: string;
  Status: string;
  Version: string;
  Connected: boolean;
}

/**
 * `vcluster list --output json` of the real CLI in `home` (HOME and working directory: the CLI writes ~/.vcluster and
 * refuses to run in a folder containing something named vcluster), against `kubeconfig`'s current context.
 */
export async function vclusterList(home: string, kubeconfig: string): Promise<CliListEntry[]> {
  const r = await runProgram(onPath('vcluster'), ['list', '--output', 'json'], {
    cwd: home,
    env: { PATH: process.env.PATH ?? '', HOME: home, KUBECONFIG: kubeconfig },
    timeoutMs: 60_000,
  });
  return (JSON.parse(r.stdout) as CliListEntry[] | null) ?? [];
}
