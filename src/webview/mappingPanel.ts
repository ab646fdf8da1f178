// The virtual→host mapping panel: one WebviewPanel per vcluster, fed by a MappingSource, live while visible.
//
//   const panels = new MappingPanels({ extensionUri: context.extensionUri, source, logger, debounceMs: () => ms });
//   context.subscriptions.push(panels, panels.registerSerializer());
//   panels.show(ref);                        // opens or reveals the panel of that vcluster
//
// Security: the HTML has a strict CSP with a fresh nonce (html.ts); the webview may load only dist/ and media/;
// every message from it is validated with parseFromWebview() before use; rows carry metadata only and free text
// from the cluster (statuses, error messages) goes through redact() before it is posted (post() and sanitizeModel()).

import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import type { MappingModel, MappingRow, VClusterRef } from '../shared/model';
import {
  PROTOCOL_VERSION, parseFromWebview, parsePersistedState, refKey, rowKey,
  type FromWebview, type RenderedReport, type ToWebview,
} from '../shared/protocol';
import { errorMessage } from '../shared/errors';
import { redact } from '../shared/redact';
import { renderHtml } from './html';
import { redactMessage, sanitizeModel } from './sanitize';
import type { MappingSource, PanelLogger } from './source';

export const MAPPING_VIEW_TYPE = 'vcluster.mapping';
const DEFAULT_DEBOUNCE_MS = 300;

export interface MappingPanelOptions {
  readonly extensionUri: vscode.Uri;
  readonly source: MappingSource;
  readonly logger?: PanelLogger;
  /** Bursts of watch events within this many ms cause one reload; a function is read at each burst (a setting). */
  readonly debounceMs?: number | (() => number);
}

const silent: PanelLogger = { debug() {}, warn() {}, error() {} };

export class MappingPanel implements vscode.Disposable {
  /** The last report of what the webview rendered (row count and digest), for tests. */
  lastRendered: RenderedReport | undefined;
  /** The last model loaded (also while the webview is not ready yet). */
  model: MappingModel | undefined;

  private readonly renderedEmitter = new vscode.EventEmitter<RenderedReport>();
  readonly onDidRender = this.renderedEmitter.event;
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposeEmitter.event;

  private readonly subscriptions: vscode.Disposable[] = [];
  private rowsByKey = new Map<string, MappingRow>();
  private ready = false;
  private loadState: { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'loaded' } = { kind: 'loading' };
  private watcher: { dispose(): void } | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private generation = 0;
  private wasVisible: boolean;
  private disposed = false;

