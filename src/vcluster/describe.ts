import { X509Certificate } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { eventTime, type KubeEvent, type Pod, type Secret, type Service, type Workload } from '../kube/types';
import type { CertificateDetails, ContainerDetails, ContextPointer, EventDetails, PodDetails, VClusterDetails } from '../shared/describe';
import type { ContextInfo, VClusterRef } from '../shared/model';
import { redact } from '../shared/redact';
import type { HelmReleaseStatus } from './config/helmRelease';
import {
  PAUSED_DATE_ANNOTATION,
  PAUSED_REPLICAS_ANNOTATION,
  SLEEP_MODE_LABEL,
  SLEEP_TYPE_ANNOTATION,
  distroOf,
  isPaused,
  phaseOf,
  podStatus,
  syncerVersion,
  vclusterStatus,
} from './status';
import { contextNameFor } from './refs';

// `vcluster describe` and `vcluster certs check` for one vcluster, read from the cluster it runs in (its host, or the
// vcluster around a nested one) — never from the virtual cluster, so that describing a sleeping vcluster does not wake
// it. What the CLI prints (pkg/cli/describe_helm.go, pkg/cli/certs/check_helm.go, v0.36.1) plus why the status is what
// it is. No secret data leaves this module: the certificate secret yields names and expiry dates, the config secret its
// annotations and a few settings. No vscode import. This file builds what is shown from what was read (pure, tested
// with recorded objects); describeRead.ts reads and watches it.

/** Annotations of the vCluster Platform's sleep mode on the config secret (loft-sh/agentapi sleepmodeconfig_types.go). */
export const SLEEPING_SINCE_ANNOTATION = 'sleepmode.loft.sh/sleeping-since';
export const LAST_ACTIVITY_ANNOTATION = 'sleepmode.loft.sh/last-activity';

/** vcluster keeps the certificates of its control plane in Secret NAME-certs (pkg/certs/ensure.go CertSecretName). */
export const certSecretName = (name: string) => `${name}-certs`;

interface ContainerStateFull {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { reason?: string; exitCode: number; signal?: number; message?: string; finishedAt?: string };
}

/** A pod with the status fields describe shows. */
export interface PodFull extends Pod {
  status?: Pod['status'] & {
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    initContainerStatuses?: {
      name: string;
      image?: string;
      ready?: boolean;
      restartCount?: number;
      state?: ContainerStateFull;
      lastState?: ContainerStateFull;
    }[];
    containerStatuses?: { name: string; image?: string; ready?: boolean; restartCount?: number; state?: ContainerStateFull; lastState?: ContainerStateFull }[];
  };
}

export type { KubeEvent } from '../kube/types';

/** What describe reads; buildDetails() turns it into VClusterDetails (recorded objects in unit tests). */
export interface DescribeInput {
  readonly workload: Workload;
  readonly kind: 'StatefulSet' | 'Deployment';
  readonly pods: readonly PodFull[];
  readonly events: readonly KubeEvent[];
  readonly configSecret?: Secret;
  readonly certSecret?: Secret;
  readonly service?: Service;
  readonly release?: HelmReleaseStatus & { chartVersion?: string; lastDeployed?: string; description?: string };
  readonly contexts: readonly ContextInfo[];
  readonly currentContext?: string;
  /** Local ports of this window's port-forward tunnels. */
  readonly tunnelPorts: readonly number[];
  readonly problems: readonly string[];
  readonly now: Date;
}

const MAX_EVENTS = 25;
const MAX_TEXT = 500;

function clip(s: string | undefined): string | undefined {
  if (!s) return undefined;
  const r = redact(s);
  return r.length > MAX_TEXT ? `${r.slice(0, MAX_TEXT - 1)}…` : r;
}

