// The fixture of the cluster suites: one real host (support/cluster.ts) with a world of vclusters laid out as the chart
// and the syncer do (test/harness/worlds/worlds.ts), a kubeconfig the extension is pointed at through the setting
// `vcluster.kubeconfig` (the "user's kubeconfig" of these tests), and the extension's API.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import type { HostCluster } from '../../harness/cluster/controlPlane';
import { buildWorld, type BuiltVCluster, type VClusterSpec, type World } from '../../harness/worlds/worlds';
import { getHost, stopHost } from './cluster';
import { Tree, extensionApi, setSetting, waitFor, type TestedApi } from './workbench';

export interface Fixture {
  api: TestedApi;
  tree: Tree;
  host: HostCluster;
  world: World;
  /** Temporary folder of this run. */
  dir: string;
  /** HOME and working directory for the real vcluster CLI. */
  home: string;
  /** The kubeconfig the extension uses (setting vcluster.kubeconfig): the user's kubeconfig in these tests. */
  kubeconfig: string;
  /** Credentials suites added (e.g. a tenant's token), which the secrets suite looks for too. */
  extraSecrets?: { what: string; value: string }[];
}

export const fx = {} as Fixture;

/** A second name for the host cluster in the kubeconfig, so that there is something to switch to. */
export const OTHER_CONTEXT = 'staging';

/**
 * Every vcluster the suites use, built in parallel once. Virtual API servers run for alpha, alpha/inner and lb only
 * (each is a real kube-apiserver); the others need none.
 */
export const worldSpecs: VClusterSpec[] = [
  // A running vcluster whose vc-alpha secret names its real server, with vclusters nested two deep.
  { name: 'alpha', namespace: 'tree-a', nested: [{ name: 'inner', namespace: 'nested', nested: [{ name: 'deep', namespace: 'deeper', access: 'none' }] }] },
  { name: 'beta', namespace: 'tree-a', state: 'Paused' },
  { name: 'gamma', namespace: 'tree-b', state: 'CrashLoopBackOff' },
  { name: 'delta', namespace: 'tree-b', state: 'ScaledDown' },
  { name: 'epsilon', namespace: 'tree-b', state: 'Sleeping', access: 'none' },
  // Reached through the LoadBalancer ingress IP of Service lb (a loopback address, port 443); workloads for the mapping.
  {
    name: 'lb',
    namespace: 'shop-host',
    access: 'loadbalancer',
    workloads: [
      { kind: 'Pod', namespace: 'storefront', name: 'web' },
      { kind: 'Service', namespace: 'storefront', name: 'web' },
      { kind: 'ConfigMap', namespace: 'storefront', name: 'web-config' },
      { kind: 'Secret', namespace: 'storefront', name: 'web-credentials' },
      { kind: 'ConfigMap', namespace: 'storefront', name: 'renamed-config', mode: 'unannotated' },
      { kind: 'ConfigMap', namespace: 'storefront', name: 'stale-config', mode: 'host-only' },
      { kind: 'Secret', namespace: 'storefront', name: 'local-only', mode: 'virtual-only' },
    ],
  },
  // Paused and resumed by the lifecycle suite.
  { name: 'naptime', namespace: 'life', access: 'none' },
  // Its control plane never wrote the vc-NAME secret.
  { name: 'nosecret', namespace: 'no-secret', access: 'none', kubeconfigSecret: false },
];

/** The user's kubeconfig: the harness admin as context "host" (current) and the same cluster as "staging". */
function userKubeconfig(host: HostCluster): string {
  const doc = parseYaml(host.kubeconfig) as { contexts: { name: string; context: Record<string, string> }[]; 'current-context': string };
  doc.contexts.push({ name: OTHER_CONTEXT, context: { cluster: host.contextName, user: host.contextName, namespace: 'default' } });
  doc['current-context'] = host.contextName;
  return toYaml(doc);
}

export function readKubeconfig(file = fx.kubeconfig): {
  'current-context'?: string;
  contexts?: { name: string; context: Record<string, unknown> }[];
  clusters?: { name: string; cluster: Record<string, unknown> }[];
  users?: { name: string }[];
} {
  return parseYaml(fs.readFileSync(file, 'utf8')) ?? {};
}

/** What the status bar says about the current context (its tunnel count is left out: other suites may open tunnels). */
export function contextStatus(): { context?: string; isVCluster: boolean; workspaceScoped: boolean } {
  const { context, isVCluster, workspaceScoped } = fx.api.testing.statusBar.state;
  return { context, isVCluster, workspaceScoped };
}

/** The reference of a world vcluster as the commands take it. */
export function refOf(v: BuiltVCluster): { context: string; namespace: string; name: string; parents?: { namespace: string; name: string }[] } {
  return { context: 'host', namespace: v.namespace, name: v.name, ...(v.parents.length ? { parents: v.parents } : {}) };
}

export async function setUpFixture(): Promise<void> {
  const t0 = Date.now();
  fx.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-it-'));
  fx.home = path.join(fx.dir, 'home');
  fs.mkdirSync(fx.home, { recursive: true, mode: 0o700 });
  const hostP = getHost();
  fx.api = await extensionApi();
  fx.tree = new Tree(fx.api);
  fx.host = await hostP;
  const t1 = Date.now();
  fx.world = await buildWorld(fx.host, worldSpecs);
  console.log(
    `    (host ready in ${((t1 - t0) / 1000).toFixed(1)} s, world of ${fx.world.all().length} vclusters in ${((Date.now() - t1) / 1000).toFixed(1)} s)`,
  );
  fx.kubeconfig = path.join(fx.dir, 'kube', 'config');
  fs.mkdirSync(path.dirname(fx.kubeconfig), { recursive: true, mode: 0o700 });
  fs.writeFileSync(fx.kubeconfig, userKubeconfig(fx.host), { mode: 0o600 });
  await setSetting('refresh.debounceMs', 100);
  await setSetting('requestTimeoutSeconds', 10);
  await setSetting('kubeconfig', fx.kubeconfig);
  await waitFor('the extension to read the test kubeconfig', async () => (await fx.api.listContexts()).some((c) => c.name === 'host' && c.current), 30_000);
}

export async function tearDownFixture(): Promise<void> {
  try {
    if (fx.api) {
      for (const p of fx.api.testing.panels().all) p.dispose();
      for (const key of ['kubeconfig', 'refresh.debounceMs', 'requestTimeoutSeconds', 'cliPath', 'create.extraArgs', 'nested.maxDepth', 'searchNamespaces'])
        await setSetting(key, undefined);
    }
  } finally {
    await stopHost();
    if (fx.dir) fs.rmSync(fx.dir, { recursive: true, force: true });
  }
}
