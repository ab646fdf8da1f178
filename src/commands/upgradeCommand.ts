import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import * as notify from '../platform/notify';
import { CancelledError, UserFacingError } from '../shared/errors';
import type { VClusterRef } from '../shared/model';
import { BUNDLED_CHART_VERSION } from '../vcluster/config/migrations';
import { contextNameFor, parentOf } from '../vcluster/refs';
import type { Services } from '../vcluster/services';
import { parseUpgradeArgs } from './contract';
import type { CommandEnv } from './env';
import { cancellable, cliEnv, requireCli, requirePermissions, requireTrust, resolveRef } from './helpers';
import { findVCluster } from './picks';
import { KEEP, pickValuesFile, schemaForVersion } from './valuesFiles';

// vcluster.upgrade: resolves the vcluster, asks for a values file and a chart version, has the domain plan the upgrade
// (src/vcluster/upgrade.ts planUpgrade), confirms what the plan asks, runs the CLI and shows the outcome.

/** The kubeconfig context the CLI works through: the host context, or for a nested vcluster the context of its parent. */
async function cliContextFor(env: CommandEnv, ref: VClusterRef, what: string): Promise<string> {
  const parent = parentOf(ref);
  if (!parent) return ref.context;
  const ctx = contextNameFor(parent);
  const services = await env.services();
  if (!(await services.model.contexts()).some((c) => c.name === ctx)) {
    throw new UserFacingError(
      `${what} vcluster ${ref.name}, which runs inside vcluster ${parent.name}, needs a kubeconfig context for ${parent.name}: connect to ${parent.name} first.`,
    );
  }
  return ctx;
}

async function cliVersion(services: Services, cli: string): Promise<string | undefined> {
  try {
    const r = await services.ops.runProgram(cli, ['--version'], { timeoutMs: 15_000 });
    return services.ops.parseCliVersion(r.stdout + r.stderr);
  } catch {
    return undefined;
  }
}

async function pickVersion(services: Services, deployed: string | undefined, cliV: string | undefined): Promise<string> {
  const { versionOffers, isChartVersion } = services.ops;
  const offers = versionOffers({ deployed, cli: cliV, bundled: BUNDLED_CHART_VERSION });
  const OTHER = '__other__';
  const pick = await vscode.window.showQuickPick(
    [
      ...offers.map((o) => ({ label: o.version, description: o.label, version: o.version })),
      { label: 'Other version…', description: 'type a chart version', version: OTHER },
    ],
    { title: 'Upgrade vcluster (2/2)', placeHolder: `Chart version (deployed: ${deployed || 'unknown'})` },
  );
  if (!pick) throw new CancelledError();
  if (pick.version !== OTHER) return pick.version;
  const typed = await vscode.window.showInputBox({
    title: 'Upgrade vcluster',
    prompt: 'Chart version',
    placeHolder: 'e.g. 0.36.1',
    validateInput: (v) => (isChartVersion(v) ? undefined : 'A chart version such as 0.36.1'),
  });
  if (typed === undefined) throw new CancelledError();
  return typed.trim().replace(/^v/, '');
}

/**
 * vcluster.upgrade `{ context, namespace, name, parents?, chartVersion?, valuesFile?, force? }`: `vcluster create NAME
 * --upgrade` with a values file (the deployed values when none is chosen) and a chart version. The domain plans it
 * (src/vcluster/upgrade.ts planUpgrade); deployed values are shown and confirmed, naming what they change in the host
 * cluster, before they are applied. `force: true` skips only the question about a skipped minor version or a downgrade
 * for a chosen file (automation). Asks for whatever the argument leaves out. Returns the Helm release status afterwards.
 */
