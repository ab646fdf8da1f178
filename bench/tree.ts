// 2. The tree: the real ExplorerTreeProvider (with the vscode stand-in of vscode-stub.cjs) over a context of the big
// world: the children of the context (cold: a fresh model, so discovery over HTTPS is included; warm: discovery
// cached), getTreeItem for each, expanding every namespace, every namespace of the cluster pinned, and the heap the
// first expansion leaves held (model cache, nodes, the context's client).
import { performance } from 'node:perf_hooks';
import type { HostCluster } from '../test/harness/cluster/controlPlane';
import { productModel } from '../test/cluster/product';
import { withConnection } from '../src/vcluster/explorer';
import { InsideVClusters } from '../src/vcluster/inside';
import { gc, kubeconfigFile, wrong } from './common';
import { summarize } from './stats';

/** The tree's per-context namespaces to search, kept in memory (the extension keeps them in its global state). */
function memorySearchNamespaces() {
  const lists = new Map<string, readonly string[]>();
  return {
    get: (c: string) => lists.get(c) ?? [],
    set: async (c: string, n: readonly string[]) => {
      lists.set(c, n);
    },
  };
}

/** The tree modules, loaded with the vscode stand-in (vscode-stub.cjs) installed: the same code VS Code calls, minus VS Code. */
export function loadTreeModules(): typeof import('../src/tree/explorerTree') & typeof import('../src/tree/insideNodes') {
  const stubLib = require('./vscode-stub.cjs') as { createVscodeStub(): unknown; installVscodeStub(stub: unknown): () => void };
  const restore = stubLib.installVscodeStub(stubLib.createVscodeStub());
  try {
    return {
      ...(require('../src/tree/explorerTree') as typeof import('../src/tree/explorerTree')),
      ...(require('../src/tree/insideNodes') as typeof import('../src/tree/insideNodes')),
    };
  } finally {
    restore();
  }
}

const silentLogger = { warn() {}, info() {}, debug() {}, error() {}, trace() {} };

/** A fresh model over the kubeconfig `kcFile` and the real ExplorerTreeProvider over it, wired as the extension does. */
export function makeTree(kcFile: string) {
  const { ExplorerTreeProvider } = loadTreeModules();
  const product = productModel([kcFile], { watch: false, timeoutMs: 120_000 });
  const inside = new InsideVClusters(product.model, product.tunnels);
  const tree = new ExplorerTreeProvider({
    model: async () => product.model,
    inside: async () => inside,
    logger: silentLogger as never,
    nestedMaxDepth: () => 3,
    decorate: (v) => withConnection(v, product.model.snapshot()),
    searchNamespaces: memorySearchNamespaces(),
  });
  return { product, inside, tree };
}

export async function measureTree(host: HostCluster, expectedVClusters: number, expectedNamespacesWithVClusters: number, runs: number) {
  type Node = Awaited<ReturnType<ReturnType<typeof makeTree>['tree']['getChildren']>>[number];
  const kcFile = kubeconfigFile(host.kubeconfig, 'vce-bench-tree-');
  const make = () => makeTree(kcFile);
  const check = (kids: Node[], what: string, expectNs: number) => {
    const nsNodes = kids.filter((k) => k.type === 'namespace');
    const vcs = nsNodes.reduce((n, k) => n + (k.type === 'namespace' ? k.vclusters.length : 0), 0);
    if (nsNodes.length !== expectNs || vcs !== expectedVClusters) {
      wrong(`tree children (${what}): ${nsNodes.length} namespace nodes holding ${vcs} vclusters, expected ${expectNs} holding ${expectedVClusters}`);
    }
  };

  // Cold: a fresh model; the children include discovery (what the first expansion of the context costs). Memory:
  // heap after GC with the children and the model's cache alive, minus before.
  const cold: number[] = [];
  const held: number[] = [];
  for (let run = -1; run < runs; run++) {
    const { product, tree } = make();
    const roots = await tree.getChildren();
    const ctx = roots.find((r) => r.type === 'context' && r.context === host.contextName);
    if (!ctx) throw new Error(`no context node ${host.contextName}`);
    gc();
    const h0 = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    const kids = await tree.getChildren(ctx);
    const dt = performance.now() - t0;
    gc();
    const h1 = process.memoryUsage().heapUsed;
    check(kids, 'cold', expectedNamespacesWithVClusters);
    if (run >= 0) {
      cold.push(dt);
      held.push(h1 - h0);
    }
    tree.dispose();
    product.dispose();
  }

  // Warm: discovery cached by the model (a re-render, or a refresh event after the model reloaded): grouping into
  // namespace nodes only. Then what VS Code does next: getTreeItem for each child, and expanding every namespace.
  const { product, tree } = make();
  const roots = await tree.getChildren();
  const ctx = roots.find((r) => r.type === 'context')!;
  await tree.getChildren(ctx);
  /** Children of the context and getTreeItem for each, timed `runs * 3` times after 3 warm-ups; then `more`, timed. */
  const timeChildren = async (more?: (kids: Node[]) => Promise<void>) => {
    const t = { children: [] as number[], items: [] as number[], more: [] as number[], kids: [] as Node[] };
    for (let run = -3; run < runs * 3; run++) {
      let t0 = performance.now();
      t.kids = await tree.getChildren(ctx);
      const w = performance.now() - t0;
      t0 = performance.now();
      for (const k of t.kids) tree.getTreeItem(k);
      const it = performance.now() - t0;
      t0 = performance.now();
      await more?.(t.kids);
      const m = performance.now() - t0;
      if (run >= 0) {
        t.children.push(w);
        t.items.push(it);
        t.more.push(m);
      }
    }
    return t;
  };
  const warm = await timeChildren(async (kids) => {
    let vcNodes = 0;
    for (const k of kids) {
      const vk = await tree.getChildren(k);
      for (const v of vk) tree.getTreeItem(v);
      vcNodes += vk.length;
    }
    if (vcNodes !== expectedVClusters) wrong(`expanding every namespace gave ${vcNodes} vcluster nodes, expected ${expectedVClusters}`);
  });
  check(warm.kids, 'warm', expectedNamespacesWithVClusters);

  // Every namespace of the cluster shown (the namespace filter pins them all): the largest child list a context has.
  const allNs = await product.model.namespaces(host.contextName);
  await tree.setSearchNamespaces(host.contextName, allNs);
  const pinned = await timeChildren();
  check(pinned.kids, 'all namespaces pinned', allNs.length);
  tree.dispose();
  product.dispose();
  return {
    namespacesInCluster: allNs.length,
    namespaceNodes: expectedNamespacesWithVClusters,
    vclusters: expectedVClusters,
    coldChildrenMs: summarize(cold),
    heapHeldBytes: summarize(held),
    warmChildrenMs: summarize(warm.children),
    getTreeItemAllChildrenMs: summarize(warm.items),
    expandAllNamespacesMs: summarize(warm.more),
    allNamespacesPinned: { children: allNs.length, childrenMs: summarize(pinned.children), getTreeItemMs: summarize(pinned.items) },
    note: 'real ExplorerTreeProvider.getChildren(context) with a stand-in vscode module (TreeItem etc. are plain objects); cold = fresh model, includes discovery over HTTPS; warm = discovery cached by the model',
  };
}
