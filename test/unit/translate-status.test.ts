import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Pod, Workload } from '../../src/kube/types';
import { distroOf, phaseOf, podStatus, syncerVersion, vclusterStatus } from '../../src/vcluster/status';
import { dnsLabelProblem, hostName, safeConcatName } from '../../src/vcluster/translate';
import { vclusterContextName } from '../../src/vcluster/contextName';

// Reference vectors were produced by vcluster's own Go code (tools/vcluster/vectors), so these tests compare the
// TypeScript ports with the real implementation rather than with our own reading of it.
interface Vectors {
  names: { parts: string[]; name: string }[];
  pods: { pod: Pod; status: string }[];
}
const vectors = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'vcluster-vectors.json'), 'utf8')) as Vectors;

describe('name translation (SafeConcatName)', () => {
  for (const v of vectors.names) {
    it(`matches vcluster for ${v.parts.join('|').slice(0, 60)}`, () => {
      assert.equal(safeConcatName(...v.parts), v.name);
      assert.ok(safeConcatName(...v.parts).length <= 63);
    });
  }
  it('hostName is SafeConcatName(name, "x", namespace, "x", vcluster)', () => {
    const v = vectors.names[1]!;
    assert.equal(hostName(v.parts[0]!, v.parts[2]!, v.parts[4]!), v.name);
  });
  it('builds the CLI context name', () => {
    assert.equal(vclusterContextName('vc1', 'team-a', 'kind-host'), 'vcluster_vc1_team-a_kind-host');
  });
  it('rejects names that are not DNS-1123 labels', () => {
    assert.equal(dnsLabelProblem('good-name-1', 'name'), undefined);
    for (const bad of ['', 'Upper', 'under_score', '-lead', 'trail-', 'a'.repeat(64), 'dot.ted', 'spa ce']) {
      const msg = dnsLabelProblem(bad, 'vcluster name');
      assert.ok(msg && msg.includes('vcluster name'), `expected a problem for ${JSON.stringify(bad)}`);
    }
  });
});

describe('pod status (GetPodStatus)', () => {
  for (const v of vectors.pods) {
    it(`${v.pod.metadata.name} → ${v.status}`, () => {
      assert.equal(podStatus(v.pod), v.status);
    });
  }
});

function workload(over: Partial<Workload['metadata']> = {}, spec: Workload['spec'] = {}): Workload {
  return { metadata: { name: 'vc', namespace: 'ns', labels: { app: 'vcluster', release: 'vc' }, ...over }, spec };
}

describe('vcluster status (getVCluster order)', () => {
  const running: Pod = vectors.pods[0]!.pod;
  const pending: Pod = vectors.pods[1]!.pod;
  it('Paused wins over everything (annotation)', () => {
    const w = workload({ annotations: { 'loft.sh/paused': 'true' } }, { replicas: 0 });
    assert.equal(vclusterStatus(w, [running], { 'sleepmode.loft.sh/sleep-type': 'x' }), 'Paused');
  });
  it('Paused through the platform sleep label', () => {
    assert.equal(vclusterStatus(workload({ labels: { app: 'vcluster', release: 'vc', 'loft.sh/sleep-mode': 'true' } }), [running]), 'Paused');
  });
  it('workload sleep comes from the config secret annotation', () => {
    assert.equal(vclusterStatus(workload(), [running], { 'sleepmode.loft.sh/sleep-type': 'workloads' }), 'Sleeping (workloads only)');
  });
  it('otherwise the LAST pod decides', () => {
    assert.equal(vclusterStatus(workload(), [running, pending]), 'Pending');
    assert.equal(vclusterStatus(workload(), [pending, running]), 'Running');
  });
  it('ScaledDown only without pods and with replicas 0', () => {
    assert.equal(vclusterStatus(workload({}, { replicas: 0 }), []), 'ScaledDown');
    assert.equal(vclusterStatus(workload({}, { replicas: 1 }), []), '');
  });
  it('maps statuses to phases', () => {
    assert.equal(phaseOf('Running'), 'running');
    assert.equal(phaseOf('Paused'), 'paused');
    assert.equal(phaseOf('Sleeping (workloads only)'), 'sleeping');
    assert.equal(phaseOf('ScaledDown'), 'scaledDown');
    assert.equal(phaseOf('Pending'), 'pending');
    assert.equal(phaseOf('Init:1/3'), 'pending');
    assert.equal(phaseOf('ContainerCreating'), 'pending');
    assert.equal(phaseOf('CrashLoopBackOff'), 'failing');
    assert.equal(phaseOf('Init:Error'), 'failing');
    assert.equal(phaseOf('ExitCode:3'), 'failing');
    assert.equal(phaseOf(''), 'unknown');
  });
  it('reads the version like the CLI (tag of the syncer image, empty when the image has a registry port)', () => {
    const mk = (image: string): Workload =>
      workload(
        {},
        {
          template: {
            spec: {
              containers: [
                { name: 'other', image: 'x:9' },
                { name: 'syncer', image },
              ],
            },
          },
        },
      );
    assert.equal(syncerVersion(mk('ghcr.io/loft-sh/vcluster-pro:0.36.1')), '0.36.1');
    assert.equal(syncerVersion(mk('registry:5000/loft-sh/vcluster-pro:0.36.1')), '');
    assert.equal(syncerVersion(mk('ghcr.io/loft-sh/vcluster-pro')), '');
  });
  it('derives the distro from config, template and chart label', () => {
    assert.equal(distroOf(workload(), 'controlPlane:\n  distro:\n    k3s:\n      enabled: true\n'), 'k3s');
    assert.equal(distroOf(workload({}, { template: { spec: { initContainers: [{ name: 'vcluster', image: 'rancher/k3s:v1.29.0-k3s1' }] } } })), 'k3s');
    assert.equal(
      distroOf(workload({}, { template: { spec: { initContainers: [{ name: 'kube-apiserver', image: 'registry.k8s.io/kube-apiserver:v1.34.0' }] } } })),
      'k8s',
    );
    assert.equal(distroOf(workload({ labels: { chart: 'vcluster-k0s-0.19.0' } })), 'k0s');
    assert.equal(distroOf(workload({ labels: { chart: 'vcluster-0.36.1' } })), 'k8s');
  });
});
