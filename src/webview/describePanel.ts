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
import { errorMessage } from '../shared/errors';
import type { VClusterRef } from '../shared/model';
import { redact } from '../shared/redact';
import { WebviewPanelBase, type PanelBaseOptions, type PanelKind } from './panelBase';
import { PanelRegistry } from './panelRegistry';

export const DESCRIBE_VIEW_TYPE = 'vcluster.describe';
const DESCRIBE_KIND: PanelKind = { viewType: DESCRIBE_VIEW_TYPE, label: 'Describe', script: 'describe.js', styles: ['panel.css', 'describe.css'] };

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

export class DescribePanel extends WebviewPanelBase<ToDescribeWebview, DescribeReport> {
  /** The last details loaded (tests and the API). */
  details: VClusterDetails | undefined;
  private error: string | undefined;
  private generation = 0;

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

  async reload(): Promise<void> {
    if (this.isDisposed) return;
    const gen = ++this.generation;
    this.post({ type: 'loading', ref: this.ref });
    try {
      const details = await this.opts.source.load(this.ref);
      if (gen !== this.generation || this.isDisposed) return;
      this.details = details;
      this.error = undefined;
      this.post({ type: 'details', details });
    } catch (err) {
      if (gen !== this.generation || this.isDisposed) return;
      this.error = redact(errorMessage(err));
      this.log.warn(`describe ${this.ref.namespace}/${this.ref.name}: ${this.error}`);
      this.post({ type: 'loadError', ref: this.ref, message: this.error });
    }
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
        this.ready = true;
        if (this.details) this.post({ type: 'details', details: this.details });
        else if (this.error) this.post({ type: 'loadError', ref: this.ref, message: this.error });
        else this.post({ type: 'loading', ref: this.ref });
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
