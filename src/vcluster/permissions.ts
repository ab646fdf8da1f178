import type { KubeClient } from '../kube/client';
import { describePermission, isKubeError } from '../kube/errors';
import { UserFacingError, errorMessage } from '../shared/errors';
import type { Permission, PermissionSummary, VClusterAction } from '../shared/model';
import { SUMMARY_ACTIONS, requirements, type RequirementOptions, type WorkloadKind } from './permissionRules';

// "What may I do here?": the API's answer, for the user of a context, to the permissions each vcluster action needs
// in a host namespace (permissionRules.ts), from one SelfSubjectRulesReview per namespace (evaluated here with RBAC's own matching rules) and
// SelfSubjectAccessReviews where the rules cannot tell (cluster-scoped requests, or an authorizer that does not list
// rules, e.g. a webhook: the review says "incomplete"). An access review is what `kubectl auth can-i` asks.

export type { Permission, PermissionSummary, VClusterAction } from '../shared/model';
export { ACTION_LABELS, SUMMARY_ACTIONS, requirements, type RequirementOptions, type WorkloadKind } from './permissionRules';

// ---- the API's answer --------------------------------------------------------------------------------------------

interface ResourceRule {
  readonly verbs?: readonly string[];
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly resourceNames?: readonly string[];
}

interface RulesReviewStatus {
  readonly resourceRules?: readonly ResourceRule[];
  readonly incomplete?: boolean;
  readonly evaluationError?: string;
}

/**
 * Whether a rule of a SelfSubjectRulesReview allows a request, with RBAC's matching (k8s.io/kubernetes v1.34,
 * pkg/apis/rbac/v1/evaluation_helpers.go: VerbMatches, APIGroupMatches, ResourceMatches with `*` and `*∕subresource`,
 * ResourceNameMatches where a rule that names objects never matches a request without a name).
 */
export function ruleAllows(rule: ResourceRule, p: Permission): boolean {
  const has = (list: readonly string[] | undefined, v: string) => (list ?? []).some((x) => x === '*' || x === v);
  if (!has(rule.verbs, p.verb) || !has(rule.apiGroups, p.group)) return false;
  const sub = p.resource.includes('/') ? p.resource.slice(p.resource.indexOf('/') + 1) : '';
  const resourceOk = (rule.resources ?? []).some((r) => r === '*' || r === p.resource || (sub !== '' && r === `*/${sub}`));
  if (!resourceOk) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (p.name !== undefined && names.includes(p.name));
}

export interface AccessReviewOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * The API's answers for one client (one user), cached: the rules per namespace and single access reviews. Make a new
 * one to ask again (the explorer keeps one per context until the context is refreshed).
 */
export class AccessReview {
  private rules = new Map<string, Promise<RulesReviewStatus | undefined>>();
  private reviews = new Map<string, Promise<boolean>>();
  private user?: Promise<string | undefined>;

  constructor(
    readonly client: KubeClient,
    private readonly opts: AccessReviewOptions = {},
  ) {}

  /** The user name, as `kubectl auth whoami` reports it (SelfSubjectReview); undefined when the server cannot say. */
  whoami(): Promise<string | undefined> {
    this.user ??= this.client
      .request<{ status?: { userInfo?: { username?: string } } }>('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
        timeoutMs: this.opts.timeoutMs,
        signal: this.opts.signal,
      })
      .then(
        (r) => r.status?.userInfo?.username || undefined,
        () => undefined,
      );
    return this.user;
  }

  private rulesFor(namespace: string): Promise<RulesReviewStatus | undefined> {
    let p = this.rules.get(namespace);
    if (!p) {
      p = this.client
        .request<{ status?: RulesReviewStatus }>('POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', {
          body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace } },
          timeoutMs: this.opts.timeoutMs,
          signal: this.opts.signal,
        })
        .then(
          (r) => r.status,
          (err: unknown) => {
            // A server without the review API (or that forbids it) still answers single access reviews.
            if (isKubeError(err, 'notFound') || isKubeError(err, 'forbidden')) return undefined;
            this.rules.delete(namespace);
            throw err;
          },
        );
      this.rules.set(namespace, p);
    }
    return p;
  }

  /** What `kubectl auth can-i VERB RESOURCE[.GROUP] [NAME] [-n NAMESPACE]` asks: one SelfSubjectAccessReview. */
  accessReview(p: Permission): Promise<boolean> {
    const key = JSON.stringify([p.verb, p.group, p.resource, p.namespace ?? null, p.name ?? null]);
    let r = this.reviews.get(key);
    if (!r) {
      const [resource, subresource] = p.resource.split('/');
      r = this.client
        .request<{ status?: { allowed?: boolean } }>('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
          body: {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SelfSubjectAccessReview',
            spec: {
              resourceAttributes: {
                verb: p.verb,
                group: p.group,
                resource,
                ...(subresource ? { subresource } : {}),
                ...(p.namespace ? { namespace: p.namespace } : {}),
                ...(p.name ? { name: p.name } : {}),
              },
            },
          },
          timeoutMs: this.opts.timeoutMs,
          signal: this.opts.signal,
        })
        .then((x) => x.status?.allowed === true);
      r.catch(() => this.reviews.delete(key));
      this.reviews.set(key, r);
    }
    return r;
  }

  /**
   * Whether the user may make the request. Namespaced requests are answered from the namespace's rules; an access
   * review decides when the rules are incomplete and do not allow it, and for cluster-wide requests.
   */
  async can(p: Permission): Promise<boolean> {
    if (p.namespace === undefined) return this.accessReview(p);
    const status = await this.rulesFor(p.namespace);
    if (status && (status.resourceRules ?? []).some((rule) => ruleAllows(rule, p))) return true;
    if (status && !status.incomplete) return false;
    return this.accessReview(p);
  }

  /** The permissions of `list` the user does not have, in order. */
  async missing(list: readonly Permission[]): Promise<Permission[]> {
    const answers = await Promise.all(list.map((p) => this.can(p)));
    return list.filter((_, i) => !answers[i]);
  }

  /** What the user may do with vclusters in a namespace (the namespace tooltip). */
  async summary(namespace: string, opts: { kinds?: readonly WorkloadKind[] } = {}): Promise<PermissionSummary> {
    const kinds = opts.kinds?.length ? [...new Set(opts.kinds)] : ['StatefulSet' as const];
    const [user, actions] = await Promise.all([
      this.whoami(),
      Promise.all(
        SUMMARY_ACTIONS.map(async (action) => {
          const needed =
            action === 'pause' || action === 'resume' || action === 'delete' || action === 'upgrade'
              ? kinds.flatMap((kind) => requirements(action, namespace, { kind }))
              : requirements(action, namespace);
          const missing = await this.missing(dedupe(needed));
          return { action, allowed: missing.length === 0, missing };
        }),
      ),
    ]);
    return { namespace, ...(user ? { user } : {}), checkedAt: new Date().toISOString(), actions };
  }
}

