// Kubeconfigs that come from a cluster (the `config` key of Secret vc-NAME) are data written by whoever may create
// secrets in that namespace: in a shared host cluster, another tenant. kubectl would run the `exec` plugin or the
// `auth-provider` command they name, read the local files they point at (token files, certificates, keys) and send
// requests through their proxy. So before such a kubeconfig is used, or written into the user's kubeconfig, it is
// reduced to the fields that are plain values: where the server is and how to prove who we are to it. Nothing else of
// it ever reaches @kubernetes/client-node, the API client or a kubeconfig file. The user's OWN kubeconfig is not
// reduced (its plugins are the user's choice).

/** Cluster fields accepted from a cluster's kubeconfig. */
export const ALLOWED_CLUSTER_FIELDS = ['server', 'certificate-authority-data', 'tls-server-name', 'insecure-skip-tls-verify'] as const;
/** User fields accepted from a cluster's kubeconfig: inline credentials only. */
export const ALLOWED_USER_FIELDS = ['client-certificate-data', 'client-key-data', 'token'] as const;

export interface AllowListedCluster {
  readonly server: string;
  readonly 'certificate-authority-data'?: string;
  readonly 'tls-server-name'?: string;
  readonly 'insecure-skip-tls-verify'?: boolean;
}

export interface AllowListedUser {
  readonly 'client-certificate-data'?: string;
  readonly 'client-key-data'?: string;
  readonly token?: string;
}

export interface AllowListedEntries {
  readonly cluster: AllowListedCluster;
  readonly user: AllowListedUser;
  /** Names of what was left out (`user.exec`, `cluster.proxy-url`, …): never their values. Sorted, no duplicates. */
  readonly ignored: readonly string[];
  /** True when an inline credential is left: a token, or a client certificate with its key. */
  readonly hasCredential: boolean;
}

/** Why a server URL from a cluster cannot be used, or undefined when it can. */
export function serverUrlProblem(server: string): string | undefined {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    return 'is not a URL';
  }
  // Only the two schemes an API server speaks; unix:, file:, http+unix: and the like could point the client at a
  // local socket or file.
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `uses the scheme "${url.protocol.replace(/:$/, '')}" (only https and http are accepted)`;
  if (!url.hostname) return 'has no host';
  return undefined;
}

/** The server URL without a user:password part (which is a credential kubectl would send as basic auth). */
function withoutUserInfo(server: string): { server: string; hadUserInfo: boolean } {
  const url = new URL(server);
  if (!url.username && !url.password) return { server, hadUserInfo: false };
  url.username = '';
  url.password = '';
  const text = url.toString();
  // new URL() adds a '/' to a bare origin; the rest of the code compares servers as written.
  return { server: url.pathname === '/' && !url.search && !url.hash ? text.replace(/\/$/, '') : text, hadUserInfo: true };
}

const MAX_REPORTED = 20;

/** A field name as it may be shown: the keys are chosen by whoever wrote the secret. */
function shownName(prefix: 'cluster' | 'user', key: string): string {
  return `${prefix}.${key.replace(/[^A-Za-z0-9._-]/g, '?').slice(0, 60)}`;
}

function nonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v.trim() !== '';
}

/**
 * Reduces the cluster and user entries of a kubeconfig read from a cluster to the allow-list. `server` must already be
 * a string; its URL is checked by the caller with serverUrlProblem(). Fields whose value is absent (null) are not
 * reported; an allow-listed field of the wrong type is left out and reported.
 */
export function reduceToAllowList(cluster: Readonly<Record<string, unknown>>, user: Readonly<Record<string, unknown>>): AllowListedEntries {
  const ignored = new Set<string>();
  const { server, hadUserInfo } = withoutUserInfo(String(cluster.server));
  if (hadUserInfo) ignored.add('cluster.server (user:password part)');
  const c: { -readonly [K in keyof AllowListedCluster]: AllowListedCluster[K] } = { server };
  for (const [key, value] of Object.entries(cluster)) {
    if (key === 'server' || value === null || value === undefined) continue;
    if (key === 'certificate-authority-data' && nonEmptyString(value)) c[key] = value;
    else if (key === 'tls-server-name' && nonEmptyString(value)) c[key] = value;
    else if (key === 'insecure-skip-tls-verify' && typeof value === 'boolean') c[key] = value;
    else ignored.add(shownName('cluster', key));
  }
  const u: { -readonly [K in keyof AllowListedUser]: AllowListedUser[K] } = {};
  for (const [key, value] of Object.entries(user)) {
    if (value === null || value === undefined) continue;
    if ((ALLOWED_USER_FIELDS as readonly string[]).includes(key) && nonEmptyString(value)) u[key as keyof AllowListedUser] = value;
    else ignored.add(shownName('user', key));
  }
  const hasCredential = u.token !== undefined || (u['client-certificate-data'] !== undefined && u['client-key-data'] !== undefined);
  const names = [...ignored].sort();
  const shown = names.length > MAX_REPORTED ? [...names.slice(0, MAX_REPORTED), `${names.length - MAX_REPORTED} more`] : names;
  return { cluster: c, user: u, ignored: shown, hasCredential };
}
