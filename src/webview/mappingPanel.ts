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
  PROTOCOL_VERSION, parseFromWebview, parsePersistedState, rowKey,
  type FromWebview, type RenderedReport, type ToWebview,
} from '../shared/protocol';
import { errorMessage } from '../shared/errors';
import { encodeMappingModel } from '../shared/mappingWire';
import { redact } from '../shared/redact';
import { FollowWhileVisible } from './followWhileVisible';
import { renderHtml } from './html';
import { PanelRegistry } from './panelRegistry';
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
  private readonly follow: FollowWhileVisible;
  private generation = 0;
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
      panel.onDidDispose(() => this.dispose()),
    );
    this.reload().catch(() => { /* posted as loadError */ });
    const d = opts.debounceMs;
    this.follow = new FollowWhileVisible({
      panel,
      watch: (onChange) => opts.source.watch(ref, onChange),
      reload: () => this.reload().catch(() => { /* posted as loadError */ }),
      onHidden: () => { this.ready = false; },
      debounceMs: () => (typeof d === 'function' ? d() : d) ?? DEFAULT_DEBOUNCE_MS,
      log,
      what: `mapping panel of ${ref.namespace}/${ref.name}`,
    });
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
      this.postModel();
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
        this.postModel();
        return;
      case 'loading':
        this.postModel();
        this.post({ type: 'loading', ref: this.ref });
        return;
      case 'error':
        this.post({ type: 'loadError', ref: this.ref, message: this.loadState.message });
        return;
    }
  }

  /** The current model in its compact wire form (only what the view shows). */
  private postModel(): void {
    if (this.model && this.ready) this.post({ type: 'model', model: encodeMappingModel(this.model) });
  }

  private post(msg: ToWebview): void {
    if (!this.ready || this.disposed) return;
    this.panel.webview.postMessage(redactMessage(msg)).then(undefined, (err: unknown) => this.log.debug(`mapping panel: post failed: ${errorMessage(err)}`));
  }

  /** True while the panel follows changes (visible and watching); for tests. */
  get watching(): boolean {
    return this.follow.watching;
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

/** Owns the open mapping panels (one per vcluster) and restores them after a window reload. */
export class MappingPanels extends PanelRegistry<MappingPanel> {
  constructor(opts: MappingPanelOptions) {
    super({
      viewType: MAPPING_VIEW_TYPE,
      extensionUri: opts.extensionUri,
      create: (panel, ref) => new MappingPanel(panel, ref, opts),
      // The webview's persisted state holds the VClusterRef and its own view preferences.
      parseState: parsePersistedState,
      title: (ref) => `Mapping: ${ref.name}`,
      ...(opts.logger ? { logger: opts.logger } : {}),
    });
  }
}
