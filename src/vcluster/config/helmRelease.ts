import { gunzipSync } from 'node:zlib';
import { stringify as toYaml } from 'yaml';
import type { KubeClient } from '../../kube/client';
import { KubeError } from '../../kube/errors';
import { METADATA_LIST, type KubeList, type Secret } from '../../kube/types';
import { UserFacingError } from '../../shared/errors';

// The Helm release of a vcluster, read the way Helm's secrets driver stores it (helm.sh/helm/v3 pkg/storage/driver,
// the format the vcluster CLI reads too in pkg/helm/secrets.go, v0.36.1): Secrets `sh.helm.release.v1.NAME.vN` of type
// helm.sh/release.v1 labelled owner=helm,name=NAME,status=…,version=N, whose `release` key is base64 of gzipped JSON.
// Only the fields the extension shows are kept (never the rendered manifest, the chart's templates or its schema).
//
// Those Secrets are cluster data: whoever can write Secrets in the vcluster's namespace (its own control plane, a
// tenant) can add one. So every Secret is checked to be what it claims (its type, its name, labels and decoded release
// agreeing), its payload is inflated to a bound, and a Secret that fails is ignored and named, never trusted.
// No vscode import.

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
}

/** A release read from the cluster: which Secret it came from, and what looked wrong in the release's history. */
export interface ReadRelease extends HelmRelease {
  readonly secretName: string;
  /** Release Secrets that were ignored or disagree with each other, one sentence each ([] for a clean history). */
  readonly concerns: readonly string[];
  /**
   * Other revisions that also pass every check and say they are deployed. Helm marks the previous revision superseded
   * when it deploys a new one, so this means the history was written outside Helm (or two upgrades ran at once).
   */
  readonly alsoDeployed: readonly number[];
}

/** Release status only, from the labels (no release data is read). */
export interface HelmReleaseStatus {
  readonly revision: number;
  readonly status: string;
}

/** The Secret type Helm 3 writes (pkg/storage/driver/secrets.go newSecretsObject, v3.21.4). */
export const HELM_RELEASE_TYPE = 'helm.sh/release.v1';

/**
 * The most a release payload may inflate to. A Secret holds at most 1 MiB and Helm's gzipped JSON of a vcluster release
 * inflates about tenfold; anything near this bound is not a release Helm wrote (a gzip bomb inflates 1 MiB to 1 GiB).
 */
export const MAX_RELEASE_BYTES = 32 * 1024 * 1024;

const GZIP_MAGIC = [0x1f, 0x8b, 0x08];

/** Decodes the `release` key of a Helm release Secret (already base64-decoded once by the API: still base64 text). */
export function decodeReleaseData(b64FromSecret: string, maxBytes = MAX_RELEASE_BYTES): Record<string, unknown> {
  const inner = Buffer.from(b64FromSecret, 'base64').toString('utf8');
  let raw = Buffer.from(inner, 'base64');
  if (GZIP_MAGIC.every((b, i) => raw[i] === b)) {
    try {
      raw = gunzipSync(raw, { maxOutputLength: maxBytes });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError)
        throw new Error(`the release inflates to more than ${Math.round(maxBytes / 1024 / 1024)} MiB, which no Helm release does`, { cause: err });
      throw new Error(`the release is not valid gzip (${(err as Error).message})`, { cause: err });
    }
  }
  if (raw.length > maxBytes) throw new Error(`the release is larger than ${Math.round(maxBytes / 1024 / 1024)} MiB`);
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

/** The fields we keep from a decoded release (the chart's schema is not among them: only the bundled schema is run). */
export function toHelmRelease(release: Record<string, unknown>, secret: Secret): HelmRelease {
  const info = obj(release.info) ?? {};
  const chart = obj(release.chart) ?? {};
  const meta = obj(chart.metadata) ?? {};
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
  };
}

/**
 * Why a Secret is not revision `revision` of release NAME in NAMESPACE as Helm would have written it, or undefined when
 * it is: Helm's type, the name `sh.helm.release.v1.NAME.vN`, and labels that agree with the decoded release (Helm
 * writes the labels from the release, pkg/storage/driver/secrets.go newSecretsObject, v3.21.4).
 */
