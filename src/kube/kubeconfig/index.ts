// The kubeconfig layer: which files, the merged first-wins view, and the one safe writer. No `vscode` here.
export type { EntryKind, KubeconfigErrorCode, KubeconfigProblem } from './errors';
export { KubeconfigError } from './errors';
export type { KubeconfigFilesOptions } from './files';
export { defaultWriteFile, kubeconfigFiles } from './files';
export type { ClusterEntry, ContextEntry, JsonObject, KubeconfigFileInfo, MergedKubeconfig, UserEntry } from './model';
export { loadKubeconfig } from './model';
export type { VClusterContextRef } from './names';
export { parseVClusterContext, vclusterContextName } from './names';
export type { ChangeInfo } from './backup';
export type { ContextSpec, KubeconfigWriterOptions, UndoResult, WriteResult } from './writer';
export { KubeconfigWriter } from './writer';
export { DEFAULT_LOCK_TIMEOUT_MS, lockPathFor } from './lock';
