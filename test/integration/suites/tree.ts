// The Clusters tree against the real host: contexts, namespaces, every status, nesting, errors with retry, watches
// and the kubeconfig file watcher.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { addVCluster, type BuiltVCluster, type VClusterState } from '../../harness/worlds/worlds';
import { OTHER_CONTEXT, fx, readKubeconfig } from '../support/fixture';
import { kubectl } from '../support/programs';
import { description, iconId, item, label, setSetting, tooltipText, type MessageNode, type VClusterNode } from '../support/workbench';

/** What the tree must show for each state (contextValues are the menus' `viewItem ==` keys in package.json). */
const EXPECTED: Partial<Record<VClusterState, { contextValue: string; icon: string }>> = {
  Running: { contextValue: 'vcluster.running', icon: 'pass-filled' },
  Paused: { contextValue: 'vcluster.paused', icon: 'debug-pause' },
  // Failing has no menu of its own: it gets the pending menus (delete, show mapping), with the error icon.
  CrashLoopBackOff: { contextValue: 'vcluster.pending', icon: 'error' },
  ScaledDown: { contextValue: 'vcluster.scaledDown', icon: 'circle-slash' },
  Sleeping: { contextValue: 'vcluster.sleeping', icon: 'watch' },
};

function byNamespace(list: readonly BuiltVCluster[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const v of list) m.set(v.namespace, [...(m.get(v.namespace) ?? []), v.name]);
  return m;
}

