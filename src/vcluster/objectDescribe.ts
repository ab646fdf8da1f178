import type { KubeClient } from '../kube/client';
import { KubeError } from '../kube/errors';
import type { Container, KubeObject, Pod, PodTemplateSpec, Service } from '../kube/types';
import { UserFacingError, errorMessage } from '../shared/errors';
import type { ObjectCondition, ObjectContainer, ObjectDetails, ObjectEvent, ObjectRef } from '../shared/objectDescribe';
import { redact } from '../shared/redact';
import { describeResource, kindDef, objectEvents, type EventInfo } from './resources';

// What the describe view of an object inside a vcluster shows (vcluster.describeObject), built from the object as its
// virtual API server returns it and its events: what `kubectl describe` puts first for each kind. Free of vscode.
//
// Nothing secret leaves here: of a config map only the key names are kept (its values are dropped as soon as it is
// read), and the annotation kubectl.kubernetes.io/last-applied-configuration (the whole applied object, config map
// values included) is replaced by its size. Free text (messages, annotation values) goes through redact().

/** kubectl apply keeps the whole applied object here, values of config maps included. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

interface StatusOf {
  name: string;
  image?: string;
  ready?: boolean;
  restartCount?: number;
  state?: {
    waiting?: { reason?: string; message?: string };
    running?: { startedAt?: string };
    terminated?: { reason?: string; exitCode: number; message?: string };
  };
  lastState?: { terminated?: { reason?: string; exitCode?: number; finishedAt?: string } };
}

interface Conditioned {
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }[] };
}

type Any = KubeObject &
  Record<string, unknown> & {
    spec?: Record<string, unknown> & { template?: PodTemplateSpec; selector?: { matchLabels?: Record<string, string> } | Record<string, string> };
    status?: Record<string, unknown>;
    data?: Record<string, unknown>;
    binaryData?: Record<string, unknown>;
  };

const text = (s: string | undefined): string | undefined => (s === undefined || s === '' ? undefined : redact(s));

function containerPorts(c: Container): string[] {
  return (c.ports ?? []).map((p) => `${p.containerPort}/${p.protocol ?? 'TCP'}${p.name ? ` (${p.name})` : ''}`);
}

function podContainers(p: Pod): ObjectContainer[] {
  const statuses = new Map<string, StatusOf>(
    [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])].map((s) => [s.name, s as StatusOf]),
  );
  const one = (c: Container, init: boolean): ObjectContainer => {
    const s = statuses.get(c.name);
    const st = s?.state;
    const state = st?.running ? 'running' : st?.terminated ? 'terminated' : st?.waiting ? 'waiting' : 'unknown';
    const reason = st?.waiting?.reason ?? st?.terminated?.reason;
    const message = text(st?.waiting?.message ?? st?.terminated?.message);
    const last = s?.lastState?.terminated;
    return {
      name: c.name,
      init,
      ...((c.image ?? s?.image) ? { image: c.image ?? s?.image } : {}),
      ...(s ? { ready: s.ready === true, restarts: s.restartCount ?? 0 } : {}),
      state,
      ...(reason ? { reason } : {}),
      ...(message ? { message } : {}),
      ...(st?.terminated ? { exitCode: st.terminated.exitCode } : {}),
      ...(last
        ? { lastTermination: `${last.reason ?? 'Terminated'}, exit code ${last.exitCode ?? '?'}${last.finishedAt ? ` at ${last.finishedAt}` : ''}` }
        : {}),
      ports: containerPorts(c),
    };
  };
  return [...(p.spec?.initContainers ?? []).map((c) => one(c, true)), ...(p.spec?.containers ?? []).map((c) => one(c, false))];
}

function templateContainers(t: PodTemplateSpec | undefined): ObjectContainer[] {
  const one = (c: Container, init: boolean): ObjectContainer => ({ name: c.name, init, ...(c.image ? { image: c.image } : {}), ports: containerPorts(c) });
  return [...(t?.spec?.initContainers ?? []).map((c) => one(c, true)), ...(t?.spec?.containers ?? []).map((c) => one(c, false))];
}

function conditions(o: Conditioned): ObjectCondition[] {
  return (o.status?.conditions ?? []).map((c) => ({
    type: c.type,
    status: c.status,
    ...(c.reason ? { reason: c.reason } : {}),
    ...(text(c.message) ? { message: text(c.message)! } : {}),
    ...(c.lastTransitionTime ? { lastTransition: c.lastTransitionTime } : {}),
  }));
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function sorted(m: Record<string, string> | undefined): [string, string][] {
  return Object.entries(m ?? {}).sort(([a], [b]) => a.localeCompare(b));
}

function selectorOf(o: Any): [string, string][] | undefined {
  const s = o.spec?.selector as Record<string, unknown> | undefined;
  if (!s) return undefined;
  const labels = (s.matchLabels && typeof s.matchLabels === 'object' ? s.matchLabels : s) as Record<string, unknown>;
  return Object.entries(labels)
    .filter((e): e is [string, string] => typeof e[1] === 'string')
    .sort(([a], [b]) => a.localeCompare(b));
}

/** The key fields of each kind, in kubectl describe's order, as label/value pairs (values absent are left out). */
function factsOf(kind: ObjectRef['kind'], o: Any): [string, string | number | undefined][] {
  const st = o.status ?? {};
  const sp = o.spec ?? {};
  switch (kind) {
    case 'Pod': {
      const p = o as unknown as Pod & {
        spec?: { serviceAccountName?: string; restartPolicy?: string };
        status?: { hostIP?: string; qosClass?: string; startTime?: string; message?: string };
      };
      return [
        ['Phase', p.status?.phase],
        ['Reason', p.status?.reason],
        ['Message', text(p.status?.message)],
        ['Node', p.spec?.nodeName ?? 'not scheduled'],
        ['Pod IP', p.status?.podIP],
        ['Host IP', p.status?.hostIP],
        ['Started', p.status?.startTime],
        ['QoS class', p.status?.qosClass],
        ['Service account', p.spec?.serviceAccountName],
        ['Restart policy', p.spec?.restartPolicy],
        ['Controlled by', o.metadata.ownerReferences?.map((r) => `${r.kind}/${r.name}`).join(', ')],
      ];
    }
    case 'Deployment':
    case 'StatefulSet': {
      const strategy = (sp.strategy ?? sp.updateStrategy) as { type?: string } | undefined;
      return [
        [
          'Replicas',
          `${num(sp.replicas) ?? 1} desired, ${num(st.updatedReplicas) ?? 0} updated, ${num(st.replicas) ?? 0} total, ${num(st.readyReplicas) ?? 0} ready, ${num(st.availableReplicas) ?? 0} available`,
        ],
        ['Strategy', strategy?.type],
        ['Service name', kind === 'StatefulSet' ? str(sp.serviceName) : undefined],
        ['Paused', sp.paused === true ? 'yes' : undefined],
        ['Observed generation', num(st.observedGeneration)],
      ];
    }
    case 'DaemonSet':
      return [
        [
          'Pods',
          `${num(st.desiredNumberScheduled) ?? 0} desired, ${num(st.currentNumberScheduled) ?? 0} current, ${num(st.updatedNumberScheduled) ?? 0} updated, ${num(st.numberReady) ?? 0} ready, ${num(st.numberAvailable) ?? 0} available`,
        ],
        ['Misscheduled', num(st.numberMisscheduled)],
        ['Update strategy', (sp.updateStrategy as { type?: string } | undefined)?.type],
      ];
    case 'Job':
      return [
        ['Completions', `${num(st.succeeded) ?? 0} succeeded of ${num(sp.completions) ?? 1}`],
        ['Parallelism', num(sp.parallelism)],
        ['Pods', `${num(st.active) ?? 0} active, ${num(st.succeeded) ?? 0} succeeded, ${num(st.failed) ?? 0} failed`],
        ['Backoff limit', num(sp.backoffLimit)],
        ['Start time', str(st.startTime)],
        ['Completion time', str(st.completionTime)],
        ['Suspended', sp.suspend === true ? 'yes' : undefined],
      ];
    case 'Service': {
      const s = o as unknown as Service & { spec?: { externalIPs?: string[]; sessionAffinity?: string; clusterIPs?: string[] } };
      const lb = (s.status?.loadBalancer?.ingress ?? [])
        .map((i) => i.ip ?? i.hostname)
        .filter(Boolean)
        .join(', ');
      return [
        ['Type', s.spec?.type ?? 'ClusterIP'],
        ['Cluster IP', (s.spec?.clusterIPs ?? []).join(', ') || s.spec?.clusterIP],
        ['External IPs', (s.spec?.externalIPs ?? []).join(', ')],
        ['LoadBalancer ingress', lb],
        ['Session affinity', s.spec?.sessionAffinity],
      ];
    }
    case 'ConfigMap':
      return [['Immutable', o.immutable === true ? 'yes' : undefined]];
  }
}

