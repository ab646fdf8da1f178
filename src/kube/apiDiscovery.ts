import type { KubeClient } from './client';
import { KubeError } from './errors';
import { groupResource } from './kinds';
import { UserFacingError } from '../shared/errors';

// What an API server serves: its resources read through aggregated discovery (one request for /api, one for /apis),
// with the older per-group-version documents as the fallback, as client-go v0.34 discovery/discovery_client.go does;
// and a kind named the ways kubectl accepts (Kind, resource, short name, resource.group) resolved to one resource, by
// kubectl's rules (client-go v0.34 restmapper/discovery.go and shortcut.go, apimachinery v0.34 pkg/api/meta/priority.go).
// Every string of a discovery document is the server's: a name that is not a Kubernetes name is left out, so that
// nothing but names ever reaches a request path or a message.

/**
 * The Accept header of client-go v0.34 for discovery (discovery_client.go acceptDiscoveryFormats): aggregated v2,
 * then v2beta1, then the older unaggregated documents.
 */
export const DISCOVERY_ACCEPT =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

/** Most resources kept from one server's discovery (about 25 times what a cluster with many operators serves). */
export const MAX_DISCOVERED_RESOURCES = 50_000;
/** Most group versions read one by one when the server has no aggregated discovery. */
export const MAX_LEGACY_GROUP_VERSIONS = 1_000;

/** One resource an API server serves, in the version kubectl would use (the group's preferred one that has it). */
export interface ApiResource {
  /** "" for the core group. */
  readonly group: string;
  readonly version: string;
  /** Every version of the group that serves the resource, preferred first. */
  readonly versions: readonly string[];
  /** The resource name (plural, lower case). */
  readonly resource: string;
  readonly singular: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly verbs: readonly string[];
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  /** Its subresources ("status", "scale", "log", …) in the preferred version. */
  readonly subresources: readonly string[];
}

export interface ApiResourceList {
  /** In kubectl's priority order: the core group first, then the groups in the order the server lists them. */
  readonly resources: readonly ApiResource[];
  /** Whether the server answered with aggregated discovery (for /api and /apis both) or with the older documents. */
  readonly aggregated: boolean;
  /** Group versions the server could not describe (stale in aggregated discovery, or failing), with why. */
  readonly failed: readonly { readonly groupVersion: string; readonly message: string }[];
}

// ---- names ----------------------------------------------------------------------------------------------------------

const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;
const KIND = /^[A-Za-z][A-Za-z0-9]{0,252}$/;
const VERB = /^[a-z][a-zA-Z]{0,62}$/;

const isGroup = (s: unknown): s is string => s === '' || (typeof s === 'string' && s.length <= 253 && DNS_SUBDOMAIN.test(s));
const isLabel = (s: unknown): s is string => typeof s === 'string' && DNS_LABEL.test(s);
const isKind = (s: unknown): s is string => typeof s === 'string' && KIND.test(s);
const arr = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : []);
const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const names = (v: unknown, ok: (s: unknown) => s is string): string[] => [...new Set(arr(v).filter(ok))];

// ---- parsing --------------------------------------------------------------------------------------------------------

/** The parts of one group version, before the versions of a group are merged. */
interface VersionResources {
  readonly group: string;
  readonly version: string;
  readonly resources: readonly Omit<ApiResource, 'versions'>[];
}

class Collector {
  readonly groups: { group: string; versions: VersionResources[] }[] = [];
  readonly failed: { groupVersion: string; message: string }[] = [];
  private count = 0;

  constructor(private readonly server: string) {}

  add(group: string, v: VersionResources): void {
    this.count += v.resources.length;
    if (this.count > MAX_DISCOVERED_RESOURCES)
      throw new KubeError('server', `${this.server} describes more than ${MAX_DISCOVERED_RESOURCES} resources; its discovery was not read further`);
    let g = this.groups.find((x) => x.group === group);
    if (!g) this.groups.push((g = { group, versions: [] }));
    g.versions.push(v);
  }

  /** Per group, each resource once, in the first (preferred) version that serves it: client-go's ServerPreferredResources. */
  result(aggregated: boolean): ApiResourceList {
    const core = this.groups.filter((g) => g.group === '');
    const rest = this.groups.filter((g) => g.group !== '');
    const resources: ApiResource[] = [];
    for (const g of [...core, ...rest]) {
      const byName = new Map<string, { r: Omit<ApiResource, 'versions'>; versions: string[] }>();
      for (const v of g.versions)
        for (const r of v.resources) {
          const seen = byName.get(r.resource);
          if (seen) {
            if (!seen.versions.includes(v.version)) seen.versions.push(v.version);
          } else byName.set(r.resource, { r, versions: [v.version] });
        }
      for (const { r, versions } of byName.values()) resources.push({ ...r, versions });
    }
    return { resources, aggregated, failed: this.failed };
  }
}

