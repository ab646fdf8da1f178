// The mapping view's logic without the DOM: view preferences, filtering, sorting and the diagram layout.
// Kept free of DOM types so that plain-Node tests can drive it (test/unit/webviewView.test.ts).

import type { MappingKind, MappingRow, SyncState } from '../src/shared/model';
import { MAPPING_KINDS, SYNC_STATES } from '../src/shared/protocol';

export type SortColumn = 'kind' | 'virtual' | 'state' | 'host' | 'virtualStatus' | 'hostStatus';
export const SORT_COLUMNS: readonly SortColumn[] = ['kind', 'virtual', 'state', 'host', 'virtualStatus', 'hostStatus'];

/** Table page size: the table shows this many rows and offers "Show more" for the rest. */
export const PAGE_SIZE = 200;

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
  /** How many table rows are shown. */
  readonly limit: number;
}

export const DEFAULT_PREFS: ViewPrefs = {
  text: '', kind: '', state: '', namespace: '', sort: 'kind', desc: false, expanded: [], limit: PAGE_SIZE,
};

/** Reads preferences back from getState() (or anything else), keeping only valid values. */
export function normalizePrefs(v: unknown): ViewPrefs {
  if (typeof v !== 'object' || v === null) return DEFAULT_PREFS;
  const o = v as Record<string, unknown>;
  const str = (x: unknown, max: number) => (typeof x === 'string' && x.length <= max ? x : '');
  const kind = MAPPING_KINDS.includes(o.kind as MappingKind) ? (o.kind as MappingKind) : '';
  const state = SYNC_STATES.includes(o.state as SyncState) ? (o.state as SyncState) : '';
  const sort = SORT_COLUMNS.includes(o.sort as SortColumn) ? (o.sort as SortColumn) : DEFAULT_PREFS.sort;
  const expanded = Array.isArray(o.expanded)
    ? o.expanded.filter((x): x is string => typeof x === 'string' && x.length <= 253).slice(0, 500)
    : [];
  const limit = typeof o.limit === 'number' && Number.isInteger(o.limit) && o.limit >= PAGE_SIZE && o.limit <= 1_000_000
    ? o.limit : PAGE_SIZE;
  return { text: str(o.text, 500), kind, state, namespace: str(o.namespace, 253), sort, desc: o.desc === true, expanded, limit };
}

// ---- filter and sort ------------------------------------------------------------------------------------------

export function virtualRef(row: MappingRow): string {
  return row.virtualName ? `${row.virtualNamespace ?? ''}/${row.virtualName}` : '';
}

export function hostRef(row: MappingRow): string {
  return row.hostName ? `${row.hostNamespace ?? ''}/${row.hostName}` : '';
}

function haystack(row: MappingRow): string {
  return [row.kind, virtualRef(row), hostRef(row), row.state, row.virtualStatus ?? '', row.hostStatus ?? '']
    .join('\u0000').toLowerCase();
}

export function filterRows(rows: readonly MappingRow[], prefs: Pick<ViewPrefs, 'text' | 'kind' | 'state' | 'namespace'>): MappingRow[] {
  const terms = prefs.text.toLowerCase().split(/\s+/).filter(Boolean);
  return rows.filter((r) => {
    if (prefs.kind && r.kind !== prefs.kind) return false;
    if (prefs.state && r.state !== prefs.state) return false;
    if (prefs.namespace && r.virtualNamespace !== prefs.namespace) return false;
    if (!terms.length) return true;
    const h = haystack(r);
    return terms.every((t) => h.includes(t));
  });
}

const KIND_ORDER = new Map(MAPPING_KINDS.map((k, i) => [k, i]));
const STATE_ORDER = new Map(SYNC_STATES.map((s, i) => [s, i]));

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const collator = new Intl.Collator('en', { numeric: true });
/** team-2 before team-10. */
export function cmpNatural(a: string, b: string): number {
  return collator.compare(a, b) || cmpStr(a, b);
}

/** Empty values sort last in both directions: a missing side is never what one looks for first. */
function cmpOptional(a: string, b: string, dir: number): number {
  if (!a && !b) return 0;
  if (!a) return 1;
  if (!b) return -1;
  return dir * cmpNatural(a, b);
}

