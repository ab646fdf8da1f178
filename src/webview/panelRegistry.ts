// What the mapping and describe panels share as a family: one panel per vcluster, opened or revealed, and restored
// after a window reload from the vcluster reference in the webview's persisted state (anything that does not validate
// closes the restored panel).

import * as vscode from 'vscode';
import type { VClusterRef } from '../shared/model';
import { refKey } from '../shared/refKey';
import { Disposable } from '../platform/disposable';
import { panelTitle, type PanelBaseOptions, type PanelKind } from './panelBase';

export interface RegisteredPanel {
  readonly panel: vscode.WebviewPanel;
  readonly onDidDispose: vscode.Event<void>;
  dispose(): void;
}

export class PanelRegistry<P extends RegisteredPanel> extends Disposable {
  private readonly panels = new Map<string, P>();

  /**
   * @param create makes the panel object for a new or restored WebviewPanel
   * @param parseState the vcluster a restored webview's state names, or undefined
   */
  constructor(
    private readonly kind: PanelKind,
    private readonly o: PanelBaseOptions,
    private readonly create: (panel: vscode.WebviewPanel, ref: VClusterRef) => P,
    private readonly parseState: (state: unknown) => { ref: VClusterRef } | undefined,
  ) {
    super();
  }

  /** The panel of `ref`: revealed when open (`onReveal` runs then), created otherwise. */
  show(ref: VClusterRef, column: vscode.ViewColumn = vscode.ViewColumn.Active, onReveal?: (p: P) => void): P {
    const existing = this.panels.get(refKey(ref));
    if (existing) {
      existing.panel.reveal(column);
      onReveal?.(existing);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(this.kind.viewType, panelTitle(this.kind, ref), column, {
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
    return vscode.window.registerWebviewPanelSerializer(this.kind.viewType, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => {
        const parsed = this.parseState(state);
        if (!parsed) {
          this.o.logger?.warn(`${this.kind.viewType}: could not restore a panel (no vcluster in its state)`);
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
    const p = this.create(panel, ref);
    this.panels.set(key, p);
    p.onDidDispose(() => {
      if (this.panels.get(key) === p) this.panels.delete(key);
    });
    return p;
  }

  override dispose(): void {
    for (const p of [...this.panels.values()]) p.dispose();
    this.panels.clear();
    super.dispose();
  }
}
