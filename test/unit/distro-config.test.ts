import assert from 'node:assert/strict';
import type { Workload } from '../../src/kube/types';
import { distroFromConfig, distroOf } from '../../src/vcluster/status';

// The distro of a vcluster as Describe shows it, read from the config in Secret vc-config-NAME. That config is cluster
// data: it is parsed (bounded) and read by key, never matched with a pattern that can backtrack.

const workload = (initContainers: { name: string; image?: string }[] = []): Workload => ({
  metadata: { name: 'vc', namespace: 'ns', labels: { app: 'vcluster', release: 'vc' } },
  spec: { template: { spec: { initContainers } } },
});
const k8sTemplate = workload([{ name: 'kube-apiserver', image: 'registry.k8s.io/kube-apiserver:v1.34.0' }]);

/** A config as vcluster 0.2x writes it into vc-config-NAME: every distro block present, one enabled. */
function fullConfig(enabled: 'k8s' | 'k3s' | 'k0s' | 'none'): string {
  const block = (d: string) =>
    [
      `    ${d}:`,
      `      enabled: ${d === enabled}`,
      '      image:',
      `        repository: example/${d}`,
      '      apiServer:',
      '        enabled: true',
      '        extraArgs: []',
      '      env: []',
    ].join('\n');
  return [
    'sync:',
    '  toHost:',
    '    pods:',
    '      enabled: true',
    'controlPlane:',
    '  distro:',
    block('k8s'),
    block('k3s'),
    block('k0s'),
    '  backingStore:',
    '    etcd:',
    '      deploy:',
    '        enabled: false',
    '',
  ].join('\n');
}

describe('distro from the vcluster config', () => {
  it('reads controlPlane.distro.<d>.enabled of the 0.20+ layout', () => {
    assert.equal(distroOf(workload(), fullConfig('k3s')), 'k3s');
    assert.equal(distroOf(workload(), fullConfig('k0s')), 'k0s');
    assert.equal(distroOf(workload(), fullConfig('k8s')), 'k8s');
    assert.equal(distroOf(workload(), 'controlPlane:\n  distro:\n    k3s:\n      enabled: "true"\n'), 'k3s');
  });

  it('reads the older layouts: distro.<d> and <d> at the top', () => {
    assert.equal(distroFromConfig('distro:\n  k0s:\n    enabled: true\n'), 'k0s');
    assert.equal(distroFromConfig('k3s:\n  enabled: true\n  image: rancher/k3s\n'), 'k3s');
  });

  it('an enabled key below a disabled distro does not count; the pod template decides then', () => {
    // k3s.enabled is false, but its apiServer.enabled (and k0s's) is true; no distro is enabled.
    assert.equal(distroFromConfig(fullConfig('none')), undefined);
    assert.equal(distroOf(k8sTemplate, fullConfig('none')), 'k8s');
  });

  it('blank lines after a distro key (the old pattern backtracked exponentially on them)', () => {
    const blank = '\n'.repeat(5000);
    assert.equal(distroOf(k8sTemplate, `controlPlane:\n  distro:\n    k3s:\n${blank}      enabled: false\n`), 'k8s');
    assert.equal(distroOf(k8sTemplate, `controlPlane:\n  distro:\n    k3s:\n${blank}      enabled: true\n`), 'k3s');
    // Short enough for the old code to finish on a fast machine only after hours: 64 blank lines, no `enabled: true`.
    assert.equal(distroOf(k8sTemplate, `controlPlane:\n  distro:\n    k3s:\n${'\n'.repeat(64)}    k0s: {}\n`), 'k8s');
  });

  it('bounded: an alias bomb, a config over 1 MiB or no YAML fall back to the pod template', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]',
      'k3s:',
      '  enabled: true',
      '',
    ].join('\n');
    assert.equal(distroOf(k8sTemplate, bomb), 'k8s');
    assert.equal(distroOf(k8sTemplate, `k3s:\n  enabled: true\n#${'x'.repeat(1024 * 1024)}\n`), 'k8s');
    assert.equal(distroOf(k8sTemplate, 'k3s: [unclosed\n'), 'k8s');
    assert.equal(distroOf(k8sTemplate, '- a list\n'), 'k8s');
  });
});
