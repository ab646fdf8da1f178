import type * as vscode from 'vscode';
import type { VClusterYamlDiagnostics } from '../platform/vclusterYaml';
import type { ContextKeyValues } from '../platform/contextKeys';
import type { ContextStatusBar } from '../platform/statusBar';
import type { Services } from '../vcluster/services';
import type { VClusterDetails } from '../shared/describe';
import { API_VERSION } from '../shared/ids';
import type { AnyResourceInfo, ContextInfo, MappingModel, VClusterInfo, VClusterRef } from '../shared/model';
import type { ExplorerTreeProvider } from '../tree/explorerTree';
import type { ChangeEvent } from '../vcluster/explorer';
import type { ConfigDocumentProvider } from '../documents/configDocuments';
import type { DescribePanels } from '../webview/describePanel';
import type { LogDocuments } from '../documents/logDocuments';
import type { MappingPanels } from '../webview/mappingPanel';
import type { ObjectDescribePanels } from '../webview/objectDescribePanel';

/** The API returned by activate(), for other extensions and the integration tests. */
export interface VClusterExplorerApi {
  readonly version: number;
  listContexts(): Promise<ContextInfo[]>;
  listVClusters(context: string, options?: { nested?: boolean }): Promise<VClusterInfo[]>;
  getMapping(ref: VClusterRef): Promise<MappingModel>;
  /** What vcluster.describe shows: status and why, versions, endpoint, contexts, pause/sleep, events, certificates. */
  describe(ref: VClusterRef): Promise<VClusterDetails>;
  /**
   * Objects inside a vcluster, read from its own API server, in a namespace or (without one) in all of them. `kind` is
   * any kind it serves, named as kubectl takes it: a Kind (`Deployment`), a resource (`deployments`), a short name
   * (`deploy`) or resource.group (`widgets.example.com`). Pod, Deployment, StatefulSet, DaemonSet, Job, Service and
   * ConfigMap come back as ResourceInfo (config maps as metadata only); every other kind, custom resources included,
   * as its metadata only (OtherResourceInfo: no object's data, so never a secret's).
   */
  listResources(ref: VClusterRef, options: { namespace?: string; kind: string }): Promise<AnyResourceInfo[]>;
  readonly onDidChange: vscode.Event<ChangeEvent | { scope: 'status' }>;
  /** Handles for the extension's own integration tests: present only when VS Code runs the extension's tests. */
  readonly testing?: TestingHandles;
}

/** Unstable: the objects the integration tests inspect. */
export interface TestingHandles {
  readonly tree: ExplorerTreeProvider;
  readonly statusBar: ContextStatusBar;
  readonly panels: () => MappingPanels;
  readonly describePanels: () => DescribePanels;
  readonly objectDescribePanels: () => ObjectDescribePanels;
  /** The `when`-clause context keys as the extension last set them. */
  readonly contextKeys: () => Partial<ContextKeyValues>;
  readonly logDocuments: LogDocuments;
  readonly vclusterYaml: VClusterYamlDiagnostics;
  readonly configDocs: ConfigDocumentProvider;
  readonly services: () => Promise<Services>;
  readonly workspaceKubeconfig: string;
  /** Folder of this extension's log files (the output channel's log). */
  readonly logDir: string;
}

export function createApi(
  services: () => Promise<Services>,
  onDidChange: vscode.Event<ChangeEvent | { scope: 'status' }>,
  testing: TestingHandles | undefined,
): VClusterExplorerApi {
  return {
    version: API_VERSION,
    listContexts: async () => [...(await (await services()).model.contexts())],
    listVClusters: async (ctx, options) => (await services()).listVClusters(ctx, options?.nested ?? false),
    getMapping: async (ref) => (await services()).mapping(ref),
    describe: async (ref) => (await services()).describe(ref),
    listResources: async (ref, options) =>
      (await services()).inside.resources(ref, { ...(options.namespace ? { namespace: options.namespace } : {}), kind: options.kind }),
    onDidChange,
    ...(testing ? { testing } : {}),
  };
}
