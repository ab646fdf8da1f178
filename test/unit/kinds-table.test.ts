// The one table of kinds (src/kube/kinds.ts) against what kube-apiserver v1.34.4 serves (recorded discovery), the
// lists derived from it (resources.ts, mapping.ts) against the values they had before the table, the path builder,
// and the API server's Table as plain text (src/kube/table.ts), also from a loopback server that pages and lies.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parseAggregatedDiscovery } from '../../src/kube/apiDiscovery';
import { KubeClient } from '../../src/kube/client';
import {
  CLUSTER_FOLDER_KINDS,
  COMMON_NAMESPACED_KINDS,
  INSIDE_KINDS,
  KINDS,
  builtinKind,
  groupResource,
  isBuiltinKind,
  resourcePath,
} from '../../src/kube/kinds';
import { TABLE_ACCEPT, TABLE_ACCEPT_METADATA, cellText, listTable, parseTable } from '../../src/kube/table';
import { UserFacingError } from '../../src/shared/errors';
import { MAPPING_KINDS, RESOURCE_KIND_NAMES } from '../../src/shared/model';
import { MAPPED_KINDS, SYNC_FACTS, everyObjectSyncedByDefault } from '../../src/vcluster/mapping';
import { RESOURCE_KINDS, kindDef } from '../../src/vcluster/resources';

const dir = path.join(__dirname, 'fixtures', 'discovery');
const read = (f: string): unknown => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));

