// A stand-in for the PUBLIC API of the Kubernetes extension (ms-kubernetes-tools.vscode-kubernetes-tools) in vcluster
// Explorer's integration tests, because that extension cannot be installed offline. It stands in for the API contract
// only — the APIBroker that activate() returns, as the npm package vscode-kubernetes-tools-api 1.3.0 documents it
// (ts/index.ts: get(component, version) -> { available, api } | { available: false, reason }), with the parts vcluster
// Explorer calls: clusterexplorer v1 refresh() and configuration v1 getKubeconfigPath() — and its Clusters view id
// (extension.vsKubernetesExplorer). It reads no kubeconfig and talks to no cluster. It records every call in `calls`,
// and the tests set what getKubeconfigPath() answers with `setKubeconfigPath`.
const vscode = require('vscode');

function activate(context) {
  const calls = [];
  let kubeconfigPath = { pathType: 'host', hostPath: '' };
  const changed = new vscode.EventEmitter();
  const tree = vscode.window.createTreeView('extension.vsKubernetesExplorer', {
    treeDataProvider: {
      onDidChangeTreeData: changed.event,
      getTreeItem: (e) => new vscode.TreeItem(e),
      getChildren: () => {
        calls.push('view: getChildren');
        return ['(stand-in)'];
      },
    },
  });
  context.subscriptions.push(
    tree,
    changed,
    tree.onDidChangeVisibility((e) => {
      if (e.visible) calls.push('view: visible');
    }),
  );
  const clusterExplorerV1 = {
    resolveCommandTarget: () => undefined,
    registerNodeContributor: () => undefined,
    registerNodeUICustomizer: () => undefined,
    nodeSources: {},
    refresh: () => {
      calls.push('clusterexplorer.refresh');
      changed.fire();
    },
  };
  const configurationV1 = {
    getKubeconfigPath: () => {
      calls.push('configuration.getKubeconfigPath');
      return kubeconfigPath;
    },
  };
  return {
    get(component, version) {
      calls.push(`get ${component} ${version}`);
      if (component === 'clusterexplorer' && version === 'v1') return { available: true, api: clusterExplorerV1 };
      if (component === 'configuration' && version === 'v1') return { available: true, api: configurationV1 };
      return { available: false, reason: 'version-unknown' };
    },
    // For the tests only (not part of the Kubernetes extension's API):
    calls,
    setKubeconfigPath: (p) => {
      kubeconfigPath = { pathType: 'host', hostPath: p };
    },
  };
}

module.exports = { activate, deactivate() {} };
