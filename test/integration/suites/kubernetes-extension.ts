// vcluster.revealInKubernetes, with and without the Kubernetes extension, against the real virtual API server of the
// world's vcluster "lb". The Kubernetes extension (ms-kubernetes-tools.vscode-kubernetes-tools) cannot be installed
// offline, so test/support/kubernetes-extension-stand-in is installed in its place while the test runs: it stands in
// for that extension's PUBLIC API only (the APIBroker of vscode-kubernetes-tools-api 1.3.0 and its Clusters view id),
// never for any part of a cluster; it records the calls it gets. It is installed and uninstalled for real
// (workbench.extensions.installExtension / uninstallExtension), so the context key follows vscode.extensions.onDidChange.
// Once activated it stays loaded until the extension host restarts (VS Code's rule for running extensions), so the
// uninstall is tested before the reveal tests activate it; after() uninstalls it for the next start.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { contextStatus, fx, readKubeconfig, refOf } from '../support/fixture';
import { kubectl } from '../support/programs';
import { packVsix } from '../support/vsix';
import { EXTENSION_ID, captureMessages, waitFor } from '../support/workbench';

const K8S_ID = 'ms-kubernetes-tools.vscode-kubernetes-tools';

interface StandIn {
  calls: string[];
  setKubeconfigPath(p: string): void;
}

const installed = () => fx.api.testing.contextKeys().kubernetesExtension;

function standInVsix(): string {
  const repo = vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath;
  return packVsix(path.join(repo, 'test', 'support', 'kubernetes-extension-stand-in'), fx.dir);
}

export function kubernetesExtensionSuite(): void {
  describe('vcluster.revealInKubernetes (the Kubernetes extension as an optional companion)', function () {
    this.timeout(120_000);
    const lbContext = () => `vcluster_lb_${fx.world.find('lb').namespace}_host`;

    after(async function () {
      this.timeout(60_000);
      if (vscode.extensions.getExtension(K8S_ID))
        await vscode.commands.executeCommand('workbench.extensions.uninstallExtension', K8S_ID).then(undefined, () => undefined);
      await vscode.commands.executeCommand('vcluster.switchContext', { context: 'host', scope: 'global' });
    });

    it("without the extension: the menu's context key is off, and the command says what to install and changes nothing", async () => {
      assert.equal(vscode.extensions.getExtension(K8S_ID), undefined);
      assert.equal(installed(), false);
      const before = fs.readFileSync(fx.kubeconfig);
      const seen = captureMessages();
      try {
        const result = await vscode.commands.executeCommand('vcluster.revealInKubernetes', refOf(fx.world.find('lb')));
        assert.equal(result, undefined);
        assert.equal(seen.errors().length, 1, JSON.stringify(seen.messages));
        assert.match(seen.errors()[0]!, /needs the Kubernetes extension: install "Kubernetes" \(ms-kubernetes-tools\.vscode-kubernetes-tools\)/);
      } finally {
        seen.dispose();
      }
      assert.ok(fs.readFileSync(fx.kubeconfig).equals(before), 'the kubeconfig is unchanged');
    });

    it('the context key follows installing and uninstalling the extension (vscode.extensions.onDidChange)', async () => {
      // Not activated in between: VS Code removes a running extension only when its extension host restarts.
      await vscode.commands.executeCommand('workbench.extensions.installExtension', vscode.Uri.file(standInVsix()));
      await waitFor('the extension to see the Kubernetes extension installed', async () => installed() === true, 60_000);
      await vscode.commands.executeCommand('workbench.extensions.uninstallExtension', K8S_ID);
      await waitFor('the extension to see the Kubernetes extension removed', async () => installed() === false, 60_000);
      assert.equal(vscode.extensions.getExtension(K8S_ID), undefined);
    });

    it('with it: connects first when there is no context, makes the context current, refreshes the Clusters view through the API and shows it', async () => {
      await vscode.commands.executeCommand('workbench.extensions.installExtension', vscode.Uri.file(standInVsix()));
      await waitFor('the extension to see the Kubernetes extension installed', async () => installed() === true, 60_000);
      const standIn = await vscode.extensions.getExtension<StandIn>(K8S_ID)!.activate();
      standIn.setKubeconfigPath(fx.kubeconfig);
      // No context for lb yet (the connect suite left one: remove it with kubectl, as a user could have).
      if (readKubeconfig().contexts?.some((c) => c.name === lbContext())) await kubectl(fx.kubeconfig, ['config', 'delete-context', lbContext()]);
      await fx.api.testing.services().then((s) => s.model.reloadKubeconfig());
      const seen = captureMessages();
      try {
        const result = await vscode.commands.executeCommand('vcluster.revealInKubernetes', refOf(fx.world.find('lb')));
        assert.deepEqual(result, { context: lbContext(), connected: true, refreshed: true });
        assert.deepEqual(seen.errors(), []);
        assert.ok(!seen.messages.some((m) => m.level === 'warning'), JSON.stringify(seen.messages));
      } finally {
        seen.dispose();
      }
      assert.equal(readKubeconfig()['current-context'], lbContext());
      assert.equal(contextStatus().context, lbContext());
      // kubectl reaches the virtual cluster through the context the command wrote.
      const ns = await kubectl(fx.kubeconfig, ['--context', lbContext(), 'get', 'namespace', 'storefront', '-o', 'name']);
      assert.equal(ns.stdout.trim(), 'namespace/storefront');
      assert.ok(standIn.calls.includes('get clusterexplorer v1') && standIn.calls.includes('clusterexplorer.refresh'), standIn.calls.join(', '));
      assert.ok(standIn.calls.includes('configuration.getKubeconfigPath'), standIn.calls.join(', '));
      await waitFor(
        'the Clusters view to be shown',
        async () => standIn.calls.includes('view: visible') || standIn.calls.includes('view: getChildren'),
        20_000,
      );
    });

    it('warns when the Kubernetes extension reads another kubeconfig than the one written', async () => {
      const standIn = vscode.extensions.getExtension<StandIn>(K8S_ID)!.exports;
      const other = path.join(fx.dir, 'other-kubeconfig');
      standIn.setKubeconfigPath(other);
      const seen = captureMessages();
      try {
        const result = (await vscode.commands.executeCommand('vcluster.revealInKubernetes', refOf(fx.world.find('lb')))) as {
          connected: boolean;
          otherKubeconfig?: string;
        };
        assert.equal(result.connected, false, 'the context exists now: no second connect');
        assert.equal(result.otherKubeconfig, other);
        assert.ok(
          seen.messages.some((m) => m.level === 'warning' && m.text.includes(other) && m.text.includes('vs-kubernetes.kubeconfig')),
          JSON.stringify(seen.messages),
        );
      } finally {
        seen.dispose();
      }
    });
  });
}
