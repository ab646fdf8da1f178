// Read-only YAML documents for single objects (the mapping panel's "open YAML" action), served from a
// TextDocumentContentProvider on the `vcluster-object:` scheme. Documents of a content provider are read-only in
// VS Code. Secret data never reaches the editor (prepareObjectYaml in objectUri.ts).

import * as vscode from 'vscode';
import type { MappingRow, VClusterRef } from '../shared/model';
import type { Side } from '../shared/mappingProtocol';
import { errorMessage, UserFacingError } from '../shared/errors';
import { redact } from '../shared/redact';
import { Disposable } from '../platform/disposable';
import {
  OBJECT_SCHEME,
  addressForRow,
  decodeObjectUri,
  describeAddress,
  encodeObjectUri,
  prepareObjectYaml,
  type FetchObjectYaml,
  type ObjectAddress,
} from './objectUri';

export { OBJECT_SCHEME, type FetchObjectYaml, type ObjectAddress } from './objectUri';

export class ObjectYamlProvider extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly changed = this.register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this.changed.event;

  /** Registers itself for the `vcluster-object:` scheme; dispose() unregisters. */
  constructor(private readonly fetch: FetchObjectYaml) {
    super();
    this.register(vscode.workspace.registerTextDocumentContentProvider(OBJECT_SCHEME, this));
  }

  uriFor(address: ObjectAddress): vscode.Uri {
    return vscode.Uri.from(encodeObjectUri(address));
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const address = decodeObjectUri({ scheme: uri.scheme, path: uri.path, query: uri.query });
    if (!address) throw new UserFacingError(`Not an object address: ${uri.path}`);
    let text: string;
    try {
      text = await this.fetch(address);
    } catch (err) {
      throw new UserFacingError(`Could not read ${describeAddress(address)}: ${redact(errorMessage(err))}`);
    }
    return prepareObjectYaml(address, text);
  }

  /** Opens (or re-reads and reveals) the object's YAML beside the active editor. */
  async open(address: ObjectAddress, viewColumn: vscode.ViewColumn = vscode.ViewColumn.Beside): Promise<vscode.TextEditor> {
    const uri = this.uriFor(address);
    const existing = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (existing) this.changed.fire(uri); // read it again: the object may have changed since
    let doc = existing ?? (await vscode.workspace.openTextDocument(uri));
    if (doc.languageId !== 'yaml') {
      try {
        doc = await vscode.languages.setTextDocumentLanguage(doc, 'yaml');
      } catch {
        // no YAML language support installed: plain text is fine
      }
    }
    return vscode.window.showTextDocument(doc, { viewColumn, preview: true, preserveFocus: false });
  }

  /** MappingSource.openYaml in one line: `openYaml: (ref, row, side) => provider.openRow(ref, row, side)`. */
  async openRow(ref: VClusterRef, row: MappingRow, side: Side): Promise<void> {
    const address = addressForRow(ref, row, side);
    if (!address) throw new UserFacingError(`This ${row.kind} has no ${side} object.`);
    await this.open(address);
  }
}
