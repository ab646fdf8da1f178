// The mapping webview's state and its line to VS Code: the view preferences (persisted with setState), the vcluster
// it shows, the current model with its row index, and the messages it sends. The renderers subscribe to preference
// changes (onPrefsChange) instead of being imported here, so the modules form no cycle.

import type { MappingModel, VClusterRef } from '../../src/shared/model';
import { type FromMappingWebview, type MappingRequest } from '../../src/shared/mappingProtocol';
import { parseVClusterRef } from '../../src/shared/vclusterRef';
import { DEFAULT_PREFS, RowIndex, normalizePrefs, type ViewPrefs } from './view';
import { vscode } from '../common/vscodeApi';

export interface ViewState {
  prefs: ViewPrefs;
  ref: VClusterRef | undefined;
  model: MappingModel | undefined;
  /** Search text and sort orders of model.rows, computed on demand. */
  index: RowIndex | undefined;
}

const saved = (vscode.getState() ?? {}) as { ref?: unknown; view?: unknown };

export const state: ViewState = {
  prefs: { ...DEFAULT_PREFS, ...normalizePrefs(saved.view) },
  ref: parseVClusterRef(saved.ref) ?? initialRef(),
  model: undefined,
  index: undefined,
};

function initialRef(): VClusterRef | undefined {
  try {
    const raw = document.body.dataset.state;
    return raw ? parseVClusterRef((JSON.parse(raw) as { ref?: unknown }).ref) : undefined;
  } catch {
    return undefined;
  }
}

export function persist(): void {
  vscode.setState({ ref: state.ref, view: state.prefs });
}

/** A model decoded from the wire form: its rows come in the default display order. */
export function setModel(model: MappingModel): void {
  state.model = model;
  state.index = new RowIndex(model.rows, true);
  state.ref = model.vcluster;
  persist();
}

export function post(msg: FromMappingWebview): void {
  vscode.postMessage(msg);
}

// ---- requests and their replies -------------------------------------------------------------------------------

let nextId = 1;
const pending = new Map<number, string>();

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Sends a request; `what` names it in the status line when the reply reports a failure. */
export function request(msg: DistributiveOmit<MappingRequest, 'id'>, what: string): void {
  const id = nextId++;
  pending.set(id, what);
  post({ ...msg, id } as FromMappingWebview);
}

/** What the request with this id was, once (undefined for unknown ids). */
export function takePending(id: number): string | undefined {
  const what = pending.get(id);
  pending.delete(id);
  return what;
}

// ---- preferences ----------------------------------------------------------------------------------------------

export interface PrefsChange {
  /** The diagram depends on the change (expanded namespaces, the selection it highlights). */
  readonly diagram?: boolean;
  /** The rows changed (a filter, not only the sort): scroll the table back to the top. */
  readonly resetScroll?: boolean;
}

const listeners: ((change: PrefsChange) => void)[] = [];

export function onPrefsChange(listener: (change: PrefsChange) => void): void {
  listeners.push(listener);
}

export function setPrefs(p: Partial<ViewPrefs>, change: PrefsChange = {}): void {
  state.prefs = { ...state.prefs, ...p };
  persist();
  for (const l of listeners) l(change);
}
