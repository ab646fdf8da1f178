// The virtual→host mapping webview: summary, diagram and table of one vcluster's objects.
// Talks to src/webview/mappingPanel.ts through the protocol in src/shared/protocol.ts. Imports only src/shared and
// its own DOM-free logic (view.ts); everything it draws comes from the posted model, never from the network.

import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-table/index.js';
import '@vscode-elements/elements/dist/vscode-table-body/index.js';
import '@vscode-elements/elements/dist/vscode-table-cell/index.js';
import '@vscode-elements/elements/dist/vscode-table-header/index.js';
import '@vscode-elements/elements/dist/vscode-table-header-cell/index.js';
import '@vscode-elements/elements/dist/vscode-table-row/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';

import type { MappingModel, MappingRow, VClusterRef } from '../src/shared/model';
import {
  MAPPING_KINDS, PROTOCOL_VERSION, digestKeys, isToWebview, parseVClusterRef, refLabel, rowKey,
  type FromWebview, type FromWebviewRequest, type Side, type ToWebview,
} from '../src/shared/protocol';
import {
  DEFAULT_PREFS, PAGE_SIZE, STATE_LABELS, diagramKeyOrder, hostRef, kindSummaries, layoutDiagram, normalizePrefs,
  tableView, virtualRef, type DiagramLayout, type DiagramNode, type SortColumn, type ViewPrefs,
} from './view';

interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();

// ---- state ----------------------------------------------------------------------------------------------------

const saved = (vscode.getState() ?? {}) as { ref?: unknown; view?: unknown };
let prefs: ViewPrefs = normalizePrefs(saved.view);
let ref: VClusterRef | undefined = parseVClusterRef(saved.ref) ?? initialRef();
let model: MappingModel | undefined;
let nextId = 1;
const pending = new Map<number, string>();

function initialRef(): VClusterRef | undefined {
  try {
    const raw = document.body.dataset.state;
    return raw ? parseVClusterRef((JSON.parse(raw) as { ref?: unknown }).ref) : undefined;
  } catch {
    return undefined;
  }
}

function persist(): void {
  vscode.setState({ ref, view: prefs });
}

function post(msg: FromWebview): void {
  vscode.postMessage(msg);
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function request(msg: DistributiveOmit<FromWebviewRequest, 'id'>, what: string): void {
  const id = nextId++;
  pending.set(id, what);
  post({ ...msg, id } as FromWebview);
}

function setPrefs(p: Partial<ViewPrefs>, opts: { diagram?: boolean; resetLimit?: boolean } = {}): void {
  prefs = { ...prefs, ...p, ...(opts.resetLimit ? { limit: PAGE_SIZE } : {}) };
  persist();
  syncControls();
  if (opts.diagram) renderDiagram();
  renderTable();
}

// ---- helpers --------------------------------------------------------------------------------------------------

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<Record<string, string>> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v);
  }
  e.append(...children);
  return e;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
function svg(tag: string, attrs: Record<string, string | number> = {}): SVGElement {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`missing #${id}`);
  return e as T;
}

// ---- static skeleton ------------------------------------------------------------------------------------------

const COLUMNS: { id: SortColumn; label: string; width: string }[] = [
  { id: 'kind', label: 'Kind', width: '13%' },
  { id: 'virtual', label: 'Virtual object', width: '27%' },
  { id: 'state', label: 'State', width: '11%' },
  { id: 'host', label: 'Host object', width: '27%' },
  { id: 'virtualStatus', label: 'Virtual status', width: '11%' },
  { id: 'hostStatus', label: 'Host status', width: '11%' },
];

