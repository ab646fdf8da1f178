// The details of one object inside a vcluster (vcluster.describeObject) and the message protocol of its describe view.
// Plain data: no vscode, no DOM, no Node; both bundles import it.
//
// Read from the vcluster's own API server. No secret is ever read; of a config map only the names of its keys travel
// (never a value), and the annotation kubectl keeps the last applied object in is left out (it would carry the values).
// Free text from the cluster (messages, annotation values) is redacted by the host before it is posted.

import { isCount, type DetailsProtocol, type FromDetailsWebview, type ToDetailsWebview } from './detailsProtocol';
import { RESOURCE_KIND_NAMES, type ResourceKind, type VClusterRef } from './model';
import { parseVClusterRef } from './vclusterRef';
import { isRecord } from './guards';

/** An object inside a vcluster. */
export interface ObjectRef {
  readonly ref: VClusterRef;
  readonly kind: ResourceKind;
  readonly namespace: string;
  readonly name: string;
}

export interface ObjectContainer {
  readonly name: string;
  readonly init: boolean;
  readonly image?: string;
  /** Pods only: from the container's status. */
  readonly ready?: boolean;
  readonly restarts?: number;
  readonly state?: 'running' | 'waiting' | 'terminated' | 'unknown';
  readonly reason?: string;
  readonly message?: string;
  readonly exitCode?: number;
  readonly lastTermination?: string;
  readonly ports: readonly string[];
}

export interface ObjectCondition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
  readonly lastTransition?: string;
}

export interface ObjectEvent {
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  readonly count: number;
  readonly last?: string;
  readonly source?: string;
}

export interface ObjectDetails {
  readonly target: ObjectRef;
  readonly fetchedAt: string;
  /** kubectl get's STATUS (pods), Ready / Progressing / Complete for workloads, the type of a service. */
  readonly status: string;
  /** "ready/desired", when the kind has one. */
  readonly ready?: string;
  readonly created?: string;
  /** The kind's key fields, in the order shown (phase, node, replicas, cluster IP, …). */
  readonly facts: readonly { readonly label: string; readonly value: string }[];
  /** Pods: containers with their state; workloads: the containers of their pod template. */
  readonly containers: readonly ObjectContainer[];
  readonly conditions: readonly ObjectCondition[];
  /** Services: their ports. */
  readonly ports: readonly {
    readonly name?: string;
    readonly port: number;
    readonly targetPort?: string;
    readonly protocol: string;
    readonly nodePort?: number;
  }[];
  /** Services and workloads: the label selector. */
  readonly selector?: readonly (readonly [string, string])[];
  /** Config maps: the names of their keys (data and binaryData), never the values. */
  readonly keys?: readonly string[];
  readonly labels: readonly (readonly [string, string])[];
  readonly annotations: readonly (readonly [string, string])[];
  /** The object the syncer made of it in the cluster the vcluster runs in (pods and services). */
  readonly host?: { readonly namespace: string; readonly name: string };
  /** Oldest first. */
  readonly events: readonly ObjectEvent[];
  /** Parts that could not be read, with the reason. */
  readonly problems: readonly string[];
}

// ---- protocol (a details protocol, detailsProtocol.ts) ---------------------------------------------------------

export const OBJECT_DESCRIBE_ACTIONS = ['showYaml', 'showLogs', 'revealHostObject'] as const;
export type ObjectDescribeAction = (typeof OBJECT_DESCRIBE_ACTIONS)[number];

/** What the page reports after a render: what the tests read. */
export interface ObjectRenderReport {
  readonly sections: readonly string[];
  readonly events: number;
  readonly warnings: number;
  /** The text of the page's facts and tables, as shown (for the tests). */
  readonly text: string;
}

const MAX_TEXT = 200_000;

export const OBJECT_DESCRIBE_PROTOCOL: DetailsProtocol<'target', ObjectRef, ObjectDetails, ObjectDescribeAction, ObjectRenderReport> = {
  version: 1,
  subjectKey: 'target',
  actions: OBJECT_DESCRIBE_ACTIONS,
  parseSubject: parseObjectRef,
  parseReport: ({ sections, events, warnings, text }) => {
    if (!Array.isArray(sections) || sections.length > 50 || !sections.every((s) => typeof s === 'string' && s.length <= 100)) return undefined;
    if (!isCount(events) || !isCount(warnings) || typeof text !== 'string' || text.length > MAX_TEXT) return undefined;
    return { sections: sections as string[], events, warnings, text };
  },
  listKey: 'events',
};

export type ToObjectDescribeWebview = ToDetailsWebview<'target', ObjectRef, ObjectDetails>;
export type FromObjectDescribeWebview = FromDetailsWebview<ObjectDescribeAction, ObjectRenderReport>;

/** The object a persisted webview state names, or undefined. */
export function parseObjectRef(v: unknown): ObjectRef | undefined {
  if (!isRecord(v)) return undefined;
  const ref = parseVClusterRef(v.ref);
  const kind = RESOURCE_KIND_NAMES.find((k) => k === v.kind);
  if (
    !ref ||
    !kind ||
    typeof v.namespace !== 'string' ||
    typeof v.name !== 'string' ||
    !v.namespace ||
    !v.name ||
    v.namespace.length > 253 ||
    v.name.length > 253
  )
    return undefined;
  return { ref, kind, namespace: v.namespace, name: v.name };
}
