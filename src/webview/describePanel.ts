// The describe view: one WebviewPanel per vcluster with its details (src/shared/describe.ts), live while visible.
//
//   const panels = new DescribePanels({ extensionUri, source, logger, debounceMs, onAction });
//   context.subscriptions.push(panels, panels.registerSerializer());
//   panels.show(ref);
//
// Security as the mapping view: strict CSP with a fresh nonce (html.ts), resources only from dist/ and media/, every
// message from the webview validated (parseFromDescribeWebview) before use; the details carry no secret data and their
// free text was redacted when read; the webview renders everything as text (textContent), never as HTML.

import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import {
  DESCRIBE_PROTOCOL_VERSION, parseDescribeState, parseFromDescribeWebview,
  type DescribeAction, type FromDescribeWebview, type ToDescribeWebview, type VClusterDetails,
} from '../shared/describe';
import { errorMessage } from '../shared/errors';
import type { VClusterRef } from '../shared/model';
import { redact } from '../shared/redact';
import { FollowWhileVisible } from './followWhileVisible';
import { renderHtml } from './html';
import { PanelRegistry } from './panelRegistry';
import { redactMessage } from './sanitize';
import type { PanelLogger } from './source';

export const DESCRIBE_VIEW_TYPE = 'vcluster.describe';

export interface DescribeSource {
  load(ref: VClusterRef): Promise<VClusterDetails>;
  /** Calls onChange while the panel is visible; disposed when it is hidden or closed. */
  watch(ref: VClusterRef, onChange: () => void): { dispose(): void };
}

export interface DescribePanelOptions {
  readonly extensionUri: vscode.Uri;
  readonly source: DescribeSource;
  readonly logger?: PanelLogger;
  readonly debounceMs?: () => number;
  /** Runs a command on the panel's vcluster (Show Config, Upgrade, Mapping). */
  readonly onAction?: (ref: VClusterRef, action: DescribeAction) => void;
}

const silent: PanelLogger = { debug() {}, warn() {}, error() {} };

export class DescribePanel implements vscode.Disposable {
  /** The last details loaded (tests and the API). */
  details: VClusterDetails | undefined;
  /** What the webview reported rendering last. */
  lastRendered: { sections: number; events: number; warnings: number } | undefined;
  private readonly renderedEmitter = new vscode.EventEmitter<{ sections: number; events: number; warnings: number }>();
  readonly onDidRender = this.renderedEmitter.event;
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposeEmitter.event;
  private readonly subscriptions: vscode.Disposable[] = [];
  private ready = false;
  private error: string | undefined;
  private readonly follow: FollowWhileVisible;
  private generation = 0;
  private disposed = false;

  constructor(readonly panel: vscode.WebviewPanel, readonly ref: VClusterRef, private readonly opts: DescribePanelOptions) {
    const webview = panel.webview;
    const dist = vscode.Uri.joinPath(opts.extensionUri, 'dist');
    const media = vscode.Uri.joinPath(opts.extensionUri, 'media');
    webview.options = { enableScripts: true, enableCommandUris: false, localResourceRoots: [dist, media] };
    panel.title = `Describe: ${ref.name}`;
    webview.html = renderHtml({
      cspSource: webview.cspSource,
      nonce: randomBytes(18).toString('base64url'),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'describe.js')).toString(),
      codiconUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'codicon.css')).toString(),
      styleUris: [webview.asWebviewUri(vscode.Uri.joinPath(media, 'describe.css')).toString()],
      title: `Describe: ${ref.name}`,
      state: { ref },
    });
    this.subscriptions.push(
      webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      panel.onDidDispose(() => this.dispose()),
    );
    void this.reload();
    this.follow = new FollowWhileVisible({
      panel,
      watch: (onChange) => opts.source.watch(ref, onChange),
      reload: () => void this.reload(),
      onHidden: () => { this.ready = false; },
      debounceMs: () => opts.debounceMs?.() ?? 300,
      log: this.log,
      what: `describe panel of ${ref.namespace}/${ref.name}`,
    });
  }

  private get log(): PanelLogger { return this.opts.logger ?? silent; }

  /** Resolves with the next report of the webview. */
  nextRender(timeoutMs = 15_000): Promise<{ sections: number; events: number; warnings: number }> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => { sub.dispose(); reject(new Error('the describe webview did not render in time')); }, timeoutMs);
      const sub = this.onDidRender((r) => { clearTimeout(t); sub.dispose(); resolve(r); });
    });
  }

  /** True while the panel follows changes (visible); for tests. */
  get watching(): boolean { return this.follow.watching; }

  async reload(): Promise<void> {
    if (this.disposed) return;
    const gen = ++this.generation;
    this.post({ type: 'loading', ref: this.ref });
    try {
      const details = await this.opts.source.load(this.ref);
      if (gen !== this.generation || this.disposed) return;
      this.details = details;
      this.error = undefined;
      this.post({ type: 'details', details });
    } catch (err) {
      if (gen !== this.generation || this.disposed) return;
      this.error = redact(errorMessage(err));
      this.log.warn(`describe ${this.ref.namespace}/${this.ref.name}: ${this.error}`);
      this.post({ type: 'loadError', ref: this.ref, message: this.error });
    }
  }

  /** Validates and handles one message from the webview (public so that tests can drive it). */
  receive(raw: unknown): void {
    const msg = parseFromDescribeWebview(raw);
    if (!msg) {
      this.log.warn('describe panel: ignored an invalid message from the webview');
      return;
    }
    this.handle(msg);
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
        this.lastRendered = { sections: msg.sections, events: msg.events, warnings: msg.warnings };
        this.renderedEmitter.fire(this.lastRendered);
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

  private post(msg: ToDescribeWebview): void {
    if (!this.ready || this.disposed) return;
    this.panel.webview.postMessage(redactMessage(msg)).then(undefined, (err: unknown) => this.log.debug(`describe panel: post failed: ${errorMessage(err)}`));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.follow.dispose();
    for (const s of this.subscriptions.splice(0)) s.dispose();
    this.panel.dispose();
    this.disposeEmitter.fire();
    this.disposeEmitter.dispose();
    this.renderedEmitter.dispose();
  }
}

/** The open describe panels (one per vcluster), restored after a window reload. */
export class DescribePanels extends PanelRegistry<DescribePanel> {
  constructor(opts: DescribePanelOptions) {
    super({
      viewType: DESCRIBE_VIEW_TYPE,
      extensionUri: opts.extensionUri,
      create: (panel, ref) => new DescribePanel(panel, ref, opts),
      parseState: parseDescribeState,
      title: (ref) => `Describe: ${ref.name}`,
      ...(opts.logger ? { logger: opts.logger } : {}),
    });
  }

  override show(ref: VClusterRef, column?: vscode.ViewColumn): DescribePanel {
    return super.show(ref, column, (p) => void p.reload());
  }
}
