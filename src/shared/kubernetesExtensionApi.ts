// The parts of the Kubernetes extension's public API (ms-kubernetes-tools.vscode-kubernetes-tools) that vcluster
// Explorer uses, read from what that extension's activate() returns. Plain data and functions: no vscode import, so
// that plain-Node tests can check how an export is interpreted.
//
// The contract is the npm package vscode-kubernetes-tools-api 1.3.0 (github.com/vscode-kubernetes-tools/
// vscode-kubernetes-tools-api): activate() returns an APIBroker whose get(component, version) answers
// { available: true, api } or { available: false, reason } (ts/index.ts). We use:
//   - get('clusterexplorer', 'v1').api.refresh()              ts/cluster-explorer/v1.ts
//   - get('configuration', 'v1').api.getKubeconfigPath()      ts/configuration/v1.ts: { pathType: 'host', hostPath }
//                                                             or { pathType: 'wsl', wslPath }
// The cluster explorer API (v1 and v1_1) has no call that reveals or selects a node: it offers resolveCommandTarget,
// registerNodeContributor, nodeSources, registerNodeUICustomizer and refresh, nothing more. Neither has the API a call
// that switches the context (kubectl v1 only runs kubectl command lines). So vcluster Explorer makes the vcluster's
// context current in the kubeconfig itself, refreshes the cluster explorer through the API (the current context is
// the expanded one there) and focuses its view (the `<view id>.focus` command VS Code makes for every view).
import { isRecord } from './guards';

export const KUBERNETES_EXTENSION_ID = 'ms-kubernetes-tools.vscode-kubernetes-tools';
/** The Kubernetes extension's Clusters view (its package.json, views.kubernetesView). */
export const KUBERNETES_EXPLORER_VIEW_ID = 'extension.vsKubernetesExplorer';

export type KubeconfigPathOfExtension = { readonly pathType: 'host'; readonly hostPath: string } | { readonly pathType: 'wsl'; readonly wslPath: string };

export interface KubernetesExtensionApi {
  /** Refreshes the Clusters view; undefined when the installed version does not offer clusterexplorer v1. */
  readonly refreshExplorer?: () => void;
  /** The kubeconfig the extension reads; undefined when configuration v1 is not offered or answers nonsense. */
  readonly kubeconfigPath?: () => KubeconfigPathOfExtension | undefined;
  /** Why a component is missing (e.g. "clusterexplorer v1: version-unknown"), for the log. */
  readonly unavailable: readonly string[];
}

/** One component of the broker: its api object, or the reason it is not there. */
function component(broker: Record<string, unknown>, name: string, version: string): { api?: Record<string, unknown>; reason?: string } {
  if (typeof broker.get !== 'function') return { reason: `${name} ${version}: the extension's export has no get() (an old version)` };
  let answer: unknown;
  try {
    answer = (broker.get as (c: string, v: string) => unknown)(name, version);
  } catch (err) {
    return { reason: `${name} ${version}: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (!isRecord(answer)) return { reason: `${name} ${version}: no answer` };
  if (answer.available !== true) return { reason: `${name} ${version}: ${typeof answer.reason === 'string' ? answer.reason : 'not available'}` };
  return isRecord(answer.api) ? { api: answer.api } : { reason: `${name} ${version}: no api object` };
}

function parseKubeconfigPath(v: unknown): KubeconfigPathOfExtension | undefined {
  if (!isRecord(v)) return undefined;
  if (v.pathType === 'host' && typeof v.hostPath === 'string') return { pathType: 'host', hostPath: v.hostPath };
  if (v.pathType === 'wsl' && typeof v.wslPath === 'string') return { pathType: 'wsl', wslPath: v.wslPath };
  return undefined;
}

/** Interprets what the Kubernetes extension's activate() returned. */
export function kubernetesExtensionApi(exports: unknown): KubernetesExtensionApi {
  if (!isRecord(exports)) return { unavailable: ['the extension exported no API'] };
  const unavailable: string[] = [];
  const explorer = component(exports, 'clusterexplorer', 'v1');
  const configuration = component(exports, 'configuration', 'v1');
  for (const c of [explorer, configuration]) if (c.reason) unavailable.push(c.reason);
  const refresh = explorer.api?.refresh;
  const getPath = configuration.api?.getKubeconfigPath;
  const explorerApi = explorer.api;
  const configurationApi = configuration.api;
  return {
    ...(typeof refresh === 'function'
      ? {
          refreshExplorer: () => {
            (refresh as () => void).call(explorerApi);
          },
        }
      : {}),
    ...(typeof getPath === 'function' ? { kubeconfigPath: () => parseKubeconfigPath((getPath as () => unknown).call(configurationApi)) } : {}),
    unavailable,
  };
}
