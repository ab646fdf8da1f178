import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { resultFromStatus } from '../../src/kube/exec';
import { logOptionsProblem } from '../../src/kube/logs';
import type { Secret } from '../../src/kube/types';
import { parseVirtualKubeconfig } from '../../src/vcluster/access';
import { writePrivateKubeconfig } from '../../src/vcluster/privateKubeconfig';
import { describeResource, formatEvents, kindDef, shortAge } from '../../src/vcluster/resources';

// The pure parts of working inside a vcluster, on recorded API objects. The real paths (logs, exec, port-forward on a
// real vcluster's pod on a real node) are test/cluster/real-node-inside.test.ts.

describe('inside a vcluster: the pure parts', function () {
  describe('exec results, from the final Status of channel 3 (as the kubelet sends it)', function () {
    it('success, a non-zero exit code, and a command that could not run', function () {
      assert.deepEqual(resultFromStatus('{"metadata":{},"status":"Success"}'), { reason: 'exited', exitCode: 0 });
      const nonZero =
        '{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}';
      assert.deepEqual(resultFromStatus(nonZero), {
        reason: 'exited',
        exitCode: 3,
        message: 'command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3',
      });
      const notFound =
        '{"metadata":{},"status":"Failure","message":"exec: \\"/bin/bash\\": stat /bin/bash: no such file or directory","reason":"InternalError"}';
      assert.deepEqual(resultFromStatus(notFound), { reason: 'failed', message: 'exec: "/bin/bash": stat /bin/bash: no such file or directory' });
      assert.deepEqual(resultFromStatus('not json'), { reason: 'failed', message: 'not json' });
    });
  });

  describe('log options', function () {
    it('accepts what kubectl logs accepts and explains the rest', function () {
      assert.equal(logOptionsProblem({ follow: true, tailLines: 0, sinceSeconds: 5 }), undefined);
      assert.match(logOptionsProblem({ sinceSeconds: 0 })!, /Since/);
      assert.match(logOptionsProblem({ tailLines: -1 })!, /Tail/);
      assert.match(logOptionsProblem({ tailLines: 1.5 })!, /Tail/);
      assert.match(logOptionsProblem({ previous: true, follow: true })!, /cannot be followed/);
    });
  });

  describe('objects as the tree shows them', function () {
    const now = Date.parse('2026-01-02T00:00:00Z');
    it('ages as kubectl prints them', function () {
      assert.deepEqual(
        ['2026-01-01T23:59:30Z', '2026-01-01T23:50:00Z', '2026-01-01T10:00:00Z', '2025-12-20T00:00:00Z', '2023-01-01T00:00:00Z', undefined].map((t) =>
          shortAge(t, now),
        ),
        ['30s', '10m', '14h', '13d', '3y', ''],
      );
    });

    it("a pod: kubectl's status, ready containers, restarts and its host twin", function () {
      const pod = {
        metadata: { name: 'web-1', namespace: 'shop', creationTimestamp: '2026-01-01T00:00:00Z' },
        spec: { containers: [{ name: 'app' }, { name: 'sidecar' }] },
        status: {
          phase: 'Running',
          containerStatuses: [
            { name: 'app', ready: true, restartCount: 2, state: { running: {} } },
            { name: 'sidecar', ready: false, restartCount: 1, state: { waiting: { reason: 'CrashLoopBackOff' } } },
          ],
        },
      };
      assert.deepEqual(describeResource('Pod', pod, 'apps', 'team-a'), {
        kind: 'Pod',
        namespace: 'shop',
        name: 'web-1',
        created: '2026-01-01T00:00:00Z',
        status: 'CrashLoopBackOff',
        ready: '1/2',
        restarts: 3,
        containers: ['app', 'sidecar'],
        host: { namespace: 'team-a', name: 'web-1-x-shop-x-apps' },
      });
    });

    it('workloads: ready replicas; jobs: completions; services: ports and twin; config maps: no data', function () {
      const m = (name: string) => ({ name, namespace: 'shop' });
      assert.deepEqual(
        [describeResource('Deployment', { metadata: m('d'), spec: { replicas: 3 }, status: { readyReplicas: 2 } } as never, 'v', 'h')].map((r) => [
          r.status,
          r.ready,
        ]),
        [['Progressing', '2/3']],
      );
      assert.deepEqual(
        [describeResource('StatefulSet', { metadata: m('s'), spec: { replicas: 0 } } as never, 'v', 'h')].map((r) => [r.status, r.ready]),
        [['Scaled down', '0/0']],
      );
      assert.deepEqual(
        [describeResource('DaemonSet', { metadata: m('ds'), status: { desiredNumberScheduled: 1, numberReady: 1 } } as never, 'v', 'h')].map((r) => [
          r.status,
          r.ready,
        ]),
        [['Ready', '1/1']],
      );
      assert.deepEqual(
        [
          describeResource(
            'Job',
            { metadata: m('j'), spec: { completions: 2 }, status: { succeeded: 2, conditions: [{ type: 'Complete', status: 'True' }] } } as never,
            'v',
            'h',
          ),
        ].map((r) => [r.status, r.ready]),
        [['Complete', '2/2']],
      );
      const svc = describeResource(
        'Service',
        { metadata: m('web'), spec: { type: 'NodePort', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } } as never,
        'v',
        'h',
      );
      assert.deepEqual(
        [svc.status, svc.ports, svc.host],
        ['NodePort', [{ port: 80, name: 'http', protocol: 'TCP' }], { namespace: 'h', name: 'web-x-shop-x-v' }],
      );
      const cm = describeResource('ConfigMap', { metadata: m('c'), data: { secretish: 'value' } } as never, 'v', 'h');
      assert.equal(JSON.stringify(cm).includes('value'), false);
      assert.equal(cm.host, undefined);
    });

    it('kinds by name or plural; Secrets are not among them', function () {
      assert.equal(kindDef('pods').kind, 'Pod');
      assert.equal(kindDef('statefulset').path('a b'), '/apis/apps/v1/namespaces/a%20b/statefulsets');
      assert.throws(() => kindDef('Secret'), /Unknown kind "Secret"/);
    });

    it('events as a table, warnings marked, one line per event even when the message has several', function () {
      const text = formatEvents(
        'Events of Pod shop/web-1',
        [
          { type: 'Normal', reason: 'Started', message: 'Started container app', count: 1, last: '2026-01-01T23:59:00Z', source: 'kubelet' },
          { type: 'Warning', reason: 'BackOff', message: 'Back-off restarting\nfailed container', count: 4, last: '2026-01-01T23:59:50Z' },
        ],
        now,
      );
      const lines = text.split('\n');
      assert.equal(lines.length, 6);
      assert.match(lines[3]!, /^ {3}Normal +Started +60s +kubelet +Started container app$/);
      assert.match(lines[4]!, /^!! Warning +BackOff +10s \(x4\) +Back-off restarting failed container$/);
      assert.match(formatEvents('t', [], now), /<no events>/);
    });
  });

  describe('the private kubeconfig of a terminal', function () {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const secret = (doc: unknown): Secret => ({ metadata: { name: 'vc-apps', namespace: 'team-a' }, data: { config: b64(toYaml(doc)) } });

    it('holds the allow-listed entries only, 0600 in a 0700 directory, and goes with remove()', function () {
      const kc = parseVirtualKubeconfig(
        secret({
          clusters: [{ name: 'x', cluster: { server: 'https://localhost:8443', 'certificate-authority-data': b64('CA') } }],
          users: [{ name: 'x', user: { token: 'tok', exec: { command: '/tmp/evil' } } }],
        }),
        'team-a',
        'apps',
      );
      const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-storage-'));
      try {
        const k = writePrivateKubeconfig(
          'vcluster_apps_team-a_host',
          kc,
          { kind: 'tunnel', server: 'https://127.0.0.1:4567', tlsServerName: 'localhost' },
          storage,
        );
        try {
          assert.equal(fs.statSync(k.file).mode & 0o777, 0o600);
          assert.equal(fs.statSync(path.dirname(k.file)).mode & 0o777, 0o700);
          const doc = parseYaml(fs.readFileSync(k.file, 'utf8')) as {
            'current-context': string;
            clusters: { cluster: Record<string, unknown> }[];
            users: { user: Record<string, unknown> }[];
          };
          assert.equal(doc['current-context'], 'vcluster_apps_team-a_host');
          // the address the tunnel listens on, and the name its certificate is checked against
          assert.equal(doc.clusters[0]!.cluster.server, 'https://127.0.0.1:4567');
          assert.equal(doc.clusters[0]!.cluster['tls-server-name'], 'localhost');
          assert.deepEqual(doc.users[0]!.user, { token: 'tok' }, 'no exec from the secret');
        } finally {
          k.remove();
        }
        assert.equal(fs.existsSync(path.dirname(k.file)), false);
        k.remove();
      } finally {
        fs.rmSync(storage, { recursive: true, force: true });
      }
    });
  });
});
