// Lighter world builders for large sizes: per vcluster the objects the chart lays out that discovery and
// `vcluster list` read (Service NAME, vc-config-NAME, the Helm release secret, the StatefulSet, its pod NAME-0 made
// Running as a kubelet would report it, and vc-NAME), created 16 at a time over keep-alive connections. Labels,
// names and the pod status come from the harness's independent encoding of vcluster's rules (worlds.ts), never from
// src/. Where the real statefulset controller runs (the host), it creates the pods and PVCs; on an API server without
// a controller-manager the builder creates pod NAME-0 itself, as worlds.ts does inside virtual clusters.
import { stringify as toYaml } from 'yaml';
import { b64, commonLabels, helmReleaseSecret, podTemplate, vclusterConfig, vclusterKubeconfigSecret } from '../test/harness/worlds/chartObjects';
import type { KObject } from '../test/harness/cluster/rest';
import { DEFAULT_SERVER, DEFAULT_VERSION, podStatusFor } from '../test/harness/worlds/worlds';
import { type BulkRest, pool } from './bulk';

export const CONCURRENCY = 16;

export function nsName(prefix: string, i: number): string {
  return `${prefix}-${String(i).padStart(4, '0')}`;
}

/** Namespace of vcluster number i: spread evenly (a stride coprime to the namespace count) over all namespaces. */
export function namespaceOf(prefix: string, i: number, namespaces: number): string {
  return nsName(prefix, (i * 7919) % namespaces);
}

export function vcName(i: number): string {
  return `vc-${String(i).padStart(4, '0')}`;
}

export async function createNamespaces(rest: BulkRest, prefix: string, from: number, to: number, labels: Record<string, string> = {}): Promise<void> {
  const idx = Array.from({ length: to - from }, (_, k) => from + k);
  await pool(idx, CONCURRENCY, (i) =>
    rest.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: nsName(prefix, i), labels } }),
  );
}

function chartLabels(name: string): Record<string, string> {
  return { ...commonLabels(name, DEFAULT_VERSION, 'k8s'), 'app.kubernetes.io/managed-by': 'Helm' };
}

/** vc-config-NAME's vcluster.yaml: the same for every vcluster of the benchmark (the name is not part of it). */
const CONFIG_YAML = toYaml(vclusterConfig({ name: '', version: DEFAULT_VERSION, distro: 'k8s' }));

export function statefulSetBody(name: string, ns: string): KObject {
  const helm = { 'meta.helm.sh/release-name': name, 'meta.helm.sh/release-namespace': ns };
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: ns, labels: chartLabels(name), annotations: helm },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'vcluster', release: name } },
      serviceName: `${name}-headless`,
      podManagementPolicy: 'Parallel',
      template: podTemplate(name, DEFAULT_VERSION, 'k8s', 'StatefulSet'),
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } } }],
    },
  };
}

export interface LightVCluster {
  name: string;
  namespace: string;
}

/**
 * Builds vclusters number `from` .. `to-1` into existing namespaces. With `controllers`, the statefulset controller
 * makes the pods and the builder waits for them; without, the builder makes them. Every pod is then reported Running.
 */
export async function buildVClusters(
  rest: BulkRest,
  o: { prefix: string; namespaces: number; from: number; to: number; controllers: boolean; log?: (m: string) => void },
): Promise<LightVCluster[]> {
  const list: LightVCluster[] = Array.from({ length: o.to - o.from }, (_, k) => ({
    name: vcName(o.from + k),
    namespace: namespaceOf(o.prefix, o.from + k, o.namespaces),
  }));
  await pool(list, CONCURRENCY, async ({ name, namespace: ns }) => {
    const base = `/api/v1/namespaces/${ns}`;
    const labels = chartLabels(name);
    const helm = { 'meta.helm.sh/release-name': name, 'meta.helm.sh/release-namespace': ns };
    const service = await rest.create(`${base}/services`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: ns, labels: { ...labels, 'vcluster.loft.sh/service': 'true' }, annotations: helm },
      spec: {
        type: 'ClusterIP',
        ports: [
          { name: 'https', port: 443, targetPort: 8443, protocol: 'TCP' },
          { name: 'kubelet', port: 10250, targetPort: 8443, protocol: 'TCP' },
        ],
        selector: { app: 'vcluster', release: name },
      },
    });
    await rest.create(`${base}/secrets`, {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: { name: `vc-config-${name}`, namespace: ns, labels, annotations: helm },
      data: { 'config.yaml': b64(CONFIG_YAML) },
    });
    await rest.create(`${base}/secrets`, helmReleaseSecret({ name, namespace: ns, version: DEFAULT_VERSION, distro: 'k8s', values: {} }));
    const sts = await rest.create(`/apis/apps/v1/namespaces/${ns}/statefulsets`, statefulSetBody(name, ns));
    if (!o.controllers) {
      const tpl = statefulSetBody(name, ns).spec.template;
      await rest.create(`${base}/persistentvolumeclaims`, {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: `data-${name}-0`, namespace: ns, labels: { app: 'vcluster', release: name } },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } },
      });
      await rest.create(`${base}/pods`, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `${name}-0`,
          namespace: ns,
          labels: { ...tpl.metadata.labels, 'statefulset.kubernetes.io/pod-name': `${name}-0`, 'apps.kubernetes.io/pod-index': '0' },
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name, uid: sts.metadata.uid, controller: true, blockOwnerDeletion: true }],
        },
        spec: {
          ...tpl.spec,
          volumes: [...tpl.spec.volumes, { name: 'data', persistentVolumeClaim: { claimName: `data-${name}-0` } }],
          hostname: `${name}-0`,
          subdomain: `${name}-headless`,
        },
      });
    }
    await rest.create(`${base}/secrets`, vclusterKubeconfigSecret({ name, namespace: ns, version: DEFAULT_VERSION, service, server: DEFAULT_SERVER }).secret);
  });
  // Report every new pod Running, as the kubelet would (the host's controller may still be creating them).
  const pending = new Map(list.map((v) => [`${v.namespace}/${v.name}-0`, v]));
  const deadline = Date.now() + 300_000;
  let lastSay = Date.now();
  while (pending.size > 0) {
    const pods = await rest.get('/api/v1/pods?labelSelector=app%3Dvcluster');
    const ready = (pods.items as KObject[]).filter((p) => pending.has(`${p.metadata.namespace}/${p.metadata.name}`));
    await pool(ready, CONCURRENCY, async (p) => {
      const status = podStatusFor('Running', p);
      await rest.patch(`/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}/status`, { status });
      pending.delete(`${p.metadata.namespace}/${p.metadata.name}`);
    });
    if (pending.size === 0) break;
    if (Date.now() > deadline) throw new Error(`${pending.size} vcluster pods were never created (statefulset controller)`);
    if (Date.now() - lastSay > 15_000) {
      o.log?.(`  waiting for the statefulset controller: ${pending.size} pods to go`);
      lastSay = Date.now();
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return list;
}
