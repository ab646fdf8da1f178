// What each vcluster action needs in a host namespace: the objects the chart creates, the rules of the Role it binds,
// and the verbs of create, connect, pause, resume, upgrade and delete (vcluster 0.36.1's chart and CLI). permissions.ts
// asks the API which of them the user has. No vscode import.
import type { Permission, VClusterAction } from '../shared/model';

export type WorkloadKind = 'StatefulSet' | 'Deployment';

const perm = (verb: string, group: string, resource: string, namespace: string | undefined, name?: string): Permission => ({
  verb,
  group,
  resource,
  ...(namespace !== undefined ? { namespace } : {}),
  ...(name ? { name } : {}),
});

function workloadResources(kind: WorkloadKind): string[] {
  // A Deployment-based vcluster (charts before 0.20's single StatefulSet) has api and controller Deployments and an
  // etcd StatefulSet, which pause and resume scale too (vcluster CLI v0.36.1, pkg/lifecycle/lifecycle.go).
  return kind === 'Deployment' ? ['deployments', 'statefulsets'] : ['statefulsets'];
}

/**
 * The objects Helm installs for a vcluster with the chart's default values (chart/templates of vcluster v0.36.1:
 * statefulset, service, headless-service, serviceaccount, workload-serviceaccount, config-secret, role, rolebinding),
 * and Helm's release record (a Secret).
 */
const CHART_OBJECTS: readonly [group: string, resource: string][] = [
  ['apps', 'statefulsets'],
  ['', 'services'],
  ['', 'serviceaccounts'],
  ['', 'secrets'],
  ['rbac.authorization.k8s.io', 'roles'],
  ['rbac.authorization.k8s.io', 'rolebindings'],
];

/**
 * The rules of the Role the chart gives the vcluster (chart/templates/role.yaml of vcluster v0.36.1, default values).
 * Kubernetes lets a user create a Role or RoleBinding only with permissions they hold themselves (RBAC's escalation
 * check), so creating a vcluster needs all of them in its namespace.
 */
const CHART_ROLE_RULES: readonly { groups: string[]; resources: string[]; verbs: string[] }[] = [
  {
    groups: [''],
    resources: ['configmaps', 'secrets', 'services', 'pods', 'pods/attach', 'pods/portforward', 'pods/exec', 'persistentvolumeclaims'],
    verbs: ['create', 'delete', 'patch', 'update', 'get', 'list', 'watch'],
  },
  { groups: [''], resources: ['pods/status', 'pods/ephemeralcontainers'], verbs: ['patch', 'update'] },
  { groups: ['apps'], resources: ['statefulsets', 'replicasets', 'deployments'], verbs: ['get', 'list', 'watch', 'patch', 'update'] },
  { groups: [''], resources: ['endpoints', 'pods/log'], verbs: ['get', 'list', 'watch'] },
  { groups: [''], resources: ['events'], verbs: ['create', 'get', 'list', 'watch'] },
  { groups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'get', 'list', 'watch'] },
  { groups: [''], resources: ['endpoints'], verbs: ['create', 'delete', 'patch', 'update'] },
  { groups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['create', 'list', 'get', 'delete', 'patch', 'update', 'watch'] },
];

export interface RequirementOptions {
  /** The vcluster's workload kind (default StatefulSet, the chart's). */
  readonly kind?: WorkloadKind;
  /** The vcluster's name, for requests that name one object (its kubeconfig secret). */
  readonly name?: string;
}

/**
 * The permissions an action needs in `namespace`, in the order a person should read them. Sources: the vcluster CLI
 * v0.36.1 (pkg/cli/create_helm.go, delete_helm.go, find/find.go, pkg/helm/helm.go), Helm v3.21 (pkg/action install,
 * upgrade, uninstall: the release record is a Secret that is listed, created, updated and deleted; an upgrade patches
 * every object of the release) and this
 * extension's own requests (pause/resume: src/vcluster/lifecycle.ts; connect: src/vcluster/access.ts).
 */
export function requirements(action: VClusterAction, namespace: string, opts: RequirementOptions = {}): Permission[] {
  const kinds = workloadResources(opts.kind ?? 'StatefulSet');
  const out: Permission[] = [];
  const add = (verb: string, group: string, resource: string, name?: string) => {
    if (!out.some((p) => p.verb === verb && p.group === group && p.resource === resource && p.name === name))
      out.push(perm(verb, group, resource, namespace, name));
  };
  // Both the CLI's create and delete first look for vclusters in the namespace (find.ListVClusters) and read Helm's
  // release record, which Helm then updates (status "uninstalling", "deployed").
  const findAndRelease = () => {
    add('list', 'apps', 'statefulsets');
    add('list', 'apps', 'deployments');
    add('list', '', 'secrets');
    add('update', '', 'secrets');
  };
  switch (action) {
    case 'list':
      for (const r of ['statefulsets', 'deployments']) {
        add('list', 'apps', r);
        add('watch', 'apps', r);
      }
      break;
    case 'connect':
      add('get', '', 'secrets', opts.name ? `vc-${opts.name}` : undefined);
      break;
    case 'pause':
      for (const r of kinds) {
        add('list', 'apps', r);
        add('get', 'apps', r);
        add('patch', 'apps', r);
      }
      add('deletecollection', '', 'pods');
      break;
    case 'resume':
      for (const r of kinds) {
        add('list', 'apps', r);
        add('patch', 'apps', r);
      }
      break;
    case 'delete':
      findAndRelease();
      for (const r of kinds) add('delete', 'apps', r);
      for (const [g, r] of CHART_OBJECTS) if (g !== 'apps') add('delete', g, r);
      add('delete', '', 'persistentvolumeclaims');
      break;
    case 'upgrade':
      // `vcluster create --upgrade` (helm upgrade): a new release record, every object patched, the Role's rules held.
      findAndRelease();
      add('create', '', 'secrets');
      for (const [g, r] of CHART_OBJECTS) {
        add('get', g, r);
        add('patch', g, r);
      }
      for (const rule of CHART_ROLE_RULES) for (const g of rule.groups) for (const r of rule.resources) for (const v of rule.verbs) add(v, g, r);
      break;
    case 'create':
      findAndRelease();
      for (const [g, r] of CHART_OBJECTS) {
        add('get', g, r);
        add('create', g, r);
      }
      for (const rule of CHART_ROLE_RULES) for (const g of rule.groups) for (const r of rule.resources) for (const v of rule.verbs) add(v, g, r);
      break;
  }
  return out;
}

export const ACTION_LABELS: Record<VClusterAction, string> = {
  list: 'See vclusters (list, watch)',
  create: 'Create a vcluster',
  delete: 'Delete vclusters',
  pause: 'Pause',
  resume: 'Resume',
  connect: 'Connect (read vc-NAME secrets)',
  upgrade: 'Upgrade / apply configuration',
};

export const SUMMARY_ACTIONS: readonly VClusterAction[] = ['list', 'connect', 'pause', 'resume', 'upgrade', 'delete', 'create'];
