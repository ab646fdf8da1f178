// vcluster.pause / vcluster.resume through the commands on a vcluster of the fixture host (no node runs its pod, so
// it comes back Pending); the real vcluster CLI and the tree (through its watches) agree afterwards. The same on a
// vcluster that really runs is in test/integration/real-node-vclusters.test.ts.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { KObject } from '../../harness/cluster/rest';
import { fx, refOf } from '../support/fixture';
import { vclusterList } from '../support/programs';
import { description, item, waitFor } from '../support/workbench';

export function lifecycleSuite(): void {
  describe('vcluster.pause / vcluster.resume', function () {
    this.timeout(120_000);
    const sts = () => fx.host.rest.get(`/apis/apps/v1/namespaces/life/statefulsets/naptime`);
    const cliStatus = async () => (await vclusterList(fx.home, fx.host.kubeconfigPath)).find((e) => e.Name === 'naptime' && e.Namespace === 'life')?.Status;
    const treeShows = (status: string, contextValue: string) =>
      fx.tree.until(
        `the tree to show naptime ${status}`,
        async () => {
          const n = await fx.tree.vcluster('host', 'life', 'naptime');
          return n && description(n).includes(status) && item(n).contextValue === contextValue;
        },
        60_000,
      );

    it('pause scales the control plane down as the CLI does; `vcluster list` says Paused; the tree follows', async () => {
      assert.equal(await cliStatus(), 'Running');
      await vscode.commands.executeCommand('vcluster.pause', refOf(fx.world.find('naptime')));
      const s = await sts();
      assert.equal(s.spec.replicas, 0);
      assert.equal(s.metadata.annotations['loft.sh/paused'], 'true');
      assert.equal(s.metadata.annotations['loft.sh/paused-replicas'], '1');
      assert.ok(!Number.isNaN(Date.parse(s.metadata.annotations['loft.sh/paused-date'])));
      await waitFor(
        'the statefulset controller to remove the pod',
        async () => (await fx.host.rest.getOrUndefined('/api/v1/namespaces/life/pods/naptime-0')) === undefined,
        60_000,
      );
      assert.equal(await cliStatus(), 'Paused');
      await treeShows('Paused', 'vcluster.paused');
    });

    it('resume brings it back: annotations gone, the pod recreated, `vcluster list` says Pending (no node here); the tree follows', async () => {
      await vscode.commands.executeCommand('vcluster.resume', refOf(fx.world.find('naptime')));
      const s = await sts();
      assert.equal(s.spec.replicas, 1);
      for (const a of ['loft.sh/paused', 'loft.sh/paused-replicas', 'loft.sh/paused-date']) assert.equal(s.metadata.annotations?.[a], undefined, a);
      await waitFor<KObject>(
        'the statefulset controller to recreate the pod',
        () => fx.host.rest.getOrUndefined('/api/v1/namespaces/life/pods/naptime-0'),
        60_000,
      );
      assert.equal(await cliStatus(), 'Pending');
      await treeShows('Pending', 'vcluster.pending');
    });
  });
}
