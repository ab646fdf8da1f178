// Fixtures that lay vclusters out EXACTLY as the real Helm chart and syncer do, checked against the chart the real CLI
// installs (test/cluster/real-cli.test.ts) and against the real syncer's output on a real node
// (test/cluster/real-node-vcluster.test.ts). This file never imports from src/: the product's rules are tested against
// an independent encoding of vcluster's rules.
//
// Fixtures stand in for real vclusters where a real one does not fit: for scale (the benchmark's hundreds of
// vclusters; a real one costs about 540 MB and half a minute) and for states a real vcluster cannot reach quickly on a
// test machine — crash loops, the platform's sleep mode, other versions and distros, scaled-down and paused layouts
// built in bulk, LoadBalancer and exportKubeConfig endpoints, orphaned, unannotated and hashed-name host objects, users
// with little RBAC. Everything a real vcluster does quickly is tested on real ones (test/harness/realVCluster.ts).
//
// A "world" is a set of vclusters built into a host cluster (and, for nested ones, into virtual clusters), plus a
// description of everything that was built, so tests can compare what the product finds with what exists.
import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { stringify as toYaml } from 'yaml';
import { allocateLoopbackAddress, makeKubeconfig, type HostCluster, type VirtualControlPlane } from './controlPlane';
import { type KObject, KubeRest, waitFor } from './rest';

// ---- vcluster's rules, encoded independently ---------------------------------------------------------------------

export const DEFAULT_VERSION = '0.36.1';
export const DEFAULT_SERVER = 'https://localhost:8443';

/** translate.SafeConcatName: join with "-"; over 63 chars: first 52 + "-" + 10 hex of sha256, then ".-" → "-". */
export function safeConcatName(...parts: string[]): string {
  const full = parts.join('-');
  if (full.length > 63) {
    const digest = createHash('sha256').update(full).digest('hex');
    return (full.slice(0, 52) + '-' + digest.slice(0, 10)).replaceAll('.-', '-');
  }
  return full;
}

/** Host name of a namespaced virtual object in single-namespace mode. */
export function hostName(virtualName: string, virtualNamespace: string, vclusterName: string): string {
  return safeConcatName(virtualName, 'x', virtualNamespace, 'x', vclusterName);
}

function versionAtLeast(version: string, major: number, minor: number): boolean {
  const [maj, min] = version.replace(/^v/, '').split('.').map((n) => Number.parseInt(n, 10));
  return maj! > major || (maj === major && min! >= minor);
}

/** Host label key for a virtual label that must be rewritten (0.21+: only a few keys; ≤0.20: all keys). */
function rewrittenLabelKey(key: string, vclusterName: string): string {
  return safeConcatName('vcluster.loft.sh/label', vclusterName, 'x', createHash('sha256').update(key).digest('hex').slice(0, 10));
}

function hostLabels(virtualLabels: Record<string, string>, vclusterName: string, virtualNamespace: string, version: string): Record<string, string> {
  const special = new Set(['release', 'vcluster.loft.sh/namespace', 'vcluster.loft.sh/managed-by', 'vcluster.loft.sh/controlled-by']);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(virtualLabels)) {
    if (versionAtLeast(version, 0, 21) && !special.has(k)) out[k] = v;
    else out[rewrittenLabelKey(k, vclusterName)] = v;
  }
  out['vcluster.loft.sh/managed-by'] = vclusterName;
  out['vcluster.loft.sh/namespace'] = virtualNamespace;
  return out;
}

// ---- specs -----------------------------------------------------------------------------------------------------------

/** The status `vcluster list` would print; the fixture makes the cluster look exactly like that. */
export type VClusterState =
  | 'Running'
  | 'Pending'
  | 'ContainerCreating'
  | 'CrashLoopBackOff'
  | `Init:${number}/${number}`
  | 'Paused'
  | 'ScaledDown'
  | 'Sleeping';

export type SyncedKind = 'Pod' | 'Service' | 'Endpoints' | 'ConfigMap' | 'Secret' | 'PersistentVolumeClaim';
export type VirtualOnlyKind = 'Deployment' | 'ConfigMap' | 'Secret' | 'ServiceAccount';

export interface WorkloadSpec {
  kind: SyncedKind | VirtualOnlyKind;
  namespace: string;
  name: string;
  labels?: Record<string, string>;
  /**
   * synced (default for synced kinds): virtual object + host twin with labels and annotations;
   * unannotated: host twin has the labels but no vcluster annotations (the product must use the name rule);
   * virtual-only: only in the virtual cluster; host-only: an orphan host object whose virtual twin does not exist.
   */
  mode?: 'synced' | 'unannotated' | 'virtual-only' | 'host-only';
}

export interface VClusterSpec {
  name: string;
  namespace: string;
  /** Chart / image version without "v" (default 0.36.1). */
  version?: string;
  kind?: 'StatefulSet' | 'Deployment';
  state?: VClusterState;
  distro?: 'k8s' | 'k3s' | 'k0s';
  /**
   * How the kubeconfig in vc-NAME reaches the virtual API server (a real kube-apiserver started for this vcluster):
   * 'server' = the server's real URL (exportKubeConfig.server); 'loadbalancer' = the default https://localhost:8443,
   * and Service NAME is a LoadBalancer whose status ingress IP is the loopback address the server listens on, port 443;
   * 'none' = no virtual server (vc-NAME, if written, says https://localhost:8443 and nothing answers).
   * Default: 'server' when the state is Running or Sleeping, else 'none'.
   */
  access?: 'server' | 'loadbalancer' | 'none';
  /** Write the vc-NAME secret (default: yes unless the pod never started: Pending/ContainerCreating/Init). */
  kubeconfigSecret?: boolean;
  /** User values recorded in the Helm release `config` (and merged into vc-config-NAME). */
  values?: Record<string, unknown>;
  /** Objects in the virtual cluster (needs a virtual server). */
  workloads?: WorkloadSpec[];
  /** vclusters created inside this vcluster's virtual cluster. */
  nested?: VClusterSpec[];
  /** The annotation loft.sh/non-deletable=true on the workload ("Prevent Deletion"). */
  preventDeletion?: boolean;
}

