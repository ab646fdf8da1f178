// The Clusters view's TreeDataProvider: the node cache, the parent links, the expansion holds and the watches of
// expanded folders, kept consistent in one object because VS Code asks one provider for children, parents and items.
// The node kinds are in nodes.ts and insideNodes.ts, the model in src/vcluster/explorer.ts.
import * as vscode from 'vscode';
import type { ExplorerModel, ChangeEvent } from '../vcluster/explorer';
import { KubeError } from '../kube/errors';
import { DiscoveryForbiddenError } from '../vcluster/discovery';
import type { WorkloadKind } from '../vcluster/permissions';
import { setContextKey } from '../platform/contextKeys';
import { Commands } from '../shared/ids';
import { errorMessage } from '../shared/errors';
import { lateHandle } from '../shared/lateHandle';
import type { DiscoveryResult, VClusterAction, VClusterInfo, VClusterRef } from '../shared/model';
import { contextKey, refKey } from '../shared/refKey';
import type { Logger } from '../platform/logger';
import { Disposable } from '../platform/disposable';
import type { InsideVClusters } from '../vcluster/inside';
import { PAGE_SIZE, RESOURCE_KINDS } from '../vcluster/resources';
import { ForwardNode, KindFolderNode, ResourceNode, VNamespaceNode, VNamespacesFolderNode } from './insideNodes';
import {
  ContextNode,
  type ExplorerNode,
  ForbiddenNode,
  MessageNode,
  NamespaceNode,
  SearchInfoNode,
  VClusterNode,
  describeDenial,
  refusedActions,
} from './nodes';

/** The namespaces to search per context (kept across reloads by the extension). */
export interface SearchNamespaces {
  get(context: string): readonly string[];
  set(context: string, namespaces: readonly string[]): Promise<void>;
}

export interface TreeDeps {
  readonly model: () => Promise<ExplorerModel>;
  /** Working inside vclusters (namespaces, workloads, port-forwards). */
  readonly inside: () => Promise<InsideVClusters>;
  readonly logger: Logger;
  readonly nestedMaxDepth: () => number;
  readonly decorate: (v: VClusterInfo) => VClusterInfo;
  readonly searchNamespaces: SearchNamespaces;
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
  /** Expanded vcluster nodes (by node id): they may make requests into their virtual cluster (model.hold). */
  private readonly expanded = new Map<string, { ref: VClusterRef; hold: { dispose(): void } }>();
  private subscribed = false;
  private modelSync?: ExplorerModel;
  /** Namespaces (context|namespace) whose permissions are being asked for, or could not be: not asked again until a refresh. */
  private readonly permissionRequests = new Set<string>();
  /** Watches inside vclusters, by the id of the expanded folder node that shows what they watch. */
  private readonly watches = new Map<string, { dispose(): void }>();
  private readonly watchDebounce = new Map<string, NodeJS.Timeout>();
  /** How many objects a kind folder shows (grows with "Show more"). */
  private readonly limits = new Map<string, number>();
  private insideSync?: InsideVClusters;

  constructor(private readonly deps: TreeDeps) {
    super();
  }

  getTreeItem(node: ExplorerNode): vscode.TreeItem {
    if (node instanceof NamespaceNode) {
      // Permissions arrive after the node was made: render with the latest answer. Without one, a host namespace has no
      // tooltip yet, so that VS Code asks resolveTreeItem for it on hover (it only resolves what is undefined).
      const n = this.withPermissions(node);
      const item = n.toTreeItem();
      if (!n.permissions && !n.parents.length && !n.refused) item.tooltip = undefined;
      return item;
    }
    // A vcluster's tooltip also shows what was left out of its kubeconfig secret, which is known only once the secret
    // was read (after the node was made): decorate again when rendering (keeping the actions its user may not take).
    if (node instanceof VClusterNode) return new VClusterNode(this.deps.decorate(node.info), node.expandable, node.showNamespace, node.refused).toTreeItem();
    return node.toTreeItem();
  }

