// The import direction of docs/architecture.md is checked by `npm run lint` (eslint.config.mjs): each case lints one
// import as if it were written in a file of that layer, with the repository's own ESLint configuration.
import assert from 'node:assert/strict';
import path from 'node:path';
import type { ESLint as ESLintType } from 'eslint';

const repoRoot = path.resolve(__dirname, '..', '..');

const wrong: [file: string, code: string][] = [
  ['src/kube/fixture.ts', "import { refKey } from '../vcluster/refs';\nexport const k = refKey;\n"],
  ['src/kube/kubeconfig/fixture.ts', "export const load = () => import('../../commands/contract');\n"],
  ['src/kube/fixture.ts', "import * as vscode from 'vscode';\nexport const v = vscode;\n"],
  ['src/shared/fixture.ts', "import { KubeError } from '../kube/errors';\nexport const e = KubeError;\n"],
  ['src/vcluster/fixture.ts', "import { Logger } from '../platform/logger';\nexport const l = Logger;\n"],
  ['src/vcluster/config/fixture.ts', "import { scopeOf } from '../../commands/contract';\nexport const f = scopeOf;\n"],
  ['src/vcluster/fixture.ts', "export const load = () => import('../tree/nodes');\n"],
  ['src/vcluster/fixture.ts', "import * as vscode from 'vscode';\nexport const v = vscode;\n"],
  ['src/webview/fixture.ts', "import { fetchMapping } from '../vcluster/mapping';\nexport const f = fetchMapping;\n"],
  ['src/webview/fixture.ts', "import { KubeClient } from '../kube/client';\nexport const c = KubeClient;\n"],
  ['src/tree/fixture.ts', "import { scopeOf } from '../commands/contract';\nexport const f = scopeOf;\n"],
  ['src/commands/fixture.ts', "import { activate } from '../extension';\nexport const a = activate;\n"],
  ['src/commands/fixture.ts', "export const load = () => import('../vcluster/lifecycle');\n"],
  ['src/documents/fixture.ts', "import { fetchMapping } from '../vcluster/mapping';\nexport const f = fetchMapping;\n"],
  ['src/documents/fixture.ts', "import { MappingPanels } from '../webview/mappingPanel';\nexport const p = MappingPanels;\n"],
  ['src/webview/fixture.ts', "import { LogDocuments } from '../documents/logDocuments';\nexport const l = LogDocuments;\n"],
  ['src/tree/fixture.ts', "import { LogDocuments } from '../documents/logDocuments';\nexport const l = LogDocuments;\n"],
  ['webview-ui/mapping/fixture.ts', "import { refKey } from '../../src/vcluster/refs';\nexport const k = refKey;\n"],
  ['webview-ui/mapping/fixture.ts', "import { MappingPanels } from '../../src/webview/mappingPanel';\nexport const p = MappingPanels;\n"],
  ['webview-ui/describe/fixture.ts', "import { byId } from '../mapping/dom';\nexport const b = byId;\n"],
  ['webview-ui/common/fixture.ts', "import { state } from '../mapping/state';\nexport const s = state;\n"],
  ['webview-ui/fixture.ts', "import { refKey } from '../src/vcluster/refs';\nexport const k = refKey;\n"],
];

const right: [file: string, code: string][] = [
  ['src/kube/fixture.ts', "import { redact } from '../shared/redact';\nexport const r = redact;\n"],
  ['src/vcluster/fixture.ts', "import { KubeClient } from '../kube/client';\nexport const c = KubeClient;\n"],
  ['src/tree/fixture.ts', "import { refKey } from '../vcluster/refs';\nexport const k = refKey;\n"],
  ['src/vcluster/config/fixture.ts', "import { Services } from '../services';\nexport const s = Services;\n"],
  ['src/commands/fixture.ts', "import { ExplorerTreeProvider } from '../tree/explorerTree';\nexport const t = ExplorerTreeProvider;\n"],
  ['src/documents/fixture.ts', "import { Disposable } from '../platform/disposable';\nexport const d = Disposable;\n"],
  ['src/app/fixture.ts', "import { LogDocuments } from '../documents/logDocuments';\nexport const l = LogDocuments;\n"],
  ['webview-ui/mapping/fixture.ts', "import { rowKey } from '../../src/shared/mappingProtocol';\nexport const p = rowKey;\n"],
  ['webview-ui/describe/fixture.ts', "import { listen } from '../common/vscodeApi';\nexport const l = listen;\n"],
  ['webview-ui/common/fixture.ts', "import { refLabel } from '../../src/shared/vclusterRef';\nexport const r = refLabel;\n"],
];

describe('lint: the import direction of the layers', function () {
  this.timeout(60_000);
  let eslint: ESLintType;
  before(async () => {
    const { ESLint } = await import('eslint');
    eslint = new ESLint({ cwd: repoRoot });
  });

  const importProblems = async (file: string, code: string) => {
    const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, file) });
    return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax');
  };

  for (const [file, code] of wrong) {
    it(`fails: ${file}: ${code.split('\n')[0]}`, async () => {
      const problems = await importProblems(file, code);
      assert.equal(problems.length, 1, `expected one import error, got ${JSON.stringify(problems)}`);
      assert.equal(problems[0]!.severity, 2, 'an error, so `npm run lint` exits non-zero');
    });
  }

  for (const [file, code] of right) {
    it(`passes: ${file}: ${code.split('\n')[0]}`, async () => {
      assert.deepEqual(await importProblems(file, code), []);
    });
  }

  // Every notification goes through src/platform/notify.ts (redaction, no links from cluster text): a direct
  // window.show*Message or a progress notification anywhere else in src/ fails, and notify.ts keeps the import rules of its layer.
  const wrongMessages: [file: string, code: string][] = [
    ['src/commands/fixture.ts', "import * as vscode from 'vscode';\nexport const m = () => vscode.window.showErrorMessage('x');\n"],
    ['src/app/fixture.ts', "import { window } from 'vscode';\nexport const m = () => window.showInformationMessage('x');\n"],
    ['src/fixture.ts', "import * as vscode from 'vscode';\nexport const m = () => vscode.window['showWarningMessage']('x');\n"],
    ['src/tree/fixture.ts', "import * as vscode from 'vscode';\nconst { showWarningMessage } = vscode.window;\nexport const m = showWarningMessage;\n"],
    ['src/webview/fixture.ts', "import * as vscode from 'vscode';\nexport const m = () => vscode.window.showInformationMessage('x');\n"],
    [
      'src/commands/fixture.ts',
      "import * as vscode from 'vscode';\nexport const p = () => vscode.window.withProgress({ location: vscode.ProgressLocation.Notification }, async () => 1);\n",
    ],
    ['src/platform/notify.ts', "import { scopeOf } from '../commands/contract';\nexport const f = scopeOf;\n"],
  ];
  for (const [file, code] of wrongMessages) {
    it(`fails: ${file}: ${code.split('\n')[1]}`, async () => {
      const problems = await importProblems(file, code);
      assert.equal(problems.length, 1, `expected one error, got ${JSON.stringify(problems)}`);
      assert.equal(problems[0]!.severity, 2);
    });
  }
  it('passes: src/platform/notify.ts calls window.showErrorMessage', async () => {
    const code = "import * as vscode from 'vscode';\nexport const m = () => vscode.window.showErrorMessage('x');\n";
    assert.deepEqual(await importProblems('src/platform/notify.ts', code), []);
  });
});
