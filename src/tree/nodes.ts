import * as vscode from 'vscode';
import { describePermission, qualifiedResource } from '../kube/errors';
import { Commands, ContextValues, PERMISSION_MARKS } from '../shared/ids';
import type {
  ContextInfo,
  PermissionDenial,
  PermissionSummary,
  RefusedNamespace,
  VClusterAction,
  VClusterInfo,
  VClusterPhase,
  VClusterRef,
} from '../shared/model';
import { escapeMarkdown as escapeMd } from '../shared/inertText';
import { redact } from '../shared/redact';
import { ACTION_LABELS, describeMissing } from '../vcluster/permissions';
import { refKey } from '../shared/refKey';
import { TREE_NODE } from '../shared/treeNode';
import type { InsideNode } from './insideNodes';

// Tree node classes: small, with stable ids and a contextValue from shared/ids. They hold data only; the provider
// decides their children.

export type ExplorerNode = ContextNode | NamespaceNode | VClusterNode | MessageNode | InsideNode;

export class ContextNode {
  readonly type = 'context';
  readonly [TREE_NODE] = true;
  constructor(readonly info: ContextInfo) {}
  get id(): string {
    return `ctx:${this.info.name}`;
  }
  get context(): string {
    return this.info.name;
  }

  toTreeItem(): vscode.TreeItem {
    const c = this.info;
    const item = new vscode.TreeItem(c.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.contextValue = c.current ? ContextValues.contextCurrent : ContextValues.context;
    const host = c.server ? safeHost(c.server) : undefined;
    item.description = [c.current ? 'current' : undefined, c.vcluster ? 'vcluster' : undefined, host].filter(Boolean).join(' · ');
    item.iconPath = new vscode.ThemeIcon(c.vcluster ? 'vm' : 'cloud', c.current ? new vscode.ThemeColor('charts.blue') : undefined);
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${escapeMd(c.name)}**${c.current ? ' — current context' : ''}\n\n`);
    md.appendMarkdown(`| | |\n|---|---|\n| Cluster | ${escapeMd(c.cluster)} |\n| User | ${escapeMd(c.user)} |\n`);
    if (c.namespace) md.appendMarkdown(`| Namespace | ${escapeMd(c.namespace)} |\n`);
    if (c.server) md.appendMarkdown(`| Server | ${escapeMd(redact(c.server))} |\n`);
    md.appendMarkdown(`| File | ${escapeMd(c.file)} |\n`);
    if (c.vcluster)
      md.appendMarkdown(
        `\nvcluster **${escapeMd(c.vcluster.name)}** in namespace ${escapeMd(c.vcluster.namespace)} of ${escapeMd(c.vcluster.parentContext)}\n`,
      );
    item.tooltip = md;
    item.accessibilityInformation = { label: `Context ${c.name}${c.current ? ', current' : ''}` };
    return item;
  }
}

export class NamespaceNode {
  readonly type = 'namespace';
  readonly [TREE_NODE] = true;
  constructor(
    readonly context: string,
    readonly name: string,
    readonly vclusters: readonly VClusterInfo[],
    readonly parents: readonly { namespace: string; name: string }[] = [],
    /** How it came to be shown: found by a search of single namespaces (cluster-wide lists forbidden), or pinned. */
    readonly shownBecause?: 'searched' | 'pinned',
    /** Searched, but the API server refused its lists. */
    readonly refused?: RefusedNamespace,
    /** What the user may do here, when the API was asked (SelfSubjectRulesReview / access reviews). */
    readonly permissions?: PermissionSummary,
  ) {}
  get id(): string {
    return `ns:${this.context}|${this.parents.map((p) => `${p.namespace}/${p.name}|`).join('')}${this.name}`;
  }

  /** The same namespace with what its user may do. */
  withPermissions(permissions: PermissionSummary | undefined): NamespaceNode {
    return permissions === this.permissions
      ? this
      : new NamespaceNode(this.context, this.name, this.vclusters, this.parents, this.shownBecause, this.refused, permissions);
  }

  toTreeItem(): vscode.TreeItem {
    const n = this.vclusters.length;
    const item = new vscode.TreeItem(this.name, n ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    const refusedCreate = this.permissions?.actions.some((a) => a.action === 'create' && !a.allowed);
    item.contextValue = this.refused ? ContextValues.message : `${ContextValues.namespace}${refusedCreate ? ` ${PERMISSION_MARKS.create}` : ''}`;
    if (this.refused) {
      item.description = 'not readable';
      item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('editorWarning.foreground'));
      item.tooltip = this.refused.denial
        ? `Namespace ${this.name}: the API server refused ${describeDenial(this.refused.denial)}.`
        : `Namespace ${this.name}: ${this.refused.message}`;
      return item;
    }
    item.description = [n === 1 ? '1 vcluster' : `${n} vclusters`, this.shownBecause === 'searched' ? 'searched' : undefined].filter(Boolean).join(' · ');
    item.iconPath = new vscode.ThemeIcon('symbol-namespace');
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**Namespace ${escapeMd(this.name)}** — ${n === 1 ? '1 vcluster' : `${n} vclusters`}`);
    if (this.shownBecause === 'searched') md.appendMarkdown(' (searched: listing cluster-wide is forbidden)');
    md.appendMarkdown('\n\n');
    if (this.permissions) appendPermissions(md, this.permissions);
    else if (!this.parents.length) md.appendMarkdown('_What you may do here could not be checked._\n');
    item.tooltip = md;
    return item;
  }
}

