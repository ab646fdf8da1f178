import { KubeClient } from '../kube/client';
import type { KubeconfigWriter } from '../kube/kubeconfig/writer';
import type { TunnelManager } from '../kube/tunnel';
import { UserFacingError, errorMessage } from '../shared/errors';
import type { VClusterRef } from '../shared/model';
import { chooseEndpoint, virtualConnectionSpec, virtualKubeconfigEntry, type VirtualEndpoint } from './access';
import type { ExplorerModel } from './explorer';
import { parseVClusterContext } from './contextName';
import type { KubeconfigSnapshot } from './kubeconfigState';
import { contextNameFor } from './refs';

// Connect as one domain step, without VS Code: reach the vcluster's kubeconfig through the cluster it runs in, choose
// the endpoint (the secret's server, a LoadBalancer, a NodePort of a local host, else a port-forward tunnel), build the
// context, probe it, and write it. The command around it only asks (scope, resume) and shows the result.

/** A port-forward tunnel that a written context points at, kept so that it can be opened again after a reload. */
export interface TunnelRecord { readonly ref: VClusterRef; readonly localPort: number; readonly remotePort: number }

export interface ConnectDeps {
  readonly model: ExplorerModel;
  readonly tunnels: TunnelManager;
  readonly timeoutMs: number;
}

export interface Connection {
  /** The context written (the name `vcluster connect` gives it). */
  readonly contextName: string;
  readonly endpoint: VirtualEndpoint;
  /** Set when the endpoint is a tunnel: keep it to restore the tunnel later. */
  readonly tunnel?: TunnelRecord;
}

/**
 * Connects to a vcluster: writes its context with `writer` (made current) after the virtual API server answered at the
 * chosen endpoint. A tunnel it opened is pinned (kept open while the context points at it). Nothing is written when the
 * probe fails.
 */
export async function connectVCluster(deps: ConnectDeps, ref: VClusterRef, writer: KubeconfigWriter, opts: { signal?: AbortSignal; report?: (step: string) => void } = {}): Promise<Connection> {
  const { signal } = opts;
  const report = opts.report ?? (() => undefined);
  const contextName = contextNameFor(ref);
  report('reading the vcluster kubeconfig');
  // Only the allow-listed fields of the secret's kubeconfig: it is cluster data, never a program or a local path.
  const { host, kubeconfig: kc } = await deps.model.virtualKubeconfig(ref, signal);
  report('choosing the endpoint');
  const endpoint = await chooseEndpoint(host, ref.namespace, ref.name, kc, deps.tunnels, signal);
  report(`checking ${endpoint.server}`);
  const probe = new KubeClient(virtualConnectionSpec(contextName, kc, endpoint), { timeoutMs: deps.timeoutMs });
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
 * Opens a recorded tunnel again on the same local port, when the context still points at it. Returns false (the record
 * is stale) when the context is gone or points elsewhere.
 */
export async function restoreTunnel(deps: Omit<ConnectDeps, 'timeoutMs'>, contextName: string, record: TunnelRecord): Promise<boolean> {
  const snap = deps.model.snapshot() ?? await deps.model.reloadKubeconfig();
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
export async function disconnectContext(writer: KubeconfigWriter, snap: KubeconfigSnapshot, contextName: string, opts: { removeContext: boolean }): Promise<string> {
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
