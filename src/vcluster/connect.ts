import { setTimeout as sleep } from 'node:timers/promises';
import { KubeClient } from '../kube/client';
import { KubeError } from '../kube/errors';
import type { KubeconfigWriter } from '../kube/kubeconfig/writer';
import type { TunnelManager } from '../kube/tunnel';
import type { KubeList, Pod } from '../kube/types';
import { CancelledError, UserFacingError, errorMessage } from '../shared/errors';
import type { VClusterRef } from '../shared/model';
import {
  KubeconfigSecretMissingError,
  chooseEndpoint,
  virtualConnectionSpec,
  virtualKubeconfigEntry,
  type VirtualEndpoint,
  type VirtualKubeconfig,
} from './access';
import type { ExplorerModel } from './explorer';
import { controlPlaneSelector, podStatus } from './status';
import { parseVClusterContext } from './contextName';
import type { KubeconfigSnapshot } from './kubeconfigState';
import { contextNameFor } from './refs';

// Connect as one domain step, without VS Code: reach the vcluster's kubeconfig through the cluster it runs in, choose
// the endpoint (the secret's server, a LoadBalancer, a NodePort of a local host, else a port-forward tunnel), build the
// context, probe it, and write it. The command around it only asks (scope, resume) and shows the result.

/** A port-forward tunnel that a written context points at, kept so that it can be opened again after a reload. */
export interface TunnelRecord {
  readonly ref: VClusterRef;
  readonly localPort: number;
  readonly remotePort: number;
}

export interface ConnectDeps {
  readonly model: ExplorerModel;
  readonly tunnels: TunnelManager;
  readonly timeoutMs: number;
  /** How long to wait for a vcluster that is still starting (default CONNECT_WAIT_MS). */
  readonly waitMs?: number;
}

/**
 * How long Connect waits for a vcluster that is still coming up (its pod not ready, or its kubeconfig secret not yet
 * written). `vcluster connect` waits up to ten minutes the same way (GetKubeConfig in pkg/util/clihelper/clihelper.go,
 * vcluster v0.36.1); the progress notification says what it waits for and can be cancelled.
 */
export const CONNECT_WAIT_MS = 5 * 60_000;

export interface Connection {
  /** The context written (the name `vcluster connect` gives it). */
  readonly contextName: string;
  readonly endpoint: VirtualEndpoint;
  /** Set when the endpoint is a tunnel: keep it to restore the tunnel later. */
  readonly tunnel?: TunnelRecord;
}

export interface ConnectOptions {
  readonly signal?: AbortSignal;
  readonly report?: (step: string) => void;
  /** The vcluster was just resumed: wait while it has no pod yet. */
  readonly expectPod?: boolean;
}

/**
 * Connects to a vcluster: writes its context with `writer` (made current) after the virtual API server answered at the
 * chosen endpoint. A tunnel it opened is pinned (kept open while the context points at it). Nothing is written when the
 * probe fails.
 */
export async function connectVCluster(deps: ConnectDeps, ref: VClusterRef, writer: KubeconfigWriter, opts: ConnectOptions = {}): Promise<Connection> {
  const { signal } = opts;
  const report = opts.report ?? (() => undefined);
  const contextName = contextNameFor(ref);
  report('reading the vcluster kubeconfig');
  // Only the allow-listed fields of the secret's kubeconfig: it is cluster data, never a program or a local path.
  const { host, kubeconfig: kc } = await waitUntilUp(deps, ref, opts, report);
  report('choosing the endpoint');
  const endpoint = await chooseEndpoint(host, ref.namespace, ref.name, kc, deps.tunnels, signal);
  report(`checking ${endpoint.server}`);
  const probe = new KubeClient(virtualConnectionSpec(contextName, kc, endpoint), { timeoutMs: deps.timeoutMs, credentialOrigin: 'cluster' });
  try {
    await probe.get('/api/v1/namespaces/default', { signal });
  } catch (err) {
    throw new UserFacingError(`The API server of vcluster ${ref.name} did not answer at ${endpoint.server}: ${errorMessage(err)}`);
  } finally {
    probe.dispose();
  }
  await writer.upsertContext(virtualKubeconfigEntry(contextName, kc, endpoint), { makeCurrent: true });
  let tunnel: TunnelRecord | undefined;
  if (endpoint.kind === 'tunnel') {
    tunnel = { ref, localPort: Number(new URL(endpoint.server).port), remotePort: Number(new URL(kc.secretServer).port || 8443) };
    deps.tunnels.pin(tunnel.localPort);
  }
  await deps.model.reloadKubeconfig();
  return { contextName, endpoint, ...(tunnel ? { tunnel } : {}) };
}

/**
 * Waits, as `vcluster connect` does, until the newest pod of the vcluster (labels app=vcluster, release=NAME) has all
 * its containers ready, then returns its kubeconfig secret's allow-listed kubeconfig. A vcluster just created or resumed
 * is listed as running before its API server answers, and its syncer writes the secret a moment after the pod turned
 * ready: a missing secret is waited for during SECRET_GRACE_MS after that (later it is an error at once, as it will not
 * come by itself). `expectPod` (after a resume) also waits while the vcluster has no pod yet. Without permission to
 * list pods, nothing is waited for.
 */
