import * as vscode from 'vscode';
import { ContextKeys } from '../shared/ids';

/** The value each `when`-clause context key of ContextKeys takes. */
export interface ContextKeyValues {
  readonly state: 'ready' | 'noKubeconfig' | 'noContexts';
  readonly cliMissing: boolean;
  readonly canUndoKubeconfig: boolean;
  readonly workspaceScoped: boolean;
  readonly kubernetesExtension: boolean;
}

const lastSet: Partial<ContextKeyValues> = {};

/** The values set so far (the integration tests read them: VS Code offers no way to read a context key back). */
export function contextKeyValues(): Partial<ContextKeyValues> {
  return { ...lastSet };
}

/** Sets one of the extension's `when`-clause context keys: the only place that calls `setContext`. */
export function setContextKey<K extends keyof typeof ContextKeys & keyof ContextKeyValues>(key: K, value: ContextKeyValues[K]): void {
  lastSet[key] = value;
  void vscode.commands.executeCommand('setContext', ContextKeys[key], value);
}
