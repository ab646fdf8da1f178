import type * as vscode from 'vscode';
import type { Logger } from '../platform/logger';
import { Commands } from '../shared/ids';
import type { ExplorerTreeProvider } from '../tree/explorerTree';
import { compareWithDeployed, describe, showConfig } from './configCommands';
import { create, deleteVCluster } from './createDeleteCommands';
import { clearWorkspaceContext, setContextNamespace, switchContext, undoKubeconfigChange } from './contextCommands';
import type { CommandEnv } from './env';
import { describeObject } from './objectDescribeCommand';
import { exec, logs, openTerminal, portForward, restartPortForward, revealHostObject, showEvents, stopPortForward } from './insideCommands';
import { revealInKubernetes } from './kubernetesCommands';
import { registerCommand } from './register';
import { upgrade } from './upgradeCommand';
import { connect, disconnect, pause, resume, showMapping } from './vclusterCommands';
import { filterNamespaces, refresh, setSearchNamespaces, showLog } from './viewCommands';

/** Registers every command of package.json: the map is exhaustive over Commands, so a new id without a handler fails to compile. */
export function registerCommands(env: CommandEnv, tree: ExplorerTreeProvider, logger: Logger): vscode.Disposable[] {
  const handlers: Record<(typeof Commands)[keyof typeof Commands], (arg?: unknown) => unknown> = {
    [Commands.refresh]: (arg) => refresh(env, arg),
    [Commands.switchContext]: (arg) => switchContext(env, arg),
    [Commands.create]: (arg) => create(env, arg),
    [Commands.connect]: (arg) => connect(env, arg),
    [Commands.disconnect]: (arg) => disconnect(env, arg),
    [Commands.delete]: (arg) => deleteVCluster(env, arg),
    [Commands.pause]: (arg) => pause(env, arg),
    [Commands.resume]: (arg) => resume(env, arg),
    [Commands.showMapping]: (arg) => showMapping(env, arg),
    [Commands.upgrade]: (arg) => upgrade(env, arg),
    [Commands.showConfig]: (arg) => showConfig(env, arg),
    [Commands.compareWithDeployed]: (arg) => compareWithDeployed(env, arg),
    [Commands.describe]: (arg) => describe(env, arg),
    [Commands.filterNamespaces]: (arg) => filterNamespaces(env, arg),
    [Commands.setSearchNamespaces]: (arg) => setSearchNamespaces(env, arg),
    [Commands.setContextNamespace]: (arg) => setContextNamespace(env, arg),
    [Commands.undoKubeconfigChange]: () => undoKubeconfigChange(env),
    [Commands.clearWorkspaceContext]: () => clearWorkspaceContext(env),
    [Commands.showLog]: () => showLog(env),
    [Commands.logs]: (arg) => logs(env, arg),
    [Commands.exec]: (arg) => exec(env, arg),
    [Commands.openTerminal]: (arg) => openTerminal(env, arg),
    [Commands.portForward]: (arg) => portForward(env, arg),
    [Commands.stopPortForward]: (arg) => stopPortForward(env, arg),
    [Commands.restartPortForward]: (arg) => restartPortForward(env, arg),
    [Commands.showEvents]: (arg) => showEvents(env, arg),
    [Commands.revealHostObject]: (arg) => revealHostObject(env, arg),
    [Commands.revealInKubernetes]: (arg) => revealInKubernetes(env, arg),
    [Commands.describeObject]: (arg) => describeObject(env, arg),
    [Commands.showMore]: (arg) => tree.showMore(arg),
  };
  return Object.entries(handlers).map(([id, handler]) => registerCommand(id as keyof typeof handlers, handler, logger));
}
