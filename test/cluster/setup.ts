// The shared fixture of the cluster suites: ONE host control plane per test run, started lazily by the first suite
// that asks for it and stopped after the last test. Import it from any test file:
//
//   import { getHost, getDemoWorld } from './setup';
//   before(async function () { this.timeout(120_000); host = await getHost(); });
//
// Loaded as a normal import it registers a root-level after() hook; loaded with `mocha --require` it also works as a
// root hook plugin (mochaHooks). Either way the state lives on globalThis, so two module instances (ESM and CJS
// loaders) still share one control plane.
import { startHost, type HostCluster } from '../harness/cluster/controlPlane';
import { startRealCluster, type RealCluster } from '../harness/node/node';
import { buildDemoWorld, type DemoWorld } from '../harness/worlds/worlds';

interface SharedState {
  host?: Promise<HostCluster>;
  demo?: Promise<DemoWorld>;
  real?: Promise<RealCluster>;
  afterRegistered?: boolean;
  namespaceCounter: number;
}

const key = Symbol.for('vcluster-explorer.test.cluster.shared');
const g = globalThis as unknown as Record<symbol, SharedState | undefined>;
const state: SharedState = (g[key] ??= { namespaceCounter: 0 });

/** The shared host cluster (etcd + kube-apiserver + kube-controller-manager, context "host"). */
export function getHost(): Promise<HostCluster> {
  state.host ??= startHost({ contextName: 'host', verbose: process.env.VCE_HARNESS_VERBOSE === '1' });
  return state.host;
}

/**
 * The demo world built once into the shared host. Treat it as read-only: suites that change vclusters should build
 * their own with buildWorld() in namespaces from uniqueNamespace().
 */
export function getDemoWorld(): Promise<DemoWorld> {
  state.demo ??= getHost().then((h) => buildDemoWorld(h));
  return state.demo;
}

/**
 * The shared host with a real node (test/harness/node/node.ts), separate from the fixture host above so that the fixture
 * suites keep a cluster without scheduler and kubelet. Started by the first suite that needs it; stopped after the
 * last test. Rejects with NodeUnsupportedError on a machine that cannot run a node.
 */
export function getRealCluster(): Promise<RealCluster> {
  state.real ??= startRealCluster({ contextName: 'real-host', verbose: process.env.VCE_HARNESS_VERBOSE === '1' });
  return state.real;
}

/** A namespace name no other suite of this run uses. */
export function uniqueNamespace(prefix: string): string {
  return `${prefix}-${process.pid % 10000}-${state.namespaceCounter++}`;
}

/** Stops the shared host (idempotent); the next getHost() starts a new one. */
export async function stopSharedHost(): Promise<void> {
  const h = state.host;
  const r = state.real;
  state.host = undefined;
  state.demo = undefined;
  state.real = undefined;
  if (h) await (await h.catch(() => undefined))?.stop();
  if (r) await (await r.catch(() => undefined))?.stop();
}

export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(120_000);
    await stopSharedHost();
  },
};

if (typeof after === 'function' && !state.afterRegistered) {
  state.afterRegistered = true;
  after(async function () {
    this.timeout(120_000);
    await stopSharedHost();
  });
}