// ---- the description of what was built ---------------------------------------------------------------------------

export interface BuiltObject {
  kind: string;
  apiVersion: string;
  mode: 'synced' | 'unannotated' | 'virtual-only' | 'host-only';
  virtual?: { namespace: string; name: string; uid: string };
  host?: { namespace: string; name: string; uid: string };
}

export interface BuiltVCluster {
  name: string;
  namespace: string;
  version: string;
  kind: 'StatefulSet' | 'Deployment';
  distro: 'k8s' | 'k3s' | 'k0s';
  /** The status `vcluster list` prints for it. */
  expectedStatus: string;
  state: VClusterState;
  /** Enclosing vclusters, outermost first ([] for a vcluster in the host). */
  parents: { namespace: string; name: string }[];
  /** Context name of the cluster the vcluster's objects live in ("host", or the parent's virtual context). */
  foundIn: string;
  /** Where its control-plane objects live (admin client of the host or of the parent virtual cluster). */
  parentRest: KubeRest;
  access: 'server' | 'loadbalancer' | 'none';
  /** The endpoint a client should use to reach the virtual API, if one runs. */
  endpoint?: string;
  loadBalancerIP?: string;
  /** The virtual control plane, when one runs. */
  virtual?: VirtualControlPlane;
  /** The kubeconfig stored in vc-NAME (key `config`), if written. */
  secretKubeconfig?: string;
  /** The vcluster whose virtual cluster this one lives in (undefined in the host). */
  enclosing?: BuiltVCluster;
  /** UID of Service NAME (synced objects are owned by it). */
  serviceUid: string;
  objects: BuiltObject[];
  nested: BuiltVCluster[];
}

export interface World {
  host: HostCluster;
  /** Top-level vclusters (nested ones hang below them). */
  vclusters: BuiltVCluster[];
  /** Every vcluster in the world, depth first. */
  all(): BuiltVCluster[];
  find(name: string, namespace?: string): BuiltVCluster;
}

// ---- building ------------------------------------------------------------------------------------------------------

interface Target {
  rest: KubeRest;
  contextName: string;
  /** The real statefulset/deployment controllers run there (the host); otherwise fixtures create pods. */
  controllers: boolean;
  parents: { namespace: string; name: string }[];
  /** When the target is a virtual cluster: its vcluster, so control-plane pods and services get synced to the host. */
  enclosing?: BuiltVCluster;
}

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
const nowIso = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

function chartName(version: string, distro: string): string {
  if (versionAtLeast(version, 0, 20)) return 'vcluster';
  return distro === 'k3s' ? 'vcluster' : `vcluster-${distro}`;
}

function chartLabel(version: string, distro: string): string {
  return `${chartName(version, distro)}-${version}`.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 63).replace(/[-_.]+$/, '');
}

function commonLabels(name: string, version: string, distro: string): Record<string, string> {
  return { app: 'vcluster', chart: chartLabel(version, distro), release: name, heritage: 'Helm' };
}

