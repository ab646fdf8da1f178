import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { fastEdit } from '../../src/kube/kubeconfig/fastEdit';
import { fastParseKubeconfig } from '../../src/kube/kubeconfig/fastYaml';
import { editKubeconfigText } from '../../src/kube/kubeconfig/yamlEdit';
import { YAML_OPTIONS } from '../../src/kube/kubeconfig/model';

// The fast kubeconfig reader must give exactly what the `yaml` library gives (with the options the extension reads
// kubeconfigs with), or give up. Every case compares both; cases the reader must accept say so.

function library(text: string): unknown {
  const doc = YAML.parseDocument(text, YAML_OPTIONS);
  if (doc.errors.length) return { error: doc.errors[0]!.message };
  return doc.toJS({ maxAliasCount: 100 }) ?? {};
}

function same(text: string, mustAccept = false): void {
  const fast = fastParseKubeconfig(text);
  if (!fast) {
    assert.ok(!mustAccept, `the fast reader gave up on:\n${text}`);
    return;
  }
  assert.deepEqual(fast.data, library(text), `different readings of:\n${text}`);
}

const fixtures = path.join(__dirname, 'fixtures', 'kubeconfig');

/** A small random generator, the same sequence for the same seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('kubeconfig fast reader', () => {
  it('reads kubectl-written files exactly as the yaml library does', () => {
    same(fs.readFileSync(path.join(fixtures, 'kubectl-written.yaml'), 'utf8'), true);
    same(fs.readFileSync(path.join(fixtures, 'second.yaml'), 'utf8'), true);
    // comments, blank lines, indented sequences, quoted strings
    for (const f of fs.readdirSync(fixtures)) same(fs.readFileSync(path.join(fixtures, f), 'utf8'));
    same(
      'apiVersion: v1\nclusters:\n  - cluster:\n      server: "https://a"   # trailing\n    name: \'a b\'\n\n# between\ncontexts: []\npreferences: {}\n',
      true,
    );
    same('', true);
    same('# only a comment\n', true);
  });

  it('reads every scalar as YAML 1.1 does, or gives up', () => {
    const words = [
      'yes',
      'Yes',
      'YES',
      'yEs',
      'y',
      'Y',
      'n',
      'N',
      'no',
      'No',
      'NO',
      'on',
      'On',
      'ON',
      'oN',
      'off',
      'Off',
      'OFF',
      'true',
      'True',
      'TRUE',
      'tRUE',
      'false',
      'False',
      'FALSE',
      '~',
      'null',
      'Null',
      'NULL',
      'nULL',
      'NaN',
      'nan',
      '.nan',
      '.inf',
      '-.inf',
      'inf',
      'Infinity',
      '0x1F',
      '0o17',
      '017',
      '1e3',
      '1_000',
      '2001-12-14',
      '2001-12-14t21:59:43.10-05:00',
      '12:30',
      '190:20:30',
      '-1',
      '+1',
      '.5',
      '0b101',
      '=',
      '<<',
      'a:b',
      'a: b',
      'a #b',
      'a#b',
      "'q'",
      "'it''s'",
      '"d"',
      '"esc \\" \\\\ \\n \\t \\u00e9 \\x41"',
      '"bad \\q"',
      '"open',
      "'open",
      '{}',
      '[]',
      '{a: 1}',
      '[1]',
      '&a x',
      '*a',
      '!!str 1',
      '|',
      '>',
      '@x',
      '`x',
      '%x',
      '?x',
      '-x',
      'x:',
      'https://10.0.0.1:6443',
      'LS0tLS1CRUdJTi==',
      'étoile',
      'a b  c',
      'trailing   ',
      'with "quotes" inside',
      "with 'single' inside",
      'a,b',
      'a[0]',
      'a{b}',
      'x # c # d',
      '0aGVsbG8=',
      '+abc/def',
      '/etc/x',
      '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
      '1.2.3.4',
      '-x',
      '--flag=a',
      '-1',
      '-.inf',
      '+.5',
      '.hidden',
      '.5e3',
      '1e',
      'e1',
      'E+5',
      'e-',
      'ex1',
      '0:1',
      '1:60',
      '1_0',
      '0xZ',
      '0b2',
      '2001-12-14 21:59:43.10 -5',
      '-',
      '--',
      '-.',
      '+',
    ];
    for (const w of words) {
      same(`key: ${w}\n`);
      same(`list:\n- ${w}\n`);
      same(`m:\n  k: ${w}\n`);
    }
    for (const k of ['yes', 'on', 'null', '~', '1', 'e1', 'E2', 'e1x', '"quoted"', "'q'", 'a b', '<<', '__proto__', 'x.y/z', '-k', '?k']) same(`${k}: v\n`);
  });

  it('gives up on the layouts it does not read, and those are the ones the yaml library reads differently or not at all', () => {
    const cases = [
      'a: &x 1\nb: *x\n',
      'a: !!str 1\n',
      'a: |\n  text\n',
      'a: >\n  folded\n',
      'a: {b: 1}\n',
      'a: [1, 2]\n',
      'a: plain\n  continued\n',
      '---\na: 1\n',
      'a: 1\n---\nb: 2\n',
      '%YAML 1.1\n---\na: 1\n',
      'a:\r\n  b: 1\r\n',
      'a:\n\tb: 1\n',
      '\ufeffa: 1\n',
      'a: 1\na: 2\n',
      'a:\n  b: 1\n c: 2\n',
      'a: 1\n- b\n',
      '- a\n- b\n',
      '  a: 1\n',
      'a:\n- # empty\n',
      '? complex\n: value\n',
      'a: "multi\n  line"\n',
    ];
    for (const c of cases) {
      assert.equal(fastParseKubeconfig(c), undefined, `should give up on ${JSON.stringify(c)}`);
      same(c);
    }
  });

  it('agrees with the yaml library on thousands of generated kubeconfigs', function () {
    this.timeout(120_000);
    const rand = rng(20261130);
    const chars = 'abcxyzABC0123456789-._/:# "\'\\é@&*!|>%{}[],?=~';
    let weird = 0;
    const str = () => {
      const n = 1 + Math.floor(rand() * 12);
      let s = '';
      for (let i = 0; i < n; i++) s += chars[Math.floor(rand() * chars.length)];
      // most files hold the names kubeconfigs usually hold; some have odd ones here and there
      return rand() < weird ? s : `k${s.replace(/[^a-z0-9-]/g, 'x')}`;
    };
    const value = (): unknown => {
      const r = rand();
      return r < 0.7 ? str() : r < 0.8 ? rand() < 0.5 : r < 0.85 ? null : r < 0.9 ? {} : r < 0.95 ? [] : [str(), str()];
    };
    let accepted = 0;
    for (let n = 0; n < 1500; n++) {
      weird = n % 2 ? 0.1 : 0;
      const entries = (kind: string) =>
        Array.from({ length: Math.floor(rand() * 4) }, () => ({ name: str(), [kind]: { server: value(), [str()]: value(), nested: { [str()]: value() } } }));
      const config = {
        apiVersion: 'v1',
        clusters: entries('cluster'),
        contexts: entries('context'),
        'current-context': str(),
        kind: 'Config',
        users: entries('user'),
      };
      let text = YAML.stringify(config, { version: '1.1', indentSeq: rand() < 0.5, lineWidth: 0, minContentWidth: 0 });
      if (rand() < 0.3)
        text = text
          .split('\n')
          .map((l) => (rand() < 0.1 ? `${l}\n# note ${str()}` : l))
          .join('\n');
      same(text);
      if (fastParseKubeconfig(text)) accepted++;
    }
    assert.ok(accepted > 300, `the fast reader accepted only ${accepted} of 1500 generated files`);
  });

  it('says where each top-level key and each list item is', () => {
    const text = fs.readFileSync(path.join(fixtures, 'kubectl-written.yaml'), 'utf8');
    const { layout } = fastParseKubeconfig(text)!;
    const lines = text.split('\n');
    const cc = layout.keys.get('current-context')!;
    assert.ok(cc.inline);
    assert.match(lines[cc.first]!, /^current-context: dev$/);
    const contexts = layout.lists.get('contexts')!;
    assert.equal(contexts.column, 0);
    assert.deepEqual(
      contexts.items.map((i) => i.name),
      ['dev', 'staging'],
    );
    for (const item of contexts.items) {
      assert.match(lines[item.first]!, /^- context:$/);
      assert.match(lines[item.last]!, /^ {2}name: /);
    }
    assert.equal(layout.lineStarts[cc.first], text.indexOf('current-context:'));
  });
});

describe('kubeconfig fast edit', () => {
  const render = (v: unknown) => YAML.stringify(v, { version: '1.1', indentSeq: false, lineWidth: 0, minContentWidth: 0 });
  const opts = { render, editItem: (t: string, item: Record<string, unknown>) => editKubeconfigText('item', t, item as never).text };
  const base = [
    '# kept: a comment on top',
    'apiVersion: v1',
    'clusters:',
    '- cluster:',
    '    server: https://a.example   # a comment in an item',
    '  name: a',
    '- cluster:',
    '    server: https://b.example',
    '  name: b',
    'contexts:',
    '- context:',
    '    cluster: a',
    '    user: a',
    '  name: a',
    '- context:',
    '    cluster: b',
    '    user: b',
    '  name: b',
    'current-context: a',
    'kind: Config',
    'preferences: {}',
    'users:',
    '- name: a',
    '  user:',
    '    token: t-a',
    '- name: b',
    '  user:',
    '    token: t-b',
    '',
  ].join('\n');
  const edit = (change: (d: Record<string, any>) => void, text = base) => {
    const parsed = fastParseKubeconfig(text)!;
    const target = structuredClone(parsed.data) as Record<string, any>;
    change(target);
    const r = fastEdit(text, parsed, target, opts);
    // (fastEdit itself checks its result with the fast reader; the yaml library is too slow for the big file)
    if (r && text.length < 100_000) assert.deepEqual(library(r.text), target, 'the yaml library reads the target');
    return { r, target };
  };

  it('switches the current context by rewriting that one line', () => {
    const { r } = edit((d) => {
      d['current-context'] = 'b';
    });
    assert.ok(r);
    assert.equal(r.text, base.replace('current-context: a\n', 'current-context: b\n'));
    assert.equal(r.splices.length, 1);
  });

  it('quotes what the renderer quotes, and appends a current-context that was missing', () => {
    const { r } = edit((d) => {
      d['current-context'] = 'yes';
    });
    assert.match(r!.text, /^current-context: "yes"$/m);
    const without = base.replace('current-context: a\n', '');
    const { r: added } = edit((d) => {
      d['current-context'] = 'b';
    }, without);
    assert.equal(added!.text, `${without}current-context: b\n`);
  });

  it('appends new entries after the last item of each list and keeps every other line', () => {
    const { r } = edit((d) => {
      d.clusters.push({ cluster: { server: 'https://c.example' }, name: 'c' });
      d.contexts.push({ context: { cluster: 'c', user: 'c' }, name: 'c' });
      d.users.push({ name: 'c', user: { token: 't-c' } });
      d['current-context'] = 'c';
    });
    assert.ok(r);
    const removed = base.split('\n').filter((l) => !r.text.split('\n').includes(l));
    assert.deepEqual(removed, ['current-context: a'], 'no line of the file was lost or changed but current-context');
    assert.ok(r.text.includes('- cluster:\n    server: https://c.example\n  name: c\ncontexts:'));
  });

  it('removes an entry, and changes one in place keeping its comment', () => {
    const { r } = edit((d) => {
      d.users = d.users.filter((u: { name: string }) => u.name !== 'b');
    });
    assert.ok(r && !r.text.includes('t-b') && r.text.includes('t-a'));
    const { r: changed } = edit((d) => {
      d.clusters[0].cluster.server = 'https://a2.example';
    });
    assert.ok(changed);
    assert.match(changed.text, /server: https:\/\/a2\.example {3}# a comment in an item/);
    assert.ok(changed.text.startsWith('# kept: a comment on top\n'));
  });

  it('gives up on what it does not do: a key removed, entries reordered, a new list, a flow-style file', () => {
    assert.equal(
      edit((d) => {
        delete d.preferences;
      }).r,
      undefined,
    );
    assert.equal(
      edit((d) => {
        d.contexts.reverse();
      }).r,
      undefined,
    );
    assert.equal(
      edit((d) => {
        d.extensions = [{ name: 'x', extension: {} }];
      }).r,
      undefined,
    );
    assert.equal(fastParseKubeconfig(fs.readFileSync(path.join(fixtures, 'commented.yaml'), 'utf8')), undefined);
  });

  it('edits a file of 10,000 contexts', function () {
    this.timeout(60_000);
    const n = 10_000;
    const items = (f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join('');
    const big =
      `apiVersion: v1\nclusters:\n${items((i) => `- cluster:\n    certificate-authority-data: ${Buffer.from(`ca-${i}`.repeat(40)).toString('base64')}\n    server: https://10.0.${i >> 8}.${i & 255}:6443\n  name: c${i}\n`)}` +
      `contexts:\n${items((i) => `- context:\n    cluster: c${i}\n    user: u${i}\n  name: x${i}\n`)}current-context: x0\nkind: Config\npreferences: {}\n` +
      `users:\n${items((i) => `- name: u${i}\n  user:\n    token: t${i}\n`)}`;
    const { r } = edit((d) => {
      d['current-context'] = 'x4242';
      d.contexts.push({ context: { cluster: 'c1', user: 'u1' }, name: 'new' });
    }, big);
    assert.ok(r);
    assert.equal(r.splices.length, 2);
    // in a big file each new piece is read back on its own: a renderer that breaks the YAML makes the edit give up
    const parsed = fastParseKubeconfig(big)!;
    const broken = { ...opts, render: (v: unknown) => render(v).replace(/x4242/, '[x4242') };
    assert.equal(fastEdit(big, parsed, { ...parsed.data, 'current-context': 'x4242' }, broken), undefined);
    assert.equal(r.text.length, big.length + 3 + '- context:\n    cluster: c1\n    user: u1\n  name: new\n'.length);
  });
});
