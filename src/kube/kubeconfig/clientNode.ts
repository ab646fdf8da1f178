// The options @kubernetes/client-node's KubeConfig.loadFromOptions expects, for one context of the merged view.
// Field conversion as in client-node's config_types.js (newClusters/newUsers/newContexts); relative file paths are
// resolved against the directory of the file that defines the entry, as client-go does (ResolveLocalPaths).
import path from 'node:path';
import type { Cluster, Context, User } from '@kubernetes/client-node';
import { KubeconfigError } from './errors';
import type { JsonObject, MergedKubeconfig } from './model';
import { isObject } from './model';

export interface ClientNodeOptions {
  readonly clusters: Cluster[];
  readonly users: User[];
  readonly contexts: Context[];
  readonly currentContext: string;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function abs(base: string, p: string | undefined): string | undefined {
  return p === undefined ? undefined : path.resolve(path.dirname(base), p);
}

/** Only defined fields, so the result compares and logs cleanly. */
function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Builds loadFromOptions input holding just `contextName`, its cluster and its user, with that context current.
 * Throws KubeconfigError when the context is unknown or unusable (its problems name the file).
 */
export function toClientNodeOptions(merged: MergedKubeconfig, contextName: string): ClientNodeOptions {
  const ctx = merged.contexts.get(contextName);
  if (!ctx) {
    throw new KubeconfigError('unknownContext', `Context ${JSON.stringify(contextName)} is not defined in ${merged.files.map((f) => f.path).join(', ')}`);
  }
  if (ctx.problems.length > 0) throw new KubeconfigError('danglingReference', ctx.problems[0]!, ctx.file);
  const c = merged.clusters.get(ctx.cluster)!;
  const cl = c.cluster;
  const cluster: Cluster = compact({
    name: c.name,
    server: String(cl.server).replace(/\/$/, ''),
    caData: str(cl['certificate-authority-data']),
    caFile: abs(c.file, str(cl['certificate-authority'])),
    skipTLSVerify: cl['insecure-skip-tls-verify'] === true,
    tlsServerName: str(cl['tls-server-name']),
    proxyUrl: str(cl['proxy-url']),
  });
  const users: User[] = [];
  if (ctx.user !== '') {
    const u = merged.users.get(ctx.user)!;
    users.push(userOptions(u.name, u.file, u.user));
  }
  const context: Context = compact({ name: ctx.name, cluster: ctx.cluster, user: ctx.user, namespace: ctx.namespace });
  return { clusters: [cluster], users, contexts: [context], currentContext: ctx.name };
}

function userOptions(name: string, file: string, u: JsonObject): User {
  let exec: JsonObject | undefined;
  if (isObject(u.exec)) {
    exec = { ...u.exec };
    const cmd = str(exec.command);
    // client-go resolves a relative command that contains a path separator against the kubeconfig's directory.
    if (cmd && cmd.includes('/') && !path.isAbsolute(cmd)) exec.command = path.resolve(path.dirname(file), cmd);
  }
  let authProvider: unknown = isObject(u['auth-provider']) ? u['auth-provider'] : undefined;
  const tokenFile = abs(file, str(u.tokenFile));
  if (!str(u.token) && !authProvider && tokenFile) authProvider = { name: 'tokenFile', config: { tokenFile } };
  return compact({
    name,
    certData: str(u['client-certificate-data']),
    certFile: abs(file, str(u['client-certificate'])),
    keyData: str(u['client-key-data']),
    keyFile: abs(file, str(u['client-key'])),
    token: str(u.token),
    username: str(u.username),
    password: str(u.password),
    impersonateUser: str(u.as),
    exec,
    authProvider,
  });
}
