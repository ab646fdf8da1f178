import path from 'node:path';
import * as vscode from 'vscode';
import { createApi, type VClusterExplorerApi } from './app/api';
import { configSupport } from './app/config';
import { LazyServices } from './app/lazyServices';
import { StatusController } from './app/status';
import { terminalKubeconfigs } from './app/terminalKubeconfigs';
import { createViews } from './app/views';
import { registerCommands } from './commands/handlers';
import { restoreTunnels } from './app/tunnels';
import { contextKeyValues } from './platform/contextKeys';
import { trackKubernetesExtension } from './platform/kubernetesExtension';
import { Logger } from './platform/logger';
import { RecentContexts } from './platform/recentContexts';
import { SearchNamespacesStore } from './platform/searchNamespaces';
import { Settings } from './platform/settings';
import { Settings as SettingKeys } from './shared/ids';
import { TunnelStore } from './platform/tunnelStore';
import { WorkspaceScope } from './platform/workspaceScope';
import { LogDocuments } from './documents/logDocuments';
import type { ObjectAddress } from './documents/objectUri';
import type { ChangeEvent } from './vcluster/explorer';

// Composition root: wires the parts together and returns the public API; no feature logic lives here (see
// docs/architecture.md). The domain services (src/vcluster/services.ts) load on first use, through src/app/lazyServices.ts.

export type { VClusterExplorerApi } from './app/api';

export function activate(context: vscode.ExtensionContext): VClusterExplorerApi {
  const started = performance.now();
  const own = <T extends { dispose(): unknown }>(d: T): T => {
    context.subscriptions.push(d);
    return d;
  };
  const logger = own(new Logger());
  const settings = new Settings();
  const scope = new WorkspaceScope(context);
  const changes = own(new vscode.EventEmitter<ChangeEvent | { scope: 'status' }>());
  const searchNamespaces = own(new SearchNamespacesStore());
  const tunnelStore = new TunnelStore(context.globalState);
  const services = new LazyServices({
    settings,
    logger,
    scope,
    searchNamespaces,
    own,
    backupDir: path.join(context.globalStorageUri.fsPath, 'kubeconfig-backups'),
    onKubeconfigChange: () => void status.refresh(),
    onLoaded: async (s) => {
      own(s.model.onDidChange((e) => changes.fire(e)));
      own(s.tunnels.onDidChange(() => void status.refresh()));
      own(s.inside.onDidChange(() => views.tree.forwardsChanged()));
      await status.checkCli(s);
    },
  });
  const status = own(new StatusController({ services, scope, settings, logger, changed: () => changes.fire({ scope: 'status' }) }));
  const views = own(createViews({ extensionUri: context.extensionUri, services, settings, logger, searchNamespaces }));
  status.treeView = views.treeView;
  const config = own(configSupport(context.extensionPath, services, logger));
  const logDocuments = own(new LogDocuments());
  const terminalFiles = terminalKubeconfigs(context.globalStorageUri.fsPath);

  const env = {
    services: services.get,
    tree: views.tree,
    settings,
    logger,
    tunnelStore,
    refreshStatus: status.refresh,
    ...config,
    recentContexts: new RecentContexts(context.globalState),
    workspaceScoped: () => scope.on,
    setWorkspaceScope: async (on: boolean) => {
      await scope.set(on, services.userFiles());
      (await services.get()).model.invalidate();
      await (await services.kubeconfig()).reload();
    },
    showMapping: async (ref: Parameters<typeof views.panels.show>[0]) => views.panels.show(ref),
    showDescribe: async (ref: Parameters<typeof views.describePanels.show>[0]) => views.describePanels.show(ref),
    showObjectDescribe: async (target: Parameters<typeof views.objectDescribePanels.show>[0]) => views.objectDescribePanels.show(target),
    logDocuments,
    own,
    openObjectYaml: (address: ObjectAddress) => views.yamlProvider.open(address),
    terminalKubeconfigFolder: terminalFiles.folder,
  };
  for (const d of registerCommands(env, views.tree, logger)) own(d);
  own(trackKubernetesExtension());

  // Edited in settings.json (or set by the command): those contexts are discovered again.
  own(
    searchNamespaces.onDidChange((contexts) => {
      for (const c of contexts) void views.tree.refresh({ context: c });
    }),
  );
  own(
    settings.onDidChange((e) => {
      const changed = (key: string) => e.affectsConfiguration(`vcluster.${key}`);
      if ([SettingKeys.kubeconfig, SettingKeys.requestTimeoutSeconds, SettingKeys.refreshMode].some(changed)) void views.tree.refresh();
      if (changed(SettingKeys.cliPath) && services.loaded) void status.checkCli(services.loaded);
    }),
  );

  // After activation returns (it stays cheap): the status bar, and the tunnels that kubeconfig contexts point at.
  setTimeout(() => {
    void status.refresh().catch((err) => logger.warn(`status: ${err}`));
    const leftovers = terminalFiles.cleanUp();
    if (leftovers) logger.info(`Removed ${leftovers} private terminal kubeconfig(s) of windows that no longer run`);
    void restoreTunnels(env).then(
      (n) => {
        if (n) logger.info(`Restored ${n} port-forward tunnel(s)`);
      },
      (err) => logger.warn(`tunnels: ${err}`),
    );
  }, 0);
  logger.info(
    `vcluster Explorer ${String(context.extension.packageJSON.version)} activated in ${(performance.now() - started).toFixed(1)} ms (VS Code ${vscode.version})`,
  );

  const testing =
    context.extensionMode === vscode.ExtensionMode.Test
      ? {
          tree: views.tree,
          statusBar: status.statusBar,
          panels: () => views.panels,
          describePanels: () => views.describePanels,
          objectDescribePanels: () => views.objectDescribePanels,
          contextKeys: contextKeyValues,
          logDocuments,
          vclusterYaml: config.vclusterYaml,
          configDocs: config.configDocs,
          services: services.get,
          workspaceKubeconfig: scope.kubeconfigPath,
          logDir: context.logUri.fsPath,
        }
      : undefined;
  return createApi(services.get, changes.event, testing);
}

export function deactivate(): void {
  // Everything is released through context.subscriptions.
}
