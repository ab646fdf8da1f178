import path from 'node:path';
import * as vscode from 'vscode';
import { registerCommand } from './commands/register';
import type { CommandEnv } from './commands/env';
import { clearWorkspaceContext, setContextNamespace, switchContext, undoKubeconfigChange } from './commands/contextCommands';
import { connect, create, deleteVCluster, disconnect, pause, resume, restoreTunnels, showMapping, TUNNEL_KEY_PREFIX } from './commands/vclusterCommands';
import { filterNamespaces, refresh, setSearchNamespaces, showLog } from './commands/viewCommands';
import { compareWithDeployed, describe, showConfig, upgrade } from './commands/configCommands';
import { exec, logs, openTerminal, portForward, restartPortForward, revealHostObject, showEvents, stopPortForward } from './commands/insideCommands';
import { LogDocuments } from './webview/logDocuments';
import { VClusterYamlDiagnostics } from './platform/vclusterYaml';
import type { VClusterDetails } from './shared/describe';
import { loadBundledSchema, type JsonSchema } from './vcluster/config/schema';
import type { VClusterConfigValidator } from './vcluster/config/validate';
import { CONFIG_SCHEME, ConfigDocumentProvider } from './webview/configDocuments';
import { DescribePanels } from './webview/describePanel';
import { Logger } from './platform/logger';
import { SearchNamespacesStore } from './platform/searchNamespaces';
import { Settings } from './platform/settings';
import { ContextStatusBar } from './platform/statusBar';
import { API_VERSION, Commands, ContextKeys, EXPLORER_VIEW_ID } from './shared/ids';
import type { ContextInfo, MappingModel, ResourceInfo, VClusterInfo, VClusterRef } from './shared/model';
import { ExplorerTreeProvider } from './tree/explorerTree';
import { kubeconfigFiles } from './kube/kubeconfig/files';
import fs from 'node:fs';
import type { Services } from './services';
import type { ChangeEvent } from './vcluster/explorer';
import type { KubeconfigState } from './vcluster/kubeconfigState';
import { MappingPanels } from './webview/mappingPanel';
import { ObjectYamlProvider } from './webview/yamlDocuments';

// Composition root: build the services, register the view and the commands, return the public API. Nothing here
// loads @kubernetes/client-node: services.ts (which does) is imported on first use.

/** The API returned by activate(), for other extensions and the integration tests. */
export interface VClusterExplorerApi {
  readonly version: number;
  listContexts(): Promise<ContextInfo[]>;
  listVClusters(context: string, options?: { nested?: boolean }): Promise<VClusterInfo[]>;
  getMapping(ref: VClusterRef): Promise<MappingModel>;
  /** What vcluster.describe shows: status and why, versions, endpoint, contexts, pause/sleep, events, certificates. */
  describe(ref: VClusterRef): Promise<VClusterDetails>;
  /**
   * Objects inside a vcluster, read from its own API server: `kind` is Pod, Deployment, StatefulSet, DaemonSet, Job,
   * Service or ConfigMap (config maps as metadata only; secrets never).
   */
  listResources(ref: VClusterRef, options: { namespace: string; kind: string }): Promise<ResourceInfo[]>;
  readonly onDidChange: vscode.Event<ChangeEvent | { scope: 'status' }>;
  /** Unstable handles for the extension's own integration tests. */
  readonly testing: {
    readonly tree: ExplorerTreeProvider;
    readonly statusBar: ContextStatusBar;
    readonly panels: () => MappingPanels;
    readonly describePanels: () => DescribePanels;
    readonly logDocuments: LogDocuments;
    readonly vclusterYaml: VClusterYamlDiagnostics;
    readonly configDocs: ConfigDocumentProvider;
    readonly services: () => Promise<Services>;
    readonly workspaceKubeconfig: string;
    /** Folder of this extension's log files (the output channel's log). */
    readonly logDir: string;
  };
}

