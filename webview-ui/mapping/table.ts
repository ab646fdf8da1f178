// The mapping webview's table: a toolbar of filters and a grid that renders only the rows in view. All matching
// rows are one scroll away (the grid's body is as tall as all of them); a small pool of row elements is refilled as
// the table scrolls, so 50,000 objects cost what 40 do. Rows have one tab stop (roving tabindex); the arrow keys,
// Page Up/Down, Home and End move it, Enter opens the virtual object's YAML and Shift+Enter the host object's.

import type { MappingRow } from '../../src/shared/model';
import { digestKeys, rowKey, type Side } from '../../src/shared/mappingProtocol';
import { MAPPING_KINDS } from '../../src/shared/model';
import { byId, el } from '../common/dom';
import { option, setStatus } from './dom';
import { post, request, setPrefs, state } from './state';
import { hostRef, virtualRef } from '../../src/shared/mappingOrder';
import { STATE_LABELS, type SortColumn, type TableView, type ViewPrefs } from './view';

/** Row height in px (also in mapping.css: .grid-row). */
export const ROW_HEIGHT = 26;
/** Rows rendered above and below the visible ones. */
const OVERSCAN = 6;

const COLUMNS: readonly { id: SortColumn; label: string; cls: string }[] = [
  { id: 'kind', label: 'Kind', cls: 'kind' },
  { id: 'virtual', label: 'Virtual object', cls: 'virtual' },
  { id: 'state', label: 'State', cls: 'state' },
  { id: 'host', label: 'Host object', cls: 'host' },
  { id: 'virtualStatus', label: 'Virtual status', cls: 'vstatus' },
  { id: 'hostStatus', label: 'Host status', cls: 'hstatus' },
];

const EMPTY_VIEW: TableView = { indices: new Int32Array(0), matching: 0, total: 0 };
let view: TableView = EMPTY_VIEW;
/** Row elements, reused: the one for display position p is pool[p % pool.length]. */
let pool: HTMLElement[] = [];
/** Display position of the row that holds the tab stop. */
let focusPos = 0;
/** The row with the tab stop, kept across filters and reloads (by identity, then by key). */
let focusedRow: MappingRow | undefined;
let renderGeneration = 0;

// ---- skeleton ---------------------------------------------------------------------------------------------------

export function tableSection(): HTMLElement {
  const section = el('section', { class: 'table-section', 'aria-label': 'Objects' });
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
  // No debounce: a keystroke filters the prepared index in a few milliseconds, even at 50,000 rows.
  filter.addEventListener('input', () => setPrefs({ text: filter.value }, { resetScroll: true }));

  const kindSel = document.createElement('vscode-single-select');
  kindSel.id = 'kind';
  kindSel.setAttribute('aria-label', 'Kind');
  kindSel.setAttribute('label', 'Filter by kind');
  kindSel.append(option('', 'All kinds'), ...MAPPING_KINDS.map((k) => option(k, k)));
  kindSel.addEventListener('change', () => setPrefs({ kind: kindSel.value as ViewPrefs['kind'] }, { resetScroll: true }));

  const stateSel = document.createElement('vscode-single-select');
  stateSel.id = 'state';
  stateSel.setAttribute('aria-label', 'Sync state');
  stateSel.setAttribute('label', 'Filter by sync state');
  stateSel.append(option('', 'All states'), ...Object.entries(STATE_LABELS).map(([v, l]) => option(v, l)));
  stateSel.addEventListener('change', () => setPrefs({ state: stateSel.value as ViewPrefs['state'] }, { resetScroll: true }));

  const nsChip = el('span', { id: 'ns-chip', class: 'chip', hidden: '' });
  const count = el('span', { id: 'count', class: 'muted count', 'aria-live': 'polite' });
  toolbar.append(filter, kindSel, stateSel, nsChip, count);

  const grid = el('div', {
    id: 'table',
    class: 'grid',
    role: 'grid',
    'aria-colcount': String(COLUMNS.length),
    'aria-label': 'Objects of the virtual cluster and their host counterparts. Enter opens the virtual object, Shift+Enter the host object.',
  });
  const head = el('div', { class: 'grid-row grid-head', role: 'row', 'aria-rowindex': '1' });
  for (const c of COLUMNS) {
    const cell = el('div', { class: `cell ${c.cls}`, role: 'columnheader', 'data-col': c.id });
    const b = el('button', { class: 'sort', type: 'button', 'data-col': c.id });
    b.addEventListener('click', () => setPrefs(state.prefs.sort === c.id ? { desc: !state.prefs.desc } : { sort: c.id, desc: false }));
    cell.append(b);
    head.append(cell);
  }
  const viewport = el('div', { id: 'viewport', class: 'grid-viewport', role: 'rowgroup', tabindex: '-1' });
  const body = el('div', { id: 'rows', class: 'grid-body' });
  viewport.append(body);
  viewport.addEventListener('scroll', () => paintWindow(), { passive: true });
  viewport.addEventListener('keydown', onKey);
  viewport.addEventListener('click', onClick);
  new ResizeObserver(() => paintWindow()).observe(viewport);
  grid.append(head, viewport);

  const empty = el('p', { id: 'empty', class: 'muted empty', hidden: '' });
  section.append(toolbar, grid, empty);
  return section;
}