function primary(a: MappingRow, b: MappingRow, col: SortColumn, dir: number): number {
  switch (col) {
    case 'kind': return dir * ((KIND_ORDER.get(a.kind) ?? 99) - (KIND_ORDER.get(b.kind) ?? 99));
    case 'state': return dir * ((STATE_ORDER.get(a.state) ?? 9) - (STATE_ORDER.get(b.state) ?? 9));
    case 'virtual': return cmpOptional(virtualRef(a), virtualRef(b), dir);
    case 'host': return cmpOptional(hostRef(a), hostRef(b), dir);
    case 'virtualStatus': return cmpOptional(a.virtualStatus ?? '', b.virtualStatus ?? '', dir);
    case 'hostStatus': return cmpOptional(a.hostStatus ?? '', b.hostStatus ?? '', dir);
  }
}

/** Sorts by the column, then by kind, virtual and host reference so that the order is total and stable. */
export function sortRows(rows: readonly MappingRow[], col: SortColumn, desc: boolean): MappingRow[] {
  const dir = desc ? -1 : 1;
  return [...rows].sort((a, b) =>
    primary(a, b, col, dir)
    || primary(a, b, 'kind', 1)
    || primary(a, b, 'virtual', 1)
    || primary(a, b, 'host', 1));
}

export interface TableView {
  readonly rows: readonly MappingRow[];
  readonly matching: number;
  readonly total: number;
}

/** The rows the table shows: filtered, sorted, cut at the page limit. */
export function tableView(rows: readonly MappingRow[], prefs: ViewPrefs): TableView {
  const matching = sortRows(filterRows(rows, prefs), prefs.sort, prefs.desc);
  return { rows: matching.slice(0, prefs.limit), matching: matching.length, total: rows.length };
}

// ---- counts ---------------------------------------------------------------------------------------------------

export interface Counts { synced: number; virtualOnly: number; hostOnly: number }

export function emptyCounts(): Counts {
  return { synced: 0, virtualOnly: 0, hostOnly: 0 };
}

export function addRow(c: Counts, row: MappingRow): void {
  if (row.state === 'synced') c.synced++;
  else if (row.state === 'virtual-only') c.virtualOnly++;
  else c.hostOnly++;
}

export function total(c: Counts): number {
  return c.synced + c.virtualOnly + c.hostOnly;
}

export function countsLabel(c: Counts): string {
  const parts = [`${c.synced} synced`];
  if (c.virtualOnly) parts.push(`${c.virtualOnly} virtual only`);
  if (c.hostOnly) parts.push(`${c.hostOnly} host only`);
  return parts.join(', ');
}

// ---- diagram --------------------------------------------------------------------------------------------------

export type DiagramNodeType = 'namespace' | 'kind' | 'more' | 'host' | 'hostKind';

export interface DiagramNode {
  readonly id: string;
  readonly type: DiagramNodeType;
  readonly label: string;
  /** Short count text drawn right-aligned in the box. */
  readonly count: string;
  /** Full sentence for screen readers and the tooltip. */
  readonly description: string;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
  readonly counts: Counts;
  /** For namespace nodes. */
  readonly expanded?: boolean;
  /** What a click selects in the table. */
  readonly namespace?: string;
  readonly kind?: MappingKind;
  /** True when some objects here are not synced (drawn with a warning marker). */
  readonly warn: boolean;
}

export interface DiagramLink {
  readonly from: string;
  readonly to: string;
  /** Synced objects the link stands for. */
  readonly count: number;
  readonly width: number;
  /** SVG path data (a cubic Bézier from the right edge of `from` to the left edge of `to`). */
  readonly d: string;
}

export interface DiagramLayout {
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly DiagramNode[];
  readonly links: readonly DiagramLink[];
  /** Virtual namespaces not drawn because of maxNamespaces. */
  readonly hiddenNamespaces: number;
}

export interface DiagramOptions {
  readonly width?: number;
  readonly maxNamespaces?: number;
}

const MAX_NODE_W = 260;
const MIN_NODE_W = 150;
/** Narrowest layout; a narrower panel scrolls the diagram sideways. */
export const MIN_WIDTH = 2 * MIN_NODE_W + 2 * 8 + 80;
const NS_H = 30;
const KIND_H = 24;
const GAP = 6;
const PAD = 8;
const HEAD = 22; // room for the column captions

