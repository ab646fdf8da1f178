// Which plain scalars kubectl's YAML decoder (go-yaml v2, resolve.go) reads as something other than a string: the
// writer quotes exactly these (and kubectl reading the writer's output is checked in test/cluster/kubeconfig-names).
import assert from 'node:assert/strict';
import { goYamlReadsAsNonString } from '../../src/kube/kubeconfig/goYaml';

describe("go-yaml v2's reading of plain scalars", () => {
  it('bools, nulls, numbers in every Go base, floats and timestamps are not strings', () => {
    for (const s of ['yes', 'Yes', 'NO', 'on', 'Off', 'y', 'N', 'true', 'FALSE', '~', 'null', 'Null', '', '.inf', '-.Inf', '.NaN', '<<',
      '0', '017', '08', '0x1F', '0X1f', '0o17', '0b101', '-0b11', '+1', '-42', '1_000', '0x_ff', '1e3', '1E-3', '1.', '.5', '-.5',
      '18446744073709551615', '-9223372036854775809', '99999999999999999999999', '2001-12-14', '2001-12-14T21:59:43.10Z']) {
      assert.equal(goYamlReadsAsNonString(s), true, JSON.stringify(s));
    }
  });
  it('everything else stays a string', () => {
    for (const s of ['dev', 'yess', 'nope', 'Onion', 'o', 't', 'F', '-', '+', '.', '..', '0x', '0o', 'e3', '_1', 'x1', '1:20', '1.2.3', '1e', '0xFFFFFFFFFFFFFFFFF',
      '-0xFFFFFFFFFFFFFFFF', 'kind-kind', 'vcluster_dev_team-a_kind', '.hidden', '~user']) {
      assert.equal(goYamlReadsAsNonString(s), false, JSON.stringify(s));
    }
  });
});
