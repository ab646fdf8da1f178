// vcluster.yaml in the editor and the commands around a vcluster's configuration, in the real extension host: the
// diagnostic of an invalid file at its position (this VS Code has no YAML extension, so the extension validates
// itself), Create and Upgrade refusing an invalid file before anything runs, Upgrade showing deployed values and
// asking before it applies them, Describe and Show Config opening, and Compare with Deployed opening the diff editor.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import * as vscode from 'vscode';
import { addVCluster } from '../../harness/worlds/worlds';
import { fx, refOf } from '../support/fixture';
import { captureMessages, waitFor } from '../support/workbench';

function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  assert.ok(folder, 'the test VS Code opens a folder');
  return folder;
}

/** An invalid vcluster.yaml: line 4, column 16 holds "yes" where a boolean belongs. */
const INVALID = 'sync:\n  toHost:\n    pods:\n      enabled: "yes"\n';

async function diagnosticsOf(uri: vscode.Uri): Promise<vscode.Diagnostic[]> {
  return waitFor(
    `diagnostics of ${path.basename(uri.fsPath)}`,
    async () => {
      const d = vscode.languages.getDiagnostics(uri).filter((x) => x.source === 'vcluster');
      return d.length ? d : undefined;
    },
    60_000,
    200,
  );
}

async function helmRevisions(ns: string, name: string): Promise<string[]> {
  const l = await fx.host.rest.get(`/api/v1/namespaces/${ns}/secrets?labelSelector=${encodeURIComponent(`owner=helm,name=${name}`)}`);
  return (l.items as { metadata: { name: string } }[]).map((s) => s.metadata.name).sort();
}