function containerDetails(
  spec: { name: string; image?: string },
  st: NonNullable<NonNullable<PodFull['status']>['containerStatuses']>[number] | undefined,
  init: boolean,
): ContainerDetails {
  const s = st?.state ?? {};
  const state: ContainerDetails['state'] = s.running ? 'running' : s.waiting ? 'waiting' : s.terminated ? 'terminated' : 'unknown';
  const last = st?.lastState?.terminated;
  const reason = s.waiting?.reason ?? s.terminated?.reason;
  const message = clip(s.waiting?.message ?? s.terminated?.message);
  return {
    name: spec.name,
    init,
    ...((spec.image ?? st?.image) ? { image: spec.image ?? st?.image } : {}),
    ready: st?.ready === true,
    restartCount: st?.restartCount ?? 0,
    state,
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
    ...(s.terminated ? { exitCode: s.terminated.exitCode } : {}),
    ...(s.running?.startedAt ? { startedAt: s.running.startedAt } : {}),
    ...(last
      ? {
          lastTermination: {
            ...(last.reason ? { reason: last.reason } : {}),
            exitCode: last.exitCode,
            ...(clip(last.message) ? { message: clip(last.message) } : {}),
            ...(last.finishedAt ? { finishedAt: last.finishedAt } : {}),
          },
        }
      : {}),
  };
}

function podDetails(p: PodFull): PodDetails {
  const inits = (p.spec?.initContainers ?? []).map((c) =>
    containerDetails(
      c,
      p.status?.initContainerStatuses?.find((s) => s.name === c.name),
      true,
    ),
  );
  const mains = (p.spec?.containers ?? []).map((c) =>
    containerDetails(
      c,
      p.status?.containerStatuses?.find((s) => s.name === c.name),
      false,
    ),
  );
  const containers = [...inits, ...mains];
  return {
    name: p.metadata.name,
    phase: p.status?.phase ?? 'Unknown',
    status: podStatus(p),
    ...(p.spec?.nodeName ? { node: p.spec.nodeName } : {}),
    ...(p.metadata.creationTimestamp ? { created: p.metadata.creationTimestamp } : {}),
    restarts: containers.reduce((n, c) => n + c.restartCount, 0),
    conditions: (p.status?.conditions ?? [])
      .filter((c) => c.status !== 'True')
      .map((c) => ({ type: c.type, ...(c.reason ? { reason: c.reason } : {}), ...(clip(c.message) ? { message: clip(c.message) } : {}) })),
    containers,
  };
}

/** One line on why the vcluster is in its status. */
function reasonFor(d: { status: string; pods: readonly PodDetails[]; workload: Workload; paused: boolean; sleepType?: string }): string | undefined {
  if (d.paused) {
    const since = d.workload.metadata.annotations?.[PAUSED_DATE_ANNOTATION];
    return `Paused${since ? ` since ${since}` : ''}: its control plane is scaled to 0 (resume to start it).`;
  }
  if (d.sleepType) return `Its workloads sleep through the vCluster Platform's sleep mode (${d.sleepType}).`;
  const pod = d.pods[d.pods.length - 1];
  if (!pod) {
    if ((d.workload.spec?.replicas ?? 1) === 0) return 'Scaled to 0 replicas.';
    return 'No control-plane pod exists yet.';
  }
  const bad =
    pod.containers.find((c) => c.state === 'waiting' && c.reason && c.reason !== 'PodInitializing') ??
    pod.containers.find((c) => c.state === 'terminated' && c.exitCode !== 0) ??
    pod.containers.find((c) => c.init && c.state !== 'terminated');
  if (bad) {
    const last = bad.lastTermination
      ? `; last run ended ${bad.lastTermination.reason ?? 'with an error'} (exit code ${bad.lastTermination.exitCode ?? '?'})${bad.lastTermination.message ? `: ${bad.lastTermination.message}` : ''}`
      : '';
    return `${bad.init ? 'Init container' : 'Container'} ${bad.name} is ${bad.state}${bad.reason ? ` (${bad.reason})` : ''}${bad.message ? `: ${bad.message}` : ''}${bad.restartCount ? `, restarted ${bad.restartCount}×` : ''}${last}.`;
  }
  const cond = pod.conditions.find((c) => c.reason);
  if (cond && pod.phase === 'Pending') return `Pod ${pod.name} is Pending: ${cond.type} ${cond.reason}${cond.message ? ` (${cond.message})` : ''}.`;
  if (pod.phase === 'Pending') return `Pod ${pod.name} is Pending${pod.node ? '' : ' (not scheduled to a node yet)'}.`;
  if (d.status === 'Running') return undefined;
  return `Pod ${pod.name}: ${pod.status}.`;
}