function buildSkeleton(): void {
  const app = byId('app');
  app.replaceChildren();

  const header = el('header', { class: 'top' },
    el('div', { class: 'titles' },
      el('h1', { id: 'title', text: 'Virtual → host mapping' }),
      el('p', { id: 'subtitle', class: 'muted' })),
    el('div', { class: 'actions' }));
  const refresh = document.createElement('vscode-button');
  refresh.id = 'refresh';
  refresh.setAttribute('icon', 'refresh');
  refresh.setAttribute('secondary', '');
  refresh.setAttribute('aria-label', 'Reload the mapping from the clusters');
  refresh.textContent = 'Refresh';
  refresh.addEventListener('click', () => request({ type: 'refresh' }, 'Refresh'));
  header.querySelector('.actions')!.append(refresh);

  const status = el('div', { id: 'status', role: 'status', 'aria-live': 'polite', class: 'status' });
  const errors = el('div', { id: 'errors', class: 'errors', hidden: '' });

  const summary = el('section', { id: 'summary', class: 'summary', 'aria-label': 'Summary' });

  const diagramBox = document.createElement('vscode-collapsible');
  diagramBox.id = 'diagram-box';
  diagramBox.setAttribute('heading', 'Diagram');
  diagramBox.setAttribute('description', 'virtual namespaces → host namespace');
  diagramBox.setAttribute('open', '');
  diagramBox.append(
    el('div', { id: 'diagram', class: 'diagram' }),
    el('p', { class: 'legend muted', text: 'Counts read "synced + not synced"; a line\'s width grows with the synced objects it stands for. Enter or click on a namespace expands it by kind; on a kind, filters the table.' }));

  const tableSection = el('section', { class: 'table-section', 'aria-label': 'Objects' });
  const toolbar = el('div', { class: 'toolbar', role: 'search' });

  const filter = document.createElement('vscode-textfield');
  filter.id = 'filter';
  filter.setAttribute('placeholder', 'Filter by name, namespace, status…');
  filter.setAttribute('aria-label', 'Filter objects');
  filter.setAttribute('label', 'Filter objects by name, namespace or status');
  const searchIcon = document.createElement('vscode-icon');
  searchIcon.setAttribute('name', 'filter');
  searchIcon.setAttribute('slot', 'content-before');
  filter.append(searchIcon);
  let filterTimer: ReturnType<typeof setTimeout> | undefined;
  filter.addEventListener('input', () => {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(() => setPrefs({ text: filter.value }, { resetLimit: true }), 120);
  });

  const kindSel = document.createElement('vscode-single-select');
  kindSel.id = 'kind';
  kindSel.setAttribute('aria-label', 'Kind');
  kindSel.setAttribute('label', 'Filter by kind');
  kindSel.append(option('', 'All kinds'), ...MAPPING_KINDS.map((k) => option(k, k)));
  kindSel.addEventListener('change', () => setPrefs({ kind: kindSel.value as ViewPrefs['kind'] }, { resetLimit: true }));

  const stateSel = document.createElement('vscode-single-select');
  stateSel.id = 'state';
  stateSel.setAttribute('aria-label', 'Sync state');
  stateSel.setAttribute('label', 'Filter by sync state');
  stateSel.append(option('', 'All states'), ...Object.entries(STATE_LABELS).map(([v, l]) => option(v, l)));
  stateSel.addEventListener('change', () => setPrefs({ state: stateSel.value as ViewPrefs['state'] }, { resetLimit: true }));

  const nsChip = el('span', { id: 'ns-chip', class: 'chip', hidden: '' });
  const count = el('span', { id: 'count', class: 'muted count', 'aria-live': 'polite' });
  toolbar.append(filter, kindSel, stateSel, nsChip, count);

  const table = document.createElement('vscode-table');
  table.id = 'table';
  table.setAttribute('zebra', '');
  table.setAttribute('bordered-rows', '');
  table.setAttribute('aria-label', 'Objects of the virtual cluster and their host counterparts. Enter opens the virtual object, Shift+Enter the host object.');
  table.columns = COLUMNS.map((c) => c.width);
  const head = document.createElement('vscode-table-header');
  head.setAttribute('slot', 'header');
  for (const c of COLUMNS) {
    const cell = document.createElement('vscode-table-header-cell');
    cell.dataset.col = c.id;
    cell.setAttribute('role', 'columnheader');
    const b = el('button', { class: 'sort', type: 'button', 'data-col': c.id });
    b.addEventListener('click', () => {
      setPrefs(prefs.sort === c.id ? { desc: !prefs.desc } : { sort: c.id, desc: false });
    });
    cell.append(b);
    head.append(cell);
  }
  const body = document.createElement('vscode-table-body');
  body.id = 'rows';
  body.setAttribute('slot', 'body');
  body.addEventListener('keydown', onRowKey);
  body.addEventListener('click', onRowClick);
  table.append(head, body);

  const more = document.createElement('vscode-button');
  more.id = 'more';
  more.setAttribute('secondary', '');
  more.hidden = true;
  more.addEventListener('click', () => setPrefs({ limit: prefs.limit + PAGE_SIZE }));
  const empty = el('p', { id: 'empty', class: 'muted empty', hidden: '' });

  tableSection.append(toolbar, table, empty, more);
  app.append(header, status, errors, summary, diagramBox, tableSection);
}

