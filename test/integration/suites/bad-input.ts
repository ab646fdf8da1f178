// Bad input through the commands: each gives one clear error message, the command returns undefined, and nothing is
// written (the user's kubeconfig stays byte-for-byte the same, nothing is created in the cluster).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { addVCluster } from '../../harness/worlds/worlds';
import { OTHER_CONTEXT, contextStatus, fx, refOf } from '../support/fixture';
import { captureMessages, setSetting, waitFor } from '../support/workbench';

/** Runs a command that must fail: returns the one error message it showed; checks that nothing was written. */
export async function failing(command: string, arg: unknown): Promise<string> {
  const before = fs.readFileSync(fx.kubeconfig);
  const status = contextStatus();
  const capture = captureMessages();
  try {
    const result = await vscode.commands.executeCommand(command, arg);
    assert.equal(result, undefined, `${command} returned ${JSON.stringify(result)}`);
    // The wrapper shows the message without awaiting it.
    await waitFor(`${command} to show an error`, async () => capture.errors().length > 0, 10_000, 50);
    assert.equal(capture.errors().length, 1, `one message, got ${JSON.stringify(capture.errors())}`);
  } finally {
    capture.dispose();
  }
  assert.ok(fs.readFileSync(fx.kubeconfig).equals(before), `${command} changed the kubeconfig`);
  assert.deepEqual(contextStatus(), status);
  return capture.errors()[0]!;
}

export function badInputSuite(): void {
  describe('bad input through the commands', function () {
    this.timeout(60_000);

    after(async () => {
      await setSetting('cliPath', undefined);
    });

    it('an invalid vcluster name or namespace: a clear message, nothing created', async () => {
      const m1 = await failing('vcluster.create', { context: 'host', name: 'Not_A_Name', namespace: 'bad-input', connect: false });
      assert.match(m1, /vcluster name "Not_A_Name" is not a valid DNS-1123 label/);
      const m2 = await failing('vcluster.create', { context: 'host', name: 'okname', namespace: '-bad-', connect: false });
      assert.match(m2, /namespace "-bad-" is not a valid DNS-1123 label/);
      assert.equal(await fx.host.rest.getOrUndefined('/api/v1/namespaces/bad-input'), undefined);
    });

    it('a context that is not in the kubeconfig, and a bad scope', async () => {
      assert.match(await failing('vcluster.switchContext', { context: 'no-such-context' }), /"no-such-context" is not in the kubeconfig/);
      assert.match(await failing('vcluster.connect', { ...refOf(fx.world.find('alpha')), scope: 'everywhere' }), /"scope" must be "global" or "workspace"/);
    });

    it('connect to a vcluster whose vc-NAME secret is missing: says which secret, writes nothing', async () => {
      // Ready for an hour: Connect waits for the secret only in the first minute after the pod turned ready.
      const vc = fx.world.find('nosecret');
      const podPath = `/api/v1/namespaces/${vc.namespace}/pods/${vc.name}-0`;
      const pod = await fx.host.rest.get(podPath);
      const anHourAgo = new Date(Date.now() - 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
      const conditions = (pod.status.conditions as { type: string }[]).map((c) => ({ ...c, lastTransitionTime: anHourAgo }));
      await fx.host.rest.patch(`${podPath}/status`, { status: { conditions } });
      const message = await failing('vcluster.connect', refOf(vc));
      assert.match(message, /"vc-nosecret" of vcluster no-secret\/nosecret does not exist/);
    });

    it('a missing vcluster CLI (vcluster.cliPath pointing nowhere)', async () => {
      await setSetting('cliPath', path.join(fx.dir, 'nowhere', 'vcluster'));
      const message = await failing('vcluster.create', { context: 'host', name: 'no-cli', namespace: 'no-cli', connect: false });
      assert.match(message, /vcluster CLI was not found/);
      assert.equal(await fx.host.rest.getOrUndefined('/api/v1/namespaces/no-cli'), undefined);
    });

    it('a vcluster CLI that exits non-zero: its error line and exit code', async () => {
      const script = path.join(fx.dir, 'failing-vcluster');
      fs.writeFileSync(script, '#!/bin/sh\necho "creating $2 ..."\necho "fatal: the chart could not be installed" >&2\nexit 3\n', { mode: 0o755 });
      await setSetting('cliPath', script);
      const message = await failing('vcluster.create', { context: 'host', name: 'cli-fails', namespace: 'cli-fails', connect: false });
      assert.match(message, /vcluster create failed \(exit code 3\): fatal: the chart could not be installed/);
      assert.equal(await fx.host.rest.getOrUndefined('/api/v1/namespaces/cli-fails'), undefined);
    });

    it('after vcluster.cliPath changed, the tree still follows changes of a context it opens next', async function () {
      this.timeout(90_000);
      await setSetting('cliPath', undefined);
      // Open a context the extension has not listed before (a rebuild of the services after a settings change once left
      // the tree subscribed to the old model only: changes of contexts opened afterwards never reached the view).
      const staging = await fx.tree.context(OTHER_CONTEXT);
      assert.equal(
        (await fx.tree.children(staging)).some((n) => n.type === 'namespace' && n.name === 'after-settings'),
        false,
      );
      let stagingEvents = 0;
      const sub = fx.api.testing.tree.onDidChangeTreeData((node) => {
        if (node === undefined || node.id === staging.id) stagingEvents++;
      });
      try {
        await addVCluster(fx.world, { name: 'settled', namespace: 'after-settings', access: 'none' });
        await waitFor(`the tree to announce a change of context ${OTHER_CONTEXT}`, async () => stagingEvents > 0, 30_000);
        await fx.tree.until('the new vcluster in the tree', async () =>
          (await fx.tree.children(staging)).some((n) => n.type === 'namespace' && n.name === 'after-settings'),
        );
      } finally {
        sub.dispose();
      }
    });
  });
}