function dedupe(list: readonly Permission[]): Permission[] {
  const seen = new Set<string>();
  return list.filter((p) => {
    const k = `${p.verb}|${p.group}|${p.resource}|${p.name ?? ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** "delete statefulsets.apps, delete secrets in namespace team-a" (the first `max`, then how many more). */
export function describeMissing(missing: readonly Permission[], max = 4): string {
  if (missing.length === 0) return '';
  const ns = missing[0]!.namespace;
  const same = missing.every((p) => p.namespace === ns);
  const shown = missing
    .slice(0, max)
    .map(
      (p) =>
        (same ? describePermission({ ...p, namespace: undefined }).replace(/ \(cluster-wide\)$/, '') : describePermission(p)) + (p.name ? ` (${p.name})` : ''),
    );
  const more = missing.length > max ? ` and ${missing.length - max} more` : '';
  return `${shown.join(', ')}${more}${same ? (ns ? ` in namespace ${ns}` : ' (cluster-wide)') : ''}`;
}

/**
 * The pre-check of create: the permissions the vcluster CLI and Helm will need in the namespace (refused with the
 * missing ones named), and whether the namespace may be created. `vcluster create` passes `--create-namespace` to Helm
 * by default, which asks to create the namespace even when it exists, and a user who may not create namespaces (a
 * tenant) is refused there: such a user runs `vcluster create … --create-namespace=false` in a terminal, and so does
 * this plan. When the review itself fails, `unchecked` says why and the CLI runs unchanged (the API server decides).
 */
export async function planCreate(
  review: () => Promise<AccessReview>,
  namespace: string,
  extraArgs: readonly string[],
): Promise<{ extraArgs: string[]; unchecked?: string }> {
  let missing: Permission[];
  let user: string | undefined;
  let mayCreateNamespace: boolean;
  let exists: boolean | undefined;
  try {
    const r = await review();
    [missing, user, mayCreateNamespace] = await Promise.all([
      r.missing(requirements('create', namespace)),
      r.whoami(),
      r.can({ verb: 'create', group: '', resource: 'namespaces' }),
    ]);
    exists = await r.client.get(`/api/v1/namespaces/${namespace}`).then(
      () => true,
      (err: unknown) => (isKubeError(err, 'notFound') ? false : undefined),
    );
  } catch (err) {
    return { extraArgs: [], unchecked: errorMessage(err) };
  }
  if (exists === false && !mayCreateNamespace) missing.unshift({ verb: 'create', group: '', resource: 'namespaces' });
  if (missing.length) {
    throw new UserFacingError(
      `Creating a vcluster in namespace ${namespace} needs permissions that ${user ? `user "${user}"` : 'your user'} does not have: ${describeMissing(missing)}. Nothing was run.`,
    );
  }
  const chosen = extraArgs.some((a) => a === '--create-namespace' || a.startsWith('--create-namespace='));
  return { extraArgs: !mayCreateNamespace && !chosen ? ['--create-namespace=false'] : [] };
}

/**
 * Refuses an action the user may not take, naming the missing permissions ("`what` needs permissions that user … does
 * not have: …"), before a request or the CLI fails half-way. When the review itself fails, returns why and the action
 * goes ahead (the API server decides).
 */
export async function requirePermissions(
  review: () => Promise<AccessReview>,
  action: VClusterAction,
  namespace: string,
  what: string,
  opts: RequirementOptions = {},
): Promise<string | undefined> {
  let missing: Permission[];
  let user: string | undefined;
  try {
    const r = await review();
    [missing, user] = await Promise.all([r.missing(requirements(action, namespace, opts)), r.whoami()]);
  } catch (err) {
    return errorMessage(err);
  }
  if (missing.length === 0) return undefined;
  throw new UserFacingError(
    `${what} needs permissions that ${user ? `user "${user}"` : 'your user'} does not have: ${describeMissing(missing)}. Nothing was changed.`,
  );
}
