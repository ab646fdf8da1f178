import assert from 'node:assert/strict';
import type { MappingRow } from '../../src/shared/model';
import { rowKey } from '../../src/shared/mappingProtocol';
import { sampleModel } from '../../webview-ui/mapping/sampleModel';
import { MIN_WIDTH, diagramKeyOrder, kindSummaries, layoutDiagram } from '../../webview-ui/mapping/layout';
import { naturalKey } from '../../src/shared/mappingOrder';
import { DEFAULT_PREFS, RowIndex, cmpNatural, filterRows, normalizePrefs, sortRows, tableView, type ViewPrefs } from '../../webview-ui/mapping/view';

const rows: MappingRow[] = [
  { kind: 'Service', virtualNamespace: 'shop', virtualName: 'cart', hostNamespace: 'vc', hostName: 'cart-x-shop-x-dev', state: 'synced' },
  {
    kind: 'Pod',
    virtualNamespace: 'shop',
    virtualName: 'cart-0',
    hostNamespace: 'vc',
    hostName: 'cart-0-x-shop-x-dev',
    virtualStatus: 'Running',
    hostStatus: 'Running',
    state: 'synced',
  },
  { kind: 'Pod', virtualNamespace: 'default', virtualName: 'web-1', virtualStatus: 'Pending', state: 'virtual-only' },
  { kind: 'Pod', hostNamespace: 'vc', hostName: 'orphan-x-gone-x-dev', hostStatus: 'CrashLoopBackOff', state: 'host-only' },
  { kind: 'ConfigMap', virtualNamespace: 'team-10', virtualName: 'cfg', hostNamespace: 'vc', hostName: 'cfg-x-team-10-x-dev', state: 'synced' },
  { kind: 'ConfigMap', virtualNamespace: 'team-2', virtualName: 'cfg', hostNamespace: 'vc', hostName: 'cfg-x-team-2-x-dev', state: 'synced' },
];
const prefs = (p: Partial<ViewPrefs>): ViewPrefs => ({ ...DEFAULT_PREFS, ...p });

describe('webview view: filter', () => {
  it('matches every whitespace-separated term, case-insensitively, across kind, names, state and statuses', () => {
    assert.deepEqual(
      filterRows(rows, prefs({ text: 'CART' })).map((r) => r.virtualName),
      ['cart', 'cart-0'],
    );
    assert.deepEqual(
      filterRows(rows, prefs({ text: 'cart pod' })).map((r) => r.virtualName),
      ['cart-0'],
    );
    assert.deepEqual(
      filterRows(rows, prefs({ text: 'crashloop' })).map((r) => r.hostName),
      ['orphan-x-gone-x-dev'],
    );
    assert.deepEqual(
      filterRows(rows, prefs({ text: 'virtual-only' })).map((r) => r.virtualName),
      ['web-1'],
    );
    assert.equal(filterRows(rows, prefs({ text: 'shop/cart-0' })).length, 1, 'namespace/name as shown in the table');
    assert.equal(filterRows(rows, prefs({ text: 'nothing-like-this' })).length, 0);
    assert.equal(filterRows(rows, prefs({ text: '   ' })).length, rows.length);
  });

  it('combines kind, state and namespace filters with the text', () => {
    assert.equal(filterRows(rows, prefs({ kind: 'Pod' })).length, 3);
    assert.equal(filterRows(rows, prefs({ kind: 'Pod', state: 'synced' })).length, 1);
    assert.deepEqual(
      filterRows(rows, prefs({ namespace: 'shop' })).map((r) => r.kind),
      ['Service', 'Pod'],
    );
    assert.equal(filterRows(rows, prefs({ namespace: 'shop', text: 'service' })).length, 1);
    assert.equal(filterRows(rows, prefs({ state: 'host-only', namespace: 'shop' })).length, 0);
  });
});

