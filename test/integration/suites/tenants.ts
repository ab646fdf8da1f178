// A tenant of the shared host (a ServiceAccount token allowed to read one namespace, nothing cluster-wide; its context
// sets no namespace) in the real extension host: the context shows a Forbidden node that names the refused request and
// the user; its action asks for namespaces to search and the tree then shows the vcluster there; its other action writes
// the context's namespace as kubectl does; the namespace's tooltip says what the tenant may do, the menus hide what it
// may not, and an action refused anyway names the missing permission.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import * as vscode from 'vscode';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { TENANT_READ_RULES, buildWorld, createTenantUser, type TenantUser } from '../../harness/worlds/worlds';
import { fx } from '../support/fixture';
import { kubectl } from '../support/programs';
import { EXTENSION_ID, captureMessages, description, item, label, tooltipText, waitFor, type MessageNode } from '../support/workbench';

const CONTEXT = 'tenant';
const NS = 'tenant-a';
const VCLUSTER = 'teamvc';

interface KubeconfigDoc {
  clusters: { name: string; cluster: Record<string, unknown> }[];
  users: { name: string; user: Record<string, unknown> }[];
  contexts: { name: string; context: Record<string, unknown> }[];
  [key: string]: unknown;
}

/**
 * Answers the extension's next showInputBox calls in order (as a person typing), after checking that the box's own
 * validation refuses `refuse` (when given) and accepts the answer. Dispose to restore.
 */
function answerInputBoxes(answers: { value: string; refuse?: string }[]): { asked: vscode.InputBoxOptions[]; dispose(): void } {
  const w = vscode.window as unknown as { showInputBox: typeof vscode.window.showInputBox };
  const original = w.showInputBox;
  const asked: vscode.InputBoxOptions[] = [];
  w.showInputBox = async (options?: vscode.InputBoxOptions) => {
    asked.push(options ?? {});
    const next = answers.shift();
    assert.ok(next, `an unexpected input box: ${options?.title ?? options?.prompt}`);
    if (next.refuse !== undefined) assert.ok(await options?.validateInput?.(next.refuse), `the input box accepted ${JSON.stringify(next.refuse)}`);
    assert.equal((await options?.validateInput?.(next.value)) ?? undefined, undefined, `the input box refused ${JSON.stringify(next.value)}`);
    return next.value;
  };
  return {
    asked,
    dispose: () => {
      w.showInputBox = original;
    },
  };
}