const WORKSPACE_SCOPE_KEY = 'vcluster.workspaceScoped';
const RECENT_KEY = 'vcluster.recentContexts';

export function activate(context: vscode.ExtensionContext): VClusterExplorerApi {
  const started = performance.now();
  const logger = new Logger();
  const settings = new Settings();
  context.subscriptions.push(logger);

  const storageDir = (context.storageUri ?? context.globalStorageUri).fsPath;
  const workspaceKubeconfig = path.join(storageDir, 'kubeconfig.yaml');
  const workspaceScoped = () => context.workspaceState.get<boolean>(WORKSPACE_SCOPE_KEY, false);
  const changeEmitter = new vscode.EventEmitter<ChangeEvent | { scope: 'status' }>();
  context.subscriptions.push(changeEmitter);

  // Namespaces to search per context (a tenant's own namespaces): the setting vcluster.searchNamespaces.
  const searchNamespaces = new SearchNamespacesStore();
  context.subscriptions.push(searchNamespaces);

  const userFiles = () => kubeconfigFiles({ override: settings.kubeconfigOverride || undefined, env: process.env });
  const files = () => (workspaceScoped() && fs.existsSync(workspaceKubeconfig) ? [workspaceKubeconfig, ...userFiles()] : userFiles());

  let kubeconfigStatePromise: Promise<KubeconfigState> | undefined;
  const kubeconfigState = (): Promise<KubeconfigState> => {
    kubeconfigStatePromise ??= import('./vcluster/kubeconfigState').then(({ KubeconfigState: K }) => {
      const k = new K(files, () => settings.refreshMode === 'watch');
      context.subscriptions.push(k);
      context.subscriptions.push(k.onDidChange(() => void refreshStatus()));
      return k;
    });
    return kubeconfigStatePromise;
  };

  let servicesPromise: Promise<Services> | undefined;
  let servicesSync: Services | undefined;
  const services = (): Promise<Services> => {
    servicesPromise ??= import('./services').then(async ({ Services: S }) => {
      const t0 = performance.now();
      const s = new S({
        userFiles,
        kubeconfig: await kubeconfigState(),
        workspaceKubeconfig,
        backupDir: path.join(context.globalStorageUri.fsPath, 'kubeconfig-backups'),
        timeoutMs: () => settings.requestTimeoutMs,
        nestedMaxDepth: () => settings.nestedMaxDepth,
        watch: () => settings.refreshMode === 'watch',
        debounceMs: () => settings.debounceMs,
        searchNamespaces: (ctx) => searchNamespaces.get(ctx),
        log: (level, msg) => logger[level](msg),
      });
      context.subscriptions.push(s);
      context.subscriptions.push(s.model.onDidChange((e) => changeEmitter.fire(e)));
      context.subscriptions.push(s.tunnels.onDidChange(() => void refreshStatus()));
      context.subscriptions.push(s.inside.onDidChange(() => tree.forwardsChanged()));
      await checkCli(s);
      logger.debug(`services ready in ${(performance.now() - t0).toFixed(0)} ms`);
      servicesSync = s;
      return s;
    });
    return servicesPromise;
  };

  /** Looks for the vcluster CLI (PATH or vcluster.cliPath) and tells the welcome view and the tree. */
  const checkCli = async (s: Services) => {
    const { findExecutable } = await import('./vcluster/cli');
    const cliMissing = !findExecutable('vcluster', settings.cliPath || undefined);
    void vscode.commands.executeCommand('setContext', ContextKeys.cliMissing, cliMissing);
    const kubeconfigReady = (s.model.snapshot() ?? await s.model.reloadKubeconfig()).state === 'ready';
    // A message would hide the welcome views, which say the same when there is no kubeconfig.
    treeView.message = cliMissing && kubeconfigReady ? 'The vcluster CLI was not found: create and delete need it (setting vcluster.cliPath).' : undefined;
    logger.info(cliMissing ? 'vcluster CLI not found on PATH or at vcluster.cliPath' : 'vcluster CLI found');
  };

  const tree = new ExplorerTreeProvider({
    model: async () => (await services()).model,
    inside: async () => (await services()).inside,
    logger,
    nestedMaxDepth: () => settings.nestedMaxDepth,
    decorate: (v) => (servicesSync?.decorate(v) ?? v),
    searchNamespaces,
  });
  const treeView = vscode.window.createTreeView(EXPLORER_VIEW_ID, { treeDataProvider: tree, showCollapseAll: true });
  // Collapsing a node ends every request into the virtual clusters below it (vcluster sleep mode counts them).
  context.subscriptions.push(tree, treeView, treeView.onDidCollapseElement((e) => void tree.collapsed(e.element).catch((err) => logger.warn(`collapse: ${err}`))));

  const statusBar = new ContextStatusBar();
  context.subscriptions.push(statusBar);
  const refreshStatus = async () => {
    // The kubeconfig state is light (no client-node): the status bar works before the tree or a command loads more.
    const k = await kubeconfigState();
    const snap = k.snapshot() ?? await k.reload();
    const current = snap.contexts.find((c) => c.current);
    statusBar.update({ context: snap.currentContext, isVCluster: !!current?.vcluster, workspaceScoped: workspaceScoped(), tunnels: servicesSync?.tunnels.list().length ?? 0,
      forwards: servicesSync?.inside.listForwards().map((f) => `127.0.0.1:${f.localPort} → ${f.target.kind.toLowerCase()} ${f.target.namespace}/${f.target.name}:${f.port} (vcluster ${f.target.ref.name})${f.lastError ? ' — broken' : ''}`) ?? [] });
    void vscode.commands.executeCommand('setContext', ContextKeys.workspaceScoped, workspaceScoped());
    changeEmitter.fire({ scope: 'status' });
  };

  const setWorkspaceScope = async (on: boolean) => {
    await context.workspaceState.update(WORKSPACE_SCOPE_KEY, on);
    const collection = context.environmentVariableCollection;
    if (on) {
      const s = await services();
      collection.replace('KUBECONFIG', [workspaceKubeconfig, ...s.userFiles()].join(path.delimiter));
      collection.description = 'vcluster Explorer: this workspace uses its own Kubernetes context';
    } else {
      collection.delete('KUBECONFIG');
    }
    (await services()).model.invalidate();
    await (await kubeconfigState()).reload();
  };

  /** A watch handle now for a watch that starts once the services are loaded (disposing early cancels it). */
  const watchLater = (what: string, start: (s: Services) => Promise<{ dispose(): void }>): { dispose(): void } => {
    let handle: { dispose(): void } | undefined;
    let disposed = false;
    void services().then(start).then((h) => { if (disposed) h.dispose(); else handle = h; }, (err) => logger.warn(`${what} watch: ${err}`));
    return { dispose: () => { disposed = true; handle?.dispose(); } };
  };

  // Mapping panels and read-only object YAML documents.
  // Registered at activation so that YAML tabs restored after a window reload find their provider.
  const yamlProvider = new ObjectYamlProvider(async (a) => (await services()).objectYaml(a.ref, a.side, a.kind, a.namespace, a.name));
  const panels = new MappingPanels({
    extensionUri: context.extensionUri,
    logger,
    debounceMs: () => settings.debounceMs,
    source: {
      load: async (ref) => (await services()).mapping(ref),
      watch: (ref, onChange) => watchLater('mapping', (s) => s.watchMapping(ref, onChange)),
      openYaml: (ref, row, side) => yamlProvider.openRow(ref, row, side),
    },
  });
  context.subscriptions.push(panels, panels.registerSerializer(), yamlProvider);

  // vcluster.yaml: the bundled schema (read on first use), validators compiled on first use, diagnostics, the read-only
  // documents of deployed configurations, and the describe view.
  let bundled: JsonSchema | undefined;
  const bundledSchema = () => (bundled ??= loadBundledSchema(context.extensionPath));
  const validators = new WeakMap<JsonSchema, VClusterConfigValidator>();
  const validatorFor = async (schema: JsonSchema) => {
    let v = validators.get(schema);
    if (!v) {
      const { VClusterConfigValidator: V } = await import('./vcluster/config/validate');
      v = new V(schema);
      validators.set(schema, v);
    }
    return v;
  };
  const configDocs = new ConfigDocumentProvider(async (a) => (await services()).configText(a.ref, a.kind));
  // A deployed configuration is checked against the schema of its own chart (kept in the Helm release), else the
  // bundled one with a note. Cached per document: compiling a schema takes a second or two.
  const deployedSchemas = new Map<string, Promise<{ schema: JsonSchema; note?: string } | undefined>>();
  const schemaFor = (uri: vscode.Uri) => {
    const a = configDocs.addressOf(uri);
    if (!a || a.kind !== 'values') return Promise.resolve(undefined);
    let p = deployedSchemas.get(uri.toString());
    if (!p) {
      p = services().then((s) => s.helmRelease(a.ref)).then(async (release) => {
        const { schemaForVersion } = await import('./commands/valuesFiles');
        return schemaForVersion(bundledSchema, release?.chartVersion, release);
      });
      deployedSchemas.set(uri.toString(), p);
    }
    return p;
  };
  const vclusterYaml = new VClusterYamlDiagnostics({ logger, validator: () => validatorFor(bundledSchema()), validatorFor, schemes: [CONFIG_SCHEME], schemaFor });
  const describePanels = new DescribePanels({
    extensionUri: context.extensionUri,
    logger,
    debounceMs: () => settings.debounceMs,
    source: {
      load: async (ref) => (await services()).describe(ref),
      watch: (ref, onChange) => watchLater('describe', (s) => s.watchDescribe(ref, onChange)),
    },
    onAction: (ref, action) => {
      const id = action === 'showConfig' ? Commands.showConfig : action === 'upgrade' ? Commands.upgrade : Commands.showMapping;
      void vscode.commands.executeCommand(id, { ...ref });
    },
  });
  context.subscriptions.push(vclusterYaml, configDocs, describePanels, describePanels.registerSerializer());
  const logDocuments = new LogDocuments();
  context.subscriptions.push(logDocuments);

  const env: CommandEnv = {
    services,
    tree,
    settings,
    logger,
    extension: context,
    setWorkspaceScope,
    workspaceScoped,
    refreshStatus,
    showMapping: async (ref) => panels.show(ref),
    showDescribe: async (ref) => describePanels.show(ref),
    vclusterYaml,
    configDocs,
    bundledSchema,
    recentContexts: () => context.globalState.get<string[]>(RECENT_KEY, []),
    rememberContext: async (name) => {
      const list = [name, ...context.globalState.get<string[]>(RECENT_KEY, []).filter((n) => n !== name)].slice(0, 10);
      await context.globalState.update(RECENT_KEY, list);
    },
    logDocuments,
    openObjectYaml: (address) => yamlProvider.open(address),
  };

  const handlers: Record<(typeof Commands)[keyof typeof Commands], (arg?: unknown) => unknown> = {
    [Commands.refresh]: (arg) => refresh(env, arg),
    [Commands.switchContext]: (arg) => switchContext(env, arg),
    [Commands.create]: (arg) => create(env, arg),
    [Commands.connect]: (arg) => connect(env, arg),
    [Commands.disconnect]: (arg) => disconnect(env, arg),
    [Commands.delete]: (arg) => deleteVCluster(env, arg),
    [Commands.pause]: (arg) => pause(env, arg),
    [Commands.resume]: (arg) => resume(env, arg),
    [Commands.showMapping]: (arg) => showMapping(env, arg),
    [Commands.upgrade]: (arg) => upgrade(env, arg),
    [Commands.showConfig]: (arg) => showConfig(env, arg),
    [Commands.compareWithDeployed]: (arg) => compareWithDeployed(env, arg),
    [Commands.describe]: (arg) => describe(env, arg),
    [Commands.filterNamespaces]: (arg) => filterNamespaces(env, arg),
    [Commands.setSearchNamespaces]: (arg) => setSearchNamespaces(env, arg),
    [Commands.setContextNamespace]: (arg) => setContextNamespace(env, arg),
    [Commands.undoKubeconfigChange]: () => undoKubeconfigChange(env),
    [Commands.clearWorkspaceContext]: () => clearWorkspaceContext(env),
    [Commands.showLog]: () => showLog(env),
    [Commands.logs]: (arg) => logs(env, arg),
    [Commands.exec]: (arg) => exec(env, arg),
    [Commands.openTerminal]: (arg) => openTerminal(env, arg),
    [Commands.portForward]: (arg) => portForward(env, arg),
    [Commands.stopPortForward]: (arg) => stopPortForward(env, arg),
    [Commands.restartPortForward]: (arg) => restartPortForward(env, arg),
    [Commands.showEvents]: (arg) => showEvents(env, arg),
    [Commands.revealHostObject]: (arg) => revealHostObject(env, arg),
    [Commands.showMore]: (arg) => tree.showMore(arg),
  };
  for (const [id, handler] of Object.entries(handlers)) {
    context.subscriptions.push(registerCommand(id as keyof typeof handlers, handler, logger));
  }

  // Edited in settings.json (or set by the command): those contexts are discovered again.
  context.subscriptions.push(searchNamespaces.onDidChange((contexts) => {
    for (const c of contexts) void tree.refresh({ context: c });
  }));

  context.subscriptions.push(settings.onDidChange((e) => {
    if (e.affectsConfiguration('vcluster.kubeconfig') || e.affectsConfiguration('vcluster.requestTimeoutSeconds') || e.affectsConfiguration('vcluster.refresh.mode')) {
      void tree.refresh();
    }
    if (e.affectsConfiguration('vcluster.cliPath') && servicesSync) void checkCli(servicesSync);
  }));

  // The status bar shows the current context from the start; reading the kubeconfig does not need client-node's
  // API machinery, but it runs after activation returns so that activation itself stays cheap.
  setTimeout(() => {
    void refreshStatus().catch((err) => logger.warn(`status: ${err}`));
    // Tunnels that kubeconfig contexts point at come back after a reload (this loads the services only when needed).
    if (context.globalState.keys().some((k) => k.startsWith(TUNNEL_KEY_PREFIX))) {
      void restoreTunnels(env).then((n) => { if (n) logger.info(`Restored ${n} port-forward tunnel(s)`); }, (err) => logger.warn(`tunnels: ${err}`));
    }
  }, 0);
  logger.info(`vcluster Explorer ${String(context.extension.packageJSON.version)} activated in ${(performance.now() - started).toFixed(1)} ms (VS Code ${vscode.version})`);

  return {
    version: API_VERSION,
    listContexts: async () => [...(await (await services()).model.contexts())],
    listVClusters: async (ctx, options) => (await services()).listVClusters(ctx, options?.nested ?? false),
    getMapping: async (ref) => (await services()).mapping(ref),
    describe: async (ref) => (await services()).describe(ref),
    listResources: async (ref, options) => (await services()).inside.resources(ref, { namespace: options.namespace, kind: options.kind }),
    onDidChange: changeEmitter.event,
    testing: { tree, statusBar, panels: () => panels, describePanels: () => describePanels, logDocuments, vclusterYaml, configDocs, services, workspaceKubeconfig, logDir: context.logUri.fsPath },
  };
}

export function deactivate(): void {
  // Everything is released through context.subscriptions.
}
