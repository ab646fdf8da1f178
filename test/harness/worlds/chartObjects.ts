// The objects the vcluster Helm chart installs, as the fixtures of worlds.ts write them: labels, the vc-config secret,
// the control plane's pod template and status per state, the Helm release secret.
import { makeKubeconfig } from '../cluster/apiServer';
import { type KObject, KubeRest, waitFor } from '../cluster/rest';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { versionAtLeast } from './vclusterRules';
import type { VClusterSpec, VClusterState } from './worldTypes';

export const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
export const nowIso = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

export function chartName(version: string, distro: string): string {
  if (versionAtLeast(version, 0, 20)) return 'vcluster';
  return distro === 'k3s' ? 'vcluster' : `vcluster-${distro}`;
}

export function chartLabel(version: string, distro: string): string {
  return `${chartName(version, distro)}-${version}`
    .replace(/[^A-Za-z0-9_.-]/g, '_')
    .slice(0, 63)
    .replace(/[-_.]+$/, '');
}

export function commonLabels(name: string, version: string, distro: string): Record<string, string> {
  return { app: 'vcluster', chart: chartLabel(version, distro), release: name, heritage: 'Helm' };
}

/** The merged vcluster.yaml as the chart stores it in vc-config-NAME (trimmed to the fields anyone reads). */
export function vclusterConfig(
  spec: Required<Pick<VClusterSpec, 'name' | 'version' | 'distro'>> & { values?: Record<string, unknown>; exportServer?: string },
): Record<string, unknown> {
  const cfg: Record<string, unknown> = {
    controlPlane: {
      distro: {
        // k8s is the distro when none is enabled (config.Distro()); the chart's default leaves all flags false.
        k8s: { enabled: false, version: '' },
        ...(versionAtLeast(spec.version, 0, 33) ? {} : { k3s: { enabled: spec.distro === 'k3s' } }),
        ...(versionAtLeast(spec.version, 0, 26) ? {} : { k0s: { enabled: spec.distro === 'k0s' } }),
      },
      backingStore: { database: { embedded: { enabled: false } }, etcd: { deploy: { enabled: false }, embedded: { enabled: false } } },
      statefulSet: {
        highAvailability: { replicas: 1 },
        image: { registry: 'ghcr.io', repository: 'loft-sh/vcluster-pro', tag: '' },
        persistence: { volumeClaim: { enabled: 'auto', size: '5Gi' } },
      },
      proxy: { bindAddress: '0.0.0.0', port: 8443, extraSANs: [] },
      service: { enabled: true, spec: { type: 'ClusterIP' } },
    },
    exportKubeConfig: { context: '', server: spec.exportServer ?? '', insecure: false, additionalSecrets: [] },
    sync: {
      toHost: {
        pods: { enabled: true },
        services: { enabled: true },
        endpoints: { enabled: true },
        persistentVolumeClaims: { enabled: true },
        configMaps: { enabled: true, all: false },
        secrets: { enabled: true, all: false },
      },
      fromHost: { events: { enabled: true } },
    },
    experimental: { syncSettings: { setOwner: true } },
  };
  return deepMerge(cfg, spec.values ?? {});
}