async function waitUntilUp(
  deps: ConnectDeps,
  ref: VClusterRef,
  opts: ConnectOptions,
  report: (step: string) => void,
): Promise<{ host: KubeClient; kubeconfig: VirtualKubeconfig }> {
  const deadline = Date.now() + (deps.waitMs ?? CONNECT_WAIT_MS);
  for (;;) {
    const pod = await podState(await deps.model.hostClientOf(ref), ref, opts.signal);
    let waitingFor = pod.waitingFor ?? (pod.missing && opts.expectPod ? 'its pod to be created' : undefined);
    if (!waitingFor) {
      try {
        return await deps.model.virtualKubeconfig(ref, opts.signal);
      } catch (err) {
        if (!(err instanceof KubeconfigSecretMissingError) || pod.readySince === undefined || Date.now() - pod.readySince > SECRET_GRACE_MS) throw err;
        waitingFor = `its kubeconfig secret vc-${ref.name}`;
      }
    }
    if (Date.now() >= deadline) {
      throw new UserFacingError(
        `vcluster ${ref.namespace}/${ref.name} did not come up within ${Math.round((deps.waitMs ?? CONNECT_WAIT_MS) / 1000)} s (still waiting for ${waitingFor}). Look at its logs (Show Logs on the vcluster), then connect again.`,
      );
    }
    report(`waiting for the vcluster to come up: ${waitingFor}`);
    await sleep(1000, undefined, { signal: opts.signal }).catch((err: unknown) => {
      throw opts.signal?.aborted ? new CancelledError() : err;
    });
  }
}

/** After its pod turned ready, how long a vcluster may take to write its kubeconfig secret. */
const SECRET_GRACE_MS = 60_000;

/**
 * The vcluster's newest pod: what it still lacks ("pod NAME-0 (ContainerCreating)"), or since when it is ready; `missing`
 * when it has none. A pod without container statuses counts as ready, as in the CLI. Forbidden to list: nothing known.
 */
async function podState(
  host: KubeClient,
  ref: VClusterRef,
  signal: AbortSignal | undefined,
): Promise<{ waitingFor?: string; readySince?: number; missing?: boolean }> {
  let pods: Pod[];
  try {
    pods = (await host.get<KubeList<Pod>>(`/api/v1/namespaces/${ref.namespace}/pods`, { query: { labelSelector: controlPlaneSelector(ref.name) }, signal }))
      .items;
  } catch (err) {
    if (err instanceof KubeError && err.kind === 'forbidden') return {};
    throw err;
  }
  const newest = [...pods].sort((a, b) => Date.parse(b.metadata.creationTimestamp ?? '') - Date.parse(a.metadata.creationTimestamp ?? ''))[0];
  if (!newest) return { missing: true };
  const ready = (newest.status?.containerStatuses ?? []).every((c) => c.ready && c.state?.running);
  if (!ready) return { waitingFor: `pod ${newest.metadata.name} (${podStatus(newest) || 'Pending'})` };
  const since = newest.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True')?.lastTransitionTime;
  return since ? { readySince: Date.parse(since) } : {};
}

/**
 * Opens a recorded tunnel again on the same local port, when the context still points at it. Returns false (the record
 * is stale) when the context is gone or points elsewhere.
 */
export async function restoreTunnel(deps: Omit<ConnectDeps, 'timeoutMs'>, contextName: string, record: TunnelRecord): Promise<boolean> {
  const snap = await deps.model.kubeconfig();
  const entry = snap.contexts.find((c) => c.name === contextName);
  if (!entry?.server?.endsWith(`:${record.localPort}`)) return false;
  const host = await deps.model.hostClientOf(record.ref);
  await deps.tunnels.open(host, record.ref.namespace, `${record.ref.name}-0`, record.remotePort, record.localPort);
  deps.tunnels.pin(record.localPort);
  return true;
}

/**
 * Leaves vcluster context `contextName`: makes its parent context current when it was current, or, with
 * `removeContext`, removes it with its cluster and user (as `vcluster disconnect` leaves it in place, this is a choice).
 * Returns the parent context. Refuses a name that is not a vcluster context, or whose parent is not in the kubeconfig.
 */
export async function disconnectContext(
  writer: KubeconfigWriter,
  snap: KubeconfigSnapshot,
  contextName: string,
  opts: { removeContext: boolean },
): Promise<string> {
  const parsed = parseVClusterContext(contextName);
  if (!parsed) throw new UserFacingError(`"${contextName}" is not a vcluster context (vcluster_<name>_<namespace>_<parent>).`);
  const parent = parsed.parentContext;
  if (!snap.contexts.some((c) => c.name === parent)) throw new UserFacingError(`The parent context "${parent}" of ${contextName} is not in the kubeconfig.`);
  if (opts.removeContext && snap.contexts.some((c) => c.name === contextName)) {
    await writer.removeContext(contextName, { removeClusterAndUser: true, switchTo: snap.currentContext === contextName ? parent : undefined });
  } else if (snap.currentContext === contextName) {
    await writer.useContext(parent);
  }
  return parent;
}
