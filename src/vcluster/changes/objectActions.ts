import type { KubeClient } from '../../kube/client';
import { isKubeError } from '../../kube/errors';
import { UserFacingError } from '../../shared/errors';
import { FIELD_MANAGER, type Obj, type ObjectLocation, describeLocation, isRecord, metadataOf, objectPath, rfc3339 } from './objects';

// Delete, scale and restart one object inside a vcluster, as kubectl does them: delete with background propagation
// (kubectl delete's default cascade), scale through the `scale` subresource (kubectl scale), restart by stamping the
// pod template (kubectl rollout restart).

export type DeleteResult =
  | { readonly gone: true }
  /** The object is still there, marked for deletion, until the controllers that own its finalizers let it go. */
  | { readonly gone: false; readonly finalizers: readonly string[]; readonly message: string };

/**
 * Deletes the object with `propagationPolicy: Background` and reads it back once: gone, or waiting for its finalizers.
 * An object already gone counts as deleted.
 */
export async function deleteObject(client: KubeClient, loc: ObjectLocation, signal?: AbortSignal): Promise<DeleteResult> {
  const path = objectPath(loc);
  try {
    await client.request('DELETE', path, { body: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' }, signal });
  } catch (err) {
    if (isKubeError(err, 'notFound')) return { gone: true };
    throw err;
  }
  let after: Obj;
  try {
    after = await client.get<Obj>(path, { signal });
  } catch (err) {
    if (isKubeError(err, 'notFound')) return { gone: true };
    throw err;
  }
  const meta = metadataOf(after);
  const finalizers = Array.isArray(meta.finalizers) ? meta.finalizers.filter((f): f is string => typeof f === 'string').slice(0, 50) : [];
  if (!meta.deletionTimestamp && !finalizers.length) {
    // A new object of the same name, created in between.
    return { gone: false, finalizers: [], message: `${describeLocation(loc)} exists again (created anew after the delete)` };
  }
  return {
    gone: false,
    finalizers,
    message: `${describeLocation(loc)} is marked for deletion and waiting for finalizers ${finalizers.join(', ') || '(none left; it goes shortly)'}`,
  };
}

const SCALABLE = new Set(['deployments', 'statefulsets', 'replicasets']);
const RESTARTABLE = new Set(['deployments', 'statefulsets', 'daemonsets']);

function requireApps(loc: ObjectLocation, allowed: Set<string>, what: string): void {
  if (loc.resource.group !== 'apps' || !allowed.has(loc.resource.resource)) {
    throw new UserFacingError(`${what} works on ${[...allowed].join(', ')}; ${describeLocation(loc)} is none of them`);
  }
}

export interface ScaleInfo {
  /** spec.replicas of the Scale: the count asked for. */
  readonly replicas: number;
  /** status.replicas: the count there is. */
  readonly current: number;
}

/** Reads the `scale` subresource: the replicas asked for (offered as the default) and the current count. */
export async function readScale(client: KubeClient, loc: ObjectLocation, signal?: AbortSignal): Promise<ScaleInfo> {
  requireApps(loc, SCALABLE, 'Scale');
  const s = await client.get<Obj>(`${objectPath(loc)}/scale`, { signal });
  const spec = isRecord(s.spec) ? s.spec : {};
  const status = isRecord(s.status) ? s.status : {};
  return { replicas: typeof spec.replicas === 'number' ? spec.replicas : 0, current: typeof status.replicas === 'number' ? status.replicas : 0 };
}

/** Most replicas accepted: a typo guard, far above what a vcluster runs (kubectl has no bound; the API an int32). */
export const MAX_REPLICAS = 10_000;

/** Writes spec.replicas through the `scale` subresource (a merge patch, as kubectl scale sends without preconditions). */
export async function scaleTo(client: KubeClient, loc: ObjectLocation, replicas: number, signal?: AbortSignal): Promise<ScaleInfo> {
  requireApps(loc, SCALABLE, 'Scale');
  if (!Number.isInteger(replicas) || replicas < 0 || replicas > MAX_REPLICAS) {
    throw new UserFacingError(`The replica count must be a whole number from 0 to ${MAX_REPLICAS}`);
  }
  const s = await client.request<Obj>('PATCH', `${objectPath(loc)}/scale`, {
    body: { spec: { replicas } },
    contentType: 'application/merge-patch+json',
    query: { fieldManager: FIELD_MANAGER },
    signal,
  });
  const spec = isRecord(s.spec) ? s.spec : {};
  const status = isRecord(s.status) ? s.status : {};
  return { replicas: typeof spec.replicas === 'number' ? spec.replicas : replicas, current: typeof status.replicas === 'number' ? status.replicas : 0 };
}

/** The pod template annotation kubectl rollout restart sets (k8s.io/kubectl v0.34.4 pkg/polymorphichelpers/objectrestarter.go). */
export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

export interface RestartResult {
  /** The annotation's new value. */
  readonly restartedAt: string;
  /** Set when the pods are not replaced by the restart itself (updateStrategy OnDelete). */
  readonly note?: string;
}

/**
 * Restarts a Deployment, StatefulSet or DaemonSet exactly as `kubectl rollout restart` (k8s.io/kubectl v0.34.4
 * pkg/polymorphichelpers/objectrestarter.go, pkg/cmd/rollout/rollout_restart.go): refuses a paused Deployment with
 * kubectl's words, sets spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"] to
 * time.Now().Format(time.RFC3339) with a strategic merge patch, and refuses when that would change nothing (a restart
 * within the same second). Like kubectl it does not refuse an OnDelete update strategy; the result says that the pods
 * then change only when deleted.
 */
export async function restartWorkload(client: KubeClient, loc: ObjectLocation, now: Date = new Date(), signal?: AbortSignal): Promise<RestartResult> {
  requireApps(loc, RESTARTABLE, 'Restart');
  const path = objectPath(loc);
  const o = await client.get<Obj>(path, { signal });
  const spec = isRecord(o.spec) ? o.spec : {};
  if (loc.resource.resource === 'deployments' && spec.paused === true) {
    throw new UserFacingError("can't restart paused deployment (run rollout resume first)");
  }
  const restartedAt = rfc3339(now);
  const template = isRecord(spec.template) ? spec.template : {};
  const annotations = isRecord(metadataOf(template).annotations) ? (metadataOf(template).annotations as Obj) : {};
  if (annotations[RESTARTED_AT] === restartedAt) {
    // kubectl: the two-way patch is "{}", and it says so.
    throw new UserFacingError(
      `failed to create patch for ${loc.name}: if restart has already been triggered within the past second, please wait before attempting to trigger another`,
    );
  }
  await client.request('PATCH', path, {
    body: { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: restartedAt } } } } },
    contentType: 'application/strategic-merge-patch+json',
    query: { fieldManager: FIELD_MANAGER },
    signal,
  });
  const strategy = isRecord(spec.updateStrategy) ? spec.updateStrategy.type : undefined;
  return {
    restartedAt,
    ...(strategy === 'OnDelete' ? { note: `${describeLocation(loc)} updates on delete: its pods are replaced only when they are deleted` } : {}),
  };
}