export function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const av = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && av && typeof av === 'object' && !Array.isArray(av)
        ? deepMerge(av as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

export function initContainerNames(version: string, distro: string, count?: number): string[] {
  let names: string[];
  if (distro === 'k3s' || distro === 'k0s') names = ['vcluster'];
  else if (versionAtLeast(version, 0, 33)) names = ['kubernetes'];
  else names = ['kube-apiserver', 'kube-controller-manager'];
  const extra = ['kube-scheduler', 'init-4', 'init-5', 'init-6'];
  while (count !== undefined && names.length < count) names.push(extra.shift() ?? `init-${names.length + 1}`);
  return count !== undefined ? names.slice(0, count) : names;
}

export function initImage(name: string, distro: string): string {
  if (distro === 'k3s') return 'rancher/k3s:v1.29.0-k3s1';
  if (distro === 'k0s') return 'k0sproject/k0s:v1.29.1-k0s.0';
  return name === 'kubernetes' ? 'ghcr.io/loft-sh/kubernetes:v1.36.0' : `registry.k8s.io/${name}:v1.29.0`;
}

export function podTemplate(name: string, version: string, distro: string, kind: 'StatefulSet' | 'Deployment', initCount?: number): KObject {
  return {
    metadata: {
      labels: { app: 'vcluster', release: name },
      annotations: {
        vClusterConfigHash: createHash('sha256')
          .update(name + version)
          .digest('hex'),
      },
    },
    spec: {
      terminationGracePeriodSeconds: 15,
      serviceAccountName: `vc-${name}`,
      volumes: [
        { name: 'binaries', emptyDir: {} },
        { name: 'certs', emptyDir: {} },
        { name: 'vcluster-config', secret: { secretName: `vc-config-${name}` } },
        // Without persistence (the Deployment case) the chart mounts an emptyDir as data; a StatefulSet gets a PVC.
        ...(kind === 'Deployment' ? [{ name: 'data', emptyDir: {} }] : []),
      ],
      initContainers: initContainerNames(version, distro, initCount).map((n) => ({
        name: n,
        image: initImage(n, distro),
        command: ['cp'],
        args: ['-r', '/kubernetes/.', '/binaries/'],
        volumeMounts: [{ mountPath: '/binaries', name: 'binaries' }],
      })),
      containers: [
        {
          name: 'syncer',
          image: `ghcr.io/loft-sh/vcluster-pro:${version}`,
          env: [{ name: 'VCLUSTER_NAME', value: name }],
          ports: [{ containerPort: 8443, name: 'https', protocol: 'TCP' }],
          readinessProbe: { httpGet: { path: '/readyz', port: 8443, scheme: 'HTTPS' }, periodSeconds: 2 },
          volumeMounts: [
            { name: 'data', mountPath: '/data' },
            { name: 'binaries', mountPath: '/binaries' },
            { name: 'certs', mountPath: '/pki' },
            { name: 'vcluster-config', mountPath: '/var/lib/vcluster' },
          ],
        },
      ],
    },
  };
}

/** The pod status a kubelet would report for a CLI status (GetPodStatus in the CLI reads these fields). */
export function podStatusFor(state: VClusterState, pod: KObject): KObject | undefined {
  const now = nowIso();
  const inits: string[] = (pod.spec.initContainers ?? []).map((c: KObject) => c.name);
  const containers: KObject[] = pod.spec.containers;
  const initsDone = inits.map((n) => ({
    name: n,
    image: (pod.spec.initContainers as KObject[]).find((c) => c.name === n)!.image,
    imageID: '',
    ready: true,
    restartCount: 0,
    started: false,
    state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: now, finishedAt: now } },
  }));
  const base = { hostIP: '10.1.0.10', podIP: `10.244.0.${10 + Math.floor(Math.random() * 200)}`, startTime: now };
  const cs = (st: KObject, ready: boolean, restarts = 0, last?: KObject) =>
    containers.map((c) => ({
      name: c.name,
      image: c.image,
      imageID: '',
      ready,
      started: ready,
      restartCount: restarts,
      state: st,
      ...(last ? { lastState: last } : {}),
    }));
  const cond = (ready: boolean, initialized = true) => [
    { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
    { type: 'Initialized', status: initialized ? 'True' : 'False', lastTransitionTime: now },
    { type: 'ContainersReady', status: ready ? 'True' : 'False', lastTransitionTime: now },
    { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now },
  ];
  switch (true) {
    case state === 'Running' || state === 'Sleeping':
      return {
        ...base,
        phase: 'Running',
        conditions: cond(true),
        initContainerStatuses: initsDone,
        containerStatuses: cs({ running: { startedAt: now } }, true),
      };
    case state === 'Pending':
      return undefined; // what the API server gives a pod no scheduler has looked at
    case state === 'ContainerCreating':
      return {
        ...base,
        phase: 'Pending',
        conditions: cond(false),
        initContainerStatuses: initsDone,
        containerStatuses: cs({ waiting: { reason: 'ContainerCreating' } }, false),
      };
    case state === 'CrashLoopBackOff':
      return {
        ...base,
        phase: 'Running',
        conditions: cond(false),
        initContainerStatuses: initsDone,
        containerStatuses: cs({ waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container=syncer' } }, false, 7, {
          terminated: { exitCode: 1, reason: 'Error', startedAt: now, finishedAt: now },
        }),
      };
    case state.startsWith('Init:'): {
      const done = Number.parseInt(state.slice(5).split('/')[0]!, 10);
      return {
        ...base,
        phase: 'Pending',
        conditions: cond(false, false),
        initContainerStatuses: inits.map((_n, i) =>
          i < done
            ? initsDone[i]
            : { ...initsDone[i], ready: false, state: i === done ? { running: { startedAt: now } } : { waiting: { reason: 'PodInitializing' } } },
        ),
        containerStatuses: cs({ waiting: { reason: 'PodInitializing' } }, false),
      };
    }
    default:
      return undefined;
  }
}

