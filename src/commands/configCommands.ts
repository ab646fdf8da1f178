import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import * as notify from '../platform/notify';
import { CancelledError, UserFacingError } from '../shared/errors';
import type { VClusterRef } from '../shared/model';
import { CONFIG_SCHEME } from '../documents/configUri';
import { parseCompareArgs, parseShowConfigArgs, parseVClusterArg } from './contract';
import type { CommandEnv } from './env';
import { resolveRef } from './helpers';
import { KEEP, pickValuesFile } from './valuesFiles';

// vcluster.showConfig, vcluster.compareWithDeployed and vcluster.describe (vcluster.upgrade: upgradeCommand.ts).
// Handlers resolve the target, ask, call the domain (src/vcluster/describe.ts, config/) and show the result.

/** The vcluster a `vcluster-config:` URI (or an editor showing one) is about. */
function refFromConfigUri(env: CommandEnv, arg: unknown): VClusterRef | undefined {
  const uri = arg instanceof vscode.Uri ? arg : undefined;
  if (uri?.scheme === CONFIG_SCHEME) return env.configDocs.addressOf(uri)?.ref;
  return undefined;
}

/**
 * vcluster.showConfig: the values the vcluster was deployed with (the Helm release's user-supplied values) as a
 * read-only YAML document. A vcluster without a Helm release says so and offers the configuration it runs with.
 */
export async function showConfig(env: CommandEnv, arg?: unknown): Promise<vscode.Uri> {
  const given = parseShowConfigArgs(arg);
  const ref = refFromConfigUri(env, arg) ?? (await resolveRef(env, given, undefined, 'Show the configuration of which vcluster?'));
  const services = await env.services();
  const release = await services.helmRelease(ref);
  if (!release) {
    const answer = given.running
      ? 'Show Running Configuration'
      : await notify.warning(
          `vcluster ${ref.name} in ${ref.namespace} was not installed by Helm (it has no Helm release), so the values it was deployed with cannot be read.`,
          { modal: false },
          'Show Running Configuration',
          'Describe',
        );
    if (answer === 'Describe') {
      await env.showDescribe(ref);
      throw new CancelledError('showConfig: described instead');
    }
    if (answer !== 'Show Running Configuration') throw new CancelledError();
    const editor = await env.configDocs.open({ ref, kind: 'running' });
    return editor.document.uri;
  }
  const editor = await env.configDocs.open({ ref, kind: 'values' });
  return editor.document.uri;
}

/**
 * vcluster.compareWithDeployed: the diff editor with the deployed values on the left and a vcluster.yaml on the right.
 * From a deployed-configuration document it asks for the workspace file; from a vcluster.yaml it asks for the vcluster.
 * Argument: an editor resource, or `{ context, namespace, name, parents?, valuesFile? }`.
 */
export async function compareWithDeployed(env: CommandEnv, arg?: unknown): Promise<void> {
  const active = vscode.window.activeTextEditor?.document.uri;
  const target = arg ?? active;
  const given = parseCompareArgs(arg);
  let ref = refFromConfigUri(env, target) ?? given.ref;
  let local = given.valuesFile;
  if (!local && target instanceof vscode.Uri && target.scheme === 'file') local = target.fsPath;
  if (local !== undefined && !fs.existsSync(local)) throw new UserFacingError(`The values file ${local} does not exist.`);
  if (!ref) ref = await resolveRef(env, {}, undefined, 'Compare with the configuration of which vcluster?');
  if (!local) {
    const picked = await pickValuesFile('Compare with the deployed configuration');
    if (!picked || picked === KEEP) throw new CancelledError();
    local = picked;
  }
  const services = await env.services();
  const release = await services.helmRelease(ref);
  const left = await env.configDocs.document({ ref, kind: release ? 'values' : 'running' });
  await vscode.commands.executeCommand(
    'vscode.diff',
    left.uri,
    vscode.Uri.file(local),
    `${ref.name} (${release ? 'deployed values' : 'running configuration'}) ↔ ${path.basename(local)}`,
    { preview: false },
  );
}

/** vcluster.describe: the details view of one vcluster. */
export async function describe(env: CommandEnv, arg?: unknown): Promise<void> {
  const ref = refFromConfigUri(env, arg) ?? (await resolveRef(env, parseVClusterArg(arg), undefined, 'Describe which vcluster?'));
  await env.showDescribe(ref);
}