export function tenantsSuite(): void {
  describe('a tenant: from the Forbidden node to its vcluster', function () {
    this.timeout(120_000);
    let user: TenantUser;
    let kubeconfigBefore: string;

    const contextChildren = async () => fx.tree.children(await fx.tree.context(CONTEXT));
    const forbiddenNode = async () => (await contextChildren()).find((n): n is MessageNode => item(n).contextValue === 'forbidden');
    const vclusterNode = async () => fx.tree.vcluster(CONTEXT, NS, VCLUSTER);

    before(async () => {
      await buildWorld(fx.host, [{ name: VCLUSTER, namespace: NS, access: 'none' }]);
      user = await createTenantUser(fx.host, NS, { name: 'tenant-it', credential: 'serviceAccountToken', contextName: CONTEXT, rules: TENANT_READ_RULES });
      const tenant = parseYaml(user.kubeconfig) as KubeconfigDoc;
      const token = tenant.users[0]!.user.token as string;
      fx.extraSecrets = [...(fx.extraSecrets ?? []), { what: 'tenant ServiceAccount token', value: token }];
      // The user's kubeconfig gets the tenant's context (no namespace), as `kubectl config set-…` would add it.
      kubeconfigBefore = fs.readFileSync(fx.kubeconfig, 'utf8');
      const doc = parseYaml(kubeconfigBefore) as KubeconfigDoc;
      doc.clusters.push({ name: CONTEXT, cluster: tenant.clusters[0]!.cluster });
      doc.users.push({ name: CONTEXT, user: tenant.users[0]!.user });
      doc.contexts.push({ name: CONTEXT, context: { cluster: CONTEXT, user: CONTEXT } });
      fs.writeFileSync(fx.kubeconfig, toYaml(doc), { mode: 0o600 });
      await waitFor('the extension to see the tenant context', async () => (await fx.api.listContexts()).some((c) => c.name === CONTEXT), 30_000);
    });

    after(async () => {
      await vscode.commands.executeCommand('vcluster.setSearchNamespaces', { context: CONTEXT, namespaces: [] });
      if (kubeconfigBefore) fs.writeFileSync(fx.kubeconfig, kubeconfigBefore, { mode: 0o600 });
      await waitFor('the tenant context to go', async () => !(await fx.api.listContexts()).some((c) => c.name === CONTEXT), 30_000);
    });

    it('shows a Forbidden node that names the refused request and the user, with both ways out on it', async () => {
      const node = await fx.tree.until('the Forbidden node', forbiddenNode);
      const it = item(node);
      assert.equal(label(node), 'Forbidden: list statefulsets.apps');
      assert.ok(description(node).includes(`user ${user.username}`), description(node).join(' · '));
      const tip = tooltipText(node);
      assert.match(tip, new RegExp(`refused list statefulsets\\.apps \\(cluster-wide\\) for user "${user.username}"`));
      assert.match(tip, /Search Namespaces…/);
      assert.match(tip, /Set the Context's Namespace…/);
      assert.equal(it.command?.command, 'vcluster.setSearchNamespaces', 'clicking the node searches namespaces');
      // Its inline actions, as the manifest puts them on `viewItem == forbidden`.
      const menus = (
        vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
          contributes: { menus: Record<string, { command: string; when: string; group?: string }[]> };
        }
      ).contributes.menus['view/item/context']!;
      const inline = menus
        .filter((m) => m.group?.startsWith('inline') && /viewItem == forbidden\b/.test(m.when))
        .map((m) => m.command)
        .sort();
      assert.deepEqual(inline, ['vcluster.refresh', 'vcluster.setContextNamespace', 'vcluster.setSearchNamespaces']);
    });

    it('its action asks for namespaces (a bad name is refused as typed) and the tree then shows the vcluster there, Running', async () => {
      const node = await fx.tree.until('the Forbidden node', forbiddenNode);
      const command = item(node).command!;
      const boxes = answerInputBoxes([{ refuse: 'Team A!', value: NS }]);
      try {
        const set = await vscode.commands.executeCommand(command.command, ...(command.arguments ?? []));
        assert.deepEqual(set, [NS]);
      } finally {
        boxes.dispose();
      }
      assert.equal(boxes.asked.length, 1, 'a tenant may not list namespaces: the names are typed');
      const vc = await fx.tree.until("the tenant's vcluster in the tree", vclusterNode);
      assert.ok(description(vc).includes('Running'), description(vc).join(' · '));
      const ns = (await fx.tree.namespace(CONTEXT, NS))!;
      assert.deepEqual(description(ns), ['1 vcluster', 'searched']);
      const info = (await contextChildren()).find((n) => item(n).contextValue === 'searchInfo');
      assert.ok(info && label(info) === `Searching ${NS}`, 'the tree says what it searched');
      assert.equal(await forbiddenNode(), undefined, 'the Forbidden node is gone');
      assert.deepEqual(fx.api.testing.tree.searchNamespaces(CONTEXT), [NS]);
      const setting = vscode.workspace.getConfiguration('vcluster').inspect<Record<string, string[]>>('searchNamespaces');
      assert.deepEqual(setting?.globalValue?.[CONTEXT], [NS], "kept for the context in the user's settings (vcluster.searchNamespaces)");
    });

    it("the namespace's tooltip says what the tenant may do; menus hide the rest; a refused action names the permission", async () => {
      const rendered = await fx.tree.until('the namespace rendered with permissions', async () => {
        const n = await fx.tree.namespace(CONTEXT, NS);
        if (!n) return undefined;
        const t = fx.api.testing.tree.getTreeItem(n);
        const text = typeof t.tooltip === 'string' ? t.tooltip : (t.tooltip?.value ?? '');
        // Markdown escapes (\-) removed: the text as a person reads it.
        return text.includes('Your permissions here') ? { item: t, text: text.replace(/\\(.)/g, '$1') } : undefined;
      });
      assert.ok(rendered.text.includes(`(user ${user.username})`), rendered.text);
      assert.ok(rendered.text.includes('| $(check) See vclusters (list, watch) | allowed |'), rendered.text);
      assert.ok(rendered.text.includes('| $(check) Connect (read vc-NAME secrets) | allowed |'), rendered.text);
      assert.match(rendered.text, /\| \$\(circle-slash\) Delete vclusters \| missing .*delete statefulsets\.apps/);
      assert.equal(rendered.item.contextValue, 'namespace no-create', 'Create is hidden on the namespace');
      const vc = (await vclusterNode())!;
      const cv = fx.api.testing.tree.getTreeItem(vc).contextValue ?? '';
      assert.match(cv, /^vcluster\.running /);
      for (const mark of ['no-delete', 'no-pause', 'no-resume', 'no-upgrade']) assert.ok(cv.split(' ').includes(mark), `${mark} in "${cv}"`);
      assert.ok(!cv.split(' ').includes('no-connect'), 'it may read secrets: Connect stays');

      const messages = captureMessages();
      try {
        await vscode.commands.executeCommand('vcluster.delete', { context: CONTEXT, namespace: NS, name: VCLUSTER, force: true });
      } finally {
        messages.dispose();
      }
      const errors = messages.errors();
      assert.equal(errors.length, 1, errors.join('\n'));
      assert.match(
        errors[0]!,
        new RegExp(
          `^Deleting vcluster ${VCLUSTER} needs permissions that user "${user.username}" does not have: .*delete statefulsets\\.apps.* in namespace ${NS}\\. Nothing was changed\\.$`,
        ),
      );
      assert.ok(await fx.host.rest.getOrUndefined(`/apis/apps/v1/namespaces/${NS}/statefulsets/${VCLUSTER}`), 'nothing was deleted');
    });

    it('"Set the Context\'s Namespace…" on the Forbidden node writes the namespace as kubectl does, and the tree searches it', async () => {
      await vscode.commands.executeCommand('vcluster.setSearchNamespaces', { context: CONTEXT, namespaces: [] });
      const node = await fx.tree.until('the Forbidden node again', forbiddenNode);
      const boxes = answerInputBoxes([{ refuse: 'NOT_A_NAMESPACE', value: NS }]);
      try {
        assert.equal(await vscode.commands.executeCommand('vcluster.setContextNamespace', node), NS);
      } finally {
        boxes.dispose();
      }
      const view = await kubectl(fx.kubeconfig, ['config', 'view', '--context', CONTEXT, '--minify', '-o', 'jsonpath={.contexts[0].context.namespace}']);
      assert.equal(view.stdout.trim(), NS, 'kubectl reads the namespace the extension wrote');
      const vc = await fx.tree.until("the vcluster found through the context's namespace", vclusterNode);
      assert.ok(description(vc).includes('Running'));
      assert.equal(await forbiddenNode(), undefined);
    });
  });
}
