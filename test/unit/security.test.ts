import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

// Static guarantees, checked on the sources themselves: programs are started without a shell, the domain layers stay
// free of vscode, and untrusted workspaces cannot name programs or run them.

const root = path.resolve(__dirname, '..', '..');

function files(dir: string, exts = ['.ts', '.mjs', '.js', '.cjs']): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (exts.some((x) => e.name.endsWith(x))) out.push(p);
    }
  };
  walk(path.join(root, dir));
  return out;
}

const SHELL_PATTERNS: [RegExp, string][] = [
  [/\bshell\s*:\s*true\b/, 'shell: true'],
  [/\b(?:child_process|cp)\.exec(?:Sync)?\s*\(/, 'child_process.exec'],
  [/import\s*\{[^}]*\bexec(?:Sync)?\b[^}]*\}\s*from\s*['"](?:node:)?child_process['"]/, 'import { exec } from child_process'],
  [/\bspawn(?:Sync)?\(\s*['"](?:\/bin\/)?(?:ba|z)?sh['"]\s*,\s*\[\s*['"]-c['"]/, 'spawn("sh", ["-c", …])'],
  [/\bterminal\.sendText\(/, 'terminal.sendText (a shell command line)'],
];

describe('security properties of the sources', () => {
  it('the product never runs programs through a shell', () => {
    const hits: string[] = [];
    for (const f of [...files('src'), ...files('webview-ui')]) {
      const text = fs.readFileSync(f, 'utf8');
      for (const [re, what] of SHELL_PATTERNS) if (re.test(text)) hits.push(`${path.relative(root, f)}: ${what}`);
    }
    assert.deepEqual(hits, []);
  });

  it('scripts and tests do not either, except for the probes that the checks above are about', () => {
    const hits: string[] = [];
    for (const f of [...files('scripts'), ...files('test')]) {
      if (f === __filename) continue;
      const text = fs.readFileSync(f, 'utf8');
      for (const [re, what] of SHELL_PATTERNS.slice(0, 3)) if (re.test(text)) hits.push(`${path.relative(root, f)}: ${what}`);
    }
    assert.deepEqual(hits, []);
  });

  it('the domain layers and the webview bundle do not import vscode', () => {
    const hits = [...files('src/kube'), ...files('src/vcluster'), ...files('src/shared'), ...files('webview-ui')]
      .filter((f) => /from\s+['"]vscode['"]|require\(['"]vscode['"]\)/.test(fs.readFileSync(f, 'utf8')))
      .map((f) => path.relative(root, f));
    assert.deepEqual(hits, []);
  });

  it('untrusted workspaces: program settings are restricted, commands that run programs need trust', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    const cap = pkg.capabilities.untrustedWorkspaces;
    assert.equal(cap.supported, 'limited');
    for (const key of ['vcluster.cliPath', 'vcluster.helmPath', 'vcluster.create.extraArgs']) assert.ok(cap.restrictedConfigurations.includes(key), key);
    const props = pkg.contributes.configuration.properties;
    for (const key of ['vcluster.cliPath', 'vcluster.helmPath', 'vcluster.create.extraArgs'])
      assert.equal(props[key].scope, 'machine', `${key} cannot be set by a workspace`);
    for (const id of ['vcluster.create', 'vcluster.delete']) {
      const cmd = pkg.contributes.commands.find((c: { command: string }) => c.command === id);
      assert.equal(cmd.enablement, 'isWorkspaceTrusted', id);
    }
  });
});
