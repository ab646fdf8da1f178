// The describe page: the details of one vcluster, posted by src/webview/describePanel.ts (a details protocol,
// src/shared/describe.ts; its life in ../common/detailsPage.ts). Everything from the cluster is put into the DOM as
// text (textContent / createTextNode), never as HTML; the page loads nothing from the network.

import '../common/panel.css';
import '../common/details.css';
import { CERT_WARNING_DAYS, DESCRIBE_PROTOCOL, expiringCertificates, type VClusterDetails } from '../../src/shared/describe';
import { refLabel } from '../../src/shared/vclusterRef';
import { badge, button, facts, problemsSection, section, table, when } from '../common/detailsDom';
import { el } from '../common/dom';
import { detailsPage } from '../common/detailsPage';

const page = detailsPage(DESCRIBE_PROTOCOL);

function header(d: VClusterDetails | undefined, status?: string): HTMLElement {
  const ref = page.subject();
  const title = el('h1', {}, `vcluster ${ref?.name ?? ''}`);
  const sub = el('p', { class: 'muted' }, ref ? refLabel(ref) : '');
  const actions = el(
    'div',
    { class: 'actions' },
    button('Refresh', 'refresh', page.refresh),
    button('Show Config', 'file-code', () => page.action('showConfig')),
    button('Upgrade…', 'arrow-circle-up', () => page.action('upgrade')),
    button('Mapping', 'type-hierarchy-sub', () => page.action('showMapping')),
  );
  const top = el('header', { class: 'top' }, el('div', { class: 'titles' }, title, sub), actions);
  const line = el('p', { class: 'status' });
  line.id = 'status';
  line.setAttribute('role', 'status');
  if (d) {
    line.append(badge(d.status || 'Unknown', d.phase), ' ', d.reason ?? '');
  } else if (status) {
    line.textContent = status;
  }
  return el('div', {}, top, line);
}

function render(d: VClusterDetails): HTMLElement[] {
  const sections: HTMLElement[] = [];
  const expiring = expiringCertificates(d);

  sections.push(
    section(
      'overview',
      'Overview',
      facts([
        ['Status', d.status || 'Unknown'],
        ['Workload', `${d.workload.kind} ${d.workload.name}: ${d.workload.readyReplicas}/${d.workload.replicas} ready`],
        ['Created', when(d.workload.created)],
        ['vcluster version', d.versions.vcluster],
        ['Chart', d.versions.chart],
        ['Kubernetes', d.versions.kubernetes],
        ['Distro', d.distro],
        ['Backing store', d.backingStore],
        [
          'Helm release',
          d.helm
            ? `revision ${d.helm.revision}, ${d.helm.status}${d.helm.lastDeployed ? `, deployed ${when(d.helm.lastDeployed)}` : ''}`
            : 'none (not installed by Helm)',
        ],
        ['Read', when(d.fetchedAt)],
      ]),
    ),
  );

  const podRows = d.pods.flatMap((p) =>
    p.containers.map((c) => [
      p.name,
      `${c.init ? 'init: ' : ''}${c.name}`,
      `${c.state}${c.reason ? ` (${c.reason})` : ''}${c.exitCode !== undefined ? `, exit ${c.exitCode}` : ''}`,
      String(c.restartCount),
      c.lastTermination
        ? `${c.lastTermination.reason ?? ''} exit ${c.lastTermination.exitCode ?? '?'}${c.lastTermination.message ? `: ${c.lastTermination.message}` : ''}`
        : '',
      c.message ?? '',
      c.image ?? '',
    ]),
  );
  sections.push(
    section(
      'pods',
      'Control plane pods',
      d.pods.length
        ? facts(
            d.pods.map((p) => [
              p.name,
              `${p.status} · phase ${p.phase}${p.node ? ` · node ${p.node}` : ' · not scheduled'} · ${p.restarts} restarts${p.conditions.length ? ` · ${p.conditions.map((c) => `${c.type}: ${c.reason ?? 'False'}${c.message ? ` (${c.message})` : ''}`).join('; ')}` : ''}`,
            ]),
          )
        : el('p', { class: 'muted' }, 'No control-plane pod.'),
      podRows.length ? table(['Pod', 'Container', 'State', 'Restarts', 'Last termination', 'Message', 'Image'], podRows, 'wide') : undefined,
    ),
  );

  const ep = d.endpoint;
  sections.push(
    section(
      'endpoint',
      'Endpoint',
      facts([
        ['Service', ep.serviceType ? `${ep.serviceType}${ep.clusterIP ? ` ${ep.clusterIP}` : ''}` : undefined],
        ['LoadBalancer', ep.loadBalancer.join(', ')],
        ['NodePorts', ep.nodePorts.join(', ')],
        ['Exported server', ep.exportServer],
        [
          'Contexts',
          ep.contexts.length
            ? ep.contexts
                .map((c) => `${c.name}${c.server ? ` → ${c.server}` : ''}${c.tunnel ? ' (port-forward tunnel)' : ''}${c.current ? ' (current)' : ''}`)
                .join('\n')
            : 'none (not connected)',
        ],
      ]),
    ),
  );

  const s = d.sleep;
  sections.push(
    section(
      'sleep',
      'Pause and sleep',
      facts([
        [
          'Paused',
          s.paused
            ? `yes${s.pausedSince ? `, since ${when(s.pausedSince)}` : ''}${s.pausedReplicas ? ` (resumes with ${s.pausedReplicas} replica(s))` : ''}`
            : 'no',
        ],
        ['Sleep mode label', s.sleepModeLabel ? 'yes (vCluster Platform)' : undefined],
        ['Sleep type', s.sleepType],
        ['Sleeping since', when(s.sleepingSince)],
        ['Last activity', when(s.lastActivity)],
      ]),
    ),
  );

  const certs = d.certificates;
  sections.push(
    section(
      'certificates',
      'Certificates',
      certs.note ? el('p', { class: 'muted' }, certs.note) : undefined,
      expiring.length
        ? el(
            'p',
            { class: 'warning' },
            `${expiring.length} certificate${expiring.length === 1 ? '' : 's'} expire${expiring.length === 1 ? 's' : ''} within ${CERT_WARNING_DAYS} days or already expired: rotate them (vcluster certs rotate).`,
          )
        : undefined,
      certs.items.length
        ? table(
            ['Secret key', 'Subject', 'Expires', 'Days left'],
            certs.items.map((c) => {
              const days = el('span', { class: c.daysLeft < CERT_WARNING_DAYS ? 'warning' : '' }, String(c.daysLeft));
              return [c.key, c.subject, new Date(c.notAfter).toLocaleString(), days];
            }),
          )
        : undefined,
    ),
  );

  sections.push(
    section(
      'events',
      'Recent events',
      d.events.length
        ? table(
            ['Last seen', 'Type', 'Reason', 'Object', 'Message', 'Count'],
            d.events.map((e) => [when(e.lastSeen), e.type, e.reason ?? '', e.object, e.message, String(e.count)]),
            'wide',
          )
        : el('p', { class: 'muted' }, 'No events.'),
    ),
  );

  const problems = problemsSection(d.problems);
  if (problems) sections.push(problems);

  return sections;
}

page.start({
  header,
  sections: render,
  report: (d, sections) => ({ sections: sections.length, events: d.events.length, warnings: expiringCertificates(d).length }),
  errorReport: () => ({ sections: 0, events: 0, warnings: 0 }),
  failure: 'Could not describe the vcluster',
});
