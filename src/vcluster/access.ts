import { isIP } from 'node:net';
import { parse as parseYaml } from 'yaml';
import type { ConnectionSpec } from '../kube/client';
import { KubeClient } from '../kube/client';
import { KubeError } from '../kube/errors';
import type { Secret, Service } from '../kube/types';
import { UserFacingError } from '../shared/errors';
import { rememberSecret } from '../shared/redact';
import { type AllowListedCluster, type AllowListedUser, reduceToAllowList, serverUrlProblem } from './clusterKubeconfig';

// Reaching a vcluster's own API server from its host: read Secret vc-NAME (key `config`), then choose the endpoint
// in the order `vcluster connect` uses (pkg/cli/connect_helm.go of vcluster v0.36.1).

export const DEFAULT_SECRET_SERVER = 'https://localhost:8443';

export type EndpointKind = 'secret' | 'loadBalancer' | 'nodePort' | 'tunnel';

export interface VirtualEndpoint {
  readonly kind: EndpointKind;
  readonly server: string;
  /**
   * For tunnels: the TLS server name to verify (the secret's host, which the serving certificate covers), written as
   * the cluster's tls-server-name because the server URL names 127.0.0.1.
   */
  readonly tlsServerName?: string;
}

/** The `config` kubeconfig of Secret vc-NAME, reduced to the allow-list of clusterKubeconfig.ts. */
export interface VirtualKubeconfig {
  readonly cluster: AllowListedCluster;
  readonly user: AllowListedUser;
  readonly secretServer: string;
  /** Names of the fields left out (never their values). */
  readonly ignored: readonly string[];
}

/**
 * The secret's kubeconfig has no credential that may be used from a cluster (everything it had was left out, or it
 * had none). The tree shows it as an error node with `shortLabel`; `ignored` names what was left out.
 */
export class UnusableClusterKubeconfigError extends UserFacingError {
  readonly shortLabel = 'No usable credential in its kubeconfig secret';
  constructor(
    message: string,
    readonly ignored: readonly string[],
  ) {
    super(message);
    this.name = 'UnusableClusterKubeconfigError';
  }
}

/** Secret vc-NAME does not exist (yet): the vcluster writes it once its control plane has started. */
export class KubeconfigSecretMissingError extends UserFacingError {
  constructor(namespace: string, name: string) {
    super(
      `The kubeconfig secret "vc-${name}" of vcluster ${namespace}/${name} does not exist (yet): the vcluster writes it once its control plane has started.`,
    );
    this.name = 'KubeconfigSecretMissingError';
  }
}

/** Opens (or reuses) a local port-forward to a pod port and returns the local port. */
export interface TunnelProvider {
  open(host: KubeClient, namespace: string, pod: string, port: number): Promise<number>;
}

/** Reads and validates the `config` kubeconfig of Secret vc-NAME. Errors say which secret and what is wrong. */
export async function readVirtualKubeconfig(host: KubeClient, namespace: string, name: string, signal?: AbortSignal): Promise<VirtualKubeconfig> {
  let secret: Secret;
  try {
    secret = await host.get<Secret>(`/api/v1/namespaces/${namespace}/secrets/vc-${name}`, { signal });
  } catch (err) {
    if (err instanceof KubeError && err.kind === 'notFound') {
      throw new KubeconfigSecretMissingError(namespace, name);
    }
    throw err;
  }
  return parseVirtualKubeconfig(secret, namespace, name);
}

export function parseVirtualKubeconfig(secret: Secret, namespace: string, name: string): VirtualKubeconfig {
  const where = `secret ${namespace}/vc-${name}`;
  const b64 = secret.data?.config;
  if (!b64) throw new UserFacingError(`The ${where} has no "config" key, so the vcluster's API server cannot be reached.`);
  let doc: unknown;
  try {
    doc = parseYaml(Buffer.from(b64, 'base64').toString('utf8'));
  } catch {
    throw new UserFacingError(`The "config" key of the ${where} is not a valid kubeconfig (YAML error).`);
  }
  const cfg = doc as { clusters?: { cluster?: Record<string, unknown> }[]; users?: { user?: Record<string, unknown> }[] } | null;
  const cluster = cfg?.clusters?.[0]?.cluster;
  const user = cfg?.users?.[0]?.user;
  if (!cluster || typeof cluster !== 'object' || typeof cluster.server !== 'string') {
    throw new UserFacingError(`The "config" key of the ${where} has no cluster with a server.`);
  }
  if (!user || typeof user !== 'object') throw new UserFacingError(`The "config" key of the ${where} has no user.`);
  const problem = serverUrlProblem(cluster.server);
  if (problem) throw new UserFacingError(`The server URL in the "config" key of the ${where} ${problem}.`);
  // Cluster data is data: no plugin, command, local file or proxy named by it is ever used (clusterKubeconfig.ts).
  const reduced = reduceToAllowList(cluster, user);
  if (!reduced.hasCredential) {
    const left = reduced.ignored.length
      ? ` It names ${reduced.ignored.join(', ')}, which a kubeconfig from a cluster may not use: programs and local files it names are never run or read.`
      : '';
    throw new UnusableClusterKubeconfigError(
      `The kubeconfig in the ${where} has no credential the extension accepts from a cluster (an inline token, or an inline client certificate with its key).${left}`,
      reduced.ignored,
    );
  }
  rememberSecret(reduced.user.token, { origin: 'cluster' });
  return { cluster: reduced.cluster, user: reduced.user, secretServer: reduced.cluster.server, ignored: reduced.ignored };
}

