// The pure parts of vcluster.upgrade (arguments, version steps, offers, outcomes) and of vcluster.describe (details
// from recorded API objects, certificates made by openssl, the webview protocol).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Pod, Secret, Workload } from '../../src/kube/types';
import { CERT_WARNING_DAYS, DESCRIBE_PROTOCOL, expiringCertificates } from '../../src/shared/describe';
import { isToDetailsWebview, parseDetailsState, parseFromDetailsWebview } from '../../src/shared/detailsProtocol';
import type { ContextInfo } from '../../src/shared/model';
import { backingStoreType, buildDetails, certificatesOf, contextsPointingAt, type DescribeInput, type KubeEvent } from '../../src/vcluster/describe';
import { describeOutcome, isChartVersion, parseCliVersion, upgradeArgs, versionOffers, versionStep, versionStepWarning } from '../../src/vcluster/upgrade';

describe('upgrade: arguments and versions', () => {
  it('runs `vcluster create NAME --upgrade` with the values file, the chart version and extra arguments, never connecting', () => {
    assert.deepEqual(
      upgradeArgs({
        name: 'dev',
        namespace: 'team',
        context: 'kind-x',
        valuesFile: '/w/vcluster.yaml',
        chartVersion: '0.36.1',
        extraArgs: ['--local-chart-dir', '/c'],
      }),
      [
        'create',
        'dev',
        '--namespace',
        'team',
        '--context',
        'kind-x',
        '--upgrade',
        '--connect=false',
        '--values',
        '/w/vcluster.yaml',
        '--chart-version',
        '0.36.1',
        '--local-chart-dir',
        '/c',
      ],
    );
    assert.ok(!upgradeArgs({ name: 'a', namespace: 'b', context: 'c', valuesFile: 'v' }).includes('--chart-version'));
  });

  it('reads the CLI version and tells chart versions from anything else', () => {
    assert.equal(parseCliVersion('vcluster version 0.36.1\n'), '0.36.1');
    assert.equal(parseCliVersion('vcluster version v0.30.0-beta.1'), '0.30.0-beta.1');
    assert.equal(parseCliVersion('garbage'), undefined);
    for (const v of ['0.36.1', 'v0.20.0', '0.30.0-rc.2']) assert.ok(isChartVersion(v), v);
    for (const v of ['latest', '0.36', '0.36.1; rm -rf /', '--version=1', '']) assert.ok(!isChartVersion(v), v);
  });

  it('classifies version steps: one minor at a time is fine, skipping or going down is warned about', () => {
    assert.deepEqual(versionStep('0.35.2', '0.35.2'), { kind: 'same' });
    assert.deepEqual(versionStep('0.35.0', '0.35.4'), { kind: 'patch' });
    assert.deepEqual(versionStep('0.35.4', '0.36.0'), { kind: 'minor' });
    assert.deepEqual(versionStep('0.33.0', '0.36.1'), { kind: 'skip', minors: 2 });
    assert.deepEqual(versionStep('0.36.1', '0.35.0'), { kind: 'downgrade' });
    assert.deepEqual(versionStep('v0.36.1', '1.0.0'), { kind: 'major' });
    assert.deepEqual(versionStep('', '0.36.1'), { kind: 'unknown' });
    assert.equal(versionStepWarning('0.35.4', '0.36.1'), undefined);
    assert.match(
      versionStepWarning('0.33.0', '0.36.1')!,
      /one minor version at a time: 0\.33\.0 → 0\.36\.1 skips 2 minor versions\. Upgrade to the newest 0\.34\.x first/,
    );
    assert.match(versionStepWarning('0.36.1', '0.35.0')!, /does not support downgrades/);
  });

  it("offers the deployed version, the CLI's and the bundled one, once each", () => {
    assert.deepEqual(
      versionOffers({ deployed: '0.35.0', cli: 'v0.36.1', bundled: '0.36.1' }).map((o) => [o.version, o.label]),
      [
        ['0.35.0', 'deployed now (apply the configuration only)'],
        ['0.36.1', "the vcluster CLI's version · the version whose schema vcluster Explorer bundles"],
      ],
    );
    assert.deepEqual(versionOffers({ deployed: 'weird', cli: undefined }), []);
  });

  it('never reports a silent success: the Helm release decides', () => {
    const run = (code: number, out = '') => ({ code, stdout: out, stderr: '' });
    assert.deepEqual(describeOutcome('dev', { result: run(0), before: { revision: 1, status: 'deployed' }, after: { revision: 2, status: 'deployed' } }), {
      ok: true,
      message: 'vcluster dev upgraded: Helm release revision 2 is deployed.',
    });
    const noNew = describeOutcome('dev', { result: run(0), before: { revision: 2, status: 'deployed' }, after: { revision: 2, status: 'deployed' } });
    assert.equal(noNew.ok, false);
    assert.match(noNew.message, /reported success .* revision 2 is deployed \(no new revision\)/);
    const failed = describeOutcome('dev', {
      result: run(1, 'info upgrading\nfatal error: helm upgrade failed: timed out\n'),
      before: { revision: 2, status: 'deployed' },
      after: { revision: 3, status: 'failed' },
    });
    assert.equal(failed.ok, false);
    assert.match(
      failed.message,
      /failed for dev \(exit code 1\): fatal error: helm upgrade failed: timed out\. Afterwards Helm release revision 3 is failed\./,
    );
    const rejected = describeOutcome('dev', {
      result: run(1, 'fatal config is invalid'),
      before: { revision: 2, status: 'deployed' },
      after: { revision: 2, status: 'deployed' },
    });
    assert.match(rejected.message, /Afterwards Helm release revision 2 is deployed \(unchanged\)\./);
  });
});

