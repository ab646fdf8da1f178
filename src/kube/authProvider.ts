// The one path that still goes through @kubernetes/client-node: a kubeconfig user with an `auth-provider` (oidc, …),
// which client-node implements. Its own bundle (dist/authProvider.js, see scripts/build.mjs), loaded only for such a
// user, so that the extension's bundle and its start-up carry none of client-node.
import { KubeConfig } from '@kubernetes/client-node';

/** Sets `Authorization` as client-node's implementation of the user's auth-provider does (refreshing when it does). */
export type AuthProviderApplier = (headers: Record<string, string>) => Promise<void>;

export function authProviderApplier(server: string, authProvider: unknown): AuthProviderApplier {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: false }],
    users: [{ name: 'u', authProvider }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return async (headers) => {
    const opts: { headers: Record<string, string> } = { headers: {} };
    await kc.applyToHTTPSOptions(opts);
    if (opts.headers.Authorization) headers.Authorization = opts.headers.Authorization;
  };
}
