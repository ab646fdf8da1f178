import * as vscode from 'vscode';
import { Commands } from '../shared/ids';
import { escapeMarkdown, inertIcons } from '../shared/inertText';
import { Disposable } from './disposable';

export interface StatusBarState {
  readonly context?: string;
  readonly isVCluster: boolean;
  readonly workspaceScoped: boolean;
  readonly tunnels: number;
  /** Port-forwards a person started (vcluster.portForward), one line each. */
  readonly forwards?: readonly string[];
}

/**
 * The status-bar item for the current context: always shows it, marks vcluster contexts and the workspace scope, and
 * switches context on click. A second item shows port-forward tunnels while any is open.
 */
export class ContextStatusBar extends Disposable {
  private readonly item = this.register(vscode.window.createStatusBarItem('vcluster.context', vscode.StatusBarAlignment.Left, 50));
  private readonly tunnelItem = this.register(vscode.window.createStatusBarItem('vcluster.tunnels', vscode.StatusBarAlignment.Left, 49));
  state: StatusBarState = { isVCluster: false, workspaceScoped: false, tunnels: 0 };

  constructor() {
    super();
    this.item.name = 'vcluster: Kubernetes Context';
    this.item.command = Commands.switchContext;
    this.tunnelItem.name = 'vcluster: Port-forward Tunnels';
    this.tunnelItem.command = Commands.showLog;
  }

  update(state: StatusBarState): void {
    this.state = state;
    const icon = state.isVCluster ? '$(vm-active)' : '$(cloud)';
    // A context name is data (a kubeconfig from anywhere, a vcluster's own name): shown as typed, never an icon in the
    // text nor Markdown, a link or a command in the trusted tooltip.
    this.item.text = `${icon} ${state.context !== undefined ? inertIcons(state.context) : 'no context'}${state.workspaceScoped ? ' $(folder)' : ''}`;
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**Kubernetes context:** ${state.context !== undefined ? escapeMarkdown(state.context) : 'none'}\n\n`);
    if (state.isVCluster) md.appendMarkdown('This is a vcluster context.\n\n');
    md.appendMarkdown(
      state.workspaceScoped
        ? `Scoped to this workspace: only this window's terminals use it. [Clear](command:${Commands.clearWorkspaceContext})\n\n`
        : "Global: your kubeconfig's current-context.\n\n",
    );
    md.appendMarkdown(`[Switch context](command:${Commands.switchContext})`);
    md.isTrusted = { enabledCommands: [Commands.switchContext, Commands.clearWorkspaceContext] };
    this.item.tooltip = md;
    this.item.accessibilityInformation = {
      label: `Kubernetes context ${state.context ?? 'none'}${state.isVCluster ? ', vcluster' : ''}${state.workspaceScoped ? ', workspace scoped' : ''}`,
    };
    this.item.show();
    if (state.tunnels > 0) {
      this.tunnelItem.text = `$(radio-tower) ${state.tunnels}`;
      const forwards = state.forwards ?? [];
      this.tunnelItem.tooltip = [
        `${state.tunnels} vcluster port-forward tunnel${state.tunnels === 1 ? '' : 's'} open`,
        ...(forwards.length ? ['', 'Port-forwards (stop them from the Clusters view or with "vcluster: Stop Port Forward"):', ...forwards] : []),
      ].join('\n');
      this.tunnelItem.show();
    } else {
      this.tunnelItem.hide();
    }
  }
}
