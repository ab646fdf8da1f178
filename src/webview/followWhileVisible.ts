// What the mapping and describe panels share: following changes of what they show only while they are visible. A
// hidden panel watches nothing (no requests, nothing that keeps a vcluster awake) and reads again when shown.

import type * as vscode from 'vscode';
import { Disposable } from '../platform/disposable';
import { errorMessage } from '../shared/errors';
import { redact } from '../shared/redact';

export interface FollowOptions {
  readonly panel: vscode.WebviewPanel;
  /** Starts watching; onChange may be called in bursts. */
  readonly watch: (onChange: () => void) => { dispose(): void };
  /** Reads again and posts the result (errors are the caller's to show). */
  readonly reload: () => void;
  /** The panel became hidden (its webview is destroyed and sends `ready` again when shown). */
  readonly onHidden: () => void;
  readonly debounceMs: () => number;
  readonly log: { debug(msg: string): void; warn(msg: string): void };
  /** "mapping panel of ns/name", for log lines. */
  readonly what: string;
}

export class FollowWhileVisible extends Disposable {
  private watcher: { dispose(): void } | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private wasVisible: boolean;

  constructor(private readonly o: FollowOptions) {
    super();
    this.wasVisible = o.panel.visible;
    this.register(o.panel.onDidChangeViewState(() => this.onVisibility()));
    // released first: the watch and a pending reload stop before the visibility subscription goes
    this.register({ dispose: () => this.stop() });
    if (o.panel.visible) this.start();
  }

  /** True while the panel follows changes (visible and watching); for tests. */
  get watching(): boolean {
    return this.watcher !== undefined;
  }

  private onVisibility(): void {
    const visible = this.o.panel.visible;
    if (visible === this.wasVisible || this.isDisposed) return;
    this.wasVisible = visible;
    if (visible) {
      // changes while hidden were not watched: read again, then follow changes
      this.start();
      this.o.reload();
    } else {
      this.stop();
      this.o.onHidden();
    }
  }

  private start(): void {
    if (this.watcher || this.isDisposed) return;
    try {
      this.watcher = this.o.watch(() => this.schedule());
    } catch (err) {
      this.o.log.warn(`${this.o.what}: cannot watch: ${redact(errorMessage(err))}`);
    }
  }

  private stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const w = this.watcher;
    this.watcher = undefined;
    try {
      w?.dispose();
    } catch (err) {
      this.o.log.debug(`${this.o.what}: stopping the watch failed: ${errorMessage(err)}`);
    }
  }

  private schedule(): void {
    if (this.isDisposed || !this.watcher) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.o.reload();
      },
      Math.max(0, this.o.debounceMs()),
    );
  }
}