/**
 * The describe view's model of an object (as read from the virtual API server) and its events. `host`: where the
 * syncer put it, for synced kinds (ResourceInfo.host).
 */
export function buildObjectDetails(
  target: ObjectRef,
  object: KubeObject,
  events: readonly EventInfo[],
  o: { problems?: readonly string[]; now?: Date } = {},
): ObjectDetails {
  const obj = object as Any;
  const info = describeResource(
    target.kind,
    { ...obj, metadata: { ...obj.metadata, namespace: obj.metadata.namespace ?? target.namespace } },
    target.ref.name,
    target.ref.namespace,
  );
  const facts = factsOf(target.kind, obj)
    .filter((f): f is [string, string | number] => f[1] !== undefined && f[1] !== '')
    .map(([label, value]) => ({ label, value: String(value) }));
  const containers =
    target.kind === 'Pod'
      ? podContainers(obj as unknown as Pod)
      : target.kind === 'Service' || target.kind === 'ConfigMap'
        ? []
        : templateContainers(obj.spec?.template);
  const ports =
    target.kind === 'Service'
      ? ((obj as unknown as Service).spec?.ports ?? []).map((p) => ({
          ...(p.name ? { name: p.name } : {}),
          port: p.port,
          ...(p.targetPort !== undefined ? { targetPort: String(p.targetPort) } : {}),
          protocol: p.protocol ?? 'TCP',
          ...(p.nodePort ? { nodePort: p.nodePort } : {}),
        }))
      : [];
  const selector = target.kind === 'Pod' || target.kind === 'ConfigMap' ? undefined : selectorOf(obj);
  // Only the names: the values are never copied out of the object read.
  const keys =
    target.kind === 'ConfigMap' ? [...Object.keys(obj.data ?? {}), ...Object.keys(obj.binaryData ?? {}).map((k) => `${k} (binary)`)].sort() : undefined;
  const annotations = sorted(obj.metadata.annotations).map(([k, v]): [string, string] => [
    k,
    k === LAST_APPLIED_ANNOTATION ? `(left out: ${v.length} characters, the last applied object)` : redact(v),
  ]);
  return {
    target: { ref: target.ref, kind: target.kind, namespace: target.namespace, name: target.name },
    fetchedAt: (o.now ?? new Date()).toISOString(),
    status: info.status,
    ...(info.ready ? { ready: info.ready } : {}),
    ...(obj.metadata.creationTimestamp ? { created: obj.metadata.creationTimestamp } : {}),
    facts,
    containers,
    conditions: conditions(obj as Conditioned),
    ports,
    ...(selector ? { selector } : {}),
    ...(keys ? { keys } : {}),
    labels: sorted(obj.metadata.labels),
    annotations,
    ...(info.host && kindDef(target.kind).synced ? { host: info.host } : {}),
    events: events.map((e): ObjectEvent => ({ ...e, message: redact(e.message) })),
    problems: [...(o.problems ?? [])],
  };
}