/** Puts the controls in line with the preferences (after a restore, or a click in the diagram or summary). */
export function syncControls(): void {
  const prefs = state.prefs;
  const filter = byId<HTMLElement & { value: string }>('filter');
  if (filter.value !== prefs.text) filter.value = prefs.text;
  const kind = byId<HTMLElement & { value: string }>('kind');
  if (kind.value !== prefs.kind) kind.value = prefs.kind;
  const stateSel = byId<HTMLElement & { value: string }>('state');
  if (stateSel.value !== prefs.state) stateSel.value = prefs.state;
  const chip = byId('ns-chip');
  chip.hidden = !prefs.namespace;
  chip.replaceChildren();
  if (prefs.namespace) {
    const clear = el(
      'button',
      { type: 'button', class: 'chip-clear', 'aria-label': `Clear the namespace filter ${prefs.namespace}`, title: 'Clear' },
      el('span', { class: 'codicon codicon-close' }),
    );
    clear.addEventListener('click', () => setPrefs({ namespace: '' }, { resetScroll: true }));
    chip.append(el('span', { text: `namespace: ${prefs.namespace}` }), clear);
  }
  for (const cell of document.querySelectorAll<HTMLElement>('.grid-head [role="columnheader"]')) {
    const col = cell.dataset.col as SortColumn;
    const def = COLUMNS.find((c) => c.id === col)!;
    const active = prefs.sort === col;
    cell.setAttribute('aria-sort', active ? (prefs.desc ? 'descending' : 'ascending') : 'none');
    const b = cell.querySelector('button')!;
    b.setAttribute('aria-label', `Sort by ${def.label}${active ? (prefs.desc ? ', sorted descending' : ', sorted ascending') : ''}`);
    b.replaceChildren(
      def.label,
      el('span', { class: `codicon ${active ? (prefs.desc ? 'codicon-arrow-down' : 'codicon-arrow-up') : 'codicon-blank'}`, 'aria-hidden': 'true' }),
    );
  }
}

// ---- rendering --------------------------------------------------------------------------------------------------

/** Filters and sorts the model's rows for the current preferences and paints the rows in view. */
export function renderTable(opts: { resetScroll?: boolean } = {}): void {
  const viewport = byId('viewport');
  const body = byId('rows');
  const count = byId('count');
  const empty = byId('empty');
  const { model, index } = state;
  view = model && index ? index.view(state.prefs) : EMPTY_VIEW;
  body.style.height = `${view.matching * ROW_HEIGHT}px`;
  byId('table').setAttribute('aria-rowcount', String(view.matching + 1));
  if (opts.resetScroll) viewport.scrollTop = 0;
  focusPos = findFocus();
  for (const e of pool) e.dataset.pos = '';
  paintWindow();
  count.textContent = !model ? '' : view.matching === view.total ? `${view.total} objects` : `${view.matching} of ${view.total} objects match`;
  empty.hidden = !model || view.matching > 0;
  empty.textContent = view.total ? 'No objects match the filters.' : 'The virtual cluster has no objects of the mapped kinds.';
  if (model) reportAfterPaint();
}

function findFocus(): number {
  if (!focusedRow || !state.index) return 0;
  const rows = state.index.rows;
  const key = rowKey(focusedRow);
  for (let p = 0; p < view.indices.length; p++) {
    const r = rows[view.indices[p]!]!;
    if (r === focusedRow) return p;
  }
  for (let p = 0; p < view.indices.length; p++) if (rowKey(rows[view.indices[p]!]!) === key) return p;
  return 0;
}

