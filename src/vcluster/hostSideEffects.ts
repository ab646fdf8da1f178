// What values of a vcluster.yaml do in the HOST cluster when the chart renders them (vcluster 0.36.1's chart
// templates): objects it deploys there, RBAC it grants, what the control-plane pod runs and mounts. The upgrade plan
// (upgrade.ts) names these before values read from the cluster are applied with the user's rights. Values and the
// names inside them are cluster data: they are listed as text, never acted on. No vscode import.
import { parseAllDocuments } from 'yaml';

export interface HostSideEffect {
  /** The dotted key path set in the values, e.g. experimental.deploy.host.manifests. */
  readonly path: string;
  /** What it makes happen in the host cluster. */
  readonly what: string;
}

/**
 * Keys of vcluster.yaml that act in the host cluster beyond the vcluster's own workload: objects the chart renders
 * (applied with the rights of whoever runs the upgrade), rights it grants the vcluster, and what the vcluster pod runs,
 * mounts and runs as (chart/templates of v0.36.1: manifests.yaml, _rbac.tpl, clusterrole.yaml, role.yaml, _plugin.tpl,
 * statefulset.yaml, _persistence.tpl, etcd-statefulset.yaml, serviceaccount.yaml; the distro's and hostPathMapper's
 * settings reach the pod through the config Secret, config/config.go v0.36.1).
 */
const HOST_SIDE_KEYS: readonly {
  readonly path: string;
  readonly what: string;
  readonly evenDisabled?: boolean;
  /** Named only when this holds (default: whenever the key is set to something that is not inert). */
  readonly when?: (v: unknown) => boolean;
}[] = [
  { path: 'experimental.deploy.host.manifests', what: 'objects created in the host cluster exactly as written (any kind, in any namespace)' },
  { path: 'experimental.deploy.host.manifestsTemplate', what: 'a Helm template rendered into objects created in the host cluster' },
  { path: 'rbac.clusterRole', what: 'the cluster-wide rights the vcluster gets in the host (its ClusterRole)' },
  { path: 'rbac.role', what: 'the rights the vcluster gets in its host namespace (its Role)' },
  { path: 'rbac.enableVolumeSnapshotRules', what: 'extra rights of the vcluster in the host' },
  { path: 'plugins', what: 'plugin containers in the vcluster pod, with their own images, commands and rights' },
  { path: 'plugin', what: 'plugin containers in the vcluster pod, with their own images, commands and rights' },
  { path: 'controlPlane.statefulSet.image', what: 'the image the vcluster pod runs' },
  { path: 'controlPlane.statefulSet.command', what: 'the command the vcluster pod runs' },
  { path: 'controlPlane.statefulSet.args', what: 'the arguments of the vcluster pod' },
  { path: 'controlPlane.statefulSet.env', what: 'environment variables of the vcluster pod' },
  { path: 'controlPlane.statefulSet.workingDir', what: 'the working directory of the vcluster pod' },
  { path: 'controlPlane.statefulSet.initContainers', what: 'extra containers in the vcluster pod' },
  { path: 'controlPlane.statefulSet.sidecarContainers', what: 'extra containers in the vcluster pod' },
  { path: 'controlPlane.statefulSet.security', what: 'the security context of the vcluster pod (e.g. privileged, run as root)' },
  { path: 'controlPlane.statefulSet.persistence.addVolumes', what: 'extra volumes of the vcluster pod (e.g. host paths)' },
  { path: 'controlPlane.statefulSet.persistence.addVolumeMounts', what: 'extra volume mounts of the vcluster pod' },
  { path: 'controlPlane.statefulSet.runtimeClassName', what: 'the runtime class of the vcluster pod' },
  { path: 'controlPlane.hostPathMapper', what: 'host paths of the nodes (pod logs) mounted into the vcluster pod' },
  { path: 'controlPlane.distro.k8s.image', what: 'the Kubernetes image the vcluster pod runs' },
  { path: 'controlPlane.distro.k8s.env', what: 'environment variables of the vcluster pod' },
  { path: 'controlPlane.distro.k8s.securityContext', what: 'the security context of the vcluster pod' },
  { path: 'controlPlane.distro.k8s.apiServer', what: 'the command, image or extra arguments of the virtual API server' },
  { path: 'controlPlane.distro.k8s.controllerManager', what: 'the command, image or extra arguments of the virtual controller manager' },
  { path: 'controlPlane.distro.k8s.scheduler', what: 'the command, image or extra arguments of the virtual scheduler' },
  { path: 'controlPlane.backingStore.etcd.deploy.statefulSet', what: 'the image, arguments, environment, volumes and security of the etcd pods' },
  { path: 'controlPlane.advanced.serviceAccount', what: 'the host service account the vcluster pod runs as (it can name an existing one)', evenDisabled: true },
  { path: 'controlPlane.advanced.workloadServiceAccount', what: 'the host service account the synced workloads run as', evenDisabled: true },
  { path: 'controlPlane.advanced.globalMetadata', what: 'labels and annotations on every object the chart creates' },
  { path: 'sync.toHost.namespaces', what: 'host namespaces created by the vcluster (a ClusterRole)' },
  { path: 'sync.toHost.persistentVolumes', what: 'host persistent volumes managed by the vcluster (a ClusterRole)' },
  { path: 'sync.toHost.storageClasses', what: 'host storage classes managed by the vcluster (a ClusterRole)' },
  { path: 'sync.toHost.priorityClasses', what: 'host priority classes managed by the vcluster (a ClusterRole)' },
  { path: 'sync.toHost.customResources', what: 'host custom resources managed by the vcluster (rights on them)' },
  { path: 'sync.fromHost.nodes', what: 'host nodes read, and with syncBackChanges changed, by the vcluster (a ClusterRole)' },
  { path: 'sync.fromHost.secrets', what: 'host Secrets of other namespaces read by the vcluster' },
  { path: 'sync.fromHost.configMaps', what: 'host ConfigMaps of other namespaces read by the vcluster' },
  { path: 'sync.fromHost.customResources', what: 'host custom resources read by the vcluster (a ClusterRole)' },
  { path: 'networking.replicateServices.fromHost', what: 'host Services of other namespaces read by the vcluster' },
  { path: 'exportKubeConfig.secret.namespace', what: "a Secret with the vcluster's kubeconfig written into another host namespace" },
  {
    path: 'exportKubeConfig.additionalSecrets',
    what: "Secrets with the vcluster's kubeconfig written into other host namespaces",
    when: (v) =>
      Array.isArray(v) && v.some((x) => typeof (x as { namespace?: unknown } | null)?.namespace === 'string' && (x as { namespace: string }).namespace !== ''),
  },
];

