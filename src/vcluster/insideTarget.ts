// What the commands and the tree name inside a vcluster: an object (the target of logs, exec, describe,
// port-forward), the name of an inside kind, and a port-forward as it is listed. Plain types, no vscode.
import type { ResourceKind, VClusterRef } from '../shared/model';

/** An object inside a vcluster: `{ context, namespace, name, parents? }` of the vcluster plus the object. */
export interface ObjectTarget {
  readonly ref: VClusterRef;
  readonly kind: ResourceKind;
  readonly namespace: string;
  readonly name: string;
  readonly container?: string;
}

/** An inside kind by its name or its plural, as the tree and the commands name them ("Pod", "pod", "pods"). */
export type InsideKindName = ResourceKind | Lowercase<ResourceKind> | `${Lowercase<ResourceKind>}s`;

export interface ForwardInfo {
  readonly id: string;
  readonly target: ObjectTarget;
  /** The port asked for: a container port of a pod, or a port of a service. */
  readonly port: number;
  readonly localPort: number;
  /** The pod and port the tunnel goes to. */
  readonly pod: string;
  readonly podPort: number;
  /** The last failure of a connection through it (cleared by a restart). */
  readonly lastError?: string;
}

/** What `label` says about a target, for messages: "pod shop/web-1 in vcluster apps". */
export function describeTarget(t: ObjectTarget): string {
  return `${t.kind.toLowerCase()} ${t.namespace}/${t.name} in vcluster ${t.ref.name}`;
}
