// The describe page of an object inside a vcluster, posted by src/webview/objectDescribePanel.ts (a details protocol,
// src/shared/objectDescribe.ts; its life in ../common/detailsPage.ts). Everything from the cluster is put into the DOM
// as text, never as HTML; warning events get their own row style and a marker; the page loads nothing from the network.

import '../common/panel.css';
import '../common/details.css';
import './objectDescribe.css';
import { OBJECT_DESCRIBE_PROTOCOL, type ObjectDetails } from '../../src/shared/objectDescribe';
import { refLabel } from '../../src/shared/vclusterRef';
import { badge, button, facts, problemsSection, section, table, when } from '../common/detailsDom';
import { el } from '../common/dom';
import { detailsPage } from '../common/detailsPage';

const page = detailsPage(OBJECT_DESCRIBE_PROTOCOL);

function phaseClass(d: ObjectDetails): string {
  if (/^(Running|Ready|Complete|Succeeded|ClusterIP|NodePort|LoadBalancer|ExternalName)$/.test(d.status)) return 'running';
  if (/Progressing|Pending|ContainerCreating|PodInitializing|Init:/.test(d.status)) return 'pending';
  if (d.status === '') return '';
  return 'failing';
}

function header(d: ObjectDetails | undefined, status?: string): HTMLElement {
  const t = d?.target ?? page.subject();
  const title = el('h1', {}, t ? `${t.kind} ${t.name}` : 'Object');
  const sub = el('p', { class: 'muted' }, t ? `namespace ${t.namespace} · vcluster ${refLabel(t.ref)}` : '');
  const actions = el(
    'div',
    { class: 'actions' },
    button('Refresh', 'refresh', page.refresh),
    button('YAML', 'file-code', () => page.action('showYaml')),
  );
  if (t?.kind === 'Pod') actions.append(button('Logs', 'output', () => page.action('showLogs')));
  if (d?.host) actions.append(button('Host Object', 'link-external', () => page.action('revealHostObject')));
  const line = el('p', { class: 'status' });
  line.id = 'status';
  line.setAttribute('role', 'status');
  if (d) line.append(d.status ? badge(d.status, phaseClass(d)) : '', d.ready ? ` ${d.ready} ready` : '');
  else if (status) line.textContent = status;
  return el('div', {}, el('header', { class: 'top' }, el('div', { class: 'titles' }, title, sub), actions), line);
}

function pairs(rows: readonly (readonly [string, string])[], none: string): HTMLElement {
  if (!rows.length) return el('p', { class: 'muted' }, none);
  return facts(rows.map(([k, v]) => [k, v]));
}

function containerState(c: ObjectDetails['containers'][number]): string {
  if (!c.state) return '';
  return `${c.state}${c.reason ? ` (${c.reason})` : ''}${c.exitCode !== undefined ? `, exit code ${c.exitCode}` : ''}${c.message ? `: ${c.message}` : ''}`;
}

function render(d: ObjectDetails): HTMLElement[] {
  const sections: HTMLElement[] = [];
  sections.push(
    section(
      'overview',
      'Overview',
      facts([
        ['Status', d.status || undefined],
        ['Ready', d.ready],
        ['Created', when(d.created)],
        ...d.facts.map((f): [string, string] => [f.label, f.value]),
        ['Host object', d.host ? `${d.host.namespace}/${d.host.name} (synced by the vcluster)` : undefined],
        ['Read', when(d.fetchedAt)],
      ]),
    ),
  );
  if (d.containers.length) {
    const live = d.target.kind === 'Pod';
    const headers = live ? ['Container', 'Image', 'State', 'Ready', 'Restarts', 'Last termination', 'Ports'] : ['Container', 'Image', 'Ports'];
    const rows = d.containers.map((c) =>
      live
        ? [
            `${c.init ? 'init: ' : ''}${c.name}`,
            c.image ?? '',
            containerState(c),
            c.ready === undefined ? '' : c.ready ? 'yes' : 'no',
            c.restarts === undefined ? '' : String(c.restarts),
            c.lastTermination ?? '',
            c.ports.join(', '),
          ]
        : [`${c.init ? 'init: ' : ''}${c.name}`, c.image ?? '', c.ports.join(', ')],
    );
    sections.push(section('containers', live ? 'Containers' : 'Pod template', table(headers, rows, 'wide')));
  }
  if (d.target.kind === 'Service') {
    sections.push(
      section(
        'ports',
        'Ports',
        d.ports.length
          ? table(
              ['Name', 'Port', 'Target port', 'Protocol', 'Node port'],
              d.ports.map((p) => [p.name ?? '', String(p.port), p.targetPort ?? '', p.protocol, p.nodePort ? String(p.nodePort) : '']),
            )
          : el('p', { class: 'muted' }, 'No ports.'),
      ),
    );
  }
  if (d.selector) sections.push(section('selector', 'Selector', pairs(d.selector, 'No selector.')));
  if (d.keys) {
    const ul = el('ul', { class: 'keys' });
    for (const k of d.keys) ul.append(el('li', {}, k));
    sections.push(
      section(
        'keys',
        `Keys (${d.keys.length})`,
        el('p', { class: 'muted' }, 'Key names only; values are not read into this view.'),
        d.keys.length ? ul : el('p', { class: 'muted' }, 'No keys.'),
      ),
    );
  }
  if (d.conditions.length) {
    sections.push(
      section(
        'conditions',
        'Conditions',
        table(
          ['Type', 'Status', 'Reason', 'Message', 'Last transition'],
          d.conditions.map((c) => [c.type, c.status, c.reason ?? '', c.message ?? '', when(c.lastTransition)]),
        ),
      ),
    );
  }
  sections.push(section('labels', 'Labels', pairs(d.labels, 'No labels.')));
  sections.push(section('annotations', 'Annotations', pairs(d.annotations, 'No annotations.')));
  const warnings = d.events.filter((e) => e.type === 'Warning').length;
  const events = d.events.length
    ? table(
        ['Type', 'Reason', 'Last seen', 'Count', 'From', 'Message'],
        d.events.map((e) => [
          e.type === 'Warning' ? el('span', { class: 'warning' }, '⚠ Warning') : e.type,
          e.reason,
          when(e.last),
          String(e.count),
          e.source ?? '',
          e.message,
        ]),
        'wide events',
      )
    : el('p', { class: 'muted' }, 'No events.');
  // Warning rows stand out as a whole (the table helper makes plain rows).
  if (d.events.length) {
    const rows = events.querySelectorAll('tbody tr');
    d.events.forEach((e, i) => {
      if (e.type === 'Warning') rows[i]?.classList.add('warning-row');
    });
  }
  sections.push(section('events', warnings ? `Events (${warnings} warning${warnings === 1 ? '' : 's'})` : 'Events', events));
  const problems = problemsSection(d.problems);
  if (problems) sections.push(problems);
  return sections;
}

page.start({
  header,
  sections: render,
  report: (d, sections, app) => ({
    sections: sections.map((s) => s.id),
    events: d.events.length,
    warnings: d.events.filter((e) => e.type === 'Warning').length,
    text: (app.innerText || app.textContent || '').slice(0, 200_000),
  }),
  errorReport: (app) => ({ sections: [], events: 0, warnings: 0, text: app.textContent ?? '' }),
  failure: 'Could not describe the object',
});
