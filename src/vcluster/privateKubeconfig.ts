import fs from 'node:fs';
import path from 'node:path';
import { stringify as toYaml } from 'yaml';
import { type VirtualEndpoint, type VirtualKubeconfig, virtualKubeconfigEntry } from './access';
import { newPrivateSubfolder, removeDeadSubfolders } from './privateFolder';

// A kubeconfig for one vcluster only, for a terminal (what `vcluster connect NAME -- $SHELL` gives, without a process
// held open and without touching the user's kubeconfig): the allow-listed entries of its vc-NAME secret at the
// endpoint the extension reaches, in a directory of its own (0700) as a file only its user may read (0600), inside a
// folder only the user can reach (privateFolder.ts: never the shared temp folder). It is removed when the terminal
// closes, and with the folders of dead extension hosts when the next terminal opens.

export interface PrivateKubeconfig {
  readonly file: string;
  readonly contextName: string;
  /** Removes the file and its directory (idempotent). */
  remove(): void;
}

/** `folder`: one of terminalFolders() (privateFolder.ts), checked and created 0700 here. */
export function writePrivateKubeconfig(contextName: string, kc: VirtualKubeconfig, endpoint: VirtualEndpoint, folder: string): PrivateKubeconfig {
  const entry = virtualKubeconfigEntry(contextName, kc, endpoint);
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [entry.cluster],
    users: [entry.user],
    contexts: [{ name: contextName, context: { cluster: contextName, user: contextName } }],
    'current-context': contextName,
    preferences: {},
  };
  // mkdtemp creates the directory with mode 0700; the file is created new ('wx') with 0600, never through a link.
  const dir = newPrivateSubfolder(folder);
  removeDeadSubfolders(folder);
  const file = path.join(dir, 'kubeconfig');
  try {
    fs.writeFileSync(file, toYaml(doc), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  let removed = false;
  return {
    file,
    contextName,
    remove: () => {
      if (removed) return;
      removed = true;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
