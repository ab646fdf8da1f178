import type { KubeClient } from '../kube/client';
import { UserFacingError } from '../shared/errors';
import type { VClusterRef } from '../shared/model';
import { CLI_MISSING, deleteArgs, runCli, type RunReporter } from './cli';

// Deleting a vcluster the way its users do: `vcluster delete` when the CLI is installed, else `helm uninstall` of its
// release plus the clean-up the CLI does and Helm does not (the volume claims of the control plane and its etcd). No
// vscode import.

export interface DeleteOptions extends RunReporter {
  /** The cluster the vcluster runs in (the host, or the vcluster around a nested one), for the clean-up after Helm. */
  readonly cluster: () => Promise<KubeClient>;
  /** The kubeconfig context the programs work through (the same cluster). */
  readonly context: string;
  /** The vcluster CLI, or undefined when it is not installed. */
  readonly cli: string | undefined;
  /** Helm, used only without the CLI. */
  readonly helm: string | undefined;
  /** The programs' environment (KUBECONFIG naming the files that hold `context`). */
  readonly env: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal;
}

/** Deletes vcluster `ref`; returns which program did it. Throws a UserFacingError with the reason when it fails. */
export async function deleteVCluster(ref: VClusterRef, o: DeleteOptions): Promise<'vcluster' | 'helm'> {
  const run = {
    env: o.env,
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.log ? { log: o.log } : {}),
    ...(o.output ? { output: o.output } : {}),
    ...(o.progress ? { progress: o.progress } : {}),
  };
  if (o.cli) {
    await runCli('vcluster delete', o.cli, deleteArgs(ref.name, ref.namespace, o.context), run);
    return 'vcluster';
  }
  if (!o.helm) throw new UserFacingError(`${CLI_MISSING} (Helm was not found either.)`);
  await runCli('helm uninstall', o.helm, ['uninstall', ref.name, '--namespace', ref.namespace, '--kube-context', o.context], run);
  const cluster = await o.cluster();
  for (const pvc of [`data-${ref.name}-0`, `data-${ref.name}-etcd-0`]) {
    await cluster
      .request('DELETE', `/api/v1/namespaces/${ref.namespace}/persistentvolumeclaims/${pvc}`, o.signal ? { signal: o.signal } : {})
      .catch(() => undefined);
  }
  return 'helm';
}
