// A vcluster's own context around Pause and Delete (src/vcluster/ownContext.ts), on real temp kubeconfig files with the
// real writer and kubeconfig state: leaving the vcluster when the current context is inside it (also from a context
// nested in it), refusing when the context above is missing (nothing written), and removing the own context after a
// delete without leaving current-context dangling.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { KubeconfigWriter } from '../../src/kube/kubeconfig/writer';
import { UserFacingError } from '../../src/shared/errors';
import type { VClusterRef } from '../../src/shared/model';
import { KubeconfigState } from '../../src/vcluster/kubeconfigState';
import { contextAbove, leaveIfInside, removeOwnContext, requireContextAbove } from '../../src/vcluster/ownContext';

const ref: VClusterRef = { context: 'host', namespace: 'team-a', name: 'alpha' };
const nested: VClusterRef = { context: 'host', namespace: 'inner', name: 'beta', parents: [{ namespace: 'team-a', name: 'alpha' }] };
const OWN = 'vcluster_alpha_team-a_host';
const NESTED = 'vcluster_beta_inner_vcluster_alpha_team-a_host';

function config(contexts: string[], current: string): string {
  return YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: contexts.map((n) => ({ name: n, cluster: { server: `https://${n.replace(/_/g, '-')}.example` } })),
    users: contexts.map((n) => ({ name: n, user: { token: 't' } })),
    contexts: contexts.map((n) => ({ name: n, context: { cluster: n, user: n } })),
    'current-context': current,
  });
}

describe("a vcluster's own context (ownContext)", () => {
  let dir: string;
  let file: string;
  let state: KubeconfigState;
  const kube = () => ({ kubeconfig: () => state.loaded(), reloadKubeconfig: () => state.reload() });
  const writer = () => new KubeconfigWriter({ files: [file] });
  const read = () =>
    YAML.parse(fs.readFileSync(file, 'utf8')) as {
      'current-context': string;
      contexts: { name: string }[];
      clusters: { name: string }[];
      users: { name: string }[];
    };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-own-context-'));
    file = path.join(dir, 'config');
    state = new KubeconfigState(
      () => [file],
      () => false,
    );
  });
  afterEach(() => {
    state.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the context above a vcluster is its host context, above a nested one the context of its parent', () => {
    assert.equal(contextAbove(ref), 'host');
    assert.equal(contextAbove(nested), OWN);
  });

  it('leaves the vcluster when the current context is its own or one nested in it, and stays otherwise', async () => {
    fs.writeFileSync(file, config(['host', OWN, NESTED], NESTED), { mode: 0o600 });
    assert.deepEqual(await leaveIfInside(kube(), writer, ref), { from: NESTED, to: 'host' });
    assert.equal(read()['current-context'], 'host');
    assert.equal(state.snapshot()?.currentContext, 'host', 'the state was read again after the switch');
    assert.equal(await leaveIfInside(kube(), writer, ref), undefined);
    assert.equal(read()['current-context'], 'host');
  });

  it('refuses to leave when the context above is missing, and writes nothing', async () => {
    fs.writeFileSync(file, config([NESTED], NESTED), { mode: 0o600 });
    const before = fs.readFileSync(file, 'utf8');
    await assert.rejects(
      leaveIfInside(kube(), writer, nested),
      (err: unknown) => err instanceof UserFacingError && /context above it \("vcluster_alpha_team-a_host"\) is not in the kubeconfig/.test(err.message),
    );
    assert.equal(fs.readFileSync(file, 'utf8'), before);
  });

  it('a nested vcluster cannot be deleted without the context of its parent', () => {
    assert.throws(() => requireContextAbove([{ name: 'host' }], nested), /connect to alpha first/);
    requireContextAbove([{ name: 'host' }, { name: OWN }], nested);
    requireContextAbove([], ref);
  });

  it('removes the own context with its cluster and user after a delete, switching away when it was current', async () => {
    fs.writeFileSync(file, config(['host', OWN], OWN), { mode: 0o600 });
    assert.equal(await removeOwnContext(kube(), writer, ref), OWN);
    const after = read();
    assert.deepEqual(
      after.contexts.map((c) => c.name),
      ['host'],
    );
    assert.deepEqual(
      after.clusters.map((c) => c.name),
      ['host'],
    );
    assert.deepEqual(
      after.users.map((c) => c.name),
      ['host'],
    );
    assert.equal(after['current-context'], 'host');
    assert.ok(!state.snapshot()?.contexts.some((c) => c.name === OWN), 'the state was read again after the removal');
    // a second call finds nothing to remove and writes nothing
    const before = fs.readFileSync(file, 'utf8');
    assert.equal(await removeOwnContext(kube(), writer, ref), OWN);
    assert.equal(fs.readFileSync(file, 'utf8'), before);
  });
});
