// What every panel family shares: one panel per subject (a vcluster, an object inside one), opened or revealed, and
// restored after a window reload from the subject in the webview's persisted state (anything that does not validate
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

/** One family of panels, each showing one subject. */
export interface PanelFamily<P extends RegisteredPanel, Subject> {
  readonly kind: PanelKind;
  readonly base: PanelBaseOptions;
  /** Makes the panel object for a new or restored WebviewPanel. */
  create(panel: vscode.WebviewPanel, subject: Subject): P;
  /** The subject a restored webview's state names, or undefined. */
  parseState(state: unknown): Subject | undefined;
  /** One panel per key. */
  keyOf(subject: Subject): string;
  /** The title of a new panel. */
  title(subject: Subject): string;
  /** What the state of a restored panel names, for the log line when it does not ("vcluster", "object"). */
  readonly noun: string;
  /** Runs when `show` reveals an open panel. */
  onReveal?(p: P): void;
}

/** The parts of a family whose panels each show one vcluster. */
export function vclusterFamily(kind: PanelKind): Pick<PanelFamily<RegisteredPanel, VClusterRef>, 'keyOf' | 'title' | 'noun'> {
  return { keyOf: refKey, title: (ref) => panelTitle(kind, ref), noun: 'vcluster' };
}

export class PanelRegistry<P extends RegisteredPanel, Subject = VClusterRef> extends Disposable {
  private readonly panels = new Map<string, P>();

  constructor(private readonly family: PanelFamily<P, Subject>) {
    super();
  }

  /** The panel of `subject`: revealed when open (the family's onReveal runs then), created otherwise. */
  show(subject: Subject, column: vscode.ViewColumn = vscode.ViewColumn.Active): P {
    const existing = this.panels.get(this.family.keyOf(subject));
    if (existing) {
      existing.panel.reveal(column);
      this.family.onReveal?.(existing);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(this.family.kind.viewType, this.family.title(subject), column, {
      enableScripts: true,
      enableFindWidget: true,
      localResourceRoots: [vscode.Uri.joinPath(this.family.base.extensionUri, 'dist')],
    });
    return this.adopt(panel, subject);
  }

  get(subject: Subject): P | undefined {
    return this.panels.get(this.family.keyOf(subject));
  }

  get all(): readonly P[] {
    return [...this.panels.values()];
  }

  /** Restores panels after a window reload (VS Code calls this on activation by `onWebviewPanel:<viewType>`). */
  registerSerializer(): vscode.Disposable {
    const { kind, base } = this.family;
    return vscode.window.registerWebviewPanelSerializer(kind.viewType, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => {
        const subject = this.family.parseState(state);
        if (subject === undefined) {
          base.logger?.warn(`${kind.viewType}: could not restore a panel (no ${this.family.noun} in its state)`);
          panel.dispose();
          return;
        }
        if (this.panels.has(this.family.keyOf(subject))) {
          panel.dispose();
          return;
        }
        this.adopt(panel, subject);
      },
    });
  }

  private adopt(panel: vscode.WebviewPanel, subject: Subject): P {
    const key = this.family.keyOf(subject);
    const p = this.family.create(panel, subject);
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