/** A resource of aggregated discovery (apidiscovery.k8s.io/v2 APIResourceDiscovery); undefined when unusable. */
function aggregatedResource(group: string, version: string, raw: unknown): Omit<ApiResource, 'versions'> | undefined {
  const r = obj(raw);
  const kind = obj(r.responseKind).kind;
  // client-go's convertAPIResource leaves out a resource without a kind (it may only stand for its subresources).
  if (!isLabel(r.resource) || !isKind(kind)) return undefined;
  return {
    group,
    version,
    resource: r.resource,
    singular: isLabel(r.singularResource) ? r.singularResource : kind.toLowerCase(),
    kind,
    namespaced: r.scope === 'Namespaced',
    verbs: names(r.verbs, (s): s is string => typeof s === 'string' && VERB.test(s)),
    shortNames: names(r.shortNames, isLabel),
    categories: names(r.categories, isLabel),
    subresources: names(
      arr(r.subresources).map((s) => obj(s).subresource),
      isLabel,
    ),
  };
}

function isAggregated(doc: unknown): boolean {
  const d = obj(doc);
  return d.kind === 'APIGroupDiscoveryList' && (d.apiVersion === 'apidiscovery.k8s.io/v2' || d.apiVersion === 'apidiscovery.k8s.io/v2beta1');
}

/** Adds an aggregated document (of /api or /apis) to the collector. */
function addAggregated(c: Collector, doc: unknown, coreOnly: boolean): void {
  for (const rawGroup of arr(obj(doc).items)) {
    const g = obj(rawGroup);
    const group = coreOnly ? '' : obj(g.metadata).name;
    if (!isGroup(group) || (!coreOnly && group === '')) continue;
    for (const rawVersion of arr(g.versions)) {
      const v = obj(rawVersion);
      if (!isLabel(v.version)) continue;
      const gv = group ? `${group}/${v.version}` : v.version;
      // A stale group version (an aggregated API server that does not answer) is failed, as client-go reports it.
      if (v.freshness === 'Stale') {
        c.failed.push({ groupVersion: gv, message: 'its discovery is stale (the API service behind it does not answer)' });
        continue;
      }
      const version = v.version;
      const resources = arr(v.resources)
        .map((r) => aggregatedResource(group, version, r))
        .filter((r) => r !== undefined);
      c.add(group, { group, version, resources });
    }
  }
}

/**
 * Resources of aggregated discovery documents (the answers of /api and /apis with DISCOVERY_ACCEPT); undefined when
 * either is not an aggregated document.
 */
export function parseAggregatedDiscovery(api: unknown, apis: unknown, server = 'The API server'): ApiResourceList | undefined {
  if (!isAggregated(api) || !isAggregated(apis)) return undefined;
  const c = new Collector(server);
  addAggregated(c, api, true);
  addAggregated(c, apis, false);
  return c.result(true);
}

/** The resources of one APIResourceList (`/api/v1`, `/apis/G/V`): subresources ("pods/log") joined to their resource. */
export function parseResourceList(group: string, version: string, doc: unknown): Omit<ApiResource, 'versions'>[] {
  const out = new Map<string, Omit<ApiResource, 'versions'> & { subresources: string[] }>();
  const subs: [string, string][] = [];
  for (const raw of arr(obj(doc).resources)) {
    const r = obj(raw);
    if (typeof r.name !== 'string') continue;
    const [name, sub, more] = r.name.split('/');
    if (more !== undefined || !isLabel(name)) continue;
    if (sub !== undefined) {
      if (isLabel(sub)) subs.push([name, sub]);
      continue;
    }
    if (!isKind(r.kind) || out.has(name)) continue;
    out.set(name, {
      group,
      version,
      resource: name,
      singular: isLabel(r.singularName) ? r.singularName : r.kind.toLowerCase(),
      kind: r.kind,
      namespaced: r.namespaced === true,
      verbs: names(r.verbs, (s): s is string => typeof s === 'string' && VERB.test(s)),
      shortNames: names(r.shortNames, isLabel),
      categories: names(r.categories, isLabel),
      subresources: [],
    });
  }
  for (const [name, sub] of subs) {
    const r = out.get(name);
    if (r && !r.subresources.includes(sub)) r.subresources.push(sub);
  }
  return [...out.values()];
}