  constructor(readonly panel: vscode.WebviewPanel, readonly ref: VClusterRef, private readonly opts: MappingPanelOptions) {
    const log = opts.logger ?? silent;
    const webview = panel.webview;
    const dist = vscode.Uri.joinPath(opts.extensionUri, 'dist');
    const media = vscode.Uri.joinPath(opts.extensionUri, 'media');
    webview.options = { enableScripts: true, enableCommandUris: false, localResourceRoots: [dist, media] };
    panel.title = `Mapping: ${ref.name}`;
    webview.html = renderHtml({
      cspSource: webview.cspSource,
      nonce: randomBytes(18).toString('base64url'),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      codiconUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'codicon.css')).toString(),
      styleUris: [webview.asWebviewUri(vscode.Uri.joinPath(media, 'mapping.css')).toString()],
      title: `Mapping: ${ref.name}`,
      state: { ref },
    });
    this.subscriptions.push(
      webview.onDidReceiveMessage((raw: unknown) => {
        this.receive(raw).catch((err) => log.error('mapping panel: message handling failed', err));
      }),
      panel.onDidChangeViewState(() => this.onVisibility()),
      panel.onDidDispose(() => this.dispose()),
    );
    this.wasVisible = panel.visible;
    this.reload().catch(() => { /* posted as loadError */ });
    if (panel.visible) this.startWatching();
  }

  private get log(): PanelLogger {
    return this.opts.logger ?? silent;
  }

  reveal(column?: vscode.ViewColumn): void {
    this.panel.reveal(column);
  }

  /** Resolves with the next report of the webview (after a model was posted or a filter changed). */
  nextRender(timeoutMs = 15_000): Promise<RenderedReport> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { sub.dispose(); reject(new Error('the mapping webview did not render in time')); }, timeoutMs);
      const sub = this.onDidRender((r) => { clearTimeout(timer); sub.dispose(); resolve(r); });
    });
  }

  /** Reads the model again and posts it. Concurrent reloads: the newest wins. */
  async reload(): Promise<void> {
    if (this.disposed) return;
    const gen = ++this.generation;
    this.loadState = { kind: 'loading' };
    this.post({ type: 'loading', ref: this.ref });
    try {
      const model = sanitizeModel(await this.opts.source.load(this.ref));
      if (gen !== this.generation || this.disposed) return;
      this.model = model;
      this.rowsByKey = new Map(model.rows.map((r) => [rowKey(r), r]));
      this.loadState = { kind: 'loaded' };
      this.post({ type: 'model', model });
    } catch (err) {
      if (gen !== this.generation || this.disposed) return;
      const message = redact(errorMessage(err));
      this.log.warn(`mapping of ${this.ref.namespace}/${this.ref.name}: ${message}`);
      this.loadState = { kind: 'error', message };
      this.post({ type: 'loadError', ref: this.ref, message });
      throw err;
    }
  }

  /**
   * The message router: validates and handles one message from the webview. Invalid messages are logged and
   * dropped. Public so that integration tests can drive the router the way the webview does.
   */
  async receive(raw: unknown): Promise<void> {
    const msg = parseFromWebview(raw);
    if (!msg) {
      const type = typeof raw === 'object' && raw !== null && typeof (raw as { type?: unknown }).type === 'string'
        ? String((raw as { type: string }).type).slice(0, 40) : typeof raw;
      this.log.warn(`mapping panel: ignored an invalid message from the webview (${type})`);
      return;
    }
    await this.handle(msg);
  }

  private async handle(msg: FromWebview): Promise<void> {
    switch (msg.type) {
      case 'ready':
        if (msg.version !== PROTOCOL_VERSION) this.log.warn(`mapping webview speaks protocol ${msg.version}, expected ${PROTOCOL_VERSION}`);
        this.ready = true;
        this.postCurrent();
        return;
      case 'openYaml': {
        const row = this.rowsByKey.get(msg.rowKey);
        if (!row) {
          this.post({ type: 'reply', id: msg.id, ok: false, message: 'That object is no longer in the mapping. Refresh and try again.' });
          return;
        }
        try {
          await this.opts.source.openYaml(this.ref, row, msg.side);
          this.post({ type: 'reply', id: msg.id, ok: true });
        } catch (err) {
          this.post({ type: 'reply', id: msg.id, ok: false, message: errorMessage(err) });
        }
        return;
      }
      case 'refresh':
        try {
          await this.reload();
          this.post({ type: 'reply', id: msg.id, ok: true });
        } catch (err) {
          this.post({ type: 'reply', id: msg.id, ok: false, message: errorMessage(err) });
        }
        return;
      case 'rendered': {
        const { type: _type, ...report } = msg;
        this.lastRendered = report;
        this.renderedEmitter.fire(report);
        return;
      }
      case 'clientError':
        this.log.warn(`mapping webview error: ${msg.message}`);
        return;
      default: {
        const never: never = msg;
        void never;
      }
    }
  }

  /** After `ready`: what the webview needs to show the current state. */
  private postCurrent(): void {
    switch (this.loadState.kind) {
      case 'loaded':
        if (this.model) this.post({ type: 'model', model: this.model });
        return;
      case 'loading':
        if (this.model) this.post({ type: 'model', model: this.model });
        this.post({ type: 'loading', ref: this.ref });
        return;
      case 'error':
        this.post({ type: 'loadError', ref: this.ref, message: this.loadState.message });
        return;
    }
  }

  private post(msg: ToWebview): void {
    if (!this.ready || this.disposed) return;
    this.panel.webview.postMessage(redactMessage(msg)).then(undefined, (err: unknown) => this.log.debug(`mapping panel: post failed: ${errorMessage(err)}`));
  }

  private onVisibility(): void {
    const visible = this.panel.visible;
    if (visible === this.wasVisible) return;
    this.wasVisible = visible;
    if (visible) {
      // changes while hidden were not watched: read again, then follow changes
      this.startWatching();
      this.reload().catch(() => { /* posted as loadError */ });
    } else {
      this.stopWatching();
      // a hidden webview is destroyed (no retainContextWhenHidden); it sends `ready` again when shown
      this.ready = false;
    }
  }

  private startWatching(): void {
    if (this.watcher || this.disposed) return;
    try {
      this.watcher = this.opts.source.watch(this.ref, () => this.scheduleReload());
    } catch (err) {
      this.log.warn(`mapping panel: cannot watch ${this.ref.namespace}/${this.ref.name}: ${redact(errorMessage(err))}`);
    }
  }

  private stopWatching(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const w = this.watcher;
    this.watcher = undefined;
    try {
      w?.dispose();
    } catch (err) {
      this.log.debug(`mapping panel: stopping the watch failed: ${errorMessage(err)}`);
    }
  }

  /** True while the panel follows changes (visible and watching); for tests. */
  get watching(): boolean {
    return this.watcher !== undefined;
  }

  private scheduleReload(): void {
    if (this.disposed || !this.watcher) return;
    const d = this.opts.debounceMs;
    const ms = Math.max(0, (typeof d === 'function' ? d() : d) ?? DEFAULT_DEBOUNCE_MS);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.reload().catch(() => { /* posted as loadError */ });
    }, ms);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stopWatching();
    for (const s of this.subscriptions.splice(0)) s.dispose();
    this.panel.dispose();
    this.disposeEmitter.fire();
    this.disposeEmitter.dispose();
    this.renderedEmitter.dispose();
  }
}

