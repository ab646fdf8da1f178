// The describe view of an object inside a vcluster (vcluster.describeObject): one WebviewPanel per object, read when
// opened, shown again, revealed or refreshed (its Refresh button), restored after a window reload. On the same panel
// base as the vcluster's describe view (panelBase.ts): strict CSP with a fresh nonce (html.ts), resources only from
// dist/, every message from the webview validated before use, details redacted when built
// (src/vcluster/objectDescribe.ts) and rendered as text.

import type * as vscode from 'vscode';
import { parseDetailsState } from '../shared/detailsProtocol';
import { OBJECT_DESCRIBE_PROTOCOL, type ObjectDescribeAction, type ObjectDetails, type ObjectRef, type ObjectRenderReport } from '../shared/objectDescribe';
import { refKey } from '../shared/refKey';
import { DetailsPanelBase } from './detailsPanel';
import type { PanelBaseOptions, PanelKind } from './panelBase';
import { PanelRegistry } from './panelRegistry';

export const OBJECT_DESCRIBE_VIEW_TYPE = 'vcluster.describeObject';

const OBJECT_DESCRIBE_KIND: PanelKind = {
  viewType: OBJECT_DESCRIBE_VIEW_TYPE,
  label: 'Describe',
  page: 'objectDescribe',
  what: 'object describe',
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

/** The open object describe panels, one per object, restored after a window reload. */
export class ObjectDescribePanels extends PanelRegistry<ObjectDescribePanel, ObjectRef> {
  constructor(opts: ObjectDescribePanelOptions) {
    super({
      kind: OBJECT_DESCRIBE_KIND,
      base: opts,
      create: (panel, target) => new ObjectDescribePanel(panel, target, opts),
      parseState: (state) => parseDetailsState(OBJECT_DESCRIBE_PROTOCOL, state)?.target,
      keyOf: (t) => `${refKey(t.ref)}|${t.kind}|${t.namespace}|${t.name}`,
      title: titleOf,
      noun: 'object',
      onReveal: (p) => void p.reload(),
    });
  }
}
