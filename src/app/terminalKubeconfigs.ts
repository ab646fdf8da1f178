import { removeDeadSubfolders, terminalFolders } from '../vcluster/privateFolder';

// Where the private kubeconfigs of vcluster.openTerminal go (src/vcluster/privateFolder.ts): $XDG_RUNTIME_DIR when it
// is the user's own 0700 folder, else the extension's global storage; never the shared temp folder.

export interface TerminalKubeconfigs {
  /** The folder for the next terminal's kubeconfig (chosen anew each time: $XDG_RUNTIME_DIR may go at logout). */
  folder(): string;
  /** Removes what extension hosts of this host that no longer run (a reloaded or crashed window) left; how many. */
  cleanUp(): number;
}

export function terminalKubeconfigs(globalStorage: string): TerminalKubeconfigs {
  return {
    folder: () => terminalFolders(globalStorage)[0]!,
    cleanUp: () => terminalFolders(globalStorage).reduce((n, f) => n + removeDeadSubfolders(f), 0),
  };
}
