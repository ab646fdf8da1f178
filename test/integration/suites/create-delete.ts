// vcluster.create / vcluster.delete through the commands with the REAL vcluster CLI and Helm (offline: the chart from
// the vcluster Go module through --local-chart-dir, as test/cluster/real-cli.test.ts found).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { vclusterChartDir, versions } from '../../../scripts/lib/toolchain.mjs';
import type { KObject } from '../../harness/cluster/rest';
import { runProgram } from '../../harness/cluster/processes';
import { stampChart } from '../../support/charts';
import { fx, readKubeconfig, refOf } from '../support/fixture';
import { kubectl, onPath } from '../support/programs';
import { captureMessages, description, setSetting, waitFor } from '../support/workbench';

const NAME = 'fresh';
const NS = 'made';
const CONTEXT = `vcluster_${NAME}_${NS}_host`;

/**
 * A copy of the chart stamped with the CLI's version: the chart in the Go module says 0.0.1 (the release pipeline
 * stamps the real one) and a CLI built with `go build` embeds none.
 */
async function stampedChart(): Promise<string> {
  const src = process.env.VCE_VCLUSTER_CHART_DIR || (await vclusterChartDir());
  return stampChart(src, path.join(fx.dir, 'charts'), versions.vcluster.replace(/^v/, ''));
}

