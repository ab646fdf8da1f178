import type * as vscode from 'vscode';
import type { TunnelRecord } from '../vcluster/connect';

const PREFIX = 'tunnel:';

/**
 * The port-forward tunnels that kubeconfig contexts written by Connect point at, one record per context in the
 * extension's global state, so that they can be opened again after a window reload.
 */
export class TunnelStore {
  constructor(private readonly state: vscode.Memento) {}

  /** Every recorded context with its record. */
  all(): { context: string; record: TunnelRecord | undefined }[] {
    return this.state
      .keys()
      .filter((k) => k.startsWith(PREFIX))
      .map((k) => ({ context: k.slice(PREFIX.length), record: this.state.get<TunnelRecord>(k) }));
  }

  get(context: string): TunnelRecord | undefined {
    return this.state.get<TunnelRecord>(PREFIX + context);
  }

  async save(context: string, record: TunnelRecord): Promise<void> {
    await this.state.update(PREFIX + context, record);
  }

  async forget(context: string): Promise<void> {
    await this.state.update(PREFIX + context, undefined);
  }
}
