// The base of a details panel (the describe views of a vcluster and of an object inside one): it speaks a details
// protocol (src/shared/detailsProtocol.ts) with its page, webview-ui/common/detailsPage.ts. It reads the details with
// load(): the newest read wins, the last details or error are kept, and a page that says `ready` (first, or again
// after being hidden) gets what is known now. Every message from the page is validated before use; an action is one
// of the protocol's names, which the subclass maps to a command.

import type * as vscode from 'vscode';
import { parseFromDetailsWebview, type DetailsProtocol, type Named, type ToDetailsWebview } from '../shared/detailsProtocol';
import { errorMessage } from '../shared/errors';
import type { VClusterRef } from '../shared/model';
import { redact } from '../shared/redact';
import { WebviewPanelBase, type PanelBaseOptions, type PanelKind, type PanelView } from './panelBase';

/** What one details panel shows and how it talks about it. */
export interface DetailsPanelSpec<K extends string, Subject, Details, Action extends string, Report> {
  readonly kind: PanelKind;
  readonly protocol: DetailsProtocol<K, Subject, Details, Action, Report>;
  /** What the panel describes (named in its loading and loadError messages). */
  readonly subject: Subject;
  /** The subject in log lines ("ns/name"). */
  readonly subjectLabel: string;
  readonly view?: PanelView;
}

export abstract class DetailsPanelBase<K extends string, Subject, Details, Action extends string, Report> extends WebviewPanelBase<
  ToDetailsWebview<K, Subject, Details>,
  Report
> {
  /** The last details loaded (tests and the API). */
  details: Details | undefined;
  private error: string | undefined;
  private generation = 0;
  private loading: Promise<void> = Promise.resolve();
  private readonly spec: DetailsPanelSpec<K, Subject, Details, Action, Report>;

  constructor(panel: vscode.WebviewPanel, ref: VClusterRef, base: PanelBaseOptions, spec: DetailsPanelSpec<K, Subject, Details, Action, Report>) {
    super(panel, ref, spec.kind, base, spec.view);
    this.spec = spec;
  }

  /** Reads the details. */
  protected abstract load(): Promise<Details>;
  /** Runs an action the page asked for. */
  protected abstract act(action: Action): void;

  reload(): Promise<void> {
    this.loading = this.read();
    return this.loading;
  }

  /** Resolves when the latest read has ended (details or error set). */
  async settled(): Promise<void> {
    let last: Promise<void> | undefined;
    while (last !== this.loading) {
      last = this.loading;
      await last;
    }
  }

  /** Validates and handles one message from the webview (public so that tests can drive it). */
  receive(raw: unknown): Promise<void> {
    const msg = parseFromDetailsWebview(this.spec.protocol, raw);
    if (!msg) {
      this.log.warn(`${this.what} panel: ignored an invalid message from the webview`);
      return Promise.resolve();
    }
    switch (msg.type) {
      case 'ready':
        if (msg.version !== this.spec.protocol.version) this.log.warn(`${this.what} webview speaks protocol ${msg.version}`);
        this.webviewReady();
        break;
      case 'refresh':
        void this.reload();
        break;
      case 'action':
        this.act(msg.action);
        break;
      case 'rendered': {
        const { type: _type, ...report } = msg;
        this.rendered(report as Report);
        break;
      }
      case 'clientError':
        this.log.warn(`${this.what} webview error: ${msg.message}`);
        break;
      default: {
        const never: never = msg;
        void never;
      }
    }
    return Promise.resolve();
  }

  private named(): Named<K, Subject> {
    return { [this.spec.protocol.subjectKey]: this.spec.subject } as Named<K, Subject>;
  }

  private postLoading(): void {
    this.post({ type: 'loading', ...this.named() });
  }

  private postDetails(details: Details): void {
    this.post({ type: 'details', details });
  }

  private postLoadError(message: string): void {
    this.post({ type: 'loadError', ...this.named(), message });
  }

  private async read(): Promise<void> {
    if (this.isDisposed) return;
    const gen = ++this.generation;
    this.postLoading();
    try {
      const details = await this.load();
      if (gen !== this.generation || this.isDisposed) return;
      this.details = details;
      this.error = undefined;
      this.postDetails(details);
    } catch (err) {
      if (gen !== this.generation || this.isDisposed) return;
      this.error = redact(errorMessage(err));
      this.log.warn(`describe ${this.spec.subjectLabel}: ${this.error}`);
      this.postLoadError(this.error);
    }
  }

  /** The page said `ready`: messages arrive from now on, starting with what is known. */
  private webviewReady(): void {
    this.ready = true;
    if (this.details) this.postDetails(this.details);
    else if (this.error) this.postLoadError(this.error);
    else this.postLoading();
  }
}