/** The merged vcluster.yaml as the chart stores it in vc-config-NAME (trimmed to the fields anyone reads). */
function vclusterConfig(spec: Required<Pick<VClusterSpec, 'name' | 'version' | 'distro'>> & { values?: Record<string, unknown>; exportServer?: string }): Record<string, unknown> {
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

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
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

function initContainerNames(version: string, distro: string, count?: number): string[] {
  let names: string[];
  if (distro === 'k3s' || distro === 'k0s') names = ['vcluster'];
  else if (versionAtLeast(version, 0, 33)) names = ['kubernetes'];
  else names = ['kube-apiserver', 'kube-controller-manager'];
  const extra = ['kube-scheduler', 'init-4', 'init-5', 'init-6'];
  while (count !== undefined && names.length < count) names.push(extra.shift() ?? `init-${names.length + 1}`);
  return count !== undefined ? names.slice(0, count) : names;
}

function initImage(name: string, distro: string): string {
  if (distro === 'k3s') return 'rancher/k3s:v1.29.0-k3s1';
  if (distro === 'k0s') return 'k0sproject/k0s:v1.29.1-k0s.0';
  return name === 'kubernetes' ? 'ghcr.io/loft-sh/kubernetes:v1.36.0' : `registry.k8s.io/${name}:v1.29.0`;
}

function podTemplate(name: string, version: string, distro: string, kind: 'StatefulSet' | 'Deployment', initCount?: number): KObject {
  return {
    metadata: { labels: { app: 'vcluster', release: name }, annotations: { vClusterConfigHash: createHash('sha256').update(name + version).digest('hex') } },
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
    containers.map((c) => ({ name: c.name, image: c.image, imageID: '', ready, started: ready, restartCount: restarts, state: st, ...(last ? { lastState: last } : {}) }));
  const cond = (ready: boolean, initialized = true) => [
    { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
    { type: 'Initialized', status: initialized ? 'True' : 'False', lastTransitionTime: now },
    { type: 'ContainersReady', status: ready ? 'True' : 'False', lastTransitionTime: now },
    { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now },
  ];
  switch (true) {
    case state === 'Running' || state === 'Sleeping':
      return { ...base, phase: 'Running', conditions: cond(true), initContainerStatuses: initsDone, containerStatuses: cs({ running: { startedAt: now } }, true) };
    case state === 'Pending':
      return undefined; // what the API server gives a pod no scheduler has looked at
    case state === 'ContainerCreating':
      return { ...base, phase: 'Pending', conditions: cond(false), initContainerStatuses: initsDone, containerStatuses: cs({ waiting: { reason: 'ContainerCreating' } }, false) };
    case state === 'CrashLoopBackOff':
      return {
        ...base,
        phase: 'Running',
        conditions: cond(false),
        initContainerStatuses: initsDone,
        containerStatuses: cs(
          { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container=syncer' } },
          false,
          7,
          { terminated: { exitCode: 1, reason: 'Error', startedAt: now, finishedAt: now } },
        ),
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

async function ensureNamespace(rest: KubeRest, name: string, annotations: Record<string, string> = {}): Promise<void> {
  await rest.ensure('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name, annotations } });
}

/** Helm's storage encoding of a release: base64(gzip(JSON)). The API adds its own base64 on top (Secret data). */
export function encodeHelmRelease(release: unknown): string {
  return gzipSync(Buffer.from(JSON.stringify(release))).toString('base64');
}

function helmReleaseSecret(o: { name: string; namespace: string; version: string; distro: string; values: Record<string, unknown>; status?: string; revision?: number }): KObject {
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

function ownerRefTo(obj: KObject, controller = false): KObject {
  return { apiVersion: obj.apiVersion ?? 'v1', kind: obj.kind, name: obj.metadata.name, uid: obj.metadata.uid, controller };
}

async function waitForPod(rest: KubeRest, ns: string, name: string, kind: 'StatefulSet' | 'Deployment'): Promise<KObject> {
  return waitFor(`the ${kind} controller to create the pod of ${ns}/${name}`, async () => {
    if (kind === 'StatefulSet') return rest.getOrUndefined(`/api/v1/namespaces/${ns}/pods/${name}-0`);
    const list = await rest.get(`/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(`app=vcluster,release=${name}`)}`);
    return list.items[0] as KObject | undefined;
  }, 30_000, 150);
}

/** Builds one vcluster (and everything nested in it) into `target`. */
async function buildVCluster(host: HostCluster, target: Target, spec: VClusterSpec): Promise<BuiltVCluster> {
  const { name, namespace: ns } = spec;
  const version = spec.version ?? DEFAULT_VERSION;
  const distro = spec.distro ?? 'k8s';
  const kind = spec.kind ?? 'StatefulSet';
  const state = spec.state ?? 'Running';
  const live = state === 'Running' || state === 'Sleeping';
  const access = spec.access ?? (live ? 'server' : 'none');
  const rest = target.rest;
  // What Helm (3.2+) adds to every object it installs, on top of the chart's own labels.
  const labels = { ...commonLabels(name, version, distro), 'app.kubernetes.io/managed-by': 'Helm' };
  const helmAnnotations = { 'meta.helm.sh/release-name': name, 'meta.helm.sh/release-namespace': ns };
  const modern = versionAtLeast(version, 0, 20);

  // The virtual API server is independent of the host objects: start it first, in parallel with the layout.
  let lbIP: string | undefined;
  const virtualP: Promise<VirtualControlPlane | undefined> = (async () => {
    if (access === 'none') return undefined;
    if (access === 'loadbalancer') {
      lbIP = await allocateLoopbackAddress(443);
      return host.startVirtual(name, { bindAddress: lbIP, port: 443, dnsNames: [`${name}.${ns}`, `${name}.${ns}.svc`], contextName: `virtual-${name}` });
    }
    return host.startVirtual(name, { dnsNames: [`${name}.${ns}`, `${name}.${ns}.svc`], contextName: `virtual-${name}` });
  })();
  virtualP.catch(() => undefined); // awaited below; avoid an unhandled rejection meanwhile

  await ensureNamespace(rest, ns, { 'vcluster.loft.sh/created': 'true' });
  const base = `/api/v1/namespaces/${ns}`;

  // ServiceAccounts, Role/RoleBinding (chart).
  await rest.ensure(`${base}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: `vc-${name}`, namespace: ns, labels, annotations: helmAnnotations } });
  await rest.ensure(`${base}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: `vc-workload-${name}`, namespace: ns, labels, annotations: helmAnnotations } });
  await rest.ensure(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: `vc-${name}`, namespace: ns, labels, annotations: helmAnnotations },
    rules: [{ apiGroups: [''], resources: ['configmaps', 'secrets', 'services', 'pods', 'pods/attach', 'pods/portforward', 'pods/exec', 'persistentvolumeclaims'], verbs: ['create', 'delete', 'patch', 'update', 'get', 'list', 'watch'] }],
  });
  await rest.ensure(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: `vc-${name}`, namespace: ns, labels, annotations: helmAnnotations },
    subjects: [{ kind: 'ServiceAccount', name: `vc-${name}`, namespace: ns }],
    roleRef: { kind: 'Role', name: `vc-${name}`, apiGroup: 'rbac.authorization.k8s.io' },
  });

  const virtual = await virtualP;
  const exportServer = access === 'server' ? virtual!.server : undefined;
  let values: Record<string, unknown> = spec.values ?? {};
  if (exportServer) values = deepMerge({ exportKubeConfig: { server: exportServer } }, values);
  if (access === 'loadbalancer') values = deepMerge({ controlPlane: { service: { spec: { type: 'LoadBalancer' } } } }, values);

  // vc-config-NAME (0.20+): the merged vcluster.yaml.
  if (modern) {
    const cfg = vclusterConfig({ name, version, distro, values, ...(exportServer ? { exportServer } : {}) });
    await rest.ensure(`${base}/secrets`, {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: {
        name: `vc-config-${name}`,
        namespace: ns,
        labels,
        annotations: { ...helmAnnotations, ...(state === 'Sleeping' ? { 'sleepmode.loft.sh/sleep-type': 'workloads' } : {}) },
      },
      data: { 'config.yaml': b64(toYaml(cfg)) },
    });
  }

  // Services NAME (and NAME-headless for a StatefulSet).
  const svcType = access === 'loadbalancer' ? 'LoadBalancer' : 'ClusterIP';
  const service = await rest.ensure(`${base}/services`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns, labels: { ...labels, 'vcluster.loft.sh/service': 'true' }, annotations: helmAnnotations },
    spec: {
      type: svcType,
      ports: [
        { name: 'https', port: 443, targetPort: 8443, protocol: 'TCP' },
        { name: 'kubelet', port: 10250, targetPort: 8443, protocol: 'TCP' },
      ],
      selector: { app: 'vcluster', release: name },
    },
  });
  if (lbIP) {
    await rest.patch(`${base}/services/${name}/status`, { status: { loadBalancer: { ingress: [{ ip: lbIP }] } } });
  }
  if (kind === 'StatefulSet') {
    await rest.ensure(`${base}/services`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: `${name}-headless`, namespace: ns, labels, annotations: helmAnnotations },
      spec: {
        publishNotReadyAddresses: true,
        clusterIP: 'None',
        ports: [{ name: 'https', port: 443, targetPort: 8443, protocol: 'TCP' }],
        selector: { app: 'vcluster', release: name },
      },
    });
  }

  // Helm release secret.
  await rest.ensure(`${base}/secrets`, helmReleaseSecret({ name, namespace: ns, version, distro, values }));

  // The control-plane workload.
  const paused = state === 'Paused';
  const replicas = paused || state === 'ScaledDown' ? 0 : 1;
  const initCount = state.startsWith('Init:') ? Number.parseInt(state.split('/')[1]!, 10) : undefined;
  const annotations: Record<string, string> = { ...helmAnnotations };
  if (paused) {
    annotations['loft.sh/paused'] = 'true';
    annotations['loft.sh/paused-replicas'] = '1';
    annotations['loft.sh/paused-date'] = new Date().toISOString().replace(/(\.\d{3})\d*Z$/, '$1Z');
  }
  if (spec.preventDeletion) annotations['loft.sh/non-deletable'] = 'true';
  const template = podTemplate(name, version, distro, kind, initCount);
  const workloadBody: KObject = {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name, namespace: ns, labels, annotations },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'vcluster', release: name } },
      template,
      ...(kind === 'StatefulSet'
        ? {
            serviceName: `${name}-headless`,
            podManagementPolicy: 'Parallel',
            volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } } }],
          }
        : { strategy: { type: 'Recreate' } }),
    },
  };
  const workload = await rest.ensure(`/apis/apps/v1/namespaces/${ns}/${kind === 'StatefulSet' ? 'statefulsets' : 'deployments'}`, workloadBody);

  // The pod: from the real controller on the host; made here (as the controller would) inside virtual clusters.
  let pod: KObject | undefined;
  if (replicas > 0) {
    if (target.controllers) {
      pod = await waitForPod(rest, ns, name, kind);
    } else {
      const podName = kind === 'StatefulSet' ? `${name}-0` : `${name}-${randomBytes(5).toString('hex').slice(0, 10)}-${randomBytes(3).toString('hex').slice(0, 5)}`;
      const podSpec: KObject = structuredClone(template.spec);
      if (kind === 'StatefulSet') {
        // What the statefulset controller does with volumeClaimTemplates: PVC data-NAME-0 and a volume for it.
        await rest.ensure(`${base}/persistentvolumeclaims`, {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: `data-${podName}`, namespace: ns, labels: { app: 'vcluster', release: name } },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } },
        });
        podSpec.volumes.push({ name: 'data', persistentVolumeClaim: { claimName: `data-${podName}` } });
        podSpec.hostname = podName;
        podSpec.subdomain = `${name}-headless`;
      }
      pod = await rest.ensure(`${base}/pods`, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: podName,
          namespace: ns,
          labels: { ...template.metadata.labels, ...(kind === 'StatefulSet' ? { 'statefulset.kubernetes.io/pod-name': podName, 'apps.kubernetes.io/pod-index': '0' } : {}) },
          annotations: template.metadata.annotations,
          ownerReferences: [{ ...ownerRefTo({ ...workload, apiVersion: 'apps/v1', kind }, true), blockOwnerDeletion: true }],
        },
        spec: podSpec,
      });
    }
    const status = podStatusFor(state, pod!);
    if (status) pod = await rest.patch(`${base}/pods/${pod!.metadata.name}/status`, { status });
  }

  // vc-NAME: written by the syncer once it ran.
  const wroteSecret = spec.kubeconfigSecret ?? !(state === 'Pending' || state === 'ContainerCreating' || state.startsWith('Init:'));
  let secretKubeconfig: string | undefined;
  if (wroteSecret) {
    const server = exportServer ?? DEFAULT_SERVER;
    const ca = virtual?.ca.certPem ?? '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const cert = virtual?.admin.certPem ?? '';
    const key = virtual?.admin.keyPem ?? '';
    const token = virtual?.token ?? '';
    secretKubeconfig = makeKubeconfig({ contextName: 'Default', clusterName: 'Default', userName: 'Default', server, caPem: ca, certPem: cert, keyPem: key });
    const data: Record<string, string> = {
      config: b64(secretKubeconfig),
      'certificate-authority': b64(ca),
      'client-certificate': b64(cert),
      'client-key': b64(key),
    };
    if (versionAtLeast(version, 0, 20)) data.token = b64(token);
    await rest.ensure(`${base}/secrets`, {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: { name: `vc-${name}`, namespace: ns, labels: { app: 'vcluster', 'vcluster-name': name }, ownerReferences: [ownerRefTo({ ...service, kind: 'Service', apiVersion: 'v1' })] },
      data,
    });
  }

  const built: BuiltVCluster = {
    name,
    namespace: ns,
    version,
    kind,
    distro,
    state,
    expectedStatus: expectedCliStatus(state),
    parents: target.parents,
    foundIn: target.contextName,
    parentRest: rest,
    access,
    ...(virtual ? { endpoint: access === 'loadbalancer' ? `https://${lbIP}` : virtual.server, virtual } : {}),
    ...(lbIP ? { loadBalancerIP: lbIP } : {}),
    ...(secretKubeconfig ? { secretKubeconfig } : {}),
    ...(target.enclosing ? { enclosing: target.enclosing } : {}),
    serviceUid: service.metadata.uid,
    objects: [],
    nested: [],
  };

  // Inside a virtual cluster, the control-plane pod and services are themselves virtual objects: sync them to the
  // enclosing vcluster's host namespace, as its syncer would.
  if (target.enclosing) {
    const enclosing = target.enclosing;
    if (pod) enclosing.objects.push(await syncToHost(enclosing, 'Pod', pod, 'synced'));
    enclosing.objects.push(await syncToHost(enclosing, 'Service', await rest.get(`${base}/services/${name}`), 'synced'));
  }

  // Workloads inside this vcluster, then nested vclusters.
  if (spec.workloads?.length) {
    if (!virtual) throw new Error(`vcluster ${ns}/${name}: workloads need a virtual API server (access 'server' or 'loadbalancer')`);
    for (const w of spec.workloads) built.objects.push(await addWorkload(built, w));
  }
  if (spec.nested?.length) {
    if (!virtual) throw new Error(`vcluster ${ns}/${name}: nested vclusters need a virtual API server`);
    const inner: Target = {
      rest: virtual.rest,
      contextName: virtual.contextName,
      controllers: false,
      parents: [...target.parents, { namespace: ns, name }],
      enclosing: built,
    };
    built.nested = await Promise.all(spec.nested.map((n) => buildVCluster(host, inner, n)));
  }
  return built;
}

