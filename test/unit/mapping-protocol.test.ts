import assert from 'node:assert/strict';
import type { MappingRow } from '../../src/shared/model';
import {
  MAX_KEY_LENGTH,
  MAX_TEXT_LENGTH,
  MAPPING_PROTOCOL_VERSION,
  digestKeys,
  isToMappingWebview,
  parseFromMappingWebview,
  parseMappingState,
  rowKey,
} from '../../src/shared/mappingProtocol';
import { parseVClusterRef, refLabel } from '../../src/shared/vclusterRef';
import { refKey } from '../../src/shared/refKey';

describe('mapping protocol: parseFromMappingWebview', () => {
  it('accepts each well-formed message and returns only the known fields', () => {
    assert.deepEqual(parseFromMappingWebview({ type: 'ready', version: MAPPING_PROTOCOL_VERSION }), { type: 'ready', version: MAPPING_PROTOCOL_VERSION });
    assert.deepEqual(
      parseFromMappingWebview({ type: 'openYaml', id: 7, rowKey: 'Pod|default/web|host/web-x-default-x-vc', side: 'host', extra: { evil: true } }),
      {
        type: 'openYaml',
        id: 7,
        rowKey: 'Pod|default/web|host/web-x-default-x-vc',
        side: 'host',
      },
    );
    assert.deepEqual(parseFromMappingWebview({ type: 'refresh', id: 0 }), { type: 'refresh', id: 0 });
    assert.deepEqual(parseFromMappingWebview({ type: 'rendered', rows: 200, matching: 950, total: 1000, digest: '0badf00d' }), {
      type: 'rendered',
      rows: 200,
      matching: 950,
      total: 1000,
      digest: '0badf00d',
    });
    assert.deepEqual(parseFromMappingWebview({ type: 'clientError', message: 'boom' }), { type: 'clientError', message: 'boom' });
  });

  const bad: [string, unknown][] = [
    ['undefined', undefined],
    ['null', null],
    ['a string', 'ready'],
    ['a number', 42],
    ['an array', [{ type: 'ready', version: 1 }]],
    ['no type', { version: 1 }],
    ['a non-string type', { type: 1 }],
    ['an unknown type', { type: 'runCommand', command: 'rm -rf /' }],
    ['a type with a different case', { type: 'Ready', version: 1 }],
    ['a prototype-ish type', { type: '__proto__' }],
    ['ready without version', { type: 'ready' }],
    ['ready with a string version', { type: 'ready', version: '1' }],
    ['openYaml without id', { type: 'openYaml', rowKey: 'k', side: 'virtual' }],
    ['openYaml with a fractional id', { type: 'openYaml', id: 1.5, rowKey: 'k', side: 'virtual' }],
    ['openYaml with a negative id', { type: 'openYaml', id: -1, rowKey: 'k', side: 'virtual' }],
    ['openYaml with a huge id', { type: 'openYaml', id: 2 ** 40, rowKey: 'k', side: 'virtual' }],
    ['openYaml with NaN id', { type: 'openYaml', id: Number.NaN, rowKey: 'k', side: 'virtual' }],
    ['openYaml with a string id', { type: 'openYaml', id: '1', rowKey: 'k', side: 'virtual' }],
    ['openYaml with an unknown side', { type: 'openYaml', id: 1, rowKey: 'k', side: 'both' }],
    ['openYaml with no side', { type: 'openYaml', id: 1, rowKey: 'k' }],
    ['openYaml with an empty rowKey', { type: 'openYaml', id: 1, rowKey: '', side: 'host' }],
    ['openYaml with an oversized rowKey', { type: 'openYaml', id: 1, rowKey: 'x'.repeat(MAX_KEY_LENGTH + 1), side: 'host' }],
    ['openYaml with an object rowKey', { type: 'openYaml', id: 1, rowKey: { toString: () => 'k' }, side: 'host' }],
    ['refresh without id', { type: 'refresh' }],
    ['rendered with a negative count', { type: 'rendered', rows: -1, matching: 0, total: 0, digest: 'ab' }],
    ['rendered with more rows than matching', { type: 'rendered', rows: 5, matching: 4, total: 10, digest: 'ab' }],
    ['rendered with more matching than total', { type: 'rendered', rows: 5, matching: 11, total: 10, digest: 'ab' }],
    ['rendered with a non-hex digest', { type: 'rendered', rows: 1, matching: 1, total: 1, digest: '<script>' }],
    ['rendered with an oversized digest', { type: 'rendered', rows: 1, matching: 1, total: 1, digest: 'a'.repeat(17) }],
    ['rendered with a missing total', { type: 'rendered', rows: 1, matching: 1, digest: 'ab' }],
    ['clientError with an oversized message', { type: 'clientError', message: 'x'.repeat(MAX_TEXT_LENGTH + 1) }],
    ['clientError with a non-string message', { type: 'clientError', message: { stack: 'x' } }],
  ];
  for (const [what, msg] of bad) {
    it(`rejects ${what}`, () => {
      assert.equal(parseFromMappingWebview(msg), undefined);
    });
  }

  it('accepts strings exactly at the limits', () => {
    assert.ok(parseFromMappingWebview({ type: 'openYaml', id: 1, rowKey: 'x'.repeat(MAX_KEY_LENGTH), side: 'virtual' }));
    assert.ok(parseFromMappingWebview({ type: 'clientError', message: 'x'.repeat(MAX_TEXT_LENGTH) }));
  });
});

