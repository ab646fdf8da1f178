// Reading a YAML file of Kubernetes objects for apply and diff (src/vcluster/changes/manifest.ts), the pure helpers
// of edit and diff (field paths to document positions, kubectl diff's Secret masking) and kubectl's restart time
// format. The API server side of the same code is tested in test/cluster/changes.test.ts.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { UserFacingError } from '../../src/shared/errors';
import { applyOrder, parseManifest, resourcesDefinedBy } from '../../src/vcluster/changes/manifest';
import { maskSecretData } from '../../src/vcluster/changes/diff';
import { fieldPathSegments, problemsIn } from '../../src/vcluster/changes/edit';
import { rfc3339, sameObject } from '../../src/vcluster/changes/objects';

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, 'fixtures', 'manifests', name), 'utf8');

function refused(text: string, pattern: RegExp, options?: Parameters<typeof parseManifest>[1]): void {
  assert.throws(
    () => parseManifest(text, options),
    (err: unknown) => err instanceof UserFacingError && pattern.test(err.message),
    `expected a UserFacingError matching ${pattern}`,
  );
}

describe('manifests for apply', () => {
  it('reads the documents of a file in order, skips empty ones as kubectl does, and keeps each one’s own text', () => {
    const docs = parseManifest(fixture('app.yaml'));
    assert.deepEqual(
      docs.map((d) => [d.index, d.kind, d.name, d.namespace]),
      [
        [1, 'Deployment', 'web', 'shop'],
        [3, 'Widget', 'blue', 'shop'],
        [4, 'Namespace', 'shop', undefined],
        [5, 'CustomResourceDefinition', 'widgets.example.com', undefined],
        [6, 'ConfigMap', 'settings', 'shop'],
      ],
    );
    assert.equal(docs[0]!.line, 2, 'the Deployment starts after the comment line');
    assert.match(docs[0]!.text, /^apiVersion: apps\/v1\nkind: Deployment/);
    assert.doesNotMatch(docs[0]!.text, /---|Widget/, 'the text is that document only');
    assert.equal((docs[4]!.object.data as Record<string, unknown>).mode, 'on');
  });

  it('orders Namespaces, then CustomResourceDefinitions, then the rest in file order', () => {
    const order = applyOrder(parseManifest(fixture('app.yaml'))).map((d) => `${d.kind}/${d.name}`);
    assert.deepEqual(order, ['Namespace/shop', 'CustomResourceDefinition/widgets.example.com', 'Deployment/web', 'Widget/blue', 'ConfigMap/settings']);
  });

  it('knows the resource a CRD of the same file defines', () => {
    const defined = resourcesDefinedBy(parseManifest(fixture('app.yaml')));
    assert.deepEqual(defined.get('example.com|Widget'), {
      crd: 'widgets.example.com',
      versions: ['v1'],
      resource: { group: 'example.com', version: 'v1', resource: 'widgets', kind: 'Widget', namespaced: true },
    });
  });

  it('names the document that is not YAML, and nothing is returned', () => {
    refused(fixture('bad.yaml'), /^document 2 \(line 6\) in bad\.yaml is not valid YAML/, { source: 'bad.yaml' });
  });

  it('refuses documents that are not Kubernetes objects, naming index, kind and name when known', () => {
    refused('- a\n- b\n', /^document 1 \(line 1\) is not a Kubernetes object/);
    refused('kind: ConfigMap\nmetadata: { name: x }\n', /^document 1 \(ConfigMap x\) has no apiVersion/);
    refused('apiVersion: v1\nmetadata: { name: x }\n', /^document 1 \(line 1\) has no kind/);
    refused('---\napiVersion: v1\nkind: ConfigMap\nmetadata: {}\n', /^document 1 \(ConfigMap, line 2\) has no metadata\.name/);
    refused('apiVersion: v1\nkind: Pod\nmetadata: { generateName: web- }\n', /generateName, which apply cannot use/);
    refused('apiVersion: v1\nkind: List\nmetadata: { name: l }\nitems: []\n', /is a List; write its items as separate documents/);
    refused(
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a, namespace: n }\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: a, namespace: n }\n',
      /^document 2 \(ConfigMap n\/a\) is the same object as document 1/,
    );
    refused('apiVersion: v1\nkind: ConfigMap\nkind: Secret\nmetadata: { name: a }\n', /not valid YAML/);
  });

  it('treats null documents as empty, as kubectl does', () => {
    assert.deepEqual(parseManifest('---\n~\n---\nnull\n---\n'), []);
  });

  it('refuses a YAML bomb instead of expanding it', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++)
      bomb.push(
        `${'b'.repeat(i)}: &${'b'.repeat(i)} [${Array(10)
          .fill(i === 1 ? '*a' : `*${'b'.repeat(i - 1)}`)
          .join(',')}]`,
      );
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: bomb }\ndata:\n${bomb.map((l) => `  ${l}`).join('\n')}\n`;
    refused(text, /^document 1 \(line 1\) cannot be read: .*alias/i);
  });

  it('bounds the number of documents and the bytes of the file', () => {
    const doc = (i: number) => `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c${i} }\n`;
    const eleven = Array.from({ length: 11 }, (_, i) => doc(i)).join('---\n');
    assert.equal(parseManifest(eleven, { maxDocuments: 11 }).length, 11);
    refused(eleven, /has more than 10 documents; nothing was applied/, { maxDocuments: 10 });
    refused(doc(1), /larger than 0 MiB/, { maxBytes: 10 });
    // The default bound: 10,000 documents are read, one more is refused.
    const many = Array.from({ length: 10_001 }, (_, i) => doc(i)).join('---\n');
    refused(many, /more than 10000 documents/);
  });
});

describe('helpers of diff and edit', () => {
  it("masks a Secret's data as kubectl diff's Masker does", () => {
    const live = { kind: 'Secret', data: { same: 'YQ==', changed: 'Yg==', dropped: 'Yw==' } };
    const merged = { kind: 'Secret', data: { same: 'YQ==', changed: 'ZA==', added: 'ZQ==' } };
    const { from, to } = maskSecretData(live, merged);
    assert.deepEqual(from!.data, { same: '***', changed: '*** (before)', dropped: '***' });
    assert.deepEqual(to!.data, { same: '***', changed: '*** (after)', added: '***' });
    assert.deepEqual(live.data.changed, 'Yg==', 'the inputs are left as they were');
    assert.deepEqual(maskSecretData(undefined, merged).to!.data, { same: '***', changed: '***', added: '***' });
  });

  it('reads API server field paths and places causes at their line in the document', () => {
    assert.deepEqual(fieldPathSegments('spec.template.spec.containers[0].image'), ['spec', 'template', 'spec', 'containers', 0, 'image']);
    assert.deepEqual(fieldPathSegments('metadata.labels[app.kubernetes.io/name]'), ['metadata', 'labels', 'app.kubernetes.io/name']);
    const text =
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: -1\n  template:\n    spec:\n      containers:\n        - name: web\n          image: ""\n';
    const problems = problemsIn(text, [
      { field: 'spec.replicas', message: 'must be greater than or equal to 0' },
      { field: 'spec.template.spec.containers[0].image', message: 'Required value' },
      { field: 'spec.selector', message: 'Required value' },
      { message: 'no field' },
    ]);
    assert.deepEqual(problems[0]!.position, { line: 6, column: 13 });
    assert.deepEqual(problems[1]!.position, { line: 11, column: 18 });
    assert.deepEqual(problems[2]!.position, { line: 5, column: 1 }, 'a missing field is placed at its nearest parent');
    assert.equal(problems[3]!.position, undefined);
  });

  it("formats the restart time as Go's time.RFC3339 (seconds, Z or the zone's offset)", () => {
    const d = new Date(Date.UTC(2026, 11, 8, 3, 4, 5, 678));
    const s = rfc3339(d);
    assert.match(s, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/);
    assert.equal(new Date(s).getTime(), Date.UTC(2026, 11, 8, 3, 4, 5), 'the same instant, milliseconds dropped');
    if (d.getTimezoneOffset() === 0) assert.equal(s, '2026-12-08T03:04:05Z');
  });

  it('tells an unchanged object apart from a changed one, ignoring managedFields, resourceVersion and generation', () => {
    const live = { metadata: { name: 'a', resourceVersion: '1', generation: 1, managedFields: [{ manager: 'x' }] }, data: { k: 'v' } };
    assert.ok(sameObject(live, { data: { k: 'v' }, metadata: { generation: 2, resourceVersion: '2', name: 'a' } }));
    assert.ok(!sameObject(live, { metadata: { name: 'a' }, data: { k: 'w' } }));
  });
});