function at(values: unknown, path: string): unknown {
  let cur = values;
  for (const k of path.split('.')) {
    if (!cur || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, k)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/**
 * A value that does nothing: null, empty, or `enabled: false` (and such) all the way down. `evenDisabled`: the key acts
 * without being enabled (a service account with enabled: false and a name runs the pod as that existing account).
 */
function inert(v: unknown, evenDisabled = false): boolean {
  if (v === null || v === undefined || v === false || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (o.enabled === false && !evenDisabled) return true;
    return Object.entries(o).every(([k, x]) => (evenDisabled && k === 'enabled') || inert(x));
  }
  return false;
}

const MAX_LISTED = 6;

/** The objects a manifests string creates, as `Kind name` (a binding also names its role), for the confirmation. */
export function manifestObjects(text: string): string[] {
  const out: string[] = [];
  let docs;
  try {
    docs = parseAllDocuments(text.slice(0, 1024 * 1024));
  } catch {
    return out;
  }
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    if (doc.errors.length) continue;
    let o: unknown;
    try {
      o = doc.toJS({ maxAliasCount: 100 });
    } catch {
      continue;
    }
    if (!o || typeof o !== 'object' || Array.isArray(o)) continue;
    const m = o as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown }; roleRef?: { kind?: unknown; name?: unknown } };
    if (m.kind === undefined) continue;
    // Names from the cluster are shown as data: word characters only, clipped.
    const clip = (v: unknown) =>
      String(v)
        .replace(/[^\w.:/-]/g, '?')
        .slice(0, 63);
    let s = `${clip(m.kind)} ${m.metadata?.name !== undefined ? clip(m.metadata.name) : '(no name)'}`;
    if (m.metadata?.namespace) s += ` in ${clip(m.metadata.namespace)}`;
    if (m.roleRef?.name) s += ` → ${clip(m.roleRef.kind ?? 'role')} ${clip(m.roleRef.name)}`;
    out.push(s);
  }
  return out;
}

/** The host-side effects that values ask for, in the order of HOST_SIDE_KEYS. */
export function hostSideEffects(values: Record<string, unknown>): HostSideEffect[] {
  const out: HostSideEffect[] = [];
  for (const k of HOST_SIDE_KEYS) {
    const v = at(values, k.path);
    if (inert(v, k.evenDisabled) || (k.when && !k.when(v))) continue;
    let what = k.what;
    if (k.path === 'experimental.deploy.host.manifests' && typeof v === 'string') {
      const objs = manifestObjects(v);
      if (objs.length) what += `: ${objs.slice(0, MAX_LISTED).join(', ')}${objs.length > MAX_LISTED ? ` and ${objs.length - MAX_LISTED} more` : ''}`;
    }
    out.push({ path: k.path, what });
  }
  return out;
}
