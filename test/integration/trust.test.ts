// Workspace trust, checked in both modes: scripts/test.mjs runs the integration suite once in a trusted workspace and
// once more (this file only) in Restricted Mode. Commands that run programs refuse in an untrusted workspace with an
// explanation, before anything runs; in a trusted one the same call gets past that check to the next one.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { captureMessages, extensionApi } from './support/workbench';

describe('workspace trust', () => {
  const untrusted = process.env.VCE_WORKSPACE_TRUST === 'untrusted';

  it(`create and delete ${untrusted ? 'refuse in Restricted Mode, before running anything' : 'pass the trust check in a trusted workspace'}`, async () => {
    await extensionApi();
    assert.equal(vscode.workspace.isTrusted, !untrusted);
    const capture = captureMessages();
    try {
      // An invalid name: in a trusted workspace this is the first thing create rejects; untrusted, trust comes first.
      const created = await vscode.commands.executeCommand('vcluster.create', { context: 'no-such-context', name: 'Not_A_Name', namespace: 'ns' });
      const deleted = await vscode.commands.executeCommand('vcluster.delete', { context: 'no-such-context', namespace: 'ns', name: 'x', force: true });
      assert.equal(created, undefined);
      assert.equal(deleted, undefined);
      const errors = capture.errors();
      assert.equal(errors.length, 2, errors.join(' | '));
      if (untrusted) {
        assert.match(errors[0]!, /Creating a vcluster runs programs, which is disabled in an untrusted workspace/);
        assert.match(errors[1]!, /Deleting a vcluster runs programs, which is disabled in an untrusted workspace/);
      } else {
        for (const e of errors) assert.doesNotMatch(e, /untrusted/);
      }
    } finally {
      capture.dispose();
    }
  });
});
