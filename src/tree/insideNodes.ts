import * as vscode from 'vscode';
import { ContextValues } from '../shared/ids';
import type { ResourceInfo, ResourceKind, VClusterRef } from '../shared/model';
import { escapeMarkdown as escapeMd } from '../shared/inertText';
import { refKey } from '../shared/refKey';
import { TREE_NODE } from '../shared/treeNode';
import { RESOURCE_KINDS, shortAge } from '../vcluster/resources';

// Tree nodes inside a vcluster: its "Namespaces" folder, each virtual namespace, a folder per kind, and the objects.
// Names, statuses and labels are cluster data (chosen by whoever created the objects): they are shown as plain text
// (labels, descriptions) or escaped Markdown without links or commands (tooltips).

export type InsideNode = VNamespacesFolderNode | VNamespaceNode | KindFolderNode | ResourceNode | ForwardNode;

const KIND_ICONS: Record<ResourceKind, string> = {
  Pod: 'symbol-constructor',
  Deployment: 'layers',
  StatefulSet: 'database',
  DaemonSet: 'server-process',
  Job: 'checklist',
  Service: 'plug',
  ConfigMap: 'symbol-key',
};

/** contextValue of an object node (menus match its start; " synced" follows when it has a host twin). */
export function resourceContextValue(r: ResourceInfo): string {
  const base =
    r.kind === 'Pod'
      ? ContextValues.insidePod
      : r.kind === 'Service'
        ? ContextValues.insideService
        : r.kind === 'ConfigMap'
          ? ContextValues.insideConfigMap
          : ContextValues.insideWorkload;
  return r.host ? `${base} synced` : base;
}

export class VNamespacesFolderNode {
  readonly type = 'vnamespaces';
  readonly [TREE_NODE] = true;
  constructor(readonly ref: VClusterRef) {}
  get id(): string {
    return `vnsf:${refKey(this.ref)}`;
  }

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('Namespaces', vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.contextValue = ContextValues.insideNamespaces;
    item.iconPath = new vscode.ThemeIcon('folder-library');
    item.tooltip = `The namespaces inside vcluster ${this.ref.name}, read from its own API server. Loaded when expanded, watched while expanded.`;
    return item;
  }
}

export class VNamespaceNode {
  readonly type = 'vnamespace';
  readonly [TREE_NODE] = true;
  constructor(
    readonly ref: VClusterRef,
    readonly name: string,
    readonly system: boolean,
    readonly phase?: string,
  ) {}
  get id(): string {
    return `vns:${refKey(this.ref)}|${encodeURIComponent(this.name)}`;
  }

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.contextValue = ContextValues.insideNamespace;
    item.iconPath = new vscode.ThemeIcon('symbol-namespace', this.system ? new vscode.ThemeColor('disabledForeground') : undefined);
    item.description = [this.system ? 'system' : undefined, this.phase && this.phase !== 'Active' ? this.phase : undefined].filter(Boolean).join(' · ');
    item.tooltip = `Namespace ${this.name} inside vcluster ${this.ref.name}${this.system ? ' (made by Kubernetes itself)' : ''}`;
    return item;
  }
}

export class KindFolderNode {
  readonly type = 'vkind';
  readonly [TREE_NODE] = true;
  constructor(
    readonly ref: VClusterRef,
    readonly namespace: string,
    readonly kind: ResourceKind,
  ) {}
  get id(): string {
    return `vkind:${refKey(this.ref)}|${encodeURIComponent(this.namespace)}|${this.kind}`;
  }
  get plural(): string {
    return RESOURCE_KINDS.find((k) => k.kind === this.kind)!.plural;
  }

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.plural, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.contextValue = ContextValues.insideKind;
    item.iconPath = new vscode.ThemeIcon(KIND_ICONS[this.kind]);
    return item;
  }
}

export class ResourceNode {
  readonly type = 'resource';
  readonly [TREE_NODE] = true;
  constructor(
    readonly ref: VClusterRef,
    readonly info: ResourceInfo,
  ) {}
  get id(): string {
    return `vobj:${refKey(this.ref)}|${encodeURIComponent(this.info.namespace)}|${this.info.kind}|${encodeURIComponent(this.info.name)}`;
  }
  get kind(): ResourceKind {
    return this.info.kind;
  }
  get namespace(): string {
    return this.info.namespace;
  }
  get name(): string {
    return this.info.name;
  }

