// The mapping view's diagram layout and per-kind counts, without the DOM: two columns (virtual namespaces, the host
// namespace) whose boxes grow with namespaces × kinds, never with objects. Plain-Node tests drive it
// (test/unit/webview-view.test.ts); diagram.ts draws it.

import type { MappingKind, MappingRow } from '../../src/shared/model';
import { KIND_ORDER } from '../../src/shared/mappingOrder';
import { cmpNatural } from './view';

// ---- counts ---------------------------------------------------------------------------------------------------

export interface Counts {
  synced: number;
  virtualOnly: number;
  hostOnly: number;
}

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
export function layoutDiagram(rows: readonly MappingRow[], hostNamespace: string, expanded: ReadonlySet<string>, opts: DiagramOptions = {}): DiagramLayout {
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
    id: hostId,
    type: 'host',
    label: hostNamespace,
    count: String(total(hostTotal)),
    description: `Host namespace ${hostNamespace}: ${total(hostTotal)} objects, ${countsLabel(hostTotal)}`,
    x: rightX,
    y,
    w: nodeW,
    h: NS_H,
    counts: hostTotal,
    warn: hostTotal.hostOnly > 0,
  };
  nodes.push(hostNode);
  y += NS_H + GAP;
  const hostKindY = new Map<MappingKind, number>();
  for (const kind of [...hostKinds.keys()].sort(byKindOrder)) {
    const c = hostKinds.get(kind)!;
    nodes.push({
      id: `host/${kind}`,
      type: 'hostKind',
      label: kind,
      count: c.hostOnly ? `${c.synced} + ${c.hostOnly}` : String(c.synced),
      description: `${kind} in host namespace ${hostNamespace}: ${countsLabel(c)}`,
      x: rightX + 16,
      y,
      w: nodeW - 16,
      h: KIND_H,
      counts: c,
      kind,
      warn: c.hostOnly > 0,
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
      id: nsId,
      type: 'namespace',
      label: ns || '(no namespace)',
      count: g.counts.virtualOnly ? `${g.counts.synced} + ${g.counts.virtualOnly}` : String(g.counts.synced),
      description: `Virtual namespace ${ns}: ${total(g.counts)} objects, ${countsLabel(g.counts)}`,
      x: leftX,
      y,
      w: nodeW,
      h: NS_H,
      counts: g.counts,
      expanded: open,
      namespace: ns,
      warn: g.counts.virtualOnly > 0,
    });
    if (!open && g.counts.synced) links.push({ from: nsId, to: hostId, count: g.counts.synced, y1: y + NS_H / 2, y2: HEAD + NS_H / 2 });
    y += NS_H + GAP;
    if (!open) continue;
    for (const kind of [...g.kinds.keys()].sort(byKindOrder)) {
      const c = g.kinds.get(kind)!;
      const id = `ns/${ns}/${kind}`;
      nodes.push({
        id,
        type: 'kind',
        label: kind,
        count: c.virtualOnly ? `${c.synced} + ${c.virtualOnly}` : String(c.synced),
        description: `${kind} in virtual namespace ${ns}: ${countsLabel(c)}`,
        x: leftX + 16,
        y,
        w: nodeW - 16,
        h: KIND_H,
        counts: c,
        namespace: ns,
        kind,
        warn: c.virtualOnly > 0,
      });
      const to = hostKindY.get(kind);
      if (c.synced && to !== undefined) links.push({ from: id, to: `host/${kind}`, count: c.synced, y1: y + KIND_H / 2, y2: to });
      y += KIND_H + GAP;
    }
  }
  const hiddenNamespaces = namespaces.length - shown.length;
  if (hiddenNamespaces > 0) {
    nodes.push({
      id: 'more',
      type: 'more',
      label: `${hiddenNamespaces} more namespaces`,
      count: '',
      description: `${hiddenNamespaces} more virtual namespaces are not drawn; filter the table to see their objects`,
      x: leftX,
      y,
      w: nodeW,
      h: KIND_H,
      counts: emptyCounts(),
      warn: false,
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
      from: l.from,
      to: l.to,
      count: l.count,
      width: linkWidth(l.count, max),
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

// ---- summary ----------------------------------------------------------------------------------------------

export interface KindSummary {
  readonly kind: string;
  readonly counts: Counts;
}

/** Per-kind counts in the usual kind order, computed from the rows (the model's summary is only a cross-check). */
export function kindSummaries(rows: readonly MappingRow[]): KindSummary[] {
  const m = new Map<string, Counts>();
  for (const r of rows) {
    let c = m.get(r.kind);
    if (!c) m.set(r.kind, (c = emptyCounts()));
    addRow(c, r);
  }
  return [...m.entries()]
    .sort(([a], [b]) => (KIND_ORDER.get(a as MappingKind) ?? 99) - (KIND_ORDER.get(b as MappingKind) ?? 99) || (a < b ? -1 : a > b ? 1 : 0))
    .map(([kind, counts]) => ({ kind, counts }));
}
