// The connection of one kubeconfig context, as client-go builds it from a merged KUBECONFIG list: the context's
// cluster and user entries as written, with every relative file path resolved against the directory of the file
// that DEFINES that entry (client-go v0.34 tools/clientcmd/loader.go, ResolveLocalPaths: GetClusterFileReferences
// and GetAuthInfoFileReferences, the directory of LocationOfOrigin as configured, symlinks not followed).
import path from 'node:path';
import type { ConnectionSpec } from './client';
import { KubeError } from './errors';
import type { JsonObject, MergedKubeconfig } from './kubeconfig/model';
import { isObject } from './kubeconfig/model';

/** Cluster fields that name files. */
const CLUSTER_PATHS = ['certificate-authority'] as const;
/** User fields that name files (exec.command separately: only when it contains a path separator). */
const USER_PATHS = ['client-certificate', 'client-key', 'tokenFile'] as const;

function resolveIn(dir: string, v: unknown): unknown {
  return typeof v === 'string' && v !== '' && !path.isAbsolute(v) ? path.join(dir, v) : v;
}

/** The cluster entry with its file paths made absolute against `definingFile`'s directory. */
export function resolveClusterPaths(cluster: JsonObject, definingFile: string): JsonObject {
  const dir = path.dirname(path.resolve(definingFile));
  const out: JsonObject = { ...cluster };
  for (const f of CLUSTER_PATHS) if (f in out) out[f] = resolveIn(dir, out[f]);
  return out;
}

/** The user entry with its file paths (and a command given as a path) made absolute against `definingFile`'s directory. */
export function resolveUserPaths(user: JsonObject, definingFile: string): JsonObject {
  const dir = path.dirname(path.resolve(definingFile));
  const out: JsonObject = { ...user };
  for (const f of USER_PATHS) if (f in out) out[f] = resolveIn(dir, out[f]);
  if (isObject(out.exec)) {
    const exec = { ...out.exec };
    // A bare command name is looked up on PATH; one with a separator is a path (client-go: filepath.Separator).
    if (typeof exec.command === 'string' && exec.command.includes(path.sep)) exec.command = resolveIn(dir, exec.command);
    out.exec = exec;
  }
  return out;
}

/** The connection details of a context of the merged kubeconfig. Throws KubeError('config') when unusable. */
export function connectionSpecFor(merged: MergedKubeconfig, context: string): ConnectionSpec {
  const ctx = merged.contexts.get(context);
  if (!ctx) throw new KubeError('config', `The context "${context}" is not in the kubeconfig`);
  if (ctx.problems.length) throw new KubeError('config', ctx.problems.join('; '));
  const cluster = merged.clusters.get(ctx.cluster);
  if (!cluster) throw new KubeError('config', `Context "${context}" refers to cluster "${ctx.cluster}", which is not defined in ${ctx.file}`);
  // A context without a user is anonymous in kubectl.
  const user = ctx.user === '' ? undefined : merged.users.get(ctx.user);
  if (ctx.user !== '' && !user) throw new KubeError('config', `Context "${context}" refers to user "${ctx.user}", which is not defined in ${ctx.file}`);
  return {
    contextName: context,
    clusterName: ctx.cluster,
    cluster: resolveClusterPaths(cluster.cluster, cluster.file),
    userName: ctx.user,
    user: user ? resolveUserPaths(user.user, user.file) : {},
    ...(ctx.namespace !== undefined ? { namespace: ctx.namespace } : {}),
  };
}