export async function upgrade(env: CommandEnv, arg?: unknown): Promise<{ revision: number; status: string } | undefined> {
  requireTrust('Upgrading a vcluster');
  // From the editor title of a vcluster.yaml: that file, applied to a vcluster to pick.
  const fromEditor = arg instanceof vscode.Uri && arg.scheme === 'file' ? arg.fsPath : undefined;
  const given = parseUpgradeArgs(fromEditor ? { valuesFile: fromEditor } : arg);
  const ref = await resolveRef(env, given, undefined, 'Upgrade which vcluster?');
  const services = await env.services();
  const cli = await requireCli(env);
  const info = await findVCluster(services, ref);
  await requirePermissions(env, services, 'upgrade', ref, `Upgrading vcluster ${ref.name}`, { kind: info.kind });
  const cliContext = await cliContextFor(env, ref, 'Upgrading');
  const release = await services.helmRelease(ref);
  if (!release) {
    throw new UserFacingError(
      `vcluster ${ref.name} in ${ref.namespace} has no Helm release (it was not installed by Helm): vcluster create --upgrade would install a second copy over it. Upgrade it the way it was installed.`,
    );
  }
  const deployed = (release.chartVersion ?? info.version).replace(/^v/, '') || undefined;

  const { isChartVersion, planUpgrade, upgradeArgs, runUpgrade, describeOutcome } = services.ops;
  let { valuesFile, chartVersion } = given;
  if (chartVersion !== undefined && !isChartVersion(chartVersion)) {
    throw new UserFacingError(`"${chartVersion}" is not a chart version (expected e.g. 0.36.1)`);
  }
  // Asks only for what the argument leaves out: a version without a file keeps the deployed values; a file without a
  // version applies it at the deployed version.
  const fileGiven = valuesFile !== undefined;
  if (valuesFile === undefined && chartVersion === undefined) {
    const picked = await pickValuesFile('Upgrade vcluster (1/2)', { keep: true });
    if (picked !== KEEP && picked !== undefined) valuesFile = picked;
  }
  if (valuesFile && !fs.existsSync(valuesFile)) throw new UserFacingError(`The values file ${valuesFile} does not exist.`);
  if (chartVersion === undefined) chartVersion = fileGiven ? deployed : await pickVersion(services, deployed, await cliVersion(services, cli));
  chartVersion = chartVersion?.replace(/^v/, '');

  const { schema, note } = schemaForVersion(env.bundledSchema, chartVersion);
  if (valuesFile) await env.vclusterYaml.requireValid(valuesFile, { schema, ...(note ? { schemaNote: note } : {}) });
  const plan = planUpgrade({
    name: ref.name,
    namespace: ref.namespace,
    release,
    ...(chartVersion ? { targetVersion: chartVersion } : {}),
    ...(deployed ? { deployedVersion: deployed } : {}),
    values: valuesFile ? { from: 'file', file: valuesFile } : { from: 'deployed' },
    schema,
  });
  if (note) env.logger.info(`Upgrade of ${ref.name}: ${note}`);
  for (const c of plan.concerns) env.logger.warn(`Helm release of ${ref.name}: ${c}`);
  // The values document shows exactly the release the plan was made from while the question is open.
  const shown = plan.from === 'deployed' ? services.showRelease(ref, release) : undefined;
  try {
    if (plan.refusal) {
      if (plan.refusal.showValues) await env.configDocs.open({ ref, kind: 'values' });
      throw new UserFacingError(plan.refusal.message);
    }
    const ask = plan.confirmation;
    if (ask && !(ask.skippable && given.force)) {
      if (plan.from === 'deployed') await env.configDocs.open({ ref, kind: 'values' });
      const answer = await notify.warning(ask.message, { modal: true, detail: ask.detail }, ask.button);
      if (answer !== ask.button) throw new CancelledError();
    }
  } finally {
    shown?.dispose();
  }

  // A temp folder for the deployed values and as the CLI's working directory (it refuses to run in a folder holding
  // something named like its chart, "vcluster").
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vcluster-upgrade-'));
  try {
    if (plan.valuesText !== undefined) {
      valuesFile = path.join(work, 'deployed.vcluster.yaml');
      fs.writeFileSync(valuesFile, plan.valuesText, { mode: 0o600 });
    }
    const args = upgradeArgs({
      name: ref.name,
      namespace: ref.namespace,
      context: cliContext,
      valuesFile: valuesFile!,
      ...(chartVersion ? { chartVersion } : {}),
      extraArgs: env.settings.createExtraArgs,
    });
    env.logger.info(`Running ${cli} ${args.join(' ')}`);
    const childEnv = await cliEnv(services);
    const cluster = await services.model.hostClientOf(ref);
    let outcome;
    try {
      outcome = await cancellable(`Upgrading vcluster ${ref.name}${chartVersion ? ` to ${chartVersion}` : ''}`, (signal, report) =>
        runUpgrade({
          cli,
          args,
          env: childEnv,
          cwd: work,
          signal,
          cluster,
          namespace: ref.namespace,
          name: ref.name,
          onOutput: (text) => {
            env.logger.output('vcluster upgrade', text);
            const line = text
              .split(/\r?\n/)
              .map((l) => l.replace(/\x1b\[[0-9;]*m/g, '').trim())
              .filter(Boolean)
              .pop();
            if (line) report(line.slice(0, 80));
          },
        }),
      );
    } catch (err) {
      if (err instanceof CancelledError) void notify.warning(err.message);
      throw err;
    } finally {
      await env.tree.refresh(parentOf(ref) ? { ref: parentOf(ref)! } : { context: ref.context });
    }
    const { ok, message } = describeOutcome(ref.name, outcome);
    env.logger[ok ? 'info' : 'warn'](message);
    if (!ok) throw new UserFacingError(message);
    void notify.info(`${message}${note ? ` (${note})` : ''}`);
    return outcome.after ? { revision: outcome.after.revision, status: outcome.after.status } : undefined;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