function isLoopbackServer(server: string): boolean {
  try {
    const h = new URL(server).hostname.replace(/^\[|\]$/g, '');
    return h === 'localhost' || h === '::1' || /^127\./.test(h);
  } catch {
    return false;
  }
}

/** A LoadBalancer ingress hostname or IP as the host part of a URL, or undefined when it is neither. */
export function ingressHost(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (isIP(value) === 4) return value;
  if (isIP(value) === 6) return `[${value}]`;
  return /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(value) ? value : undefined;
}

/**
 * Chooses the endpoint: the secret's server unless it is the default https://localhost:8443; a LoadBalancer
 * ingress of Service NAME; a NodePort when the host itself is a local cluster; otherwise a port-forward tunnel to
 * the pod's port 8443 at https://127.0.0.1:PORT (the secret's host becomes tls-server-name, so that TLS verification
 * still matches the certificate).
 */
export async function chooseEndpoint(
  host: KubeClient,
  namespace: string,
  name: string,
  kc: VirtualKubeconfig,
  tunnels: TunnelProvider | undefined,
  signal?: AbortSignal,
): Promise<VirtualEndpoint> {
  if (kc.secretServer !== DEFAULT_SECRET_SERVER) return { kind: 'secret', server: kc.secretServer };
  let svc: Service | undefined;
  try {
    svc = await host.get<Service>(`/api/v1/namespaces/${namespace}/services/${name}`, { signal });
  } catch (err) {
    if (!(err instanceof KubeError && (err.kind === 'notFound' || err.kind === 'forbidden'))) throw err;
  }
  // The ingress address is cluster data too: only a DNS name or an IP address becomes the host of a URL.
  const address = svc?.status?.loadBalancer?.ingress?.map((i) => ingressHost(i.hostname) ?? ingressHost(i.ip)).find((h) => h !== undefined);
  if (svc?.spec?.type === 'LoadBalancer' && address) {
    return { kind: 'loadBalancer', server: `https://${address}` };
  }
  const nodePort = svc?.spec?.ports?.find((p) => p.nodePort)?.nodePort;
  if (svc?.spec?.type === 'NodePort' && Number.isInteger(nodePort) && nodePort! > 0 && nodePort! < 65536 && isLoopbackServer(host.server)) {
    return { kind: 'nodePort', server: `https://127.0.0.1:${nodePort}` };
  }
  if (!tunnels) {
    throw new UserFacingError(`vcluster ${namespace}/${name} is only reachable through a port-forward, which is not available here.`);
  }
  const target = new URL(kc.secretServer);
  const podPort = Number(target.port || 8443);
  const localPort = await tunnels.open(host, namespace, `${name}-0`, podPort);
  return { kind: 'tunnel', server: `https://127.0.0.1:${localPort}`, tlsServerName: tunnelServerName(kc, target.hostname) };
}

/**
 * The name a tunnelled connection verifies the serving certificate against. The tunnel listens on 127.0.0.1 only
 * (src/kube/tunnel.ts), so its URL names that address: `localhost` may resolve to ::1 first (kubectl and Node try
 * it), where another local user can listen on the same port. The certificate is still checked against the host the
 * secret named (`localhost`; vcluster v0.36.1 pkg/server/cert/cert.go GenAPIServerServingCerts issues it for DNS
 * localhost and IP 127.0.0.1), or the secret's own tls-server-name; an IP address needs none.
 */
function tunnelServerName(kc: VirtualKubeconfig, secretHost: string): string | undefined {
  if (kc.cluster['tls-server-name']) return kc.cluster['tls-server-name'];
  const h = secretHost.replace(/^\[|\]$/g, '');
  return isIP(h) ? undefined : h;
}

/** The connection to a vcluster's API server: the allow-listed entries of its secret, at the chosen endpoint. */
export function virtualConnectionSpec(contextName: string, kc: VirtualKubeconfig, endpoint: VirtualEndpoint): ConnectionSpec {
  return {
    contextName,
    clusterName: contextName,
    cluster: { ...kc.cluster, server: endpoint.server, ...(endpoint.tlsServerName ? { 'tls-server-name': endpoint.tlsServerName } : {}) },
    userName: contextName,
    user: { ...kc.user },
  };
}

/** The kubeconfig entries Connect writes for a vcluster: the allow-listed fields only, nothing else of the secret. */
export function virtualKubeconfigEntry(
  contextName: string,
  kc: VirtualKubeconfig,
  endpoint: VirtualEndpoint,
): {
  name: string;
  cluster: { name: string; cluster: Record<string, unknown> };
  user: { name: string; user: Record<string, unknown> };
  namespace: null;
} {
  const spec = virtualConnectionSpec(contextName, kc, endpoint);
  return {
    name: contextName,
    cluster: { name: contextName, cluster: { ...spec.cluster } },
    user: { name: contextName, user: { ...spec.user } },
    namespace: null,
  };
}

/** A client for the virtual API server of vcluster NAME in NAMESPACE of `host`. */
export async function virtualClient(
  host: KubeClient,
  namespace: string,
  name: string,
  contextName: string,
  opts: { tunnels?: TunnelProvider; signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<{ client: KubeClient; endpoint: VirtualEndpoint; spec: ConnectionSpec; ignored: readonly string[] }> {
  const kc = await readVirtualKubeconfig(host, namespace, name, opts.signal);
  const endpoint = await chooseEndpoint(host, namespace, name, kc, opts.tunnels, opts.signal);
  const spec = virtualConnectionSpec(contextName, kc, endpoint);
  return { client: new KubeClient(spec, { timeoutMs: opts.timeoutMs, credentialOrigin: 'cluster' }), endpoint, spec, ignored: kc.ignored };
}