/** embedded-database, deployed-etcd, … exactly as vcluster's Config.BackingStoreType() decides (config/config.go). */
export function backingStoreType(cfg: unknown): string {
  const bs = (
    cfg as { controlPlane?: { backingStore?: { etcd?: Record<string, { enabled?: unknown }>; database?: Record<string, { enabled?: unknown }> } } } | undefined
  )?.controlPlane?.backingStore;
  const on = (v: { enabled?: unknown } | undefined) => v?.enabled === true || v?.enabled === 'true';
  if (on(bs?.etcd?.embedded)) return 'embedded-etcd';
  if (on(bs?.etcd?.external)) return 'external-etcd';
  if (on(bs?.etcd?.deploy)) return 'deployed-etcd';
  if (on(bs?.database?.embedded)) return 'embedded-database';
  if (on(bs?.database?.external)) return 'external-database';
  return 'embedded-database';
}

/** The certificates of the cert secret (only keys ending in .crt are read), soonest expiry first. */
export function certificatesOf(secret: Secret | undefined, now: Date): CertificateDetails[] {
  const out: CertificateDetails[] = [];
  for (const [key, b64] of Object.entries(secret?.data ?? {})) {
    if (!key.endsWith('.crt')) continue;
    try {
      const pem = Buffer.from(b64, 'base64').toString('utf8');
      const first = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(pem)?.[0];
      if (!first) continue;
      const cert = new X509Certificate(first);
      const notAfter = new Date(cert.validTo);
      const cn = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1] ?? cert.subject.replace(/\n/g, ', ');
      out.push({ key, subject: cn, notAfter: notAfter.toISOString(), daysLeft: Math.floor((notAfter.getTime() - now.getTime()) / 86_400_000) });
    } catch {
      // not a certificate: skip
    }
  }
  return out.sort((a, b) => a.daysLeft - b.daysLeft || a.key.localeCompare(b.key));
}

function portOf(server: string | undefined): number | undefined {
  if (!server) return undefined;
  try {
    const u = new URL(server);
    return u.port ? Number(u.port) : undefined;
  } catch {
    return undefined;
  }
}

function isLoopback(server: string | undefined): boolean {
  try {
    const h = new URL(server ?? '').hostname;
    return h === 'localhost' || /^127\./.test(h) || h === '[::1]';
  } catch {
    return false;
  }
}

/** Kubeconfig contexts that point at this vcluster (the CLI's naming vcluster_NAME_NS_PARENT). */
export function contextsPointingAt(
  ref: VClusterRef,
  contexts: readonly ContextInfo[],
  currentContext: string | undefined,
  tunnelPorts: readonly number[],
): ContextPointer[] {
  const own = contextNameFor(ref);
  return contexts
    .filter((c) => c.name === own)
    .map((c) => ({
      name: c.name,
      ...(c.server ? { server: redact(c.server) } : {}),
      current: c.name === currentContext,
      tunnel: isLoopback(c.server) && tunnelPorts.includes(portOf(c.server) ?? -1),
    }));
}

