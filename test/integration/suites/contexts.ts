// vcluster.switchContext: the global scope edits the user's kubeconfig; the workspace scope leaves it untouched and
// points new terminals at the extension's own kubeconfig.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { OTHER_CONTEXT, contextStatus, fx, readKubeconfig, refOf } from '../support/fixture';
import { kubectlWithEnv } from '../support/programs';
import { item, kubeconfigInNewTerminal } from '../support/workbench';

async function currentInTree(): Promise<string[]> {
  return (await fx.tree.contexts()).filter((n) => item(n).contextValue === 'contextCurrent').map((n) => n.context);
}

export function contextsSuite(): void {
  describe('vcluster.switchContext', function () {
    this.timeout(60_000);

    it("switches the global context: the kubeconfig file, the status bar and the tree's current marking", async () => {
      const result = await vscode.commands.executeCommand('vcluster.switchContext', { context: OTHER_CONTEXT });
      assert.equal(result, OTHER_CONTEXT);
      assert.equal(readKubeconfig()['current-context'], OTHER_CONTEXT);
      assert.deepEqual(contextStatus(), { context: OTHER_CONTEXT, isVCluster: false, workspaceScoped: false });
      assert.deepEqual(await currentInTree(), [OTHER_CONTEXT]);

      assert.equal(await vscode.commands.executeCommand('vcluster.switchContext', { context: 'host' }), 'host');
      assert.equal(readKubeconfig()['current-context'], 'host');
      assert.equal(fx.api.testing.statusBar.state.context, 'host');
      assert.deepEqual(await currentInTree(), ['host']);
    });

    it("workspace scope (connect): the user's kubeconfig stays byte-for-byte the same; new terminals get KUBECONFIG and reach the vcluster", async function () {
      this.timeout(90_000);
      const alpha = fx.world.find('alpha');
      const want = `vcluster_alpha_${alpha.namespace}_host`;
      const before = fs.readFileSync(fx.kubeconfig);
      const own = fx.api.testing.workspaceKubeconfig;
      try {
        const result = await vscode.commands.executeCommand('vcluster.connect', { ...refOf(alpha), scope: 'workspace' });
        assert.equal(result, want);
        assert.ok(fs.readFileSync(fx.kubeconfig).equals(before), "the user's kubeconfig changed");
        const ws = readKubeconfig(own);
        assert.equal(ws['current-context'], want, "the extension's kubeconfig holds the context");
        assert.ok(ws.contexts?.some((c) => c.name === want));
        assert.deepEqual(contextStatus(), { context: want, isVCluster: true, workspaceScoped: true });
        // A new terminal sees the extension's kubeconfig first, then the user's (so every context stays usable)...
        const kubeconfigVar = await kubeconfigInNewTerminal(fx.dir);
        assert.equal(kubeconfigVar, [own, fx.kubeconfig].join(path.delimiter));
        // ...and kubectl there talks to the virtual cluster ("nested" exists only inside alpha).
        const r = await kubectlWithEnv(kubeconfigVar, ['get', 'namespaces', '-o', 'name']);
        assert.ok(r.stdout.split('\n').includes('namespace/nested'), r.stdout);
      } finally {
        await vscode.commands.executeCommand('vcluster.clearWorkspaceContext');
      }
      assert.ok(fs.readFileSync(fx.kubeconfig).equals(before), "clearing the scope changed the user's kubeconfig");
      assert.deepEqual(contextStatus(), { context: 'host', isVCluster: false, workspaceScoped: false });
      assert.deepEqual(await currentInTree(), ['host']);
      const after = await kubeconfigInNewTerminal(fx.dir);
      assert.ok(!after.split(path.delimiter).includes(own), `new terminals still use the workspace kubeconfig: ${after}`);
    });

    it('workspace scope (disconnect): disconnecting a workspace-scoped connection goes back to the parent, still only for the workspace', async function () {
      this.timeout(90_000);
      const alpha = fx.world.find('alpha');
      const before = fs.readFileSync(fx.kubeconfig);
      const own = fx.api.testing.workspaceKubeconfig;
      try {
        assert.equal(
          await vscode.commands.executeCommand('vcluster.connect', { ...refOf(alpha), scope: 'workspace' }),
          `vcluster_alpha_${alpha.namespace}_host`,
        );
        const result = await vscode.commands.executeCommand('vcluster.disconnect');
        assert.equal(result, 'host', 'the disconnect failed (see the extension log above)');
        assert.ok(fs.readFileSync(fx.kubeconfig).equals(before), "the user's kubeconfig changed");
        assert.equal(readKubeconfig(own)['current-context'], 'host');
        assert.deepEqual(contextStatus(), { context: 'host', isVCluster: false, workspaceScoped: true });
      } finally {
        await vscode.commands.executeCommand('vcluster.clearWorkspaceContext');
      }
      assert.ok(fs.readFileSync(fx.kubeconfig).equals(before), "clearing the scope changed the user's kubeconfig");
    });

    it("workspace scope (switch): switching to a context of the user's kubeconfig leaves that file byte-for-byte the same", async function () {
      this.timeout(90_000);
      const before = fs.readFileSync(fx.kubeconfig);
      const own = fx.api.testing.workspaceKubeconfig;
      try {
        const result = await vscode.commands.executeCommand('vcluster.switchContext', { context: OTHER_CONTEXT, scope: 'workspace' });
        assert.equal(result, OTHER_CONTEXT, 'the switch failed (see the extension log above)');
        assert.ok(fs.readFileSync(fx.kubeconfig).equals(before), "the user's kubeconfig changed");
        assert.equal(readKubeconfig(own)['current-context'], OTHER_CONTEXT, "the extension's kubeconfig holds the switch");
        assert.deepEqual(contextStatus(), { context: OTHER_CONTEXT, isVCluster: false, workspaceScoped: true });
        assert.deepEqual(await currentInTree(), [OTHER_CONTEXT]);
        assert.equal(await kubeconfigInNewTerminal(fx.dir), [own, fx.kubeconfig].join(path.delimiter));
      } finally {
        await vscode.commands.executeCommand('vcluster.clearWorkspaceContext');
      }
      assert.ok(fs.readFileSync(fx.kubeconfig).equals(before), "clearing the scope changed the user's kubeconfig");
      assert.equal(fx.api.testing.statusBar.state.context, 'host');
    });
  });
}
