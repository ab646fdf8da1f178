// What the mapping panel needs from the rest of the extension. The extension plugs in the real implementation
// (src/vcluster/mapping.ts over the kube clients); tests can plug in one over a real API server.
// No vscode import: the panel is the only part that talks to VS Code.

import type { MappingModel, MappingRow, VClusterRef } from '../shared/model';
import type { Side } from '../shared/mappingProtocol';

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

/** The logger the panel writes to; the platform Logger fits. Messages are redacted by the logger. */
export interface PanelLogger {
  debug(msg: string): void;
  warn(msg: string): void;
  error(msg: string, err?: unknown): void;
}
