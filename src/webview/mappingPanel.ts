// The virtual→host mapping panel: one WebviewPanel per vcluster, fed by a MappingSource, live while visible.
//
//   const panels = new MappingPanels({ extensionUri: context.extensionUri, source, logger, debounceMs: () => ms });
//   context.subscriptions.push(panels, panels.registerSerializer());
//   panels.show(ref);                        // opens or reveals the panel of that vcluster
//
// Security: the HTML has a strict CSP with a fresh nonce (html.ts); the webview may load only dist/;
// every message from it is validated with parseFromMappingWebview() before use; rows carry metadata only and free text
// from the cluster (statuses, error messages) goes through redact() before it is posted (post() and sanitizeModel()).

import type * as vscode from 'vscode';
import type { MappingModel, MappingRow, VClusterRef } from '../shared/model';
import {
  MAPPING_PROTOCOL_VERSION,
  parseFromMappingWebview,
  parseMappingState,
  rowKey,
  type FromMappingWebview,
  type MappingRenderReport,
  type Side,
  type ToMappingWebview,
} from '../shared/mappingProtocol';
import { errorMessage } from '../shared/errors';
import { encodeMappingModel } from '../shared/mappingWire';
import { redact } from '../shared/redact';
import { WebviewPanelBase, type PanelBaseOptions, type PanelKind } from './panelBase';
import { PanelRegistry, vclusterFamily } from './panelRegistry';
import { sanitizeModel } from './sanitize';

export const MAPPING_VIEW_TYPE = 'vcluster.mapping';
const MAPPING_KIND: PanelKind = { viewType: MAPPING_VIEW_TYPE, label: 'Mapping', page: 'mapping', what: 'mapping' };

/**
 * What the mapping panel needs from the rest of the extension. The extension plugs in the real implementation
 * (src/vcluster/mapping.ts over the kube clients); tests can plug in one over a real API server.
 */
export interface MappingSource {
  /** Reads both sides and joins them. Rejects with an Error whose message may be shown (after redact()). */
  load(ref: VClusterRef): Promise<MappingModel>;
  /**
   * Calls onChange (possibly in bursts; the panel debounces) whenever objects of the mapped kinds change on either
   * side. The panel calls this while it is visible and disposes the handle when it is hidden or closed.
   */
  watch(ref: VClusterRef, onChange: () => void): { dispose(): void };
  /** Opens the YAML of one side of a row in an editor (see ObjectYamlProvider.open). */
  openYaml(ref: VClusterRef, row: MappingRow, side: Side): Promise<void>;
}

export interface MappingPanelOptions extends PanelBaseOptions {
  readonly source: MappingSource;
}

export class MappingPanel extends WebviewPanelBase<ToMappingWebview, MappingRenderReport> {
  /** The last model loaded (also while the webview is not ready yet). */
  model: MappingModel | undefined;

  private rowsByKey = new Map<string, MappingRow>();
  private loadState: { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'loaded' } = { kind: 'loading' };
  private generation = 0;

  constructor(
    panel: vscode.WebviewPanel,
    ref: VClusterRef,
    private readonly opts: MappingPanelOptions,
  ) {
    super(panel, ref, MAPPING_KIND, opts);
    this.start();
  }

  protected watch(onChange: () => void): { dispose(): void } {
    return this.opts.source.watch(this.ref, onChange);
  }

  reveal(column?: vscode.ViewColumn): void {
    this.panel.reveal(column);
  }

  /** Reads the model again and posts it. Concurrent reloads: the newest wins. */
  async reload(): Promise<void> {
    if (this.isDisposed) return;
    const gen = ++this.generation;
    this.loadState = { kind: 'loading' };
    this.post({ type: 'loading', ref: this.ref });
    try {
      const model = sanitizeModel(await this.opts.source.load(this.ref));
      if (gen !== this.generation || this.isDisposed) return;
      this.model = model;
      this.rowsByKey = new Map(model.rows.map((r) => [rowKey(r), r]));
      this.loadState = { kind: 'loaded' };
      this.postModel();
    } catch (err) {
      if (gen !== this.generation || this.isDisposed) return;
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
    const msg = parseFromMappingWebview(raw);
    if (!msg) {
      const type =
        typeof raw === 'object' && raw !== null && typeof (raw as { type?: unknown }).type === 'string'
          ? String((raw as { type: string }).type).slice(0, 40)
          : typeof raw;
      this.log.warn(`mapping panel: ignored an invalid message from the webview (${type})`);
      return;
    }
    await this.handle(msg);
  }

  private async handle(msg: FromMappingWebview): Promise<void> {
    switch (msg.type) {
      case 'ready':
        if (msg.version !== MAPPING_PROTOCOL_VERSION) this.log.warn(`mapping webview speaks protocol ${msg.version}, expected ${MAPPING_PROTOCOL_VERSION}`);
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
        this.rendered(report);
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
}

/** Owns the open mapping panels (one per vcluster) and restores them after a window reload. */
export class MappingPanels extends PanelRegistry<MappingPanel> {
  constructor(opts: MappingPanelOptions) {
    super({
      kind: MAPPING_KIND,
      base: opts,
      create: (panel, ref) => new MappingPanel(panel, ref, opts),
      // The webview's persisted state holds the VClusterRef and its own view preferences.
      parseState: (state) => parseMappingState(state)?.ref,
      ...vclusterFamily(MAPPING_KIND),
    });
  }
}
