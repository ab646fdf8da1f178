// 4. Watch latency: a vcluster created in the host (a StatefulSet labelled as the chart labels it) until the model
// has it, after its change event: the real ExplorerModel with watches, the setting's default window.
import { performance } from 'node:perf_hooks';
import type { HostCluster } from '../test/harness/cluster/controlPlane';
import { productModel } from '../test/cluster/product';
import type { DiscoveryResult } from '../src/shared/model';
import { bulkRest, countVClusters, kubeconfigFile, sleep, wrong } from './common';
import { summarize } from './stats';
import { statefulSetBody } from './world';

export async function measureWatch(host: HostCluster, trials: number, debounceMs: number) {
  const rest = bulkRest(host);
  const ns = 'bench-watch';
  await rest.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const kcFile = kubeconfigFile(host.kubeconfig, 'vce-bench-watch-');
  const product = productModel([kcFile], { watch: true, debounceMs, timeoutMs: 120_000 });
  const model = product.model;
  const ctx = host.contextName;
  const has = (r: DiscoveryResult, name: string) => r.namespaces.some((n) => n.name === ns && n.vclusters.some((v) => v.ref.name === name));
  try {
    await model.vclusters(ctx);
    await sleep(1500); // let the three watches connect
    const lat: number[] = [];
    for (let i = -2; i < trials; i++) {
      const name = `watch-${i + 2}`;
      let sub: { dispose(): void } | undefined;
      const seen = new Promise<number>((resolve) => {
        sub = model.onDidChange((e) => {
          if (e.scope !== 'context' || e.context !== ctx) return;
          void model.vclusters(ctx).then(
            (r) => {
              if (has(r, name)) resolve(performance.now());
            },
            () => undefined,
          );
        });
      });
      const t0 = performance.now();
      await rest.create(`/apis/apps/v1/namespaces/${ns}/statefulsets`, statefulSetBody(name, ns));
      const t1 = await Promise.race([seen, sleep(15_000).then(() => -1)]);
      sub?.dispose();
      if (t1 < 0) {
        wrong(`watch: the vcluster ${ns}/${name} created in the host did not reach the model within 15 s`, true);
      }
      if (i >= 0) lat.push(t1 - t0);
      await sleep(debounceMs + 700); // let the pod the controller creates settle, so trials do not overlap
    }
    const final = await model.vclusters(ctx, true);
    return { trials, debounceMs, latencyMs: summarize(lat), finalCount: countVClusters(final), created: trials + 2 };
  } finally {
    product.dispose();
    rest.dispose();
  }
}
