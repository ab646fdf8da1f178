import type { PermissionDenial } from '../shared/model';
import { redact, redactClipped } from '../shared/redact';

// Classified Kubernetes API failures. The tree turns them into error nodes with a short label and the reason in the
// tooltip; commands turn them into one clear message. Messages never contain credentials: they often quote an API
// error body, a watch's Status or a credential plugin's stderr, so every message passes through redact().

export type KubeErrorKind =
  | 'timeout' // no answer in time (server down, hung, SIGSTOPped)
  | 'unreachable' // connection refused / DNS / network
  | 'tls' // certificate problems
  | 'unauthorized' // 401: expired or missing credentials
  | 'forbidden' // 403: RBAC
  | 'notFound' // 404
  | 'conflict' // 409
  | 'gone' // 410: watch resource version too old
  | 'invalid' // 422 / 400
  | 'auth-plugin' // exec credential plugin missing, failing or hanging
  | 'config' // the kubeconfig entry cannot be used
  | 'server' // 5xx and anything else
  | 'cancelled';

/**
 * What the API server refused, read from its 403 message. The RBAC denial is worded by kube-apiserver's
 * forbiddenMessage (k8s.io/apiserver v0.34, pkg/endpoints/handlers/responsewriters/errors.go): `User "U" cannot VERB
 * resource "RESOURCE[/SUB]" in API group "G" in the namespace "NS"` or `… at the cluster scope`.
 */
export type Denial = PermissionDenial;

/**
 * One cause of a Status's details (k8s.io/apimachinery v0.34 pkg/apis/meta/v1/types.go StatusCause): for a 422 the
 * invalid field ("spec.replicas") and why; for a server-side apply conflict (409) the field and the manager holding it
 * (type "FieldManagerConflict"). Server text: shown, never acted on.
 */
export interface StatusCause {
  readonly type?: string;
  readonly message?: string;
  readonly field?: string;
}

/** Most causes kept from one Status (an API server sends one per invalid field or conflict). */
const MAX_CAUSES = 100;

export class KubeError extends Error {
  constructor(
    readonly kind: KubeErrorKind,
    message: string,
    readonly status?: number,
    readonly reason?: string,
    /** For 'forbidden': the request the API server refused and for whom, when its message says so. */
    readonly denial?: Denial,
    /** The Status's details.causes (422 field errors, 409 apply conflicts), when the server sent them. */
    readonly causes?: readonly StatusCause[],
  ) {
    // Cut to MAX_MESSAGE_CHARS before redaction: the message may be a server's answer of any size.
    super(redactClipped(message));
    this.name = 'KubeError';
  }

  /** A few words for a tree label. */
  get shortLabel(): string {
    switch (this.kind) {
      case 'timeout':
        return 'API server did not answer in time';
      case 'unreachable':
        return 'API server unreachable';
      case 'tls':
        return 'TLS error';
      case 'unauthorized':
        return 'Credentials rejected or expired';
      case 'forbidden':
        return 'Forbidden';
      case 'notFound':
        return 'Not found';
      case 'conflict':
        return 'Conflict';
      case 'gone':
        return 'Resource version expired';
      case 'invalid':
        return 'Invalid request';
      case 'auth-plugin':
        return 'Credential plugin failed';
      case 'config':
        return 'Unusable kubeconfig entry';
      case 'cancelled':
        return 'Cancelled';
      default:
        return 'API server error';
    }
  }
}

export function isKubeError(err: unknown, kind?: KubeErrorKind): err is KubeError {
  return err instanceof KubeError && (kind === undefined || err.kind === kind);
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_NOT_YET_VALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
  'ERR_OSSL_PEM_NO_START_LINE',
  'ERR_OSSL_X509_KEY_VALUES_MISMATCH',
]);