describe('mapping protocol: refs and persisted state', () => {
  const ref = { context: 'kind-host', namespace: 'team-a', name: 'dev', parents: [{ namespace: 'outer-ns', name: 'outer' }] };

  it('parses a valid ref and drops unknown fields', () => {
    assert.deepEqual(parseVClusterRef({ ...ref, token: 'secret' }), ref);
    assert.deepEqual(parseVClusterRef({ context: 'c', namespace: 'n', name: 'v', parents: [] }), { context: 'c', namespace: 'n', name: 'v' });
  });

  it('rejects refs with missing, empty, mistyped or oversized parts', () => {
    assert.equal(parseVClusterRef({ namespace: 'n', name: 'v' }), undefined);
    assert.equal(parseVClusterRef({ context: '', namespace: 'n', name: 'v' }), undefined);
    assert.equal(parseVClusterRef({ context: 'c', namespace: 3, name: 'v' }), undefined);
    assert.equal(parseVClusterRef({ context: 'c', namespace: 'n', name: 'v'.repeat(300) }), undefined);
    assert.equal(parseVClusterRef({ context: 'c', namespace: 'n', name: 'v', parents: 'outer' }), undefined);
    assert.equal(parseVClusterRef({ context: 'c', namespace: 'n', name: 'v', parents: [{ namespace: 'x' }] }), undefined);
    assert.equal(parseVClusterRef({ context: 'c', namespace: 'n', name: 'v', parents: Array(21).fill({ namespace: 'a', name: 'b' }) }), undefined);
  });

  it('restores the ref from a persisted state and rejects states without one', () => {
    assert.deepEqual(parseMappingState({ ref, view: { text: 'web' } })?.ref, ref);
    assert.equal(parseMappingState({ view: {} }), undefined);
    assert.equal(parseMappingState(undefined), undefined);
    assert.equal(parseMappingState({ ref: { context: 'c' } }), undefined);
  });

  it('gives the same key for equal refs and different keys for different vclusters', () => {
    assert.equal(refKey(ref), refKey({ ...ref, parents: [{ name: 'outer', namespace: 'outer-ns' }] }));
    assert.notEqual(refKey(ref), refKey({ ...ref, parents: undefined }));
    assert.notEqual(refKey(ref), refKey({ ...ref, context: 'other' }));
    assert.notEqual(refKey({ context: 'a', namespace: 'b/c', name: 'd' }), refKey({ context: 'a', namespace: 'b', name: 'c/d' }));
    assert.match(refLabel(ref), /^dev \(team-a\) in kind-host via outer$/);
  });
});

describe('mapping protocol: row keys and digests', () => {
  const rows: MappingRow[] = [
    { kind: 'Pod', virtualNamespace: 'default', virtualName: 'web', hostNamespace: 'vc-ns', hostName: 'web-x-default-x-vc', state: 'synced' },
    { kind: 'Service', virtualNamespace: 'default', virtualName: 'web', hostNamespace: 'vc-ns', hostName: 'web-x-default-x-vc', state: 'synced' },
    { kind: 'Pod', virtualNamespace: 'default', virtualName: 'api', state: 'virtual-only' },
    { kind: 'Pod', hostNamespace: 'vc-ns', hostName: 'api', state: 'host-only' },
  ];

  it('keys rows uniquely by kind and both sides', () => {
    const keys = rows.map(rowKey);
    assert.equal(new Set(keys).size, rows.length);
    assert.equal(keys[0], 'Pod|default/web|vc-ns/web-x-default-x-vc');
    assert.equal(keys[2], 'Pod|default/api|/');
    assert.equal(keys[3], 'Pod|/|vc-ns/api');
  });

  it('digests are deterministic, 8 hex digits, and change with content and order', () => {
    const keys = rows.map(rowKey);
    const d = digestKeys(keys);
    assert.match(d, /^[0-9a-f]{8}$/);
    assert.equal(digestKeys([...keys]), d);
    assert.notEqual(digestKeys([...keys].reverse()), d);
    assert.notEqual(digestKeys(keys.slice(1)), d);
    assert.notEqual(digestKeys(['ä']), digestKeys(['a']));
    // FNV-1a of the empty input is the offset basis
    assert.equal(digestKeys([]), '811c9dc5');
  });
});

describe('mapping protocol: isToMappingWebview', () => {
  it('recognises the host messages and nothing else', () => {
    const ref = { context: 'c', namespace: 'n', name: 'v' };
    assert.ok(isToMappingWebview({ type: 'loading', ref }));
    assert.ok(isToMappingWebview({ type: 'model', model: { rows: [], strings: [], summary: {}, vcluster: ref } }));
    assert.ok(!isToMappingWebview({ type: 'model', model: { rows: [], summary: {}, vcluster: ref } }), 'the plain model is not the wire form');
    assert.ok(isToMappingWebview({ type: 'loadError', ref, message: 'x' }));
    assert.ok(isToMappingWebview({ type: 'reply', id: 1, ok: true }));
    assert.ok(isToMappingWebview({ type: 'reply', id: 1, ok: false, message: 'denied' }));
    assert.ok(!isToMappingWebview({ type: 'reply', id: 1, ok: false }));
    assert.ok(!isToMappingWebview({ type: 'model', model: { rows: 'x' } }));
    assert.ok(!isToMappingWebview({ type: 'ready', version: 1 }));
    assert.ok(!isToMappingWebview('model'));
  });
});
