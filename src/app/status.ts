import { setContextKey } from '../platform/contextKeys';
import type { Logger } from '../platform/logger';
import type { Settings } from '../platform/settings';
import { ContextStatusBar } from '../platform/statusBar';
import type { WorkspaceScope } from '../platform/workspaceScope';
import type { Services } from '../vcluster/services';
import type { LazyServices } from './lazyServices';
import { Disposable } from '../platform/disposable';

// What the window shows about the kubeconfig outside the tree: the status bar (current context, workspace scope,
// tunnels), the workspace-scope context key, and whether the vcluster CLI is missing.

export class StatusController extends Disposable {
  readonly statusBar = this.register(new ContextStatusBar());
  treeView?: { message?: string };

  constructor(private readonly o: { services: LazyServices; scope: WorkspaceScope; settings: Settings; logger: Logger; changed: () => void }) {
    super();
  }

  /** Shows the current context; reading the kubeconfig needs no client-node, so this works before the tree loads more. */
  readonly refresh = async (): Promise<void> => {
    const k = await this.o.services.kubeconfig();
    const snap = await k.loaded();
    const current = snap.contexts.find((c) => c.current);
    const workspaceScoped = this.o.scope.on;
    const loaded = this.o.services.loaded;
    this.statusBar.update({
      context: snap.currentContext,
      isVCluster: !!current?.vcluster,
      workspaceScoped,
      tunnels: loaded?.tunnels.list().length ?? 0,
      forwards:
        loaded?.inside
          .listForwards()
          .map(
            (f) =>
              `127.0.0.1:${f.localPort} → ${f.target.kind.toLowerCase()} ${f.target.namespace}/${f.target.name}:${f.port} (vcluster ${f.target.ref.name})${f.lastError ? ' — broken' : ''}`,
          ) ?? [],
    });
    setContextKey('workspaceScoped', workspaceScoped);
    this.o.changed();
  };

  /** Looks for the vcluster CLI (PATH or vcluster.cliPath) and tells the welcome view and the tree. */
  readonly checkCli = async (s: Services): Promise<void> => {
    const { findExecutable } = await import('../vcluster/cli');
    const cliMissing = !findExecutable('vcluster', this.o.settings.cliPath || undefined);
    setContextKey('cliMissing', cliMissing);
    const kubeconfigReady = (await s.model.kubeconfig()).state === 'ready';
    // A message would hide the welcome views, which say the same when there is no kubeconfig.
    if (this.treeView)
      this.treeView.message =
        cliMissing && kubeconfigReady ? 'The vcluster CLI was not found: create and delete need it (setting vcluster.cliPath).' : undefined;
    this.o.logger.info(cliMissing ? 'vcluster CLI not found on PATH or at vcluster.cliPath' : 'vcluster CLI found');
  };
}
