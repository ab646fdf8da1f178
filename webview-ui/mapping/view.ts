// The mapping view's table logic without the DOM: view preferences, filtering and sorting. Kept free of DOM types so
// that plain-Node tests can drive it (test/unit/webview-view.test.ts).
//
// Built for 50,000 rows on every keystroke: a RowIndex computes each row's search text once per model and keeps the
// sorted order per column, so a keystroke costs one pass of `includes` over the sorted rows and no sort. The rows
// arrive in the default order (src/shared/mappingOrder.ts), so the first paint sorts nothing either.

import { KIND_ORDER, STATE_ORDER, hostRef, textKey, tieKey, virtualRef } from '../../src/shared/mappingOrder';
import type { MappingKind, MappingRow, SyncState } from '../../src/shared/model';
import { MAPPING_KINDS, SYNC_STATES } from '../../src/shared/model';

export type SortColumn = 'kind' | 'virtual' | 'state' | 'host' | 'virtualStatus' | 'hostStatus';
export const SORT_COLUMNS: readonly SortColumn[] = ['kind', 'virtual', 'state', 'host', 'virtualStatus', 'hostStatus'];

export interface ViewPrefs {
  /** Free text; whitespace-separated terms must all match (case-insensitive) one of the row's fields. */
  readonly text: string;
  readonly kind: MappingKind | '';
  readonly state: SyncState | '';
  /** Virtual namespace picked in the diagram ('' = all). */
  readonly namespace: string;
  readonly sort: SortColumn;
  readonly desc: boolean;
  /** Virtual namespaces expanded in the diagram. */
  readonly expanded: readonly string[];
}

export const DEFAULT_PREFS: ViewPrefs = {
  text: '',
  kind: '',
  state: '',
  namespace: '',
  sort: 'kind',
  desc: false,
  expanded: [],
};

/** Reads preferences back from getState() (or anything else), keeping only valid values. */
export function normalizePrefs(v: unknown): ViewPrefs {
  if (typeof v !== 'object' || v === null) return DEFAULT_PREFS;
  const o = v as Record<string, unknown>;
  const str = (x: unknown, max: number) => (typeof x === 'string' && x.length <= max ? x : '');
  const kind = MAPPING_KINDS.includes(o.kind as MappingKind) ? (o.kind as MappingKind) : '';
  const state = SYNC_STATES.includes(o.state as SyncState) ? (o.state as SyncState) : '';
  const sort = SORT_COLUMNS.includes(o.sort as SortColumn) ? (o.sort as SortColumn) : DEFAULT_PREFS.sort;
  const expanded = Array.isArray(o.expanded) ? o.expanded.filter((x): x is string => typeof x === 'string' && x.length <= 253).slice(0, 500) : [];
  return { text: str(o.text, 500), kind, state, namespace: str(o.namespace, 253), sort, desc: o.desc === true, expanded };
}

export const STATE_LABELS: Readonly<Record<SyncState, string>> = {
  synced: 'Synced',
  'virtual-only': 'Virtual only',
  'host-only': 'Host only',
};

// ---- ordering -------------------------------------------------------------------------------------------------