function option(value: string, label: string): HTMLElement {
  const o = document.createElement('vscode-option');
  o.setAttribute('value', value);
  o.textContent = label;
  return o;
}

/** Puts the controls in line with `prefs` (after a restore, or a click in the diagram or summary). */
function syncControls(): void {
  const filter = byId<HTMLElement & { value: string }>('filter');
  if (filter.value !== prefs.text) filter.value = prefs.text;
  const kind = byId<HTMLElement & { value: string }>('kind');
  if (kind.value !== prefs.kind) kind.value = prefs.kind;
  const state = byId<HTMLElement & { value: string }>('state');
  if (state.value !== prefs.state) state.value = prefs.state;
  const chip = byId('ns-chip');
  chip.hidden = !prefs.namespace;
  chip.replaceChildren();
  if (prefs.namespace) {
    const clear = el('button', { type: 'button', class: 'chip-clear', 'aria-label': `Clear the namespace filter ${prefs.namespace}`, title: 'Clear' }, el('span', { class: 'codicon codicon-close' }));
    clear.addEventListener('click', () => setPrefs({ namespace: '' }, { resetLimit: true }));
    chip.append(el('span', { text: `namespace: ${prefs.namespace}` }), clear);
  }
  for (const cell of document.querySelectorAll<HTMLElement>('vscode-table-header-cell')) {
    const col = cell.dataset.col as SortColumn;
    const def = COLUMNS.find((c) => c.id === col)!;
    const active = prefs.sort === col;
    cell.setAttribute('aria-sort', active ? (prefs.desc ? 'descending' : 'ascending') : 'none');
    const b = cell.querySelector('button')!;
    b.setAttribute('aria-label', `Sort by ${def.label}${active ? (prefs.desc ? ', sorted descending' : ', sorted ascending') : ''}`);
    b.replaceChildren(def.label, el('span', { class: `codicon ${active ? (prefs.desc ? 'codicon-arrow-down' : 'codicon-arrow-up') : 'codicon-blank'}`, 'aria-hidden': 'true' }));
  }
}

// ---- header, summary, errors ----------------------------------------------------------------------------------

function renderHeader(): void {
  const title = byId('title');
  const sub = byId('subtitle');
  if (!ref) {
    title.textContent = 'Virtual → host mapping';
    sub.textContent = '';
    return;
  }
  title.textContent = `${ref.name}: virtual → host`;
  const parts = [refLabel(ref)];
  if (model) parts.push(`host namespace ${model.hostNamespace}`, `read ${new Date(model.fetchedAt).toLocaleTimeString()}`);
  sub.textContent = parts.join(' · ');
}

function counter(label: string, value: number, state: ViewPrefs['state'], cls: string): HTMLElement {
  const b = el('button', { type: 'button', class: `counter ${cls}`, 'aria-pressed': String(prefs.state === state && state !== '') });
  b.setAttribute('aria-label', `${value} ${label}: show only these`);
  const badge = document.createElement('vscode-badge');
  badge.setAttribute('variant', 'counter');
  badge.textContent = String(value);
  b.append(badge, el('span', { text: label }));
  b.addEventListener('click', () => setPrefs({ state: prefs.state === state ? '' : state, namespace: '' }, { resetLimit: true }));
  return b;
}