/** The group versions of an APIGroupList (`/apis`), the preferred version of each group first. */
export function parseGroupList(doc: unknown): { group: string; version: string }[] {
  const out: { group: string; version: string }[] = [];
  for (const raw of arr(obj(doc).groups)) {
    const g = obj(raw);
    if (!isGroup(g.name) || g.name === '') continue;
    const group = g.name;
    const versions = names(
      arr(g.versions).map((v) => obj(v).version),
      isLabel,
    );
    const preferred = obj(g.preferredVersion).version;
    const ordered = isLabel(preferred) && versions.includes(preferred) ? [preferred, ...versions.filter((v) => v !== preferred)] : versions;
    for (const version of ordered) out.push({ group, version });
  }
  return out;
}

// ---- reading ----------------------------------------------------------------------------------------------------------

async function getOrNotAcceptable(client: KubeClient, path: string, signal?: AbortSignal): Promise<unknown> {
  try {
    return await client.get<unknown>(path, { accept: DISCOVERY_ACCEPT, signal });
  } catch (err) {
    // A server that knows none of the media types answers 406: the older documents are asked for next.
    if (err instanceof KubeError && err.status === 406) return undefined;
    throw err;
  }
}

/**
 * Everything an API server serves. Two requests when it has aggregated discovery (Kubernetes 1.27 and later by
 * default); otherwise `/api`, `/api/VERSION`, `/apis` and one request per group version, as kubectl did before. A group
 * version that fails alone is reported in `failed` (kubectl's "unable to retrieve the complete list"); a failure of
 * /api or /apis rejects with its KubeError.
 */
export async function discoverResources(client: KubeClient, signal?: AbortSignal): Promise<ApiResourceList> {
  const [api, apis] = await Promise.all([getOrNotAcceptable(client, '/api', signal), getOrNotAcceptable(client, '/apis', signal)]);
  const c = new Collector(client.server);
  const bothAggregated = isAggregated(api) && isAggregated(apis);
  // Core: aggregated, or /api's versions one by one.
  if (isAggregated(api)) addAggregated(c, api, true);
  else {
    const doc = api === undefined ? await client.get<unknown>('/api', { signal }) : api;
    const versions = names(obj(doc).versions, isLabel);
    await Promise.all(
      versions.map(async (version) => {
        const list = await client.get<unknown>(`/api/${version}`, { signal });
        return { version, list };
      }),
    ).then((docs) => docs.forEach(({ version, list }) => c.add('', { group: '', version, resources: parseResourceList('', version, list) })));
  }
  if (isAggregated(apis)) addAggregated(c, apis, false);
  else {
    const doc = apis === undefined ? await client.get<unknown>('/apis', { signal }) : apis;
    const gvs = parseGroupList(doc);
    if (gvs.length > MAX_LEGACY_GROUP_VERSIONS)
      throw new KubeError('server', `${client.server} lists more than ${MAX_LEGACY_GROUP_VERSIONS} group versions; its discovery was not read further`);
    // In parallel, as client-go's fetchGroupVersionResources; added in the server's order.
    const docs = await Promise.all(
      gvs.map(async ({ group, version }) => {
        try {
          return { group, version, list: await client.get<unknown>(`/apis/${group}/${version}`, { signal }) };
        } catch (err) {
          if (!(err instanceof KubeError) || err.kind === 'cancelled') throw err;
          return { group, version, error: err.message };
        }
      }),
    );
    for (const d of docs) {
      if ('error' in d) c.failed.push({ groupVersion: `${d.group}/${d.version}`, message: d.error ?? '' });
      else c.add(d.group, { group: d.group, version: d.version, resources: parseResourceList(d.group, d.version, d.list) });
    }
  }
  return c.result(bothAggregated);
}

// ---- kinds as kubectl names them ----------------------------------------------------------------------------------------

/** What resolveKind found: the resource, and lower-priority resources the same name also matches (kubectl warns). */
export interface KindMatch {
  readonly resource: ApiResource;
  readonly alsoMatches: readonly ApiResource[];
}

/** "Widget (widgets.example.com)": a resource for messages. */
export function describeResource(r: ApiResource): string {
  return `${r.kind} (${groupResource(r)})`;
}

const MAX_NAMED_IN_MESSAGE = 40;