/** Reads an object inside a vcluster and its events; a clear message when the object is gone. */
export async function fetchObjectDetails(client: KubeClient, target: ObjectRef, signal?: AbortSignal): Promise<ObjectDetails> {
  const def = kindDef(target.kind);
  let object: KubeObject;
  try {
    object = await client.get<KubeObject>(`${def.path(target.namespace)}/${encodeURIComponent(target.name)}`, { signal });
  } catch (err) {
    if (err instanceof KubeError && err.kind === 'notFound')
      throw new UserFacingError(`${target.kind} ${target.namespace}/${target.name} does not exist in vcluster ${target.ref.name} (any more).`);
    throw err;
  }
  if (target.kind === 'ConfigMap') {
    // Keep the key names only; drop the values before anything else sees the object.
    const cm = object as Any;
    object = {
      ...cm,
      data: Object.fromEntries(Object.keys(cm.data ?? {}).map((k) => [k, ''])),
      binaryData: Object.fromEntries(Object.keys(cm.binaryData ?? {}).map((k) => [k, ''])),
    } as KubeObject;
  }
  const problems: string[] = [];
  const events = await objectEvents(client, target.kind, target.namespace, target.name, signal).catch((err: unknown) => {
    problems.push(`Events: ${redact(errorMessage(err))}`);
    return [];
  });
  return buildObjectDetails(target, object, events, { problems });
}
