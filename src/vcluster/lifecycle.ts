import type { KubeClient } from '../kube/client';
import { KubeError } from '../kube/errors';
import type { KubeList, Namespace, Secret, Workload } from '../kube/types';
import { UserFacingError } from '../shared/errors';
import {
  controlPlaneSelector,
  PAUSED_ANNOTATION,
  PAUSED_DATE_ANNOTATION,
  PAUSED_REPLICAS_ANNOTATION,
  RESTORING_ANNOTATION,
  SLEEP_MODE_LABEL,
  isPaused,
} from './status';
import { MANAGED_BY_LABEL, safeConcatName } from './translate';
import { parse as parseYaml } from 'yaml';

// Pause and resume through the API with exactly the vcluster CLI's patches (pkg/lifecycle/lifecycle.go, v0.36.1),
// so that `vcluster list` and `vcluster resume` agree with us.

const MERGE_PATCH = 'application/merge-patch+json';

export interface LifecycleOptions {
  readonly signal?: AbortSignal;
  /** How long pause waits for status.replicas to reach 0 (the CLI waits 3 minutes). */
  readonly waitMs?: number;
  readonly log?: (line: string) => void;
  readonly now?: () => Date;
}

type Kind = 'statefulsets' | 'deployments';

async function listWorkloads(c: KubeClient, ns: string, kind: Kind, selector: string, signal?: AbortSignal): Promise<Workload[]> {
  const l = await c.get<KubeList<Workload>>(`/apis/apps/v1/namespaces/${ns}/${kind}`, { query: { labelSelector: selector }, signal });
  return l.items;
}

/** Replica count to restore: the current one, or for an already scaled-down workload the HA replicas of the config. */
async function replicasToRemember(c: KubeClient, w: Workload, signal?: AbortSignal): Promise<number> {
  const r = w.spec?.replicas;
  if (r !== undefined && r !== 0) return r;
  if (r === undefined) return 1;
  try {
    const s = await c.get<Secret>(`/api/v1/namespaces/${w.metadata.namespace}/secrets/vc-config-${w.metadata.labels?.release}`, { signal });
    const cfg = parseYaml(Buffer.from(s.data?.['config.yaml'] ?? '', 'base64').toString('utf8')) as {
      controlPlane?: { statefulSet?: { highAvailability?: { replicas?: number } } };
    } | null;
    const ha = cfg?.controlPlane?.statefulSet?.highAvailability?.replicas;
    return typeof ha === 'number' && ha > 0 ? ha : 1;
  } catch {
    return 1;
  }
}

async function scaleDown(c: KubeClient, ns: string, kind: Kind, selector: string, opts: LifecycleOptions): Promise<boolean> {
  const items = await listWorkloads(c, ns, kind, selector, opts.signal);
  if (items.length === 0) return false;
  for (const w of items) {
    if (isPaused(w)) {
      opts.log?.(`${kind} ${ns}/${w.metadata.name} is already paused`);
      return true;
    }
    const alreadyScaledDown = w.spec?.replicas === 0;
    const remember = await replicasToRemember(c, w, opts.signal);
    const patch = {
      metadata: {
        annotations: {
          [PAUSED_ANNOTATION]: 'true',
          [PAUSED_REPLICAS_ANNOTATION]: String(remember),
          [PAUSED_DATE_ANNOTATION]: (opts.now?.() ?? new Date()).toISOString(),
        },
      },
      spec: { replicas: 0 },
    };
    opts.log?.(`Scale down ${kind} ${ns}/${w.metadata.name} (replicas ${remember} → 0)`);
    await c.request('PATCH', `/apis/apps/v1/namespaces/${ns}/${kind}/${w.metadata.name}`, { body: patch, contentType: MERGE_PATCH, signal: opts.signal });
    if (!alreadyScaledDown) await waitScaledDown(c, ns, kind, w.metadata.name, opts);
  }
  return true;
}

