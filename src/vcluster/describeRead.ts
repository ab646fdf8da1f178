import type { KubeClient } from '../kube/client';
import { KubeError } from '../kube/errors';
import { Watcher } from '../kube/watch';
import type { KubeEvent, KubeList, Secret, Service, Workload } from '../kube/types';
import type { VClusterDetails } from '../shared/describe';
import type { ContextInfo, VClusterRef } from '../shared/model';
import { redact } from '../shared/redact';
import { readHelmRelease } from './config/helmRelease';
import { buildDetails, certSecretName, type PodFull } from './describe';
import type { Reach } from './reach';
import { parentOf } from './refs';
import { controlPlaneSelector } from './status';

// What `vcluster describe` shows of one vcluster (describe.ts builds it), read and watched in the cluster the vcluster
// runs in: its host, or the vcluster around a nested one, never the virtual cluster itself. No vscode import.

export interface DescribeOptions {
  readonly contexts: readonly ContextInfo[];
  readonly currentContext?: string;
  readonly tunnelPorts?: readonly number[];
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
}

async function optional<T>(what: string, problems: string[], p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof KubeError && err.kind === 'notFound') return undefined;
    problems.push(`${what}: ${redact(err instanceof Error ? err.message : String(err))}`);
    return undefined;
  }
}

/** Reads everything describe shows, from `cluster` (where the vcluster's control plane runs). */
export async function fetchDetails(cluster: KubeClient, ref: VClusterRef, o: DescribeOptions): Promise<VClusterDetails> {
  const ns = ref.namespace;
  const name = ref.name;
  const signal = o.signal;
  const selector = controlPlaneSelector(name);
  const problems: string[] = [];
  const [sts, deps] = await Promise.all([
    cluster.get<KubeList<Workload>>(`/apis/apps/v1/namespaces/${ns}/statefulsets`, { query: { labelSelector: selector }, signal }),
    cluster.get<KubeList<Workload>>(`/apis/apps/v1/namespaces/${ns}/deployments`, { query: { labelSelector: selector }, signal }),
  ]);
  const kind = sts.items?.length ? 'StatefulSet' : 'Deployment';
  const workload = sts.items?.[0] ?? deps.items?.[0];
  if (!workload)
    throw new KubeError('notFound', `No vcluster "${name}" was found in namespace "${ns}" (no StatefulSet or Deployment labelled ${selector}).`, 404);
  const pods =
    (await optional('pods', problems, cluster.get<KubeList<PodFull>>(`/api/v1/namespaces/${ns}/pods`, { query: { labelSelector: selector }, signal })))
      ?.items ?? [];
  const involved = [workload.metadata.name, ...(pods ?? []).map((p) => p.metadata.name)];
  const [eventLists, configSecret, certSecret, service, release] = await Promise.all([
    Promise.all(
      involved.map((n) =>
        optional(
          'events',
          problems,
          cluster.get<KubeList<KubeEvent>>(`/api/v1/namespaces/${ns}/events`, { query: { fieldSelector: `involvedObject.name=${n}` }, signal }),
        ),
      ),
    ),
    optional(`secret vc-config-${name}`, problems, cluster.get<Secret>(`/api/v1/namespaces/${ns}/secrets/vc-config-${name}`, { signal })),
    optional(`secret ${certSecretName(name)}`, problems, cluster.get<Secret>(`/api/v1/namespaces/${ns}/secrets/${certSecretName(name)}`, { signal })),
    optional(`service ${name}`, problems, cluster.get<Service>(`/api/v1/namespaces/${ns}/services/${name}`, { signal })),
    optional('Helm release', problems, readHelmRelease(cluster, ns, name, signal)),
  ]);
  // Keep only what is shown: the config secret's annotations and config, the cert secret's certificates.
  const slimConfig: Secret | undefined = configSecret
    ? { metadata: configSecret.metadata, data: configSecret.data?.['config.yaml'] ? { 'config.yaml': configSecret.data['config.yaml'] } : {} }
    : undefined;
  const slimCerts: Secret | undefined = certSecret
    ? { metadata: certSecret.metadata, data: Object.fromEntries(Object.entries(certSecret.data ?? {}).filter(([k]) => k.endsWith('.crt'))) }
    : undefined;
  const seen = new Set<string>();
  const events = eventLists
    .flatMap((l) => l?.items ?? [])
    .filter((e) => (e.metadata.uid && !seen.has(e.metadata.uid) ? (seen.add(e.metadata.uid), true) : !e.metadata.uid));
  return buildDetails(ref, {
    workload,
    kind,
    pods,
    events,
    ...(slimConfig ? { configSecret: slimConfig } : {}),
    ...(slimCerts ? { certSecret: slimCerts } : {}),
    ...(service ? { service } : {}),
    ...(release
      ? {
          release: {
            revision: release.revision,
            status: release.status,
            ...(release.chartVersion ? { chartVersion: release.chartVersion } : {}),
            ...(release.lastDeployed ? { lastDeployed: release.lastDeployed } : {}),
            ...(release.description ? { description: release.description } : {}),
          },
        }
      : {}),
    contexts: o.contexts,
    ...(o.currentContext ? { currentContext: o.currentContext } : {}),
    tunnelPorts: o.tunnelPorts ?? [],
    problems,
    now: o.now?.() ?? new Date(),
  });
}