function renderSummary(): void {
  const box = byId('summary');
  box.replaceChildren();
  if (!model) return;
  const s = model.summary;
  box.append(el('div', { class: 'counters' },
    counter('synced', s.synced, 'synced', 'synced'),
    counter('virtual only', s.virtualOnly, 'virtual-only', 'virtual-only'),
    counter('host only', s.hostOnly, 'host-only', 'host-only')));
  const kinds = kindSummaries(model.rows);
  if (!kinds.length) return;
  const table = el('table', { class: 'kinds' },
    el('caption', { class: 'visually-hidden', text: 'Objects per kind' }),
    el('thead', {}, el('tr', {}, ...['Kind', 'Synced', 'Virtual only', 'Host only'].map((h) => el('th', { scope: 'col', text: h })))));
  const tb = el('tbody');
  for (const k of kinds) {
    const kindButton = el('button', { type: 'button', class: 'link', text: k.kind, 'aria-label': `Show only ${k.kind} objects` });
    kindButton.addEventListener('click', () => setPrefs({ kind: prefs.kind === k.kind ? '' : (k.kind as ViewPrefs['kind']) }, { resetLimit: true }));
    tb.append(el('tr', {},
      el('th', { scope: 'row' }, kindButton),
      el('td', { text: String(k.counts.synced) }),
      el('td', { class: k.counts.virtualOnly ? 'warn' : '', text: String(k.counts.virtualOnly) }),
      el('td', { class: k.counts.hostOnly ? 'error' : '', text: String(k.counts.hostOnly) })));
  }
  table.append(tb);
  box.append(table);
}

function renderErrors(): void {
  const box = byId('errors');
  box.replaceChildren();
  const errs = model?.errors ?? [];
  box.hidden = errs.length === 0;
  if (!errs.length) return;
  const list = el('ul');
  for (const e of errs) {
    list.append(el('li', {}, el('span', { class: 'codicon codicon-warning', 'aria-hidden': 'true' }), ` ${e.kind} (${e.side} side) could not be read: ${e.message}`));
  }
  box.append(el('p', { text: 'Some objects are missing from this view:' }), list);
}

function setStatus(text: string, kind: 'info' | 'error' | '' = 'info'): void {
  const s = byId('status');
  s.textContent = text;
  s.className = `status ${kind}`;
}

// ---- diagram --------------------------------------------------------------------------------------------------

function renderDiagram(): void {
  const box = byId('diagram');
  box.replaceChildren();
  if (!model) return;
  // Text stays at its real size: the layout takes the box's width (within bounds) and scrolls when narrower.
  const width = Math.min(960, Math.max(0, box.clientWidth - 8));
  const layout = layoutDiagram(model.rows, model.hostNamespace, new Set(prefs.expanded), { width });
  box.append(drawDiagram(layout));
}

let diagramWidth = 0;
const resizeObserver = new ResizeObserver(() => {
  const w = byId('diagram').clientWidth;
  if (Math.abs(w - diagramWidth) < 24) return;
  diagramWidth = w;
  renderDiagram();
});

function drawDiagram(layout: DiagramLayout): SVGElement {
  const root = svg('svg', { viewBox: `0 0 ${layout.width} ${layout.height}`, width: layout.width, height: layout.height, class: 'diagram-svg' });
  root.setAttribute('role', 'group');
  root.setAttribute('aria-label', 'Diagram of virtual namespaces and the host namespace. Enter on a namespace expands it by kind; Enter on a kind filters the table.');
  const capL = svg('text', { x: 8, y: 14, class: 'caption' });
  capL.textContent = 'Virtual cluster';
  const capR = svg('text', { x: layout.width - 8, y: 14, class: 'caption', 'text-anchor': 'end' });
  capR.textContent = 'Host namespace';
  root.append(capL, capR);
  const links = svg('g', { class: 'links', 'aria-hidden': 'true' });
  for (const l of layout.links) {
    const p = svg('path', { d: l.d, 'stroke-width': l.width, class: 'link' });
    const t = svg('title');
    t.textContent = `${l.count} synced`;
    p.append(t);
    links.append(p);
  }
  root.append(links);
  // one tab stop for the whole diagram (roving tabindex); arrows move between boxes, Right/Left expand/collapse
  const order = diagramKeyOrder(layout);
  if (!diagramFocusId || !order.includes(diagramFocusId)) diagramFocusId = order[0];
  // document order = keyboard order, so that screen readers read the virtual column first
  const rank = new Map(order.map((id, i) => [id, i]));
  const nodes = [...layout.nodes].sort((a, b) => (rank.get(a.id) ?? order.length) - (rank.get(b.id) ?? order.length));
  for (const n of nodes) root.append(drawNode(n));
  root.addEventListener('keydown', (ev) => onDiagramKey(ev, layout, order));
  return root;
}

let diagramFocusId: string | undefined;

function focusDiagramNode(id: string | undefined): void {
  if (!id) return;
  for (const g of document.querySelectorAll<SVGElement>('#diagram g.node[tabindex]')) g.setAttribute('tabindex', g.dataset.id === id ? '0' : '-1');
  document.querySelector<SVGElement>(`#diagram g[data-id="${CSS.escape(id)}"]`)?.focus();
  diagramFocusId = id;
}

