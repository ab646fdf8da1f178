import * as vscode from 'vscode';
import { KUBERNETES_EXTENSION_ID } from '../shared/kubernetesExtensionApi';
import { setContextKey } from './contextKeys';

/** Whether the Kubernetes extension is installed (and enabled) in this window. */
export function kubernetesExtensionInstalled(): boolean {
  return vscode.extensions.getExtension(KUBERNETES_EXTENSION_ID) !== undefined;
}

/**
 * Keeps the context key `vcluster.kubernetesExtensionInstalled` equal to kubernetesExtensionInstalled(): set now, and
 * again whenever extensions are installed, removed, enabled or disabled. The menu entry of Show in Kubernetes Extension
 * depends on it; the extension is an optional companion, never a dependency.
 */
export function trackKubernetesExtension(): vscode.Disposable {
  const update = () => setContextKey('kubernetesExtension', kubernetesExtensionInstalled());
  update();
  return vscode.extensions.onDidChange(update);
}
