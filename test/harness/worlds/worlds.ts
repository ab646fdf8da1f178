// Fixtures that lay vclusters out EXACTLY as the real Helm chart and syncer do, checked against the chart the real CLI
// installs (test/cluster/real-cli.test.ts) and against the real syncer's output on a real node
// (test/cluster/real-node-vcluster.test.ts). This file never imports from src/: the product's rules are tested against
// an independent encoding of vcluster's rules.
//
// Fixtures stand in for real vclusters where a real one does not fit: for scale (the benchmark's hundreds of
// vclusters; a real one costs about 540 MB and half a minute) and for states a real vcluster cannot reach quickly on a
// test machine — crash loops, the platform's sleep mode, other versions and distros, scaled-down and paused layouts
// built in bulk, LoadBalancer and exportKubeConfig endpoints, orphaned, unannotated and hashed-name host objects, users
// with little RBAC. Everything a real vcluster does quickly is tested on real ones (test/harness/node/realVCluster.ts).
//
// A "world" is a set of vclusters built into a host cluster (and, for nested ones, into virtual clusters), plus a
// description of everything that was built, so tests can compare what the product finds with what exists.
import { randomBytes } from 'node:crypto';
import { stringify as toYaml } from 'yaml';
import type { HostCluster, VirtualControlPlane } from '../cluster/controlPlane';
import { allocateLoopbackAddress } from '../cluster/ports';
import { type KObject, KubeRest } from '../cluster/rest';
import type { BuiltObject, BuiltVCluster, SyncedKind, VClusterSpec, VClusterState, VirtualOnlyKind, World } from './worldTypes';
import { DEFAULT_SERVER, DEFAULT_VERSION, versionAtLeast } from './vclusterRules';
import { type RestrictedUser, createRestrictedUser } from './tenantUsers';
import { addWorkload, syncToHost } from './syncerTwins';
import {
  b64,
  commonLabels,
  deepMerge,
  ensureNamespace,
  helmReleaseSecret,
  ownerRefTo,
  podStatusFor,
  podTemplate,
  vclusterConfig,
  vclusterKubeconfigSecret,
  waitForPod,
} from './chartObjects';

export * from './vclusterRules';
export * from './worldTypes';
export * from './tenantUsers';
export { encodeHelmRelease, podStatusFor } from './chartObjects';
export { addWorkload, kindInfo } from './syncerTwins';

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
  await rest.ensure(`${base}/serviceaccounts`, {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: `vc-${name}`, namespace: ns, labels, annotations: helmAnnotations },
  });
  await rest.ensure(`${base}/serviceaccounts`, {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: `vc-workload-${name}`, namespace: ns, labels, annotations: helmAnnotations },
  });
  await rest.ensure(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: `vc-${name}`, namespace: ns, labels, annotations: helmAnnotations },
    rules: [
      {
        apiGroups: [''],
        resources: ['configmaps', 'secrets', 'services', 'pods', 'pods/attach', 'pods/portforward', 'pods/exec', 'persistentvolumeclaims'],
        verbs: ['create', 'delete', 'patch', 'update', 'get', 'list', 'watch'],
      },
    ],
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
      const podName =
        kind === 'StatefulSet' ? `${name}-0` : `${name}-${randomBytes(5).toString('hex').slice(0, 10)}-${randomBytes(3).toString('hex').slice(0, 5)}`;
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
          labels: {
            ...template.metadata.labels,
            ...(kind === 'StatefulSet' ? { 'statefulset.kubernetes.io/pod-name': podName, 'apps.kubernetes.io/pod-index': '0' } : {}),
          },
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
    const vcSecret = vclusterKubeconfigSecret({
      name,
      namespace: ns,
      version,
      service,
      server: exportServer ?? DEFAULT_SERVER,
      ...(virtual ? { caPem: virtual.ca.certPem, certPem: virtual.admin.certPem, keyPem: virtual.admin.keyPem, token: virtual.token } : {}),
    });
    secretKubeconfig = vcSecret.kubeconfig;
    await rest.ensure(`${base}/secrets`, vcSecret.secret);
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

/**
 * Builds vclusters into the host (in parallel; nested ones go into their parent's virtual cluster). `controllers`
 * false: the host runs no statefulset controller (the benchmark's hosts), so the pods are laid out here.
 */
export async function buildWorld(host: HostCluster, specs: VClusterSpec[], opts: { controllers?: boolean } = {}): Promise<World> {
  const target: Target = { rest: host.rest, contextName: host.contextName, controllers: opts.controllers ?? true, parents: [] };
  const vclusters = await Promise.all(specs.map((s) => buildVCluster(host, target, s)));
  return makeWorld(host, vclusters);
}

/** Adds a vcluster to an existing world (into the host, or into a parent vcluster's virtual cluster). */
export async function addVCluster(world: World, spec: VClusterSpec, parent?: BuiltVCluster): Promise<BuiltVCluster> {
  const target: Target = parent
    ? {
        rest: parent.virtual!.rest,
        contextName: parent.virtual!.contextName,
        controllers: false,
        parents: [...parent.parents, { namespace: parent.namespace, name: parent.name }],
        enclosing: parent,
      }
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
