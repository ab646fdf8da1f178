import path from 'node:path';
import * as vscode from 'vscode';
import * as notify from '../platform/notify';
import { splitList } from '../kube/kubeconfig/files';
import { UserFacingError } from '../shared/errors';
import { KUBERNETES_EXPLORER_VIEW_ID, KUBERNETES_EXTENSION_ID, kubernetesExtensionApi } from '../shared/kubernetesExtensionApi';
import { contextNameFor } from '../vcluster/refs';
import { switchContext } from './contextCommands';
import type { CommandEnv } from './env';
import { parseVClusterArg } from './contract';
import { resolveRef } from './helpers';
import { connect } from './vclusterCommands';

// vcluster.revealInKubernetes: hands a vcluster over to the Kubernetes extension (an optional companion; see
// src/shared/kubernetesExtensionApi.ts for the part of its public API used and what that API cannot do).

export interface RevealResult {
  /** The context made current. */
  readonly context: string;
  /** Whether Connect ran first (there was no context for the vcluster). */
  readonly connected: boolean;
  readonly refreshed: boolean;
  /** Set when the Kubernetes extension reads another kubeconfig than the one the context was written to. */
  readonly otherKubeconfig?: string;
}

/**
 * Makes the vcluster's context current in the user's kubeconfig (connecting first, through vcluster.connect's own
 * path, when there is no context for it yet), refreshes the Kubernetes extension's Clusters view through its API and
 * focuses that view. The user's kubeconfig is the one written (scope global): the Kubernetes extension reads it, not
 * this window's workspace kubeconfig.
 */
export async function revealInKubernetes(env: CommandEnv, arg?: unknown): Promise<RevealResult> {
  const extension = vscode.extensions.getExtension(KUBERNETES_EXTENSION_ID);
  if (!extension) {
    throw new UserFacingError(
      `Show in Kubernetes Extension needs the Kubernetes extension: install "Kubernetes" (${KUBERNETES_EXTENSION_ID}) from the Extensions view, then try again.`,
    );
  }
  const ref = await resolveRef(env, parseVClusterArg(arg), (v) => v.phase === 'running', 'Show which vcluster in the Kubernetes extension?');
  const services = await env.services();
  const snap = await services.model.reloadKubeconfig();
  const contextName = contextNameFor(ref);
  const connected = !snap.contexts.some((c) => c.name === contextName);
  if (connected) await connect(env, { ...ref, scope: 'global' });
  await switchContext(env, { context: contextName, scope: 'global' });

  const api = kubernetesExtensionApi(await extension.activate());
  for (const why of api.unavailable) env.logger.info(`Kubernetes extension API: ${why}`);
  api.refreshExplorer?.();
  const theirs = api.kubeconfigPath?.();
  const ours = services.userFiles().map((f) => path.resolve(f));
  // Their path may be a KUBECONFIG list (their src/components/kubectl/kubeconfig.ts, getKubeconfigPath, v1.4.1).
  const theirFiles = theirs?.pathType === 'host' ? splitList(theirs.hostPath).map((f) => path.resolve(f)) : [];
  const otherKubeconfig = theirs?.pathType === 'host' && !theirFiles.some((f) => ours.includes(f)) ? theirs.hostPath : undefined;
  await vscode.commands.executeCommand(`${KUBERNETES_EXPLORER_VIEW_ID}.focus`);
  env.logger.info(`Showed vcluster ${ref.namespace}/${ref.name} in the Kubernetes extension (context ${contextName}${connected ? ', connected first' : ''})`);
  if (otherKubeconfig) {
    void notify.warning(
      `The Kubernetes extension reads the kubeconfig ${otherKubeconfig}, not the one context "${contextName}" was written to (${ours.join(', ')}): it will not show the vcluster until it reads the same file (its setting vs-kubernetes.kubeconfig).`,
    );
  }
  return { context: contextName, connected, refreshed: api.refreshExplorer !== undefined, ...(otherKubeconfig ? { otherKubeconfig } : {}) };
}
