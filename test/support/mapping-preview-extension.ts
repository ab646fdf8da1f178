// A throw-away extension for `node scripts/webview-preview.mjs --vscode`: the real MappingPanels and
// ObjectYamlProvider over a made-up model, so the mapping panel can be looked at (and checked) inside real VS Code
// without a cluster. The preview bundles this file with esbuild and loads it as the extension under development.
//
// Environment: VCE_EVENTS (a file the extension appends its lifecycle events to), VCE_REPORT (where the last
// render report goes), VCE_ROWS (rows of the sample model), VCE_LIFECYCLE=1 (also exercise watch, hide and reveal),
// VCE_SECRET (the value the sample Secret's YAML holds, which must never reach the editor).
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { MappingModel, MappingRow, VClusterRef } from '../../src/shared/model';
import type { Side } from '../../src/shared/mappingProtocol';
import { MappingPanels } from '../../src/webview/mappingPanel';
import type { MappingSource } from '../../src/webview/mappingPanel';
import { ObjectYamlProvider } from '../../src/documents/yamlDocuments';
import { sampleModel, summarize } from '../../webview-ui/mapping/sampleModel';

const log = (line: string) => fs.appendFileSync(process.env.VCE_EVENTS!, `${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function activate(context: vscode.ExtensionContext): void {
  let model: MappingModel = sampleModel({ rows: Number(process.env.VCE_ROWS || 60), namespaces: 6 });
  const lifecycle = process.env.VCE_LIFECYCLE === '1';
  let changed: (() => void) | undefined;
  const yaml = new ObjectYamlProvider(
    async (a) =>
      [
        'apiVersion: v1',
        `kind: ${a.kind}`,
        'metadata:',
        `  name: ${a.name}`,
        `  namespace: ${a.namespace}`,
        ...(a.kind === 'Secret' ? ['type: Opaque', 'data:', `  password: ${process.env.VCE_SECRET ?? ''}`] : ['spec: {}']),
      ].join('\n') + '\n',
  );
  const source: MappingSource = {
    load: async () => {
      log('load');
      return { ...model, fetchedAt: new Date().toISOString() };
    },
    watch: (_ref: VClusterRef, onChange: () => void) => {
      log('watch-start');
      changed = onChange;
      return {
        dispose() {
          changed = undefined;
          log('watch-stop');
        },
      };
    },
    openYaml: (ref: VClusterRef, row: MappingRow, side: Side) => yaml.openRow(ref, row, side),
  };
  const panels = new MappingPanels({ extensionUri: context.extensionUri, source, debounceMs: 200 });
  context.subscriptions.push(yaml, panels, panels.registerSerializer());
  const panel = panels.show(model.vcluster);
  panel.onDidRender((r) => {
    log(`rendered ${r.total}`);
    fs.writeFileSync(process.env.VCE_REPORT!, JSON.stringify(r));
  });
  if (!lifecycle) return;
  void (async () => {
    while (panel.lastRendered?.total !== model.rows.length || !changed) await sleep(100);
    // a new object appears, reported as a burst of five events: the panel must reload once
    const rows: MappingRow[] = [
      ...model.rows,
      {
        kind: 'Pod',
        virtualNamespace: 'default',
        virtualName: 'new-pod',
        hostNamespace: model.hostNamespace,
        hostName: 'new-pod-x-default-x-dev',
        state: 'synced',
      },
    ];
    model = { ...model, rows, summary: summarize(rows) };
    for (let i = 0; i < 5; i++) changed?.();
    while (panel.lastRendered?.total !== rows.length) await sleep(100);
    // hide the panel behind another editor in its group, then bring it back
    const doc = await vscode.workspace.openTextDocument({ content: 'hiding the mapping panel' });
    await vscode.window.showTextDocument(doc, { viewColumn: panel.panel.viewColumn, preview: false });
    await sleep(1000);
    log(`watching-while-hidden ${panel.watching}`);
    const next = panel.nextRender(15000).catch(() => log('no render after reveal'));
    panel.reveal();
    await next;
    log(`watching-after-reveal ${panel.watching}`);
    log('lifecycle-done');
  })();
}

export function deactivate(): void {}
