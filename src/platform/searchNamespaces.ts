import * as vscode from 'vscode';
import { Settings as Keys } from '../shared/ids';
import { dnsLabelProblem } from '../vcluster/translate';
import { Disposable } from './disposable';

/**
 * The namespaces to search (and show) per kubeconfig context: the setting `vcluster.searchNamespaces`, an object from
 * context name to namespace names, in the user's settings (machine scope, like the kubeconfig it refers to), so that a
 * tenant sets them once and can read and edit them. Cluster-wide lists forbidden: discovery searches the context's
 * namespace plus these; allowed: they are shown even without vclusters (pinned).
 */
export class SearchNamespacesStore extends Disposable {
  private readonly emitter = this.register(new vscode.EventEmitter<readonly string[]>());
  /** Fired with the contexts whose list changed (also when settings.json was edited by hand). */
  readonly onDidChange = this.emitter.event;
  private last: Record<string, readonly string[]>;

  constructor() {
    super();
    this.last = this.all();
    this.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(`vcluster.${Keys.searchNamespaces}`)) return;
        const next = this.all();
        const changed = [...new Set([...Object.keys(this.last), ...Object.keys(next)])].filter(
          (c) => (this.last[c] ?? []).join(',') !== (next[c] ?? []).join(','),
        );
        this.last = next;
        if (changed.length) this.emitter.fire(changed);
      }),
    );
  }

  /** Every context's list, with what is not a namespace name left out (the setting may be edited by hand). */
  private all(): Record<string, readonly string[]> {
    const v = vscode.workspace.getConfiguration('vcluster').get<unknown>(Keys.searchNamespaces);
    const out: Record<string, readonly string[]> = {};
    if (!v || typeof v !== 'object' || Array.isArray(v)) return out;
    for (const [context, list] of Object.entries(v as Record<string, unknown>)) {
      if (!Array.isArray(list)) continue;
      const names = [...new Set(list.filter((n): n is string => typeof n === 'string' && !dnsLabelProblem(n, 'namespace')))];
      if (names.length) out[context] = names;
    }
    return out;
  }

  get(context: string): readonly string[] {
    return this.last[context] ?? [];
  }

  /** Replaces the list of a context in the user's settings (an empty list removes the context's entry). */
  async set(context: string, namespaces: readonly string[]): Promise<void> {
    const cfg = vscode.workspace.getConfiguration('vcluster');
    const raw = cfg.inspect<Record<string, unknown>>(Keys.searchNamespaces)?.globalValue;
    const next: Record<string, unknown> = { ...(raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : {}) };
    if (namespaces.length) next[context] = [...namespaces];
    else delete next[context];
    await cfg.update(Keys.searchNamespaces, Object.keys(next).length ? next : undefined, vscode.ConfigurationTarget.Global);
    // The configuration event follows; make the new list visible at once for the caller's refresh.
    this.last = this.all();
  }
}