/** The status string `vcluster list` (0.36) prints for a state. */
export function expectedCliStatus(state: VClusterState): string {
  if (state === 'Sleeping') return 'Sleeping (workloads only)';
  return state;
}

// ---- virtual objects and their host twins --------------------------------------------------------------------------

/** apiVersion and plural of the kinds the fixtures and the harness create (kindInfo.Namespace is cluster-scoped). */
export const kindInfo: Record<string, { apiVersion: string; plural: string }> = {
  Namespace: { apiVersion: 'v1', plural: 'namespaces' },
  Pod: { apiVersion: 'v1', plural: 'pods' },
  Service: { apiVersion: 'v1', plural: 'services' },
  Endpoints: { apiVersion: 'v1', plural: 'endpoints' },
  ConfigMap: { apiVersion: 'v1', plural: 'configmaps' },
  Secret: { apiVersion: 'v1', plural: 'secrets' },
  PersistentVolumeClaim: { apiVersion: 'v1', plural: 'persistentvolumeclaims' },
  ServiceAccount: { apiVersion: 'v1', plural: 'serviceaccounts' },
  Deployment: { apiVersion: 'apps/v1', plural: 'deployments' },
};

function objPath(kind: string, ns: string, name?: string): string {
  const k = kindInfo[kind];
  if (!k) throw new Error(`unsupported kind ${kind}`);
  const base = k.apiVersion.includes('/') ? `/apis/${k.apiVersion}` : `/api/${k.apiVersion}`;
  return `${base}/namespaces/${ns}/${k.plural}${name ? `/${name}` : ''}`;
}

