import { gunzipSync } from 'node:zlib';
import { stringify as toYaml } from 'yaml';
import type { KubeClient } from '../../kube/client';
import { KubeError } from '../../kube/errors';
import { METADATA_LIST, type KubeList, type Secret } from '../../kube/types';
import { UserFacingError } from '../../shared/errors';

// The Helm release of a vcluster, read the way Helm's secrets driver stores it (helm.sh/helm/v3 pkg/storage/driver,
// the format the vcluster CLI reads too in pkg/helm/secrets.go, v0.36.1): Secrets `sh.helm.release.v1.NAME.vN` labelled
// owner=helm,name=NAME,status=…,version=N, whose `release` key is base64 of gzipped JSON. Only the fields the extension
// shows are kept (never the rendered manifest or the chart's templates). No vscode import.

export interface HelmRelease {
  readonly name: string;
  readonly namespace: string;
  readonly revision: number;
  /** deployed, failed, pending-upgrade, pending-install, pending-rollback, superseded, uninstalling, … */
  readonly status: string;
  readonly description?: string;
  readonly firstDeployed?: string;
  readonly lastDeployed?: string;
  readonly chartName?: string;
  readonly chartVersion?: string;
  readonly appVersion?: string;
  /** The user-supplied values (`helm get values`, `vcluster describe --config-only`); {} when none. */
  readonly config: Record<string, unknown>;
  /** The chart's values.schema.json as stored in the release, when the chart had one. */
  readonly schema?: Record<string, unknown>;
}

/** Release status only, from the labels (no release data is read). */
export interface HelmReleaseStatus {
  readonly revision: number;
  readonly status: string;
}

const GZIP_MAGIC = [0x1f, 0x8b, 0x08];

/** Decodes the `release` key of a Helm release Secret (already base64-decoded once by the API: still base64 text). */
export function decodeReleaseData(b64FromSecret: string): Record<string, unknown> {
  const inner = Buffer.from(b64FromSecret, 'base64').toString('utf8');
  let raw = Buffer.from(inner, 'base64');
  if (GZIP_MAGIC.every((b, i) => raw[i] === b)) raw = gunzipSync(raw);
  const parsed: unknown = JSON.parse(raw.toString('utf8'));
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the release is not a JSON object');
  return parsed as Record<string, unknown>;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** The fields we keep from a decoded release. */
export function toHelmRelease(release: Record<string, unknown>, secret: Secret): HelmRelease {
  const info = obj(release.info) ?? {};
  const chart = obj(release.chart) ?? {};
  const meta = obj(chart.metadata) ?? {};
  let schema: Record<string, unknown> | undefined;
  // Helm marshals the chart's schema ([]byte) as base64.
  if (typeof chart.schema === 'string' && chart.schema) {
    try {
      schema = obj(JSON.parse(Buffer.from(chart.schema, 'base64').toString('utf8')));
    } catch {
      schema = undefined;
    }
  }
  const revision = typeof release.version === 'number' ? release.version : Number(secret.metadata.labels?.version ?? 0);
  return {
    name: str(release.name) ?? secret.metadata.labels?.name ?? '',
    namespace: str(release.namespace) ?? secret.metadata.namespace ?? '',
    revision,
    status: str(info.status) ?? secret.metadata.labels?.status ?? 'unknown',
    ...(str(info.description) ? { description: str(info.description) } : {}),
    ...(str(info.first_deployed) ? { firstDeployed: str(info.first_deployed) } : {}),
    ...(str(info.last_deployed) ? { lastDeployed: str(info.last_deployed) } : {}),
    ...(str(meta.name) ? { chartName: str(meta.name) } : {}),
    ...(str(meta.version) ? { chartVersion: str(meta.version) } : {}),
    ...(str(meta.appVersion) ? { appVersion: str(meta.appVersion) } : {}),
    config: obj(release.config) ?? {},
    ...(schema ? { schema } : {}),
  };
}

const releaseSelector = (name: string) => `owner=helm,name=${name}`;

/** The revisions of a release, newest first, from metadata only. */
export async function releaseStatuses(client: KubeClient, namespace: string, name: string, signal?: AbortSignal): Promise<HelmReleaseStatus[]> {
  const l = await client.get<KubeList<Secret>>(`/api/v1/namespaces/${namespace}/secrets`, {
    query: { labelSelector: releaseSelector(name) },
    accept: METADATA_LIST,
    signal,
  });
  // A metadata list without items says "items": null.
  return (l.items ?? [])
    .filter((s) => s.metadata.name.startsWith(`sh.helm.release.v1.${name}.v`))
    .map((s) => ({ revision: Number(s.metadata.labels?.version ?? 0), status: s.metadata.labels?.status ?? 'unknown' }))
    .filter((s) => Number.isInteger(s.revision) && s.revision > 0)
    .sort((a, b) => b.revision - a.revision);
}

/** The newest revision's status, or undefined when vcluster NAME has no Helm release in NAMESPACE. */
export async function latestReleaseStatus(client: KubeClient, namespace: string, name: string, signal?: AbortSignal): Promise<HelmReleaseStatus | undefined> {
  return (await releaseStatuses(client, namespace, name, signal))[0];
}

/**
 * The newest revision of the release (what `helm get` shows), or undefined when there is none: a vcluster not installed
 * by Helm (by the platform, by Argo CD from rendered manifests, …).
 */
export async function readHelmRelease(client: KubeClient, namespace: string, name: string, signal?: AbortSignal): Promise<HelmRelease | undefined> {
  const latest = await latestReleaseStatus(client, namespace, name, signal);
  if (!latest) return undefined;
  const secretName = `sh.helm.release.v1.${name}.v${latest.revision}`;
  let secret: Secret;
  try {
    secret = await client.get<Secret>(`/api/v1/namespaces/${namespace}/secrets/${secretName}`, { signal });
  } catch (err) {
    if (err instanceof KubeError && err.kind === 'notFound') return undefined;
    throw err;
  }
  const data = secret.data?.release;
  if (!data) throw new UserFacingError(`The Helm release secret ${namespace}/${secretName} has no "release" key.`);
  try {
    return toHelmRelease(decodeReleaseData(data), secret);
  } catch (err) {
    throw new UserFacingError(`The Helm release secret ${namespace}/${secretName} could not be decoded: ${(err as Error).message}`);
  }
}

/** The user-supplied values as the YAML `vcluster describe --config-only` prints ("{}" when none were given). */
export function valuesYaml(values: Record<string, unknown>): string {
  return Object.keys(values).length ? toYaml(values, { lineWidth: 0 }) : '{}\n';
}

// Values for display (Show Deployed Configuration, Compare): see hideCredentials.ts.
export { maskCredentials } from './hideCredentials';
