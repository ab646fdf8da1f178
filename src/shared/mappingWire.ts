// The mapping model as the panel posts it to its webview: only what the view shows, in a compact form. VS Code
// serializes every webview message (JSON to the renderer, then a structured clone into the webview), so at 50,000
// objects the size of this message is the first cost a person waits for. Rows become a flat array of eight values;
// namespaces and statuses, which repeat, are sent once in a string table; a host name that is vcluster's short
// translation of the virtual one (`<name>-x-<namespace>-x-<vcluster>`) is sent as a flag. About a fifth of the
// size of the plain JSON model. The rows travel in the view's default order (mappingOrder.ts), so the webview's
// first paint sorts nothing.
//
// No vscode, no DOM, no Node: both bundles import this module.

import { inDisplayOrder } from './mappingOrder';
import { MAPPING_KINDS, SYNC_STATES, type MappingKind, type MappingModel, type MappingRow, type SyncState } from './model';

export const WIRE_VERSION = 1;
/** Values per row in WireMappingModel.rows. */
export const WIRE_FIELDS = 8;

/** Host name field: absent / the short translation of the virtual name (the webview rebuilds it). */
const NONE = 0;
const DERIVED = 1;
const JOINED: readonly MappingRow['joinedBy'][] = [undefined, 'annotation', 'name'];

export interface WireMappingModel extends Omit<MappingModel, 'rows'> {
  readonly wire: typeof WIRE_VERSION;
  /** Namespaces and statuses, referenced by index from the rows. */
  readonly strings: readonly string[];
  /**
   * WIRE_FIELDS values per row: kind (index in MAPPING_KINDS), state + 3 × joinedBy (index in SYNC_STATES and
   * [none, annotation, name]), virtual namespace (string index or -1), virtual name (string, or 0 when absent),
   * host namespace (string index or -1), host name (string, 0 when absent, 1 when derived), virtual status and
   * host status (string index or -1).
   */
  readonly rows: readonly (number | string)[];
}

/** The short form of vcluster's host name for a synced object (translate.ts hashes only names longer than 63). */
function derivedHostName(name: string, namespace: string, vcluster: string): string {
  return `${name}-x-${namespace}-x-${vcluster}`;
}

export function encodeMappingModel(model: MappingModel): WireMappingModel {
  const strings: string[] = [];
  const ids = new Map<string, number>();
  const intern = (s: string | undefined): number => {
    if (s === undefined) return -1;
    let i = ids.get(s);
    if (i === undefined) {
      i = strings.length;
      strings.push(s);
      ids.set(s, i);
    }
    return i;
  };
  const kindIndex = new Map(MAPPING_KINDS.map((k, i) => [k, i]));
  const stateIndex = new Map(SYNC_STATES.map((s, i) => [s, i]));
  const rows: (number | string)[] = new Array(model.rows.length * WIRE_FIELDS);
  let o = 0;
  for (const r of inDisplayOrder(model.rows)) {
    const derived =
      r.hostName !== undefined &&
      r.virtualName !== undefined &&
      r.virtualNamespace !== undefined &&
      r.hostName === derivedHostName(r.virtualName, r.virtualNamespace, model.vcluster.name);
    rows[o++] = kindIndex.get(r.kind) ?? 0;
    rows[o++] = (stateIndex.get(r.state) ?? 0) + 3 * Math.max(0, JOINED.indexOf(r.joinedBy));
    rows[o++] = intern(r.virtualNamespace);
    rows[o++] = r.virtualName ?? NONE;
    rows[o++] = intern(r.hostNamespace);
    rows[o++] = r.hostName === undefined ? NONE : derived ? DERIVED : r.hostName;
    rows[o++] = intern(r.virtualStatus);
    rows[o++] = intern(r.hostStatus);
  }
  const { rows: _rows, ...rest } = model;
  return { ...rest, wire: WIRE_VERSION, strings, rows };
}

/** The model the wire form holds; its rows are in the default display order. */
export function decodeMappingModel(w: WireMappingModel): MappingModel {
  const str = (i: unknown): string | undefined => (typeof i === 'number' && i >= 0 ? w.strings[i] : undefined);
  const rows: MappingRow[] = new Array(Math.floor(w.rows.length / WIRE_FIELDS));
  const vc = w.vcluster.name;
  for (let k = 0, o = 0; k < rows.length; k++, o += WIRE_FIELDS) {
    const f = w.rows;
    const flags = f[o + 1] as number;
    const vns = str(f[o + 2]);
    const vname = typeof f[o + 3] === 'string' ? (f[o + 3] as string) : undefined;
    const hname = f[o + 5];
    const row: { -readonly [K in keyof MappingRow]: MappingRow[K] } = {
      kind: MAPPING_KINDS[f[o] as number] ?? (MAPPING_KINDS[0] as MappingKind),
      state: SYNC_STATES[flags % 3] as SyncState,
    };
    if (vns !== undefined) row.virtualNamespace = vns;
    if (vname !== undefined) row.virtualName = vname;
    const hns = str(f[o + 4]);
    if (hns !== undefined) row.hostNamespace = hns;
    if (typeof hname === 'string') row.hostName = hname;
    else if (hname === DERIVED && vname !== undefined && vns !== undefined) row.hostName = derivedHostName(vname, vns, vc);
    const vs = str(f[o + 6]);
    if (vs !== undefined) row.virtualStatus = vs;
    const hs = str(f[o + 7]);
    if (hs !== undefined) row.hostStatus = hs;
    const joined = JOINED[Math.floor(flags / 3)];
    if (joined) row.joinedBy = joined;
    rows[k] = row;
  }
  const { wire: _wire, strings: _strings, rows: _rows, ...rest } = w;
  return { ...rest, rows };
}