/** Path of a link between two points, curving horizontally. */
function curve(x1: number, y1: number, x2: number, y2: number): string {
  const mx = (x1 + x2) / 2;
  const r = (n: number) => Math.round(n * 10) / 10;
  return `M${r(x1)},${r(y1)} C${r(mx)},${r(y1)} ${r(mx)},${r(y2)} ${r(x2)},${r(y2)}`;
}

function linkWidth(count: number, max: number): number {
  return Math.round((1.5 + 6 * Math.sqrt(count / Math.max(1, max))) * 10) / 10;
}

/**
 * Lays the mapping out as two columns: virtual namespaces on the left (each expandable into one box per kind), the
 * host namespace with one box per kind on the right, and links whose width grows with the number of synced
 * objects. The number of boxes grows with namespaces × kinds, never with objects, so the picture stays readable at
 * any size; the table below holds the objects themselves.
 */
export function layoutDiagram(
  rows: readonly MappingRow[],
  hostNamespace: string,
  expanded: ReadonlySet<string>,
  opts: DiagramOptions = {},
): DiagramLayout {
  const width = Math.max(MIN_WIDTH, opts.width ?? 720);
  // boxes shrink with a narrow panel (down to MIN_NODE_W) so that both columns stay in view
  const nodeW = Math.min(MAX_NODE_W, Math.max(MIN_NODE_W, Math.floor((width - 2 * PAD - 80) / 2)));
  const maxNamespaces = opts.maxNamespaces ?? 40;
  const leftX = PAD;
  const rightX = width - PAD - nodeW;

  // group: virtual namespace → kind → counts; host kind → counts
  const byNs = new Map<string, { counts: Counts; kinds: Map<MappingKind, Counts> }>();
  const hostKinds = new Map<MappingKind, Counts>();
  const hostTotal = emptyCounts();
  for (const r of rows) {
    if (r.state !== 'virtual-only') {
      let hk = hostKinds.get(r.kind);
      if (!hk) hostKinds.set(r.kind, (hk = emptyCounts()));
      addRow(hk, r);
      addRow(hostTotal, r);
    }
    if (r.state === 'host-only') continue;
    const ns = r.virtualNamespace ?? '';
    let g = byNs.get(ns);
    if (!g) byNs.set(ns, (g = { counts: emptyCounts(), kinds: new Map() }));
    addRow(g.counts, r);
    let k = g.kinds.get(r.kind);
    if (!k) g.kinds.set(r.kind, (k = emptyCounts()));
    addRow(k, r);
  }

  const byKindOrder = (a: MappingKind, b: MappingKind) => (KIND_ORDER.get(a) ?? 99) - (KIND_ORDER.get(b) ?? 99);
  const nodes: DiagramNode[] = [];
  const links: { from: string; to: string; count: number; y1: number; y2: number }[] = [];

  // right column first: links need its positions
  const hostId = 'host';
  let y = HEAD;
  const hostNode: DiagramNode = {
    id: hostId, type: 'host', label: hostNamespace, count: String(total(hostTotal)),
    description: `Host namespace ${hostNamespace}: ${total(hostTotal)} objects, ${countsLabel(hostTotal)}`,
    x: rightX, y, w: nodeW, h: NS_H, counts: hostTotal, warn: hostTotal.hostOnly > 0,
  };
  nodes.push(hostNode);
  y += NS_H + GAP;
  const hostKindY = new Map<MappingKind, number>();
  for (const kind of [...hostKinds.keys()].sort(byKindOrder)) {
    const c = hostKinds.get(kind)!;
    nodes.push({
      id: `host/${kind}`, type: 'hostKind', label: kind, count: c.hostOnly ? `${c.synced} + ${c.hostOnly}` : String(c.synced),
      description: `${kind} in host namespace ${hostNamespace}: ${countsLabel(c)}`,
      x: rightX + 16, y, w: nodeW - 16, h: KIND_H, counts: c, kind, warn: c.hostOnly > 0,
    });
    hostKindY.set(kind, y + KIND_H / 2);
    y += KIND_H + GAP;
  }
  const rightBottom = y;

  // left column
  y = HEAD;
  const namespaces = [...byNs.keys()].sort(cmpNatural);
  const shown = namespaces.slice(0, maxNamespaces);
  for (const ns of shown) {
    const g = byNs.get(ns)!;
    const open = expanded.has(ns);
    const nsId = `ns/${ns}`;
    nodes.push({
      id: nsId, type: 'namespace', label: ns || '(no namespace)',
      count: g.counts.virtualOnly ? `${g.counts.synced} + ${g.counts.virtualOnly}` : String(g.counts.synced),
      description: `Virtual namespace ${ns}: ${total(g.counts)} objects, ${countsLabel(g.counts)}`,
      x: leftX, y, w: nodeW, h: NS_H, counts: g.counts, expanded: open, namespace: ns, warn: g.counts.virtualOnly > 0,
    });
    if (!open && g.counts.synced) links.push({ from: nsId, to: hostId, count: g.counts.synced, y1: y + NS_H / 2, y2: HEAD + NS_H / 2 });
    y += NS_H + GAP;
    if (!open) continue;
    for (const kind of [...g.kinds.keys()].sort(byKindOrder)) {
      const c = g.kinds.get(kind)!;
      const id = `ns/${ns}/${kind}`;
      nodes.push({
        id, type: 'kind', label: kind, count: c.virtualOnly ? `${c.synced} + ${c.virtualOnly}` : String(c.synced),
        description: `${kind} in virtual namespace ${ns}: ${countsLabel(c)}`,
        x: leftX + 16, y, w: nodeW - 16, h: KIND_H, counts: c, namespace: ns, kind, warn: c.virtualOnly > 0,
      });
      const to = hostKindY.get(kind);
      if (c.synced && to !== undefined) links.push({ from: id, to: `host/${kind}`, count: c.synced, y1: y + KIND_H / 2, y2: to });
      y += KIND_H + GAP;
    }
  }
  const hiddenNamespaces = namespaces.length - shown.length;
  if (hiddenNamespaces > 0) {
    nodes.push({
      id: 'more', type: 'more', label: `${hiddenNamespaces} more namespaces`, count: '',
      description: `${hiddenNamespaces} more virtual namespaces are not drawn; filter the table to see their objects`,
      x: leftX, y, w: nodeW, h: KIND_H, counts: emptyCounts(), warn: false,
    });
    y += KIND_H + GAP;
  }
  const height = Math.max(y, rightBottom) + PAD;

  const max = links.reduce((m, l) => Math.max(m, l.count), 1);
  return {
    width,
    height,
    nodes,
    links: links.map((l) => ({
      from: l.from, to: l.to, count: l.count, width: linkWidth(l.count, max),
      d: curve(leftX + nodeW, l.y1, rightX, l.y2),
    })),
    hiddenNamespaces,
  };
}

