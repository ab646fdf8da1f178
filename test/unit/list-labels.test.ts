// Labels and annotations from a list are a server's data: a value that is not a string (a number, null, an object,
// which JSON allows and an odd or hostile server sends) counts as absent, and never breaks discovery or the tree.
import assert from 'node:assert/strict';
import type { Pod, Workload, KubeObject } from '../../src/kube/types';
import { buildVClusters, groupByNamespace } from '../../src/vcluster/discovery';
import { annotation, label, stringEntries, vclusterStatus } from '../../src/vcluster/status';

/** A vcluster's StatefulSet as kube-apiserver lists it (recorded from the chart's v0.36.1 install, trimmed). */
function recordedStatefulSet(name: string): Workload {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name,
      namespace: 'team-a',
      uid: '3f1c3c5e-6a3b-4c1e-9d55-8a7f0c2b9e11',
      resourceVersion: '4512',
      creationTimestamp: '2026-11-30T09:12:44Z',
      labels: { app: 'vcluster', chart: 'vcluster-0.36.1', heritage: 'Helm', release: name },
      annotations: { 'meta.helm.sh/release-name': name, 'meta.helm.sh/release-namespace': 'team-a' },
    },
    spec: {
      replicas: 1,
      template: {
        metadata: { labels: { app: 'vcluster', release: name } },
        spec: {
          containers: [{ name: 'syncer', image: 'ghcr.io/loft-sh/vcluster-pro:0.36.1' }],
          initContainers: [{ name: 'kube-apiserver', image: 'registry.k8s.io/kube-apiserver:v1.34.1' }],
        },
      },
    },
    status: { replicas: 1, readyReplicas: 1 },
  } as Workload;
}

const opts = { rootContext: 'host', foundInContext: 'host' };

/** The recorded object with one field of its metadata set to a value of the wrong type, as a server may send it. */
function odd(name: string, edit: (m: Record<string, unknown>) => void): Workload {
  const w = recordedStatefulSet(name);
  const m = JSON.parse(JSON.stringify(w.metadata)) as Record<string, unknown>;
  edit(m);
  return { ...w, metadata: m as unknown as Workload['metadata'] };
}

describe('labels and annotations of listed objects: strings only', () => {
  it('a numeric release label leaves that workload out, and the tree still groups and sorts the others', () => {
    const sts = [
      recordedStatefulSet('beta'),
      odd('five', (m) => ((m.labels as Record<string, unknown>).release = 5)),
      recordedStatefulSet('alpha'),
      odd('nulled', (m) => ((m.labels as Record<string, unknown>).release = null)),
      odd('object', (m) => ((m.labels as Record<string, unknown>).release = { name: 'x' })),
    ];
    const vcs = buildVClusters(sts, [], [], [], opts);
    assert.deepEqual(
      vcs.map((v) => v.ref.name),
      ['beta', 'alpha'],
    );
    const grouped = groupByNamespace(vcs);
    assert.deepEqual(
      grouped.map((n) => [n.name, n.vclusters.map((v) => v.ref.name)]),
      [['team-a', ['alpha', 'beta']]],
    );
  });

  it('a numeric chart label is no chart; labels or annotations that are not a map are none', () => {
    const [v] = buildVClusters([odd('a', (m) => ((m.labels as Record<string, unknown>).chart = 36))], [], [], [], opts);
    assert.equal(v!.chart, undefined);
    assert.equal(v!.ref.name, 'a');
    const noMaps = buildVClusters(
      [odd('b', (m) => (m.annotations = 'loft.sh/non-deletable')), odd('c', (m) => (m.labels = ['release', 'c']))],
      [],
      [],
      [],
      opts,
    );
    assert.deepEqual(
      noMaps.map((x) => [x.ref.name, x.nonDeletable]),
      [['b', false]],
    );
  });

  it('pods with a numeric release label and config secrets with non-string annotations do not break the status', () => {
    const pod = {
      metadata: { name: 'a-0', namespace: 'team-a', labels: { app: 'vcluster', release: 7 } },
      status: { phase: 'Pending' },
    } as unknown as Pod;
    const secret = { metadata: { name: 'vc-config-a', namespace: 'team-a', annotations: 'sleepmode.loft.sh/sleep-type' } } as unknown as KubeObject;
    const numericAnnotation = {
      metadata: { name: 'vc-config-b', namespace: 'team-a', annotations: { 'sleepmode.loft.sh/sleep-type': 1 } },
    } as unknown as KubeObject;
    // vcluster "7" has the string label release: "7"; the pod's numeric 7 is not it.
    const vcs = buildVClusters([recordedStatefulSet('a'), recordedStatefulSet('b'), recordedStatefulSet('7')], [], [pod], [secret, numericAnnotation], opts);
    assert.deepEqual(
      vcs.map((v) => [v.ref.name, v.status]),
      [
        ['a', ''],
        ['b', ''],
        ['7', ''],
      ],
    );
    assert.equal(vclusterStatus(recordedStatefulSet('x'), [], 'text' as unknown as Record<string, string>), '');
  });

  it('label(), annotation() and stringEntries() keep strings only', () => {
    const o = { metadata: { labels: { a: 'x', b: 5, c: null, d: true }, annotations: { e: 'y', f: [] } } };
    assert.equal(label(o, 'a'), 'x');
    assert.equal(label(o, 'b'), undefined);
    assert.equal(label(o, 'toString'), undefined, 'no inherited property is a label');
    assert.equal(annotation(o, 'e'), 'y');
    assert.equal(annotation(o, 'f'), undefined);
    assert.deepEqual(stringEntries(o.metadata.labels), { a: 'x' });
    assert.deepEqual(stringEntries('a=b'), {});
    assert.deepEqual(stringEntries(null), {});
  });
});
