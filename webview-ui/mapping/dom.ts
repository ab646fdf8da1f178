// DOM helpers of the mapping page (el and byId are in ../common/dom.ts). Text always goes in as textContent, never as
// HTML: everything shown comes from a cluster.

import { byId } from '../common/dom';

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg(tag: string, attrs: Record<string, string | number> = {}): SVGElement {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

export function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** A vscode-option of a vscode-single-select. */
export function option(value: string, label: string): HTMLElement {
  const o = document.createElement('vscode-option');
  o.setAttribute('value', value);
  o.textContent = label;
  return o;
}

/** Sets the status line under the header. */
export function setStatus(text: string, kind: 'info' | 'error' | '' = 'info'): void {
  const s = byId('status');
  s.textContent = text;
  s.className = `status ${kind}`;
}
