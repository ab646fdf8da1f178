import fs from 'node:fs';
import path from 'node:path';
import { KubeconfigError } from '../kube/kubeconfig/errors';
import type { MergedKubeconfig } from '../kube/kubeconfig/model';
import { loadKubeconfig } from '../kube/kubeconfig/model';
import { parseVClusterContext } from '../kube/kubeconfig/names';
import { errorMessage } from '../shared/errors';
import type { ContextInfo } from '../shared/model';

// The merged kubeconfig as the extension shows it, re-read when its files change on disk (kubectl, the vcluster CLI,
// another window, us). Light: no @kubernetes/client-node, so the status bar can use it right after activation.

export type KubeconfigStateName = 'ready' | 'noKubeconfig' | 'noContexts';

export interface KubeconfigSnapshot {
  readonly state: KubeconfigStateName;
  readonly files: readonly string[];
  readonly contexts: readonly ContextInfo[];
  readonly currentContext?: string;
  readonly merged?: MergedKubeconfig;
  /** File-level problems as sentences (for a message in the view). */
  readonly problems: readonly string[];
  readonly error?: string;
}

export class KubeconfigState {
  private snap?: KubeconfigSnapshot;
  private readonly listeners = new Set<(s: KubeconfigSnapshot) => void>();
  private fileWatchers: fs.FSWatcher[] = [];
  private debounce?: NodeJS.Timeout;
  private watchedKey = '';
  private reloading?: Promise<KubeconfigSnapshot>;
  private again = false;

  constructor(private readonly files: () => string[], private readonly watch: () => boolean = () => true) {}

  snapshot(): KubeconfigSnapshot | undefined { return this.snap; }

  /** Calls the listener after every reload that changed anything visible. */
  onDidChange(listener: (s: KubeconfigSnapshot) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Re-reads the files (concurrent calls share one read; a call during a read schedules one more). */
  reload(): Promise<KubeconfigSnapshot> {
    if (this.reloading) {
      this.again = true;
      return this.reloading;
    }
    this.reloading = this.read().finally(() => {
      this.reloading = undefined;
      if (this.again) { this.again = false; void this.reload(); }
    });
    return this.reloading;
  }

  private async read(): Promise<KubeconfigSnapshot> {
    const files = this.files();
    let snap: KubeconfigSnapshot;
    try {
      const merged = await loadKubeconfig(files);
      const contexts: ContextInfo[] = [...merged.contexts.values()].map((c) => {
        const server = merged.clusters.get(c.cluster)?.cluster.server;
        return {
          name: c.name,
          cluster: c.cluster,
          user: c.user,
          namespace: c.namespace,
          server: typeof server === 'string' ? server : undefined,
          current: c.name === merged.currentContext,
          file: c.file,
          vcluster: parseVClusterContext(c.name),
        };
      });
      snap = {
        state: contexts.length ? 'ready' : 'noContexts',
        files,
        contexts,
        currentContext: merged.currentContext,
        merged,
        problems: merged.problems.filter((p) => !p.entry).map((p) => p.message),
      };
    } catch (err) {
      snap = err instanceof KubeconfigError && err.code === 'noKubeconfig'
        ? { state: 'noKubeconfig', files, contexts: [], problems: [], error: err.message }
        : { state: 'noContexts', files, contexts: [], problems: [errorMessage(err)], error: errorMessage(err) };
    }
    const changed = JSON.stringify(visible(this.snap)) !== JSON.stringify(visible(snap));
    this.snap = snap;
    this.watchFiles(files);
    if (changed) for (const l of [...this.listeners]) { try { l(snap); } catch { /* listener bug */ } }
    return snap;
  }

  private watchFiles(files: readonly string[]): void {
    if (!this.watch()) return;
    const key = files.join('\n');
    if (key === this.watchedKey) return;
    for (const w of this.fileWatchers) w.close();
    this.fileWatchers = [];
    this.watchedKey = key;
    // Watch the directories: writers (kubectl, us) replace files by rename, which ends a watch on the file itself.
    const dirs = new Map<string, Set<string>>();
    for (const f of files) {
      const abs = path.resolve(f);
      const names = dirs.get(path.dirname(abs)) ?? new Set<string>();
      names.add(path.basename(abs));
      dirs.set(path.dirname(abs), names);
    }
    for (const [dir, names] of dirs) {
      try {
        const w = fs.watch(dir, { persistent: false }, (_ev, name) => {
          if (name && !names.has(name.toString())) return;
          clearTimeout(this.debounce);
          this.debounce = setTimeout(() => { void this.reload().catch(() => undefined); }, 100);
        });
        w.on('error', () => undefined);
        this.fileWatchers.push(w);
      } catch {
        // The directory does not exist (yet): nothing to watch.
      }
    }
  }

  dispose(): void {
    for (const w of this.fileWatchers) w.close();
    this.fileWatchers = [];
    clearTimeout(this.debounce);
    this.listeners.clear();
  }
}

function visible(s: KubeconfigSnapshot | undefined): unknown {
  if (!s) return undefined;
  return { state: s.state, current: s.currentContext, contexts: s.contexts.map((c) => [c.name, c.cluster, c.user, c.namespace, c.server, c.file]), problems: s.problems };
}
