import { createHash } from 'node:crypto';
import { KubeconfigError } from '../kube/kubeconfig/errors';
import { KubeconfigFileWatcher } from '../kube/kubeconfig/fileWatch';
import type { MergedKubeconfig } from '../kube/kubeconfig/model';
import { loadKubeconfig } from '../kube/kubeconfig/model';
import { parseVClusterContext } from './contextName';
import { Emitter } from '../shared/emitter';
import { errorMessage } from '../shared/errors';
import type { ContextInfo } from '../shared/model';

// The merged kubeconfig as the extension shows it, re-read when its files change on disk (kubectl, the vcluster CLI,
// another window, us). Light: no @kubernetes/client-node, so the status bar can use it right after activation.
//
// Why in src/vcluster and not src/kube/kubeconfig: the snapshot is the kubeconfig seen through vcluster eyes, every
// context carries the vcluster its name encodes (parseVClusterContext, the `vcluster_<name>_<namespace>_<parent>` rule
// of this folder). The parts that know nothing of vclusters (loading and merging the files, the file watch) are in
// src/kube/kubeconfig and are used from here.

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
  private readonly visibleChanges = new Emitter<KubeconfigSnapshot>();
  private readonly contentChanges = new Emitter<KubeconfigSnapshot>();
  /** Told after every reload that changed anything visible. */
  readonly onDidChange = this.visibleChanges.event;
  /**
   * Told after every reload that changed anything in the entries, credentials included (a rotated token changes
   * nothing visible, but clients must use the new one).
   */
  readonly onDidChangeContent = this.contentChanges.event;
  private fileWatcher?: KubeconfigFileWatcher;
  private contentKey?: string;
  private reloading?: Promise<KubeconfigSnapshot>;
  private again = false;

  constructor(
    private readonly files: () => string[],
    private readonly watch: () => boolean = () => true,
  ) {}

  snapshot(): KubeconfigSnapshot | undefined {
    return this.snap;
  }

  /** The snapshot; the files are read first when nothing has read them yet. */
  async loaded(): Promise<KubeconfigSnapshot> {
    return this.snap ?? (await this.reload());
  }

  /** Re-reads the files (concurrent calls share one read; a call during a read schedules one more). */
  reload(): Promise<KubeconfigSnapshot> {
    if (this.reloading) {
      this.again = true;
      return this.reloading;
    }
    this.reloading = this.read().finally(() => {
      this.reloading = undefined;
      if (this.again) {
        this.again = false;
        void this.reload();
      }
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
      snap =
        err instanceof KubeconfigError && err.code === 'noKubeconfig'
          ? { state: 'noKubeconfig', files, contexts: [], problems: [], error: err.message }
          : { state: 'noContexts', files, contexts: [], problems: [errorMessage(err)], error: errorMessage(err) };
    }
    const changed = JSON.stringify(visible(this.snap)) !== JSON.stringify(visible(snap));
    const contentKey = contentOf(snap);
    const contentChanged = this.contentKey !== undefined && contentKey !== this.contentKey;
    this.contentKey = contentKey;
    this.snap = snap;
    this.watchFiles(files);
    if (changed) this.visibleChanges.fire(snap);
    if (contentChanged) this.contentChanges.fire(snap);
    return snap;
  }

  private watchFiles(files: readonly string[]): void {
    if (!this.watch()) return;
    this.fileWatcher ??= new KubeconfigFileWatcher(() => {
      void this.reload().catch(() => undefined);
    });
    void this.fileWatcher.update(files).catch(() => undefined);
  }

  dispose(): void {
    this.fileWatcher?.close();
    this.visibleChanges.dispose();
    this.contentChanges.dispose();
  }
}

function visible(s: KubeconfigSnapshot | undefined): unknown {
  if (!s) return undefined;
  return {
    state: s.state,
    current: s.currentContext,
    contexts: s.contexts.map((c) => [c.name, c.cluster, c.user, c.namespace, c.server, c.file]),
    problems: s.problems,
  };
}

/** A digest of every entry and the current context (never kept or shown in clear: it covers credentials). */
function contentOf(s: KubeconfigSnapshot): string {
  const m = s.merged;
  const entries = m ? [m.currentContext, [...m.contexts.values()], [...m.clusters.values()], [...m.users.values()]] : [s.state, s.error];
  return createHash('sha256').update(JSON.stringify(entries)).digest('hex');
}
