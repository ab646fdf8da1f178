import * as vscode from 'vscode';
import { Commands, EXPLORER_VIEW_ID } from './shared/ids';
import { Logger } from './platform/logger';
import { Settings } from './platform/settings';
import { registerCommand } from './commands/register';
import { UserFacingError } from './shared/errors';

// Composition root: build the services, register the view and the commands, return the public API. Nothing here
// loads @kubernetes/client-node; that happens on first use (see services.ts).

export async function activate(context: vscode.ExtensionContext) {
  const logger = new Logger();
  context.subscriptions.push(logger);
  const settings = new Settings();
  logger.info(`vcluster Explorer ${context.extension.packageJSON.version} activating (VS Code ${vscode.version})`);

  const view = vscode.window.createTreeView(EXPLORER_VIEW_ID, {
    treeDataProvider: { getTreeItem: (e: vscode.TreeItem) => e, getChildren: () => [] },
    showCollapseAll: true,
  });
  context.subscriptions.push(view);
  void settings;

  for (const id of Object.values(Commands)) {
    context.subscriptions.push(registerCommand(id, () => {
      throw new UserFacingError(`${id} is not available yet`);
    }, logger));
  }
  await vscode.commands.executeCommand('setContext', 'vcluster.state', 'noKubeconfig');
  return { version: 1 };
}

export function deactivate(): void {
  // Everything is released through context.subscriptions.
}