function virtualBody(kind: string, ns: string, name: string, labels: Record<string, string>): KObject {
  const metadata = { name, namespace: ns, labels };
  const k = kindInfo[kind]!;
  const o: KObject = { apiVersion: k.apiVersion, kind, metadata };
  switch (kind) {
    case 'Pod':
      o.spec = { containers: [{ name: 'app', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] };
      break;
    case 'Service':
      o.spec = { ports: [{ name: 'http', port: 80, targetPort: 80, protocol: 'TCP' }], selector: { app: labels.app ?? name } };
      break;
    case 'Endpoints':
      o.subsets = [{ addresses: [{ ip: '10.244.0.42' }], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }];
      break;
    case 'ConfigMap':
      o.data = { 'app.properties': `name=${name}\n` };
      break;
    case 'Secret':
      o.type = 'Opaque';
      o.data = { password: b64('not-a-real-secret') };
      break;
    case 'PersistentVolumeClaim':
      o.spec = { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } };
      break;
    case 'ServiceAccount':
      break;
    case 'Deployment':
      o.spec = {
        replicas: 1,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } },
      };
      break;
  }
  return o;
}

/** The host label that carries a label of the pod's virtual namespace (translate.HostLabelNamespace, v0.36.1). */
export function namespaceLabelKey(key: string, vclusterName: string): string {
  return safeConcatName('vcluster.loft.sh/ns-label', vclusterName, 'x', createHash('sha256').update(key).digest('hex').slice(0, 10));
}

/**
 * What the syncer stores in an annotation vcluster.loft.sh/token-<random> of a host pod: the virtual service account
 * token the pod mounts. Here a JWT-shaped string that is no credential anywhere (unsigned), so that tests that look
 * for tokens where they must not be find this one too.
 */