/** Keyboard order of the diagram's boxes: the virtual column top to bottom, then the host column. */
export function diagramKeyOrder(layout: DiagramLayout): string[] {
  const interactive = layout.nodes.filter((n) => n.type !== 'more');
  const left = interactive.filter((n) => n.type === 'namespace' || n.type === 'kind').sort((a, b) => a.y - b.y);
  const right = interactive.filter((n) => n.type === 'host' || n.type === 'hostKind').sort((a, b) => a.y - b.y);
  return [...left, ...right].map((n) => n.id);
}

// ---- summary --------------------------------------------------------------------------------------------------

export interface KindSummary { readonly kind: string; readonly counts: Counts }

/** Per-kind counts in the usual kind order, computed from the rows (the model's summary is only a cross-check). */
export function kindSummaries(rows: readonly MappingRow[]): KindSummary[] {
  const m = new Map<string, Counts>();
  for (const r of rows) {
    let c = m.get(r.kind);
    if (!c) m.set(r.kind, (c = emptyCounts()));
    addRow(c, r);
  }
  return [...m.entries()]
    .sort(([a], [b]) => (KIND_ORDER.get(a as MappingKind) ?? 99) - (KIND_ORDER.get(b as MappingKind) ?? 99) || cmpStr(a, b))
    .map(([kind, counts]) => ({ kind, counts }));
}

export const STATE_LABELS: Readonly<Record<SyncState, string>> = {
  'synced': 'Synced',
  'virtual-only': 'Virtual only',
  'host-only': 'Host only',
};
