// What every webview panel shares as an object: the webview set-up (options, HTML with a fresh nonce, its page's
// script and style sheets), the subscriptions it owns (released by the Disposable base), the `rendered` and `disposed`
// events, waiting for the next render, posting a redacted message, and following changes while visible. Each panel
// adds its own protocol (receive) and what it loads (reload); the details panels (the two describe views) share
// DetailsPanelBase (detailsPanel.ts), which does both for a details protocol.

import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { errorMessage } from '../shared/errors';
import type { VClusterRef } from '../shared/model';
import { Disposable } from '../platform/disposable';
import { FollowWhileVisible } from './followWhileVisible';
import { renderHtml } from './html';
import { redactMessage } from './sanitize';

/** One family of panels: its view type, its title word and its page. */
export interface PanelKind {
  readonly viewType: string;
  /** "Mapping" or "Describe": the title is `<label>: <vcluster name>`. */
  readonly label: string;
  /** Its page, webview-ui/<page>/main.ts: the bundles dist/<page>.js and dist/<page>.css (the style sheets it imports). */
  readonly page: string;
  /** How log lines name the panel ("mapping", "object describe"). */
  readonly what: string;
}

/** The logger the panels write to; the platform Logger fits. Messages are redacted by the logger. */
export interface PanelLogger {
  debug(msg: string): void;
  warn(msg: string): void;
  error(msg: string, err?: unknown): void;
}

export interface PanelBaseOptions {
  readonly extensionUri: vscode.Uri;
  readonly logger?: PanelLogger;
  /** Bursts of watch events within this many ms cause one reload; a function is read at each burst (a setting). */
  readonly debounceMs?: number | (() => number);
}

const DEFAULT_DEBOUNCE_MS = 300;
export const silentPanelLogger: PanelLogger = { debug() {}, warn() {}, error() {} };

export function panelTitle(kind: PanelKind, ref: VClusterRef): string {
  return `${kind.label}: ${ref.name}`;
}

/** How one panel differs from its kind's defaults: its title and the state the webview saves (default `{ ref }`). */
export interface PanelView {
  readonly title?: string;
  readonly state?: Record<string, unknown>;
}

/** A panel that posts messages of type `Out` (its protocol's host → page messages) and records reports of type `Report`. */
export abstract class WebviewPanelBase<Out extends { readonly type: string }, Report> extends Disposable {
  /** What the webview reported rendering last (tests). */
  lastRendered: Report | undefined;
  private readonly renderedEmitter = new vscode.EventEmitter<Report>();
  readonly onDidRender = this.renderedEmitter.event;
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposeEmitter.event;
  /** The webview said `ready` and was not hidden since: messages posted now arrive. */
  protected ready = false;
  private follow: FollowWhileVisible | undefined;
  /** How log lines name this panel. */
  protected readonly what: string;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly ref: VClusterRef,
    kind: PanelKind,
    private readonly base: PanelBaseOptions,
    view: PanelView = {},
  ) {
    super();
    this.what = kind.what;
    // registered first, so released last: the message and dispose subscriptions and the follower go before the panel
    this.register(panel);
    const webview = panel.webview;
    const dist = vscode.Uri.joinPath(base.extensionUri, 'dist');
    webview.options = { enableScripts: true, enableCommandUris: false, localResourceRoots: [dist] };
    const title = view.title ?? panelTitle(kind, ref);
    panel.title = title;
    webview.html = renderHtml({
      cspSource: webview.cspSource,
      nonce: randomBytes(18).toString('base64url'),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, `${kind.page}.js`)).toString(),
      codiconUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'codicon.css')).toString(),
      styleUris: [webview.asWebviewUri(vscode.Uri.joinPath(dist, `${kind.page}.css`)).toString()],
      title,
      state: view.state ?? { ref },
    });
    this.register(
      webview.onDidReceiveMessage((raw: unknown) => {
        this.receive(raw).catch((err: unknown) => this.log.error(`${this.what} panel: message handling failed`, err));
      }),
    );
    this.register(panel.onDidDispose(() => this.dispose()));
  }

  /** Validates and handles one message from the webview (public so that tests can drive it). */
  abstract receive(raw: unknown): Promise<void>;

  /** Reads what the panel shows again and posts it. Concurrent reloads: the newest wins. */
  abstract reload(): Promise<void>;

  /** The subclass calls this last in its constructor: the first load, then following changes while visible. */
  protected start(): void {
    const reload = (): void => {
      this.reload().catch(() => {
        /* posted as loadError */
      });
    };
    reload();
    const d = this.base.debounceMs;
    this.follow = this.register(
      new FollowWhileVisible({
        panel: this.panel,
        watch: (onChange) => this.watch(onChange),
        reload,
        onHidden: () => {
          this.ready = false;
        },
        debounceMs: () => (typeof d === 'function' ? d() : d) ?? DEFAULT_DEBOUNCE_MS,
        log: this.log,
        what: `${this.what} panel of ${this.ref.namespace}/${this.ref.name}`,
      }),
    );
  }

  /** Starts watching what the panel shows; onChange may be called in bursts. */
  protected abstract watch(onChange: () => void): { dispose(): void };

  protected get log(): PanelLogger {
    return this.base.logger ?? silentPanelLogger;
  }

  /** True while the panel follows changes (visible and watching); for tests. */
  get watching(): boolean {
    return this.follow?.watching ?? false;
  }

  /** Records a render report of the webview and tells the waiters. */
  protected rendered(report: Report): void {
    this.lastRendered = report;
    this.renderedEmitter.fire(report);
  }

  /** Resolves with the next report of the webview (after something was posted or a filter changed). */
  nextRender(timeoutMs = 15_000): Promise<Report> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        sub.dispose();
        reject(new Error(`the ${this.what} webview did not render in time`));
      }, timeoutMs);
      const sub = this.onDidRender((r) => {
        clearTimeout(timer);
        sub.dispose();
        resolve(r);
      });
    });
  }

  protected post(msg: Out): void {
    if (!this.ready || this.isDisposed) return;
    this.panel.webview
      .postMessage(redactMessage(msg))
      .then(undefined, (err: unknown) => this.log.debug(`${this.what} panel: post failed: ${errorMessage(err)}`));
  }

  override dispose(): void {
    if (this.isDisposed) return;
    super.dispose();
    this.disposeEmitter.fire();
    this.disposeEmitter.dispose();
    this.renderedEmitter.dispose();
  }
}