function onDiagramKey(ev: KeyboardEvent, layout: DiagramLayout, order: readonly string[]): void {
  const id = (ev.target as Element).closest?.('g.node')?.getAttribute('data-id');
  if (!id) return;
  const i = order.indexOf(id);
  const node = layout.nodes.find((n) => n.id === id);
  let target: string | undefined;
  switch (ev.key) {
    case 'ArrowDown': target = order[Math.min(order.length - 1, i + 1)]; break;
    case 'ArrowUp': target = order[Math.max(0, i - 1)]; break;
    case 'Home': target = order[0]; break;
    case 'End': target = order[order.length - 1]; break;
    case 'ArrowRight':
      if (node?.type === 'namespace' && !node.expanded) { ev.preventDefault(); activateNode(node); return; }
      target = order.find((o) => o === 'host');
      break;
    case 'ArrowLeft':
      if (node?.type === 'namespace' && node.expanded) { ev.preventDefault(); activateNode(node); return; }
      if (node?.type === 'kind') target = `ns/${node.namespace ?? ''}`;
      else if (node?.type === 'host' || node?.type === 'hostKind') target = order[0];
      break;
    default: return;
  }
  ev.preventDefault();
  focusDiagramNode(target);
}

function drawNode(n: DiagramNode): SVGElement {
  const g = svg('g', { class: `node ${n.type}${n.warn ? ' warn' : ''}${isSelected(n) ? ' selected' : ''}`, transform: `translate(${n.x},${n.y})` });
  g.dataset.id = n.id;
  const interactive = n.type !== 'more';
  if (interactive) {
    g.setAttribute('tabindex', n.id === diagramFocusId ? '0' : '-1');
    g.addEventListener('focus', () => { diagramFocusId = n.id; });
    g.setAttribute('role', 'button');
    g.setAttribute('aria-label', `${n.description}. ${actionHint(n)}`);
    if (n.type === 'namespace') g.setAttribute('aria-expanded', String(!!n.expanded));
    g.addEventListener('click', () => activateNode(n));
    g.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        activateNode(n);
      }
    });
  }
  const title = svg('title');
  title.textContent = n.description;
  g.append(title, svg('rect', { width: n.w, height: n.h, rx: 3, class: 'box' }));
  const mid = n.h / 2 + 4;
  let x = 8;
  if (n.type === 'namespace') {
    const chev = svg('text', { x, y: mid, class: 'chevron', 'aria-hidden': 'true' });
    chev.textContent = n.expanded ? '▾' : '▸';
    g.append(chev);
    x += 14;
  }
  const label = svg('text', { x, y: mid, class: 'label' });
  // roughly 7 px per character at 12 px; leave room for the count
  label.textContent = truncate(n.label, Math.max(6, Math.floor((n.w - x - 8 - n.count.length * 7 - 10) / 7)));
  g.append(label);
  if (n.count) {
    const c = svg('text', { x: n.w - 8, y: mid, class: 'count', 'text-anchor': 'end' });
    c.textContent = n.count;
    g.append(c);
  }
  return g;
}

function actionHint(n: DiagramNode): string {
  switch (n.type) {
    case 'namespace': return n.expanded ? 'Collapse' : 'Expand by kind';
    case 'kind': return 'Show these objects in the table';
    case 'hostKind': return `Show ${n.kind} objects in the table`;
    case 'host': return 'Show all objects';
    case 'more': return '';
  }
}

function isSelected(n: DiagramNode): boolean {
  switch (n.type) {
    case 'kind': return prefs.namespace === n.namespace && prefs.kind === n.kind;
    case 'hostKind': return !prefs.namespace && prefs.kind === n.kind;
    case 'namespace': return prefs.namespace === n.namespace && !prefs.kind;
    default: return false;
  }
}

