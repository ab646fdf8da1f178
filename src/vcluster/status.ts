import { parseDocument } from 'yaml';
import type { Pod, Workload } from '../kube/types';
import type { VClusterPhase } from '../shared/model';

// Status exactly as the vcluster CLI derives it (pkg/cli/find/find.go getVCluster and GetPodStatus, v0.36.1), so
// that the tree and `vcluster list` agree.

export const PAUSED_ANNOTATION = 'loft.sh/paused';
export const RESTORING_ANNOTATION = 'loft.sh/restoring';
export const PAUSED_REPLICAS_ANNOTATION = 'loft.sh/paused-replicas';
export const PAUSED_DATE_ANNOTATION = 'loft.sh/paused-date';
export const SLEEP_MODE_LABEL = 'loft.sh/sleep-mode';
export const SLEEP_TYPE_ANNOTATION = 'sleepmode.loft.sh/sleep-type';
export const NON_DELETABLE_ANNOTATION = 'loft.sh/non-deletable';

/** The labels of a vcluster's control-plane workload and pods, as the chart sets them and the CLI selects them. */
export function controlPlaneSelector(name: string): string {
  return `app=vcluster,release=${name}`;
}

export const STATUS_PAUSED = 'Paused';
export const STATUS_WORKLOAD_SLEEPING = 'Sleeping (workloads only)';
export const STATUS_SCALED_DOWN = 'ScaledDown';

/** kubectl-style pod status, a line-by-line port of the CLI's GetPodStatus. */
export function podStatus(pod: Pod): string {
  let reason = pod.status?.phase ?? '';
  if (pod.status?.reason) reason = pod.status.reason;
  let initializing = false;
  const inits = pod.status?.initContainerStatuses ?? [];
  for (let i = 0; i < inits.length; i++) {
    const c = inits[i]!;
    const st = c.state ?? {};
    if (st.terminated && st.terminated.exitCode === 0) continue;
    if (st.terminated) {
      if (!st.terminated.reason) {
        reason = st.terminated.signal ? `Init:Signal:${st.terminated.signal}` : `Init:ExitCode:${st.terminated.exitCode}`;
      } else {
        reason = `Init:${st.terminated.reason}`;
      }
      initializing = true;
    } else if (st.waiting && st.waiting.reason && st.waiting.reason !== 'PodInitializing') {
      reason = `Init:${st.waiting.reason}`;
      initializing = true;
    } else {
      reason = `Init:${i}/${pod.spec?.initContainers?.length ?? 0}`;
      initializing = true;
    }
    break;
  }
  if (!initializing) {
    let hasRunning = false;
    const cs = pod.status?.containerStatuses ?? [];
    for (let i = cs.length - 1; i >= 0; i--) {
      const c = cs[i]!;
      const st = c.state ?? {};
      if (st.waiting && st.waiting.reason) reason = st.waiting.reason;
      else if (st.terminated && st.terminated.reason) reason = st.terminated.reason;
      else if (st.terminated && !st.terminated.reason) {
        reason = st.terminated.signal ? `Signal:${st.terminated.signal}` : `ExitCode:${st.terminated.exitCode}`;
      } else if (c.ready && st.running) hasRunning = true;
    }
    if (reason === 'Completed' && hasRunning) reason = 'Running';
  }
  if (pod.metadata.deletionTimestamp && pod.status?.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp) reason = 'Terminating';
  return reason;
}

// Labels and annotations read from a list are a server's data: a value may be a number, an object or null (JSON
// allows it, an odd or hostile server sends it), and such a value is no value here, as client-go's decoder refuses
// an object whose labels are not strings.

/** The string labels or annotations of an object; entries with other values are left out. */
export function stringEntries(map: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof map !== 'object' || map === null || Array.isArray(map)) return out;
  for (const [k, v] of Object.entries(map as Record<string, unknown>)) if (typeof v === 'string') out[k] = v;
  return out;
}

