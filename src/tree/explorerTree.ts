import * as vscode from 'vscode';
import type { ExplorerModel, ChangeEvent } from '../vcluster/explorer';
import { KubeError } from '../kube/errors';
import { ContextKeys } from '../shared/ids';
import { errorMessage } from '../shared/errors';
import type { DiscoveryResult, VClusterInfo, VClusterRef } from '../shared/model';
import { contextKey, refKey } from '../vcluster/refs';
import type { Logger } from '../platform/logger';
import { Disposable } from '../platform/disposable';
import { ContextNode, type ExplorerNode, MessageNode, NamespaceNode, VClusterNode } from './nodes';

export interface TreeDeps {
  readonly model: () => Promise<ExplorerModel>;
  readonly logger: Logger;
  readonly nestedMaxDepth: () => number;
  readonly decorate: (v: VClusterInfo) => VClusterInfo;
}

/**
 * The explorer tree: contexts → host namespaces → vclusters → nested vclusters. Children come from the model
 * (cached, watched); each failure becomes an error child with a retry action, so one broken context never blocks the
 * others and the tree never freezes. Nodes are kept by id so that a change event refreshes exactly its subtree.
 */
export class ExplorerTreeProvider extends Disposable implements vscode.TreeDataProvider<ExplorerNode> {
  private readonly emitter = this.register(new vscode.EventEmitter<ExplorerNode | undefined>());
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly nodes = new Map<string, ExplorerNode>();
  private readonly parents = new Map<string, ExplorerNode | undefined>();
  /** Per-context namespace filter: extra namespaces to show even without vclusters. */
  private readonly pinned = new Map<string, Set<string>>();
  /** Expanded vcluster nodes (by node id): they may make requests into their virtual cluster (model.hold). */
  private readonly expanded = new Map<string, { ref: VClusterRef; hold: { dispose(): void } }>();
  private subscribed = false;

  constructor(private readonly deps: TreeDeps) {
    super();
  }

  getTreeItem(node: ExplorerNode): vscode.TreeItem {
    // A vcluster's tooltip also shows what was left out of its kubeconfig secret, which is known only once the secret
    // was read (after the node was made): decorate again when rendering.
    if (node instanceof VClusterNode) return new VClusterNode(this.deps.decorate(node.info), node.expandable, node.showNamespace).toTreeItem();
    return node.toTreeItem();
  }

  getParent(node: ExplorerNode): ExplorerNode | undefined {
    return this.parents.get(node.id);
  }

  async getChildren(node?: ExplorerNode): Promise<ExplorerNode[]> {
    let model: ExplorerModel;
    try {
      model = await this.deps.model();
    } catch (err) {
      return [new MessageNode('root', 'vcluster Explorer could not start', errorMessage(err), 'error')];
    }
    this.subscribe(model);
    const kids = await this.children(model, node);
    for (const k of kids) {
      this.nodes.set(k.id, k);
      this.parents.set(k.id, node);
    }
    return kids;
  }

  private subscribe(model: ExplorerModel): void {
    if (this.subscribed) return;
    this.subscribed = true;
    this.register(model.onDidChange((e) => this.onModelChange(e)));
  }

  private onModelChange(e: ChangeEvent): void {
    if (e.scope === 'kubeconfig') {
      this.emitter.fire(undefined);
      return;
    }
    const id = e.scope === 'context' ? `ctx:${e.context}` : `vc:${refKey(e.ref)}`;
    const node = this.nodes.get(id);
    this.emitter.fire(node);
  }

  private async children(model: ExplorerModel, node?: ExplorerNode): Promise<ExplorerNode[]> {
    if (!node) {
      const snap = model.snapshot() ?? (await model.reloadKubeconfig());
      void vscode.commands.executeCommand('setContext', ContextKeys.state, snap.state);
      const out: ExplorerNode[] = snap.contexts.map((c) => new ContextNode(c));
      // File-level problems (invalid YAML, unreadable file, …) are shown even when they leave no context at all: the
      // welcome view's "no contexts" would hide the real reason.
      for (const p of snap.problems) out.push(new MessageNode('root', p.length > 90 ? `${p.slice(0, 87)}…` : p, p, 'warning'));
      return snap.state === 'noKubeconfig' ? [] : out;
    }
    switch (node.type) {
      case 'context': return this.contextChildren(model, node);
      case 'namespace': return node.vclusters.map((v) => this.vclusterNode(v, false));
      case 'vcluster': return this.nestedChildren(model, node);
      default: return [];
    }
  }

  private vclusterNode(v: VClusterInfo, showNamespace: boolean): VClusterNode {
    const depth = (v.ref.parents?.length ?? 0) + 1;
    return new VClusterNode(this.deps.decorate(v), depth <= this.deps.nestedMaxDepth(), showNamespace);
  }

