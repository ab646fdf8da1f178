// Read-only documents of a deployed vcluster's configuration (`vcluster-config:` URIs, see configUri.ts), served by a
// TextDocumentContentProvider: VS Code shows such documents read-only, and the diff editor compares them with a
// vcluster.yaml of the workspace. The text comes from Services.configText (credentials hidden there).

import * as vscode from 'vscode';
import { errorMessage, UserFacingError } from '../shared/errors';
import { redact } from '../shared/redact';
import { CONFIG_SCHEME, decodeConfigUri, encodeConfigUri, type ConfigAddress } from './configUri';
import { Disposable } from '../platform/disposable';

export { CONFIG_SCHEME, type ConfigAddress } from './configUri';

export class ConfigDocumentProvider extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly changed = this.register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this.changed.event;

  constructor(private readonly fetch: (a: ConfigAddress) => Promise<string>) {
    super();
    this.register(vscode.workspace.registerTextDocumentContentProvider(CONFIG_SCHEME, this));
  }

  uriFor(a: ConfigAddress): vscode.Uri {
    return vscode.Uri.from(encodeConfigUri(a));
  }

  addressOf(uri: vscode.Uri): ConfigAddress | undefined {
    return decodeConfigUri({ scheme: uri.scheme, path: uri.path, query: uri.query });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const a = this.addressOf(uri);
    if (!a) throw new UserFacingError(`Not a vcluster configuration address: ${uri.path}`);
    try {
      return await this.fetch(a);
    } catch (err) {
      throw new UserFacingError(`Could not read the configuration of vcluster ${a.ref.name}: ${redact(errorMessage(err))}`);
    }
  }

  /** The document of an address, read again if it is open already (the release may have changed). */
  async document(a: ConfigAddress): Promise<vscode.TextDocument> {
    const uri = this.uriFor(a);
    const existing = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (existing) this.changed.fire(uri);
    let doc = existing ?? (await vscode.workspace.openTextDocument(uri));
    if (doc.languageId !== 'yaml') {
      try {
        doc = await vscode.languages.setTextDocumentLanguage(doc, 'yaml');
      } catch {
        // no YAML language support: plain text is fine
      }
    }
    return doc;
  }

  async open(a: ConfigAddress, viewColumn: vscode.ViewColumn = vscode.ViewColumn.Active): Promise<vscode.TextEditor> {
    return vscode.window.showTextDocument(await this.document(a), { viewColumn, preview: false });
  }
}