// ---- describe ----------------------------------------------------------------------------------------------------

function cert(dir: string, name: string, days: number): string {
  const key = path.join(dir, `${name}.key`);
  const crt = path.join(dir, `${name}.crt`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', crt, '-days', String(days), '-subj', `/CN=${name}`], {
    stdio: 'ignore',
  });
  return fs.readFileSync(crt, 'utf8');
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
const now = new Date();

function sts(annotations: Record<string, string> = {}, replicas = 1): Workload {
  return {
    metadata: {
      name: 'dev',
      namespace: 'team',
      labels: { app: 'vcluster', release: 'dev', chart: 'vcluster-0.36.1' },
      annotations,
      creationTimestamp: '2026-01-01T00:00:00Z',
    },
    spec: {
      replicas,
      template: {
        spec: {
          initContainers: [{ name: 'kubernetes', image: 'ghcr.io/loft-sh/kubernetes:v1.36.0' }],
          containers: [{ name: 'syncer', image: 'ghcr.io/loft-sh/vcluster-pro:0.36.1' }],
        },
      },
    },
    status: { replicas, readyReplicas: 0 },
  };
}

const crashing = {
  metadata: { name: 'dev-0', namespace: 'team', labels: { app: 'vcluster', release: 'dev' }, creationTimestamp: '2026-01-02T00:00:00Z' },
  spec: {
    nodeName: 'node-1',
    initContainers: [{ name: 'kubernetes', image: 'ghcr.io/loft-sh/kubernetes:v1.36.0' }],
    containers: [{ name: 'syncer', image: 'ghcr.io/loft-sh/vcluster-pro:0.36.1' }],
  },
  status: {
    phase: 'Running',
    initContainerStatuses: [{ name: 'kubernetes', ready: true, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
    containerStatuses: [
      {
        name: 'syncer',
        ready: false,
        restartCount: 7,
        state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container' } },
        lastState: {
          terminated: {
            exitCode: 1,
            reason: 'Error',
            message: 'fatal: connect etcd: token=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJlc2lnbg',
            finishedAt: '2026-01-03T00:00:00Z',
          },
        },
      },
    ],
  },
} as unknown as Pod;

const pending = {
  metadata: { name: 'dev-0', namespace: 'team', labels: { app: 'vcluster', release: 'dev' } },
  spec: { containers: [{ name: 'syncer', image: 'x:0.36.1' }] },
  status: {
    phase: 'Pending',
    conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient memory.' }],
  },
} as unknown as Pod;

function input(over: Partial<DescribeInput>): DescribeInput {
  return { workload: sts(), kind: 'StatefulSet', pods: [], events: [], contexts: [], tunnelPorts: [], problems: [], now, ...over };
}

describe('describe: details from recorded objects', () => {
  let dir: string;
  let certSecret: Secret;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-describe-'));
    certSecret = {
      metadata: { name: 'dev-certs', namespace: 'team' },
      data: {
        'apiserver.crt': b64(cert(dir, 'kube-apiserver', 10)),
        'ca.crt': b64(cert(dir, 'vcluster-ca', 3650)),
        'apiserver.key': b64('-----BEGIN PRIVATE KEY-----\nnot for anyone\n-----END PRIVATE KEY-----\n'),
      },
    };
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('explains a crash loop: the container, its reason, restarts and the last termination (redacted)', () => {
    const d = buildDetails({ context: 'host', namespace: 'team', name: 'dev' }, input({ pods: [crashing] }));
    assert.equal(d.status, 'CrashLoopBackOff');
    assert.equal(d.phase, 'failing');
    assert.match(
      d.reason!,
      /^Container syncer is waiting \(CrashLoopBackOff\): back-off 5m0s restarting failed container, restarted 7×; last run ended Error \(exit code 1\): fatal: connect etcd: token=/,
    );
    assert.ok(!JSON.stringify(d).includes('eyJzdWIiOiJzeXN0ZW0ifQ'), 'the token in the termination message is redacted');
    assert.equal(d.pods[0]!.restarts, 7);
    assert.deepEqual(d.versions, {
      vcluster: '0.36.1',
      chart: 'vcluster-0.36.1',
      kubernetes: 'v1.36.0',
      images: [
        { container: 'kubernetes', image: 'ghcr.io/loft-sh/kubernetes:v1.36.0' },
        { container: 'syncer', image: 'ghcr.io/loft-sh/vcluster-pro:0.36.1' },
      ],
    });
    assert.equal(d.distro, 'k8s');
  });

  it('explains an unschedulable pod and a paused vcluster', () => {
    const p = buildDetails({ context: 'host', namespace: 'team', name: 'dev' }, input({ pods: [pending] }));
    assert.equal(p.reason, 'Pod dev-0 is Pending: PodScheduled Unschedulable (0/3 nodes are available: 3 Insufficient memory.).');
    const paused = buildDetails(
      { context: 'host', namespace: 'team', name: 'dev' },
      input({ workload: sts({ 'loft.sh/paused': 'true', 'loft.sh/paused-date': '2026-01-05T10:00:00.000Z', 'loft.sh/paused-replicas': '1' }, 0) }),
    );
    assert.equal(paused.status, 'Paused');
    assert.match(paused.reason!, /^Paused since 2026-01-05T10:00:00\.000Z/);
    assert.deepEqual(paused.sleep, { paused: true, pausedSince: '2026-01-05T10:00:00.000Z', pausedReplicas: '1', sleepModeLabel: false });
  });

  it('reads sleep annotations, backing store and exported server from the config secret', () => {
    const config: Secret = {
      metadata: {
        name: 'vc-config-dev',
        annotations: {
          'sleepmode.loft.sh/sleep-type': 'inactivitySleep',
          'sleepmode.loft.sh/last-activity': '1767225600',
          'sleepmode.loft.sh/sleeping-since': '2026-01-01T01:00:00Z',
        },
      },
      data: {
        'config.yaml': b64(
          'controlPlane:\n  backingStore:\n    etcd:\n      deploy:\n        enabled: true\nexportKubeConfig:\n  server: https://dev.example.com\n',
        ),
      },
    };
    const d = buildDetails({ context: 'host', namespace: 'team', name: 'dev' }, input({ configSecret: config }));
    assert.equal(d.status, 'Sleeping (workloads only)');
    assert.equal(d.backingStore, 'deployed-etcd');
    assert.equal(d.endpoint.exportServer, 'https://dev.example.com');
    assert.deepEqual(d.sleep, {
      paused: false,
      sleepModeLabel: false,
      sleepType: 'inactivitySleep',
      sleepingSince: '2026-01-01T01:00:00Z',
      lastActivity: '2026-01-01T00:00:00.000Z',
    });
    assert.equal(backingStoreType({}), 'embedded-database', "vcluster's default");
    assert.equal(backingStoreType({ controlPlane: { backingStore: { database: { external: { enabled: true } } } } }), 'external-database');
  });

  it('reads certificate expiry from the .crt entries only, soonest first, and warns under 30 days', () => {
    const items = certificatesOf(certSecret, now);
    assert.deepEqual(
      items.map((c) => [c.key, c.subject]),
      [
        ['apiserver.crt', 'kube-apiserver'],
        ['ca.crt', 'vcluster-ca'],
      ],
    );
    assert.ok(items[0]!.daysLeft >= 9 && items[0]!.daysLeft <= 10, String(items[0]!.daysLeft));
    const d = buildDetails({ context: 'host', namespace: 'team', name: 'dev' }, input({ certSecret }));
    assert.equal(d.certificates.found, true);
    assert.deepEqual(
      expiringCertificates(d).map((c) => c.key),
      ['apiserver.crt'],
    );
    assert.ok(CERT_WARNING_DAYS === 30);
    assert.ok(!JSON.stringify(d).includes('not for anyone') && !JSON.stringify(d).includes('BEGIN'), 'no secret data in the details');
    const missing = buildDetails({ context: 'host', namespace: 'team', name: 'dev' }, input({}));
    assert.equal(missing.certificates.found, false);
    assert.match(missing.certificates.note!, /dev-certs was not found/);
  });

  it('lists recent events newest first (capped) and the contexts that point at the vcluster', () => {
    const ev = (i: number, type = 'Normal'): KubeEvent => ({
      metadata: { name: `e${i}`, uid: `u${i}` },
      type,
      reason: `R${i}`,
      message: `m${i}`,
      count: 1,
      lastTimestamp: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
      involvedObject: { kind: 'Pod', name: 'dev-0' },
    });
    const d = buildDetails(
      { context: 'host', namespace: 'team', name: 'dev' },
      input({ events: Array.from({ length: 40 }, (_, i) => ev(i, i === 39 ? 'Warning' : 'Normal')) }),
    );
    assert.equal(d.events.length, 25);
    assert.deepEqual([d.events[0]!.reason, d.events[0]!.type, d.events[0]!.object], ['R39', 'Warning', 'Pod/dev-0']);
    const contexts: ContextInfo[] = [
      { name: 'vcluster_dev_team_host', cluster: 'c', user: 'u', server: 'https://localhost:40123', current: true, file: '/k' },
      { name: 'vcluster_dev_other_host', cluster: 'c', user: 'u', current: false, file: '/k' },
    ];
    assert.deepEqual(contextsPointingAt({ context: 'host', namespace: 'team', name: 'dev' }, contexts, 'vcluster_dev_team_host', [40123]), [
      { name: 'vcluster_dev_team_host', server: 'https://localhost:40123', current: true, tunnel: true },
    ]);
  });
});

describe('describe: webview protocol', () => {
  const parseFromDescribeWebview = (msg: unknown) => parseFromDetailsWebview(DESCRIBE_PROTOCOL, msg);
  const isToDescribeWebview = (v: unknown) => isToDetailsWebview(DESCRIBE_PROTOCOL, v);
  const parseDescribeState = (v: unknown) => parseDetailsState(DESCRIBE_PROTOCOL, v);

  it("accepts the webview's messages with only their known fields and rejects anything else", () => {
    assert.deepEqual(parseFromDescribeWebview({ type: 'ready', version: 1, x: 1 }), { type: 'ready', version: 1 });
    assert.deepEqual(parseFromDescribeWebview({ type: 'action', action: 'upgrade' }), { type: 'action', action: 'upgrade' });
    assert.deepEqual(parseFromDescribeWebview({ type: 'rendered', sections: 6, events: 3, warnings: 1 }), {
      type: 'rendered',
      sections: 6,
      events: 3,
      warnings: 1,
    });
    for (const bad of [
      null,
      'ready',
      { type: 'action', action: 'delete' },
      { type: 'action', action: 'workbench.action.terminal.new' },
      { type: 'rendered', sections: -1, events: 0, warnings: 0 },
      { type: 'clientError', message: 'x'.repeat(5000) },
      { type: 'nope' },
    ]) {
      assert.equal(parseFromDescribeWebview(bad), undefined, JSON.stringify(bad).slice(0, 60));
    }
    assert.ok(isToDescribeWebview({ type: 'loading', ref: { context: 'c', namespace: 'n', name: 'v' } }));
    assert.ok(!isToDescribeWebview({ type: 'details', details: {} }));
    assert.deepEqual(parseDescribeState({ ref: { context: 'c', namespace: 'n', name: 'v' } }), { ref: { context: 'c', namespace: 'n', name: 'v' } });
    assert.equal(parseDescribeState({ ref: { context: 1 } }), undefined);
  });
});
