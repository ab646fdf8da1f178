// The details of one object inside a vcluster (vcluster.describeObject) and the message protocol of its describe view.
// Plain data: no vscode, no DOM, no Node; both bundles import it.
//
// Read from the vcluster's own API server. No secret is ever read; of a config map only the names of its keys travel
// (never a value), and the annotation kubectl keeps the last applied object in is left out (it would carry the values).
// Free text from the cluster (messages, annotation values) is redacted by the host before it is posted.

import { RESOURCE_KIND_NAMES, type ResourceKind, type VClusterRef } from './model';
import { parseVClusterRef } from './vclusterRef';

export const OBJECT_DESCRIBE_PROTOCOL_VERSION = 1;

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

// ---- protocol ---------------------------------------------------------------------------------------------------

export type ToObjectDescribeWebview =
  | { readonly type: 'loading'; readonly target: ObjectRef }
  | { readonly type: 'details'; readonly details: ObjectDetails }
  | { readonly type: 'loadError'; readonly target: ObjectRef; readonly message: string };

export const OBJECT_DESCRIBE_ACTIONS = ['showYaml', 'showLogs', 'revealHostObject'] as const;
export type ObjectDescribeAction = (typeof OBJECT_DESCRIBE_ACTIONS)[number];

/** What the webview reports after a render: what the tests read. */
export interface ObjectRenderReport {
  readonly sections: readonly string[];
  readonly events: number;
  readonly warnings: number;
  /** The text of the page's facts and tables, as shown (for the tests). */
  readonly text: string;
}

export type FromObjectDescribeWebview =
  | { readonly type: 'ready'; readonly version: number }
  | { readonly type: 'refresh' }
  | { readonly type: 'action'; readonly action: ObjectDescribeAction }
  | ({ readonly type: 'rendered' } & ObjectRenderReport)
  | { readonly type: 'clientError'; readonly message: string };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 1_000_000;
const MAX_TEXT = 200_000;

/** Validates a message from the object describe webview; undefined for anything unexpected. */
export function parseFromObjectDescribeWebview(msg: unknown): FromObjectDescribeWebview | undefined {
  if (!isRecord(msg) || typeof msg.type !== 'string') return undefined;
  switch (msg.type) {
    case 'ready':
      return isCount(msg.version) ? { type: 'ready', version: msg.version } : undefined;
    case 'refresh':
      return { type: 'refresh' };
    case 'action':
      return OBJECT_DESCRIBE_ACTIONS.includes(msg.action as ObjectDescribeAction) ? { type: 'action', action: msg.action as ObjectDescribeAction } : undefined;
    case 'rendered': {
      const { sections, events, warnings, text } = msg;
      if (!Array.isArray(sections) || sections.length > 50 || !sections.every((s) => typeof s === 'string' && s.length <= 100)) return undefined;
      if (!isCount(events) || !isCount(warnings) || typeof text !== 'string' || text.length > MAX_TEXT) return undefined;
      return { type: 'rendered', sections: sections as string[], events, warnings, text };
    }
    case 'clientError':
      return typeof msg.message === 'string' && msg.message.length <= 4000 ? { type: 'clientError', message: msg.message } : undefined;
    default:
      return undefined;
  }
}

/** A light shape check on the webview side (messages there come from the host). */
export function isToObjectDescribeWebview(v: unknown): v is ToObjectDescribeWebview {
  if (!isRecord(v)) return false;
  switch (v.type) {
    case 'loading':
      return isRecord(v.target);
    case 'details':
      return isRecord(v.details) && isRecord(v.details.target) && Array.isArray(v.details.events);
    case 'loadError':
      return isRecord(v.target) && typeof v.message === 'string';
    default:
      return false;
  }
}

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