/** "list statefulsets.apps cluster-wide for user \"alice\"" */
export function describeDenial(d: PermissionDenial): string {
  return `${describePermission(d)} for user "${d.user}"`;
}

/** The namespace tooltip's table of what the user may do there. */
export function appendPermissions(md: vscode.MarkdownString, p: PermissionSummary): void {
  md.appendMarkdown(`Your permissions here${p.user ? ` (user ${escapeMd(p.user)})` : ''}, as the API server answers:\n\n| | |\n|---|---|\n`);
  for (const a of p.actions) {
    const label = escapeMd(ACTION_LABELS[a.action]);
    md.appendMarkdown(
      a.allowed
        ? `| $(check) ${label} | allowed |\n`
        : `| $(circle-slash) ${label} | missing ${escapeMd(describeMissing(a.missing, 3).replace(/ in namespace \S+$/, ''))} |\n`,
    );
  }
  md.appendMarkdown(`\nChecked ${escapeMd(new Date(p.checkedAt).toLocaleTimeString())} with SelfSubjectRulesReview; refresh the context to ask again.\n`);
}

/** The actions a summary says the user may not take on the vclusters of its namespace. */
export function refusedActions(p: PermissionSummary | undefined): VClusterAction[] {
  return (p?.actions ?? []).filter((a) => !a.allowed && a.action !== 'list' && a.action !== 'create').map((a) => a.action);
}

const PHASE_ICON: Record<VClusterPhase, [string, string | undefined]> = {
  running: ['pass-filled', 'testing.iconPassed'],
  paused: ['debug-pause', 'charts.yellow'],
  sleeping: ['watch', 'charts.yellow'],
  pending: ['clock', 'charts.blue'],
  failing: ['error', 'testing.iconFailed'],
  scaledDown: ['circle-slash', 'disabledForeground'],
  unknown: ['question', undefined],
};

export function vclusterContextValue(v: VClusterInfo): string {
  if (v.connectedContext && v.phase !== 'paused') return v.current ? ContextValues.vclusterConnectedCurrent : ContextValues.vclusterConnected;
  switch (v.phase) {
    case 'running':
      return ContextValues.vclusterRunning;
    case 'paused':
      return ContextValues.vclusterPaused;
    case 'sleeping':
      return ContextValues.vclusterSleeping;
    case 'scaledDown':
      return ContextValues.vclusterScaledDown;
    default:
      return ContextValues.vclusterPending;
  }
}

export class VClusterNode {
  readonly type = 'vcluster';
  readonly [TREE_NODE] = true;
  constructor(
    readonly info: VClusterInfo,
    readonly expandable: boolean,
    readonly showNamespace = false,
    /** Actions the API says its user may not take (their menu entries are hidden). */
    readonly refused: readonly VClusterAction[] = [],
  ) {}
  get ref(): VClusterRef {
    return this.info.ref;
  }
  get id(): string {
    return `vc:${refKey(this.info.ref)}`;
  }