  private async contextChildren(model: ExplorerModel, node: ContextNode): Promise<ExplorerNode[]> {
    const ctx = node.info;
    const problems = model.snapshot()?.merged?.contexts.get(ctx.name)?.problems ?? [];
    if (problems.length) {
      return [new MessageNode(node.id, 'Unusable kubeconfig entry', problems.join('\n'), 'error', { context: ctx.name })];
    }
    let result: DiscoveryResult;
    try {
      result = await model.vclusters(ctx.name);
    } catch (err) {
      this.deps.logger.warn(`Listing vclusters in context ${ctx.name} failed: ${errorMessage(err)}`);
      return [errorNode(node.id, err, { context: ctx.name })];
    }
    const out: ExplorerNode[] = [];
    if (result.restricted) {
      out.push(new MessageNode(node.id, `Only namespace ${result.searchedNamespaces?.join(', ')} searched`,
        'Listing StatefulSets and Deployments cluster-wide is forbidden for this user, so discovery fell back to the context\'s namespace, as the vcluster CLI does.', 'warning'));
    }
    const pinned = this.pinned.get(ctx.name) ?? new Set<string>();
    const seen = new Set<string>();
    for (const ns of result.namespaces) {
      seen.add(ns.name);
      out.push(new NamespaceNode(ctx.name, ns.name, ns.vclusters));
    }
    for (const ns of [...pinned].sort()) if (!seen.has(ns)) out.push(new NamespaceNode(ctx.name, ns, []));
    if (result.namespaces.length === 0 && !result.restricted) {
      out.push(new MessageNode(node.id, 'No vclusters', 'No StatefulSet or Deployment labelled app=vcluster was found in this cluster.', 'info'));
    }
    return out;
  }

  private async nestedChildren(model: ExplorerModel, node: VClusterNode): Promise<ExplorerNode[]> {
    const v = node.info;
    if (!this.expanded.has(node.id)) this.expanded.set(node.id, { ref: v.ref, hold: model.hold(v.ref) });
    if (v.phase === 'paused' || v.phase === 'sleeping' || v.phase === 'scaledDown') {
      return [new MessageNode(node.id, `${v.status || 'Not running'}: resume it to see nested vclusters`, 'A paused vcluster has no running API server to ask.', 'info')];
    }
    let result: DiscoveryResult;
    try {
      result = await model.nested(v.ref);
    } catch (err) {
      this.deps.logger.warn(`Nested discovery in vcluster ${v.ref.namespace}/${v.ref.name} failed: ${errorMessage(err)}`);
      return [errorNode(node.id, err, { ref: v.ref })];
    }
    const all = result.namespaces.flatMap((n) => n.vclusters);
    if (all.length === 0) return [new MessageNode(node.id, 'No nested vclusters', undefined, 'info')];
    return all.map((x) => this.vclusterNode(x, true));
  }

  /** Refreshes a subtree (or everything): drops the model's cache for it and asks VS Code to re-render. */
  async refresh(target?: { context?: string; ref?: VClusterRef }): Promise<void> {
    const model = await this.deps.model();
    if (!target || (!target.context && !target.ref)) {
      model.invalidate();
      await model.reloadKubeconfig();
      this.emitter.fire(undefined);
      return;
    }
    if (target.ref) {
      model.invalidate(refKey(target.ref));
      this.emitter.fire(this.nodes.get(`vc:${refKey(target.ref)}`));
      return;
    }
    const context = target.context ?? '';
    model.invalidate(contextKey(context));
    this.emitter.fire(this.nodes.get(`ctx:${context}`));
  }

  /**
   * A node was collapsed: the vclusters at or below it stop every request into their virtual clusters (watches end,
   * clients close unless a view holds them). Their children are read again on the next expansion.
   */
  async collapsed(node: ExplorerNode): Promise<void> {
    const model = await this.deps.model();
    let released = 0;
    for (const [id, e] of [...this.expanded]) {
      if (!this.isAtOrBelow(id, node.id)) continue;
      this.expanded.delete(id);
      e.hold.dispose();
      model.collapse(e.ref);
      released++;
    }
    if (released) {
      this.deps.logger.debug(`collapsed ${node.id}: ${released} vcluster subtree(s) no longer watched`);
      this.emitter.fire(node);
    }
  }

  private isAtOrBelow(id: string, ancestorId: string): boolean {
    for (let cur: string | undefined = id, guard = 0; cur && guard < 64; guard++) {
      if (cur === ancestorId) return true;
      cur = this.parents.get(cur)?.id;
    }
    return false;
  }

  /** Vcluster nodes currently holding their virtual cluster open (tests). */
  expandedVClusters(): VClusterRef[] {
    return [...this.expanded.values()].map((e) => e.ref);
  }

  override dispose(): void {
    for (const e of this.expanded.values()) e.hold.dispose();
    this.expanded.clear();
    super.dispose();
  }

  /** Namespaces pinned by the filter command for a context. */
  setPinned(context: string, namespaces: readonly string[]): void {
    this.pinned.set(context, new Set(namespaces));
    this.emitter.fire(this.nodes.get(`ctx:${context}`));
  }

  pinnedNamespaces(context: string): readonly string[] {
    return [...(this.pinned.get(context) ?? [])];
  }

  /** Latest node instance for an id (tests and reveal). */
  node(id: string): ExplorerNode | undefined {
    return this.nodes.get(id);
  }
}

function errorNode(parentId: string, err: unknown, retry: { context?: string; ref?: VClusterRef }): MessageNode {
  const short = (err as { shortLabel?: unknown } | undefined)?.shortLabel;
  const label = err instanceof KubeError ? err.shortLabel : typeof short === 'string' ? short : 'Failed';
  return new MessageNode(parentId, label, errorMessage(err), 'error', retry);
}
