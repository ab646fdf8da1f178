// The describe view: one WebviewPanel per vcluster with its details (src/shared/describe.ts), live while visible.
//
//   const panels = new DescribePanels({ extensionUri, source, logger, debounceMs, onAction });
//   context.subscriptions.push(panels, panels.registerSerializer());
//   panels.show(ref);
//
// Security as the mapping view: strict CSP with a fresh nonce (html.ts), resources only from dist/, every
// message from the webview validated (detailsPanel.ts) before use; the details carry no secret data and their
// free text was redacted when read; the webview renders everything as text (textContent), never as HTML.

import type * as vscode from 'vscode';
import { DESCRIBE_PROTOCOL, type DescribeAction, type DescribeRenderReport, type VClusterDetails } from '../shared/describe';
import { parseDetailsState } from '../shared/detailsProtocol';
import type { VClusterRef } from '../shared/model';
import { DetailsPanelBase } from './detailsPanel';
import type { PanelBaseOptions, PanelKind } from './panelBase';
import { PanelRegistry, vclusterFamily } from './panelRegistry';

export const DESCRIBE_VIEW_TYPE = 'vcluster.describe';
const DESCRIBE_KIND: PanelKind = { viewType: DESCRIBE_VIEW_TYPE, label: 'Describe', page: 'describe', what: 'describe' };

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

export class DescribePanel extends DetailsPanelBase<'ref', VClusterRef, VClusterDetails, DescribeAction, DescribeRenderReport> {
  constructor(
    panel: vscode.WebviewPanel,
    ref: VClusterRef,
    private readonly opts: DescribePanelOptions,
  ) {
    super(panel, ref, opts, { kind: DESCRIBE_KIND, protocol: DESCRIBE_PROTOCOL, subject: ref, subjectLabel: `${ref.namespace}/${ref.name}` });
    this.start();
  }

  protected watch(onChange: () => void): { dispose(): void } {
    return this.opts.source.watch(this.ref, onChange);
  }

  protected load(): Promise<VClusterDetails> {
    return this.opts.source.load(this.ref);
  }

  protected act(action: DescribeAction): void {
    this.opts.onAction?.(this.ref, action);
  }
}

/** The open describe panels (one per vcluster), restored after a window reload; showing an open one reads it again. */
export class DescribePanels extends PanelRegistry<DescribePanel> {
  constructor(opts: DescribePanelOptions) {
    super({
      kind: DESCRIBE_KIND,
      base: opts,
      create: (panel, ref) => new DescribePanel(panel, ref, opts),
      parseState: (state) => parseDetailsState(DESCRIBE_PROTOCOL, state)?.ref,
      ...vclusterFamily(DESCRIBE_KIND),
      onReveal: (p) => void p.reload(),
    });
  }
}
