// Stable identifiers shared by the extension, its manifest and its tests. Changing one is a breaking change:
// keybindings, tests and other extensions rely on them (see README.md, "Commands").

export const VIEW_CONTAINER_ID = 'vclusterExplorer';
export const EXPLORER_VIEW_ID = 'vcluster.explorer';
export const OUTPUT_CHANNEL_NAME = 'vcluster';

/** Commands of the public contract, plus the extension's own helpers. Every one is declared in package.json. */
export const Commands = {
  refresh: 'vcluster.refresh',
  switchContext: 'vcluster.switchContext',
  create: 'vcluster.create',
  connect: 'vcluster.connect',
  disconnect: 'vcluster.disconnect',
  delete: 'vcluster.delete',
  pause: 'vcluster.pause',
  resume: 'vcluster.resume',
  showMapping: 'vcluster.showMapping',
  upgrade: 'vcluster.upgrade',
  showConfig: 'vcluster.showConfig',
  compareWithDeployed: 'vcluster.compareWithDeployed',
  describe: 'vcluster.describe',
  filterNamespaces: 'vcluster.filterNamespaces',
  setSearchNamespaces: 'vcluster.setSearchNamespaces',
  setContextNamespace: 'vcluster.setContextNamespace',
  undoKubeconfigChange: 'vcluster.undoKubeconfigChange',
  clearWorkspaceContext: 'vcluster.clearWorkspaceContext',
  showLog: 'vcluster.showLog',
  logs: 'vcluster.logs',
  exec: 'vcluster.exec',
  openTerminal: 'vcluster.openTerminal',
  portForward: 'vcluster.portForward',
  stopPortForward: 'vcluster.stopPortForward',
  restartPortForward: 'vcluster.restartPortForward',
  showEvents: 'vcluster.showEvents',
  revealHostObject: 'vcluster.revealHostObject',
  revealInKubernetes: 'vcluster.revealInKubernetes',
  describeObject: 'vcluster.describeObject',
  showMore: 'vcluster.showMore',
} as const;
export type CommandId = (typeof Commands)[keyof typeof Commands];

/**
 * Tree item contextValues; menus in package.json match them exactly (`viewItem == …`), or by their start when a node
 * adds permission markers (PERMISSION_MARKS) for actions its user may not take (`viewItem =~ /…/`).
 */
export const ContextValues = {
  context: 'context',
  contextCurrent: 'contextCurrent',
  namespace: 'namespace',
  namespacesFilter: 'namespacesFilter',
  vclusterRunning: 'vcluster.running',
  vclusterConnected: 'vcluster.connected',
  vclusterConnectedCurrent: 'vcluster.connectedCurrent',
  vclusterPaused: 'vcluster.paused',
  vclusterPending: 'vcluster.pending',
  vclusterScaledDown: 'vcluster.scaledDown',
  vclusterSleeping: 'vcluster.sleeping',
  errorRetry: 'errorRetry',
  /** Listing vclusters was refused: offers namespaces to search and the context's namespace. */
  forbidden: 'forbidden',
  /** Cluster-wide lists are forbidden and single namespaces were searched: offers to change them. */
  searchInfo: 'searchInfo',
  message: 'message',
  /** Inside a vcluster: the Namespaces folder, a virtual namespace, a kind's folder, objects, port-forwards. */
  insideNamespaces: 'inside.namespaces',
  insideNamespace: 'inside.namespace',
  insideKind: 'inside.kind',
  insidePod: 'inside.pod',
  insideService: 'inside.service',
  insideWorkload: 'inside.workload',
  insideConfigMap: 'inside.configMap',
  insideForward: 'inside.forward',
} as const;

/**
 * Markers appended to a namespace's or vcluster's contextValue (after a space) for an action the API says its user
 * may not take, so that the menus hide it: e.g. `vcluster.running no-delete no-pause`.
 */
export const PERMISSION_MARKS = {
  create: 'no-create',
  delete: 'no-delete',
  pause: 'no-pause',
  resume: 'no-resume',
  connect: 'no-connect',
  upgrade: 'no-upgrade',
} as const;

/** `when`-clause context keys the extension sets. */
export const ContextKeys = {
  state: 'vcluster.state', // 'ready' | 'noKubeconfig' | 'noContexts'
  cliMissing: 'vcluster.cliMissing',
  canUndoKubeconfig: 'vcluster.canUndoKubeconfig',
  workspaceScoped: 'vcluster.workspaceScoped',
  /** The Kubernetes extension (ms-kubernetes-tools.vscode-kubernetes-tools) is installed. */
  kubernetesExtension: 'vcluster.kubernetesExtensionInstalled',
} as const;

/** Settings keys under the `vcluster.` section. */
export const Settings = {
  kubeconfig: 'kubeconfig',
  cliPath: 'cliPath',
  helmPath: 'helmPath',
  createExtraArgs: 'create.extraArgs',
  refreshMode: 'refresh.mode',
  refreshDebounceMs: 'refresh.debounceMs',
  requestTimeoutSeconds: 'requestTimeoutSeconds',
  nestedMaxDepth: 'nested.maxDepth',
  connectScope: 'connect.scope',
  disconnectRemoveContext: 'disconnect.removeContext',
  searchNamespaces: 'searchNamespaces',
} as const;

/** Version of the API object returned by activate(). Bumped on breaking changes. */
export const API_VERSION = 1;