function stringValue(map: unknown, key: string): string | undefined {
  if (typeof map !== 'object' || map === null || !Object.prototype.hasOwnProperty.call(map, key)) return undefined;
  const v = (map as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : undefined;
}

/** A label of an object when it is a string. */
export function label(o: { metadata?: { labels?: unknown } }, key: string): string | undefined {
  return stringValue(o.metadata?.labels, key);
}

/** An annotation of an object when it is a string. */
export function annotation(o: { metadata?: { annotations?: unknown } }, key: string): string | undefined {
  return stringValue(o.metadata?.annotations, key);
}

export function isPaused(w: Workload): boolean {
  return annotation(w, PAUSED_ANNOTATION) === 'true' || label(w, SLEEP_MODE_LABEL) === 'true';
}

/**
 * The CLI's status: Paused; else "Sleeping (workloads only)" when the config secret carries the sleep-type
 * annotation; else the status of the last control-plane pod (app=vcluster,release=NAME, in list order); else
 * ScaledDown when spec.replicas is 0; else "".
 */
export function vclusterStatus(workload: Workload, pods: readonly Pod[], configSecretAnnotations?: Record<string, string>): string {
  if (isPaused(workload)) return STATUS_PAUSED;
  if (typeof configSecretAnnotations === 'object' && configSecretAnnotations !== null && SLEEP_TYPE_ANNOTATION in configSecretAnnotations)
    return STATUS_WORKLOAD_SLEEPING;
  if (pods.length > 0) return podStatus(pods[pods.length - 1]!);
  if (workload.spec?.replicas === 0) return STATUS_SCALED_DOWN;
  return '';
}

const FAILING =
  /^(CrashLoopBackOff|Error|ImagePullBackOff|ErrImagePull|InvalidImageName|CreateContainerConfigError|CreateContainerError|RunContainerError|OOMKilled|ContainerCannotRun|Failed|Evicted|Init:(?!\d+\/\d+$).+|ExitCode:.*|Signal:.*|StartError|Unknown)$/;
const PENDING = /^(Pending|ContainerCreating|PodInitializing|Init:\d+\/\d+|Terminating)$/;

/** Coarse phase for icons and menus. */
export function phaseOf(status: string): VClusterPhase {
  if (status === STATUS_PAUSED) return 'paused';
  if (status === STATUS_WORKLOAD_SLEEPING) return 'sleeping';
  if (status === STATUS_SCALED_DOWN) return 'scaledDown';
  if (status === 'Running') return 'running';
  if (status === '') return 'unknown';
  if (PENDING.test(status)) return 'pending';
  if (FAILING.test(status)) return 'failing';
  return 'unknown';
}

/** Version as the CLI reads it: the tag of the `syncer` container image, "" unless the image splits into 2 parts. */
export function syncerVersion(w: Workload): string {
  const c = w.spec?.template?.spec?.containers?.find((x) => x.name === 'syncer');
  const parts = (c?.image ?? '').split(':');
  return parts.length === 2 ? parts[1]! : '';
}

/** A vcluster config longer than a Secret can hold is not read for the distro (Kubernetes caps a Secret at 1 MiB). */
const MAX_CONFIG_CHARS = 1024 * 1024;
const DISTROS = ['k3s', 'k0s', 'k8s'] as const;

/**
 * The distro a vcluster config enables: `controlPlane.distro.<d>.enabled` (0.20+), or `distro.<d>.enabled` and
 * `<d>.enabled` at the top as older configs wrote it. The config comes from the cluster (Secret vc-config-NAME), so it
 * is parsed, bounded in size and aliases, and read by key: no pattern over its text.
 */
export function distroFromConfig(configYaml: string): string | undefined {
  if (configYaml.length > MAX_CONFIG_CHARS) return undefined;
  let cfg: unknown;
  try {
    const doc = parseDocument(configYaml, { prettyErrors: false, uniqueKeys: false, logLevel: 'silent' });
    if (doc.errors.length) return undefined;
    cfg = doc.toJS({ maxAliasCount: 100 });
  } catch {
    return undefined;
  }
  const obj = (v: unknown): Record<string, unknown> | undefined =>
    v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  const root = obj(cfg);
  if (!root) return undefined;
  const layouts = [obj(obj(root.controlPlane)?.distro), obj(root.distro), root];
  for (const d of DISTROS) {
    for (const parent of layouts) {
      const enabled = obj(parent?.[d])?.enabled;
      if (enabled === true || enabled === 'true') return d;
    }
  }
  return undefined;
}

/**
 * Distro from the config (distroFromConfig), else from the pod template and the chart label: the 0.19 charts are
 * named per distro (vcluster-k8s-…, vcluster-k0s-…, vcluster-eks-…; plain "vcluster-" was k3s); 0.20+ templates show
 * k3s/k0s through the image of the init container `vcluster`, and k8s through the kube-apiserver init container. From
 * 0.33 only k8s exists.
 */
export function distroOf(w: Workload, configYaml?: string): string | undefined {
  const fromConfig = configYaml ? distroFromConfig(configYaml) : undefined;
  if (fromConfig) return fromConfig;
  const spec = w.spec?.template?.spec;
  const images = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])].map((c) => c.image ?? '');
  if (images.some((i) => /rancher\/k3s/.test(i))) return 'k3s';
  if (images.some((i) => /k0sproject\/k0s/.test(i))) return 'k0s';
  if ((spec?.initContainers ?? []).some((c) => c.name === 'kube-apiserver')) return 'k8s';
  const chart = w.metadata.labels?.chart ?? '';
  const m = /^vcluster-(k8s|k0s|eks)-\d/.exec(chart);
  if (m) return m[1];
  if (/^vcluster-0\.1\d\./.test(chart)) return 'k3s';
  if (/^vcluster-\d/.test(chart)) {
    const minor = Number(/^vcluster-0\.(\d+)\./.exec(chart)?.[1] ?? '0');
    if (minor >= 33) return 'k8s';
  }
  return undefined;
}