/** Owns the open mapping panels (one per vcluster) and restores them after a window reload. */
export class MappingPanels implements vscode.Disposable {
  private readonly panels = new Map<string, MappingPanel>();

  constructor(private readonly opts: MappingPanelOptions) {}

  /** Opens the panel of `ref`, or reveals it if it is open already. */
  show(ref: VClusterRef, column: vscode.ViewColumn = vscode.ViewColumn.Active): MappingPanel {
    const existing = this.panels.get(refKey(ref));
    if (existing) {
      existing.reveal(column);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(MAPPING_VIEW_TYPE, `Mapping: ${ref.name}`, column, {
      enableScripts: true,
      enableFindWidget: true,
      localResourceRoots: [vscode.Uri.joinPath(this.opts.extensionUri, 'dist'), vscode.Uri.joinPath(this.opts.extensionUri, 'media')],
    });
    return this.adopt(panel, ref);
  }

  get(ref: VClusterRef): MappingPanel | undefined {
    return this.panels.get(refKey(ref));
  }

  get all(): readonly MappingPanel[] {
    return [...this.panels.values()];
  }

  /**
   * Restores panels after a reload of the window. The webview's persisted state holds the VClusterRef (and its own
   * view preferences); anything that does not validate closes the panel. Activation on `onWebviewPanel:vcluster.mapping`
   * makes VS Code call this.
   */
  registerSerializer(): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(MAPPING_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => {
        const parsed = parsePersistedState(state);
        if (!parsed) {
          this.opts.logger?.warn('mapping panel: could not restore a panel (no vcluster in its state)');
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

  private adopt(panel: vscode.WebviewPanel, ref: VClusterRef): MappingPanel {
    const key = refKey(ref);
    const p = new MappingPanel(panel, ref, this.opts);
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
