// What a world is made of: the specs tests write (VClusterSpec, WorkloadSpec) and the description of what was built.
import type { HostCluster, VirtualControlPlane } from '../cluster/controlPlane';
import type { KubeRest } from '../cluster/rest';

/** The status `vcluster list` would print; the fixture makes the cluster look exactly like that. */
export type VClusterState =
  'Running' | 'Pending' | 'ContainerCreating' | 'CrashLoopBackOff' | `Init:${number}/${number}` | 'Paused' | 'ScaledDown' | 'Sleeping';

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
