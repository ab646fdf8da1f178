// Text a hostile party chose, as the real workbench renders it (Chromium's DOM, through renderedDom): a user name (the
// CN of a client certificate, which kube-apiserver quotes in its 403 and returns from SelfSubjectReview) and a context
// name, both carrying a `command:` link and a `$(icon)`. The notification of a refused action, the status bar (its text
// and its trusted tooltip) and the tree show them as typed: no link, no icon.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import * as vscode from 'vscode';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { fx } from '../support/fixture';
import { captureMessages, renderedDom, waitFor, type RenderedElement } from '../support/workbench';

const LINK = '[click](command:workbench.action.quit)';
const USER = `mallory ${LINK}`;
const CONTEXT = `hostile $(squirrel) ${LINK}`;

interface KubeconfigDoc {
  clusters: { name: string; cluster: Record<string, unknown> }[];
  users: { name: string; user: Record<string, unknown> }[];
  contexts: { name: string; context: Record<string, unknown> }[];
  [key: string]: unknown;
}

/** Links of a rendered element, by where they lead (a Markdown link keeps its target in data-href). */
const targets = (e: RenderedElement) => e.links.map((l) => l.dataHref || l.href).filter((t) => t); // action buttons are <a> without a target

export function hostileTextSuite(): void {
  describe('hostile cluster text in the rendered workbench', function () {
    this.timeout(120_000);
    let kubeconfigBefore: string;

    before(async () => {
      const kc = await fx.host.userKubeconfig(USER, [], CONTEXT);
      const hostile = parseYaml(kc.yaml) as KubeconfigDoc;
      kubeconfigBefore = fs.readFileSync(fx.kubeconfig, 'utf8');
      const doc = parseYaml(kubeconfigBefore) as KubeconfigDoc;
      doc.clusters.push({ name: 'hostile', cluster: hostile.clusters[0]!.cluster });
      doc.users.push({ name: 'hostile', user: hostile.users[0]!.user });
      doc.contexts.push({ name: CONTEXT, context: { cluster: 'hostile', user: 'hostile' } });
      fs.writeFileSync(fx.kubeconfig, toYaml(doc), { mode: 0o600 });
      await waitFor('the extension to see the hostile context', async () => (await fx.api.listContexts()).some((c) => c.name === CONTEXT), 30_000);
    });

    after(async () => {
      await vscode.commands.executeCommand('notifications.hideList');
      await vscode.commands.executeCommand('notifications.clearAll');
      if (kubeconfigBefore) fs.writeFileSync(fx.kubeconfig, kubeconfigBefore, { mode: 0o600 });
      await waitFor('the hostile context to go', async () => !(await fx.api.listContexts()).some((c) => c.name === CONTEXT), 30_000);
    });

    it("a hostile user's refusal carrying a command: link shows as plain text in the notification", async () => {
      const messages = captureMessages();
      try {
        await vscode.commands.executeCommand('vcluster.delete', { context: CONTEXT, namespace: 'tree-a', name: 'alpha', force: true });
      } finally {
        messages.dispose();
      }
      // The notifications center lists it with the renderer of the toasts (notificationsViewer.ts), toast or not.
      await vscode.commands.executeCommand('notifications.showList');
      const shown = await waitFor('the notification in the workbench', async () =>
        (await renderedDom('.notification-list-item-message')).find((e) => e.text.includes('mallory')),
      );
      assert.deepEqual(shown.links, [], `no link in "${shown.text}"`);
      assert.ok(shown.text.includes('[click] (command:workbench.action.quit)'), shown.text);
      // What the extension handed VS Code: the one message, made inert.
      const errors = messages.errors();
      assert.equal(errors.length, 1, errors.join('\n'));
      assert.ok(errors[0]!.includes('mallory [click] (command:workbench.action.quit)'), errors[0]);
      assert.ok(await fx.host.rest.getOrUndefined('/apis/apps/v1/namespaces/tree-a/statefulsets/alpha'), 'nothing was deleted');
    });

    it('the status bar shows a context name with an icon and a link as typed, in its text and its trusted tooltip', async () => {
      const bar = fx.api.testing.statusBar;
      const before = bar.state;
      bar.update({ ...before, context: CONTEXT });
      try {
        const item = '.part.statusbar .statusbar-item:has-text("hostile")';
        const entry = await waitFor('the status-bar item', async () => (await renderedDom(item)).find((e) => e.text.includes('hostile')));
        assert.ok(entry.text.includes(`$(squirrel) ${LINK}`), entry.text);
        assert.ok(!entry.icons.includes('codicon-squirrel'), `icons: ${entry.icons.join(' ')}`);
        const hover = await waitFor('the status-bar tooltip', async () =>
          (await renderedDom('.workbench-hover, .monaco-hover', { hover: item })).find((e) => e.text.includes('Kubernetes context')),
        );
        assert.ok(hover.text.includes(`hostile $(squirrel) ${LINK}`), hover.text);
        assert.ok(!hover.icons.includes('codicon-squirrel'), `icons: ${hover.icons.join(' ')}`);
        // Only the tooltip's own links (Switch context, and Clear when the context is scoped to the workspace).
        assert.ok(targets(hover).includes('command:vcluster.switchContext'), targets(hover).join(' '));
        assert.ok(
          targets(hover).every((t) => t === 'command:vcluster.switchContext' || t === 'command:vcluster.clearWorkspaceContext'),
          targets(hover).join(' '),
        );
      } finally {
        bar.update(before);
      }
    });

    it("the tree shows the context's name as typed, in its row and its tooltip", async () => {
      await vscode.commands.executeCommand('workbench.view.extension.vclusterExplorer');
      const row = '.part.sidebar .monaco-list-row:has-text("hostile")';
      const shown = await waitFor('the context row', async () => (await renderedDom(row)).find((e) => e.text.includes('hostile')));
      assert.ok(shown.text.includes(`$(squirrel) ${LINK}`), shown.text);
      assert.ok(!shown.icons.includes('codicon-squirrel'), `icons: ${shown.icons.join(' ')}`);
      assert.deepEqual(targets(shown), []);
      const hover = await waitFor('the context tooltip', async () =>
        (await renderedDom('.workbench-hover, .monaco-hover', { hover: `${row} .label-name` })).find((e) => e.text.includes('File')),
      );
      assert.ok(hover.text.includes(`hostile $(squirrel) ${LINK}`), hover.text);
      assert.ok(!hover.icons.includes('codicon-squirrel'), `icons: ${hover.icons.join(' ')}`);
      assert.deepEqual(targets(hover), []);
    });

    it('the context quick pick shows the name as typed, with no icon', async () => {
      // Not awaited: the quick pick waits for a choice; closing it cancels the command.
      const switching = vscode.commands.executeCommand('vcluster.switchContext');
      try {
        const row = '.quick-input-widget .monaco-list-row:has-text("hostile")';
        const shown = await waitFor('the quick-pick row', async () => (await renderedDom(row)).find((e) => e.text.includes('hostile')));
        assert.ok(shown.text.includes(`$(squirrel) ${LINK}`), shown.text);
        assert.ok(!shown.icons.includes('codicon-squirrel'), `icons: ${shown.icons.join(' ')}`);
      } finally {
        await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
        await switching;
      }
    });
  });
}
