// The benchmark's host clusters: real etcd + kube-apiserver (+ kube-controller-manager) from the test harness, with
// namespaces and vclusters laid out by world.ts. Every host started here is stopped by stopHosts(), also on failure.
import { performance } from 'node:perf_hooks';
import { HOST_CONTROLLERS, startHost, type HostCluster } from '../test/harness/controlPlane';
import type { KObject } from '../test/harness/rest';
import { bulkRest, say, sleep } from './common';
import { buildVClusters, createNamespaces } from './world';

/**
 * 'full': the harness's controllers: the statefulset controller makes every vcluster's pod and volume claim, and the
 * serviceaccount controller a `default` ServiceAccount per namespace (about 20 requests/s: 100 s per 2,000
 * namespaces). 'light': only the namespace and garbage-collector controllers; the builder lays out the pods and
 * claims as the statefulset controller would (what a 10,000-namespace world needs to be built in minutes).
 */
export type Controllers = 'full' | 'light';

export interface PreparedHost {
  host: HostCluster;
  namespaces: number;
  controllers: Controllers;
  /** Resolves when the controllers are done with the namespaces (the world is quiet). */
  settled: Promise<void>;
  buildMs: Record<string, number>;
  /** vclusters built so far (vc-0000 … ). */
  vclusters: number;
}

const started: HostCluster[] = [];

/** Starts a host and creates its namespaces `bench-0000` …; `settled` says when no controller works on them any more. */
export async function prepareHost(contextName: string, namespaces: number, controllers: Controllers): Promise<PreparedHost> {
  const t0 = performance.now();
  const host = await startHost({ contextName, controllers: controllers === 'full' ? HOST_CONTROLLERS : ['namespace', 'garbagecollector'] });
  started.push(host);
  const buildMs: Record<string, number> = { startHost: Math.round(performance.now() - t0) };
  say(`host ${host.contextName} ready in ${buildMs.startHost} ms (${host.server})`);
  const rest = bulkRest(host);
  const t = performance.now();
  await createNamespaces(rest, 'bench', 0, namespaces);
  buildMs.namespaces = Math.round(performance.now() - t);
  say(`${namespaces} namespaces in ${host.contextName} in ${buildMs.namespaces} ms`);
  const settled = (controllers === 'full' ? settleNamespaces(rest, namespaces) : Promise.resolve()).then(() => {
    buildMs.namespacesSettled = Math.round(performance.now() - t);
    if (controllers === 'full') say(`${namespaces} namespaces in ${host.contextName} settled after ${buildMs.namespacesSettled} ms`);
  }).finally(() => rest.dispose());
  settled.catch(() => undefined); // awaited by whoever measures
  return { host, namespaces, controllers, settled, buildMs, vclusters: 0 };
}

/** Builds vclusters up to `to` in total (spread over the namespaces) and waits until the world is quiet. */
export async function growVClusters(prep: PreparedHost, to: number): Promise<void> {
  if (to <= prep.vclusters) return;
  const rest = bulkRest(prep.host);
  try {
    const t = performance.now();
    await buildVClusters(rest, { prefix: 'bench', namespaces: prep.namespaces, from: prep.vclusters, to, controllers: prep.controllers === 'full', log: say });
    prep.buildMs[`vclusters${to}`] = Math.round(performance.now() - t);
    say(`${to - prep.vclusters} vclusters built in ${prep.buildMs[`vclusters${to}`]} ms (${to} in ${prep.host.contextName})`);
    prep.vclusters = to;
  } finally {
    rest.dispose();
  }
  await prep.settled;
}

/** Waits until the serviceaccount controller has made `default` in every bench namespace (the world is quiet). */
async function settleNamespaces(rest: ReturnType<typeof bulkRest>, namespaces: number): Promise<void> {
  const deadline = Date.now() + 600_000;
  for (;;) {
    const l = await rest.get('/api/v1/serviceaccounts?fieldSelector=metadata.name%3Ddefault');
    const n = (l.items as KObject[]).filter((sa) => String(sa.metadata.namespace).startsWith('bench-')).length;
    if (n >= namespaces) return;
    if (Date.now() > deadline) throw new Error(`only ${n} of ${namespaces} namespaces got their default ServiceAccount`);
    await sleep(1000);
  }
}

/** Stops every host this module started (idempotent). */
export async function stopHosts(): Promise<void> {
  for (const h of started) await h.stop().catch((err: Error) => say(`stopping ${h.contextName}: ${err.message}`));
}
