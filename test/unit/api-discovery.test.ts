// API discovery and kind resolution on documents recorded from the harness's kube-apiserver v1.34.4 (with a CRD
// widgets.example.com, Kind Widget, short name wg, printer columns Size and Color), and on a loopback server that
// answers as older or hostile servers do: 406 for aggregated discovery, an unaggregated answer, names that are not
// Kubernetes names, stale and failing group versions.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type ApiResource, DISCOVERY_ACCEPT, discoverResources, parseAggregatedDiscovery, resolveKind, resolveKindMatch } from '../../src/kube/apiDiscovery';
import { KubeClient } from '../../src/kube/client';
import { CLUSTER_FOLDER_KINDS, COMMON_NAMESPACED_KINDS, groupResource } from '../../src/kube/kinds';
import { UserFacingError } from '../../src/shared/errors';
import { ApiResourceCache, kindFolders } from '../../src/vcluster/apiResources';

const dir = path.join(__dirname, 'fixtures', 'discovery');
const read = (f: string): unknown => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
const aggApi = read('aggregated-api.json');
const aggApis = read('aggregated-apis.json');
const legacy = read('legacy.json') as Record<string, unknown>;

const find = (rs: readonly ApiResource[], gr: string) => rs.find((r) => groupResource(r) === gr);
/** A resource without its order-dependent lists, for comparing two readings. */
const norm = (r: ApiResource) => ({ ...r, verbs: [...r.verbs].sort(), subresources: [...r.subresources].sort(), categories: [...r.categories].sort() });

interface Fake {
  url: string;
  requests: { path: string; accept: string }[];
  close(): Promise<void>;
}

