// The world of `npm run demo` on a host with a real node: real vclusters (created by the real CLI, their syncers
// running on the node, with real workloads) next to fixture-built ones for the states a real vcluster cannot reach
// quickly on this machine (worlds.ts): an old 0.20 layout scaled down, a crash loop, the platform's sleep mode.
import type { RealCluster } from './node';
import { applyObjects, createRealVCluster, provideClaimVolume, sampleApp, type RealVCluster } from './realVCluster';
import { buildWorld, createRestrictedUser, demoSpecs, type RestrictedUser, type World } from '../worlds/worlds';

/** The fixture vclusters of the demo: states a real vcluster does not reach quickly here. */
export const demoFixtureNames = ['broken', 'legacy', 'nap'] as const;

/** The real vclusters of the demo: host namespace, name, what runs inside, and whether it ends paused. */
export const realDemoSpecs = [
  {
    namespace: 'team-a',
    name: 'dev',
    app: { namespace: 'shop', name: 'web' },
    nested: { namespace: 'nested', name: 'inner', app: { namespace: 'default', name: 'hello' } },
  },
  { namespace: 'team-c', name: 'qa', app: { namespace: 'tests', name: 'e2e' } },
  { namespace: 'team-b', name: 'staging', paused: true },
] as const;

export interface RealDemo {
  fixtures: World;
  restricted: RestrictedUser;
  /** Resolves when every real vcluster is up (and staging paused). */
  real: Promise<RealVCluster[]>;
}

/**
 * Builds the fixture part at once (so the kubeconfig can be handed out), then creates the real vclusters one after
 * the other in the background, calling `onUp` as each is ready.
 */
export async function buildRealDemo(cluster: RealCluster, onUp: (what: string) => void): Promise<RealDemo> {
  const fixtures = await buildWorld(
    cluster.host,
    demoSpecs.filter((s) => (demoFixtureNames as readonly string[]).includes(s.name)),
  );
  const restricted = await createRestrictedUser(cluster.host, 'team-a');
  const real = (async () => {
    const made: RealVCluster[] = [];
    const busybox = cluster.node.images.busybox.ref;
    for (const spec of realDemoSpecs) {
      const t0 = Date.now();
      const vc = await createRealVCluster(cluster, { name: spec.name, namespace: spec.namespace });
      made.push(vc);
      const secs = () => `${((Date.now() - t0) / 1000).toFixed(0)} s`;
      if ('app' in spec) {
        await applyObjects((await vc.virtual()).rest, sampleApp(busybox, spec.app.namespace, spec.app.name));
        await provideClaimVolume(vc, spec.app.namespace, `${spec.app.name}-data`);
      }
      onUp(`real vcluster ${spec.namespace}/${spec.name} is up (${secs()})${'app' in spec ? `, running ${spec.app.namespace}/${spec.app.name}` : ''}`);
      if ('nested' in spec) {
        const n = spec.nested;
        const inner = await createRealVCluster(cluster, { name: n.name, namespace: n.namespace, parent: vc });
        made.push(inner);
        await applyObjects((await inner.virtual()).rest, sampleApp(busybox, n.app.namespace, n.app.name));
        await provideClaimVolume(inner, n.app.namespace, `${n.app.name}-data`);
        onUp(`real vcluster ${n.namespace}/${n.name} nested in ${spec.namespace}/${spec.name} is up (${secs()})`);
      }
      if ('paused' in spec && spec.paused) {
        await vc.cli(['pause', spec.name, '--namespace', spec.namespace]);
        onUp(`real vcluster ${spec.namespace}/${spec.name} is paused (${secs()})`);
      }
    }
    return made;
  })();
  return { fixtures, restricted, real };
}
