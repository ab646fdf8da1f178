// Builds the product's own model over a kubeconfig, as the extension does, for the cluster suites.
import { ExplorerModel } from '../../src/vcluster/explorer';
import { KubeconfigState } from '../../src/vcluster/kubeconfigState';
import { TunnelManager } from '../../src/kube/tunnel';

export interface ProductModel {
  readonly model: ExplorerModel;
  readonly kubeconfig: KubeconfigState;
  readonly tunnels: TunnelManager;
  dispose(): void;
}

export function productModel(
  files: string[],
  opts: { watch?: boolean; debounceMs?: number; timeoutMs?: number; nestedMaxDepth?: number; searchNamespaces?: (context: string) => readonly string[] } = {},
): ProductModel {
  const kubeconfig = new KubeconfigState(
    () => files,
    () => opts.watch ?? false,
  );
  const tunnels = new TunnelManager();
  const model = new ExplorerModel({
    kubeconfig,
    watch: () => opts.watch ?? false,
    debounceMs: () => opts.debounceMs ?? 50,
    timeoutMs: () => opts.timeoutMs ?? 15_000,
    nestedMaxDepth: () => opts.nestedMaxDepth ?? 3,
    tunnels,
    searchNamespaces: opts.searchNamespaces,
  });
  return {
    model,
    kubeconfig,
    tunnels,
    dispose: () => {
      model.dispose();
      kubeconfig.dispose();
      tunnels.dispose();
    },
  };
}
