// Users with little RBAC on the test host: a restricted developer, and tenants with their own namespaces and rules.
import type { HostCluster } from '../cluster/controlPlane';
import fs from 'node:fs';
import path from 'node:path';
import { type KObject } from '../cluster/rest';
import { ensureNamespace } from './chartObjects';
import { makeKubeconfig } from '../cluster/apiServer';

export interface RestrictedUser {
  user: string;
  namespace: string;
  kubeconfigPath: string;
  kubeconfig: string;
  contextName: string;
}

/**
 * A user who may only get/list/watch in one namespace (statefulsets, deployments, pods, services, secrets,
 * configmaps, events) and nothing cluster-wide: the product must fall back to per-namespace lists.
 */
export async function createRestrictedUser(host: HostCluster, namespace: string, user = 'restricted-dev', contextName = 'restricted'): Promise<RestrictedUser> {
  await ensureNamespace(host.rest, namespace);
  await host.rest.ensure(`/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/roles`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: `${user}-read`, namespace },
    rules: [
      {
        apiGroups: [''],
        resources: ['pods', 'services', 'secrets', 'configmaps', 'events', 'endpoints', 'persistentvolumeclaims'],
        verbs: ['get', 'list', 'watch'],
      },
      { apiGroups: ['apps'], resources: ['statefulsets', 'deployments'], verbs: ['get', 'list', 'watch'] },
    ],
  });
  await host.rest.ensure(`/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/rolebindings`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: `${user}-read`, namespace },
    subjects: [{ kind: 'User', name: user, apiGroup: 'rbac.authorization.k8s.io' }],
    roleRef: { kind: 'Role', name: `${user}-read`, apiGroup: 'rbac.authorization.k8s.io' },
  });
  const kc = await host.userKubeconfig(user, [], contextName);
  return { user, namespace, kubeconfigPath: kc.path, kubeconfig: kc.yaml, contextName };
}

/** One RBAC rule of a tenant's Role. */
export interface TenantRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

export interface TenantUser extends RestrictedUser {
  /** How the user authenticates: a ServiceAccount's bound token, or a client certificate signed by the cluster CA. */
  credential: 'serviceAccountToken' | 'clientCertificate';
  /** The user name as the API server sees it (`kubectl auth whoami`). */
  username: string;
}

/** What a tenant may do in its namespace by default: read vclusters and their pods, and read secrets. */
export const TENANT_READ_RULES: TenantRule[] = [
  { apiGroups: ['apps'], resources: ['statefulsets', 'deployments'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [''], resources: ['pods', 'services', 'secrets', 'configmaps', 'events'], verbs: ['get', 'list', 'watch'] },
];

/**
 * A tenant: a user bound by a Role (the given rules) in ONE namespace and nothing cluster-wide, with a kubeconfig whose
 * context sets no namespace. The credential is a ServiceAccount token from the TokenRequest API (the user
 * system:serviceaccount:NS:NAME) or a client certificate (the user NAME).
 */
export async function createTenantUser(
  host: HostCluster,
  namespace: string,
  opts: { name: string; credential: TenantUser['credential']; rules?: TenantRule[]; contextName?: string },
): Promise<TenantUser> {
  const { name } = opts;
  const contextName = opts.contextName ?? name;
  await ensureNamespace(host.rest, namespace);
  await host.rest.ensure(`/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/roles`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: `tenant-${name}`, namespace },
    rules: opts.rules ?? TENANT_READ_RULES,
  });
  const serviceAccount = opts.credential === 'serviceAccountToken';
  if (serviceAccount) {
    await host.rest.ensure(`/api/v1/namespaces/${namespace}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } });
  }
  await host.rest.ensure(`/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/rolebindings`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: `tenant-${name}`, namespace },
    subjects: [serviceAccount ? { kind: 'ServiceAccount', name, namespace } : { kind: 'User', name, apiGroup: 'rbac.authorization.k8s.io' }],
    roleRef: { kind: 'Role', name: `tenant-${name}`, apiGroup: 'rbac.authorization.k8s.io' },
  });
  if (serviceAccount) {
    const tr = await host.rest.request<KObject>('POST', `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds: 24 * 3600 },
    });
    const yaml = makeKubeconfig({ contextName, server: host.server, caPem: host.ca.certPem, token: tr.status.token as string });
    const file = path.join(host.dir, 'users', `tenant-${namespace}-${name}.kubeconfig`);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, yaml, { mode: 0o600 });
    return {
      user: name,
      username: `system:serviceaccount:${namespace}:${name}`,
      credential: opts.credential,
      namespace,
      kubeconfigPath: file,
      kubeconfig: yaml,
      contextName,
    };
  }
  const kc = await host.userKubeconfig(name, [], contextName);
  return { user: name, username: name, credential: opts.credential, namespace, kubeconfigPath: kc.path, kubeconfig: kc.yaml, contextName };
}