const collator = new Intl.Collator('en', { numeric: true });
/** team-2 before team-10 (for the few dozen namespaces of the diagram; the table uses mappingOrder's keys). */
export function cmpNatural(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** The sort key of a row in a column; undefined when the row has no value there (sorted last either way). */
function columnKey(row: MappingRow, col: SortColumn): string | undefined {
  switch (col) {
    case 'kind':
      return String.fromCharCode(0x41 + (KIND_ORDER.get(row.kind) ?? 60));
    case 'state':
      return String.fromCharCode(0x41 + (STATE_ORDER.get(row.state) ?? 9));
    case 'virtual': {
      const v = virtualRef(row);
      return v ? textKey(v) : undefined;
    }
    case 'host': {
      const h = hostRef(row);
      return h ? textKey(h) : undefined;
    }
    case 'virtualStatus':
      return row.virtualStatus ? textKey(row.virtualStatus) : undefined;
    case 'hostStatus':
      return row.hostStatus ? textKey(row.hostStatus) : undefined;
  }
}

function haystack(row: MappingRow): string {
  return [row.kind, virtualRef(row), hostRef(row), row.state, row.virtualStatus ?? '', row.hostStatus ?? ''].join('\u0000').toLowerCase();
}

export interface TableView {
  /** Positions in RowIndex.rows of the matching rows, in display order. */
  readonly indices: Int32Array;
  readonly matching: number;
  readonly total: number;
}

/** One model's rows with their search text and sort orders, computed on first use and kept. */
export class RowIndex {
  private hay?: string[];
  private readonly ties: (string | undefined)[];
  private readonly orders = new Map<string, Int32Array>();

  /** `displayOrdered`: the rows already come in the default order (the panel sends them so; see inDisplayOrder). */
  constructor(
    readonly rows: readonly MappingRow[],
    displayOrdered = false,
  ) {
    this.ties = new Array(rows.length);
    if (displayOrdered)
      this.orders.set(
        'kind:false',
        Int32Array.from({ length: rows.length }, (_, i) => i),
      );
  }

  private tie(i: number): string {
    return (this.ties[i] ??= tieKey(this.rows[i]!));
  }

  /** Positions of all rows sorted by `col` (ties: kind, virtual, host ascending; missing values last). */
  order(col: SortColumn, desc: boolean): Int32Array {
    const id = `${col}:${desc}`;
    let out = this.orders.get(id);
    if (out) return out;
    const keys = this.rows.map((r) => columnKey(r, col));
    const dir = desc ? -1 : 1;
    const idx = Array.from({ length: this.rows.length }, (_, i) => i);
    idx.sort((a, b) => {
      const ka = keys[a];
      const kb = keys[b];
      if (ka !== kb) {
        if (ka === undefined) return 1;
        if (kb === undefined) return -1;
        return ka < kb ? -dir : dir;
      }
      const ta = this.tie(a);
      const tb = this.tie(b);
      return ta < tb ? -1 : ta > tb ? 1 : 0;
    });
    out = Int32Array.from(idx);
    this.orders.set(id, out);
    return out;
  }

  /** Computes the search text of every row now (the first keystroke then filters at once). */
  prepareSearch(): void {
    this.hay ??= this.rows.map(haystack);
  }

  /** The rows the table shows: filtered, in the sort order of `prefs`. */
  view(prefs: Pick<ViewPrefs, 'text' | 'kind' | 'state' | 'namespace' | 'sort' | 'desc'>): TableView {
    const order = this.order(prefs.sort, prefs.desc);
    const terms = prefs.text.toLowerCase().split(/\s+/).filter(Boolean);
    if (!terms.length && !prefs.kind && !prefs.state && !prefs.namespace) {
      return { indices: order, matching: order.length, total: this.rows.length };
    }
    if (terms.length) this.prepareSearch();
    const hay = terms.length ? this.hay : undefined;
    const out = new Int32Array(order.length);
    let n = 0;
    for (let k = 0; k < order.length; k++) {
      const i = order[k]!;
      const r = this.rows[i]!;
      if (prefs.kind && r.kind !== prefs.kind) continue;
      if (prefs.state && r.state !== prefs.state) continue;
      if (prefs.namespace && r.virtualNamespace !== prefs.namespace) continue;
      if (hay) {
        const h = hay[i]!;
        let all = true;
        for (const t of terms)
          if (!h.includes(t)) {
            all = false;
            break;
          }
        if (!all) continue;
      }
      out[n++] = i;
    }
    return { indices: out.subarray(0, n), matching: n, total: this.rows.length };
  }
}

/** The matching rows, unsorted order kept (a convenience over RowIndex for callers with one question). */
export function filterRows(rows: readonly MappingRow[], prefs: Pick<ViewPrefs, 'text' | 'kind' | 'state' | 'namespace'>): MappingRow[] {
  const v = new RowIndex(rows).view({ ...prefs, sort: 'kind', desc: false });
  return [...v.indices].sort((a, b) => a - b).map((i) => rows[i]!);
}

/** Sorts by the column, then by kind, virtual and host reference so that the order is total and stable. */
export function sortRows(rows: readonly MappingRow[], col: SortColumn, desc: boolean): MappingRow[] {
  return [...new RowIndex(rows).order(col, desc)].map((i) => rows[i]!);
}

/** All matching rows in display order, with the counts the table shows. */
export function tableView(rows: readonly MappingRow[], prefs: ViewPrefs): { rows: MappingRow[]; matching: number; total: number } {
  const v = new RowIndex(rows).view(prefs);
  return { rows: [...v.indices].map((i) => rows[i]!), matching: v.matching, total: v.total };
}