describe('webview view: sort', () => {
  it('sorts by kind in the usual kind order, then by virtual and host reference', () => {
    assert.deepEqual(sortRows(rows, 'kind', false).map(rowKey), [
      'Pod|default/web-1|/',
      'Pod|shop/cart-0|vc/cart-0-x-shop-x-dev',
      'Pod|/|vc/orphan-x-gone-x-dev',
      'Service|shop/cart|vc/cart-x-shop-x-dev',
      'ConfigMap|team-2/cfg|vc/cfg-x-team-2-x-dev',
      'ConfigMap|team-10/cfg|vc/cfg-x-team-10-x-dev',
    ]);
  });

  it('puts missing values last in both directions and reverses the rest', () => {
    const asc = sortRows(rows, 'virtual', false).map((r) => r.virtualName ?? '-');
    const desc = sortRows(rows, 'virtual', true).map((r) => r.virtualName ?? '-');
    assert.deepEqual(asc, ['web-1', 'cart', 'cart-0', 'cfg', 'cfg', '-']);
    assert.deepEqual(desc, ['cfg', 'cfg', 'cart-0', 'cart', 'web-1', '-']);
    assert.deepEqual(
      sortRows(rows, 'state', false)
        .map((r) => r.state)
        .slice(-2),
      ['virtual-only', 'host-only'],
    );
    assert.equal(sortRows(rows, 'hostStatus', true)[0]!.hostStatus, 'Running');
  });

  it('does not change its input and is deterministic', () => {
    const copy = [...rows];
    const a = sortRows(rows, 'host', true);
    assert.deepEqual(rows, copy);
    assert.deepEqual(sortRows([...rows].reverse(), 'host', true), a);
  });
});

describe('webview view: the row index', () => {
  it('naturalKey orders names as the natural-order collator does', () => {
    const names = [
      'team-10',
      'team-2',
      'team-1',
      'team-02',
      'web-0',
      'web',
      'web-a',
      'web-10-x-shop-x-dev',
      'web-9-x-shop-x-dev',
      'a.b',
      'a-b',
      'a/b',
      'ab',
      'a1b',
      'a10b',
      'kube-system/coredns-7',
      'default/nginx-0',
      'Running',
      'running',
      'CrashLoopBackOff',
      'Init:0/3',
      'Init:10/30',
      'x-x-10-x-y',
      'x-x-9-x-y',
      '0',
      '00',
      '123456789012345678901234',
    ];
    const byCollator = [...names].sort(cmpNatural);
    const byKey = [...names].sort((a, b) => (naturalKey(a) < naturalKey(b) ? -1 : naturalKey(a) > naturalKey(b) ? 1 : 0));
    assert.deepEqual(byKey.map(naturalKey), byCollator.map(naturalKey), 'the same order up to case');
    const rows = names.map((n, i): MappingRow => ({ kind: 'Pod', virtualNamespace: 'ns', virtualName: `v${i}`, virtualStatus: n, state: 'virtual-only' }));
    assert.deepEqual(
      sortRows(rows, 'virtualStatus', false).map((r) => r.virtualStatus),
      byCollator,
      'and the table sorts exactly as the collator',
    );
  });

  it('gives the same rows as filter then sort, for every column and direction', function () {
    this.timeout(30_000);
    const model = sampleModel({ rows: 600, namespaces: 12, seed: 11 });
    const index = new RowIndex(model.rows);
    for (const sort of ['kind', 'virtual', 'state', 'host', 'virtualStatus', 'hostStatus'] as const) {
      for (const desc of [false, true]) {
        for (const p of [{}, { text: 'web run' }, { kind: 'Pod' as const, state: 'synced' as const }, { namespace: 'shop', text: 'x' }]) {
          const want = sortRows(filterRows(model.rows, prefs(p)), sort, desc).map(rowKey);
          const got = [...index.view(prefs({ ...p, sort, desc })).indices].map((i) => rowKey(model.rows[i]!));
          assert.deepEqual(got, want, `${sort} ${desc ? 'desc' : 'asc'} ${JSON.stringify(p)}`);
        }
      }
    }
  });
});

