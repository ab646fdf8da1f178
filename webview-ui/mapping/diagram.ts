// The mapping webview's diagram: virtual namespaces on the left, the host namespace on the right (layout.ts places
// the boxes). One tab stop for the whole picture (roving tabindex): the arrow keys move between boxes, Right/Left
// expand and collapse a namespace, Enter on a kind filters the table.

import { byId, el } from '../common/dom';
import { svg, truncate } from './dom';
import { diagramKeyOrder, layoutDiagram, type DiagramLayout, type DiagramNode } from './layout';
import { setPrefs, state } from './state';

/** The collapsible box with the diagram and its legend. */
export function diagramSection(): HTMLElement {
  const box = document.createElement('vscode-collapsible');
  box.id = 'diagram-box';
  box.setAttribute('heading', 'Diagram');
  box.setAttribute('description', 'virtual namespaces → host namespace');
  box.setAttribute('open', '');
  box.append(
    el('div', { id: 'diagram', class: 'diagram' }),
    el('p', {
      class: 'legend muted',
      text: 'Counts read "synced + not synced"; a line\'s width grows with the synced objects it stands for. Enter or click on a namespace expands it by kind; on a kind, filters the table.',
    }),
  );
  return box;
}

/** Redraws the diagram when its box changes width noticeably. */
/** The width inside the diagram box's padding as the ResizeObserver last saw it (clientWidth would force a layout). */
let boxWidth = 0;

export function followDiagramWidth(): void {
  new ResizeObserver((entries) => {
    const w = Math.round(entries[entries.length - 1]?.contentRect.width ?? byId('diagram').clientWidth - 8);
    if (Math.abs(w - boxWidth) < 24) return;
    boxWidth = w;
    renderDiagram();
  }).observe(byId('diagram'));
}

export function renderDiagram(): void {
  const box = byId('diagram');
  box.replaceChildren();
  const model = state.model;
  if (!model) return;
  // Text stays at its real size: the layout takes the box's width (within bounds) and scrolls when narrower.
  const width = Math.min(960, Math.max(0, boxWidth || box.clientWidth - 8));
  const layout = layoutDiagram(model.rows, model.hostNamespace, new Set(state.prefs.expanded), { width });
  box.append(drawDiagram(layout));
}

function drawDiagram(layout: DiagramLayout): SVGElement {
  const root = svg('svg', { viewBox: `0 0 ${layout.width} ${layout.height}`, width: layout.width, height: layout.height, class: 'diagram-svg' });
  root.setAttribute('role', 'group');
  root.setAttribute(
    'aria-label',
    'Diagram of virtual namespaces and the host namespace. Enter on a namespace expands it by kind; Enter on a kind filters the table.',
  );
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
    case 'ArrowDown':
      target = order[Math.min(order.length - 1, i + 1)];
      break;
    case 'ArrowUp':
      target = order[Math.max(0, i - 1)];
      break;
    case 'Home':
      target = order[0];
      break;
    case 'End':
      target = order[order.length - 1];
      break;
    case 'ArrowRight':
      if (node?.type === 'namespace' && !node.expanded) {
        ev.preventDefault();
        activateNode(node);
        return;
      }
      target = order.find((o) => o === 'host');
      break;
    case 'ArrowLeft':
      if (node?.type === 'namespace' && node.expanded) {
        ev.preventDefault();
        activateNode(node);
        return;
      }
      if (node?.type === 'kind') target = `ns/${node.namespace ?? ''}`;
      else if (node?.type === 'host' || node?.type === 'hostKind') target = order[0];
      break;
    default:
      return;
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
    g.addEventListener('focus', () => {
      diagramFocusId = n.id;
    });
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
    case 'namespace':
      return n.expanded ? 'Collapse' : 'Expand by kind';
    case 'kind':
      return 'Show these objects in the table';
    case 'hostKind':
      return `Show ${n.kind} objects in the table`;
    case 'host':
      return 'Show all objects';
    case 'more':
      return '';
  }
}

function isSelected(n: DiagramNode): boolean {
  const prefs = state.prefs;
  switch (n.type) {
    case 'kind':
      return prefs.namespace === n.namespace && prefs.kind === n.kind;
    case 'hostKind':
      return !prefs.namespace && prefs.kind === n.kind;
    case 'namespace':
      return prefs.namespace === n.namespace && !prefs.kind;
    default:
      return false;
  }
}

function activateNode(n: DiagramNode): void {
  const focusId = n.id;
  switch (n.type) {
    case 'namespace': {
      const ns = n.namespace ?? '';
      const expanded = state.prefs.expanded.includes(ns) ? state.prefs.expanded.filter((e) => e !== ns) : [...state.prefs.expanded, ns];
      setPrefs({ expanded }, { diagram: true });
      break;
    }
    case 'kind':
      setPrefs({ namespace: n.namespace ?? '', kind: n.kind ?? '' }, { diagram: true, resetScroll: true });
      break;
    case 'hostKind':
      setPrefs({ namespace: '', kind: n.kind ?? '' }, { diagram: true, resetScroll: true });
      break;
    case 'host':
      setPrefs({ namespace: '', kind: '' }, { diagram: true, resetScroll: true });
      break;
    case 'more':
      return;
  }
  // the diagram was redrawn: keep the keyboard focus on the same box
  focusDiagramNode(focusId);
}
