import { UserFacingError } from '../shared/errors';
import { MAPPING_KINDS, RESOURCE_KIND_NAMES } from '../shared/model';

// The one table of the built-in Kubernetes kinds the extension knows by name: where each is served (group, version,
// resource), whether it lives in a namespace, and which are listed as metadata only. Everything else a virtual
// cluster serves (other built-in kinds, custom resources) is found through API discovery (apiDiscovery.ts) and
// needs no entry here. The lists below are subsets of the table, in the order the extension shows them.

export interface KindInfo {
  readonly kind: string;
  /** The resource name: the plural, lower case ("deployments"). */
  readonly resource: string;
  /** The API group; "" for the core group. */
  readonly group: string;
  readonly version: string;
  readonly namespaced: boolean;
  /** The plural as a folder or heading shows it ("Deployments"). */
  readonly title: string;
  /**
   * Listed as metadata only (PartialObjectMetadataList): the data of Secrets and ConfigMaps is never requested for
   * a list. Secrets go further (`secret`): their values are never shown, only their key names.
   */
  readonly metadataOnly?: boolean;
  readonly secret?: boolean;
}

/** The built-in kinds, by name. Versions are the GA ones of Kubernetes 1.34 (all served since 1.22 or earlier). */
export const KINDS = {
  // namespaced, core
  Pod: { kind: 'Pod', resource: 'pods', group: '', version: 'v1', namespaced: true, title: 'Pods' },
  Service: { kind: 'Service', resource: 'services', group: '', version: 'v1', namespaced: true, title: 'Services' },
  Endpoints: { kind: 'Endpoints', resource: 'endpoints', group: '', version: 'v1', namespaced: true, title: 'Endpoints', metadataOnly: true },
  ConfigMap: { kind: 'ConfigMap', resource: 'configmaps', group: '', version: 'v1', namespaced: true, title: 'ConfigMaps', metadataOnly: true },
  Secret: { kind: 'Secret', resource: 'secrets', group: '', version: 'v1', namespaced: true, title: 'Secrets', metadataOnly: true, secret: true },
  PersistentVolumeClaim: {
    kind: 'PersistentVolumeClaim',
    resource: 'persistentvolumeclaims',
    group: '',
    version: 'v1',
    namespaced: true,
    title: 'PersistentVolumeClaims',
  },
  ServiceAccount: {
    kind: 'ServiceAccount',
    resource: 'serviceaccounts',
    group: '',
    version: 'v1',
    namespaced: true,
    title: 'ServiceAccounts',
    metadataOnly: true,
  },
  Event: { kind: 'Event', resource: 'events', group: '', version: 'v1', namespaced: true, title: 'Events' },
  // namespaced, groups
  Deployment: { kind: 'Deployment', resource: 'deployments', group: 'apps', version: 'v1', namespaced: true, title: 'Deployments' },
  StatefulSet: { kind: 'StatefulSet', resource: 'statefulsets', group: 'apps', version: 'v1', namespaced: true, title: 'StatefulSets' },
  DaemonSet: { kind: 'DaemonSet', resource: 'daemonsets', group: 'apps', version: 'v1', namespaced: true, title: 'DaemonSets' },
  ReplicaSet: { kind: 'ReplicaSet', resource: 'replicasets', group: 'apps', version: 'v1', namespaced: true, title: 'ReplicaSets' },
  Job: { kind: 'Job', resource: 'jobs', group: 'batch', version: 'v1', namespaced: true, title: 'Jobs' },
  CronJob: { kind: 'CronJob', resource: 'cronjobs', group: 'batch', version: 'v1', namespaced: true, title: 'CronJobs' },
  Ingress: { kind: 'Ingress', resource: 'ingresses', group: 'networking.k8s.io', version: 'v1', namespaced: true, title: 'Ingresses' },
  NetworkPolicy: { kind: 'NetworkPolicy', resource: 'networkpolicies', group: 'networking.k8s.io', version: 'v1', namespaced: true, title: 'NetworkPolicies' },
  Role: { kind: 'Role', resource: 'roles', group: 'rbac.authorization.k8s.io', version: 'v1', namespaced: true, title: 'Roles' },
  RoleBinding: { kind: 'RoleBinding', resource: 'rolebindings', group: 'rbac.authorization.k8s.io', version: 'v1', namespaced: true, title: 'RoleBindings' },
  // cluster-scoped
  Namespace: { kind: 'Namespace', resource: 'namespaces', group: '', version: 'v1', namespaced: false, title: 'Namespaces' },
  Node: { kind: 'Node', resource: 'nodes', group: '', version: 'v1', namespaced: false, title: 'Nodes' },
  PersistentVolume: { kind: 'PersistentVolume', resource: 'persistentvolumes', group: '', version: 'v1', namespaced: false, title: 'PersistentVolumes' },
  StorageClass: { kind: 'StorageClass', resource: 'storageclasses', group: 'storage.k8s.io', version: 'v1', namespaced: false, title: 'StorageClasses' },
  ClusterRole: { kind: 'ClusterRole', resource: 'clusterroles', group: 'rbac.authorization.k8s.io', version: 'v1', namespaced: false, title: 'ClusterRoles' },
  ClusterRoleBinding: {
    kind: 'ClusterRoleBinding',
    resource: 'clusterrolebindings',
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    namespaced: false,
    title: 'ClusterRoleBindings',
  },
  IngressClass: { kind: 'IngressClass', resource: 'ingressclasses', group: 'networking.k8s.io', version: 'v1', namespaced: false, title: 'IngressClasses' },
  CustomResourceDefinition: {
    kind: 'CustomResourceDefinition',
    resource: 'customresourcedefinitions',
    group: 'apiextensions.k8s.io',
    version: 'v1',
    namespaced: false,
    title: 'CustomResourceDefinitions',
  },
} as const satisfies { readonly [K in string]: KindInfo & { readonly kind: K } };

