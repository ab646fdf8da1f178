// 9. Inside a vcluster: a vcluster whose own API server (a real kube-apiserver, as the harness starts one for every
// fixture that can be reached) holds N pods in one virtual namespace. Timed as the tree does it: the Pods folder's first
// page (PAGE_SIZE objects through InsideVClusters.resourcePage, tree nodes and getTreeItem for each) on a fresh model
// (so reaching the vcluster — its kubeconfig secret, the endpoint, TLS — is included) and warm; then every object at
// once (what repeated "Show more" ends with).
import { performance } from 'node:perf_hooks';
import type { HostCluster } from '../test/harness/cluster/controlPlane';
import { buildWorld } from '../test/harness/worlds/worlds';
import { PAGE_SIZE } from '../src/vcluster/resources';
import { pool } from './bulk';
import { bulkRest, gc, kubeconfigFile, say, wrong } from './common';
import { summarize } from './stats';
import { loadTreeModules, makeTree } from './tree';

const NAME = 'insidebench';
const HOST_NS = 'bench-inside';
const NS = 'apps';

export async function measureInside(host: HostCluster, pods: number, runs: number) {
  const t0 = performance.now();
  // The benchmark's host runs no statefulset controller (bench/hosts.ts): the builder lays out the pod.
  const world = await buildWorld(host, [{ name: NAME, namespace: HOST_NS, state: 'Running', access: 'server' }], { controllers: false });
  const virtual = world.find(NAME, HOST_NS).virtual!;
  const vrest = bulkRest(virtual);
  try {
    await vrest.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await pool(
      Array.from({ length: pods }, (_, i) => i),
      24,
      (i) =>
        vrest.create(`/api/v1/namespaces/${NS}/pods`, {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `web-${i}`, namespace: NS, labels: { app: 'web' } },
          spec: { containers: [{ name: 'app', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] },
        }),
    );
    const buildMs = Math.round(performance.now() - t0);
    say(`inside: ${pods} pods in a vcluster's own API server in ${buildMs} ms`);

    const { KindFolderNode } = loadTreeModules();
    const kcFile = kubeconfigFile(host.kubeconfig, 'vce-bench-inside-');
    const ref = { context: host.contextName, namespace: HOST_NS, name: NAME };
    const make = () => ({ ...makeTree(kcFile), folder: new KindFolderNode(ref, NS, 'Pod') });
    const firstPage = async (t: ReturnType<typeof make>) => {
      const kids = await t.tree.getChildren(t.folder);
      for (const k of kids) t.tree.getTreeItem(k);
      const objects = kids.filter((k) => k.type === 'resource').length;
      if (objects !== Math.min(PAGE_SIZE, pods) || pods > PAGE_SIZE !== kids.some((k) => k.type === 'message')) {
        wrong(
          `inside: the Pods folder shows ${objects} pods of ${pods} (${kids.length} nodes), expected the first ${Math.min(PAGE_SIZE, pods)} and a "show more" node`,
        );
      }
    };

    const cold: number[] = [];
    const warm: number[] = [];
    const all: number[] = [];
    for (let run = -1; run < runs; run++) {
      const t = make();
      gc();
      let s = performance.now();
      await firstPage(t);
      const c = performance.now() - s;
      s = performance.now();
      await firstPage(t);
      const w = performance.now() - s;
      s = performance.now();
      const page = await t.inside.resourcePage(ref, { namespace: NS, kind: 'Pod', limit: pods });
      const a = performance.now() - s;
      if (page.items.length !== pods || page.continue) wrong(`inside: listing all pods gave ${page.items.length} of ${pods}`);
      if (run >= 0) {
        cold.push(c);
        warm.push(w);
        all.push(a);
      }
      t.tree.dispose();
      t.product.dispose();
    }
    return {
      pods,
      pageSize: PAGE_SIZE,
      buildMs,
      firstPageColdMs: summarize(cold),
      firstPageWarmMs: summarize(warm),
      allPodsMs: summarize(all),
      note: 'the tree provider with the vscode stand-in; cold = fresh model and client (reads vc-NAME, chooses the endpoint, TLS to the virtual API server); warm = the same folder again; all = one list of every pod (where "Show more" ends)',
    };
  } finally {
    vrest.dispose();
    await virtual.stop();
  }
}
