import fs from 'node:fs';
import path from 'node:path';
import type * as vscode from 'vscode';

const KEY = 'vcluster.workspaceScoped';

/**
 * The workspace scope: when on, this window's integrated terminals use the extension's own kubeconfig (first in their
 * KUBECONFIG, so its current-context wins) and the extension reads it before the user's files. The flag lives in the
 * workspace state; the kubeconfig in the workspace's storage folder.
 */
export class WorkspaceScope {
  /** The extension's own kubeconfig of this workspace. */
  readonly kubeconfigPath: string;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.kubeconfigPath = path.join((context.storageUri ?? context.globalStorageUri).fsPath, 'kubeconfig.yaml');
  }

  get on(): boolean {
    return this.context.workspaceState.get<boolean>(KEY, false);
  }

  /** The kubeconfig files the extension reads, given the user's. */
  files(userFiles: string[]): string[] {
    return this.on && fs.existsSync(this.kubeconfigPath) ? [this.kubeconfigPath, ...userFiles] : userFiles;
  }

  /** Turns the scope on or off, and the terminals' KUBECONFIG with it (new terminals only). */
  async set(on: boolean, userFiles: string[]): Promise<void> {
    await this.context.workspaceState.update(KEY, on);
    const collection = this.context.environmentVariableCollection;
    if (on) {
      collection.replace('KUBECONFIG', [this.kubeconfigPath, ...userFiles].join(path.delimiter));
      collection.description = 'vcluster Explorer: this workspace uses its own Kubernetes context';
    } else {
      collection.delete('KUBECONFIG');
    }
  }
}
