// Plain data shared by the domain layers, the tree, the public API and the webview. No vscode, no DOM, no Node.

/** A kubeconfig context as the extension shows it. */
export interface ContextInfo {
  readonly name: string;
  readonly cluster: string;
  readonly user: string;
  readonly namespace?: string;
  readonly server?: string;
  readonly current: boolean;
  /** The file of the merged KUBECONFIG list that defines the context. */
  readonly file: string;
  /** Set when the context name follows the vcluster CLI's `vcluster_<name>_<ns>_<parent>` convention. */
  readonly vcluster?: ParsedVClusterContext;
}

/** A context name `vcluster_<name>_<namespace>_<parentContext>` taken apart (src/vcluster/contextName.ts). */
export interface ParsedVClusterContext {
  readonly name: string;
  readonly namespace: string;
  /** The context the vcluster was found in: everything after the third `_`. */
  readonly parentContext: string;
}

/** Where a vcluster lives: the host context at the root, then the enclosing vclusters, outermost first. */
export interface VClusterRef {
  readonly context: string;
  readonly namespace: string;
  readonly name: string;
  readonly parents?: readonly ParentRef[];
}

export interface ParentRef {
  readonly namespace: string;
  readonly name: string;
}

/**
 * The status string exactly as `vcluster list` derives it (Paused, "Sleeping (workloads only)", a kubectl-style pod
 * status such as Running / Pending / CrashLoopBackOff / Init:0/3, ScaledDown, or "" when nothing is known).
 */
export type VClusterStatus = string;

/** The coarse state the tree uses for icons and menus. */
export type VClusterPhase = 'running' | 'paused' | 'sleeping' | 'pending' | 'failing' | 'scaledDown' | 'unknown';

export interface VClusterInfo {
  readonly ref: VClusterRef;
  readonly kind: 'StatefulSet' | 'Deployment';
  readonly status: VClusterStatus;
  readonly phase: VClusterPhase;
  /** Syncer image tag, as the CLI reads it ("" when it cannot be read). */
  readonly version: string;
  /** k8s, k3s, k0s or eks; undefined when unknown. */
  readonly distro?: string;
  /** ISO timestamp of the workload's creation. */
  readonly created?: string;
  /** The `chart` label (e.g. vcluster-0.36.1). */
  readonly chart?: string;
  readonly replicas: number;
  readonly paused: boolean;
  /** Kubeconfig context the extension or the CLI wrote for it, if present in the kubeconfig. */
  readonly connectedContext?: string;
  /** True when current-context is this vcluster's context. */
  readonly current: boolean;
  /** The API server address of its kubeconfig context, when connected. */
  readonly endpoint?: string;
  /** The platform's "prevent deletion" flag (`loft.sh/non-deletable=true`). */
  readonly nonDeletable: boolean;
  /**
   * Names of fields of its vc-NAME kubeconfig that were left out because a kubeconfig from a cluster may not use them
   * (`user.exec`, `user.auth-provider`, file paths, …), once the secret has been read; absent when nothing was.
   */
  readonly ignoredKubeconfigFields?: readonly string[];
}

/** A host namespace and what discovery found in it. */
export interface NamespaceInfo {
  readonly name: string;
  readonly vclusters: readonly VClusterInfo[];
}

/** Result of discovering one cluster (the host, or a virtual cluster for nested discovery). */
export interface DiscoveryResult {
  readonly namespaces: readonly NamespaceInfo[];
  /**
   * True when cluster-wide lists were forbidden and discovery searched single namespaces instead: the context's
   * namespace (or "default", as the vcluster CLI does) and the namespaces set to search for the context.
   */
  readonly restricted: boolean;
  /** Namespaces discovery could read when restricted. */
  readonly searchedNamespaces?: readonly string[];
  /** Namespaces searched (when restricted) whose lists the API server refused, with what it refused. */
  readonly refusedNamespaces?: readonly RefusedNamespace[];
  /** What the API server refused cluster-wide, when restricted. */
  readonly clusterWideDenial?: PermissionDenial;
  /** Number of API requests made. */
  readonly requests: number;
}

/** A namespace discovery was asked to search but could not read. */
export interface RefusedNamespace {
  readonly namespace: string;
  readonly message: string;
  readonly denial?: PermissionDenial;
}

// ---- Permissions ("what may I do here?") -------------------------------------------------------------------------

