import assert from 'node:assert/strict';
import type { MappingModel, MappingRow } from '../../src/shared/model';
import { WIRE_FIELDS, decodeMappingModel, encodeMappingModel } from '../../src/shared/mappingWire';
import { sampleModel } from '../../webview-ui/mapping/sampleModel';
import { RowIndex, sortRows } from '../../webview-ui/mapping/view';

describe('mapping wire form', () => {
  it('decodes to exactly the model it encodes, every kind of row included', () => {
    const rows: MappingRow[] = [
      {
        kind: 'Pod',
        virtualNamespace: 'shop',
        virtualName: 'web-0',
        hostNamespace: 'vc-dev',
        hostName: 'web-0-x-shop-x-dev',
        virtualStatus: 'Running',
        hostStatus: 'Running',
        state: 'synced',
        joinedBy: 'annotation',
      },
      {
        kind: 'Service',
        virtualNamespace: 'shop',
        virtualName: 'web',
        hostNamespace: 'vc-dev',
        hostName: 'web-x-shop-x-dev',
        virtualStatus: 'ClusterIP',
        hostStatus: 'ClusterIP',
        state: 'synced',
        joinedBy: 'name',
      },
      // a long name is hashed by vcluster: not the short form, so it travels in full
      {
        kind: 'ConfigMap',
        virtualNamespace: 'n',
        virtualName: 'a'.repeat(60),
        hostNamespace: 'vc-dev',
        hostName: `${'a'.repeat(52)}-0123456789`,
        state: 'synced',
      },
      // the virtual `kubernetes` Service is served by the host Service named after the vcluster
      {
        kind: 'Service',
        virtualNamespace: 'default',
        virtualName: 'kubernetes',
        hostNamespace: 'vc-dev',
        hostName: 'dev',
        state: 'synced',
        joinedBy: 'annotation',
      },
      { kind: 'Secret', virtualNamespace: 'shop', virtualName: 'token', state: 'virtual-only' },
      { kind: 'Pod', hostNamespace: 'vc-dev', hostName: 'gone-x-old-x-dev', hostStatus: 'CrashLoopBackOff', state: 'host-only' },
      { kind: 'Pod', virtualNamespace: 'old', virtualName: 'gone', hostNamespace: 'vc-dev', hostName: 'gone-x-old-x-dev', state: 'host-only' },
      { kind: 'ServiceAccount', virtualNamespace: '', virtualName: 'x', hostNamespace: 'vc-dev', hostName: 'x-x--x-dev', state: 'synced' },
    ];
    const model: MappingModel = {
      vcluster: { context: 'host', namespace: 'vc-dev', name: 'dev', parents: [{ namespace: 'p', name: 'outer' }] },
      hostNamespace: 'vc-dev',
      rows,
      summary: { synced: 5, virtualOnly: 1, hostOnly: 2, byKind: { Pod: { synced: 1, virtualOnly: 0, hostOnly: 2 } } },
      errors: [{ kind: 'Ingress', side: 'host', message: 'forbidden' }],
      fetchedAt: '2026-01-01T00:00:00.000Z',
    };
    const wire = encodeMappingModel(model);
    assert.equal(wire.rows.length, rows.length * WIRE_FIELDS);
    // the rows travel in the view's default order
    assert.deepEqual(decodeMappingModel(JSON.parse(JSON.stringify(wire))), { ...model, rows: sortRows(rows, 'kind', false) });
    const big = sampleModel({ rows: 3000, namespaces: 30, seed: 5 });
    const decoded = decodeMappingModel(JSON.parse(JSON.stringify(encodeMappingModel(big))));
    assert.deepEqual(decoded, { ...big, rows: sortRows(big.rows, 'kind', false) });
    assert.deepEqual([...new RowIndex(decoded.rows, true).order('kind', false)], [...new RowIndex(decoded.rows).order('kind', false)]);
  });

  it('is much smaller than the plain model', () => {
    const model = sampleModel({ rows: 5000, namespaces: 40, seed: 9 });
    const plain = JSON.stringify(model).length;
    const wire = JSON.stringify(encodeMappingModel(model)).length;
    assert.ok(wire < plain * 0.4, `wire ${wire} B, plain ${plain} B`);
  });
});
