import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import type { KubeObject } from '../../src/kube/types';
import { kubernetesExtensionApi } from '../../src/shared/kubernetesExtensionApi';
import { isToDetailsWebview, parseDetailsState, parseFromDetailsWebview } from '../../src/shared/detailsProtocol';
import { OBJECT_DESCRIBE_PROTOCOL, parseObjectRef, type ObjectRef } from '../../src/shared/objectDescribe';
import { LAST_APPLIED_ANNOTATION, buildObjectDetails } from '../../src/vcluster/objectDescribe';
import type { EventInfo } from '../../src/vcluster/resources';

// The describe view's model of objects inside a vcluster, built from objects shaped as a kube-apiserver returns them
// (trimmed to the fields that matter), and the interpretation of the Kubernetes extension's exported API. The real
// path (a pod on a real node, described in VS Code) is test/integration/real-node-inside.test.ts.

const ref = { context: 'host', namespace: 'team-a', name: 'dev' };
const target = (kind: ObjectRef['kind'], name: string): ObjectRef => ({ ref, kind, namespace: 'shop', name });
const y = (s: string) => parseYaml(s) as KubeObject;
const now = new Date('2026-01-02T00:00:00Z');

const crashingPod = y(`
apiVersion: v1
kind: Pod
metadata:
  name: web-1
  namespace: shop
  creationTimestamp: "2026-01-01T22:00:00Z"
  labels: { app: web, pod-template-hash: 7d9f }
  annotations: { note: "token=abc.def.ghi" }
  ownerReferences: [{ kind: ReplicaSet, name: web-7d9f, uid: u1 }]
spec:
  nodeName: node-1
  serviceAccountName: default
  initContainers: [{ name: init, image: busybox:1.36 }]
  containers:
    - name: app
      image: busybox:1.36
      ports: [{ containerPort: 8080, name: http }]
      env: [{ name: PASSWORD, value: hunter2 }]
status:
  phase: Running
  podIP: 10.0.0.7
  qosClass: BestEffort
  conditions:
    - { type: Ready, status: "False", reason: ContainersNotReady, message: "containers with unready status: [app]" }
  initContainerStatuses:
    - { name: init, ready: true, restartCount: 0, state: { terminated: { exitCode: 0, reason: Completed } } }
  containerStatuses:
    - name: app
      ready: false
      restartCount: 4
      image: docker.io/library/busybox:1.36
      state: { waiting: { reason: CrashLoopBackOff, message: "back-off 1m20s restarting failed container" } }
      lastState: { terminated: { exitCode: 2, reason: Error, finishedAt: "2026-01-01T23:58:00Z" } }
`);