async function waitScaledDown(c: KubeClient, ns: string, kind: Kind, name: string, opts: LifecycleOptions): Promise<void> {
  const deadline = Date.now() + (opts.waitMs ?? 180_000);
  for (;;) {
    const w = await c.get<Workload>(`/apis/apps/v1/namespaces/${ns}/${kind}/${name}`, { signal: opts.signal });
    if ((w.status?.replicas ?? 0) === 0) return;
    if (Date.now() >= deadline) {
      opts.log?.(`${kind} ${ns}/${name} still reports ${w.status?.replicas} replicas; continuing (its controller may be slow)`);
      return;
    }
    if (opts.signal?.aborted) throw new KubeError('cancelled', 'Pause was cancelled while waiting for the control plane to stop');
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Deletes the workload pods the vcluster synced to the host (they are recreated from the virtual pods on resume). */
async function deleteSyncedPods(c: KubeClient, ns: string, name: string, opts: LifecycleOptions): Promise<void> {
  opts.log?.(`Delete synced pods in ${ns} (${MANAGED_BY_LABEL}=${name})`);
  await c.request('DELETE', `/api/v1/namespaces/${ns}/pods`, { query: { labelSelector: `${MANAGED_BY_LABEL}=${name}` }, signal: opts.signal });
  // Multi-namespace mode (0.20–0.25): pods in the host namespaces the vcluster manages.
  let namespaces: Namespace[] = [];
  try {
    namespaces = (
      await c.get<KubeList<Namespace>>('/api/v1/namespaces', {
        query: { labelSelector: `${MANAGED_BY_LABEL}=${safeConcatName(ns, 'x', name)}` },
        signal: opts.signal,
      })
    ).items;
  } catch (err) {
    if (!(err instanceof KubeError && err.kind === 'forbidden')) throw err;
  }
  for (const n of namespaces) {
    await c.request('DELETE', `/api/v1/namespaces/${n.metadata.name}/pods`, { signal: opts.signal });
  }
}

/** `vcluster pause NAME -n NS`, through the API. */
export async function pauseVCluster(c: KubeClient, ns: string, name: string, opts: LifecycleOptions = {}): Promise<void> {
  const selector = controlPlaneSelector(name);
  let found = await scaleDown(c, ns, 'statefulsets', selector, opts);
  if (!found) {
    found = await scaleDown(c, ns, 'deployments', selector, opts);
    if (!found) throw new UserFacingError(`No vcluster "${name}" was found in namespace "${ns}"`);
    await scaleDown(c, ns, 'deployments', `app=vcluster-api,release=${name}`, opts);
    await scaleDown(c, ns, 'deployments', `app=vcluster-controller,release=${name}`, opts);
    await scaleDown(c, ns, 'statefulsets', `app=vcluster-etcd,release=${name}`, opts);
  }
  await deleteSyncedPods(c, ns, name, opts);
}

async function scaleUp(c: KubeClient, ns: string, kind: Kind, selector: string, opts: LifecycleOptions): Promise<boolean> {
  const items = await listWorkloads(c, ns, kind, selector, opts.signal);
  if (items.length === 0) return false;
  for (const w of items) {
    if (!isPaused(w)) return false;
    if (w.metadata.labels?.[SLEEP_MODE_LABEL] === 'true' && w.metadata.annotations?.[PAUSED_ANNOTATION] !== 'true') {
      throw new UserFacingError(
        `vcluster ${ns}/${w.metadata.labels?.release} is asleep through the vCluster Platform; wake it up with the platform (vcluster platform wakeup).`,
      );
    }
    const raw = w.metadata.annotations?.[PAUSED_REPLICAS_ANNOTATION];
    const parsed = raw ? Number.parseInt(raw, 10) : 1;
    const replicas = Number.isFinite(parsed) ? parsed : 1;
    const patch = {
      metadata: {
        annotations: { [PAUSED_ANNOTATION]: null, [RESTORING_ANNOTATION]: null, [PAUSED_REPLICAS_ANNOTATION]: null, [PAUSED_DATE_ANNOTATION]: null },
      },
      spec: { replicas },
    };
    // The CLI deletes only the annotation it paused with; restoring/paused are never both set, so removing both is the same.
    if (!(w.metadata.annotations && RESTORING_ANNOTATION in w.metadata.annotations))
      delete (patch.metadata.annotations as Record<string, null>)[RESTORING_ANNOTATION];
    opts.log?.(`Scale up ${kind} ${ns}/${w.metadata.name} (replicas → ${replicas})`);
    await c.request('PATCH', `/apis/apps/v1/namespaces/${ns}/${kind}/${w.metadata.name}`, { body: patch, contentType: MERGE_PATCH, signal: opts.signal });
  }
  return true;
}

/** `vcluster resume NAME -n NS`, through the API. */
export async function resumeVCluster(c: KubeClient, ns: string, name: string, opts: LifecycleOptions = {}): Promise<void> {
  const selector = controlPlaneSelector(name);
  let found = await scaleUp(c, ns, 'statefulsets', selector, opts);
  if (!found) {
    found = await scaleUp(c, ns, 'deployments', selector, opts);
    if (!found) throw new UserFacingError(`No paused vcluster "${name}" was found in namespace "${ns}". Make sure it exists and was paused.`);
    await scaleUp(c, ns, 'deployments', `app=vcluster-api,release=${name}`, opts);
    await scaleUp(c, ns, 'deployments', `app=vcluster-controller,release=${name}`, opts);
    await scaleUp(c, ns, 'statefulsets', `app=vcluster-etcd,release=${name}`, opts);
  }
}
