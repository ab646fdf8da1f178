// Cluster data is data, never code, inside VS Code: a tenant of the host cluster plants vclusters whose vc-NAME secrets
// name a program (exec, auth-provider cmd-path) or a private file of the user (tokenFile, certificate and key paths)
// (test/harness/worlds/attacks.ts). Browsing them in the tree, listing through the public API (nested) and connecting runs
// the canary program never (it would leave a line in its marker file) and reads the private file never (its content
// is a valid token of the virtual API server: had it been read, the tokenFile-only vcluster would list its nested
// vclusters instead of saying that it has no usable credential). The written context has no exec block.
//
// Then: no secret reaches a person (user:password in a server URL, tokens in program output) through the tree, quick
// picks, the command wrapper's messages or the log.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { type AttackVariant, type Canary, attackKubeconfig, makeCanary, plantKubeconfigSecret } from '../../harness/worlds/attacks';
import { addVCluster } from '../../harness/worlds/worlds';
import { fx, readKubeconfig } from '../support/fixture';
import { kubectl } from '../support/programs';
import { captureMessages, captureQuickPicks, extensionLog, label, setSetting, tooltipText, waitFor, type ExplorerNode } from '../support/workbench';
import { failing } from './bad-input';

const TENANT = 'tenant';
const NAMES: Record<AttackVariant, string> = { trojan: 'trojan', exec: 'by-exec', authProvider: 'by-auth-provider', tokenFile: 'by-token-file' };
const ALLOWED_CLUSTER = ['server', 'certificate-authority-data', 'tls-server-name', 'insecure-skip-tls-verify'];
const ALLOWED_USER = ['client-certificate-data', 'client-key-data', 'token'];

/** What VS Code renders for a node (getTreeItem decorates vcluster nodes with what is known by now). */
function rendered(node: ExplorerNode): vscode.TreeItem {
  return fx.api.testing.tree.getTreeItem(node);
}

function renderedTooltip(node: ExplorerNode): string {
  const t = rendered(node).tooltip;
  return (typeof t === 'string' ? t : (t?.value ?? '')).replace(/\\/g, '');
}