  /**
   * The tooltip of a host namespace says what its user may do there: asked on hover when not known yet (a search shows
   * it at once), then the node is rendered again so that its menus and its vclusters' menus follow the answer.
   */
  async resolveTreeItem(item: vscode.TreeItem, node: ExplorerNode, token: vscode.CancellationToken): Promise<vscode.TreeItem> {
    if (!(node instanceof NamespaceNode) || item.tooltip !== undefined) return item;
    try {
      const model = await this.deps.model();
      const permissions = await model.permissions(node.context, node.name, kindsOf(node));
      item.tooltip = node.withPermissions(permissions).toTreeItem().tooltip;
      // Its menus (create) and its vclusters' menus follow the answer.
      if (!token.isCancellationRequested) this.emitter.fire(this.nodes.get(node.id) ?? node);
    } catch (err) {
      this.deps.logger.debug(`Permissions in ${node.context}/${node.name}: ${errorMessage(err)}`);
      item.tooltip = node.toTreeItem().tooltip;
    }
    return item;
  }

  private withPermissions(node: NamespaceNode): NamespaceNode {
    if (node.parents.length || node.refused) return node;
    return node.withPermissions(this.modelSync?.cachedPermissions(node.context, node.name) ?? node.permissions);
  }

  /** Asks for a namespace's permissions in the background and renders the namespace again when they are known. */
  private loadPermissions(model: ExplorerModel, node: NamespaceNode): void {
    const key = `${node.context}|${node.name}`;
    if (model.cachedPermissions(node.context, node.name) || this.permissionRequests.has(key)) return;
    this.permissionRequests.add(key);
    model.permissions(node.context, node.name, kindsOf(node)).then(
      () => {
        this.permissionRequests.delete(key);
        this.emitter.fire(this.nodes.get(node.id) ?? node);
      },
      (err: unknown) => this.deps.logger.debug(`Permissions in ${node.context}/${node.name}: ${errorMessage(err)}`),
    );
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
    this.modelSync = model;
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
      const snap = await model.kubeconfig();
      setContextKey('state', snap.state);
      const out: ExplorerNode[] = snap.contexts.map((c) => new ContextNode(c));
      // File-level problems (invalid YAML, unreadable file, …) are shown even when they leave no context at all: the
      // welcome view's "no contexts" would hide the real reason.
      for (const p of snap.problems) out.push(new MessageNode('root', p.length > 90 ? `${p.slice(0, 87)}…` : p, p, 'warning'));
      return snap.state === 'noKubeconfig' ? [] : out;
    }
    switch (node.type) {
      case 'context':
        return this.contextChildren(model, node);
      case 'namespace': {
        const refused = refusedActions(this.withPermissions(node).permissions);
        return node.vclusters.map((v) => this.vclusterNode(v, false, refused));
      }
      case 'vcluster':
        return this.nestedChildren(model, node);
      case 'vnamespaces':
        return this.virtualNamespaces(node);
      case 'vnamespace':
        return RESOURCE_KINDS.map((k) => new KindFolderNode(node.ref, node.name, k.kind));
      case 'vkind':
        return this.kindChildren(node);
      default:
        return [];
    }
  }

  private vclusterNode(v: VClusterInfo, showNamespace: boolean, refused: readonly VClusterAction[] = []): VClusterNode {
    const depth = (v.ref.parents?.length ?? 0) + 1;
    return new VClusterNode(this.deps.decorate(v), depth <= this.deps.nestedMaxDepth(), showNamespace, refused);
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
      if (err instanceof DiscoveryForbiddenError) return [forbiddenNode(node.id, ctx.name, err)];
      return [errorNode(node.id, err, { context: ctx.name })];
    }
    const out: ExplorerNode[] = [];
    const listed = this.deps.searchNamespaces.get(ctx.name);
    if (result.restricted) {
      const searched = result.searchedNamespaces ?? [];
      const refusal = result.clusterWideDenial
        ? `The API server refused ${describeDenial(result.clusterWideDenial)}`
        : 'Listing StatefulSets and Deployments cluster-wide is forbidden for this user';
      out.push(
        new SearchInfoNode(
          node.id,
          ctx.name,
          searched,
          `${refusal}, so discovery searched single namespaces: the context's namespace${ctx.namespace ? ` (${ctx.namespace})` : ' ("default" when it has none, as the vcluster CLI does)'}` +
            `${listed.length ? ` and the namespaces set to search (${listed.join(', ')})` : ''}. Click to change the namespaces to search.`,
        ),
      );
      const found = new Map(result.namespaces.map((ns) => [ns.name, ns]));
      for (const name of searched) {
        const ns = new NamespaceNode(ctx.name, name, found.get(name)?.vclusters ?? [], [], 'searched');
        out.push(ns);
        this.loadPermissions(model, ns);
      }
      for (const r of result.refusedNamespaces ?? []) out.push(new NamespaceNode(ctx.name, r.namespace, [], [], 'searched', r));
      return out;
    }
    const pinned = new Set(listed);
    const seen = new Set<string>();
    for (const ns of result.namespaces) {
      seen.add(ns.name);
      out.push(new NamespaceNode(ctx.name, ns.name, ns.vclusters, [], pinned.has(ns.name) ? 'pinned' : undefined));
    }
    for (const ns of [...pinned].sort()) if (!seen.has(ns)) out.push(new NamespaceNode(ctx.name, ns, [], [], 'pinned'));
    if (result.namespaces.length === 0) {
      out.push(new MessageNode(node.id, 'No vclusters', 'No StatefulSet or Deployment labelled app=vcluster was found in this cluster.', 'info'));
    }
    return out;
  }

  private async nestedChildren(model: ExplorerModel, node: VClusterNode): Promise<ExplorerNode[]> {
    const v = node.info;
    if (!this.expanded.has(node.id)) this.expanded.set(node.id, { ref: v.ref, hold: model.hold(v.ref) });
    if (v.phase === 'paused' || v.phase === 'sleeping' || v.phase === 'scaledDown') {
      return [
        new MessageNode(
          node.id,
          `${v.status || 'Not running'}: resume it to see nested vclusters`,
          'A paused vcluster has no running API server to ask.',
          'info',
        ),
      ];
    }
    // Inside a running vcluster whose API server answers: after the nested vclusters, its namespaces (loaded when
    // expanded) and the port-forwards into it.
    const inside = async (): Promise<ExplorerNode[]> =>
      v.phase === 'running' ? [new VNamespacesFolderNode(v.ref), ...(await this.forwardNodes(node.id, v.ref))] : [];
    let result: DiscoveryResult;
    try {
      result = await model.nested(v.ref);
    } catch (err) {
      this.deps.logger.warn(`Nested discovery in vcluster ${v.ref.namespace}/${v.ref.name} failed: ${errorMessage(err)}`);
      // When its API server cannot be reached at all, the error says everything; otherwise (nested discovery refused,
      // say) what is inside may still be readable.
      const reachable = await model.reach(v.ref).then(
        () => true,
        () => false,
      );
      return [errorNode(node.id, err, { ref: v.ref }), ...(reachable ? await inside() : [])];
    }
    const all = result.namespaces.flatMap((n) => n.vclusters);
    const rest = await inside();
    if (all.length === 0) return rest.length ? rest : [new MessageNode(node.id, 'No nested vclusters', undefined, 'info')];
    return [...all.map((x) => this.vclusterNode(x, true)), ...rest];
  }

  private async forwardNodes(parentId: string, ref: VClusterRef): Promise<ForwardNode[]> {
    const inside = this.insideSync ?? (await this.deps.inside());
    this.insideSync = inside;
    const key = refKey(ref);
    return inside
      .listForwards()
      .filter((f) => refKey(f.target.ref) === key)
      .map(
        (f) =>
          new ForwardNode(
            parentId,
            f.id,
            `127.0.0.1:${f.localPort} → ${f.target.kind === 'Service' ? 'svc' : 'pod'}/${f.target.name}:${f.port}`,
            `Port-forward from 127.0.0.1:${f.localPort} to ${f.target.kind.toLowerCase()} ${f.target.namespace}/${f.target.name} port ${f.port} (pod ${f.pod}:${f.podPort})${f.lastError ? `\n\nLast failure: ${f.lastError}` : ''}`,
            !!f.lastError,
          ),
      );
  }

  /** The port-forwards changed: the vclusters that show them render again. */
  forwardsChanged(): void {
    for (const n of this.nodes.values()) if (n instanceof VClusterNode && this.expanded.has(n.id)) this.emitter.fire(n);
  }

  private async virtualNamespaces(node: VNamespacesFolderNode): Promise<ExplorerNode[]> {
    const inside = await this.deps.inside();
    try {
      const list = await inside.namespaces(node.ref);
      this.watchWhileExpanded(node, () => inside.watch(node.ref, {}, () => this.changedLater(node)));
      if (!list.length) return [new MessageNode(node.id, 'No namespaces', undefined, 'info')];
      return list.map((n) => new VNamespaceNode(node.ref, n.name, n.system, n.phase));
    } catch (err) {
      this.deps.logger.warn(`Listing the namespaces inside vcluster ${node.ref.namespace}/${node.ref.name} failed: ${errorMessage(err)}`);
      return [errorNode(node.id, err, { ref: node.ref })];
    }
  }

  private async kindChildren(node: KindFolderNode): Promise<ExplorerNode[]> {
    const inside = await this.deps.inside();
    const limit = this.limits.get(node.id) ?? PAGE_SIZE;
    try {
      const page = await inside.resourcePage(node.ref, { namespace: node.namespace, kind: node.kind, limit });
      this.watchWhileExpanded(node, () =>
        inside.watch(node.ref, { namespace: node.namespace, kind: node.kind, ...(page.resourceVersion ? { resourceVersion: page.resourceVersion } : {}) }, () =>
          this.changedLater(node),
        ),
      );
      const out: ExplorerNode[] = page.items.map((r) => new ResourceNode(node.ref, r));
      if (!out.length) out.push(new MessageNode(node.id, `No ${node.plural.toLowerCase()}`, undefined, 'info'));
      if (page.continue) {
        out.push(
          new MessageNode(
            node.id,
            `Showing the first ${page.items.length}: show ${PAGE_SIZE} more…`,
            `There are more ${node.plural.toLowerCase()} in ${node.namespace}; they are listed ${PAGE_SIZE} at a time.`,
            'info',
            undefined,
            { command: Commands.showMore, title: 'Show More', arguments: [node.id] },
          ),
        );
      }
      return out;
    } catch (err) {
      this.deps.logger.warn(`Listing ${node.plural} in ${node.namespace} inside vcluster ${node.ref.name} failed: ${errorMessage(err)}`);
      return [errorNode(node.id, err, { ref: node.ref })];
    }
  }

  /** vcluster.showMore: a kind folder shows PAGE_SIZE more objects. */
  showMore(arg: unknown): void {
    const id = typeof arg === 'string' ? arg : arg instanceof KindFolderNode ? arg.id : undefined;
    const node = id ? this.nodes.get(id) : undefined;
    if (!id || !(node instanceof KindFolderNode)) return;
    this.limits.set(id, (this.limits.get(id) ?? PAGE_SIZE) + PAGE_SIZE);
    this.emitter.fire(node);
  }

  /** Starts a watch for an expanded folder once; collapsing it (or a node above it) stops the watch. */
  private watchWhileExpanded(node: ExplorerNode, start: () => Promise<{ dispose(): void }>): void {
    if (this.watches.has(node.id)) return;
    this.watches.set(
      node.id,
      lateHandle(start(), (err: unknown) => {
        this.watches.delete(node.id);
        this.deps.logger.warn(`Watching ${node.id} failed: ${errorMessage(err)}`);
      }),
    );
  }

  /** A watched folder changed: render it again a moment later (changes come in bursts). */
  private changedLater(node: ExplorerNode): void {
    clearTimeout(this.watchDebounce.get(node.id));
    this.watchDebounce.set(
      node.id,
      setTimeout(() => {
        this.watchDebounce.delete(node.id);
        if (this.watches.has(node.id)) this.emitter.fire(this.nodes.get(node.id) ?? node);
      }, 300),
    );
  }

  /** Folders inside vclusters being watched now (tests). */
  watchedFolders(): string[] {
    return [...this.watches.keys()];
  }

  /** Refreshes a subtree (or everything): drops the model's cache for it and asks VS Code to re-render. */
  async refresh(target?: { context?: string; ref?: VClusterRef }): Promise<void> {
    const model = await this.deps.model();
    if (!target || (!target.context && !target.ref)) {
      model.invalidate();
      this.permissionRequests.clear();
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
    for (const k of [...this.permissionRequests]) if (k.startsWith(`${context}|`)) this.permissionRequests.delete(k);
    this.emitter.fire(this.nodes.get(`ctx:${context}`));
  }

  /**
   * A node was collapsed: the vclusters at or below it stop every request into their virtual clusters (watches end,
   * clients close unless a view holds them). Their children are read again on the next expansion.
   */
  async collapsed(node: ExplorerNode): Promise<void> {
    const model = await this.deps.model();
    for (const [id, w] of [...this.watches]) {
      if (!this.isAtOrBelow(id, node.id)) continue;
      w.dispose();
      this.watches.delete(id);
      clearTimeout(this.watchDebounce.get(id));
      this.watchDebounce.delete(id);
      this.limits.delete(id);
    }
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
    for (const w of this.watches.values()) w.dispose();
    this.watches.clear();
    for (const t of this.watchDebounce.values()) clearTimeout(t);
    for (const e of this.expanded.values()) e.hold.dispose();
    this.expanded.clear();
    super.dispose();
  }

  /**
   * Sets the namespaces to search (cluster-wide lists forbidden) or to show (allowed) for a context, kept across
   * reloads, and discovers the context again.
   */
  async setSearchNamespaces(context: string, namespaces: readonly string[]): Promise<void> {
    await this.deps.searchNamespaces.set(context, namespaces);
    await this.refresh({ context });
  }

  /** The namespaces to search or show for a context. */
  searchNamespaces(context: string): readonly string[] {
    return this.deps.searchNamespaces.get(context);
  }

  /** Latest node instance for an id (tests and reveal). */
  node(id: string): ExplorerNode | undefined {
    return this.nodes.get(id);
  }
}