export function treeSuite(): void {
  describe('the Clusters tree', function () {
    this.timeout(90_000);

    it('lists the contexts of the kubeconfig and marks the current one', async () => {
      const file = readKubeconfig();
      const names = (file.contexts ?? []).map((c) => c.name);
      const nodes = await fx.tree.contexts();
      assert.deepEqual(nodes.map((n) => n.context).sort(), [...names].sort());
      assert.equal(file['current-context'], 'host');
      for (const n of nodes) {
        const current: boolean = n.context === file['current-context'];
        assert.equal(item(n).contextValue, current ? 'contextCurrent' : 'context', n.context);
        assert.equal(description(n).includes('current'), current, `${n.context}: ${description(n).join(' · ')}`);
        assert.ok(description(n).includes(new URL(fx.host.server).host), 'the server is shown');
      }
    });

    it("groups the host's vclusters by namespace, with their number", async () => {
      const expected = byNamespace(fx.world.vclusters);
      const nodes = await fx.tree.namespaces('host');
      assert.deepEqual(nodes.map((n) => n.name).sort(), [...expected.keys()].sort());
      for (const n of nodes) {
        const count = expected.get(n.name)!.length;
        assert.equal(item(n).description, count === 1 ? '1 vcluster' : `${count} vclusters`, n.name);
        assert.deepEqual((await fx.tree.children(n)).map(label).sort(), [...expected.get(n.name)!].sort());
      }
    });

    it('shows each vcluster with the status, version, description and contextValue of its state', async () => {
      const checked: string[] = [];
      for (const v of fx.world.vclusters) {
        const node = await fx.tree.vcluster('host', v.namespace, v.name);
        assert.ok(node, `${v.namespace}/${v.name} is missing from the tree`);
        const parts = description(node);
        assert.ok(parts.includes(v.expectedStatus), `${v.name}: status ${v.expectedStatus} not in "${parts.join(' · ')}"`);
        assert.ok(parts.includes(`v${v.version}`), `${v.name}: version v${v.version} not in "${parts.join(' · ')}"`);
        assert.ok(parts.includes(v.distro), `${v.name}: distro ${v.distro} not in "${parts.join(' · ')}"`);
        assert.ok(!parts.includes('connected'), `${v.name} is not connected`);
        const want = EXPECTED[v.state];
        if (want) {
          assert.equal(item(node).contextValue, want.contextValue, `${v.name} (${v.state})`);
          assert.equal(iconId(node), want.icon, `${v.name} (${v.state})`);
          checked.push(v.state);
        }
        assert.ok(tooltipText(node).replace(/\\/g, '').includes(`| Namespace | ${v.namespace} |`), `${v.name}: tooltip`);
      }
      assert.deepEqual([...new Set(checked)].sort(), Object.keys(EXPECTED).sort(), 'every state was seen');
    });

    it('shows nested vclusters two deep under their parent', async () => {
      const alpha = fx.world.find('alpha');
      const inner = fx.world.find('inner');
      const deep = fx.world.find('deep');
      const alphaNode = await fx.tree.vcluster('host', alpha.namespace, alpha.name);
      assert.ok(alphaNode);
      const level1 = await fx.tree.children(alphaNode);
      // After the nested vclusters, a running vcluster shows the namespaces inside it.
      assert.deepEqual(
        level1.map((n) => `${n.type}:${label(n)}`),
        ['vcluster:inner', 'vnamespaces:Namespaces'],
      );
      const innerNode = level1[0] as VClusterNode;
      assert.deepEqual(innerNode.ref, {
        context: 'host',
        namespace: inner.namespace,
        name: inner.name,
        parents: [{ namespace: alpha.namespace, name: alpha.name }],
      });
      assert.ok(description(innerNode).includes(inner.namespace), 'nested vclusters show their namespace');
      assert.ok(description(innerNode).includes('Running'));
      const level2 = await fx.tree.children(innerNode);
      assert.deepEqual(
        level2.map((n) => `${n.type}:${label(n)}`),
        ['vcluster:deep', 'vnamespaces:Namespaces'],
      );
      const deepNode = level2[0] as VClusterNode;
      assert.deepEqual(deepNode.ref.parents, [
        { namespace: alpha.namespace, name: alpha.name },
        { namespace: inner.namespace, name: inner.name },
      ]);
      assert.ok(description(deepNode).includes(deep.expectedStatus));
      assert.match(tooltipText(deepNode), /Inside/);
    });

    it('the public API lists the same vclusters as the tree, nested ones with their parents', async () => {
      const listed = await fx.api.listVClusters('host', { nested: true });
      const key = (v: { ref: { namespace: string; name: string; parents?: readonly { namespace: string; name: string }[] } }) =>
        [...(v.ref.parents ?? []).map((p) => `${p.namespace}/${p.name}`), `${v.ref.namespace}/${v.ref.name}`].join(' > ');
      const world = fx.world.all().map((v) => key({ ref: { namespace: v.namespace, name: v.name, parents: v.parents } }));
      assert.deepEqual(listed.map(key).sort(), world.sort());
      for (const v of listed) {
        const built = fx.world.all().find((b) => key({ ref: { namespace: b.namespace, name: b.name, parents: b.parents } }) === key(v))!;
        assert.equal(v.status, built.expectedStatus, key(v));
      }
      const top = await fx.api.listVClusters('host');
      assert.deepEqual(top.map(key).sort(), fx.world.vclusters.map((v) => `${v.namespace}/${v.name}`).sort());
      assert.deepEqual((await fx.api.listContexts()).map((c) => c.name).sort(), (readKubeconfig().contexts ?? []).map((c) => c.name).sort());
    });

    it('vcluster.nested.maxDepth limits how deep the tree and the API go', async () => {
      const alpha = fx.world.find('alpha');
      await setSetting('nested.maxDepth', 1);
      try {
        const alphaNode = await fx.tree.vcluster('host', alpha.namespace, alpha.name);
        assert.ok(alphaNode);
        assert.equal(item(alphaNode).collapsibleState, vscode.TreeItemCollapsibleState.Collapsed, 'depth 1 may be expanded');
        const [innerNode] = await fx.tree.children(alphaNode);
        assert.ok(innerNode && innerNode.type === 'vcluster');
        assert.equal(item(innerNode).collapsibleState, vscode.TreeItemCollapsibleState.None, 'depth 2 is beyond the limit');
        const names = (await fx.api.listVClusters('host', { nested: true })).map((v) => v.ref.name);
        assert.ok(names.includes('inner') && !names.includes('deep'), names.join(', '));
      } finally {
        await setSetting('nested.maxDepth', undefined);
      }
      const alphaNode = await fx.tree.vcluster('host', alpha.namespace, alpha.name);
      const [innerNode] = await fx.tree.children(alphaNode!);
      assert.equal(item(innerNode!).collapsibleState, vscode.TreeItemCollapsibleState.Collapsed, 'the default (3) lets depth 2 expand');
    });

    it('explains why a paused or scaled-down vcluster cannot be expanded', async () => {
      for (const name of ['beta', 'delta']) {
        const v = fx.world.find(name);
        const node = await fx.tree.vcluster('host', v.namespace, v.name);
        assert.ok(node);
        const kids = await fx.tree.children(node);
        assert.equal(kids.length, 1, name);
        const msg = kids[0] as MessageNode;
        assert.equal(msg.type, 'message');
        assert.equal(label(msg), `${v.expectedStatus}: resume it to see nested vclusters`);
        assert.equal(item(msg).contextValue, 'message');
      }
    });

    it('shows an error node for an unreachable context, and its retry works once the server is back', async function () {
      this.timeout(180_000);
      let error: MessageNode;
      await fx.host.stopApiServer();
      try {
        await vscode.commands.executeCommand('vcluster.refresh', { context: 'host' });
        const kids = await fx.tree.children(await fx.tree.context('host'));
        assert.equal(kids.length, 1, `expected one error node, got ${kids.map(label).join(', ')}`);
        error = kids[0] as MessageNode;
        assert.equal(error.type, 'message');
        assert.equal(error.kind, 'error');
        assert.equal(item(error).contextValue, 'errorRetry');
        assert.equal(label(error), 'API server unreachable');
        assert.ok(tooltipText(error).includes(fx.host.server), `the reason names the server: ${tooltipText(error)}`);
        // Other contexts of the same file are still listed (one broken context never blocks the others).
        assert.ok((await fx.tree.contexts()).some((c) => c.context === OTHER_CONTEXT));
        // Retrying while the server is still down gives the error again, not a stale list.
        const retry = item(error).command!;
        assert.equal(retry.command, 'vcluster.refresh');
        await vscode.commands.executeCommand(retry.command, ...(retry.arguments ?? []));
        assert.equal((await fx.tree.children(await fx.tree.context('host')))[0]?.type, 'message');
      } finally {
        await fx.host.startApiServer();
      }
      const retry = item(error).command!;
      await vscode.commands.executeCommand(retry.command, ...(retry.arguments ?? []));
      const names = (await fx.tree.namespaces('host')).map((n) => n.name).sort();
      assert.deepEqual(names, [...byNamespace(fx.world.vclusters).keys()].sort());
    });

    it('stays responsive when the API server hangs (SIGSTOP): an error node after the request timeout, other contexts unaffected', async function () {
      this.timeout(120_000);
      await setSetting('requestTimeoutSeconds', 2);
      fx.host.pauseApiServer();
      try {
        const t0 = Date.now();
        await vscode.commands.executeCommand('vcluster.refresh', { context: 'host' });
        const kids = await fx.tree.children(await fx.tree.context('host'));
        const elapsed = Date.now() - t0;
        assert.equal(kids.length, 1, kids.map(label).join(', '));
        assert.equal(label(kids[0]!), 'API server did not answer in time');
        assert.ok(elapsed < 20_000, `the tree answered after ${elapsed} ms`);
        // The rest of the extension still answers meanwhile.
        assert.ok((await fx.tree.contexts()).some((c) => c.context === OTHER_CONTEXT));
        assert.equal((await fx.api.listContexts()).length >= 2, true);
      } finally {
        fx.host.resumeApiServer();
        await setSetting('requestTimeoutSeconds', undefined);
      }
      await vscode.commands.executeCommand('vcluster.refresh', { context: 'host' });
      const names = (await fx.tree.namespaces('host')).map((n) => n.name).sort();
      assert.deepEqual(names, [...byNamespace(fx.world.vclusters).keys()].sort());
    });

    it('shows a vcluster created in the host without a manual refresh (watch)', async function () {
      this.timeout(120_000);
      // Read the tree first so that the host context is loaded and watched.
      assert.equal(await fx.tree.namespace('host', 'tree-late'), undefined);
      let events = 0;
      let apiEvents = 0;
      const subs = [
        fx.api.testing.tree.onDidChangeTreeData(() => events++),
        fx.api.onDidChange((e) => {
          if (e.scope === 'context' && e.context === 'host') apiEvents++;
        }),
      ];
      try {
        const late = await addVCluster(fx.world, { name: 'late', namespace: 'tree-late', access: 'none' });
        // It appears with the status its pod has (Pending, then Running once the fixture reports the pod running).
        await fx.tree.until(
          `the new vcluster in the tree, ${late.expectedStatus}`,
          async () => {
            const node = await fx.tree.vcluster('host', 'tree-late', 'late');
            return node !== undefined && description(node).includes(late.expectedStatus);
          },
          60_000,
        );
        assert.ok(events > 0, 'the tree announced the change');
        assert.ok(apiEvents > 0, "the API's onDidChange announced the change of context host");
      } finally {
        subs.forEach((d) => d.dispose());
      }
    });

    it('follows kubeconfig edits made by kubectl (use-context, set-context)', async function () {
      this.timeout(60_000);
      const before = fx.api.testing.statusBar.state.context;
      assert.equal(before, 'host');
      try {
        await kubectl(fx.kubeconfig, ['config', 'set-context', 'added-by-kubectl', '--cluster', 'host', '--user', 'host', '--namespace', 'tree-a']);
        await kubectl(fx.kubeconfig, ['config', 'use-context', OTHER_CONTEXT]);
        await fx.tree.until('the tree to show the kubectl edits', async () => {
          const nodes = await fx.tree.contexts();
          const added = nodes.find((n) => n.context === 'added-by-kubectl');
          const current = nodes.find((n) => item(n).contextValue === 'contextCurrent');
          return added !== undefined && current?.context === OTHER_CONTEXT;
        });
        await fx.tree.until('the status bar to follow', async () => fx.api.testing.statusBar.state.context === OTHER_CONTEXT);
      } finally {
        await kubectl(fx.kubeconfig, ['config', 'use-context', 'host']);
        await kubectl(fx.kubeconfig, ['config', 'delete-context', 'added-by-kubectl']);
      }
      await fx.tree.until('the tree to drop the deleted context', async () => {
        const nodes = await fx.tree.contexts();
        return !nodes.some((n) => n.context === 'added-by-kubectl') && fx.api.testing.statusBar.state.context === 'host';
      });
    });
  });
}
