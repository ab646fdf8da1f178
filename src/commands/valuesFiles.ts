import * as vscode from 'vscode';
import { CancelledError } from '../shared/errors';
import { isVClusterYamlName } from '../vcluster/config/schema';

export { schemaForVersion } from '../vcluster/config/schema';

// Choosing a vcluster.yaml for Create and Upgrade, and the schema it is checked against.

const BROWSE = '__browse__';
export const KEEP = '__keep__';

/** vcluster.yaml files of the workspace (vcluster.yaml, vcluster.yml, *.vcluster.yaml), for quick picks. */
export async function workspaceValuesFiles(): Promise<vscode.Uri[]> {
  const files = await vscode.workspace.findFiles('**/*vcluster.{yaml,yml}', '**/node_modules/**', 100);
  return files.filter((f) => isVClusterYamlName(f.fsPath)).sort((a, b) => a.fsPath.localeCompare(b.fsPath));
}

/** Asks for a values file; `keep` adds "keep the deployed configuration" (undefined is returned for it). */
export async function pickValuesFile(title: string, opts: { keep?: boolean; none?: boolean } = {}): Promise<string | undefined | typeof KEEP> {
  const files = await workspaceValuesFiles();
  const items = [
    ...(opts.keep ? [{ label: 'Keep the deployed configuration', description: 'change the version only', file: KEEP as string | undefined }] : []),
    ...(opts.none ? [{ label: 'No values file', file: undefined as string | undefined }] : []),
    ...files.map((f) => ({ label: vscode.workspace.asRelativePath(f), file: f.fsPath as string | undefined })),
    { label: 'Browse…', file: BROWSE as string | undefined },
  ];
  const pick = await vscode.window.showQuickPick(items, { title, placeHolder: 'vcluster.yaml values file' });
  if (!pick) throw new CancelledError();
  if (pick.file === BROWSE) {
    const uri = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { YAML: ['yaml', 'yml'] } });
    if (!uri?.[0]) throw new CancelledError();
    return uri[0].fsPath;
  }
  return pick.file;
}
