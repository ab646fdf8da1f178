import * as vscode from 'vscode';
import * as notify from '../platform/notify';
import type { Logger } from '../platform/logger';
import type { SearchNamespacesStore } from '../platform/searchNamespaces';
import type { Settings } from '../platform/settings';
import { Commands, EXPLORER_VIEW_ID } from '../shared/ids';
import { ExplorerTreeProvider } from '../tree/explorerTree';
import type { ExplorerNode } from '../tree/nodes';
import { DescribePanels } from '../webview/describePanel';
import { MappingPanels } from '../webview/mappingPanel';
import { ObjectDescribePanels } from '../webview/objectDescribePanel';
import { MAPPING_KINDS, type MappingKind } from '../shared/model';
import { ObjectYamlProvider } from '../documents/yamlDocuments';
import type { LazyServices } from './lazyServices';

// The views: the tree, the mapping panels with their read-only object YAML documents, and the describe panels. They
// are registered at activation so that panels and YAML tabs restored after a window reload find their provider.

export interface Views extends vscode.Disposable {
  readonly tree: ExplorerTreeProvider;
  readonly treeView: vscode.TreeView<ExplorerNode>;
  readonly panels: MappingPanels;
  readonly describePanels: DescribePanels;
  /** Describe views of objects inside vclusters. */
  readonly objectDescribePanels: ObjectDescribePanels;
  /** Read-only YAML documents of single objects (mapping rows, objects inside a vcluster). */
  readonly yamlProvider: ObjectYamlProvider;
}

export function createViews(o: {
  extensionUri: vscode.Uri;
  services: LazyServices;
  settings: Settings;
  logger: Logger;
  searchNamespaces: SearchNamespacesStore;
}): Views {
  const { services, settings, logger } = o;
  const tree = new ExplorerTreeProvider({
    model: async () => (await services.get()).model,
    inside: async () => (await services.get()).inside,
    logger,
    nestedMaxDepth: () => settings.nestedMaxDepth,
    decorate: (v) => services.loaded?.decorate(v) ?? v,
    searchNamespaces: o.searchNamespaces,
  });
  const treeView = vscode.window.createTreeView(EXPLORER_VIEW_ID, { treeDataProvider: tree, showCollapseAll: true });
  // Collapsing a node ends every request into the virtual clusters below it (vcluster sleep mode counts them).
  const collapse = treeView.onDidCollapseElement((e) => void tree.collapsed(e.element).catch((err) => logger.warn(`collapse: ${err}`)));
  const yamlProvider = new ObjectYamlProvider(async (a) => (await services.get()).objectYaml(a.ref, a.side, a.kind, a.namespace, a.name));
  const panels = new MappingPanels({
    extensionUri: o.extensionUri,
    logger,
    debounceMs: () => settings.debounceMs,
    source: {
      load: async (ref) => (await services.get()).mapping(ref),
      watch: (ref, onChange) => services.watchLater('mapping', (s) => s.watchMapping(ref, onChange)),
      openYaml: (ref, row, side) => yamlProvider.openRow(ref, row, side),
    },
  });
  const describePanels = new DescribePanels({
    extensionUri: o.extensionUri,
    logger,
    debounceMs: () => settings.debounceMs,
    source: {
      load: async (ref) => (await services.get()).describe(ref),
      watch: (ref, onChange) => services.watchLater('describe', (s) => s.watchDescribe(ref, onChange)),
    },
    onAction: (ref, action) => {
      const id = action === 'showConfig' ? Commands.showConfig : action === 'upgrade' ? Commands.upgrade : Commands.showMapping;
      void vscode.commands.executeCommand(id, { ...ref });
    },
  });
  const objectDescribePanels = new ObjectDescribePanels({
    extensionUri: o.extensionUri,
    logger,
    load: async (t) => {
      const s = await services.get();
      const { fetchObjectDetails } = await import('../vcluster/objectDescribe');
      return fetchObjectDetails((await s.model.reach(t.ref)).client, t);
    },
    onAction: (t, action) => {
      const arg = { ...t.ref, object: { kind: t.kind, namespace: t.namespace, name: t.name } };
      if (action === 'showLogs') void vscode.commands.executeCommand(Commands.logs, arg);
      else if (action === 'revealHostObject') void vscode.commands.executeCommand(Commands.revealHostObject, arg);
      else if ((MAPPING_KINDS as readonly string[]).includes(t.kind))
        void yamlProvider.open({ ref: t.ref, side: 'virtual', kind: t.kind as MappingKind, namespace: t.namespace, name: t.name });
      else void notify.info(`The YAML view opens pods, services and config maps; not a ${t.kind.toLowerCase()}.`);
    },
  });
  const owned = [
    tree,
    treeView,
    collapse,
    panels,
    panels.registerSerializer(),
    yamlProvider,
    describePanels,
    describePanels.registerSerializer(),
    objectDescribePanels,
    objectDescribePanels.registerSerializer(),
  ];
  return {
    tree,
    treeView,
    panels,
    describePanels,
    objectDescribePanels,
    yamlProvider,
    dispose: () => {
      for (const d of owned.reverse()) d.dispose();
    },
  };
}
