import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { KubeObject } from '../../src/kube/types';
import { joinMapping, summarize, syncedKinds } from '../../src/vcluster/mapping';

// Host names for the name-rule fallback come from vcluster's own Go code (fixtures/vcluster-vectors.json), never
// from the product's translation code.
const vectors = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'vcluster-vectors.json'), 'utf8')) as {
  names: { parts: string[]; name: string }[];
};

function obj(name: string, namespace: string, annotations?: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject {
  return { metadata: { name, namespace, ...(annotations ? { annotations } : {}) }, ...extra };
}
function annotated(hostName: string, vName: string, vNs: string): KubeObject {
  return obj(hostName, 'host-ns', { 'vcluster.loft.sh/object-name': vName, 'vcluster.loft.sh/object-namespace': vNs });
}

describe('mapping join', () => {
  it('joins on annotations, falls back to the name rule, and finds orphans and virtual-only objects', () => {
    const long = vectors.names[1]!; // [name, x, ns, x, vc] → hashed host name
    const vc = long.parts[4]!;
    const rows = joinMapping({
      vclusterName: vc,
      hostNamespace: 'host-ns',
      virtual: {
        Pod: [obj('web', 'default', undefined, { status: { phase: 'Running' } }), obj(long.parts[0]!, long.parts[2]!), obj('lonely', 'default')],
      },
      host: {
        Pod: [
          annotated('whatever-host-name', 'web', 'default'),
          obj(long.name, 'host-ns'), // no annotations: only the name rule finds it
          annotated('orphan-x-default-x-vc', 'gone', 'default'),
        ],
      },
    });
    const by = (vn?: string, hn?: string) => rows.find((r) => (vn === undefined || r.virtualName === vn) && (hn === undefined || r.hostName === hn));
    assert.equal(by('web')?.state, 'synced');
    assert.equal(by('web')?.joinedBy, 'annotation');
    assert.equal(by('web')?.hostName, 'whatever-host-name');
    assert.equal(by('web')?.virtualStatus, 'Running');
    assert.equal(by(long.parts[0])?.state, 'synced');
    assert.equal(by(long.parts[0])?.joinedBy, 'name');
    assert.equal(by(long.parts[0])?.hostName, long.name);
    assert.equal(by('lonely')?.state, 'virtual-only');
    assert.equal(by(undefined, 'orphan-x-default-x-vc')?.state, 'host-only');
    assert.equal(by(undefined, 'orphan-x-default-x-vc')?.virtualName, 'gone');
    assert.deepEqual({ ...summarize(rows), byKind: undefined }, { synced: 2, virtualOnly: 1, hostOnly: 1, byKind: undefined });
    assert.deepEqual(summarize(rows).byKind.Pod, { synced: 2, virtualOnly: 1, hostOnly: 1 });
  });

  it('does not match objects of different kinds or namespaces', () => {
    const rows = joinMapping({
      vclusterName: 'vc',
      hostNamespace: 'h',
      virtual: { ConfigMap: [obj('a', 'ns1')], Secret: [obj('a', 'ns2')] },
      host: { ConfigMap: [annotated('a-x-ns2-x-vc', 'a', 'ns2')], Secret: [annotated('a-x-ns1-x-vc', 'a', 'ns1')] },
    });
    assert.equal(rows.filter((r) => r.state === 'synced').length, 0);
    assert.equal(rows.filter((r) => r.state === 'host-only').length, 2);
    assert.equal(rows.filter((r) => r.state === 'virtual-only').length, 2);
  });

  it('joins 5,000 pods correctly', () => {
    const virtual: KubeObject[] = [];
    const host: KubeObject[] = [];
    for (let i = 0; i < 5000; i++) {
      const ns = `ns-${i % 50}`;
      virtual.push(obj(`pod-${i}`, ns));
      if (i % 10 !== 0) host.push(annotated(`pod-${i}-x-${ns}-x-vc`, `pod-${i}`, ns));
    }
    for (let i = 0; i < 25; i++) host.push(annotated(`orphan-${i}`, `orphan-${i}`, 'gone'));
    const rows = joinMapping({ vclusterName: 'vc', hostNamespace: 'h', virtual: { Pod: virtual }, host: { Pod: host } });
    const s = summarize(rows);
    assert.equal(s.synced, 4500);
    assert.equal(s.virtualOnly, 500);
    assert.equal(s.hostOnly, 25);
    assert.equal(rows.find((r) => r.virtualName === 'pod-4321')?.hostName, 'pod-4321-x-ns-21-x-vc');
  });

  it('reads which kinds are synced from vcluster.yaml, with chart defaults', () => {
    const def = syncedKinds(undefined);
    assert.ok(def.has('Pod') && def.has('Secret') && def.has('PersistentVolumeClaim'));
    assert.ok(!def.has('Ingress') && !def.has('ServiceAccount'));
    const custom = syncedKinds('sync:\n  toHost:\n    ingresses:\n      enabled: true\n    pods:\n      enabled: false\n');
    assert.ok(custom.has('Ingress'));
    assert.ok(!custom.has('Pod'));
    assert.deepEqual([...syncedKinds('{{{ not yaml')], [...def]);
  });
});
