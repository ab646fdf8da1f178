// The describe view of an object inside a vcluster (vcluster.describeObject): one WebviewPanel per object, read when
// opened, shown again, revealed or refreshed (its Refresh button), restored after a window reload. On the same panel
// base as the vcluster's describe view (panelBase.ts): strict CSP with a fresh nonce (html.ts), resources only from
// dist/ and media/, every message from the webview validated before use, details redacted when built
// (src/vcluster/objectDetails.ts) and rendered as text.

import * as vscode from 'vscode';
import { parseDetailsState } from '../shared/detailsProtocol';
import { OBJECT_DESCRIBE_PROTOCOL, type ObjectDescribeAction, type ObjectDetails, type ObjectRef, type ObjectRenderReport } from '../shared/objectDescribe';
import { refKey } from '../shared/refKey';
import { DetailsPanelBase } from './detailsPanel';
import type { PanelBaseOptions, PanelKind } from './panelBase';

export const OBJECT_DESCRIBE_VIEW_TYPE = 'vcluster.describeObject';

const OBJECT_DESCRIBE_KIND: PanelKind = {
  viewType: OBJECT_DESCRIBE_VIEW_TYPE,
  label: 'Describe',
  page: 'objectDescribe',
  what: 'object describe',
  styles: ['panel.css', 'describe.css'],
};

export interface ObjectDescribePanelOptions extends PanelBaseOptions {
  readonly load: (target: ObjectRef) => Promise<ObjectDetails>;
  /** Runs a command on the panel's object (YAML, logs, host object). */
  readonly onAction?: (target: ObjectRef, action: ObjectDescribeAction) => void;
}

const titleOf = (t: ObjectRef) => `Describe: ${t.kind.toLowerCase()} ${t.name}`;

export class ObjectDescribePanel extends DetailsPanelBase<'target', ObjectRef, ObjectDetails, ObjectDescribeAction, ObjectRenderReport> {
  constructor(
    panel: vscode.WebviewPanel,
    readonly target: ObjectRef,
    private readonly opts: ObjectDescribePanelOptions,
  ) {
    super(panel, target.ref, opts, {
      kind: OBJECT_DESCRIBE_KIND,
      protocol: OBJECT_DESCRIBE_PROTOCOL,
      subject: target,
      subjectLabel: `${target.kind} ${target.namespace}/${target.name}`,
      view: { title: titleOf(target), state: { target } },
    });
    // Read when opened and again when shown after being hidden (the webview was re-created); nothing to watch.
    this.start();
  }

  protected watch(): { dispose(): void } {
    return { dispose() {} };
  }

  protected load(): Promise<ObjectDetails> {
    return this.opts.load(this.target);
  }

  protected act(action: ObjectDescribeAction): void {
    this.opts.onAction?.(this.target, action);
  }
}

const keyOf = (t: ObjectRef) => `${refKey(t.ref)}|${t.kind}|${t.namespace}|${t.name}`;

/** The open object describe panels, one per object. */
export class ObjectDescribePanels implements vscode.Disposable {
  private readonly panels = new Map<string, ObjectDescribePanel>();

  constructor(private readonly opts: ObjectDescribePanelOptions) {}

  /** The panel of `target`: revealed and read again when open, created otherwise. */
  show(target: ObjectRef, column: vscode.ViewColumn = vscode.ViewColumn.Active): ObjectDescribePanel {
    const key = keyOf(target);
    const existing = this.panels.get(key);
    if (existing) {
      existing.panel.reveal(column);
      void existing.reload();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(OBJECT_DESCRIBE_VIEW_TYPE, titleOf(target), column, {
      enableScripts: true,
      enableFindWidget: true,
      localResourceRoots: [vscode.Uri.joinPath(this.opts.extensionUri, 'dist'), vscode.Uri.joinPath(this.opts.extensionUri, 'media')],
    });
    return this.adopt(panel, target);
  }

  /** Restores panels after a window reload from the object the webview saved (anything that does not validate closes). */
  registerSerializer(): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(OBJECT_DESCRIBE_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => {
        const target = parseDetailsState(OBJECT_DESCRIBE_PROTOCOL, state)?.target;
        if (!target || this.panels.has(keyOf(target))) {
          if (!target) this.opts.logger?.warn(`${OBJECT_DESCRIBE_VIEW_TYPE}: could not restore a panel (no object in its state)`);
          panel.dispose();
          return;
        }
        this.adopt(panel, target);
      },
    });
  }

  private adopt(panel: vscode.WebviewPanel, target: ObjectRef): ObjectDescribePanel {
    const key = keyOf(target);
    const p = new ObjectDescribePanel(panel, target, this.opts);
    this.panels.set(key, p);
    p.onDidDispose(() => {
      if (this.panels.get(key) === p) this.panels.delete(key);
    });
    return p;
  }

  get(target: ObjectRef): ObjectDescribePanel | undefined {
    return this.panels.get(keyOf(target));
  }

  get all(): readonly ObjectDescribePanel[] {
    return [...this.panels.values()];
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.dispose();
    this.panels.clear();
  }
}
