// The extension's foundation inside a real VS Code extension host: it activates, registers exactly the commands its
// manifest declares, contributes its view container and view, and returns its public API.
import assert from 'node:assert/strict';
import path from 'node:path';
import * as vscode from 'vscode';
import { API_VERSION, Commands, EXPLORER_VIEW_ID, VIEW_CONTAINER_ID } from '../../src/shared/ids';
import { EXTENSION_ID } from './support/workbench';

interface Manifest {
  contributes: {
    commands: { command: string }[];
    viewsContainers: { activitybar: { id: string }[] };
    views: Record<string, { id: string }[]>;
  };
}

function extension(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded in this VS Code`);
  return ext;
}

describe('foundation (real VS Code extension host)', () => {
  let api: unknown;

  before(async () => {
    api = await extension().activate();
  });

  it('runs inside a real VS Code and activates the extension', () => {
    console.log(`    VS Code ${vscode.version} (${vscode.env.appName}, ${vscode.env.appHost}), Node ${process.version}`);
    assert.match(vscode.version, /^\d+\.\d+\.\d+/);
    assert.equal(extension().isActive, true);
  });

  it('sees the environment the launcher passes to the extension host', () => {
    // scripts/integration.mjs and scripts/test-electron.mjs both set KUBECONFIG (a missing file by default)
    // and VCE_RESULT_FILE; later suites rely on this to point the extension at test clusters.
    assert.ok(process.env.KUBECONFIG && path.isAbsolute(process.env.KUBECONFIG), `KUBECONFIG=${process.env.KUBECONFIG}`);
    assert.ok(process.env.VCE_RESULT_FILE && path.isAbsolute(process.env.VCE_RESULT_FILE), `VCE_RESULT_FILE=${process.env.VCE_RESULT_FILE}`);
    // PATH too: the server must not swap it for a login shell's PATH (code-server --force-disable-user-env)
    const entry = process.env.VCE_EXPECTED_PATH_ENTRY;
    assert.ok(entry, 'the launcher did not set VCE_EXPECTED_PATH_ENTRY');
    assert.ok((process.env.PATH ?? '').split(path.delimiter).includes(entry), `${entry} is missing from PATH=${process.env.PATH}`);
  });

  it('opens the workspace with the trust the launcher asked for', () => {
    // VCE_WORKSPACE_TRUST is set by the launchers: 'untrusted' for `scripts/integration.mjs --untrusted`
    const expected = process.env.VCE_WORKSPACE_TRUST;
    assert.ok(expected === 'trusted' || expected === 'untrusted', `VCE_WORKSPACE_TRUST=${expected}`);
    assert.equal(vscode.workspace.isTrusted, expected === 'trusted');
  });

  it('activate() returns the API object with a numeric version', () => {
    assert.equal(typeof api, 'object');
    const version = (api as { version?: unknown }).version;
    assert.equal(typeof version, 'number');
    assert.equal(version, API_VERSION);
  });

  it('registers every command that package.json declares, and declares every vcluster.* command it registers', async () => {
    const manifest = extension().packageJSON as Manifest;
    const declared = manifest.contributes.commands.map((c) => c.command).sort();
    assert.ok(declared.length > 0, 'package.json declares no commands');
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(
      declared.filter((c) => !registered.has(c)),
      [],
      'declared but not registered',
    );
    // The workbench itself registers `<view id>.focus`, `.resetViewLocation`, ... for every view; those are not ours.
    const ours = [...registered].filter((c) => c.startsWith('vcluster.') && !c.startsWith(`${EXPLORER_VIEW_ID}.`));
    assert.deepEqual(ours.filter((c) => !declared.includes(c)).sort(), [], 'registered but not declared');
    assert.deepEqual(
      Object.values(Commands).filter((c) => !declared.includes(c)),
      [],
      'in src/shared/ids.ts but not in package.json',
    );
  });

  it('contributes the view container and the Clusters view, which can be focused', async () => {
    const manifest = extension().packageJSON as Manifest;
    assert.ok(manifest.contributes.viewsContainers.activitybar.some((c) => c.id === VIEW_CONTAINER_ID));
    assert.ok((manifest.contributes.views[VIEW_CONTAINER_ID] ?? []).some((v) => v.id === EXPLORER_VIEW_ID));
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.ok(registered.has(`workbench.view.extension.${VIEW_CONTAINER_ID}`), 'the workbench knows no such view container');
    assert.ok(registered.has(`${EXPLORER_VIEW_ID}.focus`), 'the workbench knows no such view');
    await vscode.commands.executeCommand(`${EXPLORER_VIEW_ID}.focus`);
  });
});