export function untrustedSuite(): void {
  describe("a tenant's vc-NAME secret that names programs and private files", function () {
    this.timeout(120_000);
    let canary: Canary;
    const tenantRef = (variant: AttackVariant) => ({ context: 'host', namespace: TENANT, name: NAMES[variant] });

    before(async function () {
      this.timeout(180_000);
      const alpha = fx.world.find('alpha');
      canary = makeCanary(path.join(fx.dir, 'user-files'), alpha.virtual!.token);
      for (const variant of Object.keys(NAMES) as AttackVariant[]) {
        const vc = await addVCluster(fx.world, { name: NAMES[variant], namespace: TENANT, access: 'none' });
        // The secrets aim at alpha's real virtual API server.
        await plantKubeconfigSecret(vc, attackKubeconfig(variant, alpha.virtual!, canary));
      }
      await vscode.commands.executeCommand('vcluster.refresh', { context: 'host' });
    });

    it("browsing them in the tree runs nothing and reads nothing; the trojan's inline certificate works", async () => {
      const trojan = await fx.tree.until("the tenant's vclusters in the tree", () => fx.tree.vcluster('host', TENANT, NAMES.trojan));
      const inside = await fx.tree.children(trojan);
      assert.ok(
        inside.some((n) => n.type === 'vcluster' && n.ref.name === 'inner'),
        `the trojan lists what alpha's API server holds: ${inside.map(label).join(', ')}`,
      );
      for (const variant of ['exec', 'authProvider', 'tokenFile'] as const) {
        const node = await fx.tree.vcluster('host', TENANT, NAMES[variant]);
        assert.ok(node, NAMES[variant]);
        const kids = await fx.tree.children(node);
        assert.equal(kids.length, 1, `${variant}: ${kids.map(label).join(', ')}`);
        assert.equal(label(kids[0]!), 'No usable credential in its kubeconfig secret', variant);
        assert.match(renderedTooltip(kids[0]!), /has no credential the extension accepts from a cluster/);
      }
      assert.deepEqual(canary.runs(), [], "the tenant's program ran");
    });

    it("the vcluster's tooltip names what was left out of its kubeconfig (names only)", async () => {
      const trojan = await fx.tree.vcluster('host', TENANT, NAMES.trojan);
      const tip = renderedTooltip(trojan!);
      for (const field of ['user.exec', 'user.auth-provider', 'user.tokenFile', 'user.client-key', 'cluster.proxy-url', 'user.as'])
        assert.ok(tip.includes(field), `${field} in ${tip}`);
      assert.ok(!tip.includes(canary.program) && !tip.includes(canary.privateTokenFile) && !tip.includes('tenant-password-1234'), tip);
      const byExec = await fx.tree.vcluster('host', TENANT, NAMES.exec);
      assert.ok(renderedTooltip(byExec!).includes('user.exec'));
    });

    it('listing through the public API (nested) runs nothing and reads nothing', async () => {
      const list = await fx.api.listVClusters('host', { nested: true });
      const underTrojan = list.filter((v) => v.ref.parents?.[0]?.name === NAMES.trojan);
      assert.ok(
        underTrojan.some((v) => v.ref.name === 'inner'),
        JSON.stringify(underTrojan.map((v) => v.ref)),
      );
      assert.ok(!list.some((v) => v.ref.parents?.some((p) => p.name === NAMES.tokenFile)), 'the private file authenticated the tokenFile-only vcluster');
      const trojan = list.find((v) => v.ref.namespace === TENANT && v.ref.name === NAMES.trojan);
      assert.ok(trojan?.ignoredKubeconfigFields?.includes('user.exec'), JSON.stringify(trojan?.ignoredKubeconfigFields));
      assert.deepEqual(canary.runs(), []);
    });

    it('connecting writes only allow-listed fields (no exec block); kubectl uses the context and runs nothing', async () => {
      const contextName = `vcluster_${NAMES.trojan}_${TENANT}_host`;
      try {
        assert.equal(await vscode.commands.executeCommand('vcluster.connect', tenantRef('trojan')), contextName);
        const kc = readKubeconfig();
        const cluster = kc.clusters?.find((c) => c.name === contextName)?.cluster ?? {};
        const user = (kc.users as { name: string; user?: Record<string, unknown> }[] | undefined)?.find((u) => u.name === contextName)?.user ?? {};
        assert.deepEqual(
          Object.keys(cluster).filter((k) => !ALLOWED_CLUSTER.includes(k)),
          [],
        );
        assert.deepEqual(
          Object.keys(user).filter((k) => !ALLOWED_USER.includes(k)),
          [],
        );
        assert.deepEqual(Object.keys(user).sort(), ['client-certificate-data', 'client-key-data']);
        assert.ok(!fs.readFileSync(fx.kubeconfig, 'utf8').includes('exec:'), 'an exec block was written');
        const r = await kubectl(fx.kubeconfig, ['--context', contextName, 'get', 'namespaces', '-o', 'name']);
        assert.ok(r.stdout.split('\n').includes('namespace/nested'), r.stdout);
        assert.deepEqual(canary.runs(), [], "the extension or kubectl ran the tenant's program");
      } finally {
        await vscode.commands.executeCommand('vcluster.disconnect', { ...tenantRef('trojan') });
        for (const what of ['delete-context', 'delete-cluster', 'delete-user'])
          await kubectl(fx.kubeconfig, ['config', what, contextName], { allowFailure: true });
      }
    });

    it('connecting to one that has nothing usable left: one clear message, nothing written, nothing run', async () => {
      for (const variant of ['exec', 'authProvider', 'tokenFile'] as const) {
        const message = await failing('vcluster.connect', tenantRef(variant));
        assert.match(message, new RegExp(`secret ${TENANT}/vc-${NAMES[variant]} has no credential the extension accepts from a cluster`));
      }
      assert.deepEqual(canary.runs(), []);
    });

    it('the log names what was left out once per vcluster, by field name only', () => {
      const log = extensionLog(fx.api.testing.logDir);
      const lines = log.split('\n').filter((l) => l.includes(`secret ${TENANT}/vc-${NAMES.trojan} names fields`));
      assert.equal(lines.length, 1, lines.join('\n'));
      assert.match(lines[0]!, /user\.exec/);
      for (const secret of [canary.program, canary.privateTokenFile, 'tenant-password-1234', fx.world.find('alpha').virtual!.token])
        assert.ok(!log.includes(secret), `the log holds ${secret}`);
    });

    after(async function () {
      this.timeout(120_000);
      await fx.host.rest.delete(`/api/v1/namespaces/${TENANT}`);
      await vscode.commands.executeCommand('vcluster.refresh', { context: 'host' });
    });
  });

  describe('no secret reaches a person', function () {
    this.timeout(60_000);
    const PASSWORD = 'hunter2-leak-pass';
    const TOKEN = 'c0ffee00deadbeef1234567890abcdef12345678';
    const LEAKY = 'leaky';

    before(async () => {
      await kubectl(fx.kubeconfig, ['config', 'set-cluster', LEAKY, '--server', `https://admin:${PASSWORD}@127.0.0.1:1`, '--insecure-skip-tls-verify=true']);
      await kubectl(fx.kubeconfig, ['config', 'set-credentials', LEAKY, '--token', TOKEN]);
      await kubectl(fx.kubeconfig, ['config', 'set-context', LEAKY, '--cluster', LEAKY, '--user', LEAKY]);
      await waitFor('the extension to see the context', async () => (await fx.api.listContexts()).some((c) => c.name === LEAKY), 20_000);
    });
    after(async () => {
      await setSetting('cliPath', undefined);
      for (const what of ['delete-context', 'delete-cluster', 'delete-user']) await kubectl(fx.kubeconfig, ['config', what, LEAKY], { allowFailure: true });
    });

    const clean = (what: string, text: string) => {
      assert.ok(!text.includes(PASSWORD), `${what} shows the password: ${text}`);
      assert.ok(!text.includes(TOKEN), `${what} shows the token: ${text}`);
    };

    it("tree: a context's tooltip and its error node", async () => {
      const node = await fx.tree.context(LEAKY);
      const tip = renderedTooltip(node);
      assert.match(tip, /127\.0\.0\.1:1/);
      clean('the context tooltip', tip);
      const kids = await fx.tree.children(node);
      assert.equal(kids[0]?.type, 'message');
      const item = rendered(kids[0]!);
      assert.match(String(item.tooltip), /Cannot reach https:\/\/<redacted>@127\.0\.0\.1:1/);
      clean('the error node', `${String(item.label)} ${String(item.tooltip)} ${item.accessibilityInformation?.label ?? ''}`);
      clean('the context node', `${tooltipText(node)}`);
    });

    it("quick picks: the context pickers' details", async () => {
      const capture = captureQuickPicks();
      try {
        await vscode.commands.executeCommand('vcluster.switchContext');
        await vscode.commands.executeCommand('vcluster.pause');
      } finally {
        capture.dispose();
      }
      assert.equal(capture.picks.length, 2, 'both commands asked for a context');
      for (const items of capture.picks) {
        const leaky = items.find((i) => i.label.endsWith(LEAKY));
        assert.ok(leaky, JSON.stringify(items.map((i) => i.label)));
        assert.equal(leaky.detail, 'https://<redacted>@127.0.0.1:1');
      }
    });

    it("the command wrapper's error message and the log: a program that prints a password and a token", async () => {
      const script = path.join(fx.dir, 'chatty-vcluster');
      fs.writeFileSync(script, `#!/bin/sh\necho "fatal: pulling from https://admin:${PASSWORD}@registry.example.com failed, token ${TOKEN}" >&2\nexit 3\n`, {
        mode: 0o755,
      });
      await setSetting('cliPath', script);
      const capture = captureMessages();
      try {
        assert.equal(
          await vscode.commands.executeCommand('vcluster.create', { context: 'host', name: 'chatty', namespace: 'chatty', connect: false }),
          undefined,
        );
        await waitFor('the error message', async () => capture.errors().length > 0, 10_000, 50);
      } finally {
        capture.dispose();
      }
      const [message] = capture.errors();
      assert.match(
        message!,
        /vcluster create failed \(exit code 3\): fatal: pulling from https:\/\/<redacted>@registry\.example\.com failed, token <redacted>/,
      );
      clean('the error message', message!);
      const log = extensionLog(fx.api.testing.logDir);
      assert.ok(log.includes('registry.example.com'), "the program's output was logged");
      clean('the log', log);
    });
  });
}
