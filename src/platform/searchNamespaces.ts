import * as vscode from 'vscode';

const KEY = 'vcluster.searchNamespaces';

/**
 * The namespaces to search (and show) per kubeconfig context, kept in the extension's global state so that they
 * survive reloads: a tenant sets them once. Cluster-wide lists forbidden: discovery searches the context's namespace
 * plus these; allowed: they are shown even without vclusters (pinned).
 */
export class SearchNamespacesStore implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<string>();
  /** Fired with the context whose list changed. */
  readonly onDidChange = this.emitter.event;

  constructor(private readonly memento: vscode.Memento) {}

  private all(): Record<string, string[]> {
    const v = this.memento.get<unknown>(KEY);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, string[]>) : {};
  }

  get(context: string): readonly string[] {
    const list = this.all()[context];
    return Array.isArray(list) ? list.filter((n): n is string => typeof n === 'string') : [];
  }

  /** Replaces the list of a context (an empty list removes it). */
  async set(context: string, namespaces: readonly string[]): Promise<void> {
    const next = { ...this.all() };
    if (namespaces.length) next[context] = [...namespaces];
    else delete next[context];
    await this.memento.update(KEY, next);
    this.emitter.fire(context);
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