/** Classifies a Node network error into a KubeError (message without secrets). */
export function fromNetworkError(err: unknown, server: string): KubeError {
  if (err instanceof KubeError) return err;
  const e = err as NodeJS.ErrnoException & { code?: string };
  const code = e?.code ?? '';
  if (e?.name === 'AbortError' || code === 'ABORT_ERR') return new KubeError('cancelled', 'The request was cancelled');
  if (TLS_CODES.has(code) || /certificate|ssl|tls/i.test(e?.message ?? '')) {
    return new KubeError('tls', `TLS error talking to ${server}: ${e?.message ?? code}`);
  }
  if (
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'EHOSTUNREACH' ||
    code === 'ENETUNREACH' ||
    code === 'ECONNRESET' ||
    code === 'EAI_AGAIN' ||
    code === 'EPIPE'
  ) {
    return new KubeError('unreachable', `Cannot reach ${server} (${code})`);
  }
  return new KubeError('server', `Request to ${server} failed: ${e?.message ?? String(err)}`);
}

/** Builds a KubeError from an HTTP error response (a Kubernetes Status object when the server sent one). */
export function fromStatus(status: number, body: string, what: string): KubeError {
  let message: string;
  let reason: string | undefined;
  let causes: StatusCause[] | undefined;
  try {
    const s = JSON.parse(body) as { message?: string; reason?: string; details?: { causes?: unknown } };
    message = typeof s.message === 'string' ? s.message : '';
    reason = typeof s.reason === 'string' ? s.reason : undefined;
    causes = readCauses(s.details?.causes);
  } catch {
    message = body.slice(0, 200);
  }
  const kind: KubeErrorKind =
    status === 401
      ? 'unauthorized'
      : status === 403
        ? 'forbidden'
        : status === 404
          ? 'notFound'
          : status === 409
            ? 'conflict'
            : status === 410
              ? 'gone'
              : status === 400 || status === 422
                ? 'invalid'
                : 'server';
  const text = message ? `${what}: ${message}` : `${what}: HTTP ${status}`;
  return new KubeError(kind, text, status, reason, kind === 'forbidden' ? parseDenial(message) : undefined, causes);
}

function readCauses(raw: unknown): StatusCause[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  const str = (v: unknown) => (typeof v === 'string' ? redact(v.slice(0, 2000)) : undefined);
  const out: StatusCause[] = [];
  for (const c of raw.slice(0, MAX_CAUSES)) {
    if (typeof c !== 'object' || c === null) continue;
    const o = c as Record<string, unknown>;
    out.push({ type: str(o.type), message: str(o.message), field: str(o.field) });
  }
  return out.length ? out : undefined;
}

const GO_QUOTED = '"((?:[^"\\\\]|\\\\.)*)"';
const DENIAL = new RegExp(
  `User ${GO_QUOTED} cannot (\\S+) resource ${GO_QUOTED} in API group ${GO_QUOTED} (?:in the namespace ${GO_QUOTED}|at the cluster scope)`,
);

function unquote(s: string): string {
  return s.replace(/\\(.)/g, '$1');
}

/** The refused request in an API server's (or a program's) text that quotes an RBAC denial; undefined when none. */
export function parseDenial(text: string): Denial | undefined {
  const m = DENIAL.exec(text);
  if (!m) return undefined;
  return { user: unquote(m[1]!), verb: m[2]!, resource: unquote(m[3]!), group: unquote(m[4]!), ...(m[5] !== undefined ? { namespace: unquote(m[5]) } : {}) };
}

/** "statefulsets.apps", "secrets", "roles.rbac.authorization.k8s.io": the resource as kubectl auth can-i names it. */
export function qualifiedResource(resource: string, group: string): string {
  if (!group) return resource;
  const [res, sub] = resource.split('/');
  return `${res}.${group}${sub ? `/${sub}` : ''}`;
}

/** "delete statefulsets.apps in namespace team-a" / "create namespaces (cluster-wide)". */
export function describePermission(p: { verb: string; resource: string; group: string; namespace?: string }): string {
  return `${p.verb} ${qualifiedResource(p.resource, p.group)}${p.namespace ? ` in namespace ${p.namespace}` : ' (cluster-wide)'}`;
}