export function releaseSecretMismatch(secret: Secret, release: Record<string, unknown>, namespace: string, name: string, revision: number): string | undefined {
  const labels = secret.metadata.labels ?? {};
  const status = str(obj(release.info)?.status);
  if (secret.type !== HELM_RELEASE_TYPE) return `its type is ${JSON.stringify(secret.type ?? '')}, not ${HELM_RELEASE_TYPE}`;
  if (secret.metadata.name !== `sh.helm.release.v1.${name}.v${revision}`) return `its name does not match revision ${revision}`;
  if (labels.owner !== 'helm' || labels.name !== name || labels.version !== String(revision)) return 'its labels do not name this release and revision';
  if (release.version !== revision) return `its release data says revision ${JSON.stringify(release.version)}, its labels ${revision}`;
  if (release.name !== name) return `its release data names release ${JSON.stringify(release.name)}`;
  if (release.namespace !== undefined && release.namespace !== namespace) return `its release data names namespace ${JSON.stringify(release.namespace)}`;
  if (status !== labels.status) return `its release data says ${JSON.stringify(status ?? '')}, its labels ${JSON.stringify(labels.status ?? '')}`;
  return undefined;
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

/** How many release Secrets are read at most for one choice (each is bounded; a flood of forged ones is not read). */
const MAX_READS = 6;

type Fetched = { readonly ok: true; readonly release: ReadRelease } | { readonly ok: false; readonly reason: string };

/** Reads revision N of a release and checks it; never throws for a bad Secret (undefined when it is gone). */
async function fetchRevision(client: KubeClient, namespace: string, name: string, revision: number, signal?: AbortSignal): Promise<Fetched | undefined> {
  const secretName = `sh.helm.release.v1.${name}.v${revision}`;
  let secret: Secret;
  try {
    secret = await client.get<Secret>(`/api/v1/namespaces/${namespace}/secrets/${secretName}`, { signal });
  } catch (err) {
    if (err instanceof KubeError && err.kind === 'notFound') return undefined;
    throw err;
  }
  const data = secret.data?.release;
  if (!data) return { ok: false, reason: `Secret ${secretName} has no "release" key` };
  let decoded: Record<string, unknown>;
  try {
    decoded = decodeReleaseData(data);
  } catch (err) {
    return { ok: false, reason: `Secret ${secretName} could not be decoded: ${(err as Error).message}` };
  }
  const mismatch = releaseSecretMismatch(secret, decoded, namespace, name, revision);
  if (mismatch) return { ok: false, reason: `Secret ${secretName} is not a release Helm wrote: ${mismatch}` };
  return { ok: true, release: { ...toHelmRelease(decoded, secret), secretName, concerns: [], alsoDeployed: [] } };
}

/**
 * Which revision a reader takes. `last`: the newest, as `helm get values` and `helm status` do (pkg/action/action.go
 * releaseContent → pkg/storage/storage.go Last, v3.21.4). `deployed`: the one `helm upgrade` takes as the current
 * release, whose values are the ones running (pkg/action/upgrade.go prepareUpgrade, v3.21.4: the newest revision
 * labelled status=deployed, storage.go Deployed; without one, the newest when it failed or was superseded).
 */
export type ReleaseChoice = 'last' | 'deployed';

/**
 * Reads the release of vcluster NAME, or undefined when it has none: a vcluster not installed by Helm (by the platform,
 * by Argo CD from rendered manifests, …). Secrets that fail the checks are skipped and named in `concerns`; for
 * `deployed`, every other revision that passes them and says deployed is named in `alsoDeployed`.
 */
export async function readRelease(
  client: KubeClient,
  namespace: string,
  name: string,
  choice: ReleaseChoice,
  signal?: AbortSignal,
): Promise<ReadRelease | undefined> {
  const history = await releaseStatuses(client, namespace, name, signal);
  if (!history.length) return undefined;
  const concerns: string[] = [];
  let reads = 0;
  const tryRead = async (revision: number): Promise<ReadRelease | undefined> => {
    if (reads >= MAX_READS) return undefined;
    reads++;
    const f = await fetchRevision(client, namespace, name, revision, signal);
    if (!f) return undefined;
    if (!f.ok) {
      concerns.push(`${f.reason}; it was ignored.`);
      return undefined;
    }
    return f.release;
  };
  let picked: ReadRelease | undefined;
  const alsoDeployed: number[] = [];
  if (choice === 'deployed') {
    for (const h of history.filter((x) => x.status === 'deployed')) {
      if (reads >= MAX_READS) break;
      const r = await tryRead(h.revision);
      if (!r) continue;
      if (!picked) picked = r;
      else alsoDeployed.push(r.revision);
    }
    if (!picked) {
      const last = history[0]!;
      if (last.status === 'failed' || last.status === 'superseded') picked = await tryRead(last.revision);
    }
  } else {
    for (const h of history) {
      picked = await tryRead(h.revision);
      if (picked || reads >= MAX_READS) break;
    }
  }
  if (alsoDeployed.length && picked)
    concerns.push(
      `Revisions ${[picked.revision, ...alsoDeployed].join(', ')} all say they are deployed, but Helm marks the previous revision superseded when it deploys a new one: the release history was changed outside Helm, or two upgrades ran at once.`,
    );
  if (!picked) {
    if (concerns.length) throw new UserFacingError(`No usable Helm release of ${name} was found in ${namespace}: ${concerns.join(' ')}`);
    return undefined;
  }
  return { ...picked, concerns, alsoDeployed };
}

/** The newest revision of the release (what `helm status` and `helm get values` show), or undefined when there is none. */
export async function readHelmRelease(client: KubeClient, namespace: string, name: string, signal?: AbortSignal): Promise<ReadRelease | undefined> {
  return readRelease(client, namespace, name, 'last', signal);
}

/** The deployed revision of the release (whose values the vcluster runs with), or undefined when there is none. */
export async function readDeployedRelease(client: KubeClient, namespace: string, name: string, signal?: AbortSignal): Promise<ReadRelease | undefined> {
  return readRelease(client, namespace, name, 'deployed', signal);
}

/** The user-supplied values as the YAML `vcluster describe --config-only` prints ("{}" when none were given). */
export function valuesYaml(values: Record<string, unknown>): string {
  return Object.keys(values).length ? toYaml(values, { lineWidth: 0 }) : '{}\n';
}

// Values for display (Show Deployed Configuration, Compare): see hideCredentials.ts.
export { maskCredentials } from './hideCredentials';