function fixtureToken(namespace: string): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'RS256', kid: 'fixture' })}.${part({ sub: `system:serviceaccount:${namespace}:default`, fixture: true })}.${randomBytes(32).toString('base64url')}`;
}

/**
 * The host twin of a virtual object, as the syncer writes it when it creates it (single-namespace mode), compared
 * field by field with the real syncer's output in test/cluster/real-node-vcluster.test.ts. Endpoints are the
 * exception: the syncer leaves the Endpoints of a Service with a selector to the host's endpoints controller, so the
 * twin is what that controller writes (the host Service's labels, no vcluster annotations, no owner).
 */
function hostTwin(vc: BuiltVCluster, kind: string, vObj: KObject, annotated: boolean): KObject {
  const vNs: string = vObj.metadata.namespace;
  const vName: string = vObj.metadata.name;
  const pName = hostName(vName, vNs, vc.name);
  const k = kindInfo[kind]!;
  const serviceUid = vc.serviceUid;
  const annotations: Record<string, string> = {};
  const labels = hostLabels(vObj.metadata.labels ?? {}, vc.name, vNs, vc.version);
  if (kind === 'Endpoints') {
    return {
      apiVersion: k.apiVersion,
      kind,
      metadata: {
        name: pName,
        namespace: vc.namespace,
        labels: { ...labels, 'endpoints.kubernetes.io/managed-by': 'endpoint-controller' },
        annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': nowIso() },
      },
      subsets: vObj.subsets,
    };
  }
  if (kind === 'Pod' && versionAtLeast(vc.version, 0, 21)) {
    // Every label of the virtual namespace (at least kubernetes.io/metadata.name, which the API server sets).
    labels[namespaceLabelKey('kubernetes.io/metadata.name', vc.name)] = vNs;
  }
  if (annotated) {
    annotations['vcluster.loft.sh/object-name'] = vName;
    annotations['vcluster.loft.sh/object-namespace'] = vNs;
    annotations['vcluster.loft.sh/object-uid'] = vObj.metadata.uid;
    if (versionAtLeast(vc.version, 0, 21)) {
      annotations['vcluster.loft.sh/object-kind'] = `${k.apiVersion.includes('/') ? k.apiVersion : `/${k.apiVersion}`}, Kind=${kind}`;
      annotations['vcluster.loft.sh/object-host-name'] = pName;
      annotations['vcluster.loft.sh/object-host-namespace'] = vc.namespace;
    }
    if (kind === 'Pod') {
      annotations['vcluster.loft.sh/name'] = vName;
      annotations['vcluster.loft.sh/namespace'] = vNs;
      annotations['vcluster.loft.sh/uid'] = vObj.metadata.uid;
      annotations['vcluster.loft.sh/labels'] = Object.entries(vObj.metadata.labels ?? {}).map(([a, b]) => `${a}="${b}"`).join('\n');
      annotations['vcluster.loft.sh/service-account-name'] = vObj.spec?.serviceAccountName ?? 'default';
      const owners: KObject[] = vObj.metadata.ownerReferences ?? [];
      if (owners.length) {
        annotations['vcluster.loft.sh/owner-references'] = JSON.stringify(owners);
        annotations['vcluster.loft.sh/owner-set-kind'] = owners[0]!.kind === 'ReplicaSet' ? 'Deployment' : owners[0]!.kind;
      }
      // Evictable when a controller owns the virtual pod (pods/translate/translator.go, v0.36.1).
      annotations['cluster-autoscaler.kubernetes.io/safe-to-evict'] = String(owners.some((o) => o.controller === true));
      annotations[`vcluster.loft.sh/token-${randomBytes(6).toString('hex').replace(/[0-9]/g, (d) => 'ghijklmnop'[Number(d)]!).slice(0, 8)}`] = fixtureToken(vNs);
    }
  }
  const metadata: KObject = {
    name: pName,
    namespace: vc.namespace,
    labels,
    annotations,
    ...(serviceUid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: vc.name, uid: serviceUid, controller: false }] } : {}),
  };
  const o: KObject = { apiVersion: k.apiVersion, kind, metadata };
  switch (kind) {
    case 'Pod':
      o.spec = {
        ...vObj.spec,
        serviceAccountName: `vc-workload-${vc.name}`,
        automountServiceAccountToken: false,
      };
      delete o.spec.nodeName;
      break;
    case 'Service': {
      const sel: Record<string, string> = vObj.spec.selector ?? {};
      o.spec = {
        type: vObj.spec.type ?? 'ClusterIP',
        ports: vObj.spec.ports,
        selector: Object.keys(sel).length ? hostLabels(sel, vc.name, vNs, vc.version) : undefined,
      };
      break;
    }
    case 'Endpoints':
      o.subsets = vObj.subsets;
      break;
    case 'ConfigMap':
      o.data = vObj.data;
      break;
    case 'Secret':
      o.type = vObj.type;
      o.data = vObj.data;
      break;
    case 'PersistentVolumeClaim':
      o.spec = vObj.spec;
      break;
  }
  return o;
}

async function syncToHost(vc: BuiltVCluster, kind: string, vObj: KObject, mode: 'synced' | 'unannotated'): Promise<BuiltObject> {
  const twin = hostTwin(vc, kind, vObj, mode === 'synced');
  let created = await vc.parentRest.ensure(objPath(kind, vc.namespace), twin);
  if (kind === 'Pod' && vObj.status?.phase) {
    created = await vc.parentRest.patch(objPath(kind, vc.namespace, created.metadata.name) + '/status', {
      status: { phase: vObj.status.phase, conditions: vObj.status.conditions, containerStatuses: vObj.status.containerStatuses, podIP: vObj.status.podIP, hostIP: vObj.status.hostIP, startTime: vObj.status.startTime },
    });
  }
  // A nested vcluster's host is itself a virtual cluster: its syncer's output is synced on, one level up.
  if (vc.enclosing) vc.enclosing.objects.push(await syncToHost(vc.enclosing, kind, created, 'synced'));
  return {
    kind,
    apiVersion: kindInfo[kind]!.apiVersion,
    mode,
    virtual: { namespace: vObj.metadata.namespace, name: vObj.metadata.name, uid: vObj.metadata.uid },
    host: { namespace: vc.namespace, name: created.metadata.name, uid: created.metadata.uid },
  };
}

/** Adds one object to a built vcluster (in its virtual cluster and/or its host namespace) and records it. */
export async function addWorkload(vc: BuiltVCluster, w: WorkloadSpec): Promise<BuiltObject> {
  const mode = w.mode ?? (w.kind === 'Deployment' || w.kind === 'ServiceAccount' ? 'virtual-only' : 'synced');
  const labels = w.labels ?? { app: w.name.length <= 63 ? w.name : w.name.slice(0, 40).replace(/[-.]+$/, '') };
  const kind = w.kind;
  if (mode === 'host-only') {
    // An orphan: a host object that claims to be synced from a virtual object which does not exist.
    const fake = { metadata: { name: w.name, namespace: w.namespace, uid: cryptoUid(), labels }, ...virtualBody(kind, w.namespace, w.name, labels) };
    fake.metadata.uid = cryptoUid();
    const twin = hostTwin(vc, kind, fake, true);
    const created = await vc.parentRest.ensure(objPath(kind, vc.namespace), twin);
    return { kind, apiVersion: kindInfo[kind]!.apiVersion, mode, host: { namespace: vc.namespace, name: created.metadata.name, uid: created.metadata.uid } };
  }
  if (!vc.virtual) throw new Error(`vcluster ${vc.namespace}/${vc.name} has no virtual API server`);
  const vrest = vc.virtual.rest;
  await ensureNamespace(vrest, w.namespace);
  let vObj = await vrest.ensure(objPath(kind, w.namespace), virtualBody(kind, w.namespace, w.name, labels));
  if (kind === 'Pod') {
    const now = nowIso();
    vObj = await vrest.patch(objPath(kind, w.namespace, w.name) + '/status', {
      status: {
        phase: 'Running',
        hostIP: '10.1.0.10',
        podIP: `10.244.1.${10 + Math.floor(Math.random() * 200)}`,
        startTime: now,
        conditions: [
          { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
          { type: 'Initialized', status: 'True', lastTransitionTime: now },
          { type: 'ContainersReady', status: 'True', lastTransitionTime: now },
          { type: 'Ready', status: 'True', lastTransitionTime: now },
        ],
        containerStatuses: [{ name: 'app', image: 'nginx:1.27', imageID: '', ready: true, started: true, restartCount: 0, state: { running: { startedAt: now } } }],
      },
    });
  }
  if (mode === 'virtual-only') {
    return { kind, apiVersion: kindInfo[kind]!.apiVersion, mode, virtual: { namespace: w.namespace, name: w.name, uid: vObj.metadata.uid } };
  }
  return syncToHost(vc, kind, vObj, mode);
}

function cryptoUid(): string {
  const h = randomBytes(16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

// ---- worlds ----------------------------------------------------------------------------------------------------------

function flatten(list: BuiltVCluster[]): BuiltVCluster[] {
  return list.flatMap((v) => [v, ...flatten(v.nested)]);
}

function makeWorld(host: HostCluster, vclusters: BuiltVCluster[]): World {
  return {
    host,
    vclusters,
    all: () => flatten(vclusters),
    find: (name, namespace) => {
      const hit = flatten(vclusters).find((v) => v.name === name && (namespace === undefined || v.namespace === namespace));
      if (!hit) throw new Error(`no vcluster ${namespace ?? '*'}/${name} in this world`);
      return hit;
    },
  };
}

/** Builds vclusters into the host (in parallel; nested ones go into their parent's virtual cluster). */
export async function buildWorld(host: HostCluster, specs: VClusterSpec[]): Promise<World> {
  const target: Target = { rest: host.rest, contextName: host.contextName, controllers: true, parents: [] };
  const vclusters = await Promise.all(specs.map((s) => buildVCluster(host, target, s)));
  return makeWorld(host, vclusters);
}

/** Adds a vcluster to an existing world (into the host, or into a parent vcluster's virtual cluster). */
export async function addVCluster(world: World, spec: VClusterSpec, parent?: BuiltVCluster): Promise<BuiltVCluster> {
  const target: Target = parent
    ? { rest: parent.virtual!.rest, contextName: parent.virtual!.contextName, controllers: false, parents: [...parent.parents, { namespace: parent.namespace, name: parent.name }], enclosing: parent }
    : { rest: world.host.rest, contextName: world.host.contextName, controllers: true, parents: [] };
  const built = await buildVCluster(world.host, target, spec);
  (parent ? parent.nested : world.vclusters).push(built);
  return built;
}

/** An orphan host object: labels and annotations say it was synced, but no virtual twin exists. */
export function createOrphanHostObject(vc: BuiltVCluster, kind: SyncedKind, virtualNamespace: string, name: string): Promise<BuiltObject> {
  return addWorkload(vc, { kind, namespace: virtualNamespace, name, mode: 'host-only' }).then((o) => (vc.objects.push(o), o));
}

/** An object that exists only in the virtual cluster. */
export function createVirtualOnlyObject(vc: BuiltVCluster, kind: SyncedKind | VirtualOnlyKind, namespace: string, name: string): Promise<BuiltObject> {
  return addWorkload(vc, { kind, namespace, name, mode: 'virtual-only' }).then((o) => (vc.objects.push(o), o));
}

/** A synced pair whose host object has the managed-by/namespace labels but none of the vcluster annotations. */
export function createUnannotatedSyncedObject(vc: BuiltVCluster, kind: SyncedKind, namespace: string, name: string): Promise<BuiltObject> {
  return addWorkload(vc, { kind, namespace, name, mode: 'unannotated' }).then((o) => (vc.objects.push(o), o));
}

/** A synced pair whose name is long enough that the host name is hashed (63-char rule). */
export function createLongNameSyncedObject(vc: BuiltVCluster, kind: SyncedKind = 'ConfigMap', namespace = 'long-names'): Promise<BuiltObject> {
  const name = 'a-very-long-configuration-object-name-that-will-not-fit-on-the-host';
  return addWorkload(vc, { kind, namespace, name }).then((o) => (vc.objects.push(o), o));
}

export interface RestrictedUser {
  user: string;
  namespace: string;
  kubeconfigPath: string;
  kubeconfig: string;
  contextName: string;
}

/**
 * A user who may only get/list/watch in one namespace (statefulsets, deployments, pods, services, secrets,
 * configmaps, events) and nothing cluster-wide: the product must fall back to per-namespace lists.
 */
export async function createRestrictedUser(host: HostCluster, namespace: string, user = 'restricted-dev', contextName = 'restricted'): Promise<RestrictedUser> {
  await ensureNamespace(host.rest, namespace);
  await host.rest.ensure(`/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/roles`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: `${user}-read`, namespace },
    rules: [
      { apiGroups: [''], resources: ['pods', 'services', 'secrets', 'configmaps', 'events', 'endpoints', 'persistentvolumeclaims'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['apps'], resources: ['statefulsets', 'deployments'], verbs: ['get', 'list', 'watch'] },
    ],
  });
  await host.rest.ensure(`/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/rolebindings`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: `${user}-read`, namespace },
    subjects: [{ kind: 'User', name: user, apiGroup: 'rbac.authorization.k8s.io' }],
    roleRef: { kind: 'Role', name: `${user}-read`, apiGroup: 'rbac.authorization.k8s.io' },
  });
  const kc = await host.userKubeconfig(user, [], contextName);
  return { user, namespace, kubeconfigPath: kc.path, kubeconfig: kc.yaml, contextName };
}

/** One RBAC rule of a tenant's Role. */
export interface TenantRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

export interface TenantUser extends RestrictedUser {
  /** How the user authenticates: a ServiceAccount's bound token, or a client certificate signed by the cluster CA. */
  credential: 'serviceAccountToken' | 'clientCertificate';
  /** The user name as the API server sees it (`kubectl auth whoami`). */
  username: string;
}

/** What a tenant may do in its namespace by default: read vclusters and their pods, and read secrets. */
export const TENANT_READ_RULES: TenantRule[] = [
  { apiGroups: ['apps'], resources: ['statefulsets', 'deployments'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [''], resources: ['pods', 'services', 'secrets', 'configmaps', 'events'], verbs: ['get', 'list', 'watch'] },
];

/**
 * A tenant: a user bound by a Role (the given rules) in ONE namespace and nothing cluster-wide, with a kubeconfig whose
 * context sets no namespace. The credential is a ServiceAccount token from the TokenRequest API (the user
 * system:serviceaccount:NS:NAME) or a client certificate (the user NAME).
 */
export async function createTenantUser(host: HostCluster, namespace: string, opts: { name: string; credential: TenantUser['credential']; rules?: TenantRule[]; contextName?: string }): Promise<TenantUser> {
  const { name } = opts;
  const contextName = opts.contextName ?? name;
  await ensureNamespace(host.rest, namespace);
  await host.rest.ensure(`/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/roles`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: `tenant-${name}`, namespace },
    rules: opts.rules ?? TENANT_READ_RULES,
  });
  const serviceAccount = opts.credential === 'serviceAccountToken';
  if (serviceAccount) {
    await host.rest.ensure(`/api/v1/namespaces/${namespace}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } });
  }
  await host.rest.ensure(`/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/rolebindings`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: `tenant-${name}`, namespace },
    subjects: [serviceAccount ? { kind: 'ServiceAccount', name, namespace } : { kind: 'User', name, apiGroup: 'rbac.authorization.k8s.io' }],
    roleRef: { kind: 'Role', name: `tenant-${name}`, apiGroup: 'rbac.authorization.k8s.io' },
  });
  if (serviceAccount) {
    const tr = await host.rest.request<KObject>('POST', `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds: 24 * 3600 },
    });
    const yaml = makeKubeconfig({ contextName, server: host.server, caPem: host.ca.certPem, token: tr.status.token as string });
    const file = path.join(host.dir, 'users', `tenant-${namespace}-${name}.kubeconfig`);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, yaml, { mode: 0o600 });
    return { user: name, username: `system:serviceaccount:${namespace}:${name}`, credential: opts.credential, namespace, kubeconfigPath: file, kubeconfig: yaml, contextName };
  }
  const kc = await host.userKubeconfig(name, [], contextName);
  return { user: name, username: name, credential: opts.credential, namespace, kubeconfigPath: kc.path, kubeconfig: kc.yaml, contextName };
}

/** The demo world's vclusters. */
export const demoSpecs: VClusterSpec[] = [
  {
    name: 'dev',
    namespace: 'team-a',
    access: 'loadbalancer',
    workloads: [
      { kind: 'Pod', namespace: 'default', name: 'web' },
      { kind: 'Service', namespace: 'default', name: 'web' },
      { kind: 'Endpoints', namespace: 'default', name: 'web' },
      { kind: 'ConfigMap', namespace: 'default', name: 'web-config' },
      { kind: 'Secret', namespace: 'default', name: 'web-credentials' },
      { kind: 'PersistentVolumeClaim', namespace: 'shop', name: 'orders-data' },
      { kind: 'Pod', namespace: 'shop', name: 'orders-api', labels: { app: 'orders', tier: 'backend' } },
      { kind: 'Deployment', namespace: 'shop', name: 'orders' },
      { kind: 'ConfigMap', namespace: 'shop', name: 'stale-config', mode: 'host-only' },
    ],
    nested: [
      {
        name: 'inner',
        namespace: 'nested',
        workloads: [{ kind: 'Pod', namespace: 'default', name: 'hello' }],
      },
    ],
  },
  { name: 'staging', namespace: 'team-b', state: 'Paused' },
  {
    name: 'qa',
    namespace: 'team-c',
    workloads: [
      { kind: 'Pod', namespace: 'tests', name: 'e2e-runner' },
      { kind: 'Service', namespace: 'tests', name: 'e2e-runner' },
    ],
  },
  { name: 'broken', namespace: 'team-c-broken', state: 'CrashLoopBackOff' },
  { name: 'legacy', namespace: 'legacy', version: '0.20.0', state: 'ScaledDown' },
  { name: 'nap', namespace: 'team-d', state: 'Sleeping', access: 'none' },
];

export interface DemoWorld extends World {
  restricted: RestrictedUser;
}

/** ≥2 host namespaces with vclusters, one paused, one with a nested vcluster, synced workloads, an RBAC-limited user. */
export async function buildDemoWorld(host: HostCluster): Promise<DemoWorld> {
  const world = await buildWorld(host, demoSpecs);
  await createLongNameSyncedObject(world.find('dev', 'team-a'));
  const restricted = await createRestrictedUser(host, 'team-a');
  return { ...world, restricted };
}
