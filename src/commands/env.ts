import type { RecentContexts } from '../platform/recentContexts';
import type { TunnelStore } from '../platform/tunnelStore';
import type { Logger } from '../platform/logger';
import type { Settings } from '../platform/settings';
import type { Services } from '../vcluster/services';
import type { ExplorerTreeProvider } from '../tree/explorerTree';
import type { VClusterRef } from '../shared/model';
import type { ObjectDetails, ObjectRef } from '../shared/objectDescribe';
import type { VClusterYamlDiagnostics } from '../platform/vclusterYaml';
import type { JsonSchema } from '../vcluster/config/schema';
import type { ConfigDocumentProvider } from '../documents/configDocuments';
import type { LogDocuments } from '../documents/logDocuments';
import type { ObjectAddress } from '../documents/objectUri';

/** What command handlers get: services (loaded lazily), the tree, settings, the logger and workspace-scope control. */
export interface CommandEnv {
  readonly services: () => Promise<Services>;
  readonly tree: ExplorerTreeProvider;
  readonly settings: Settings;
  readonly logger: Logger;
  /** The port-forward tunnels that written contexts point at. */
  readonly tunnelStore: TunnelStore;
  /** Turns the workspace scope on (terminals use the extension's kubeconfig) or off. */
  readonly setWorkspaceScope: (on: boolean) => Promise<void>;
  readonly workspaceScoped: () => boolean;
  readonly refreshStatus: () => Promise<void>;
  readonly showMapping: (ref: VClusterRef) => Promise<unknown>;
  readonly showDescribe: (ref: VClusterRef) => Promise<unknown>;
  /** Opens (or reveals and reads again) the describe view of an object inside a vcluster. */
  readonly showObjectDescribe: (target: ObjectRef) => Promise<{ settled(): Promise<void>; readonly details: ObjectDetails | undefined }>;
  /** vcluster.yaml diagnostics, and the check Create and Upgrade run first. */
  readonly vclusterYaml: VClusterYamlDiagnostics;
  /** Read-only documents of deployed configurations. */
  readonly configDocs: ConfigDocumentProvider;
  /** The schema bundled with the extension (of the chart version in BUNDLED_CHART_VERSION). */
  readonly bundledSchema: () => JsonSchema;
  /** Contexts switched to, most recent first. */
  readonly recentContexts: RecentContexts;
  /** Keeps a disposable until the extension deactivates. */
  readonly own: (d: { dispose(): unknown }) => void;
  /** Read-only documents that grow while a log streams. */
  readonly logDocuments: LogDocuments;
  /** Opens the read-only YAML of one object. */
  readonly openObjectYaml: (address: ObjectAddress) => Promise<unknown>;
  /** The folder for a terminal's private kubeconfig, only the user's to reach (src/app/terminalKubeconfigs.ts). */
  readonly terminalKubeconfigFolder: () => string;
}