/** One request as RBAC sees it (what `kubectl auth can-i` asks about). `group` is "" for the core group. */
export interface Permission {
  readonly verb: string;
  readonly group: string;
  /** The resource, with "/subresource" when there is one (pods/portforward). */
  readonly resource: string;
  /** Undefined: cluster-wide. */
  readonly namespace?: string;
  readonly name?: string;
}

/** A request the API server refused, and for whom. */
export interface PermissionDenial extends Permission {
  readonly user: string;
}

export type VClusterAction = 'list' | 'create' | 'delete' | 'pause' | 'resume' | 'connect' | 'upgrade';

/** What the user of a context may do with vclusters in one namespace. */
export interface PermissionSummary {
  readonly namespace: string;
  /** As `kubectl auth whoami` names the user, when the server says. */
  readonly user?: string;
  readonly checkedAt: string;
  readonly actions: readonly { readonly action: VClusterAction; readonly allowed: boolean; readonly missing: readonly Permission[] }[];
}

// ---- Mapping (virtual → host) ---------------------------------------------------------------------------------

/** The kinds the mapping shows, in display order (src/vcluster/mapping.ts says how each is listed and watched). */
export const MAPPING_KINDS = ['Pod', 'Service', 'Endpoints', 'ConfigMap', 'Secret', 'PersistentVolumeClaim', 'Ingress', 'ServiceAccount'] as const;
export type MappingKind = (typeof MAPPING_KINDS)[number];

export const SYNC_STATES = ['synced', 'virtual-only', 'host-only'] as const;
export type SyncState = (typeof SYNC_STATES)[number];

export interface MappingRow {
  readonly kind: MappingKind;
  readonly virtualNamespace?: string;
  readonly virtualName?: string;
  readonly hostNamespace?: string;
  readonly hostName?: string;
  readonly virtualStatus?: string;
  readonly hostStatus?: string;
  readonly state: SyncState;
  /** How the row was joined: through the host annotations, or by the name rule as a fallback. */
  readonly joinedBy?: 'annotation' | 'name';
}

export interface MappingSummary {
  readonly synced: number;
  readonly virtualOnly: number;
  readonly hostOnly: number;
  readonly byKind: Readonly<Record<string, { synced: number; virtualOnly: number; hostOnly: number }>>;
}

export interface MappingModel {
  readonly vcluster: VClusterRef;
  readonly hostNamespace: string;
  readonly rows: readonly MappingRow[];
  readonly summary: MappingSummary;
  /** Kinds that could not be read (e.g. forbidden), with the reason. */
  readonly errors: readonly { kind: MappingKind; side: 'virtual' | 'host'; message: string }[];
  readonly fetchedAt: string;
}

// ---- Inside a vcluster --------------------------------------------------------------------------------------------

/** The kinds of objects the tree, the commands and listResources() show inside a vcluster. */
export const RESOURCE_KIND_NAMES = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'Service', 'ConfigMap'] as const;
export type ResourceKind = (typeof RESOURCE_KIND_NAMES)[number];

/**
 * An object of any other kind a vcluster serves (found through its API discovery, custom resources included), as
 * listResources() shows it: its metadata only.
 */
export interface OtherResourceInfo {
  /** The Kind as the API server names it ("Widget"). */
  readonly kind: string;
  /** The API group ("example.com"); "" for the core group. */
  readonly group: string;
  readonly version: string;
  /** The resource name ("widgets"). */
  readonly resource: string;
  /** Absent for cluster-scoped kinds. */
  readonly namespace?: string;
  readonly name: string;
  /** ISO timestamp of its creation. */
  readonly created?: string;
}

/** What listResources() returns: ResourceInfo for the kinds of RESOURCE_KIND_NAMES, OtherResourceInfo for the rest. */
export type AnyResourceInfo = ResourceInfo | OtherResourceInfo;

/** An object inside a virtual cluster, as the tree and listResources() show it. */
export interface ResourceInfo {
  readonly kind: ResourceKind;
  readonly namespace: string;
  readonly name: string;
  /** kubectl get's STATUS (pods), the service type, or Ready / Progressing / Complete for workloads; "" when none. */
  readonly status: string;
  /** "ready/desired" (pods: ready containers / containers). */
  readonly ready?: string;
  readonly restarts?: number;
  /** ISO timestamp of its creation. */
  readonly created?: string;
  /** Pods: the names of their containers. */
  readonly containers?: readonly string[];
  /** Services: their ports. */
  readonly ports?: readonly { readonly port: number; readonly name?: string; readonly protocol?: string }[];
  /** For kinds the syncer copies to the cluster the vcluster runs in: the object it became there. */
  readonly host?: { readonly namespace: string; readonly name: string };
}
