// Which plain scalars kubectl's YAML decoder (go-yaml v2, resolve.go) reads as something other than a string: the
// writer quotes exactly these (and kubectl reading the writer's output is checked in test/cluster/kubeconfig-names).
import assert from 'node:assert/strict';
import YAML from 'yaml';
import { goYamlReadsAsNonString } from '../../src/kube/kubeconfig/goYaml';
import { renderYaml } from '../../src/kube/kubeconfig/yamlEdit';

describe("go-yaml v2's reading of plain scalars", () => {
  it('bools, nulls, numbers in every Go base, floats and timestamps are not strings', () => {
    for (const s of [
      'yes',
      'Yes',
      'NO',
      'on',
      'Off',
      'y',
      'N',
      'true',
      'FALSE',
      '~',
      'null',
      'Null',
      '',
      '.inf',
      '-.Inf',
      '.NaN',
      '<<',
      '0',
      '017',
      '08',
      '0x1F',
      '0X1f',
      '0o17',
      '0b101',
      '-0b11',
      // a sign after go-yaml's `0b` (ParseInt of the rest in base 2), underscores anywhere; and go-yaml v3's `0o`
      '0b+1',
      '0b-1',
      '0b+1_0',
      '0b_-1',
      '0_b+1',
      '0b-1' + '0'.repeat(63),
      '0o+7',
      '0o-17',
      '+1',
      '-42',
      '1_000',
      '0x_ff',
      '1e3',
      '1E-3',
      '1.',
      '.5',
      '-.5',
      '18446744073709551615',
      '-9223372036854775809',
      '99999999999999999999999',
      '2001-12-14',
      '2001-12-14T21:59:43.10Z',
    ]) {
      assert.equal(goYamlReadsAsNonString(s), true, JSON.stringify(s));
    }
  });
  it('everything else stays a string', () => {
    for (const s of [
      'dev',
      'yess',
      'nope',
      'Onion',
      'o',
      't',
      'F',
      '-',
      '+',
      '.',
      '..',
      '0x',
      '0o',
      '0b+',
      '0b+2',
      '-0b+1',
      '+0b-1',
      '0B+1',
      'e3',
      '_1',
      'x1',
      '1:20',
      '1.2.3',
      '1e',
      '0xFFFFFFFFFFFFFFFFF',
      '-0xFFFFFFFFFFFFFFFF',
      'kind-kind',
      'vcluster_dev_team-a_kind',
      '.hidden',
      '~user',
    ]) {
      assert.equal(goYamlReadsAsNonString(s), false, JSON.stringify(s));
    }
  });

  it('characters go-yaml refuses or reads as line breaks (DEL, C1 controls, NEL, LS, PS, U+FFFE/F) are written double-quoted and escaped', () => {
    const names = ['\u0085', 'a\u2028b', '\u2029', ' \u0085x', 'plain', 'del\u007f', '\u0080\u009f', 'x\ufffe', '\uffff'];
    const text = renderYaml({ contexts: names.map((name) => ({ name, context: { cluster: name, user: name } })) });
    assert.doesNotMatch(text, /[\u007f-\u009f\u2028\u2029\ufffe\uffff]/, 'no raw character of those is left');
    for (const esc of ['"\\N"', '"a\\Lb"', '"\\P"', '" \\Nx"', '"del\\x7f"', '"\\x80\\x9f"', '"x\\ufffe"', '"\\uffff"'])
      assert.ok(text.includes(esc), `${esc} in\n${text}`);
    const back = YAML.parse(text, { version: '1.1' }) as { contexts: { name: string; context: { cluster: string } }[] };
    assert.deepEqual(
      back.contexts.map((c) => [c.name, c.context.cluster]),
      names.map((n) => [n, n]),
    );
  });
});
