// A small event emitter without vscode, for the layers that run in plain Node (src/kube, src/vcluster). The UI wraps
// its `event` where VS Code wants a vscode.Event: the shapes are the same.

export type Listener<T> = (e: T) => void;

export class Emitter<T> {
  private readonly listeners = new Set<Listener<T>>();

  /** @param onListenerError told when a listener throws; the other listeners are called anyway. */
  constructor(private readonly onListenerError?: (err: unknown) => void) {}

  /** Subscribes; dispose() the result to unsubscribe. */
  readonly event = (listener: Listener<T>): { dispose(): void } => {
    this.listeners.add(listener);
    return {
      dispose: () => {
        this.listeners.delete(listener);
      },
    };
  };

  fire(e: T): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch (err) {
        this.onListenerError?.(err);
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