describe('the table of kinds', () => {
  it('says for every kind what kube-apiserver v1.34 serves: kind, group, version, resource, scope', () => {
    const served = parseAggregatedDiscovery(read('aggregated-api.json'), read('aggregated-apis.json'))!.resources;
    for (const [name, k] of Object.entries(KINDS)) {
      assert.equal(k.kind, name, 'keyed by its kind');
      const r = served.find((x) => groupResource(x) === groupResource(k));
      assert.ok(r, `${name} is served`);
      assert.deepEqual([r.kind, r.version, r.namespaced], [k.kind, k.version, k.namespaced], name);
    }
  });

  it('has the subsets in their order, each kind of model.ts in it', () => {
    assert.deepEqual([...INSIDE_KINDS], [...RESOURCE_KIND_NAMES]);
    assert.deepEqual(COMMON_NAMESPACED_KINDS.slice(0, 7), [...RESOURCE_KIND_NAMES]);
    assert.equal(new Set(COMMON_NAMESPACED_KINDS).size, 16);
    assert.ok(COMMON_NAMESPACED_KINDS.every((k) => builtinKind(k).namespaced));
    assert.ok(CLUSTER_FOLDER_KINDS.every((k) => !builtinKind(k).namespaced));
    assert.ok(MAPPING_KINDS.every(isBuiltinKind));
    assert.ok(!isBuiltinKind('toString') && !isBuiltinKind('Widget'));
    assert.ok(builtinKind('Secret').metadataOnly && builtinKind('Secret').secret && builtinKind('ConfigMap').metadataOnly);
  });

  it('builds paths: core and groups, in a namespace or across all, an object, a subresource', () => {
    assert.equal(resourcePath(KINDS.Pod, { namespace: 'shop' }), '/api/v1/namespaces/shop/pods');
    assert.equal(resourcePath(KINDS.Pod), '/api/v1/pods');
    assert.equal(
      resourcePath(KINDS.Deployment, { namespace: 'a b', name: 'web/1', subresource: 'scale' }),
      '/apis/apps/v1/namespaces/a%20b/deployments/web%2F1/scale',
    );
    assert.equal(resourcePath(KINDS.Node, { namespace: 'ignored', name: 'n1' }), '/api/v1/nodes/n1');
    assert.equal(resourcePath({ group: 'example.com', version: 'v1', resource: 'widgets', namespaced: true }), '/apis/example.com/v1/widgets');
    for (const bad of [
      { group: 'Example.com', version: 'v1', resource: 'widgets', namespaced: true },
      { group: 'example.com', version: 'v1', resource: '../secrets', namespaced: true },
      { group: 'a/b', version: 'v1', resource: 'x', namespaced: false },
    ])
      assert.throws(() => resourcePath(bad), /Not a resource path/);
    assert.throws(() => resourcePath(KINDS.Pod, { namespace: '..' }), UserFacingError);
    assert.throws(() => resourcePath(KINDS.Pod, { namespace: 'ns', name: '.' }));
  });

  it('resources.ts keeps its kinds, paths, metadata-only and synced values', () => {
    assert.deepEqual(
      RESOURCE_KINDS.map((d) => [d.kind, d.plural, d.path('ns'), d.metadataOnly, d.synced]),
      [
        ['Pod', 'Pods', '/api/v1/namespaces/ns/pods', false, true],
        ['Deployment', 'Deployments', '/apis/apps/v1/namespaces/ns/deployments', false, false],
        ['StatefulSet', 'StatefulSets', '/apis/apps/v1/namespaces/ns/statefulsets', false, false],
        ['DaemonSet', 'DaemonSets', '/apis/apps/v1/namespaces/ns/daemonsets', false, false],
        ['Job', 'Jobs', '/apis/batch/v1/namespaces/ns/jobs', false, false],
        ['Service', 'Services', '/api/v1/namespaces/ns/services', false, true],
        ['ConfigMap', 'ConfigMaps', '/api/v1/namespaces/ns/configmaps', true, false],
      ],
    );
    assert.equal(kindDef('configmaps').kind, 'ConfigMap');
  });

  it('mapping.ts keeps its paths and sync facts; config maps and secrets are synced, but not all of them', () => {
    assert.deepEqual(
      MAPPED_KINDS.map((k) => [k.kind, k.path, k.metadataOnly, k.syncKey, k.defaultSynced, k.watched]),
      [
        ['Pod', '/api/v1/pods', false, 'pods', true, true],
        ['Service', '/api/v1/services', false, 'services', true, true],
        ['Endpoints', '/api/v1/endpoints', true, 'endpoints', true, true],
        ['ConfigMap', '/api/v1/configmaps', true, 'configMaps', true, true],
        ['Secret', '/api/v1/secrets', true, 'secrets', true, true],
        ['PersistentVolumeClaim', '/api/v1/persistentvolumeclaims', false, 'persistentVolumeClaims', true, true],
        ['Ingress', '/apis/networking.k8s.io/v1/ingresses', false, 'ingresses', false, false],
        ['ServiceAccount', '/api/v1/serviceaccounts', true, 'serviceAccounts', false, false],
      ],
    );
    assert.deepEqual([SYNC_FACTS.ConfigMap.all, SYNC_FACTS.Secret.all, SYNC_FACTS.Pod.all], [false, false, true]);
    assert.deepEqual(['Pod', 'Service', 'ConfigMap', 'Secret', 'Deployment', 'toString'].map(everyObjectSyncedByDefault), [
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe("the API server's Table as plain text", () => {
  it("a CRD's printer columns with their priorities; rows with name and namespace", () => {
    const t = parseTable(read('table-widgets.json'));
    assert.deepEqual(
      t.columns.map((c) => [c.name, c.type, c.priority]),
      [
        ['Name', 'string', 0],
        ['Size', 'integer', 0],
        ['Color', 'string', 1],
      ],
    );
    assert.deepEqual(t.rows, [{ name: 'w1', namespace: 'default', cells: ['w1', '3', 'blue'] }]);
    assert.ok(t.resourceVersion);
  });

  it("a secret's row: its type and number of keys, never a value", () => {
    const doc = read('table-secrets.json');
    const t = parseTable(doc);
    assert.deepEqual(
      t.columns.map((c) => c.name),
      ['Name', 'Type', 'Data', 'Age'],
    );
    assert.deepEqual(t.rows[0]?.cells.slice(0, 3), ['s1', 'Opaque', '2']);
    assert.ok(!JSON.stringify(doc).includes('aHVudGVyMg') && !JSON.stringify(doc).includes('hunter2'), 'the recorded answer holds no value');
  });

  it('cells as kubectl prints them: a string to its first line break, no control characters, bounded; markup stays text', () => {
    assert.equal(cellText('line one\nline two'), 'line one...');
    assert.equal(cellText('a\u001b[31mred'), 'a\ufffd[31mred');
    assert.equal(cellText('\u202eevil'), '\ufffdevil');
    assert.equal(cellText('<b onclick="x">bold</b>'), '<b onclick="x">bold</b>');
    assert.equal(cellText(null), '');
    assert.equal(cellText(true), 'true');
    assert.equal(cellText(1.5), '1.5');
    assert.equal(cellText({ a: [1] }), '{"a":[1]}');
    assert.equal(cellText('x'.repeat(5000)).length, 1025);
    const t = parseTable(
      {
        kind: 'Table',
        columnDefinitions: [
          { name: 'Name', type: 'string', format: 'name' },
          { name: 'Wide', type: 'string', priority: 2 },
          { name: 'Bad', priority: -1 },
        ],
        rows: [{ cells: ['a', 'b', 'c', 'extra'] }, { cells: ['only'] }, { cells: [42] }, 'junk', { cells: 'nope' }],
      },
      'ns',
    );
    assert.deepEqual(
      t.columns.map((c) => c.priority),
      [0, 2, 0],
    );
    assert.deepEqual(t.rows, [
      { name: 'a', namespace: 'ns', cells: ['a', 'b', 'c'] },
      { name: 'only', namespace: 'ns', cells: ['only', '', ''] },
    ]);
  });

  it("a plain list (a server without Table support) gets kubectl's Name and Age", () => {
    const t = parseTable(
      { kind: 'WidgetList', items: [{ metadata: { name: 'w', namespace: 'x', creationTimestamp: '2026-01-01T00:00:00Z' } }, { metadata: {} }] },
      undefined,
      Date.parse('2026-01-01T00:05:00Z'),
    );
    assert.deepEqual(
      t.columns.map((c) => c.name),
      ['Name', 'Age'],
    );
    assert.deepEqual(t.rows, [{ name: 'w', namespace: 'x', cells: ['w', '5m'] }]);
  });

  describe('listed from a server', () => {
    let server: http.Server;
    let client: KubeClient;
    const seen: { path: string; accept: string; query: URLSearchParams }[] = [];
    let repeat = false;
    before(async () => {
      server = http.createServer((req, res) => {
        const u = new URL(req.url ?? '/', 'http://x');
        seen.push({ path: u.pathname, accept: String(req.headers.accept), query: u.searchParams });
        const page = Number(u.searchParams.get('continue') ?? '0');
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({
            kind: 'Table',
            metadata: { resourceVersion: '9', ...(page < 2 ? { continue: repeat ? '1' : String(page + 1) } : {}) },
            columnDefinitions: [{ name: 'Name', type: 'string', format: 'name', priority: 0 }],
            rows: [{ cells: [`obj-${page}`], object: { metadata: { name: `obj-${page}`, namespace: 'ns' } } }],
          }),
        );
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      client = new KubeClient({
        contextName: 'c',
        clusterName: 'c',
        cluster: { server: `http://127.0.0.1:${(server.address() as AddressInfo).port}` },
        userName: 'u',
        user: {},
      });
    });
    after(async () => {
      client.dispose();
      await new Promise<void>((r) => server.close(() => r()));
    });

    it('pages with limit and continue, asking for a Table (metadata-only kinds never for the objects)', async () => {
      seen.length = 0;
      const t = await listTable(client, KINDS.Deployment, { namespace: 'ns', limit: 1 });
      assert.deepEqual(
        t.rows.map((r) => r.name),
        ['obj-0', 'obj-1', 'obj-2'],
      );
      assert.deepEqual(
        seen.map((s) => [s.path, s.query.get('limit'), s.query.get('continue'), s.query.get('includeObject')]),
        [
          ['/apis/apps/v1/namespaces/ns/deployments', '1', null, 'Metadata'],
          ['/apis/apps/v1/namespaces/ns/deployments', '1', '1', 'Metadata'],
          ['/apis/apps/v1/namespaces/ns/deployments', '1', '2', 'Metadata'],
        ],
      );
      assert.equal(seen[0]!.accept, TABLE_ACCEPT);
      seen.length = 0;
      await listTable(client, KINDS.Secret);
      assert.equal(seen[0]!.path, '/api/v1/secrets');
      assert.equal(seen[0]!.accept, TABLE_ACCEPT_METADATA);
      assert.ok(!TABLE_ACCEPT_METADATA.split(',').includes('application/json'));
    });

    it('a continue token that repeats ends the list with an error naming the server', async () => {
      repeat = true;
      try {
        await assert.rejects(listTable(client, KINDS.Pod), /repeats the continue token/);
      } finally {
        repeat = false;
      }
    });
  });
});
