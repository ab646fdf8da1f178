// The benchmark's host clusters: real etcd + kube-apiserver (+ kube-controller-manager) from the test harness, with
// namespaces and vclusters laid out by world.ts. Every host started here is stopped by stopHosts(), also on failure.
import { performance } from 'node:perf_hooks';
import { startHost, type HostCluster } from '../test/harness/cluster/controlPlane';
import { bulkRest, say } from './common';
import { buildVClusters, createNamespaces } from './world';

export interface PreparedHost {
  host: HostCluster;
  namespaces: number;
  buildMs: Record<string, number>;
  /** vclusters built so far (vc-0000 … ). */
  vclusters: number;
}

const started: HostCluster[] = [];

/**
 * Starts a host and creates its namespaces `bench-0000` …. The controller-manager runs the namespace and
 * garbage-collector controllers; the statefulset and serviceaccount controllers would need minutes at their 20
 * requests/s for 2,000 vclusters and 10,000 namespaces, so the builder lays out each vcluster's pod and volume claim
 * as the statefulset controller would (and reports the pod Running, which without a kubelet someone must do anyway).
 */
export async function prepareHost(contextName: string, namespaces: number): Promise<PreparedHost> {
  const t0 = performance.now();
  const host = await startHost({ contextName, controllers: ['namespace', 'garbagecollector'] });
  started.push(host);
  const buildMs: Record<string, number> = { startHost: Math.round(performance.now() - t0) };
  say(`host ${host.contextName} ready in ${buildMs.startHost} ms (${host.server})`);
  const rest = bulkRest(host);
  try {
    const t = performance.now();
    await createNamespaces(rest, 'bench', 0, namespaces);
    buildMs.namespaces = Math.round(performance.now() - t);
    say(`${namespaces} namespaces in ${host.contextName} in ${buildMs.namespaces} ms`);
  } finally {
    rest.dispose();
  }
  return { host, namespaces, buildMs, vclusters: 0 };
}

/** Builds vclusters up to `to` in total, spread over the namespaces. */
export async function growVClusters(prep: PreparedHost, to: number): Promise<void> {
  if (to <= prep.vclusters) return;
  const rest = bulkRest(prep.host);
  try {
    const t = performance.now();
    await buildVClusters(rest, { prefix: 'bench', namespaces: prep.namespaces, from: prep.vclusters, to, controllers: false, log: say });
    prep.buildMs[`vclusters${to}`] = Math.round(performance.now() - t);
    say(`${to - prep.vclusters} vclusters built in ${prep.buildMs[`vclusters${to}`]} ms (${to} in ${prep.host.contextName})`);
    prep.vclusters = to;
  } finally {
    rest.dispose();
  }
}

/** Stops every host this module started (idempotent). */
export async function stopHosts(): Promise<void> {
  for (const h of started) await h.stop().catch((err: Error) => say(`stopping ${h.contextName}: ${err.message}`));
}
