// The mapping webview's header, summary (counters and objects per kind) and the list of kinds that could not be read.

import type { ViewPrefs } from './view';
import { refLabel } from '../../src/shared/vclusterRef';
import { byId, el } from '../common/dom';
import { kindSummaries } from './layout';
import { request, setPrefs, state } from './state';

/** Title, subtitle and the refresh button. */
export function headerSection(): HTMLElement {
  const header = el(
    'header',
    { class: 'top' },
    el('div', { class: 'titles' }, el('h1', { id: 'title', text: 'Virtual → host mapping' }), el('p', { id: 'subtitle', class: 'muted' })),
    el('div', { class: 'actions' }),
  );
  const refresh = document.createElement('vscode-button');
  refresh.id = 'refresh';
  refresh.setAttribute('icon', 'refresh');
  refresh.setAttribute('secondary', '');
  refresh.setAttribute('aria-label', 'Reload the mapping from the clusters');
  refresh.textContent = 'Refresh';
  refresh.addEventListener('click', () => request({ type: 'refresh' }, 'Refresh'));
  header.querySelector('.actions')!.append(refresh);
  return header;
}

export function renderHeader(): void {
  const title = byId('title');
  const sub = byId('subtitle');
  const { ref, model } = state;
  if (!ref) {
    title.textContent = 'Virtual → host mapping';
    sub.textContent = '';
    return;
  }
  title.textContent = `${ref.name}: virtual → host`;
  const parts = [refLabel(ref)];
  // toTimeString, not toLocaleTimeString: the first locale-aware call costs a webview some 100 ms of ICU set-up
  if (model) parts.push(`host namespace ${model.hostNamespace}`, `read ${new Date(model.fetchedAt).toTimeString().slice(0, 8)}`);
  sub.textContent = parts.join(' · ');
}

function counter(label: string, value: number, want: ViewPrefs['state'], cls: string): HTMLElement {
  const b = el('button', { type: 'button', class: `counter ${cls}`, 'aria-pressed': String(state.prefs.state === want && want !== '') });
  b.setAttribute('aria-label', `${value} ${label}: show only these`);
  const badge = document.createElement('vscode-badge');
  badge.setAttribute('variant', 'counter');
  badge.textContent = String(value);
  b.append(badge, el('span', { text: label }));
  b.addEventListener('click', () => setPrefs({ state: state.prefs.state === want ? '' : want, namespace: '' }, { resetScroll: true }));
  return b;
}

export function renderSummary(): void {
  const box = byId('summary');
  box.replaceChildren();
  const model = state.model;
  if (!model) return;
  const s = model.summary;
  box.append(
    el(
      'div',
      { class: 'counters' },
      counter('synced', s.synced, 'synced', 'synced'),
      counter('virtual only', s.virtualOnly, 'virtual-only', 'virtual-only'),
      counter('host only', s.hostOnly, 'host-only', 'host-only'),
    ),
  );
  const kinds = kindSummaries(model.rows);
  if (!kinds.length) return;
  const table = el(
    'table',
    { class: 'kinds' },
    el('caption', { class: 'visually-hidden', text: 'Objects per kind' }),
    el('thead', {}, el('tr', {}, ...['Kind', 'Synced', 'Virtual only', 'Host only'].map((h) => el('th', { scope: 'col', text: h })))),
  );
  const tb = el('tbody');
  for (const k of kinds) {
    const kindButton = el('button', { type: 'button', class: 'link', text: k.kind, 'aria-label': `Show only ${k.kind} objects` });
    kindButton.addEventListener('click', () => setPrefs({ kind: state.prefs.kind === k.kind ? '' : (k.kind as ViewPrefs['kind']) }, { resetScroll: true }));
    tb.append(
      el(
        'tr',
        {},
        el('th', { scope: 'row' }, kindButton),
        el('td', { text: String(k.counts.synced) }),
        el('td', { class: k.counts.virtualOnly ? 'warn' : '', text: String(k.counts.virtualOnly) }),
        el('td', { class: k.counts.hostOnly ? 'error' : '', text: String(k.counts.hostOnly) }),
      ),
    );
  }
  table.append(tb);
  box.append(table);
}

export function renderErrors(): void {
  const box = byId('errors');
  box.replaceChildren();
  const errs = state.model?.errors ?? [];
  box.hidden = errs.length === 0;
  if (!errs.length) return;
  const list = el('ul');
  for (const e of errs) {
    list.append(
      el('li', {}, el('span', { class: 'codicon codicon-warning', 'aria-hidden': 'true' }), ` ${e.kind} (${e.side} side) could not be read: ${e.message}`),
    );
  }
  box.append(el('p', { text: 'Some objects are missing from this view:' }), list);
}
