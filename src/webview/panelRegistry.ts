// What the mapping and describe panels share as a family: one panel per vcluster, opened or revealed, and restored
// after a window reload from the vcluster reference in the webview's persisted state (anything that does not validate
// closes the restored panel).

import * as vscode from 'vscode';
import type { VClusterRef } from '../shared/model';
import { refKey } from '../shared/refKey';
import type { PanelLogger } from './source';

export interface RegisteredPanel {
  readonly panel: vscode.WebviewPanel;
  readonly onDidDispose: vscode.Event<void>;
  dispose(): void;
}

export interface RegistryOptions<P extends RegisteredPanel> {
  readonly viewType: string;
  readonly extensionUri: vscode.Uri;
  /** Makes the panel object for a new or restored WebviewPanel. */
  readonly create: (panel: vscode.WebviewPanel, ref: VClusterRef) => P;
  /** The vcluster a restored webview's state names, or undefined. */
  readonly parseState: (state: unknown) => { ref: VClusterRef } | undefined;
  readonly title: (ref: VClusterRef) => string;
  readonly logger?: PanelLogger;
}

export class PanelRegistry<P extends RegisteredPanel> implements vscode.Disposable {
  private readonly panels = new Map<string, P>();

  constructor(private readonly o: RegistryOptions<P>) {}

  /** The panel of `ref`: revealed when open (`onReveal` runs then), created otherwise. */
  show(ref: VClusterRef, column: vscode.ViewColumn = vscode.ViewColumn.Active, onReveal?: (p: P) => void): P {
    const existing = this.panels.get(refKey(ref));
    if (existing) {
      existing.panel.reveal(column);
      onReveal?.(existing);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(this.o.viewType, this.o.title(ref), column, {
      enableScripts: true,
      enableFindWidget: true,
      localResourceRoots: [vscode.Uri.joinPath(this.o.extensionUri, 'dist'), vscode.Uri.joinPath(this.o.extensionUri, 'media')],
    });
    return this.adopt(panel, ref);
  }

  get(ref: VClusterRef): P | undefined {
    return this.panels.get(refKey(ref));
  }

  get all(): readonly P[] {
    return [...this.panels.values()];
  }

  /** Restores panels after a window reload (VS Code calls this on activation by `onWebviewPanel:<viewType>`). */
  registerSerializer(): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(this.o.viewType, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => {
        const parsed = this.o.parseState(state);
        if (!parsed) {
          this.o.logger?.warn(`${this.o.viewType}: could not restore a panel (no vcluster in its state)`);
          panel.dispose();
          return;
        }
        if (this.panels.has(refKey(parsed.ref))) {
          panel.dispose();
          return;
        }
        this.adopt(panel, parsed.ref);
      },
    });
  }

  private adopt(panel: vscode.WebviewPanel, ref: VClusterRef): P {
    const key = refKey(ref);
    const p = this.o.create(panel, ref);
    this.panels.set(key, p);
    p.onDidDispose(() => {
      if (this.panels.get(key) === p) this.panels.delete(key);
    });
    return p;
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.dispose();
    this.panels.clear();
  }
}