const events: EventInfo[] = [
  {
    type: 'Normal',
    reason: 'Scheduled',
    message: 'Successfully assigned shop/web-1 to node-1',
    count: 1,
    last: '2026-01-01T22:00:00Z',
    source: 'default-scheduler',
  },
  { type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container app', count: 7, last: '2026-01-01T23:59:00Z', source: 'kubelet' },
];

describe('describe view of objects inside a vcluster: the model', function () {
  it('a crash-looping pod: status, containers with image, state, restarts and the last termination, conditions, the host twin, events', function () {
    const d = buildObjectDetails(target('Pod', 'web-1'), crashingPod, events, { now });
    assert.equal(d.status, 'CrashLoopBackOff');
    assert.equal(d.ready, '0/1');
    assert.deepEqual(d.facts.slice(0, 3), [
      { label: 'Phase', value: 'Running' },
      { label: 'Node', value: 'node-1' },
      { label: 'Pod IP', value: '10.0.0.7' },
    ]);
    assert.ok(d.facts.some((f) => f.label === 'Controlled by' && f.value === 'ReplicaSet/web-7d9f'));
    assert.deepEqual(
      d.containers.map((c) => [c.name, c.init, c.state, c.reason, c.restarts, c.ready]),
      [
        ['init', true, 'terminated', 'Completed', 0, true],
        ['app', false, 'waiting', 'CrashLoopBackOff', 4, false],
      ],
    );
    assert.equal(d.containers[1]!.image, 'busybox:1.36');
    assert.equal(d.containers[1]!.lastTermination, 'Error, exit code 2 at 2026-01-01T23:58:00Z');
    assert.deepEqual(d.containers[1]!.ports, ['8080/TCP (http)']);
    assert.deepEqual(
      d.conditions.map((c) => [c.type, c.status, c.reason]),
      [['Ready', 'False', 'ContainersNotReady']],
    );
    assert.deepEqual(d.host, { namespace: 'team-a', name: 'web-1-x-shop-x-dev' });
    assert.deepEqual(
      d.events.map((e) => [e.type, e.reason, e.count]),
      [
        ['Normal', 'Scheduled', 1],
        ['Warning', 'BackOff', 7],
      ],
    );
    assert.deepEqual(d.labels, [
      ['app', 'web'],
      ['pod-template-hash', '7d9f'],
    ]);
    // Environment values are not part of the model at all; a token in an annotation is redacted.
    assert.ok(!JSON.stringify(d).includes('hunter2'));
    assert.ok(!JSON.stringify(d).includes('abc.def.ghi'), JSON.stringify(d.annotations));
  });

  it('a deployment: replica counts, strategy, selector, the pod template containers; not synced, so no host twin', function () {
    const dep = y(`
metadata: { name: web, namespace: shop, labels: { app: web } }
spec:
  replicas: 3
  strategy: { type: RollingUpdate }
  selector: { matchLabels: { app: web } }
  template: { spec: { containers: [{ name: app, image: "nginx:1.27", ports: [{ containerPort: 80 }] }] } }
status: { replicas: 3, updatedReplicas: 3, readyReplicas: 2, availableReplicas: 2, conditions: [{ type: Available, status: "False", reason: MinimumReplicasUnavailable }] }
`);
    const d = buildObjectDetails(target('Deployment', 'web'), dep, [], { now });
    assert.equal(d.status, 'Progressing');
    assert.equal(d.ready, '2/3');
    assert.deepEqual(d.facts.slice(0, 2), [
      { label: 'Replicas', value: '3 desired, 3 updated, 3 total, 2 ready, 2 available' },
      { label: 'Strategy', value: 'RollingUpdate' },
    ]);
    assert.deepEqual(d.selector, [['app', 'web']]);
    assert.deepEqual(
      d.containers.map((c) => [c.name, c.image, c.state, c.ports]),
      [['app', 'nginx:1.27', undefined, ['80/TCP']]],
    );
    assert.equal(d.host, undefined);
    assert.equal(d.conditions[0]!.reason, 'MinimumReplicasUnavailable');
  });

  it('a job and a daemonset: their counts', function () {
    const job = buildObjectDetails(
      target('Job', 'migrate'),
      y(`
metadata: { name: migrate, namespace: shop }
spec: { completions: 2, parallelism: 1, backoffLimit: 6, template: { spec: { containers: [{ name: m, image: "busybox" }] } } }
status: { succeeded: 1, failed: 2, active: 1, startTime: "2026-01-01T23:00:00Z" }
`),
      [],
      { now },
    );
    assert.equal(job.status, 'Running');
    assert.ok(job.facts.some((f) => f.label === 'Pods' && f.value === '1 active, 1 succeeded, 2 failed'));
    const ds = buildObjectDetails(
      target('DaemonSet', 'agent'),
      y(`
metadata: { name: agent, namespace: shop }
spec: { selector: { matchLabels: { app: agent } }, updateStrategy: { type: OnDelete } }
status: { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 1, updatedNumberScheduled: 2, numberAvailable: 1 }
`),
      [],
      { now },
    );
    assert.equal(ds.ready, '1/2');
    assert.ok(ds.facts.some((f) => f.label === 'Update strategy' && f.value === 'OnDelete'));
  });

  it('a service: type, cluster IP, ports with target ports, selector and its host twin', function () {
    const d = buildObjectDetails(
      target('Service', 'web'),
      y(`
metadata: { name: web, namespace: shop }
spec: { type: NodePort, clusterIP: 10.96.0.10, clusterIPs: [10.96.0.10], selector: { app: web }, ports: [{ name: http, port: 80, targetPort: http, nodePort: 30080, protocol: TCP }] }
`),
      [],
      { now },
    );
    assert.equal(d.status, 'NodePort');
    assert.deepEqual(d.ports, [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP', nodePort: 30080 }]);
    assert.deepEqual(d.selector, [['app', 'web']]);
    assert.ok(d.facts.some((f) => f.label === 'Cluster IP' && f.value === '10.96.0.10'));
    assert.deepEqual(d.host, { namespace: 'team-a', name: 'web-x-shop-x-dev' });
  });

  it('a config map: the key names only, never a value, and not the last applied object either', function () {
    const cm = y(`
metadata:
  name: settings
  namespace: shop
  annotations:
    ${LAST_APPLIED_ANNOTATION}: '{"data":{"db-password":"s3cr3t-value"}}'
data: { db-password: s3cr3t-value, mode: fast }
binaryData: { logo.png: iVBORw0KGgo= }
`);
    const d = buildObjectDetails(target('ConfigMap', 'settings'), cm, [], { now });
    assert.deepEqual(d.keys, ['db-password', 'logo.png (binary)', 'mode']);
    const json = JSON.stringify(d);
    for (const value of ['s3cr3t-value', 'fast', 'iVBORw0KGgo']) assert.ok(!json.includes(value), `${value} must not be in the model`);
    assert.match(d.annotations[0]![1], /^\(left out: \d+ characters/);
    assert.deepEqual(d.containers, []);
  });
});

describe('describe view of objects inside a vcluster: the protocol', function () {
  const parseFromObjectDescribeWebview = (msg: unknown) => parseFromDetailsWebview(OBJECT_DESCRIBE_PROTOCOL, msg);

  it('accepts the messages of the webview and nothing else', function () {
    assert.deepEqual(parseFromObjectDescribeWebview({ type: 'refresh' }), { type: 'refresh' });
    assert.deepEqual(parseFromObjectDescribeWebview({ type: 'action', action: 'showLogs' }), { type: 'action', action: 'showLogs' });
    assert.equal(parseFromObjectDescribeWebview({ type: 'action', action: 'runCommand' }), undefined);
    assert.equal(parseFromObjectDescribeWebview({ type: 'rendered', sections: ['a'], events: -1, warnings: 0, text: '' }), undefined);
    assert.equal(parseFromObjectDescribeWebview({ type: 'rendered', sections: [1], events: 0, warnings: 0, text: '' }), undefined);
    assert.deepEqual(parseFromObjectDescribeWebview({ type: 'rendered', sections: ['events'], events: 2, warnings: 1, text: 'x' }), {
      type: 'rendered',
      sections: ['events'],
      events: 2,
      warnings: 1,
      text: 'x',
    });
    assert.equal(parseFromObjectDescribeWebview('ready'), undefined);
  });

  it('restores only a well-formed object reference', function () {
    assert.deepEqual(parseObjectRef({ ref, kind: 'Pod', namespace: 'shop', name: 'web-1' }), { ref, kind: 'Pod', namespace: 'shop', name: 'web-1' });
    assert.equal(parseObjectRef({ ref, kind: 'Secret', namespace: 'shop', name: 'x' }), undefined);
    assert.equal(parseObjectRef({ ref: {}, kind: 'Pod', namespace: 'shop', name: 'x' }), undefined);
    assert.equal(parseObjectRef({ ref, kind: 'Pod', namespace: '', name: 'x' }), undefined);
  });

  it("names the object under its own key: the page takes only the host's messages about an object, the panel restores only a saved object", function () {
    const target = { ref, kind: 'Pod', namespace: 'shop', name: 'web-1' };
    assert.ok(isToDetailsWebview(OBJECT_DESCRIBE_PROTOCOL, { type: 'loading', target }));
    assert.ok(isToDetailsWebview(OBJECT_DESCRIBE_PROTOCOL, { type: 'loadError', target, message: 'forbidden' }));
    assert.ok(isToDetailsWebview(OBJECT_DESCRIBE_PROTOCOL, { type: 'details', details: { target, events: [] } }));
    // the describe view of a vcluster names its subject `ref`; an object page ignores such messages
    assert.ok(!isToDetailsWebview(OBJECT_DESCRIBE_PROTOCOL, { type: 'loading', ref }));
    assert.ok(!isToDetailsWebview(OBJECT_DESCRIBE_PROTOCOL, { type: 'details', details: { target } }));
    assert.ok(!isToDetailsWebview(OBJECT_DESCRIBE_PROTOCOL, { type: 'model', target }));
    assert.deepEqual(parseDetailsState(OBJECT_DESCRIBE_PROTOCOL, { target, view: 'x' }), { target });
    assert.equal(parseDetailsState(OBJECT_DESCRIBE_PROTOCOL, { ref }), undefined);
    assert.equal(parseDetailsState(OBJECT_DESCRIBE_PROTOCOL, { target: { ...target, kind: 'Secret' } }), undefined);
  });
});

describe("the Kubernetes extension's exported API (vscode-kubernetes-tools-api 1.3.0)", function () {
  it('uses clusterexplorer v1 refresh() and configuration v1 getKubeconfigPath() of a broker', function () {
    const calls: string[] = [];
    const broker = {
      get(component: string, version: string) {
        calls.push(`${component} ${version}`);
        if (component === 'clusterexplorer' && version === 'v1')
          return {
            available: true,
            api: {
              refresh() {
                calls.push('refresh');
              },
            },
          };
        if (component === 'configuration' && version === 'v1')
          return { available: true, api: { getKubeconfigPath: () => ({ pathType: 'host', hostPath: '/home/u/.kube/config' }) } };
        return { available: false, reason: 'version-unknown' };
      },
    };
    const api = kubernetesExtensionApi(broker);
    assert.deepEqual(api.unavailable, []);
    api.refreshExplorer!();
    assert.deepEqual(api.kubeconfigPath!(), { pathType: 'host', hostPath: '/home/u/.kube/config' });
    assert.deepEqual(calls, ['clusterexplorer v1', 'configuration v1', 'refresh']);
  });

  it('an old or broken export: nothing is called, the reasons are kept for the log', function () {
    assert.deepEqual(kubernetesExtensionApi(undefined), { unavailable: ['the extension exported no API'] });
    const old = kubernetesExtensionApi({ apiVersion: '1.0' });
    assert.equal(old.refreshExplorer, undefined);
    assert.equal(old.unavailable.length, 2);
    const unknown = kubernetesExtensionApi({ get: () => ({ available: false, reason: 'version-removed' }) });
    assert.deepEqual(unknown.unavailable, ['clusterexplorer v1: version-removed', 'configuration v1: version-removed']);
    const throwing = kubernetesExtensionApi({
      get: () => {
        throw new Error('boom');
      },
    });
    assert.deepEqual(throwing.unavailable, ['clusterexplorer v1: boom', 'configuration v1: boom']);
    const odd = kubernetesExtensionApi({ get: () => ({ available: true, api: { getKubeconfigPath: () => ({ pathType: 'ftp' }) } }) });
    assert.equal(odd.kubeconfigPath!(), undefined);
  });
});