/** Pure: the details from what was read. */
export function buildDetails(ref: VClusterRef, i: DescribeInput): VClusterDetails {
  const w = i.workload;
  const annotations = i.configSecret?.metadata.annotations ?? {};
  let cfg: unknown;
  const rawCfg = i.configSecret?.data?.['config.yaml'];
  if (rawCfg) {
    try {
      cfg = parseYaml(Buffer.from(rawCfg, 'base64').toString('utf8'));
    } catch {
      cfg = undefined;
    }
  }
  const pods = [...i.pods].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)).map(podDetails);
  const status = vclusterStatus(
    w,
    [...i.pods].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1)),
    i.configSecret?.metadata.annotations,
  );
  const paused = isPaused(w);
  const sleepType = annotations[SLEEP_TYPE_ANNOTATION];
  const template = w.spec?.template?.spec;
  const images = [...(template?.initContainers ?? []), ...(template?.containers ?? [])]
    .filter((c) => c.image)
    .map((c) => ({ container: c.name, image: c.image! }));
  const k8sImage = images.find((c) => c.container === 'kubernetes' || c.container === 'kube-apiserver')?.image;
  const cfgK8s = (cfg as { controlPlane?: { distro?: { k8s?: { version?: string; image?: { tag?: string } } } } } | undefined)?.controlPlane?.distro?.k8s;
  const kubernetes = cfgK8s?.version || cfgK8s?.image?.tag || k8sImage?.split(':').pop();
  const exportServer = (cfg as { exportKubeConfig?: { server?: string } } | undefined)?.exportKubeConfig?.server;
  const events: EventDetails[] = [...i.events]
    .sort((a, b) => (eventTime(b) ?? '').localeCompare(eventTime(a) ?? ''))
    .slice(0, MAX_EVENTS)
    .map((e) => ({
      type: e.type ?? 'Normal',
      ...(e.reason ? { reason: e.reason } : {}),
      object: `${e.involvedObject?.kind ?? '?'}/${e.involvedObject?.name ?? '?'}`,
      message: clip(e.message) ?? '',
      count: e.series?.count ?? e.count ?? 1,
      ...(eventTime(e) ? { lastSeen: eventTime(e) } : {}),
    }));
  const svc = i.service;
  const lastActivity = annotations[LAST_ACTIVITY_ANNOTATION];
  return {
    ref,
    fetchedAt: i.now.toISOString(),
    status,
    phase: phaseOf(status),
    ...(() => {
      const r = reasonFor({ status, pods, workload: w, paused, ...(sleepType ? { sleepType } : {}) });
      return r ? { reason: r } : {};
    })(),
    workload: {
      kind: i.kind,
      name: w.metadata.name,
      replicas: w.spec?.replicas ?? 1,
      readyReplicas: w.status?.readyReplicas ?? 0,
      ...(w.metadata.creationTimestamp ? { created: w.metadata.creationTimestamp } : {}),
    },
    pods,
    versions: {
      ...(syncerVersion(w) ? { vcluster: syncerVersion(w) } : {}),
      ...((i.release?.chartVersion ?? w.metadata.labels?.chart) ? { chart: i.release?.chartVersion ?? w.metadata.labels?.chart } : {}),
      ...(kubernetes ? { kubernetes } : {}),
      images,
    },
    ...(distroOf(w, rawCfg ? Buffer.from(rawCfg, 'base64').toString('utf8') : undefined)
      ? { distro: distroOf(w, rawCfg ? Buffer.from(rawCfg, 'base64').toString('utf8') : undefined) }
      : {}),
    ...(cfg ? { backingStore: backingStoreType(cfg) } : {}),
    endpoint: {
      ...(svc?.spec?.type ? { serviceType: svc.spec.type } : {}),
      ...(svc?.spec?.clusterIP ? { clusterIP: svc.spec.clusterIP } : {}),
      loadBalancer: (svc?.status?.loadBalancer?.ingress ?? []).map((x) => x.hostname || x.ip || '').filter(Boolean),
      nodePorts: (svc?.spec?.ports ?? []).map((p) => p.nodePort).filter((p): p is number => typeof p === 'number'),
      ...(exportServer ? { exportServer: redact(exportServer) } : {}),
      contexts: contextsPointingAt(ref, i.contexts, i.currentContext, i.tunnelPorts),
    },
    ...(i.release
      ? {
          helm: {
            revision: i.release.revision,
            status: i.release.status,
            ...(i.release.chartVersion ? { chartVersion: i.release.chartVersion } : {}),
            ...(i.release.lastDeployed ? { lastDeployed: i.release.lastDeployed } : {}),
            ...(i.release.description ? { description: clip(i.release.description)! } : {}),
          },
        }
      : {}),
    sleep: {
      paused,
      ...(w.metadata.annotations?.[PAUSED_DATE_ANNOTATION] ? { pausedSince: w.metadata.annotations[PAUSED_DATE_ANNOTATION] } : {}),
      ...(w.metadata.annotations?.[PAUSED_REPLICAS_ANNOTATION] ? { pausedReplicas: w.metadata.annotations[PAUSED_REPLICAS_ANNOTATION] } : {}),
      sleepModeLabel: w.metadata.labels?.[SLEEP_MODE_LABEL] === 'true',
      ...(sleepType ? { sleepType } : {}),
      ...(annotations[SLEEPING_SINCE_ANNOTATION] ? { sleepingSince: annotations[SLEEPING_SINCE_ANNOTATION] } : {}),
      // The platform writes Unix seconds.
      ...(lastActivity ? { lastActivity: /^\d+$/.test(lastActivity) ? new Date(Number(lastActivity) * 1000).toISOString() : lastActivity } : {}),
    },
    events,
    certificates: {
      secret: certSecretName(ref.name),
      found: i.certSecret !== undefined,
      items: certificatesOf(i.certSecret, i.now),
      ...(i.certSecret ? {} : { note: `Secret ${certSecretName(ref.name)} was not found: vcluster writes it when its control plane starts (0.20 and later).` }),
    },
    problems: [...i.problems],
  };
}