/** A loopback API server answering from a map of paths, `aggregated` deciding how it treats the discovery Accept. */
async function fakeServer(answer: (path: string, accept: string) => { status: number; body: unknown } | undefined): Promise<Fake> {
  const requests: { path: string; accept: string }[] = [];
  const server = http.createServer((req, res) => {
    const accept = String(req.headers.accept ?? '');
    const p = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push({ path: p, accept });
    const a = answer(p, accept) ?? { status: 404, body: { kind: 'Status', message: 'not found' } };
    res.writeHead(a.status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(a.body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const clientOf = (url: string) =>
  new KubeClient({ contextName: 'c', clusterName: 'c', cluster: { server: url }, userName: 'u', user: {} }, { timeoutMs: 10_000 });

describe('API discovery', () => {
  const opened: { f: Fake; c: KubeClient }[] = [];
  const open = async (answer: Parameters<typeof fakeServer>[0]) => {
    const f = await fakeServer(answer);
    const c = clientOf(f.url);
    opened.push({ f, c });
    return { f, c };
  };
  afterEach(async () => {
    for (const { f, c } of opened.splice(0)) {
      c.dispose();
      await f.close();
    }
  });

  const agg = parseAggregatedDiscovery(aggApi, aggApis)!;

  it('reads aggregated discovery: kinds, scope, verbs, short names, subresources, preferred versions; core first', () => {
    assert.ok(agg.aggregated);
    const pods = find(agg.resources, 'pods')!;
    assert.deepEqual([pods.kind, pods.version, pods.namespaced, pods.shortNames], ['Pod', 'v1', true, ['po']]);
    assert.ok(pods.verbs.includes('list') && pods.subresources.includes('log') && pods.subresources.includes('exec'));
    const deploy = find(agg.resources, 'deployments.apps')!;
    assert.deepEqual([deploy.kind, deploy.version, deploy.shortNames, [...deploy.subresources].sort()], ['Deployment', 'v1', ['deploy'], ['scale', 'status']]);
    const hpa = find(agg.resources, 'horizontalpodautoscalers.autoscaling')!;
    assert.deepEqual([hpa.version, hpa.versions], ['v2', ['v2', 'v1']], 'the preferred version, then the others');
    const w = find(agg.resources, 'widgets.example.com')!;
    assert.deepEqual([w.kind, w.singular, w.namespaced, w.shortNames], ['Widget', 'widget', true, ['wg']]);
    assert.equal(find(agg.resources, 'nodes')?.namespaced, false);
    assert.equal(agg.resources[0]!.group, '', 'the core group comes first');
    assert.equal(new Set(agg.resources.map(groupResource)).size, agg.resources.length, 'each resource once');
  });

  it('reads the same resources from the per-group documents as from aggregated discovery', () => {
    // The recorded legacy documents, served by a server that answers 406 to the aggregated media types.
    return (async () => {
      const { f, c } = await open((p, accept) => {
        if (accept.includes('apidiscovery.k8s.io')) return { status: 406, body: { kind: 'Status', message: 'only application/json' } };
        return legacy[p] ? { status: 200, body: legacy[p] } : undefined;
      });
      const l = await discoverResources(c);
      assert.equal(l.aggregated, false);
      assert.deepEqual(l.failed, []);
      assert.deepEqual(l.resources.map(norm), agg.resources.map(norm));
      assert.ok(
        f.requests.some((r) => r.path === '/apis/example.com/v1'),
        'each group version is read',
      );
    })();
  });

  it("asks for aggregated discovery with client-go's Accept header, two requests in all", async () => {
    const { f, c } = await open((p) => (p === '/api' ? { status: 200, body: aggApi } : p === '/apis' ? { status: 200, body: aggApis } : undefined));
    const l = await discoverResources(c);
    assert.ok(l.aggregated);
    assert.deepEqual(l.resources, agg.resources);
    assert.deepEqual(
      f.requests.map((r) => [r.path, r.accept]),
      [
        ['/api', DISCOVERY_ACCEPT],
        ['/apis', DISCOVERY_ACCEPT],
      ],
    );
  });

  it('takes an unaggregated answer to the aggregated Accept as the older documents (a server that ignores it)', async () => {
    const { c } = await open((p) => (legacy[p] ? { status: 200, body: legacy[p] } : undefined));
    const l = await discoverResources(c);
    assert.equal(l.aggregated, false);
    assert.deepEqual(l.resources.map(norm), agg.resources.map(norm));
  });

  it('leaves out names that are not Kubernetes names, reports stale and failing group versions', async () => {
    const hostile = {
      kind: 'APIGroupDiscoveryList',
      apiVersion: 'apidiscovery.k8s.io/v2',
      items: [
        {
          metadata: { name: 'evil.example' },
          versions: [
            {
              version: 'v1',
              resources: [
                { resource: '../../api/v1/secrets', responseKind: { kind: 'Secret' }, scope: 'Namespaced', verbs: ['list'] },
                { resource: 'things', responseKind: { kind: '<img src=x onerror=alert(1)>' }, scope: 'Namespaced', verbs: ['list'] },
                { resource: 'gadgets', responseKind: { kind: 'Gadget' }, scope: 'Cluster', verbs: ['list', 'rm -rf /'], shortNames: ['g/x', 'gd'] },
                { resource: 'nokind', scope: 'Cluster', verbs: ['list'] },
              ],
            },
            { version: 'v2', freshness: 'Stale', resources: [{ resource: 'gadgets', responseKind: { kind: 'Gadget' }, verbs: ['list'] }] },
          ],
        },
        { metadata: { name: 'Bad/Group' }, versions: [{ version: 'v1', resources: [{ resource: 'x', responseKind: { kind: 'X' }, verbs: ['list'] }] }] },
      ],
    };
    const l = parseAggregatedDiscovery(aggApi, hostile)!;
    const evil = l.resources.filter((r) => r.group !== '');
    assert.deepEqual(
      evil.map((r) => [r.group, r.resource, r.kind, r.namespaced, r.verbs, r.shortNames]),
      [['evil.example', 'gadgets', 'Gadget', false, ['list'], ['gd']]],
    );
    assert.deepEqual(
      l.failed.map((x) => x.groupVersion),
      ['evil.example/v2'],
    );

    // The older documents: a group version that fails alone is reported, the rest read.
    const { c } = await open((p) => {
      if (p === '/apis/example.com/v1') return { status: 503, body: { kind: 'Status', message: 'service unavailable' } };
      return legacy[p] ? { status: 200, body: legacy[p] } : undefined;
    });
    const partial = await discoverResources(c);
    assert.deepEqual(
      partial.failed.map((x) => x.groupVersion),
      ['example.com/v1'],
    );
    assert.equal(find(partial.resources, 'widgets.example.com'), undefined);
    assert.ok(find(partial.resources, 'deployments.apps'));
  });

  it('a failure of /apis itself is the error of discovery', async () => {
    const { c } = await open((p) =>
      p === '/api' ? { status: 200, body: aggApi } : p === '/apis' ? { status: 403, body: { kind: 'Status', message: 'forbidden' } } : undefined,
    );
    await assert.rejects(discoverResources(c), (err: Error) => err.name === 'KubeError' && /forbidden/.test(err.message));
  });
});

describe('kinds as kubectl names them', () => {
  const { resources } = parseAggregatedDiscovery(aggApi, aggApis)!;
  const gr = (name: string) => groupResource(resolveKind(resources, name));

  it('a Kind, a resource, a singular, a short name, resource.group, resource.version.group and Kind.group', () => {
    for (const name of [
      'Deployment',
      'deployment',
      'deployments',
      'DEPLOYMENTS',
      'deploy',
      'deployments.apps',
      'deployments.v1.apps',
      'Deployment.apps',
      'deploy.apps',
    ])
      assert.equal(gr(name), 'deployments.apps', name);
    for (const name of ['Widget', 'widget', 'widgets', 'wg', 'widgets.example.com', 'widgets.v1.example.com', 'Widget.example.com'])
      assert.equal(gr(name), 'widgets.example.com', name);
    assert.equal(gr('po'), 'pods');
    assert.equal(gr('cm'), 'configmaps');
    assert.equal(gr('hpa'), 'horizontalpodautoscalers.autoscaling');
    assert.equal(resolveKind(resources, 'horizontalpodautoscalers.v1.autoscaling').version, 'v2', 'the resource, in its preferred version');
    assert.equal(gr('crd'), 'customresourcedefinitions.apiextensions.k8s.io');
  });

  it('a name in several groups is the core one first, then by the order the server lists groups (kubectl priority)', () => {
    const m = resolveKindMatch(resources, 'events');
    assert.equal(groupResource(m.resource), 'events');
    assert.deepEqual(m.alsoMatches.map(groupResource), ['events.events.k8s.io']);
    assert.equal(gr('events.events.k8s.io'), 'events.events.k8s.io');
    assert.equal(gr('Event.events.k8s.io'), 'events.events.k8s.io');
  });

  it('a full resource name wins over a short name (restmapper/shortcut.go)', () => {
    const shadow: ApiResource = { ...resolveKind(resources, 'widgets'), resource: 'gizmos', singular: 'gizmo', kind: 'Gizmo', shortNames: ['pods'] };
    assert.equal(groupResource(resolveKind([...resources, shadow], 'pods')), 'pods');
  });

  it('unknown kinds name what is served; two resources of one group are ambiguous', () => {
    assert.throws(
      () => resolveKind(resources, 'gizmos'),
      (err: Error) =>
        err instanceof UserFacingError && /serves no kind "gizmos": it serves Widget, APIService, /.test(err.message) && / and 18 more\.$/.test(err.message),
    );
    assert.throws(
      () =>
        resolveKind(
          resources.filter((r) => r.group === 'example.com' || r.resource === 'bindings'),
          'gizmos',
        ),
      (err: Error) => err.message === 'The API server serves no kind "gizmos": it serves Widget.',
      'kinds that cannot be listed are not offered',
    );
    for (const bad of ['', '  ', 'pods/log', 'a b'])
      assert.throws(
        () => resolveKind(resources, bad),
        (err: Error) => err instanceof UserFacingError,
      );
    const w = resolveKind(resources, 'widgets');
    const twin: ApiResource = { ...w, resource: 'widgetz', singular: 'widget', shortNames: [] };
    assert.throws(
      () => resolveKind([...resources, twin], 'Widget'),
      (err: Error) => err instanceof UserFacingError && /more than one kind/.test(err.message) && /widgetz\.example\.com/.test(err.message),
    );
  });
});

describe("the tree's kind folders", () => {
  const { resources } = parseAggregatedDiscovery(aggApi, aggApis)!;
  const f = kindFolders(resources, new Set(['widgets.example.com']));

  it('common namespaced kinds in order, the Cluster folder, custom resources by group', () => {
    assert.deepEqual(
      f.common.map((r) => r.kind),
      [...COMMON_NAMESPACED_KINDS],
    );
    assert.deepEqual(
      f.cluster.map((r) => r.kind),
      [...CLUSTER_FOLDER_KINDS],
    );
    assert.deepEqual(
      f.custom.map((g) => [g.group, g.resources.map((r) => r.resource)]),
      [['example.com', ['widgets']]],
    );
  });

  it('"More kinds": every other namespaced kind that can be listed, none twice', () => {
    const more = f.more.map(groupResource);
    for (const k of ['leases.coordination.k8s.io', 'podtemplates', 'limitranges', 'widgets.example.com', 'events.events.k8s.io', 'endpoints'])
      assert.ok(more.includes(k), k);
    for (const k of ['bindings', 'localsubjectaccessreviews.authorization.k8s.io', 'pods', 'nodes', 'secrets']) assert.ok(!more.includes(k), k);
    assert.ok(f.more.every((r) => r.namespaced && r.verbs.includes('list')));
  });

  it('a vcluster without a kind leaves it out; without CRD names no custom resources', () => {
    const noIngress = kindFolders(resources.filter((r) => r.resource !== 'ingresses'));
    assert.ok(!noIngress.common.some((r) => r.kind === 'Ingress'));
    assert.deepEqual(noIngress.custom, []);
  });
});

describe('the per-vcluster cache of API resources', () => {
  let crds: string[];
  let widgetsServed: boolean;
  let f: Fake;
  let client: KubeClient;
  const ref = { context: 'ctx', namespace: 'team', name: 'vc' };
  const apisWithout = { ...(aggApis as { items: { metadata: { name: string } }[] }) };
  apisWithout.items = apisWithout.items.filter((g) => g.metadata.name !== 'example.com');

  beforeEach(async () => {
    crds = [];
    widgetsServed = false;
    f = await fakeServer((p) => {
      if (p === '/api') return { status: 200, body: aggApi };
      if (p === '/apis') return { status: 200, body: widgetsServed ? aggApis : apisWithout };
      if (p === '/apis/apiextensions.k8s.io/v1/customresourcedefinitions')
        return {
          status: 200,
          body: { kind: 'PartialObjectMetadataList', metadata: { resourceVersion: '7' }, items: crds.map((name) => ({ metadata: { name } })) },
        };
      return undefined;
    });
    client = clientOf(f.url);
  });
  afterEach(async () => {
    client.dispose();
    await f.close();
  });
  const discoveryReads = () => f.requests.filter((r) => r.path === '/apis').length;

  it('reads once per vcluster; invalidate reads again', async () => {
    const cache = new ApiResourceCache(async () => client, { debounceMs: 1 });
    try {
      const [a, b] = await Promise.all([cache.get(ref), cache.get(ref)]);
      assert.equal(a, b);
      await cache.get(ref);
      assert.equal(discoveryReads(), 1);
      cache.invalidate({ context: 'ctx', namespace: 'team', name: 'other' });
      await cache.get(ref);
      assert.equal(discoveryReads(), 1, 'another vcluster is another entry');
      cache.invalidate(ref);
      await cache.get(ref);
      assert.equal(discoveryReads(), 2);
    } finally {
      cache.dispose();
    }
  });

  it('a kind not found is looked for once more in a fresh read (a CRD added since)', async () => {
    let t = 0;
    const cache = new ApiResourceCache(async () => client, { now: () => t });
    try {
      await cache.get(ref);
      t = 5000;
      crds = ['widgets.example.com'];
      widgetsServed = true;
      const m = await cache.resolve(ref, 'wg');
      assert.equal(groupResource(m.resource), 'widgets.example.com');
      assert.equal(discoveryReads(), 2);
      assert.ok((await cache.get(ref)).customResources.has('widgets.example.com'));
      await assert.rejects(cache.resolve(ref, 'gizmos'), UserFacingError);
    } finally {
      cache.dispose();
    }
  });

  it('a CRD that discovery does not serve yet makes it read again and tell the listeners', async () => {
    crds = ['widgets.example.com'];
    const cache = new ApiResourceCache(async () => client, { retryMs: 20, debounceMs: 1 });
    try {
      const first = await cache.get(ref);
      assert.equal(find(first.list.resources, 'widgets.example.com'), undefined);
      widgetsServed = true;
      await new Promise<void>((resolve) => {
        const sub = cache.onDidChange((r) => {
          assert.deepEqual(r, ref);
          sub.dispose();
          resolve();
        });
      });
      assert.ok(find((await cache.get(ref)).list.resources, 'widgets.example.com'));
    } finally {
      cache.dispose();
    }
  });

  it('an entry without a watch is read again after maxAgeMs', async () => {
    let t = 0;
    const cache = new ApiResourceCache(async () => client, { now: () => t, maxAgeMs: 1000 });
    try {
      await cache.get(ref);
      t = 500;
      await cache.get(ref);
      assert.equal(discoveryReads(), 1);
      t = 2000;
      await cache.get(ref);
      assert.equal(discoveryReads(), 2);
    } finally {
      cache.dispose();
    }
  });
});