export function createDeleteSuite(): void {
  describe('vcluster.create / vcluster.delete with the real CLI and Helm', function () {
    this.timeout(180_000);
    let chart: string;

    before(async () => {
      chart = await stampedChart();
      await setSetting('create.extraArgs', ['--local-chart-dir', chart, '--add=false']);
    });
    after(async () => {
      await setSetting('create.extraArgs', undefined);
    });

    it('creates a vcluster; the tree shows it with its status (Pending: no node here) and version', async () => {
      const kubeconfigBefore = fs.readFileSync(fx.kubeconfig, 'utf8');
      const ref = await vscode.commands.executeCommand('vcluster.create', { context: 'host', name: NAME, namespace: NS, connect: false });
      assert.deepEqual(ref, { context: 'host', namespace: NS, name: NAME });
      const sts = await fx.host.rest.get(`/apis/apps/v1/namespaces/${NS}/statefulsets/${NAME}`);
      assert.equal(sts.metadata.labels.app, 'vcluster');
      assert.equal(sts.metadata.labels.release, NAME);
      const release = await fx.host.rest.get(`/api/v1/namespaces/${NS}/secrets/sh.helm.release.v1.${NAME}.v1`);
      assert.equal(release.type, 'helm.sh/release.v1');
      assert.equal(readKubeconfig()['current-context'], 'host', 'connect: false leaves the current context alone');
      assert.equal(fs.readFileSync(fx.kubeconfig, 'utf8'), kubeconfigBefore, 'create without connect does not touch the kubeconfig');
      await waitFor<KObject>(
        'the statefulset controller to create the pod',
        () => fx.host.rest.getOrUndefined(`/api/v1/namespaces/${NS}/pods/${NAME}-0`),
        60_000,
      );
      // No node runs pods on this host: the vcluster stays Pending (real-node-vclusters.test.ts creates one that runs).
      await fx.tree.until(
        'the tree to show the new vcluster Pending',
        async () => {
          const n = await fx.tree.vcluster('host', NS, NAME);
          return n && description(n).includes('Pending') && description(n).includes(`v${versions.vcluster.replace(/^v/, '')}`);
        },
        60_000,
      );
    });

    it('deletes it (force): gone from the API and the tree, and no dangling context', async () => {
      // As if the user had connected with the CLI: a context for it, current.
      await kubectl(fx.kubeconfig, ['config', 'set-cluster', CONTEXT, '--server', fx.host.server]);
      await kubectl(fx.kubeconfig, ['config', 'set-context', CONTEXT, '--cluster', CONTEXT, '--user', 'host']);
      await kubectl(fx.kubeconfig, ['config', 'use-context', CONTEXT]);
      await waitFor('the extension to see the context', async () => fx.api.testing.statusBar.state.context === CONTEXT, 20_000);

      await vscode.commands.executeCommand('vcluster.delete', { context: 'host', namespace: NS, name: NAME, force: true });
      assert.equal(await fx.host.rest.getOrUndefined(`/apis/apps/v1/namespaces/${NS}/statefulsets/${NAME}`), undefined, 'the StatefulSet is gone');
      assert.equal(await fx.host.rest.getOrUndefined(`/api/v1/namespaces/${NS}/secrets/sh.helm.release.v1.${NAME}.v1`), undefined, 'the Helm release is gone');
      const kc = readKubeconfig();
      assert.equal(kc['current-context'], 'host', 'current-context went back to the host');
      assert.ok(!kc.contexts?.some((c) => c.name === CONTEXT), 'its context was removed');
      assert.ok(!kc.clusters?.some((c) => c.name === CONTEXT), 'its cluster entry was removed');
      assert.equal(fx.api.testing.statusBar.state.context, 'host');
      await fx.tree.until('the tree to drop the deleted vcluster', async () => (await fx.tree.vcluster('host', NS, NAME)) === undefined, 60_000);
      // The CLI also deletes the namespace it created (annotation vcluster.loft.sh/created).
      await waitFor(
        'the namespace controller to remove the namespace',
        async () => (await fx.host.rest.getOrUndefined(`/api/v1/namespaces/${NS}`)) === undefined,
        90_000,
        500,
      );
    });

    it('creates a vcluster inside another through its vcluster context, and deletes it from its tree position', async () => {
      const alpha = fx.world.find('alpha');
      const alphaContext = await vscode.commands.executeCommand<string>('vcluster.connect', { context: 'host', namespace: alpha.namespace, name: 'alpha' });
      assert.equal(alphaContext, `vcluster_alpha_${alpha.namespace}_host`);
      try {
        const ref = await vscode.commands.executeCommand('vcluster.create', { context: alphaContext, name: 'deep', namespace: 'deep-ns', connect: false });
        assert.deepEqual(ref, { context: alphaContext, namespace: 'deep-ns', name: 'deep' });
        const rest = alpha.virtual!.rest;
        assert.equal(
          (await rest.get('/apis/apps/v1/namespaces/deep-ns/statefulsets/deep')).metadata.labels.release,
          'deep',
          'Helm installed it into the virtual cluster',
        );
        assert.equal(await fx.host.rest.getOrUndefined('/apis/apps/v1/namespaces/deep-ns/statefulsets/deep'), undefined, 'not into the host');
        const parents = [{ namespace: alpha.namespace, name: 'alpha' }];
        await fx.tree.until(
          'the tree to show the new vcluster under alpha',
          async () => {
            await vscode.commands.executeCommand('vcluster.refresh', { context: 'host', namespace: alpha.namespace, name: 'alpha' });
            const inner = await fx.api.listVClusters('host', { nested: true });
            return inner.some((v) => v.ref.name === 'deep' && JSON.stringify(v.ref.parents) === JSON.stringify(parents));
          },
          60_000,
        );

        await vscode.commands.executeCommand('vcluster.delete', { context: 'host', namespace: 'deep-ns', name: 'deep', parents, force: true });
        assert.equal(
          await rest.getOrUndefined('/apis/apps/v1/namespaces/deep-ns/statefulsets/deep'),
          undefined,
          'the StatefulSet is gone from the virtual cluster',
        );
        assert.equal(await rest.getOrUndefined('/api/v1/namespaces/deep-ns/secrets/sh.helm.release.v1.deep.v1'), undefined, 'the Helm release is gone');
        assert.equal(readKubeconfig()['current-context'], alphaContext, 'deleting a vcluster inside the current one keeps the current context');
      } finally {
        await vscode.commands.executeCommand('vcluster.disconnect', { context: 'host', namespace: alpha.namespace, name: 'alpha' });
      }
      assert.equal(readKubeconfig()['current-context'], 'host');
    });

    it('deletes a vcluster nested inside one connected with workspace scope: the CLI gets the kubeconfig files the command checked', async () => {
      const alpha = fx.world.find('alpha');
      const alphaContext = `vcluster_alpha_${alpha.namespace}_host`;
      const rest = alpha.virtual!.rest;
      // Only the workspace scope may know alpha's context: remove the one that earlier connects left in the user's file.
      for (const what of ['delete-context', 'delete-cluster', 'delete-user'])
        await kubectl(fx.kubeconfig, ['config', what, alphaContext], { allowFailure: true });
      assert.ok(!readKubeconfig().contexts?.some((c) => c.name === alphaContext));
      // The nested vcluster, created by the real CLI inside alpha's virtual cluster through alpha's admin kubeconfig.
      await runProgram(
        onPath('vcluster'),
        ['create', 'scoped', '--namespace', 'scoped-ns', '--context', alpha.virtual!.contextName, '--connect=false', '--local-chart-dir', chart, '--add=false'],
        {
          cwd: fx.home,
          env: { PATH: process.env.PATH ?? '', HOME: fx.home, KUBECONFIG: alpha.virtual!.kubeconfigPath },
          timeoutMs: 150_000,
        },
      );
      assert.equal((await rest.get('/apis/apps/v1/namespaces/scoped-ns/statefulsets/scoped')).metadata.labels.release, 'scoped');
      const before = fs.readFileSync(fx.kubeconfig);
      const capture = captureMessages();
      try {
        assert.equal(await vscode.commands.executeCommand('vcluster.connect', { ...refOf(alpha), scope: 'workspace' }), alphaContext);
        await vscode.commands.executeCommand('vcluster.delete', {
          context: 'host',
          namespace: 'scoped-ns',
          name: 'scoped',
          parents: [{ namespace: alpha.namespace, name: 'alpha' }],
          force: true,
        });
        assert.deepEqual(capture.errors(), [], 'the delete failed');
        assert.equal(
          await rest.getOrUndefined('/apis/apps/v1/namespaces/scoped-ns/statefulsets/scoped'),
          undefined,
          'the StatefulSet is gone from the virtual cluster',
        );
        assert.equal(await rest.getOrUndefined('/api/v1/namespaces/scoped-ns/secrets/sh.helm.release.v1.scoped.v1'), undefined, 'the Helm release is gone');
        assert.equal(readKubeconfig(fx.api.testing.workspaceKubeconfig)['current-context'], alphaContext, 'the workspace stays in alpha');
      } finally {
        capture.dispose();
        await vscode.commands.executeCommand('vcluster.clearWorkspaceContext');
      }
      assert.ok(fs.readFileSync(fx.kubeconfig).equals(before), "the user's kubeconfig was not touched");
    });
  });
}