export async function ensureNamespace(rest: KubeRest, name: string, annotations: Record<string, string> = {}): Promise<void> {
  await rest.ensure('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name, annotations } });
}

/** Helm's storage encoding of a release: base64(gzip(JSON)). The API adds its own base64 on top (Secret data). */
export function encodeHelmRelease(release: unknown): string {
  return gzipSync(Buffer.from(JSON.stringify(release))).toString('base64');
}

export function helmReleaseSecret(o: {
  name: string;
  namespace: string;
  version: string;
  distro: string;
  values: Record<string, unknown>;
  status?: string;
  revision?: number;
}): KObject {
  const revision = o.revision ?? 1;
  const status = o.status ?? 'deployed';
  const now = new Date().toISOString();
  const release = {
    name: o.name,
    info: { first_deployed: now, last_deployed: now, deleted: '', description: 'Install complete', status },
    chart: {
      metadata: {
        name: chartName(o.version, o.distro),
        home: 'https://vcluster.com',
        version: o.version,
        description: 'vcluster - Virtual Kubernetes Clusters',
        apiVersion: 'v2',
        type: 'application',
      },
      lock: null,
      templates: [],
      values: {},
      schema: null,
      files: [],
    },
    config: o.values,
    manifest: `---\n# Source: vcluster/templates/service.yaml\n# (elided by the test fixture)\n`,
    version: revision,
    namespace: o.namespace,
  };
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'helm.sh/release.v1',
    metadata: {
      name: `sh.helm.release.v1.${o.name}.v${revision}`,
      namespace: o.namespace,
      labels: { owner: 'helm', name: o.name, status, version: String(revision), modifiedAt: String(Math.floor(Date.now() / 1000)) },
    },
    data: { release: b64(encodeHelmRelease(release)) },
  };
}

/** The placeholder CA of a vc-NAME secret whose vcluster has no real control plane behind it. */
export const FAKE_CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

/**
 * vc-NAME, the kubeconfig secret the syncer writes once it ran (owned by Service NAME, `service` as the API returned
 * it): its kubeconfig (context, cluster and user "Default") and the same credentials as separate keys; `token` only
 * from 0.20 on. Returns the Secret and the kubeconfig text.
 */
export function vclusterKubeconfigSecret(o: {
  name: string;
  namespace: string;
  version: string;
  service: KObject;
  server: string;
  caPem?: string;
  certPem?: string;
  keyPem?: string;
  token?: string;
}): { secret: KObject; kubeconfig: string } {
  const [ca, cert, key] = [o.caPem ?? FAKE_CA, o.certPem ?? '', o.keyPem ?? ''];
  const kubeconfig = makeKubeconfig({
    contextName: 'Default',
    clusterName: 'Default',
    userName: 'Default',
    server: o.server,
    caPem: ca,
    certPem: cert,
    keyPem: key,
  });
  const data: Record<string, string> = {
    config: b64(kubeconfig),
    'certificate-authority': b64(ca),
    'client-certificate': b64(cert),
    'client-key': b64(key),
  };
  if (versionAtLeast(o.version, 0, 20)) data.token = b64(o.token ?? '');
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name: `vc-${o.name}`,
      namespace: o.namespace,
      labels: { app: 'vcluster', 'vcluster-name': o.name },
      ownerReferences: [ownerRefTo({ ...o.service, kind: 'Service', apiVersion: 'v1' })],
    },
    data,
  };
  return { secret, kubeconfig };
}

export function ownerRefTo(obj: KObject, controller = false): KObject {
  return { apiVersion: obj.apiVersion ?? 'v1', kind: obj.kind, name: obj.metadata.name, uid: obj.metadata.uid, controller };
}

export async function waitForPod(rest: KubeRest, ns: string, name: string, kind: 'StatefulSet' | 'Deployment'): Promise<KObject> {
  return waitFor(
    `the ${kind} controller to create the pod of ${ns}/${name}`,
    async () => {
      if (kind === 'StatefulSet') return rest.getOrUndefined(`/api/v1/namespaces/${ns}/pods/${name}-0`);
      const list = await rest.get(`/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(`app=vcluster,release=${name}`)}`);
      return list.items[0] as KObject | undefined;
    },
    30_000,
    150,
  );
}
