import type { ObjectDetails } from '../shared/objectDescribe';
import type { CommandEnv } from './env';
import { INSIDE_KINDS } from '../vcluster/insideChoices';
import { parseObjectArgs } from './contractInside';
import { resolveTarget } from './insidePicks';

/**
 * vcluster.describeObject: the describe view of an object inside a vcluster (a tree node, `{ context, namespace,
 * name, parents?, object: { kind, namespace, name } }`, or quick picks). Returns the details it shows.
 */
export async function describeObject(env: CommandEnv, arg?: unknown): Promise<ObjectDetails | undefined> {
  const t = await resolveTarget(env, parseObjectArgs(arg), INSIDE_KINDS, 'Describe');
  const panel = await env.showObjectDescribe({ ref: t.ref, kind: t.kind, namespace: t.namespace, name: t.name });
  await panel.settled();
  return panel.details;
}