/**
 * Calls onChange when anything describe shows changes: the workload, its pods, events about them, and its secrets
 * (config, certificates, Helm releases). All in the cluster the vcluster runs in. Dispose to stop.
 */
export function watchDetails(cluster: KubeClient, ref: VClusterRef, onChange: () => void): { dispose(): void } {
  const ns = ref.namespace;
  const name = ref.name;
  const selector = controlPlaneSelector(name);
  const ours = (e: { object?: KubeEvent }) => {
    const n = e.object?.involvedObject?.name ?? '';
    return n === name || n.startsWith(`${name}-`);
  };
  const watchers = [
    new Watcher(cluster, `/apis/apps/v1/namespaces/${ns}/statefulsets`, { labelSelector: selector, onEvent: onChange, onResync: onChange }),
    new Watcher(cluster, `/apis/apps/v1/namespaces/${ns}/deployments`, { labelSelector: selector, onEvent: onChange, onResync: onChange }),
    new Watcher(cluster, `/api/v1/namespaces/${ns}/pods`, { labelSelector: selector, onEvent: onChange, onResync: onChange }),
    new Watcher(cluster, `/api/v1/namespaces/${ns}/events`, {
      onEvent: (e) => {
        if (ours(e as { object?: KubeEvent })) onChange();
      },
      onResync: onChange,
    }),
    new Watcher(cluster, `/api/v1/namespaces/${ns}/secrets`, { labelSelector: `owner=helm,name=${name}`, onEvent: onChange, onResync: onChange }),
    new Watcher(cluster, `/api/v1/namespaces/${ns}/secrets`, { labelSelector: `release=${name}`, onEvent: onChange, onResync: onChange }),
  ];
  return { dispose: () => watchers.forEach((w) => w.dispose()) };
}

/**
 * Calls onChange when what describe shows changes, until disposed. A nested vcluster's parent is held meanwhile
 * (`model`: ExplorerModel fits).
 */
export async function watchDescribe(model: Pick<Reach, 'hold' | 'hostClientOf'>, ref: VClusterRef, onChange: () => void): Promise<{ dispose(): void }> {
  const parent = parentOf(ref);
  const hold = parent ? model.hold(parent) : undefined;
  try {
    const cluster = await model.hostClientOf(ref);
    const w = watchDetails(cluster, ref, onChange);
    return {
      dispose: () => {
        w.dispose();
        hold?.dispose();
      },
    };
  } catch (err) {
    hold?.dispose();
    throw err;
  }
}