/** Kubernetes' own groups: the core group, the unqualified ones (apps, batch, …) and *.k8s.io. */
const isKubernetesGroup = (g: string) => !g.includes('.') || g.endsWith('.k8s.io');

/** The kinds that can be listed, for a message: custom (non-Kubernetes) groups first, as those are the likelier typos. */
function servedKinds(resources: readonly ApiResource[]): string {
  const listable = resources.filter((r) => r.verbs.includes('list'));
  const sorted = (rs: readonly ApiResource[]) => [...new Set(rs.map((r) => r.kind))].sort((a, b) => a.localeCompare(b));
  const kinds = [...new Set([...sorted(listable.filter((r) => !isKubernetesGroup(r.group))), ...sorted(listable.filter((r) => isKubernetesGroup(r.group)))])];
  if (!kinds.length) return 'it serves no kinds that can be listed';
  const shown = kinds.slice(0, MAX_NAMED_IN_MESSAGE).join(', ');
  return `it serves ${shown}${kinds.length > MAX_NAMED_IN_MESSAGE ? ` and ${kinds.length - MAX_NAMED_IN_MESSAGE} more` : ''}`;
}

/**
 * The resource a kind names, as `kubectl get KIND` finds it (k8s.io/cli-runtime v0.34 pkg/resource/builder.go
 * mappingFor): first as a resource — `resource`, `resource.group` or `resource.version.group`, matched case-insensitively
 * against resource names and singular names, then against short names (client-go restmapper/shortcut.go: a full name
 * wins over a short name); else as a Kind — `Kind`, `Kind.group` or `Kind.version.group`. Several matches in different
 * groups resolve by kubectl's priority (restmapper/discovery.go NewDiscoveryRESTMapper: the core group first, then the
 * groups in the order the server lists them), the others coming back in `alsoMatches`; several resources of one group
 * are ambiguous (meta.AmbiguousResourceError). Unknown or ambiguous names are a UserFacingError naming what is served.
 */
export function resolveKindMatch(list: ApiResourceList | readonly ApiResource[], name: string): KindMatch {
  const resources = 'resources' in list ? list.resources : list;
  const arg = name.trim();
  if (!arg || arg.length > 512 || /[/\s]/.test(arg))
    throw new UserFacingError(`"${arg.slice(0, 80)}" is not a kind: name one such as Deployment, deployments or widgets.example.com.`);
  const lower = arg.toLowerCase();
  const forms = (s: string): { name: string; group?: string; version?: string }[] => {
    const parts = s.split('.');
    const out: { name: string; group?: string; version?: string }[] = [];
    if (parts.length >= 3) out.push({ name: parts[0]!, version: parts[1]!, group: parts.slice(2).join('.') });
    const i = s.indexOf('.');
    out.push(i >= 0 ? { name: s.slice(0, i), group: s.slice(i + 1) } : { name: s });
    return out;
  };
  const inGroup = (r: ApiResource, f: { group?: string; version?: string }) =>
    (f.group === undefined || r.group === f.group) && (f.version === undefined || r.versions.includes(f.version));
  let matches: ApiResource[] = [];
  let byShortName = false;
  for (const f of forms(lower)) {
    matches = resources.filter((r) => inGroup(r, f) && (r.resource === f.name || r.singular === f.name));
    if (!matches.length) {
      matches = resources.filter((r) => inGroup(r, f) && r.shortNames.includes(f.name));
      byShortName = matches.length > 0;
    }
    if (matches.length) break;
  }
  if (!matches.length)
    for (const f of forms(arg)) {
      matches = resources.filter((r) => inGroup(r, f) && (r.kind === f.name || r.kind.toLowerCase() === f.name));
      if (matches.length) break;
    }
  if (!matches.length) throw new UserFacingError(`The API server serves no kind "${arg}": ${servedKinds(resources)}.`);
  // `resources` is in priority order: the first match's group wins.
  const first = matches[0]!;
  const sameGroup = matches.filter((r) => r.group === first.group);
  if (sameGroup.length > 1 && !byShortName)
    throw new UserFacingError(
      `"${arg}" names more than one kind: ${sameGroup
        .slice(0, MAX_NAMED_IN_MESSAGE)
        .map(describeResource)
        .join(', ')}. Name the resource with its group, e.g. ${groupResource(first)}.`,
    );
  return { resource: first, alsoMatches: matches.filter((r) => r !== first) };
}

/** resolveKindMatch's resource. */
export function resolveKind(list: ApiResourceList | readonly ApiResource[], name: string): ApiResource {
  return resolveKindMatch(list, name).resource;
}
