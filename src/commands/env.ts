import type * as vscode from 'vscode';
import type { Logger } from '../platform/logger';
import type { Settings } from '../platform/settings';
import type { Services } from '../services';
import type { ExplorerTreeProvider } from '../tree/explorerTree';
import type { VClusterRef } from '../shared/model';

/** What command handlers get: services (loaded lazily), the tree, settings, the logger and workspace-scope control. */
export interface CommandEnv {
  readonly services: () => Promise<Services>;
  readonly tree: ExplorerTreeProvider;
  readonly settings: Settings;
  readonly logger: Logger;
  readonly extension: vscode.ExtensionContext;
  /** Turns the workspace scope on (terminals use the extension's kubeconfig) or off. */
  readonly setWorkspaceScope: (on: boolean) => Promise<void>;
  readonly workspaceScoped: () => boolean;
  readonly refreshStatus: () => Promise<void>;
  readonly showMapping: (ref: VClusterRef) => Promise<unknown>;
  /** Remembers contexts switched to, most recent first. */
  readonly recentContexts: () => string[];
  readonly rememberContext: (name: string) => Promise<void>;
}
