// Working inside a REAL vcluster from VS Code: a host with a real node started inside this extension host, a vcluster
// created by the real CLI (test/harness/node/realVCluster.ts) running the sample application on the node. The tree is
// expanded down to a pod; the log command streams what the container prints into an editor; the exec command opens a
// terminal in the container where a command runs and ends with its exit code; the port-forward command forwards a
// local port to the app's service; the openTerminal command opens a terminal whose KUBECONFIG is the vcluster's own.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ForwardInfo } from '../../src/vcluster/inside';
import type { RealCluster } from '../harness/node/node';
import { applyObjects, createRealVCluster, sampleApp, type RealVCluster } from '../harness/node/realVCluster';
import { httpGetLocal, waitFor, type KObject } from '../harness/cluster/rest';
import { getRealCluster, stopRealCluster } from './support/cluster';
import { onPath } from './support/programs';
import {
  Tree,
  captureMessages,
  description,
  extensionApi,
  extensionLogTail,
  item,
  label,
  setSetting,
  tooltipText,
  type ExplorerNode,
  type TestedApi,
} from './support/workbench';

const CONTEXT = 'real-host';
const NAME = 'work';
const NS = 'real-inside-it';
const APP_NS = 'shop';

describe('[real vcluster] inside a real vcluster from VS Code: tree, logs, terminals, port-forward', function () {
  this.timeout(240_000);
  let cluster: RealCluster;
  let vc: RealVCluster;
  let api: TestedApi;
  let tree: Tree;
  let dir: string;
  const ref = { context: CONTEXT, namespace: NS, name: NAME };
  const worker = { ...ref, object: { kind: 'Pod', namespace: APP_NS, name: 'web-worker' } };
  const terminals: vscode.Terminal[] = [];

  const child = async (parent: ExplorerNode, text: string): Promise<ExplorerNode> => {
    const kids = await tree.children(parent);
    const found = kids.find((k) => label(k) === text);
    assert.ok(found, `no child "${text}" under ${label(parent)}: ${kids.map(label).join(', ')}`);
    return found;
  };

  before(async function () {
    this.timeout(900_000);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-it-inside-'));
    const clusterP = getRealCluster();
    api = await extensionApi();
    tree = new Tree(api);
    cluster = await clusterP;
    vc = await createRealVCluster(cluster, { name: NAME, namespace: NS });
    const v = await vc.virtual();
    await applyObjects(
      v.rest,
      sampleApp(cluster.node.images.busybox.ref, APP_NS).filter((o) => o.kind !== 'PersistentVolumeClaim'),
    );
    await waitFor(
      'the sample application to run on the node',
      async () => {
        const pods = (await v.rest.get(`/api/v1/namespaces/${APP_NS}/pods`)).items as KObject[];
        return pods.length === 2 && pods.every((x) => x.status?.phase === 'Running' && x.status.containerStatuses?.every((c: KObject) => c.ready));
      },
      180_000,
      1000,
    );
    const kubeconfig = path.join(dir, 'kube', 'config');
    fs.mkdirSync(path.dirname(kubeconfig), { recursive: true, mode: 0o700 });
    fs.writeFileSync(kubeconfig, cluster.host.kubeconfig, { mode: 0o600 });
    await setSetting('kubeconfig', kubeconfig);
    await waitFor('the extension to read the kubeconfig', async () => (await api.listContexts()).some((c) => c.name === CONTEXT), 30_000);
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed')
      console.log(`      --- extension log (last lines) ---\n${extensionLogTail(25, api?.testing.logDir).replace(/^/gm, '      | ')}`);
  });

  after(async function () {
    this.timeout(180_000);
    try {
      for (const t of terminals) t.dispose();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await setSetting('kubeconfig', undefined);
      if (vc) await vc.cli(['delete', NAME, '--namespace', NS]).catch(() => undefined);
    } finally {
      await stopRealCluster();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('expands the vcluster down to its pods, with status, ready count and the host pod each became; collapsing stops the watches', async function () {
    const vcNode = await tree.until(
      'the tree to show the vcluster Running',
      async () => {
        const n = await tree.vcluster(CONTEXT, NS, NAME);
        return n && description(n).includes('Running') ? n : undefined;
      },
      120_000,
    );
    const folder = await child(vcNode, 'Namespaces');
    const names = (await tree.children(folder)).map(label);
    assert.ok(names.indexOf(APP_NS) >= 0 && names.indexOf(APP_NS) < names.indexOf('kube-system'), names.join(', '));
    const shop = await child(folder, APP_NS);
    assert.deepEqual((await tree.children(shop)).map(label), ['Pods', 'Deployments', 'StatefulSets', 'DaemonSets', 'Jobs', 'Services', 'ConfigMaps']);
    const pods = await child(shop, 'Pods');
    const podNode = await tree.until('the worker pod to show Running and ready', async () => {
      const n = (await tree.children(pods)).find((k) => label(k) === 'web-worker');
      return n && description(n).includes('Running') && description(n).includes('1/1') ? n : undefined;
    });
    assert.equal(item(podNode).contextValue, 'inside.pod synced');
    assert.match(tooltipText(podNode), /web\\-worker\\-x\\-shop\\-x\\-work/, 'the tooltip names the host pod');
    assert.ok(api.testing.tree.watchedFolders().includes(pods.id), 'the expanded Pods folder is watched');
    const deployments = await tree.children(await child(shop, 'Deployments'));
    assert.deepEqual(
      deployments.map((d) => [label(d), description(d).slice(0, 2)]),
      [['web', ['Ready', '1/1']]],
    );
    await api.testing.tree.collapsed(vcNode);
    assert.deepEqual(api.testing.tree.watchedFolders(), []);
  });

  it('opens the log of a pod and shows a line its container printed, until the editor closes', async function () {
    const uri = await vscode.commands.executeCommand<vscode.Uri>('vcluster.logs', { ...worker, follow: true, tailLines: 5 });
    assert.ok(uri, 'the command returns the document');
    const docText = () => vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString())?.getText() ?? '';
    await waitFor('a line the container printed in the log editor', async () => (docText().match(/web-worker tick/g) ?? []).length >= 2, 30_000, 200);
    assert.match(docText(), /^--- pod shop\/web-worker, container worker, in vcluster work ---\n/);
    assert.equal(api.testing.logDocuments.isStreaming(uri), true);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await waitFor('the stream to stop once its editor is closed', async () => !api.testing.logDocuments.isStreaming(uri), 10_000, 100);
  });

  it("shows the vcluster's own control-plane log, the events of a pod, and the host pod it became", async function () {
    const text = (uri: vscode.Uri) => vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString())?.getText() ?? '';
    const cp = await vscode.commands.executeCommand<vscode.Uri>('vcluster.logs', { ...ref, follow: false, tailLines: 20 });
    await waitFor('the control-plane log to end', async () => /--- the log ended ---\n$/.test(text(cp)), 30_000, 200);
    assert.match(text(cp), /^--- vcluster real-inside-it\/work: control-plane pod work-0 ---\n/);
    assert.ok(text(cp).split('\n').length > 3, 'the syncer logged lines');
    const ev = await vscode.commands.executeCommand<vscode.Uri>('vcluster.showEvents', worker);
    await waitFor('the events document', async () => text(ev).includes('event'), 10_000, 100);
    assert.match(text(ev), /^Events of Pod shop\/web-worker in vcluster work/);
    assert.match(text(ev), /Normal +(Scheduled|Pulled|Created|Started)/);
    await vscode.commands.executeCommand('vcluster.revealHostObject', worker);
    const editor = await waitFor(
      "the host pod's YAML",
      async () => {
        const e = vscode.window.activeTextEditor;
        return e?.document.uri.path === `/host/${NS}/Pod/web-worker-x-shop-x-work.yaml` && e.document.getText().length > 0 ? e : undefined;
      },
      15_000,
      100,
    );
    assert.match(editor.document.getText(), /vcluster\.loft\.sh\/object-name: web-worker/);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it("runs a command in a terminal attached to the container, which ends with the command's exit code", async function () {
    const terminal = await vscode.commands.executeCommand<vscode.Terminal>('vcluster.exec', worker);
    terminals.push(terminal);
    terminal.sendText('echo $((6 * 7)) > /tmp/answer; exit $((3 + 4))');
    await waitFor('the terminal to end', async () => terminal.exitStatus !== undefined, 30_000, 100);
    assert.equal(terminal.exitStatus?.code, 7);
    const services = await api.testing.services();
    let out = '';
    const s = await services.inside.exec(
      { ref, kind: 'Pod', namespace: APP_NS, name: 'web-worker' },
      {
        command: ['cat', '/tmp/answer'],
        onStdout: (d) => {
          out += d.toString();
        },
      },
    );
    assert.equal((await s.done).exitCode, 0);
    assert.equal(out, '42\n', 'the command typed into the terminal ran in the container');
    // A shell of the user's choice (a path in the container), run as it is.
    const sh = await vscode.commands.executeCommand<vscode.Terminal>('vcluster.exec', { ...worker, shell: '/bin/sh' });
    terminals.push(sh);
    sh.sendText('exit $((2 + 3))');
    await waitFor('the /bin/sh terminal to end', async () => sh.exitStatus !== undefined, 30_000, 100);
    assert.equal(sh.exitStatus?.code, 5);
  });

  it("forwards a local port to the app's service and fetches through it; Stop closes it", async function () {
    const f = await vscode.commands.executeCommand<ForwardInfo>('vcluster.portForward', {
      ...ref,
      object: { kind: 'Service', namespace: APP_NS, name: 'web' },
      port: 80,
    });
    assert.ok(f && f.localPort > 0, 'the command returns the forward');
    assert.deepEqual(await httpGetLocal(f.localPort), { status: 200, body: 'hello from the web config map\n' });
    const vcNode = (await tree.vcluster(CONTEXT, NS, NAME))!;
    const shown = (await tree.children(vcNode)).find((k) => k.type === 'forward');
    assert.equal(shown && label(shown), `127.0.0.1:${f.localPort} → svc/web:80`);
    assert.ok(api.testing.statusBar.state.tunnels >= 1);
    assert.equal(await vscode.commands.executeCommand('vcluster.stopPortForward', { id: f.id }), true);
    await assert.rejects(httpGetLocal(f.localPort), /ECONNREFUSED/);
  });

  it('describes a real pod and a config map in the Describe view: key fields, containers, host pod, events with the warning highlighted, key names only', async function () {
    // A Warning event about the pod, written through the virtual API server as a component would (the pod itself runs
    // fine, so nothing on the node would warn about it), to see that warnings stand out.
    const v = await vc.virtual();
    await v.rest.create(`/api/v1/namespaces/${APP_NS}/events`, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `web-worker.describe-test-${Date.now()}`, namespace: APP_NS },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', name: 'web-worker', namespace: APP_NS },
      type: 'Warning',
      reason: 'DescribeTestWarning',
      message: 'a warning written by the test <b>not markup</b>',
      source: { component: 'vcluster-explorer-test' },
      count: 1,
      lastTimestamp: new Date().toISOString(),
      firstTimestamp: new Date().toISOString(),
    });
    const details = await vscode.commands.executeCommand<import('../../src/shared/objectDescribe').ObjectDetails>('vcluster.describeObject', worker);
    assert.ok(details, 'the command returns what the view shows');
    assert.equal(details.status, 'Running');
    assert.equal(details.host?.name, 'web-worker-x-shop-x-work');
    assert.deepEqual(
      details.containers.map((c) => [c.name, c.state, c.ready]),
      [['worker', 'running', true]],
    );
    assert.ok(details.events.some((e) => e.type === 'Warning' && e.reason === 'DescribeTestWarning'));
    assert.ok(details.events.some((e) => e.type === 'Normal' && /Scheduled|Pulled|Created|Started/.test(e.reason)));
    const panel = api.testing.objectDescribePanels().get({ ref, kind: 'Pod', namespace: APP_NS, name: 'web-worker' });
    assert.ok(panel, 'the Describe view is open');
    const shown = await waitFor('the Describe view to render the pod', async () => (panel.lastRendered?.events ? panel.lastRendered : undefined), 60_000, 100);
    assert.deepEqual(shown.sections, ['overview', 'containers', 'conditions', 'labels', 'annotations', 'events']);
    assert.ok(shown.warnings >= 1 && shown.events > shown.warnings, JSON.stringify(shown));
    for (const text of [
      'Pod web-worker',
      'web-worker-x-shop-x-work',
      'worker',
      cluster.node.images.busybox.ref,
      'role',
      'batch',
      'DescribeTestWarning',
      '⚠ Warning',
      '<b>not markup</b>',
    ]) {
      assert.ok(shown.text.includes(text), `the view shows "${text}": ${shown.text.slice(0, 2000)}`);
    }
    const cm = await vscode.commands.executeCommand<import('../../src/shared/objectDescribe').ObjectDetails>('vcluster.describeObject', {
      ...ref,
      object: { kind: 'ConfigMap', namespace: APP_NS, name: 'web-config' },
    });
    assert.deepEqual(cm?.keys, ['greeting']);
    const cmPanel = api.testing.objectDescribePanels().get({ ref, kind: 'ConfigMap', namespace: APP_NS, name: 'web-config' })!;
    const cmShown = await waitFor(
      'the Describe view to render the config map',
      async () => (cmPanel.lastRendered?.sections.includes('keys') ? cmPanel.lastRendered : undefined),
      60_000,
      100,
    );
    assert.ok(cmShown.text.includes('greeting'));
    assert.ok(!cmShown.text.includes('the web config map'), 'no config map value is shown');
    for (const p of api.testing.objectDescribePanels().all) p.dispose();
  });

  it('says in one message what is wrong: an unknown kind, a pod that is gone, a container that does not exist, a busy local port, a shell with arguments', async function () {
    const capture = captureMessages();
    const blocker = http.createServer();
    try {
      await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
      const busy = (blocker.address() as { port: number }).port;
      const cases: [string, unknown, RegExp][] = [
        ['vcluster.logs', { ...ref, object: { kind: 'Secret', namespace: APP_NS, name: 'web-credentials' } }, /"object.kind" must be one of Pod, Deployment/],
        ['vcluster.exec', { ...ref, object: { kind: 'Pod', namespace: APP_NS, name: 'gone' } }, /Pod shop\/gone does not exist in vcluster work/],
        [
          'vcluster.logs',
          { ...ref, object: { kind: 'Pod', namespace: APP_NS, name: 'web-worker', container: 'nope' }, follow: true },
          /has no container "nope" \(it has worker\)/,
        ],
        [
          'vcluster.portForward',
          { ...ref, object: { kind: 'Service', namespace: APP_NS, name: 'web' }, port: 80, localPort: busy },
          new RegExp(`Local port ${busy} is already in use`),
        ],
        ['vcluster.portForward', { ...ref, object: { kind: 'Service', namespace: APP_NS, name: 'web' }, port: 81 }, /has no port 81 \(it has 80\)/],
        ['vcluster.exec', { ...worker, shell: '/bin/sh -c reboot' }, /"shell": Letters, digits and \. _ \+ - \/ only: one program, no arguments/],
      ];
      for (const [command, arg, expected] of cases) {
        const before = capture.errors().length;
        assert.equal(await vscode.commands.executeCommand(command, arg), undefined, command);
        await waitFor(`the message of ${command}`, async () => capture.errors().length > before, 10_000, 50);
        const shown = capture.errors().slice(before);
        assert.equal(shown.length, 1, shown.join(' | '));
        assert.match(shown[0]!, expected);
      }
      assert.deepEqual((await api.testing.services()).inside.listForwards(), [], 'nothing was left open');
    } finally {
      blocker.close();
      capture.dispose();
    }
  });

  it('opens a terminal in the vcluster whose KUBECONFIG is a private kubeconfig for it alone, removed when the terminal closes', async function () {
    const terminal = await vscode.commands.executeCommand<vscode.Terminal>('vcluster.openTerminal', ref);
    terminals.push(terminal);
    const envOut = path.join(dir, 'kubeconfig-var.txt');
    const podsOut = path.join(dir, 'pods.txt');
    terminal.sendText(
      `printf %s "$KUBECONFIG" > ${envOut}; ${onPath('kubectl')} get pods --namespace ${APP_NS} --output name > ${podsOut}.tmp; mv ${podsOut}.tmp ${podsOut}`,
    );
    await waitFor('the terminal to run kubectl', async () => fs.existsSync(podsOut), 60_000, 200);
    const file = fs.readFileSync(envOut, 'utf8');
    assert.match(file, /vcluster-terminal-[^/]+\/kubeconfig$/);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.match(fs.readFileSync(file, 'utf8'), /current-context: vcluster_work_real-inside-it_real-host/);
    assert.match(fs.readFileSync(podsOut, 'utf8'), /pod\/web-worker/);
    const userKubeconfig = fs.readFileSync(path.join(dir, 'kube', 'config'), 'utf8');
    assert.doesNotMatch(userKubeconfig, /vcluster_work/, "the user's kubeconfig is untouched");
    terminal.dispose();
    await waitFor('the private kubeconfig to be removed', async () => !fs.existsSync(file), 10_000, 100);
  });
});