describe('webview view: 1,000 rows', () => {
  const model = sampleModel({ rows: 1000, namespaces: 24, seed: 7 });

  it('the sample has what the test needs (1,000 distinct rows in 24 namespaces with all three states)', () => {
    assert.equal(model.rows.length, 1000);
    assert.equal(new Set(model.rows.map(rowKey)).size, 1000);
    assert.equal(new Set(model.rows.map((r) => r.virtualNamespace).filter(Boolean)).size, 24);
    assert.ok(model.summary.synced > 0 && model.summary.virtualOnly > 0 && model.summary.hostOnly > 0);
  });

  it('holds every matching row in display order and counts the matches', () => {
    const v = tableView(model.rows, DEFAULT_PREFS);
    assert.equal(v.rows.length, 1000);
    assert.equal(v.matching, 1000);
    assert.equal(v.total, 1000);
    assert.deepEqual(v.rows.map(rowKey), sortRows(model.rows, 'kind', false).map(rowKey));
    const pods = tableView(model.rows, prefs({ kind: 'Pod', state: 'virtual-only' }));
    assert.equal(pods.matching, model.rows.filter((r) => r.kind === 'Pod' && r.state === 'virtual-only').length);
    assert.ok(pods.rows.every((r) => r.kind === 'Pod' && r.state === 'virtual-only'));
  });

  it('draws boxes per namespace and kind, never per object, and expands on demand', () => {
    const collapsed = layoutDiagram(model.rows, model.hostNamespace, new Set());
    const kinds = new Set(model.rows.filter((r) => r.state !== 'virtual-only').map((r) => r.kind)).size;
    assert.equal(collapsed.nodes.filter((n) => n.type === 'namespace').length, 24);
    assert.equal(collapsed.nodes.filter((n) => n.type === 'hostKind').length, kinds);
    assert.equal(collapsed.nodes.length, 1 + kinds + 24);
    assert.equal(collapsed.links.length, 24, 'one link per collapsed namespace, to the host namespace');
    assert.ok(collapsed.links.every((l) => l.to === 'host'));
    // the link widths follow the synced counts
    const byCount = [...collapsed.links].sort((a, b) => a.count - b.count);
    assert.ok(byCount[0]!.width < byCount[byCount.length - 1]!.width);

    const expanded = layoutDiagram(model.rows, model.hostNamespace, new Set(['default', 'shop']));
    const defaultKinds = new Set(model.rows.filter((r) => r.virtualNamespace === 'default').map((r) => r.kind)).size;
    const shopKinds = new Set(model.rows.filter((r) => r.virtualNamespace === 'shop').map((r) => r.kind)).size;
    assert.equal(expanded.nodes.filter((n) => n.type === 'kind').length, defaultKinds + shopKinds);
    assert.ok(expanded.links.some((l) => l.from === 'ns/default/Pod' && l.to === 'host/Pod'));
    assert.ok(expanded.height > collapsed.height);
    assert.equal(expanded.nodes.find((n) => n.id === 'ns/default')?.expanded, true);
  });

  it('counts add up: namespace boxes hold every virtual object, host boxes every host object', () => {
    const layout = layoutDiagram(model.rows, model.hostNamespace, new Set());
    const nsTotal = layout.nodes.filter((n) => n.type === 'namespace').reduce((s, n) => s + n.counts.synced + n.counts.virtualOnly, 0);
    assert.equal(nsTotal, model.summary.synced + model.summary.virtualOnly);
    const host = layout.nodes.find((n) => n.type === 'host')!;
    assert.deepEqual(host.counts, { synced: model.summary.synced, virtualOnly: 0, hostOnly: model.summary.hostOnly });
    const linked = layout.links.reduce((s, l) => s + l.count, 0);
    assert.equal(linked, model.summary.synced);
    const summaries = kindSummaries(model.rows);
    for (const k of summaries) assert.deepEqual(k.counts, model.summary.byKind[k.kind]);
  });

  it('orders the boxes for the keyboard: the virtual column top to bottom, then the host column', () => {
    const layout = layoutDiagram(rows, 'vc', new Set(['shop']));
    assert.deepEqual(diagramKeyOrder(layout), [
      'ns/default',
      'ns/shop',
      'ns/shop/Pod',
      'ns/shop/Service',
      'ns/team-2',
      'ns/team-10',
      'host',
      'host/Pod',
      'host/Service',
      'host/ConfigMap',
    ]);
  });

  it('caps the namespaces it draws and says how many it left out', () => {
    const layout = layoutDiagram(model.rows, model.hostNamespace, new Set(), { maxNamespaces: 10 });
    assert.equal(layout.nodes.filter((n) => n.type === 'namespace').length, 10);
    assert.equal(layout.hiddenNamespaces, 14);
    assert.match(layout.nodes.find((n) => n.type === 'more')!.label, /^14 more namespaces$/);
  });

  it('orders namespaces naturally (team-2 before team-10) and keeps boxes apart', () => {
    const layout = layoutDiagram(rows, 'vc', new Set());
    assert.deepEqual(
      layout.nodes.filter((n) => n.type === 'namespace').map((n) => n.label),
      ['default', 'shop', 'team-2', 'team-10'],
    );
    const left = layout.nodes.filter((n) => n.x < layout.width / 2).sort((a, b) => a.y - b.y);
    for (let i = 1; i < left.length; i++) assert.ok(left[i]!.y >= left[i - 1]!.y + left[i - 1]!.h, 'no overlap');
    assert.ok(layout.nodes.every((n) => n.x >= 0 && n.x + n.w <= layout.width && n.y + n.h <= layout.height));
  });

  it('fits both columns into a narrow panel down to MIN_WIDTH, and no further', () => {
    for (const width of [MIN_WIDTH, 450, 720, 960]) {
      const layout = layoutDiagram(model.rows, model.hostNamespace, new Set(['default']), { width });
      assert.equal(layout.width, width);
      const left = layout.nodes.filter((n) => n.type === 'namespace' || n.type === 'kind');
      const right = layout.nodes.filter((n) => n.type === 'host' || n.type === 'hostKind');
      const leftEdge = Math.max(...left.map((n) => n.x + n.w));
      const rightEdge = Math.min(...right.map((n) => n.x));
      assert.ok(rightEdge - leftEdge >= 40, `room for the links at width ${width}`);
      assert.ok(right.every((n) => n.x + n.w <= width));
    }
    assert.equal(layoutDiagram(model.rows, model.hostNamespace, new Set(), { width: 200 }).width, MIN_WIDTH);
  });

  it('sorts once per column: a keystroke filters the kept order (speed is measured by npm run bench)', () => {
    const big = sampleModel({ rows: 5000, namespaces: 60, seed: 3 });
    const index = new RowIndex(big.rows);
    const order = index.order('host', true);
    assert.equal(index.order('host', true), order, 'the same order, not a new sort');
    for (let i = 0; i < 5; i++) {
      const v = index.view(prefs({ text: `a ${i}`, sort: 'host', desc: true }));
      const positions = [...v.indices].map((x) => order.indexOf(x));
      assert.deepEqual(
        positions,
        [...positions].sort((a, b) => a - b),
        'matches keep the sorted order',
      );
    }
  });
});

describe('webview view: persisted preferences', () => {
  it('keeps valid values and replaces anything else by the defaults', () => {
    const p = normalizePrefs({
      text: 'web',
      kind: 'Pod',
      state: 'host-only',
      namespace: 'shop',
      sort: 'host',
      desc: true,
      expanded: ['a', 3, 'b'],
      limit: 400,
    });
    assert.deepEqual(
      p,
      { text: 'web', kind: 'Pod', state: 'host-only', namespace: 'shop', sort: 'host', desc: true, expanded: ['a', 'b'] },
      'unknown fields (an older page size) are dropped',
    );
    assert.deepEqual(normalizePrefs(undefined), DEFAULT_PREFS);
    assert.deepEqual(normalizePrefs('x'), DEFAULT_PREFS);
    const bad = normalizePrefs({ text: 7, kind: 'Node', state: 'gone', sort: 'evil', desc: 'yes', expanded: 'all', limit: -5 });
    assert.deepEqual(bad, DEFAULT_PREFS);
    assert.equal(normalizePrefs({ text: 'x'.repeat(501) }).text, '');
  });
});
