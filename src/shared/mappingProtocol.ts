// The message protocol between the mapping panel (src/webview/mappingPanel.ts) and its page (webview-ui/mapping/).
//
// Rules both sides follow:
// - The webview sends `ready` first; the host posts nothing before it (and re-sends the current model on every
//   `ready`, because a hidden webview may be recreated).
// - Requests from the webview carry a numeric `id`; the host answers each with one `reply` echoing it.
// - The host validates every incoming message with parseFromMappingWebview() before it looks at it: the webview runs
//   untrusted content (names and statuses from a cluster) and is treated as untrusted itself.
// - Nothing here carries secret material: rows are object metadata by construction, and free text from a cluster
//   (error messages) is passed through redact() by the host before it is posted.
//
// No vscode, no DOM, no Node: both bundles import this module.

import type { WireMappingModel } from './mappingWire';
import type { MappingRow, VClusterRef } from './model';
import { parseVClusterRef } from './vclusterRef';
import { isRecord } from './guards';

export const MAPPING_PROTOCOL_VERSION = 2;

/** Longest string accepted in an identifier-like field (row keys, digests). */
export const MAX_KEY_LENGTH = 1024;
/** Longest free-text field accepted from the webview (client error reports). */
export const MAX_TEXT_LENGTH = 4000;
/** Largest numeric request id; ids are small counters. */
export const MAX_REQUEST_ID = 2 ** 31 - 1;

export type Side = 'virtual' | 'host';

/** What the webview rendered, reported back so that tests can assert what the user actually sees. */
export interface MappingRenderReport {
  /** Table rows in the DOM: the table renders only the rows in view (plus a few above and below). */
  readonly rows: number;
  /** Rows that pass the current filters: what scrolling through the table shows. */
  readonly matching: number;
  /** Rows in the model. */
  readonly total: number;
  /** digestKeys() over rowKey() of all matching rows, in display order. */
  readonly digest: string;
}

// ---- host → webview -------------------------------------------------------------------------------------------

export type ToMappingWebview =
  /** A (re)load started; the webview keeps showing the previous model, marked as updating. */
  | { readonly type: 'loading'; readonly ref: VClusterRef }
  /** The model in its compact wire form (mappingWire.ts). */
  | { readonly type: 'model'; readonly model: WireMappingModel }
  /** Loading failed; `message` has been redacted. */
  | { readonly type: 'loadError'; readonly ref: VClusterRef; readonly message: string }
  /** The answer to a request; `id` echoes the request's id. */
  | { readonly type: 'reply'; readonly id: number; readonly ok: true }
  | { readonly type: 'reply'; readonly id: number; readonly ok: false; readonly message: string };

// ---- webview → host -------------------------------------------------------------------------------------------

export type FromMappingWebview =
  | { readonly type: 'ready'; readonly version: number }
  /** Open the YAML of one side of the row whose rowKey() is `rowKey` (the host looks the row up in its model). */
  | { readonly type: 'openYaml'; readonly id: number; readonly rowKey: string; readonly side: Side }
  /** Reload the model now. */
  | { readonly type: 'refresh'; readonly id: number }
  | ({ readonly type: 'rendered' } & MappingRenderReport)
  /** An unexpected error inside the webview, for the log. */
  | { readonly type: 'clientError'; readonly message: string };

export type MappingRequest = Extract<FromMappingWebview, { id: number }>;

/** The state the webview persists with setState and the serializer gets back after a reload. */
export interface MappingState {
  readonly ref: VClusterRef;
  /** The webview's own view preferences (filters, sort, expanded groups); the host does not read them. */
  readonly view?: unknown;
}

// ---- identity and digest --------------------------------------------------------------------------------------

/**
 * A stable identifier of a row within one model: kind plus both sides' namespace/name. Kubernetes names never
 * contain '|' or '/', so the key is unambiguous.
 */
export function rowKey(row: MappingRow): string {
  return [row.kind, `${row.virtualNamespace ?? ''}/${row.virtualName ?? ''}`, `${row.hostNamespace ?? ''}/${row.hostName ?? ''}`].join('|');
}

/** FNV-1a (32 bit) over the keys joined by newlines, as 8 hex digits: a cheap fingerprint of a rendered list. */
export function digestKeys(keys: readonly string[]): string {
  let h = 0x811c9dc5;
  const text = keys.join('\n');
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // hash each UTF-16 code unit as two bytes so that non-ASCII text is covered too
    h ^= c & 0xff;
    h = Math.imul(h, 0x01000193);
    h ^= c >>> 8;
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

// ---- validation -----------------------------------------------------------------------------------------------

function isId(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_REQUEST_ID;
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 10_000_000;
}

function isString(v: unknown, max: number, min = 0): v is string {
  return typeof v === 'string' && v.length >= min && v.length <= max;
}

function isSide(v: unknown): v is Side {
  return v === 'virtual' || v === 'host';
}

/**
 * Validates a message from the webview. Returns a fresh object holding only the known fields, or undefined for
 * anything unexpected (unknown type, missing or mistyped field, oversized string, out-of-range number).
 */
export function parseFromMappingWebview(msg: unknown): FromMappingWebview | undefined {
  if (!isRecord(msg) || typeof msg.type !== 'string') return undefined;
  switch (msg.type) {
    case 'ready':
      return isId(msg.version) ? { type: 'ready', version: msg.version } : undefined;
    case 'openYaml':
      if (!isId(msg.id) || !isString(msg.rowKey, MAX_KEY_LENGTH, 1) || !isSide(msg.side)) return undefined;
      return { type: 'openYaml', id: msg.id, rowKey: msg.rowKey, side: msg.side };
    case 'refresh':
      return isId(msg.id) ? { type: 'refresh', id: msg.id } : undefined;
    case 'rendered':
      if (!isCount(msg.rows) || !isCount(msg.matching) || !isCount(msg.total)) return undefined;
      if (!isString(msg.digest, 16, 1) || !/^[0-9a-f]+$/.test(msg.digest)) return undefined;
      if (msg.rows > msg.matching || msg.matching > msg.total) return undefined;
      return { type: 'rendered', rows: msg.rows, matching: msg.matching, total: msg.total, digest: msg.digest };
    case 'clientError':
      return isString(msg.message, MAX_TEXT_LENGTH) ? { type: 'clientError', message: msg.message } : undefined;
    default:
      return undefined;
  }
}

/** Validates the state a webview persisted (what a WebviewPanelSerializer receives). */
export function parseMappingState(v: unknown): MappingState | undefined {
  if (!isRecord(v)) return undefined;
  const ref = parseVClusterRef(v.ref);
  return ref ? { ref, view: v.view } : undefined;
}

/** A light shape check for the webview side (messages there come from the host, which is trusted). */
export function isToMappingWebview(v: unknown): v is ToMappingWebview {
  if (!isRecord(v)) return false;
  switch (v.type) {
    case 'loading':
      return isRecord(v.ref);
    case 'model':
      return isRecord(v.model) && Array.isArray(v.model.rows) && Array.isArray(v.model.strings) && isRecord(v.model.summary) && isRecord(v.model.vcluster);
    case 'loadError':
      return isRecord(v.ref) && typeof v.message === 'string';
    case 'reply':
      return isId(v.id) && typeof v.ok === 'boolean' && (v.ok || typeof v.message === 'string');
    default:
      return false;
  }
}
