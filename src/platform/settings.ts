import * as vscode from 'vscode';
import { Settings as Keys } from '../shared/ids';

export type RefreshMode = 'watch' | 'manual';
export type ConnectScope = 'global' | 'workspace';

/** The one typed reader of the extension's settings. */
export class Settings {
  private get cfg(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration('vcluster');
  }

  /** Kubeconfig files from the setting, split on the platform path delimiter; empty when unset. */
  get kubeconfigOverride(): string {
    return this.cfg.get<string>(Keys.kubeconfig, '').trim();
  }
  get cliPath(): string {
    return this.cfg.get<string>(Keys.cliPath, '').trim();
  }
  get helmPath(): string {
    return this.cfg.get<string>(Keys.helmPath, '').trim();
  }
  get createExtraArgs(): string[] {
    const v = this.cfg.get<unknown>(Keys.createExtraArgs, []);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  }
  get refreshMode(): RefreshMode {
    return this.cfg.get<string>(Keys.refreshMode) === 'manual' ? 'manual' : 'watch';
  }
  get debounceMs(): number {
    return clamp(this.cfg.get<number>(Keys.refreshDebounceMs, 300), 0, 10_000);
  }
  get requestTimeoutMs(): number {
    return clamp(this.cfg.get<number>(Keys.requestTimeoutSeconds, 15), 1, 300) * 1000;
  }
  get nestedMaxDepth(): number {
    return clamp(this.cfg.get<number>(Keys.nestedMaxDepth, 3), 0, 10);
  }
  get connectScope(): ConnectScope {
    return this.cfg.get<string>(Keys.connectScope) === 'workspace' ? 'workspace' : 'global';
  }
  get disconnectRemovesContext(): boolean {
    return this.cfg.get<boolean>(Keys.disconnectRemoveContext, false);
  }

  onDidChange(listener: (e: vscode.ConfigurationChangeEvent) => void): vscode.Disposable {
    return vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('vcluster')) listener(e);
    });
  }
}

function clamp(n: number, lo: number, hi: number): number {
  return Number.isFinite(n) ? Math.min(hi, Math.max(lo, n)) : lo;
}
