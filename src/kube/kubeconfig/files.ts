import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface KubeconfigFilesOptions {
  /** The `vcluster.kubeconfig` setting: one or more files separated by path.delimiter. Wins when non-empty. */
  readonly override?: string;
  /** Environment to read KUBECONFIG from (default process.env). */
  readonly env?: Record<string, string | undefined>;
  /** Home directory for the default ~/.kube/config (default os.homedir()). */
  readonly home?: string;
}

/**
 * The kubeconfig files in precedence order, as kubectl computes them (client-go PathOptions.GetLoadingPrecedence):
 * the setting override if given, else $KUBECONFIG split on path.delimiter with empty entries dropped and duplicates
 * removed (first kept), else ~/.kube/config. A leading `~` in the override is expanded (a setting is not seen by a
 * shell); KUBECONFIG entries are taken literally, as kubectl does.
 */
export function kubeconfigFiles(options: KubeconfigFilesOptions = {}): string[] {
  const env = options.env ?? process.env;
  const home = options.home ?? os.homedir();
  const override = options.override?.trim();
  if (override) {
    const list = splitList(override).map((p) => expandHome(p, home));
    if (list.length > 0) return dedupe(list);
  }
  const fromEnv = env.KUBECONFIG;
  if (fromEnv) {
    const list = splitList(fromEnv);
    if (list.length > 0) return dedupe(list);
  }
  return [path.join(home, '.kube', 'config')];
}

/** The files of a KUBECONFIG-style list (path.delimiter between them; blanks dropped). */
export function splitList(value: string): string[] {
  return value
    .split(path.delimiter)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function dedupe(list: string[]): string[] {
  return [...new Set(list)];
}

function expandHome(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/') || p.startsWith(`~${path.sep}`)) return path.join(home, p.slice(2));
  return p;
}

/**
 * The file that receives new entries and current-context, as kubectl chooses it (client-go
 * PathOptions.GetDefaultFilename): the only file of a one-element list; otherwise the first file that exists;
 * when none exists, the last one.
 */
export function defaultWriteFile(files: readonly string[]): string {
  if (files.length === 0) throw new Error('no kubeconfig files given');
  if (files.length === 1) return path.resolve(files[0]!);
  for (const f of files) {
    if (fs.existsSync(path.resolve(f))) return path.resolve(f);
  }
  return path.resolve(files[files.length - 1]!);
}
