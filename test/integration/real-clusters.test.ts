// The extension inside a real VS Code extension host against REAL clusters: etcd + kube-apiserver +
// kube-controller-manager started by test/harness inside this extension host, vclusters laid out as the chart and
// syncer do, virtual API servers that are real kube-apiservers, and the real kubectl, vcluster CLI and Helm. Fixtures
// here because the tree must show many vclusters in states a real one does not reach quickly, all at once (paused,
// crash loop, scaled down, sleeping, a LoadBalancer endpoint, a kubeconfig secret never written, three levels of
// nesting); the extension with real vclusters on a real node: real-node-vclusters.test.ts and real-node-inside.test.ts.
//
// One bundle on purpose: the suites share one host and one copy of the harness (its process registry, exit hooks and
// watchdog), and run in this order; the suites that change vcluster.cliPath (untrusted input, bad input) go last.
import { fx, setUpFixture, tearDownFixture } from './support/fixture';
import { badInputSuite } from './suites/bad-input';
import { configSuite } from './suites/config';
import { connectSuite } from './suites/connect';
import { contextsSuite } from './suites/contexts';
import { createDeleteSuite } from './suites/create-delete';
import { hostileTextSuite } from './suites/hostile-text';
import { kubernetesExtensionSuite } from './suites/kubernetes-extension';
import { lifecycleSuite } from './suites/lifecycle';
import { mappingSuite } from './suites/mapping';
import { treeSuite } from './suites/tree';
import { secretsSuite } from './suites/secrets';
import { tenantsSuite } from './suites/tenants';
import { untrustedSuite } from './suites/untrusted';
import { extensionLogTail } from './support/workbench';
import * as vscode from 'vscode';

describe('vcluster Explorer against real clusters', function () {
  before(async function () {
    this.timeout(240_000);
    await setUpFixture();
  });

  after(async function () {
    this.timeout(60_000);
    await tearDownFixture();
  });

  afterEach(async function () {
    // A command that unexpectedly asks with a quick pick would wait for a user forever: close what is left open so
    // that one failure does not block the next test, and show what the extension logged.
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    if (this.currentTest?.state === 'failed')
      console.log(`      --- extension log (last lines) ---\n${extensionLogTail(25, fx.api?.testing.logDir).replace(/^/gm, '      | ')}`);
  });

  treeSuite();
  contextsSuite();
  connectSuite();
  kubernetesExtensionSuite();
  lifecycleSuite();
  createDeleteSuite();
  mappingSuite();
  configSuite();
  untrustedSuite();
  tenantsSuite();
  hostileTextSuite();
  badInputSuite();
  secretsSuite();
});