/** Paints the rows in view (and OVERSCAN more each side) into the pooled elements. */
function paintWindow(): void {
  const viewport = byId('viewport');
  const body = byId('rows');
  const height = viewport.clientHeight || 600;
  const first = Math.max(0, Math.floor(viewport.scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(view.matching, Math.ceil((viewport.scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const need = Math.ceil(height / ROW_HEIGHT) + 2 * OVERSCAN + 2;
  if (pool.length < need) {
    for (const e of pool) e.remove();
    pool = Array.from({ length: need }, () => newRowElement());
    body.append(...pool);
  }
  const rows = state.index?.rows ?? [];
  let focusShown = false;
  const used = new Set<HTMLElement>();
  for (let p = first; p < last; p++) {
    const e = pool[p % pool.length]!;
    used.add(e);
    if (e.dataset.pos !== String(p)) {
      if (e === document.activeElement) viewport.focus({ preventScroll: true });
      fillRow(e, rows[view.indices[p]!]!, p);
    }
    e.hidden = false;
    e.tabIndex = p === focusPos ? 0 : -1;
    if (p === focusPos) focusShown = true;
  }
  for (const e of pool) {
    if (used.has(e)) continue;
    if (e === document.activeElement) viewport.focus({ preventScroll: true });
    e.hidden = true;
    e.dataset.pos = '';
  }
  // one tab stop even when the focused row is scrolled away: the viewport itself
  viewport.tabIndex = focusShown || view.matching === 0 ? -1 : 0;
}

/** A row element with its fixed parts; fillRow() only changes their text and classes (no elements are made on scroll). */
function newRowElement(): HTMLElement {
  const row = el('div', { class: 'grid-row row', role: 'row' });
  const name = (side: Side) => el('span', { class: 'name', 'data-side': side });
  row.append(
    el('div', { class: 'cell kind', role: 'gridcell' }),
    el('div', { class: 'cell virtual', role: 'gridcell' }, name('virtual')),
    el(
      'div',
      { class: 'cell state', role: 'gridcell' },
      el('span', { class: 'state-pill' }),
      el('span', {
        class: 'codicon codicon-link',
        title: 'Matched by the name rule (no annotations on the host object)',
        role: 'img',
        'aria-label': 'matched by name',
        hidden: '',
      }),
    ),
    el('div', { class: 'cell host', role: 'gridcell' }, name('host')),
    el('div', { class: 'cell vstatus', role: 'gridcell' }),
    el('div', { class: 'cell hstatus', role: 'gridcell' }),
  );
  row.hidden = true;
  return row;
}

/** A name that opens its YAML, or a muted dash when the row has no such side. */
function setName(span: HTMLElement, text: string, side: Side): void {
  if (text) {
    span.className = 'name';
    span.dataset.side = side;
    span.title = `${text}\nOpen the ${side} object's YAML`;
    span.textContent = text;
  } else {
    span.className = 'muted';
    delete span.dataset.side;
    span.removeAttribute('title');
    span.textContent = '—';
  }
}

function setText(e: HTMLElement, text: string | undefined): void {
  e.textContent = text ?? '';
  // statuses such as CrashLoopBackOff are cut in narrow panels: the tooltip has them in full
  if (text) e.title = text;
  else e.removeAttribute('title');
}

function fillRow(row: HTMLElement, r: MappingRow, pos: number): void {
  row.dataset.pos = String(pos);
  row.style.transform = `translateY(${pos * ROW_HEIGHT}px)`;
  row.setAttribute('aria-rowindex', String(pos + 2));
  const v = virtualRef(r);
  const h = hostRef(r);
  row.setAttribute('aria-label', `${r.kind} ${v || '(none)'}, ${STATE_LABELS[r.state]}, host ${h || '(none)'}`);
  row.className = `grid-row row ${r.state}${pos % 2 ? ' odd' : ''}`;
  const [kind, virtual, st, host, vs, hs] = row.children as unknown as HTMLElement[];
  kind!.textContent = r.kind;
  setName(virtual!.firstElementChild as HTMLElement, v, 'virtual');
  const pill = st!.firstElementChild as HTMLElement;
  pill.className = `state-pill ${r.state}`;
  pill.textContent = STATE_LABELS[r.state];
  (st!.lastElementChild as HTMLElement).hidden = r.joinedBy !== 'name';
  setName(host!.firstElementChild as HTMLElement, h, 'host');
  setText(vs!, r.virtualStatus);
  setText(hs!, r.hostStatus);
}

/**
 * After the browser painted the table: a performance mark (the benchmark measures up to it), then the report of what
 * the table holds, for the tests (its digest is computed after the paint, so it never delays one).
 */
function reportAfterPaint(): void {
  const gen = ++renderGeneration;
  requestAnimationFrame(() =>
    setTimeout(() => {
      if (gen !== renderGeneration) return;
      performance.mark('vce-table-painted');
      whenIdle(() => {
        if (gen !== renderGeneration || !state.index) return;
        const rows = state.index.rows;
        const keys = Array.from(view.indices, (i) => rowKey(rows[i]!));
        const inDom = pool.filter((e) => !e.hidden).length;
        post({ type: 'rendered', rows: inDom, matching: view.matching, total: view.total, digest: digestKeys(keys) });
        // then the search text of every row, so that the first keystroke filters at once
        whenIdle(() => state.index?.prepareSearch());
      });
    }, 0),
  );
}

/** Runs `fn` when the page has nothing else to do (typing and scrolling come first), within a second at most. */
function whenIdle(fn: () => void): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(() => fn(), { timeout: 1000 });
  else setTimeout(fn, 0);
}

// ---- interaction ------------------------------------------------------------------------------------------------

function rowAt(pos: number): MappingRow | undefined {
  const i = view.indices[pos];
  return i === undefined ? undefined : state.index?.rows[i];
}

function openYaml(r: MappingRow, side: Side | undefined): void {
  const s: Side = side ?? (r.virtualName ? 'virtual' : 'host');
  if (s === 'virtual' && !r.virtualName) return void setStatus('This object has no virtual side.', 'info');
  if (s === 'host' && !r.hostName) return void setStatus('This object has no host side.', 'info');
  setStatus(`Opening the ${s} ${r.kind} ${s === 'virtual' ? virtualRef(r) : hostRef(r)}…`);
  request({ type: 'openYaml', rowKey: rowKey(r), side: s }, `Open ${r.kind}`);
}

/** Moves the tab stop to a display position, scrolls it into view and focuses it. */
function focusPosition(pos: number): void {
  if (view.matching === 0) return;
  focusPos = Math.max(0, Math.min(view.matching - 1, pos));
  focusedRow = rowAt(focusPos);
  const viewport = byId('viewport');
  const top = focusPos * ROW_HEIGHT;
  if (top < viewport.scrollTop) viewport.scrollTop = top;
  else if (top + ROW_HEIGHT > viewport.scrollTop + viewport.clientHeight) viewport.scrollTop = top + ROW_HEIGHT - viewport.clientHeight;
  paintWindow();
  pool.find((e) => e.dataset.pos === String(focusPos))?.focus({ preventScroll: true });
}

function onClick(ev: MouseEvent): void {
  const rowEl = (ev.target as Element).closest?.('.grid-row.row') as HTMLElement | null;
  const pos = Number(rowEl?.dataset.pos);
  const r = rowEl?.dataset.pos ? rowAt(pos) : undefined;
  if (!r) return;
  focusPosition(pos);
  const sideEl = (ev.target as Element).closest?.('[data-side]') as HTMLElement | null;
  const cellSide = (ev.target as Element).closest?.('.cell.host, .cell.hstatus') ? 'host' : undefined;
  openYaml(r, (sideEl?.dataset.side as Side | undefined) ?? cellSide);
}

function onKey(ev: KeyboardEvent): void {
  const page = Math.max(1, Math.floor(byId('viewport').clientHeight / ROW_HEIGHT) - 1);
  switch (ev.key) {
    case 'ArrowDown':
      focusPosition(focusPos + 1);
      break;
    case 'ArrowUp':
      focusPosition(focusPos - 1);
      break;
    case 'PageDown':
      focusPosition(focusPos + page);
      break;
    case 'PageUp':
      focusPosition(focusPos - page);
      break;
    case 'Home':
      focusPosition(0);
      break;
    case 'End':
      focusPosition(view.matching - 1);
      break;
    case 'Enter':
    case ' ': {
      const r = rowAt(focusPos);
      if (r) openYaml(r, ev.shiftKey ? 'host' : ev.altKey ? 'virtual' : undefined);
      break;
    }
    default:
      return;
  }
  ev.preventDefault();
}
