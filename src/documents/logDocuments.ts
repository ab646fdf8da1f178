// Read-only text documents that grow while a stream runs: pod logs (and the events of an object), served from a
// TextDocumentContentProvider on the `vcluster-log:` scheme. Documents of a content provider are read-only. The text
// is shown as text only: log lines are whatever a container printed.
//
// A busy pod writes faster than an editor should re-render: appended text is collected and the document is told to
// change at most every UPDATE_MS, and at most the last MAX_CHARS characters are kept (cut in large steps: appendKept in
// src/shared/logText.ts). When the tab closes, the stream is stopped (its AbortSignal fires).

import * as vscode from 'vscode';
import { Disposable } from '../platform/disposable';
import { appendKept } from '../shared/logText';

export const LOG_SCHEME = 'vcluster-log';
const UPDATE_MS = 200;
const MAX_CHARS = 4 * 1024 * 1024;

interface LogDoc {
  text: string;
  dropped: number;
  pending?: NodeJS.Timeout;
  readonly abort: AbortController;
  ended: boolean;
  /** Shown in a tab: from then on, closing the last tab with it stops the stream. */
  shown: boolean;
}

export class LogDocuments extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly changed = this.register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this.changed.event;
  private readonly docs = new Map<string, LogDoc>();
  private counter = 0;

  constructor() {
    super();
    this.register(vscode.workspace.registerTextDocumentContentProvider(LOG_SCHEME, this));
    this.register(vscode.window.tabGroups.onDidChangeTabs(() => this.stopClosed()));
    this.register(
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (d.uri.scheme === LOG_SCHEME) this.stop(d.uri.toString());
      }),
    );
    // released first: every stream stops before the subscriptions go
    this.register({
      dispose: () => {
        for (const key of [...this.docs.keys()]) this.stop(key);
      },
    });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const d = this.docs.get(uri.toString());
    if (!d) return '(this log is no longer streamed: open it again from the vcluster explorer)\n';
    return d.dropped ? `[${d.dropped} earlier characters dropped]\n${d.text}` : d.text;
  }

  /**
   * Opens a new document titled `title` and returns its handle: append text as it arrives, end() with the reason when
   * the stream ends. `signal` fires when the user closes the tab.
   */
  async open(title: string): Promise<{ uri: vscode.Uri; signal: AbortSignal; append(text: string): void; end(note: string): void }> {
    const safe = title.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 120) || 'log';
    const uri = vscode.Uri.from({ scheme: LOG_SCHEME, path: `/${safe}.log`, query: `n=${++this.counter}` });
    const key = uri.toString();
    const d: LogDoc = { text: '', dropped: 0, abort: new AbortController(), ended: false, shown: false };
    this.docs.set(key, d);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: false, preserveFocus: false });
    d.shown = true;
    return {
      uri,
      signal: d.abort.signal,
      append: (text) => this.append(key, text),
      end: (note) => {
        if (d.ended) return;
        d.ended = true;
        this.append(key, `${d.text && !d.text.endsWith('\n') ? '\n' : ''}--- ${note} ---\n`);
      },
    };
  }

  /** The current text of a log document (tests). */
  textOf(uri: vscode.Uri): string | undefined {
    return this.docs.get(uri.toString())?.text;
  }

  /** Whether the stream of a document still runs (tests). */
  isStreaming(uri: vscode.Uri): boolean {
    const d = this.docs.get(uri.toString());
    return !!d && !d.abort.signal.aborted && !d.ended;
  }

  private append(key: string, text: string): void {
    const d = this.docs.get(key);
    if (!d || !text) return;
    const kept = appendKept(d.text, text, MAX_CHARS);
    d.text = kept.text;
    d.dropped += kept.dropped;
    d.pending ??= setTimeout(() => {
      d.pending = undefined;
      this.changed.fire(vscode.Uri.parse(key));
    }, UPDATE_MS);
  }

  private stopClosed(): void {
    const open = new Set<string>();
    for (const g of vscode.window.tabGroups.all) {
      for (const t of g.tabs) if (t.input instanceof vscode.TabInputText && t.input.uri.scheme === LOG_SCHEME) open.add(t.input.uri.toString());
    }
    for (const [key, d] of [...this.docs]) if (d.shown && !open.has(key)) this.stop(key);
  }

  private stop(key: string): void {
    const d = this.docs.get(key);
    if (!d) return;
    clearTimeout(d.pending);
    d.abort.abort();
    this.docs.delete(key);
  }
}