  toTreeItem(): vscode.TreeItem {
    const v = this.info;
    const item = new vscode.TreeItem(v.ref.name, this.expandable ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.contextValue =
      vclusterContextValue(v) +
      this.refused
        .filter((a): a is keyof typeof PERMISSION_MARKS => a in PERMISSION_MARKS)
        .map((a) => ` ${PERMISSION_MARKS[a]}`)
        .join('');
    const status = v.status || 'Unknown';
    item.description = [
      this.showNamespace ? v.ref.namespace : undefined,
      status,
      v.version ? `v${v.version.replace(/^v/, '')}` : undefined,
      v.distro,
      v.connectedContext ? (v.current ? 'connected · current' : 'connected') : undefined,
    ]
      .filter(Boolean)
      .join(' · ');
    const [icon, color] = PHASE_ICON[v.phase];
    item.iconPath = new vscode.ThemeIcon(v.connectedContext && v.phase === 'running' ? 'plug' : icon, color ? new vscode.ThemeColor(color) : undefined);
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**vcluster ${escapeMd(v.ref.name)}** — ${escapeMd(status)}\n\n| | |\n|---|---|\n`);
    md.appendMarkdown(`| Namespace | ${escapeMd(v.ref.namespace)} |\n| Context | ${escapeMd(v.ref.context)} |\n`);
    if (v.ref.parents?.length) md.appendMarkdown(`| Inside | ${v.ref.parents.map((p) => escapeMd(`${p.namespace}/${p.name}`)).join(' → ')} |\n`);
    md.appendMarkdown(`| Workload | ${v.kind} (replicas ${v.replicas}) |\n`);
    if (v.version) md.appendMarkdown(`| Version | ${escapeMd(v.version)} |\n`);
    if (v.distro) md.appendMarkdown(`| Distro | ${escapeMd(v.distro)} |\n`);
    if (v.chart) md.appendMarkdown(`| Chart | ${escapeMd(v.chart)} |\n`);
    if (v.created) md.appendMarkdown(`| Created | ${escapeMd(new Date(v.created).toLocaleString())} |\n`);
    md.appendMarkdown(`| Connected | ${v.connectedContext ? escapeMd(v.connectedContext) : 'no'} |\n`);
    if (v.endpoint) md.appendMarkdown(`| Endpoint | ${escapeMd(redact(v.endpoint))} |\n`);
    if (v.nonDeletable) md.appendMarkdown('\nDeletion is prevented by the vCluster Platform.\n');
    if (this.refused.length)
      md.appendMarkdown(`\nYou may not: ${this.refused.map((a) => escapeMd(ACTION_LABELS[a].toLowerCase())).join(', ')} (see the namespace's tooltip).\n`);
    if (v.ignoredKubeconfigFields?.length) {
      md.appendMarkdown(
        `\n$(shield) Its kubeconfig secret vc\\-${escapeMd(v.ref.name)} names what a kubeconfig from a cluster may not use; left out (nothing it names is run or read): ${v.ignoredKubeconfigFields.map((f) => `\`${f.replace(/`/g, '')}\``).join(', ')}\n`,
      );
    }
    item.tooltip = md;
    item.accessibilityInformation = { label: `vcluster ${v.ref.name}, ${status}${v.connectedContext ? ', connected' : ''}` };
    return item;
  }
}

export class MessageNode {
  readonly type = 'message';
  readonly [TREE_NODE] = true;
  constructor(
    readonly parentId: string,
    readonly label: string,
    readonly detail: string | undefined,
    readonly kind: 'error' | 'info' | 'warning',
    readonly retry?: { context?: string; ref?: VClusterRef },
    readonly command?: vscode.Command,
  ) {}
  get id(): string {
    return `msg:${this.parentId}:${this.label}`;
  }
  /** For the refresh command: what this error node retries. */
  get context(): string | undefined {
    return this.retry?.context ?? this.retry?.ref?.context;
  }

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(redact(this.label), vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.contextValue = this.retry ? ContextValues.errorRetry : ContextValues.message;
    item.iconPath = new vscode.ThemeIcon(
      this.kind === 'error' ? 'error' : this.kind === 'warning' ? 'warning' : 'info',
      this.kind === 'error'
        ? new vscode.ThemeColor('errorForeground')
        : this.kind === 'warning'
          ? new vscode.ThemeColor('editorWarning.foreground')
          : undefined,
    );
    // Error details often carry server answers: they pass through redact() like every text a person sees.
    const detail = this.detail === undefined ? undefined : redact(this.detail);
    if (detail) {
      item.tooltip = detail;
      item.description = this.retry ? 'hover for details · retry' : undefined;
    }
    item.command = this.command ?? (this.retry ? { command: Commands.refresh, title: 'Retry', arguments: [this] } : undefined);
    item.accessibilityInformation = { label: redact(`${this.kind}: ${this.label}. ${detail ?? ''}`) };
    return item;
  }
}

/**
 * Listing vclusters was refused cluster-wide and in every namespace searched. Says which request was refused for which
 * user; clicking it (or its inline action) asks for namespaces to search, and it also offers to set the context's
 * namespace in the kubeconfig.
 */
export class ForbiddenNode extends MessageNode {
  constructor(
    parentId: string,
    readonly forContext: string,
    readonly denial: PermissionDenial | undefined,
    readonly searched: readonly string[],
    detail: string,
  ) {
    super(
      parentId,
      denial ? `Forbidden: ${denial.verb} ${qualifiedResource(denial.resource, denial.group)}` : 'Forbidden',
      detail,
      'error',
      { context: forContext },
      { command: Commands.setSearchNamespaces, title: 'Search Namespaces…', arguments: [{ context: forContext }] },
    );
  }

  override toTreeItem(): vscode.TreeItem {
    const item = super.toTreeItem();
    item.contextValue = ContextValues.forbidden;
    item.description = [this.denial ? `user ${this.denial.user}` : undefined, 'search namespaces…'].filter(Boolean).join(' · ');
    return item;
  }
}

/** Cluster-wide lists are forbidden and single namespaces were searched: which, and a way to change them. */
export class SearchInfoNode extends MessageNode {
  constructor(
    parentId: string,
    readonly forContext: string,
    searched: readonly string[],
    detail: string,
  ) {
    super(parentId, `Searching ${searched.join(', ')}`, detail, 'info', undefined, {
      command: Commands.setSearchNamespaces,
      title: 'Search Namespaces…',
      arguments: [{ context: forContext }],
    });
  }

  override get context(): string {
    return this.forContext;
  }

  override toTreeItem(): vscode.TreeItem {
    const item = super.toTreeItem();
    item.contextValue = ContextValues.searchInfo;
    item.description = 'cluster-wide lists forbidden · change…';
    return item;
  }
}

function safeHost(server: string): string | undefined {
  try {
    return new URL(server).host;
  } catch {
    return undefined;
  }
}
