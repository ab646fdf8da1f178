// DOM helpers of the details pages (the describe views of a vcluster and of an object). Text from the cluster goes
// into the DOM as text (append / textContent), never as HTML.

import { el } from './dom';

export function when(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const ago = Math.round((Date.now() - d.getTime()) / 1000);
  const rel =
    ago < 0
      ? 'in the future'
      : ago < 90
        ? `${ago}s ago`
        : ago < 5400
          ? `${Math.round(ago / 60)}m ago`
          : ago < 172_800
            ? `${Math.round(ago / 3600)}h ago`
            : `${Math.round(ago / 86_400)}d ago`;
  return `${d.toLocaleString()} (${rel})`;
}

/** A two-column table of label → value rows; empty values are left out. */
export function facts(rows: [string, string | number | undefined | Node][]): HTMLElement {
  const dl = el('dl', { class: 'facts' });
  for (const [k, v] of rows) {
    if (v === undefined || v === '') continue;
    dl.append(el('dt', {}, k), el('dd', {}, typeof v === 'number' ? String(v) : v));
  }
  return dl;
}

export function section(id: string, title: string, ...content: (Node | undefined)[]): HTMLElement {
  const s = el('section', { class: 'card' }, el('h2', {}, title), ...content);
  s.id = id;
  s.setAttribute('aria-label', title);
  return s;
}

/** The parts of the details that could not be read, as a section; undefined when there are none. */
export function problemsSection(problems: readonly string[]): HTMLElement | undefined {
  if (!problems.length) return undefined;
  const ul = el('ul');
  for (const p of problems) ul.append(el('li', {}, p));
  return section('problems', 'Could not read', ul);
}

export function table(headers: string[], rows: (string | Node)[][], cls = ''): HTMLElement {
  const t = el('table', { class: cls });
  const head = el('tr');
  for (const h of headers) head.append(el('th', {}, h));
  t.append(el('thead', {}, head));
  const body = el('tbody');
  for (const r of rows) {
    const tr = el('tr');
    for (const c of r) tr.append(el('td', {}, c));
    body.append(tr);
  }
  t.append(body);
  return t;
}

export function badge(text: string, kind: string): HTMLElement {
  return el('span', { class: `badge ${kind}` }, text);
}

export function button(label: string, icon: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', { class: 'action' }, el('span', { class: `codicon codicon-${icon}` }), label);
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}