function activateNode(n: DiagramNode): void {
  const focusId = n.id;
  switch (n.type) {
    case 'namespace': {
      const ns = n.namespace ?? '';
      const expanded = prefs.expanded.includes(ns) ? prefs.expanded.filter((e) => e !== ns) : [...prefs.expanded, ns];
      setPrefs({ expanded }, { diagram: true });
      break;
    }
    case 'kind':
      setPrefs({ namespace: n.namespace ?? '', kind: n.kind ?? '' }, { diagram: true, resetLimit: true });
      break;
    case 'hostKind':
      setPrefs({ namespace: '', kind: n.kind ?? '' }, { diagram: true, resetLimit: true });
      break;
    case 'host':
      setPrefs({ namespace: '', kind: '' }, { diagram: true, resetLimit: true });
      break;
    case 'more':
      return;
  }
  // the diagram was redrawn: keep the keyboard focus on the same box
  focusDiagramNode(focusId);
}

// ---- table ----------------------------------------------------------------------------------------------------

let shownRows: readonly MappingRow[] = [];
let focusedKey: string | undefined;

function renderTable(): void {
  const body = byId('rows');
  const count = byId('count');
  const more = byId('more');
  const empty = byId('empty');
  if (!model) {
    body.replaceChildren();
    count.textContent = '';
    more.hidden = true;
    return;
  }
  const view = tableView(model.rows, prefs);
  shownRows = view.rows;
  const frag = document.createDocumentFragment();
  const keys: string[] = [];
  let focusIndex = Math.max(0, view.rows.findIndex((r) => rowKey(r) === focusedKey));
  view.rows.forEach((r, i) => {
    const key = rowKey(r);
    keys.push(key);
    frag.append(renderRow(r, key, i === focusIndex));
  });
  body.replaceChildren(frag);
  // vscode-table sizes columns through the first body row's cells and caches them; give the new first row the widths
  const first = body.querySelector('vscode-table-row');
  first?.querySelectorAll<HTMLElement>('vscode-table-cell').forEach((c, i) => { c.style.width = COLUMNS[i]?.width ?? 'auto'; });
  if (!view.rows.length) focusIndex = -1;

  count.textContent = view.matching === view.total
    ? `${view.total} objects`
    : `${view.matching} of ${view.total} objects match`;
  const remaining = view.matching - view.rows.length;
  more.hidden = remaining <= 0;
  more.textContent = `Show ${Math.min(PAGE_SIZE, remaining)} more (${remaining} not shown)`;
  empty.hidden = view.rows.length > 0;
  empty.textContent = view.total ? 'No objects match the filters.' : 'The virtual cluster has no objects of the mapped kinds.';
  post({ type: 'rendered', rows: view.rows.length, matching: view.matching, total: view.total, digest: digestKeys(keys) });
}

function renderRow(r: MappingRow, key: string, tabbable: boolean): HTMLElement {
  const row = document.createElement('vscode-table-row');
  row.dataset.key = key;
  row.tabIndex = tabbable ? 0 : -1;
  const v = virtualRef(r);
  const h = hostRef(r);
  row.setAttribute('aria-label', `${r.kind} ${v || '(none)'}, ${STATE_LABELS[r.state]}, host ${h || '(none)'}`);
  row.className = `row ${r.state}`;
  const cell = (cls: string, ...content: (Node | string)[]) => {
    const c = document.createElement('vscode-table-cell');
    c.className = cls;
    c.append(...content);
    return c;
  };
  const nameLink = (text: string, side: Side) => {
    if (!text) return el('span', { class: 'muted', text: '—' });
    return el('span', { class: 'name', 'data-side': side, title: `${text}\nOpen the ${side} object's YAML`, text });
  };
  const joined = r.joinedBy === 'name' ? el('span', { class: 'codicon codicon-link', title: 'Matched by the name rule (no annotations on the host object)', role: 'img', 'aria-label': 'matched by name' }) : '';
  row.append(
    cell('kind', r.kind),
    cell('virtual', nameLink(v, 'virtual')),
    cell('state', el('span', { class: `state-pill ${r.state}`, text: STATE_LABELS[r.state] }), joined),
    cell('host', nameLink(h, 'host')),
    cell('vstatus', r.virtualStatus ?? ''),
    cell('hstatus', r.hostStatus ?? ''),
  );
  // statuses such as CrashLoopBackOff are cut in narrow panels: the tooltip has them in full
  const [, , , , vs, hs] = row.children;
  if (r.virtualStatus) vs?.setAttribute('title', r.virtualStatus);
  if (r.hostStatus) hs?.setAttribute('title', r.hostStatus);
  return row;
}

function rowOf(target: EventTarget | null): HTMLElement | undefined {
  return (target as Element | null)?.closest?.('vscode-table-row') as HTMLElement | undefined ?? undefined;
}

