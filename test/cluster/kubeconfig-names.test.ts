// Names our writer writes must come back unchanged in real kubectl (v1.34.4, `kubectl config view -o json`), whatever
// they look like: kubectl decodes kubeconfigs with go-yaml v2, which reads plain 0x1F, 0o17, 1e3, yes, off, ~, null,
// 017, 1_000, .5 ... as numbers, bools or null, and then refuses the whole file. A property-based generator
// (fast-check) produces names from the risky shapes and arbitrary Unicode; each run writes a batch of contexts (with
// clusters, users and namespaces of the same names) through KubeconfigWriter, then asks kubectl.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { toolPath } from '../../scripts/lib/toolchain.mjs';
import { KubeconfigWriter } from '../../src/kube/kubeconfig/writer';
import { runProgram } from '../harness/cluster/processes';

/** Shapes go-yaml v2 resolves to non-strings, and near misses. */
const RISKY_NAMES = [
  'yes',
  'Yes',
  'YES',
  'no',
  'NO',
  'on',
  'On',
  'off',
  'OFF',
  'y',
  'Y',
  'n',
  'N',
  'true',
  'False',
  '~',
  'null',
  'Null',
  'NULL',
  '.inf',
  '-.Inf',
  '+.INF',
  '.nan',
  '<<',
  '0',
  '-0',
  '+1',
  '017',
  '08',
  '0x1F',
  '0X1f',
  '0o17',
  '0O17',
  '0b101',
  '-0b11',
  '0b+1',
  '0b-1',
  '0b_+1',
  '0o-7',
  '1e3',
  '1E-3',
  '.5',
  '1.',
  '1_000',
  '0x_ff',
  '2001-12-14',
  '2001-12-14T21:59:43.10Z',
  '2001-12-14 21:59:43.10',
  '1:20',
  '18446744073709551615',
  '18446744073709551616',
  '9223372036854775808',
  '-9223372036854775809',
  '0xFFFFFFFFFFFFFFFFF',
  '=',
  '-',
  '+',
  '.',
  '..',
  '0x',
  'e3',
  '_1',
  'x1',
];
const risky = fc.oneof(
  fc.constantFrom(...RISKY_NAMES),
  fc.stringMatching(/^[-+]?[0-9][0-9_]{0,6}(\.[0-9_]{0,3})?([eE][-+]?[0-9]{1,2})?$/),
  fc.stringMatching(/^[-+]?0[xXoObB][-+]?[0-9a-fA-F_]{1,6}$/),
  fc.stringMatching(/^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]{1,3})?(Z|[-+][0-9]{2}:[0-9]{2})?)?$/),
  fc.stringMatching(/^[.~yYnNoOtTfF][a-zA-Z.]{0,4}$/),
  // What go-yaml (YAML 1.1) refuses raw or reads as a line break: DEL, C1 controls, NEL, LS, PS, U+FFFE/U+FFFF.
  fc
    .tuple(
      fc.constantFrom('', ' ', 'a', '-'),
      fc.constantFrom('\u0085', '\u2028', '\u2029', '\u007f', '\u0080', '\u009f', '\ufffe', '\uffff'),
      fc.constantFrom('', ' ', 'b'),
    )
    .map(([a, b, c]) => `${a}${b}${c}`),
);
const anyText = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 });
const name = fc
  .oneof(
    risky,
    anyText,
    fc.tuple(risky, anyText).map(([a, b]) => `${a}${b}`),
  )
  // What the writer refuses on purpose (not a name kubectl could write either): empty, line breaks, NUL.
  .filter((s) => s !== '' && !/[\r\n\0]/.test(s));

interface KubectlView {
  contexts?: { name: string; context: { cluster: string; user: string; namespace?: string } }[];
  clusters?: { name: string }[];
  users?: { name: string }[];
  'current-context'?: string;
}

describe('names the writer writes read back identically in real kubectl', function () {
  this.timeout(300_000);
  let kubectl: string;
  let dir: string;
  before(() => {
    kubectl = toolPath('kubectl');
    assert.ok(fs.existsSync(kubectl), `kubectl is missing at ${kubectl}; run npm run setup`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-names-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const view = async (file: string): Promise<KubectlView> => {
    const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: file };
    const r = await runProgram(kubectl, ['config', 'view', '-o', 'json'], { env, allowFailure: true, timeoutMs: 30_000 });
    assert.equal(r.code, 0, `kubectl refused the file: ${r.stderr}\n${fs.readFileSync(file, 'utf8')}`);
    return JSON.parse(r.stdout) as KubectlView;
  };

  let run = 0;
  /** Writes a context (and cluster, user, namespace) of every name, into a kubectl-written file or a new one. */
  const writeAndView = async (names: readonly string[], edit: boolean): Promise<void> => {
    const file = path.join(dir, `config-${run++}`);
    if (edit) {
      fs.writeFileSync(
        file,
        'apiVersion: v1\nclusters:\n- cluster:\n    server: https://seed.example\n  name: seed\ncontexts:\n- context:\n    cluster: seed\n    user: seed\n  name: seed\ncurrent-context: seed\nkind: Config\npreferences: {}\nusers:\n- name: seed\n  user:\n    token: seed\n',
        { mode: 0o600 },
      );
    }
    const w = new KubeconfigWriter({ files: [file], lockLingerMs: 0 });
    for (const n of names) {
      await w.upsertContext({
        name: n,
        cluster: { name: n, cluster: { server: 'https://x.example' } },
        user: { name: n, user: { token: 't' } },
        namespace: n,
      });
    }
    await w.useContext(names[names.length - 1]!);
    const v = await view(file);
    const ctx = new Map((v.contexts ?? []).map((c) => [c.name, c.context]));
    for (const n of names) {
      assert.deepEqual(ctx.get(n), { cluster: n, user: n, namespace: n }, `context ${JSON.stringify(n)}`);
    }
    const clusters = new Set((v.clusters ?? []).map((c) => c.name));
    const users = new Set((v.users ?? []).map((u) => u.name));
    for (const n of names) {
      assert.ok(clusters.has(n), `cluster ${JSON.stringify(n)}`);
      assert.ok(users.has(n), `user ${JSON.stringify(n)}`);
    }
    assert.equal(v['current-context'], names[names.length - 1]);
    fs.rmSync(file);
  };

  it('every fixed risky shape, all in one file, new and edited', async () => {
    await writeAndView(RISKY_NAMES, false);
    await writeAndView(RISKY_NAMES, true);
  });

  it('contexts, clusters, users, namespaces and current-context (property-based, new files and edits)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(name, { minLength: 1, maxLength: 12 }), async (names) => {
        // Half of the runs edit an existing kubectl-written file (the minimal-splice path), half start a new one.
        await writeAndView(names, run % 2 === 1);
      }),
      { numRuns: 40 },
    );
  });
});
