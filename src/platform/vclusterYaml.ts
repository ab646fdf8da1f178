import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { Disposable } from './disposable';
import type { Logger } from './logger';
import { UserFacingError } from '../shared/errors';
import type { ConfigProblem, ValidationResult, VClusterConfigValidator } from '../vcluster/config/validate';
import { isVClusterYamlName, type JsonSchema } from '../vcluster/config/schema';

// vcluster.yaml in the editor: diagnostics for vcluster.yaml, vcluster.yml and *.vcluster.yaml files (and the
// deployed-configuration documents), and the check Create and Upgrade run before anything else.
//
// With the YAML extension (redhat.vscode-yaml) installed, it validates, completes and documents these files from the
// schema package.json contributes (yamlValidation); this provider then adds only what the schema cannot say: old keys
// and the key to use now. Without it, this provider validates against the schema itself (ajv, draft 2020-12).

export const YAML_EXTENSION_ID = 'redhat.vscode-yaml';
export const DIAGNOSTIC_SOURCE = 'vcluster';
const DEBOUNCE_MS = 250;

export interface VClusterYamlDeps {
  readonly logger: Logger;
  /** The validator of the bundled schema, loaded on first use (compiling the schema takes a second or two). */
  readonly validator: () => Promise<VClusterConfigValidator>;
  /** A validator for another schema (e.g. the one in a deployed vcluster's Helm release). */
  readonly validatorFor: (schema: JsonSchema) => Promise<VClusterConfigValidator>;
  /** Extra URI schemes whose documents are vcluster configurations (the deployed-configuration documents). */
  readonly schemes: readonly string[];
  /**
   * The schema for a document when it is not the bundled one (a deployed configuration: the schema of its chart, from
   * the Helm release), with a note when it had to fall back to the bundled schema.
   */
  readonly schemaFor?: (uri: vscode.Uri) => Promise<{ schema: JsonSchema; note?: string } | undefined>;
}

export class VClusterYamlDiagnostics extends Disposable {
  readonly collection = this.register(vscode.languages.createDiagnosticCollection(DIAGNOSTIC_SOURCE));
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly versions = new Map<string, number>();
  private readonly emitter = this.register(new vscode.EventEmitter<vscode.Uri>());
  /** Fires after the diagnostics of a document were set (tests wait for it). */
  readonly onDidValidate = this.emitter.event;

  constructor(private readonly deps: VClusterYamlDeps) {
    super();
    this.register(vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d)));
    this.register(vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)));
    this.register(
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.collection.delete(d.uri);
        this.versions.delete(d.uri.toString());
      }),
    );
    this.register(
      vscode.extensions.onDidChange(() => {
        for (const d of vscode.workspace.textDocuments) this.schedule(d);
      }),
    );
    // released first: no validation starts after dispose()
    this.register({
      dispose: () => {
        for (const t of this.timers.values()) clearTimeout(t);
        this.timers.clear();
      },
    });
    for (const d of vscode.workspace.textDocuments) this.schedule(d);
  }

  /** True for documents this provider validates. */
  applies(doc: vscode.TextDocument): boolean {
    if (this.deps.schemes.includes(doc.uri.scheme)) return true;
    return (doc.uri.scheme === 'file' || doc.uri.scheme === 'untitled' || doc.uri.scheme === 'vscode-remote') && isVClusterYamlName(doc.uri.path);
  }

  /** The YAML extension validates against the contributed schema itself. */
  get yamlExtensionActive(): boolean {
    return vscode.extensions.getExtension(YAML_EXTENSION_ID) !== undefined;
  }

  private schedule(doc: vscode.TextDocument): void {
    if (!this.applies(doc)) return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.validateDocument(doc).catch((err) =>
          this.deps.logger.warn(`vcluster.yaml validation failed: ${err instanceof Error ? err.message : String(err)}`),
        );
      }, DEBOUNCE_MS),
    );
  }

  /** Validates a document now and sets its diagnostics. */
  async validateDocument(doc: vscode.TextDocument, validator?: VClusterConfigValidator): Promise<ValidationResult> {
    const version = doc.version;
    const special = validator ? undefined : await this.deps.schemaFor?.(doc.uri).catch(() => undefined);
    const v = validator ?? (special ? await this.deps.validatorFor(special.schema) : await this.deps.validator());
    const result = v.validate(doc.getText());
    if (doc.isClosed || doc.version !== version) return result;
    this.setDiagnostics(doc.uri, result.problems, special?.note);
    this.versions.set(doc.uri.toString(), version);
    return result;
  }

  setDiagnostics(uri: vscode.Uri, problems: readonly ConfigProblem[], note?: string): void {
    // The YAML extension reports what the schema rejects; ours would repeat it.
    const shown = this.yamlExtensionActive ? problems.filter((p) => p.kind === 'moved' || p.kind === 'deprecated') : problems;
    const diags = shown.map(toDiagnostic);
    if (note) {
      const d = new vscode.Diagnostic(new vscode.Range(0, 0, 0, 0), note, vscode.DiagnosticSeverity.Information);
      d.source = DIAGNOSTIC_SOURCE;
      d.code = 'schema';
      diags.unshift(d);
    }
    this.collection.set(uri, diags);
    this.emitter.fire(uri);
  }

  /**
   * The check of Create and Upgrade: validates the file as saved on disk (what the CLI reads). With errors, the file
   * opens with its diagnostics and a UserFacingError stops the command before anything runs. Returns the warnings.
   */
  async requireValid(file: string, opts: { schema?: JsonSchema; schemaNote?: string } = {}): Promise<readonly ConfigProblem[]> {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new UserFacingError(`The values file ${file} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    const validator = opts.schema ? await this.deps.validatorFor(opts.schema) : await this.deps.validator();
    const result = validator.validate(text);
    const errors = result.problems.filter((p) => p.severity === 'error');
    const uri = vscode.Uri.file(file);
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open && open.isDirty) this.deps.logger.warn(`${file} has unsaved changes; the vcluster CLI reads the saved file, which is what was checked`);
    if (!open || !open.isDirty) this.setDiagnostics(uri, result.problems);
    if (errors.length === 0) return result.problems;
    const first = errors[0]!;
    const doc = open ?? (await vscode.workspace.openTextDocument(uri));
    const range = new vscode.Range(first.start.line, first.start.character, first.end.line, first.end.character);
    await vscode.window.showTextDocument(doc, { selection: range, preview: false });
    throw new UserFacingError(
      `${path.basename(file)} has ${errors.length} error${errors.length === 1 ? '' : 's'} (first: line ${first.start.line + 1}, ${first.message})${opts.schemaNote ? ` — ${opts.schemaNote}` : ''}. Nothing was run: fix the file and try again.`,
    );
  }
}

function toDiagnostic(p: ConfigProblem): vscode.Diagnostic {
  const d = new vscode.Diagnostic(
    new vscode.Range(p.start.line, p.start.character, p.end.line, p.end.character),
    p.message,
    p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
  );
  d.source = DIAGNOSTIC_SOURCE;
  d.code = p.kind;
  if (p.kind === 'deprecated' || p.kind === 'moved') d.tags = [vscode.DiagnosticTag.Deprecated];
  return d;
}
