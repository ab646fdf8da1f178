// The describe view: one WebviewPanel per vcluster with its details (src/shared/describe.ts), live while visible.
//
//   const panels = new DescribePanels({ extensionUri, source, logger, debounceMs, onAction });
//   context.subscriptions.push(panels, panels.registerSerializer());
//   panels.show(ref);
//
// Security as the mapping view: strict CSP with a fresh nonce (html.ts), resources only from dist/ and media/, every
// message from the webview validated (parseFromDescribeWebview) before use; the details carry no secret data and their
// free text was redacted when read; the webview renders everything as text (textContent), never as HTML.

import type * as vscode from 'vscode';
import {
  DESCRIBE_PROTOCOL_VERSION,
  parseDescribeState,
  parseFromDescribeWebview,
  type DescribeAction,
  type FromDescribeWebview,
  type ToDescribeWebview,
  type VClusterDetails,
} from '../shared/describe';
import type { VClusterRef } from '../shared/model';
import { DetailsPanelBase, type PanelBaseOptions, type PanelKind } from './panelBase';
import { PanelRegistry } from './panelRegistry';

export const DESCRIBE_VIEW_TYPE = 'vcluster.describe';
const DESCRIBE_KIND: PanelKind = { viewType: DESCRIBE_VIEW_TYPE, label: 'Describe', page: 'describe', what: 'describe', styles: ['panel.css', 'describe.css'] };

export interface DescribeSource {
  load(ref: VClusterRef): Promise<VClusterDetails>;
  /** Calls onChange while the panel is visible; disposed when it is hidden or closed. */
  watch(ref: VClusterRef, onChange: () => void): { dispose(): void };
}

export interface DescribePanelOptions extends PanelBaseOptions {
  readonly source: DescribeSource;
  /** Runs a command on the panel's vcluster (Show Config, Upgrade, Mapping). */
  readonly onAction?: (ref: VClusterRef, action: DescribeAction) => void;
}

type DescribeReport = { sections: number; events: number; warnings: number };

export class DescribePanel extends DetailsPanelBase<ToDescribeWebview, DescribeReport, VClusterDetails> {
  constructor(
    panel: vscode.WebviewPanel,
    ref: VClusterRef,
    private readonly opts: DescribePanelOptions,
  ) {
    super(panel, ref, DESCRIBE_KIND, opts);
    this.start();
  }

  protected watch(onChange: () => void): { dispose(): void } {
    return this.opts.source.watch(this.ref, onChange);
  }

  protected load(): Promise<VClusterDetails> {
    return this.opts.source.load(this.ref);
  }

  protected get subject(): string {
    return `${this.ref.namespace}/${this.ref.name}`;
  }

  protected loadingMessage(): ToDescribeWebview {
    return { type: 'loading', ref: this.ref };
  }

  protected detailsMessage(details: VClusterDetails): ToDescribeWebview {
    return { type: 'details', details };
  }

  protected loadErrorMessage(message: string): ToDescribeWebview {
    return { type: 'loadError', ref: this.ref, message };
  }

  /** Validates and handles one message from the webview (public so that tests can drive it). */
  receive(raw: unknown): Promise<void> {
    const msg = parseFromDescribeWebview(raw);
    if (!msg) {
      this.log.warn('describe panel: ignored an invalid message from the webview');
      return Promise.resolve();
    }
    this.handle(msg);
    return Promise.resolve();
  }

  private handle(msg: FromDescribeWebview): void {
    switch (msg.type) {
      case 'ready':
        if (msg.version !== DESCRIBE_PROTOCOL_VERSION) this.log.warn(`describe webview speaks protocol ${msg.version}`);
        this.webviewReady();
        return;
      case 'refresh':
        void this.reload();
        return;
      case 'action':
        this.opts.onAction?.(this.ref, msg.action);
        return;
      case 'rendered':
        this.rendered({ sections: msg.sections, events: msg.events, warnings: msg.warnings });
        return;
      case 'clientError':
        this.log.warn(`describe webview error: ${msg.message}`);
        return;
      default: {
        const never: never = msg;
        void never;
      }
    }
  }
}

/** The open describe panels (one per vcluster), restored after a window reload. */
export class DescribePanels extends PanelRegistry<DescribePanel> {
  constructor(opts: DescribePanelOptions) {
    super(DESCRIBE_KIND, opts, (panel, ref) => new DescribePanel(panel, ref, opts), parseDescribeState);
  }

  override show(ref: VClusterRef, column?: vscode.ViewColumn): DescribePanel {
    return super.show(ref, column, (p) => void p.reload());
  }
}