  toTreeItem(now = Date.now()): vscode.TreeItem {
    const r = this.info;
    const item = new vscode.TreeItem(r.name, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.contextValue = resourceContextValue(r);
    const age = shortAge(r.created, now);
    item.description = [r.status || undefined, r.ready, r.restarts ? `${r.restarts} restart${r.restarts === 1 ? '' : 's'}` : undefined, age || undefined]
      .filter(Boolean)
      .join(' · ');
    item.iconPath = new vscode.ThemeIcon(KIND_ICONS[r.kind], statusColor(r));
    const md = new vscode.MarkdownString(undefined, false);
    md.isTrusted = false;
    md.supportHtml = false;
    md.appendMarkdown(
      `**${escapeMd(r.kind)} ${escapeMd(r.name)}** in namespace ${escapeMd(r.namespace)} of vcluster ${escapeMd(this.ref.name)}\n\n| | |\n|---|---|\n`,
    );
    if (r.status) md.appendMarkdown(`| Status | ${escapeMd(r.status)} |\n`);
    if (r.ready) md.appendMarkdown(`| Ready | ${escapeMd(r.ready)} |\n`);
    if (r.restarts !== undefined) md.appendMarkdown(`| Restarts | ${r.restarts} |\n`);
    if (r.containers?.length) md.appendMarkdown(`| Containers | ${r.containers.map(escapeMd).join(', ')} |\n`);
    if (r.ports?.length) md.appendMarkdown(`| Ports | ${r.ports.map((p) => `${p.port}${p.name ? ` (${escapeMd(p.name)})` : ''}`).join(', ')} |\n`);
    if (r.created) md.appendMarkdown(`| Created | ${escapeMd(new Date(r.created).toLocaleString())} (${age}) |\n`);
    if (r.host) md.appendMarkdown(`| On the host | ${escapeMd(`${r.host.namespace}/${r.host.name}`)} |\n`);
    item.tooltip = md;
    item.accessibilityInformation = { label: `${r.kind} ${r.name}${r.status ? `, ${r.status}` : ''}${r.ready ? `, ready ${r.ready}` : ''}` };
    return item;
  }
}

/** Active port-forwards, under the vcluster they go into. */
export class ForwardNode {
  readonly type = 'forward';
  readonly [TREE_NODE] = true;
  constructor(
    readonly parentId: string,
    readonly forwardId: string,
    readonly text: string,
    readonly detail: string,
    readonly broken: boolean,
  ) {}
  get id(): string {
    return `fwd:${this.parentId}|${this.forwardId}`;
  }

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.text, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.contextValue = ContextValues.insideForward;
    item.iconPath = new vscode.ThemeIcon(
      this.broken ? 'debug-disconnect' : 'arrow-swap',
      this.broken ? new vscode.ThemeColor('editorWarning.foreground') : undefined,
    );
    item.description = this.broken ? 'broken · restart' : 'forwarding';
    item.tooltip = this.detail;
    return item;
  }
}

function statusColor(r: ResourceInfo): vscode.ThemeColor | undefined {
  if (r.kind === 'Pod') {
    if (r.status === 'Running' && r.ready && r.ready.split('/')[0] === r.ready.split('/')[1]) return new vscode.ThemeColor('testing.iconPassed');
    if (r.status === 'Completed' || r.status === 'Succeeded') return undefined;
    if (/^(Pending|ContainerCreating|PodInitializing|Init:\d+\/\d+|Terminating|Running)$/.test(r.status)) return new vscode.ThemeColor('charts.yellow');
    return new vscode.ThemeColor('testing.iconFailed');
  }
  if (r.status === 'Progressing' || r.status === 'Running') return new vscode.ThemeColor('charts.yellow');
  if (r.status === 'Failed') return new vscode.ThemeColor('testing.iconFailed');
  return undefined;
}