function openYaml(key: string, side: Side | undefined): void {
  const row = shownRows.find((r) => rowKey(r) === key);
  if (!row) return;
  const s: Side = side ?? (row.virtualName ? 'virtual' : 'host');
  if (s === 'virtual' && !row.virtualName) return void setStatus('This object has no virtual side.', 'info');
  if (s === 'host' && !row.hostName) return void setStatus('This object has no host side.', 'info');
  setStatus(`Opening the ${s} ${row.kind} ${s === 'virtual' ? virtualRef(row) : hostRef(row)}…`);
  request({ type: 'openYaml', rowKey: key, side: s }, `Open ${row.kind}`);
}

function onRowClick(ev: MouseEvent): void {
  const row = rowOf(ev.target);
  if (!row?.dataset.key) return;
  focusRow(row);
  const sideEl = (ev.target as Element).closest?.('[data-side]') as HTMLElement | null;
  const cellSide = (ev.target as Element).closest?.('vscode-table-cell.host, vscode-table-cell.hstatus') ? 'host' : undefined;
  openYaml(row.dataset.key, (sideEl?.dataset.side as Side | undefined) ?? cellSide);
}

function focusRow(row: HTMLElement): void {
  for (const r of byId('rows').querySelectorAll<HTMLElement>('vscode-table-row[tabindex="0"]')) r.tabIndex = -1;
  row.tabIndex = 0;
  row.focus();
  focusedKey = row.dataset.key;
}

function onRowKey(ev: KeyboardEvent): void {
  const row = rowOf(ev.target);
  if (!row) return;
  const rows = [...byId('rows').querySelectorAll<HTMLElement>('vscode-table-row')];
  const i = rows.indexOf(row);
  let next: HTMLElement | undefined;
  switch (ev.key) {
    case 'ArrowDown': next = rows[Math.min(rows.length - 1, i + 1)]; break;
    case 'ArrowUp': next = rows[Math.max(0, i - 1)]; break;
    case 'PageDown': next = rows[Math.min(rows.length - 1, i + 15)]; break;
    case 'PageUp': next = rows[Math.max(0, i - 15)]; break;
    case 'Home': next = rows[0]; break;
    case 'End': next = rows[rows.length - 1]; break;
    case 'Enter':
    case ' ':
      ev.preventDefault();
      if (row.dataset.key) openYaml(row.dataset.key, ev.shiftKey ? 'host' : ev.altKey ? 'virtual' : undefined);
      return;
    default: return;
  }
  ev.preventDefault();
  if (next) {
    focusRow(next);
    next.scrollIntoView({ block: 'nearest' });
  }
}

// ---- messages -------------------------------------------------------------------------------------------------

function renderAll(): void {
  renderHeader();
  renderErrors();
  renderSummary();
  renderDiagram();
  syncControls();
  renderTable();
}

function onMessage(msg: ToWebview): void {
  switch (msg.type) {
    case 'loading':
      ref = msg.ref;
      persist();
      renderHeader();
      setStatus(model ? 'Updating…' : 'Loading…');
      break;
    case 'model':
      model = msg.model;
      ref = msg.model.vcluster;
      persist();
      setStatus('');
      renderAll();
      break;
    case 'loadError':
      ref = msg.ref;
      persist();
      renderHeader();
      setStatus(`Could not read the mapping: ${msg.message}`, 'error');
      break;
    case 'reply': {
      const what = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.ok) setStatus('');
      else setStatus(`${what ?? 'Request'} failed: ${msg.message}`, 'error');
      break;
    }
    default: {
      const never: never = msg;
      void never;
    }
  }
}

window.addEventListener('message', (ev: MessageEvent) => {
  if (isToWebview(ev.data)) onMessage(ev.data);
});
window.addEventListener('error', (ev) => post({ type: 'clientError', message: String(ev.message).slice(0, 2000) }));
window.addEventListener('unhandledrejection', (ev) => post({ type: 'clientError', message: String(ev.reason).slice(0, 2000) }));

buildSkeleton();
resizeObserver.observe(byId('diagram'));
prefs = { ...DEFAULT_PREFS, ...prefs };
persist();
renderHeader();
syncControls();
setStatus('Loading…');
post({ type: 'ready', version: PROTOCOL_VERSION });