function kindsOf(node: NamespaceNode): WorkloadKind[] {
  return [...new Set(node.vclusters.map((v) => v.kind))];
}

function forbiddenNode(parentId: string, context: string, err: DiscoveryForbiddenError): ForbiddenNode {
  const d = err.clusterWide ?? err.denial;
  const where = err.searched.length === 1 ? `namespace "${err.searched[0]}"` : `namespaces ${err.searched.join(', ')}`;
  const detail = [
    d ? `The API server refused ${describeDenial(d)}, and listing in ${where} was refused too.` : err.message,
    ...err.refused.filter((r) => r.denial && r.denial !== d).map((r) => `In ${r.namespace}: refused ${describeDenial(r.denial!)}.`),
    '',
    'Tenants of a shared cluster may usually read only their own namespaces. "Search Namespaces…" (click) names the namespaces to look in for this context; "Set the Context\'s Namespace…" writes one into the kubeconfig, as `kubectl config set-context --current --namespace` does.',
  ].join('\n');
  return new ForbiddenNode(parentId, context, d, err.searched, detail);
}

function errorNode(parentId: string, err: unknown, retry: { context?: string; ref?: VClusterRef }): MessageNode {
  const short = (err as { shortLabel?: unknown } | undefined)?.shortLabel;
  const label = err instanceof KubeError ? err.shortLabel : typeof short === 'string' ? short : 'Failed';
  return new MessageNode(parentId, label, errorMessage(err), 'error', retry);
}