export type BuiltinKind = keyof typeof KINDS;

/** The kinds a vcluster's tree shows inside it today, in order (the names of src/shared/model.ts RESOURCE_KIND_NAMES). */
export const INSIDE_KINDS = RESOURCE_KIND_NAMES satisfies readonly BuiltinKind[];

/** The kinds the virtual → host mapping shows (src/shared/model.ts MAPPING_KINDS): all in the table. */
export const MAPPED_KIND_NAMES = MAPPING_KINDS satisfies readonly BuiltinKind[];

/** The common kinds of a namespace, in the order shown: the inside kinds first, then the rest. */
export const COMMON_NAMESPACED_KINDS = [
  ...INSIDE_KINDS,
  'Ingress',
  'PersistentVolumeClaim',
  'Secret',
  'ServiceAccount',
  'Role',
  'RoleBinding',
  'CronJob',
  'ReplicaSet',
  'NetworkPolicy',
] as const satisfies readonly BuiltinKind[];

/** The cluster-scoped kinds of a vcluster's "Cluster" folder, in order. */
export const CLUSTER_FOLDER_KINDS = [
  'Node',
  'PersistentVolume',
  'StorageClass',
  'ClusterRole',
  'ClusterRoleBinding',
  'IngressClass',
  'CustomResourceDefinition',
] as const satisfies readonly BuiltinKind[];

/** The table entry of a built-in kind. */
export function builtinKind(kind: BuiltinKind): KindInfo {
  return KINDS[kind];
}

/** Whether a name is one of the table's kinds (exactly, as Kubernetes spells it). */
export function isBuiltinKind(name: string): name is BuiltinKind {
  return Object.prototype.hasOwnProperty.call(KINDS, name);
}

// What a path segment taken from the table or from discovery may be (apiDiscovery.ts admits nothing else): DNS labels
// and subdomains, lower case. A name outside these never reaches a URL.
const GROUP = /^(?:[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*)?$/;
const SEGMENT = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/;

/** Where a resource is served, as a path builder needs it (a KindInfo, or a resource found by discovery). */
export interface ResourceLocation {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly namespaced: boolean;
}

/**
 * The REST path of a resource: `/api/v1/…` for the core group, `/apis/GROUP/VERSION/…` otherwise; in a namespace
 * for a namespaced resource given one (without one: the list across all namespaces), then the object's name and a
 * subresource when given. Throws on a group, version or resource that is not a Kubernetes name.
 */
export function resourcePath(r: ResourceLocation, o: { readonly namespace?: string; readonly name?: string; readonly subresource?: string } = {}): string {
  if (!GROUP.test(r.group) || !SEGMENT.test(r.version) || !SEGMENT.test(r.resource) || (o.subresource !== undefined && !SEGMENT.test(o.subresource)))
    throw new Error(`Not a resource path: ${JSON.stringify([r.group, r.version, r.resource, o.subresource])}`);
  // "." and ".." pass encodeURIComponent unchanged and a URL resolves them: never a namespace or name.
  for (const x of [o.namespace, o.name]) if (x === '.' || x === '..') throw new UserFacingError(`"${x}" is not the name of a namespace or an object.`);
  let p = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  if (r.namespaced && o.namespace) p += `/namespaces/${encodeURIComponent(o.namespace)}`;
  p += `/${r.resource}`;
  if (o.name !== undefined) p += `/${encodeURIComponent(o.name)}`;
  if (o.subresource !== undefined) p += `/${o.subresource}`;
  return p;
}

/** "deployments.apps", "pods": the resource as kubectl and RBAC messages name it. */
export function groupResource(r: { readonly resource: string; readonly group: string }): string {
  return r.group ? `${r.resource}.${r.group}` : r.resource;
}
