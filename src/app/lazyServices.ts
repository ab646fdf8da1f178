import { kubeconfigFiles } from '../kube/kubeconfig/files';
import type { Logger } from '../platform/logger';
import type { SearchNamespacesStore } from '../platform/searchNamespaces';
import type { Settings } from '../platform/settings';
import type { WorkspaceScope } from '../platform/workspaceScope';
import type { Services } from '../vcluster/services';
import type { KubeconfigState } from '../vcluster/kubeconfigState';
import { lateHandle } from '../shared/lateHandle';

// The two lazily loaded halves of the domain: the kubeconfig state (light, for the status bar right after activation)
// and the services (everything that needs @kubernetes/client-node, loaded on first use so that activation stays cheap).

export interface LazyServicesOptions {
  readonly settings: Settings;
  readonly logger: Logger;
  readonly scope: WorkspaceScope;
  readonly searchNamespaces: SearchNamespacesStore;
  readonly backupDir: string;
  /** Owns what is loaded (the extension's subscriptions). */
  readonly own: (d: { dispose(): unknown }) => void;
  readonly onKubeconfigChange: () => void;
  /** Runs once the services are built, before anyone gets them. */
  readonly onLoaded: (s: Services) => Promise<void>;
}

export class LazyServices {
  private kubeconfigPromise?: Promise<KubeconfigState>;
  private servicesPromise?: Promise<Services>;
  /** The services once loaded (for code that must not trigger loading them). */
  loaded?: Services;

  constructor(private readonly o: LazyServicesOptions) {}

  /** The user's kubeconfig files: the setting vcluster.kubeconfig, else $KUBECONFIG, else ~/.kube/config. */
  readonly userFiles = (): string[] => kubeconfigFiles({ override: this.o.settings.kubeconfigOverride || undefined, env: process.env });

  kubeconfig(): Promise<KubeconfigState> {
    this.kubeconfigPromise ??= import('../vcluster/kubeconfigState').then(({ KubeconfigState: K }) => {
      const k = new K(
        () => this.o.scope.files(this.userFiles()),
        () => this.o.settings.refreshMode === 'watch',
      );
      this.o.own(k);
      this.o.own(k.onDidChange(() => this.o.onKubeconfigChange()));
      return k;
    });
    return this.kubeconfigPromise;
  }

  readonly get = (): Promise<Services> => {
    this.servicesPromise ??= import('../vcluster/services').then(async ({ Services: S }) => {
      const t0 = performance.now();
      const { settings, logger } = this.o;
      const s = new S({
        userFiles: this.userFiles,
        kubeconfig: await this.kubeconfig(),
        workspaceKubeconfig: this.o.scope.kubeconfigPath,
        backupDir: this.o.backupDir,
        timeoutMs: () => settings.requestTimeoutMs,
        nestedMaxDepth: () => settings.nestedMaxDepth,
        watch: () => settings.refreshMode === 'watch',
        debounceMs: () => settings.debounceMs,
        searchNamespaces: (ctx) => this.o.searchNamespaces.get(ctx),
        log: (level, msg) => logger[level](msg),
      });
      this.o.own(s);
      await this.o.onLoaded(s);
      logger.debug(`services ready in ${(performance.now() - t0).toFixed(0)} ms`);
      this.loaded = s;
      return s;
    });
    return this.servicesPromise;
  };

  /** A watch handle now for a watch that starts once the services are loaded (disposing early cancels it). */
  watchLater(what: string, start: (s: Services) => Promise<{ dispose(): void }>): { dispose(): void } {
    return lateHandle(this.get().then(start), (err) => this.o.logger.warn(`${what} watch: ${err}`));
  }
}