export function configSuite(): void {
  describe('vcluster.yaml, upgrade, show config, compare, describe', function () {
    this.timeout(120_000);
    let invalid: string;

    before(() => {
      invalid = path.join(workspaceDir(), 'broken.vcluster.yaml');
      fs.writeFileSync(invalid, INVALID);
    });
    after(async () => {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      for (const p of fx.api.testing.describePanels().all) p.dispose();
    });

    it('an invalid vcluster.yaml shows the diagnostic at the right line and column', async () => {
      assert.equal(fx.api.testing.vclusterYaml.yamlExtensionActive, false, 'no YAML extension here: the extension validates');
      const doc = await vscode.workspace.openTextDocument(invalid);
      await vscode.window.showTextDocument(doc);
      const diags = await diagnosticsOf(doc.uri);
      const d = diags.find((x) => /sync\.toHost\.pods\.enabled: must be boolean/.test(x.message));
      assert.ok(d, diags.map((x) => x.message).join('\n'));
      assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
      assert.deepEqual([d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character], [3, 15, 3, 20]);
      assert.equal(doc.getText(d.range), '"yes"');
    });

    it('an old key gets a warning naming the new one, and fixing the file clears the error', async () => {
      const file = path.join(workspaceDir(), 'vcluster.yaml');
      fs.writeFileSync(file, 'sync:\n  nodes:\n    enabled: true\n');
      const doc = await vscode.workspace.openTextDocument(file);
      await vscode.window.showTextDocument(doc);
      const diags = await diagnosticsOf(doc.uri);
      const moved = diags.find((x) => x.severity === vscode.DiagnosticSeverity.Warning);
      assert.ok(moved, diags.map((x) => x.message).join('\n'));
      assert.match(moved.message, /use "sync\.fromHost\.nodes\.enabled" instead/);
      assert.equal(moved.range.start.line, 2);
      const editor = vscode.window.activeTextEditor!;
      await editor.edit((e) => e.replace(new vscode.Range(0, 0, doc.lineCount, 0), 'sync:\n  fromHost:\n    nodes:\n      enabled: true\n'));
      await waitFor(
        'the diagnostics to clear',
        async () => vscode.languages.getDiagnostics(doc.uri).filter((x) => x.source === 'vcluster').length === 0,
        30_000,
        200,
      );
      await vscode.commands.executeCommand('workbench.action.files.revert');
    });

    it('Upgrade with an invalid file runs nothing: the file opens at the error, the Helm release is unchanged', async () => {
      const alpha = fx.world.find('alpha');
      const before = await helmRevisions(alpha.namespace, 'alpha');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      const messages = captureMessages();
      try {
        await vscode.commands.executeCommand('vcluster.upgrade', { ...refOf(alpha), valuesFile: invalid, chartVersion: '0.36.1' });
      } finally {
        messages.dispose();
      }
      assert.ok(
        messages.errors().some((m) => /broken\.vcluster\.yaml has 1 error .*line 4.*Nothing was run/.test(m)),
        messages.errors().join('\n'),
      );
      const editor = vscode.window.activeTextEditor;
      assert.equal(editor?.document.uri.fsPath, invalid, 'the invalid file is open');
      assert.equal(editor?.selection.start.line, 3);
      assert.deepEqual(await helmRevisions(alpha.namespace, 'alpha'), before, 'no new Helm revision');
      const log = fs
        .readdirSync(fx.api.testing.logDir)
        .map((f) => fs.readFileSync(path.join(fx.api.testing.logDir, f), 'utf8'))
        .join('\n');
      assert.ok(!/Running .*create alpha .*--upgrade/.test(log), 'the CLI was not started');
    });

    it('Upgrade with a bad chart version or a missing file says so and runs nothing', async () => {
      const alpha = fx.world.find('alpha');
      const before = await helmRevisions(alpha.namespace, 'alpha');
      const messages = captureMessages();
      try {
        await vscode.commands.executeCommand('vcluster.upgrade', { ...refOf(alpha), chartVersion: '0.36.1; rm -rf /', valuesFile: invalid });
        await vscode.commands.executeCommand('vcluster.upgrade', {
          ...refOf(alpha),
          chartVersion: '0.36.1',
          valuesFile: path.join(workspaceDir(), 'missing.vcluster.yaml'),
        });
      } finally {
        messages.dispose();
      }
      assert.ok(
        messages.errors().some((m) => /"0\.36\.1; rm -rf \/" is not a chart version/.test(m)),
        messages.errors().join('\n'),
      );
      assert.ok(
        messages.errors().some((m) => /missing\.vcluster\.yaml does not exist/.test(m)),
        messages.errors().join('\n'),
      );
      assert.deepEqual(await helmRevisions(alpha.namespace, 'alpha'), before);
    });

    it('Upgrade keeping the deployed values shows them and asks, naming what they change in the host; declining runs nothing', async () => {
      const alpha = fx.world.find('alpha');
      const secretPath = `/api/v1/namespaces/${alpha.namespace}/secrets/sh.helm.release.v1.alpha.v1`;
      const original = await fx.host.rest.get(secretPath);
      const decode = (d: string) => JSON.parse(gunzipSync(Buffer.from(Buffer.from(d, 'base64').toString('utf8'), 'base64')).toString('utf8'));
      const rel = decode(original.data.release);
      const manifests =
        'kind: ClusterRoleBinding\napiVersion: rbac.authorization.k8s.io/v1\nmetadata:\n  name: tenant-admin\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cluster-admin\nsubjects:\n- kind: Group\n  name: system:authenticated\n';
      // What a tenant who can write Secrets in the namespace does: the same revision, other values.
      const forged = { ...rel, config: { ...rel.config, experimental: { deploy: { host: { manifests } } } } };
      const put = (release: unknown) =>
        fx.host.rest.get(secretPath).then((cur) =>
          fx.host.rest.put(secretPath, {
            ...original,
            metadata: { ...original.metadata, resourceVersion: cur.metadata.resourceVersion },
            data: { release: Buffer.from(gzipSync(Buffer.from(JSON.stringify(release))).toString('base64')).toString('base64') },
          }),
        );
      await put(forged);
      const before = await helmRevisions(alpha.namespace, 'alpha');
      const w = vscode.window as unknown as Record<string, (...args: unknown[]) => unknown>;
      const showWarning = w.showWarningMessage!;
      const asked: unknown[][] = [];
      w.showWarningMessage = async (...args: unknown[]) => {
        asked.push(args);
        return undefined; // the user declines
      };
      try {
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
        await vscode.commands.executeCommand('vcluster.upgrade', { ...refOf(alpha), chartVersion: '0.36.1' });
        const modal = asked.find((a) => (a[1] as { modal?: boolean } | undefined)?.modal);
        assert.ok(modal, `a modal question (asked: ${JSON.stringify(asked)})`);
        assert.match(String(modal[0]), /Apply the deployed values of alpha .*They change the host cluster: experimental\.deploy\.host\.manifests\./);
        assert.match((modal[1] as { detail: string }).detail, /ClusterRoleBinding tenant-admin → ClusterRole cluster-admin/);
        assert.deepEqual(modal.slice(2), ['Apply to the Host Cluster']);
        const doc = vscode.window.activeTextEditor?.document;
        assert.equal(doc?.uri.scheme, 'vcluster-config', 'the values to apply are shown, read-only');
        assert.match(doc!.getText(), /Helm release revision 1, deployed/);
        assert.match(doc!.getText(), /name: cluster-admin/);
        assert.deepEqual(await helmRevisions(alpha.namespace, 'alpha'), before, 'no new Helm revision');
        const log = fs
          .readdirSync(fx.api.testing.logDir)
          .map((f) => fs.readFileSync(path.join(fx.api.testing.logDir, f), 'utf8'))
          .join('\n');
        assert.ok(!/Running .*create alpha .*--upgrade/.test(log), 'the CLI was not started');
      } finally {
        w.showWarningMessage = showWarning;
        await put(rel);
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      }
    });

    it('Create with an invalid file runs nothing either', async () => {
      const messages = captureMessages();
      try {
        await vscode.commands.executeCommand('vcluster.create', {
          context: 'host',
          name: 'never',
          namespace: 'never-made',
          valuesFile: invalid,
          connect: false,
        });
      } finally {
        messages.dispose();
      }
      assert.ok(
        messages.errors().some((m) => /Nothing was run/.test(m)),
        messages.errors().join('\n'),
      );
      assert.equal(await fx.host.rest.getOrUndefined('/api/v1/namespaces/never-made'), undefined, 'no namespace was created');
    });

    it('Show Config opens the deployed values (a content-provider document, which VS Code shows read-only); Compare with Deployed opens the diff editor', async () => {
      const alpha = fx.world.find('alpha');
      const uri = await vscode.commands.executeCommand<vscode.Uri>('vcluster.showConfig', refOf(alpha));
      assert.equal(uri?.scheme, 'vcluster-config');
      const doc = vscode.window.activeTextEditor!.document;
      assert.equal(doc.uri.toString(), uri.toString());
      assert.match(doc.getText(), /Helm release revision 1, deployed/);
      assert.match(
        doc.getText(),
        new RegExp(`server: ${alpha.virtual!.server.replace(/[.:/]/g, '\\$&')}`),
        'the values of the release (exportKubeConfig.server)',
      );

      const local = path.join(workspaceDir(), 'alpha.vcluster.yaml');
      fs.writeFileSync(local, 'sync:\n  toHost:\n    ingresses:\n      enabled: true\n');
      await vscode.commands.executeCommand('vcluster.compareWithDeployed', { ...refOf(alpha), valuesFile: local });
      const tab = await waitFor(
        'the diff editor',
        async () => {
          const t = vscode.window.tabGroups.activeTabGroup.activeTab;
          return t?.input instanceof vscode.TabInputTextDiff ? t.input : undefined;
        },
        20_000,
      );
      assert.equal(tab.original.scheme, 'vcluster-config');
      assert.equal(tab.modified.fsPath, local);
    });

    it('Show Config of a vcluster without a Helm release says so and shows its running configuration', async () => {
      const vc = await addVCluster(fx.world, { name: 'nohelm', namespace: 'no-helm', access: 'none' });
      await fx.host.rest.delete(`/api/v1/namespaces/${vc.namespace}/secrets/sh.helm.release.v1.nohelm.v1`);
      const messages = captureMessages();
      try {
        await assert.rejects(
          fx.api.testing.services().then((s) => s.configText(refOf(vc), 'values')),
          /has no Helm release/,
        );
        const uri = await vscode.commands.executeCommand<vscode.Uri>('vcluster.showConfig', { ...refOf(vc), running: true });
        assert.match(uri.path, /^\/running\/no-helm\/nohelm\.vcluster\.yaml$/);
        assert.match(vscode.window.activeTextEditor!.document.getText(), /Secret vc-config-nohelm/);
      } finally {
        messages.dispose();
      }
    });

    it('collapsing a vcluster node closes what it held in the virtual cluster; expanding opens it again', async () => {
      const alpha = fx.world.find('alpha');
      const model = (await fx.api.testing.services()).model;
      const node = await fx.tree.vcluster('host', alpha.namespace, 'alpha');
      assert.ok(node);
      await fx.tree.children(node); // what VS Code does when the node is expanded
      const key = (keys: string[]) => keys.find((k) => k.endsWith(`|${alpha.namespace}/alpha`));
      assert.ok(key(model.openVirtualClients()), 'expanded: the virtual client is open');
      assert.ok(fx.api.testing.tree.expandedVClusters().some((r) => r.name === 'alpha'));
      await fx.api.testing.tree.collapsed(node);
      assert.equal(key(model.openVirtualClients()), undefined, 'collapsed: the virtual client is closed');
      assert.ok(!fx.api.testing.tree.expandedVClusters().some((r) => r.name === 'alpha'));
      const children = await fx.tree.children(node);
      assert.ok(
        children.some((c) => c.type === 'vcluster' && c.ref.name === 'inner'),
        'expanded again: nested discovery works',
      );
      assert.ok(key(model.openVirtualClients()));
    });

    it('Describe opens the details view; the webview renders what the cluster says', async () => {
      const alpha = fx.world.find('alpha');
      await vscode.commands.executeCommand('vcluster.describe', refOf(alpha));
      const panel = fx.api.testing.describePanels().get(refOf(alpha));
      assert.ok(panel, 'no describe panel');
      const rendered = await waitFor(
        'the describe webview to render',
        async () => (panel.lastRendered && panel.lastRendered.sections >= 5 ? panel.lastRendered : undefined),
        60_000,
      );
      assert.ok(rendered.sections >= 5);
      assert.equal(panel.details?.status, 'Running');
      assert.deepEqual(panel.details?.helm && [panel.details.helm.revision, panel.details.helm.status], [1, 'deployed']);
      assert.ok(panel.watching, 'live while visible');
      const api = await fx.api.describe(refOf(alpha));
      assert.equal(api.status, panel.details?.status, 'the API returns the same data');
    });
  });
}
