// The details of one vcluster (vcluster.describe, the API's describe(ref)) and the message protocol of the describe
// view. Plain data: no vscode, no DOM, no Node; both bundles import it.
//
// Everything here is read from the cluster the vcluster runs in (its host, or the vcluster around a nested one), never
// from the virtual cluster itself, so looking at a vcluster does not keep it awake. No secret data is in it: of the
// certificate secret only the certificates' names and expiry dates, of the config secret only annotations and the
// settings named below. Free text from the cluster (event and termination messages) is redacted by the host.

import { isCount, type DetailsProtocol, type FromDetailsWebview, type ToDetailsWebview } from './detailsProtocol';
import type { VClusterPhase, VClusterRef } from './model';
import { parseVClusterRef } from './vclusterRef';

/** Certificates that expire within this many days get a warning. */
export const CERT_WARNING_DAYS = 30;

export interface ContainerDetails {
  readonly name: string;
  readonly init: boolean;
  readonly image?: string;
  readonly ready: boolean;
  readonly restartCount: number;
  readonly state: 'running' | 'waiting' | 'terminated' | 'unknown';
  readonly reason?: string;
  readonly message?: string;
  readonly exitCode?: number;
  readonly startedAt?: string;
  /** The previous run's end (lastState.terminated): why it restarted. */
  readonly lastTermination?: { readonly reason?: string; readonly exitCode?: number; readonly message?: string; readonly finishedAt?: string };
}

export interface PodDetails {
  readonly name: string;
  readonly phase: string;
  /** kubectl-style status, as `vcluster list` derives it. */
  readonly status: string;
  readonly node?: string;
  readonly created?: string;
  readonly restarts: number;
  /** Conditions that are not True (e.g. PodScheduled: Unschedulable), with their reasons. */
  readonly conditions: readonly { readonly type: string; readonly reason?: string; readonly message?: string }[];
  readonly containers: readonly ContainerDetails[];
}

export interface EventDetails {
  readonly type: string;
  readonly reason?: string;
  /** Kind/name of the object the event is about. */
  readonly object: string;
  readonly message: string;
  readonly count: number;
  readonly lastSeen?: string;
}

export interface CertificateDetails {
  /** The key in the certificate secret (e.g. apiserver.crt). */
  readonly key: string;
  readonly subject: string;
  readonly notAfter: string;
  readonly daysLeft: number;
}

export interface ContextPointer {
  readonly name: string;
  readonly server?: string;
  readonly current: boolean;
  /** The server is a local port-forward tunnel of this window. */
  readonly tunnel: boolean;
}

export interface VClusterDetails {
  readonly ref: VClusterRef;
  readonly fetchedAt: string;
  /** The status `vcluster list` prints. */
  readonly status: string;
  readonly phase: VClusterPhase;
  /** Why it is in that status, in one line (the first failing container, an unschedulable pod, a pause, …). */
  readonly reason?: string;
  readonly workload: {
    readonly kind: 'StatefulSet' | 'Deployment';
    readonly name: string;
    readonly replicas: number;
    readonly readyReplicas: number;
    readonly created?: string;
  };
  readonly pods: readonly PodDetails[];
  readonly versions: {
    /** The syncer's image tag (what `vcluster list` calls the version). */
    readonly vcluster?: string;
    readonly chart?: string;
    readonly kubernetes?: string;
    readonly images: readonly { readonly container: string; readonly image: string }[];
  };
  readonly distro?: string;
  /** embedded-database, external-database, embedded-etcd, deployed-etcd, external-etcd (vcluster's StoreType). */
  readonly backingStore?: string;
  readonly endpoint: {
    readonly serviceType?: string;
    readonly clusterIP?: string;
    readonly loadBalancer: readonly string[];
    readonly nodePorts: readonly number[];
    /** exportKubeConfig.server of the configuration: the address vc-NAME gives clients. */
    readonly exportServer?: string;
    readonly contexts: readonly ContextPointer[];
  };
  readonly helm?: {
    readonly revision: number;
    readonly status: string;
    readonly chartVersion?: string;
    readonly lastDeployed?: string;
    readonly description?: string;
  };
  readonly sleep: {
    readonly paused: boolean;
    readonly pausedSince?: string;
    readonly pausedReplicas?: string;
    /** The platform's sleep-mode label on the workload. */
    readonly sleepModeLabel: boolean;
    readonly sleepType?: string;
    readonly sleepingSince?: string;
    readonly lastActivity?: string;
  };
  readonly events: readonly EventDetails[];
  readonly certificates: {
    readonly secret: string;
    readonly found: boolean;
    readonly items: readonly CertificateDetails[];
    readonly note?: string;
  };
  /** Parts that could not be read (forbidden, missing), with the reason. */
  readonly problems: readonly string[];
}

// ---- protocol (a details protocol, detailsProtocol.ts) ---------------------------------------------------------

export const DESCRIBE_ACTIONS = ['showConfig', 'upgrade', 'showMapping'] as const;
export type DescribeAction = (typeof DESCRIBE_ACTIONS)[number];

/** What the page reports after a render: what the tests read. */
export interface DescribeRenderReport {
  readonly sections: number;
  readonly events: number;
  readonly warnings: number;
}

export const DESCRIBE_PROTOCOL: DetailsProtocol<'ref', VClusterRef, VClusterDetails, DescribeAction, DescribeRenderReport> = {
  version: 1,
  subjectKey: 'ref',
  actions: DESCRIBE_ACTIONS,
  parseSubject: parseVClusterRef,
  parseReport: (m) =>
    isCount(m.sections) && isCount(m.events) && isCount(m.warnings) ? { sections: m.sections, events: m.events, warnings: m.warnings } : undefined,
  listKey: 'pods',
};

export type ToDescribeWebview = ToDetailsWebview<'ref', VClusterRef, VClusterDetails>;
export type FromDescribeWebview = FromDetailsWebview<DescribeAction, DescribeRenderReport>;

/** Certificates that need attention: expired or expiring within CERT_WARNING_DAYS. */
export function expiringCertificates(d: Pick<VClusterDetails, 'certificates'>): CertificateDetails[] {
  return d.certificates.items.filter((c) => c.daysLeft < CERT_WARNING_DAYS);
}
