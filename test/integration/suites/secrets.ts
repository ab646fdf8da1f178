// Runs last: after every flow of the suite (tree, contexts, connect, lifecycle, create/delete, mapping, bad input), no
// credential of the harness — client keys, CA keys, bearer tokens — may appear in anything the extension logged or
// posted: the log files of this session (the extension's output channel among them) and the mapping panels' model.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { fx } from '../support/fixture';

/** Distinctive pieces of a PEM: a few base64 runs from its body (a whole PEM would rarely appear verbatim). */
function pemPieces(pem: string): string[] {
  const body = pem
    .split('\n')
    .filter((l) => l && !l.startsWith('-----'))
    .join('');
  return [body.slice(10, 50), body.slice(Math.floor(body.length / 2), Math.floor(body.length / 2) + 40), body.slice(-50, -10)].filter((p) => p.length >= 30);
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && fs.statSync(p).size < 50 * 1024 * 1024) out.push(p);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

export function secretsSuite(): void {
  describe('secrets never reach logs or webviews', () => {
    it('no key, certificate-key or token of the test clusters appears in any log file of the session or in a panel model', function () {
      this.timeout(60_000);
      const secrets: { what: string; value: string }[] = [];
      const add = (what: string, pem: string | undefined) => {
        for (const p of pemPieces(pem ?? '')) secrets.push({ what, value: p });
      };
      add('host admin client key', fx.host.admin.keyPem);
      add('host CA key', fx.host.ca.keyPem);
      for (const vc of fx.world.all()) {
        if (!vc.virtual) continue;
        add(`${vc.name} admin client key`, vc.virtual.admin.keyPem);
        add(`${vc.name} CA key`, vc.virtual.ca.keyPem);
        if (vc.virtual.token.length >= 16) secrets.push({ what: `${vc.name} bearer token`, value: vc.virtual.token });
      }
      secrets.push(...(fx.extraSecrets ?? []));
      assert.ok(secrets.length >= 8, `collected ${secrets.length} secret pieces`);

      // The session's log folder: .../logs/<session>/ holds the window, extension host and every output channel.
      const logDir = fx.api.testing.logDir;
      const sessionDir = path.resolve(logDir, '..', '..', '..');
      const files = filesUnder(sessionDir);
      assert.ok(
        files.some((f) => f.startsWith(logDir)),
        `the extension's own log is under ${sessionDir}`,
      );
      const ownLog = files
        .filter((f) => f.startsWith(logDir))
        .map((f) => fs.readFileSync(f, 'utf8'))
        .join('\n');
      assert.ok(ownLog.length > 500, 'the flows logged something to scan');

      const leaks: string[] = [];
      for (const f of files) {
        const text = fs.readFileSync(f, 'utf8');
        for (const s of secrets) if (text.includes(s.value)) leaks.push(`${s.what} in ${path.relative(sessionDir, f)}`);
      }
      const panels = JSON.stringify(fx.api.testing.panels().all.map((p) => p.model ?? null));
      for (const s of secrets) if (panels.includes(s.value)) leaks.push(`${s.what} in a mapping panel model`);
      assert.deepEqual(leaks, []);
    });

    it('the extension host logged no unhandled rejection or uncaught exception from the extension', () => {
      const logDir = fx.api.testing.logDir;
      const hostLogs = filesUnder(path.resolve(logDir, '..')).filter((f) => /exthost\.log$|remoteexthost\.log$/.test(f));
      assert.ok(hostLogs.length > 0, `an extension host log exists next to ${logDir}`);
      const bad = hostLogs
        .flatMap((f) => fs.readFileSync(f, 'utf8').split('\n'))
        .filter((l) => /unhandled|uncaught|rejected promise not handled/i.test(l) && /vcluster/i.test(l));
      assert.deepEqual(bad, []);
    });

    it('the kubeconfig the extension creates (workspace scope) is readable by its owner only', async () => {
      const f = fx.api.testing.workspaceKubeconfig;
      const ctx = await vscode.commands.executeCommand<string>('vcluster.switchContext', { context: fx.host.contextName, scope: 'workspace' });
      try {
        assert.equal(ctx, fx.host.contextName);
        assert.ok(fs.existsSync(f), 'a workspace-scoped switch writes it');
        assert.equal(fs.statSync(f).mode & 0o777, 0o600);
      } finally {
        await vscode.commands.executeCommand('vcluster.clearWorkspaceContext');
      }
    });
  });
}
