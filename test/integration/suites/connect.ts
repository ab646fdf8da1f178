// vcluster.connect / vcluster.disconnect against real virtual API servers; the real kubectl uses the written context.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import * as vscode from 'vscode';
import { contextStatus, fx, readKubeconfig, refOf } from '../support/fixture';
import { kubectl } from '../support/programs';
import { item, tooltipText } from '../support/workbench';

/** The vcluster CLI's context name (independent of the product's code). */
const cliContextName = (name: string, namespace: string, parent: string) => `vcluster_${name}_${namespace}_${parent}`;

function serverOf(contextName: string): unknown {
  const kc = readKubeconfig();
  const ctx = kc.contexts?.find((c) => c.name === contextName);
  assert.ok(ctx, `no context ${contextName} in the kubeconfig`);
  return kc.clusters?.find((c) => c.name === ctx.context.cluster)?.cluster.server;
}

async function virtualNamespaces(contextName: string): Promise<string[]> {
  const r = await kubectl(fx.kubeconfig, ['--context', contextName, 'get', 'namespaces', '-o', 'name']);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replace(/^namespace\//, ''));
}

export function connectSuite(): void {
  describe('vcluster.connect / vcluster.disconnect', function () {
    this.timeout(90_000);

    it('connects to a vcluster whose vc-NAME secret names its server; kubectl then reaches the virtual API', async () => {
      const alpha = fx.world.find('alpha');
      const want = cliContextName('alpha', alpha.namespace, 'host');
      const result = await vscode.commands.executeCommand('vcluster.connect', refOf(alpha));
      assert.equal(result, want);
      assert.equal(readKubeconfig()['current-context'], want);
      assert.equal(serverOf(want), alpha.virtual!.server);
      // "nested" exists only inside alpha's virtual cluster (vcluster inner lives there), never in the host.
      assert.equal(await fx.host.rest.getOrUndefined('/api/v1/namespaces/nested'), undefined);
      assert.ok((await virtualNamespaces(want)).includes('nested'), 'kubectl did not reach the virtual cluster');
      assert.deepEqual(contextStatus(), { context: want, isVCluster: true, workspaceScoped: false });
      const node = await fx.tree.until('the tree to mark alpha connected and current', async () => {
        const n = await fx.tree.vcluster('host', alpha.namespace, alpha.name);
        return n && item(n).contextValue === 'vcluster.connectedCurrent' ? n : undefined;
      });
      assert.match(String(item(node).description), /connected · current/);
      // The tooltip is Markdown with escaped punctuation; compare its text.
      assert.ok(tooltipText(node).replace(/\\/g, '').includes(`Endpoint | ${alpha.virtual!.server}`), `the tooltip names the endpoint: ${tooltipText(node)}`);
    });

    it('connects through the LoadBalancer ingress IP when the secret has the default server', async () => {
      const lb = fx.world.find('lb');
      assert.ok(lb.loadBalancerIP);
      const want = cliContextName('lb', lb.namespace, 'host');
      const result = await vscode.commands.executeCommand('vcluster.connect', refOf(lb));
      assert.equal(result, want);
      assert.equal(serverOf(want), `https://${lb.loadBalancerIP}`);
      assert.equal(readKubeconfig()['current-context'], want);
      assert.equal(await fx.host.rest.getOrUndefined('/api/v1/namespaces/storefront'), undefined);
      assert.ok((await virtualNamespaces(want)).includes('storefront'), 'kubectl did not reach the virtual cluster through the ingress IP');
      // The first connection stays usable next to the new one.
      assert.ok((await virtualNamespaces(cliContextName('alpha', fx.world.find('alpha').namespace, 'host'))).includes('nested'));
    });

    it('disconnect switches back to the parent context and keeps the vcluster contexts', async () => {
      const lb = fx.world.find('lb');
      const result = await vscode.commands.executeCommand('vcluster.disconnect');
      assert.equal(result, 'host');
      const kc = readKubeconfig();
      assert.equal(kc['current-context'], 'host');
      assert.ok(
        kc.contexts?.some((c) => c.name === cliContextName('lb', lb.namespace, 'host')),
        'the context stays (vcluster.disconnect.removeContext is off)',
      );
      assert.deepEqual(contextStatus(), { context: 'host', isVCluster: false, workspaceScoped: false });
      await fx.tree.until('the tree to mark lb connected but not current', async () => {
        const n = await fx.tree.vcluster('host', lb.namespace, lb.name);
        return n && item(n).contextValue === 'vcluster.connected';
      });
      // Disconnecting a vcluster that is not current changes nothing in the file.
      const before = fs.readFileSync(fx.kubeconfig);
      assert.equal(await vscode.commands.executeCommand('vcluster.disconnect', refOf(fx.world.find('alpha'))), 'host');
      assert.ok(fs.readFileSync(fx.kubeconfig).equals(before));
    });
  });
}
