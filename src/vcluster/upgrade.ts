import type { KubeClient } from '../kube/client';
import { CancelledError } from '../shared/errors';
import { describeExit, lastErrorLine, runProgram, type RunResult } from './cli';
import { latestReleaseStatus, valuesYaml, type HelmReleaseStatus, type ReadRelease } from './config/helmRelease';
import type { JsonSchema } from './config/schema';
import { hasErrors, VClusterConfigValidator, type ConfigProblem } from './config/validate';
import { hostSideEffects, type HostSideEffect } from './hostSideEffects';

// Upgrading a vcluster, or applying a changed vcluster.yaml, the way its users do it: `vcluster create NAME -n NS
// --upgrade --values FILE [--chart-version V]` (the CLI runs `helm upgrade --install`, pkg/cli/create_helm.go v0.36.1).
// The CLI passes values of its own to Helm, so Helm never reuses the deployed ones: an upgrade always sends a values
// file (the chosen vcluster.yaml, or the deployed values written to a temporary file). Afterwards the Helm release says
// what really happened. No vscode import.
//
// Values read from the cluster (the deployed ones) are cluster data that whoever can write Secrets in the vcluster's
// namespace can have written, and the chart renders some of them into the host cluster, applied with the user's
// rights. So the plan names those host-side effects and the upgrade shows the values and asks before it applies them.

export { hostSideEffects, manifestObjects, type HostSideEffect } from './hostSideEffects';

export interface UpgradeArgs {
  readonly name: string;
  readonly namespace: string;
  /** The kubeconfig context of the cluster the vcluster runs in (the host, or the vcluster around a nested one). */
  readonly context: string;
  readonly valuesFile: string;
  readonly chartVersion?: string;
  readonly extraArgs?: readonly string[];
}

/** Arguments of `vcluster create --upgrade`: never connect from the CLI (the extension connects itself). */
export function upgradeArgs(a: UpgradeArgs): string[] {
  const args = ['create', a.name, '--namespace', a.namespace, '--context', a.context, '--upgrade', '--connect=false', '--values', a.valuesFile];
  if (a.chartVersion) args.push('--chart-version', a.chartVersion);
  args.push(...(a.extraArgs ?? []));
  return args;
}

const VERSION_RE = /^v?(\d+)\.(\d+)\.(\d+)(?:[-+][0-9A-Za-z.-]+)?$/;

export function isChartVersion(v: string): boolean {
  return VERSION_RE.test(v.trim());
}

export function parseVersion(v: string | undefined): { major: number; minor: number; patch: number } | undefined {
  const m = VERSION_RE.exec((v ?? '').trim());
  return m ? { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) } : undefined;
}

/** The CLI's own version from `vcluster --version` ("vcluster version 0.36.1"). */
export function parseCliVersion(stdout: string): string | undefined {
  const m = /\bversion\s+v?(\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?)/.exec(stdout);
  return m?.[1];
}

export type VersionStep =
  { readonly kind: 'same' | 'patch' | 'minor' | 'unknown' } | { readonly kind: 'skip'; readonly minors: number } | { readonly kind: 'downgrade' | 'major' };

/**
 * How far an upgrade goes. vcluster supports upgrading one minor version at a time (its upgrade notes: 0.x → 0.x+1),
 * so skipping minors and going down get a warning before anything runs.
 */
export function versionStep(from: string | undefined, to: string | undefined): VersionStep {
  const a = parseVersion(from);
  const b = parseVersion(to);
  if (!a || !b) return { kind: 'unknown' };
  if (a.major !== b.major) return b.major < a.major ? { kind: 'downgrade' } : { kind: 'major' };
  if (b.minor < a.minor || (b.minor === a.minor && b.patch < a.patch)) return { kind: 'downgrade' };
  if (b.minor === a.minor) return { kind: b.patch === a.patch ? 'same' : 'patch' };
  if (b.minor === a.minor + 1) return { kind: 'minor' };
  return { kind: 'skip', minors: b.minor - a.minor - 1 };
}

/** A warning to confirm before running, or undefined when the step is safe. */
export function versionStepWarning(from: string | undefined, to: string | undefined): string | undefined {
  const step = versionStep(from, to);
  const f = from?.replace(/^v/, '');
  const t = to?.replace(/^v/, '');
  switch (step.kind) {
    case 'skip': {
      const a = parseVersion(f)!;
      const next = `${a.major}.${a.minor + 1}`;
      return `vcluster supports upgrading one minor version at a time: ${f} → ${t} skips ${step.minors} minor version${step.minors === 1 ? '' : 's'}. Upgrade to the newest ${next}.x first.`;
    }
    case 'downgrade':
      return `${t} is older than the deployed ${f}: vcluster does not support downgrades.`;
    case 'major':
      return `${f} → ${t} changes the major version.`;
    default:
      return undefined;
  }
}

export interface VersionOffer {
  readonly version: string;
  readonly label: string;
}

/** What the version picker offers: the deployed version (apply configuration only), the CLI's own version, then the bundled chart's. */
export function versionOffers(o: { deployed?: string; cli?: string; bundled?: string }): VersionOffer[] {
  const out: VersionOffer[] = [];
  const add = (v: string | undefined, label: string) => {
    const version = v?.replace(/^v/, '');
    if (!version || !isChartVersion(version)) return;
    const have = out.find((x) => x.version === version);
    if (have) (have as { label: string }).label += ` · ${label}`;
    else out.push({ version, label });
  };
  add(o.deployed, 'deployed now (apply the configuration only)');
  add(o.cli, "the vcluster CLI's version");
  add(o.bundled, 'the version whose schema vcluster Explorer bundles');
  return out;
}

export interface UpgradeOutcome {
  readonly result: RunResult;
  readonly before?: HelmReleaseStatus;
  readonly after?: HelmReleaseStatus;
}

/** Whether an outcome is a real success, and the message to show either way. Never a silent success. */
export function describeOutcome(name: string, o: UpgradeOutcome): { ok: boolean; message: string } {
  const state = o.after ? `Helm release revision ${o.after.revision} is ${o.after.status}` : 'no Helm release was found afterwards';
  const moved = o.after && (!o.before || o.after.revision > o.before.revision);
  if (o.result.code === 0) {
    if (o.after?.status === 'deployed' && moved) return { ok: true, message: `vcluster ${name} upgraded: ${state}.` };
    return { ok: false, message: `vcluster create --upgrade reported success for ${name}, but ${state}${moved ? '' : ' (no new revision)'}.` };
  }
  const reason = lastErrorLine(o.result.stdout + o.result.stderr) || 'no output';
  return {
    ok: false,
    message: `vcluster create --upgrade failed for ${name} (${describeExit(o.result)}): ${reason}. Afterwards ${state}${o.after && !moved ? ' (unchanged)' : ''}.`,
  };
}

export interface RunUpgradeOptions {
  readonly cli: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly signal?: AbortSignal;
  readonly onOutput?: (text: string) => void;
  /** The cluster the vcluster runs in, to read its Helm release before and after. */
  readonly cluster: KubeClient;
  readonly namespace: string;
  readonly name: string;
}

/**
 * Runs the CLI and reads the release before and after. A cancelled run rejects with a CancelledError whose message says
 * in which state the release was left.
 */
export async function runUpgrade(o: RunUpgradeOptions): Promise<UpgradeOutcome> {
  const before = await latestReleaseStatus(o.cluster, o.namespace, o.name, o.signal).catch(() => undefined);
  let result: RunResult;
  try {
    result = await runProgram(o.cli, o.args, {
      env: o.env,
      ...(o.cwd ? { cwd: o.cwd } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.onOutput ? { onOutput: o.onOutput } : {}),
    });
  } catch (err) {
    if (err instanceof CancelledError) {
      const after = await latestReleaseStatus(o.cluster, o.namespace, o.name).catch(() => undefined);
      throw new CancelledError(
        `The upgrade of ${o.name} was cancelled; ${after ? `its Helm release revision ${after.revision} is ${after.status}` : 'no Helm release was found'}.`,
      );
    }
    throw err;
  }
  const after = await latestReleaseStatus(o.cluster, o.namespace, o.name).catch(() => undefined);
  return { result, ...(before ? { before } : {}), ...(after ? { after } : {}) };
}

export interface UpgradePlanInput {
  readonly name: string;
  readonly namespace: string;
  /** The deployed release (readDeployedRelease). */
  readonly release: ReadRelease;
  /** The chart version to upgrade to (undefined: the CLI's default). */
  readonly targetVersion?: string;
  /** The version deployed now, when the release does not say. */
  readonly deployedVersion?: string;
  /** Keep the deployed values, or apply a vcluster.yaml the user chose (validated by the caller, where it opens). */
  readonly values: { readonly from: 'deployed' } | { readonly from: 'file'; readonly file: string };
  /** The schema to check deployed values against: the bundled one (schemaForVersion). */
  readonly schema: JsonSchema;
}

export interface UpgradeConfirmation {
  readonly message: string;
  readonly detail: string;
  readonly button: string;
  /** Whether `force: true` (automation) may skip it: the version question for a chosen file, never one about values from the cluster. */
  readonly skippable: boolean;
}

export interface UpgradePlan {
  readonly from: 'deployed' | 'file';
  readonly deployedVersion?: string;
  readonly targetVersion?: string;
  /** The release whose values are kept (from: deployed) or replaced. */
  readonly release: { readonly revision: number; readonly status: string; readonly secretName: string };
  /** For from: deployed, exactly the text of the values file the CLI gets. */
  readonly valuesText?: string;
  readonly hostSideEffects: readonly HostSideEffect[];
  /** What looked wrong in the release's history (ignored Secrets, several deployed revisions). */
  readonly concerns: readonly string[];
  /** Problems of the deployed values against the bundled schema. */
  readonly problems: readonly ConfigProblem[];
  /** Why nothing may run, when something stops it. */
  readonly refusal?: { readonly message: string; readonly showValues: boolean };
  /** The question to ask before running; undefined when there is none. */
  readonly confirmation?: UpgradeConfirmation;
}

/**
 * What an upgrade will do, before anything runs: the values it applies and where they come from, what in them reaches
 * the host cluster, what looked wrong in the release, and what to ask. Pure: the caller reads the release and asks.
 */
export function planUpgrade(i: UpgradePlanInput): UpgradePlan {
  const deployedVersion = (i.release.chartVersion ?? i.deployedVersion ?? '').replace(/^v/, '') || undefined;
  const targetVersion = i.targetVersion?.replace(/^v/, '');
  const base = {
    from: i.values.from,
    ...(deployedVersion ? { deployedVersion } : {}),
    ...(targetVersion ? { targetVersion } : {}),
    release: { revision: i.release.revision, status: i.release.status, secretName: i.release.secretName },
    concerns: i.release.concerns,
  };
  const versions = `${deployedVersion ?? 'unknown'} → ${targetVersion ?? 'the CLI default'}`;
  const step = versionStepWarning(deployedVersion, targetVersion);
  if (i.values.from === 'file') {
    return {
      ...base,
      hostSideEffects: [],
      problems: [],
      ...(step
        ? {
            confirmation: {
              message: `Upgrade vcluster ${i.name} from ${deployedVersion} to ${targetVersion}?`,
              detail: step,
              button: 'Upgrade Anyway',
              skippable: true,
            },
          }
        : {}),
    };
  }
  const valuesText = valuesYaml(i.release.config);
  const problems = new VClusterConfigValidator(i.schema).validate(valuesText).problems;
  const effects = hostSideEffects(i.release.config);
  const plan = { ...base, valuesText, hostSideEffects: effects, problems };
  const rev = `revision ${i.release.revision}`;
  if (i.release.alsoDeployed.length) {
    return {
      ...plan,
      refusal: {
        message: `The deployed configuration of ${i.name} cannot be told: Helm release revisions ${[i.release.revision, ...i.release.alsoDeployed].join(', ')} all say they are deployed, and Helm leaves one deployed: Secrets in ${i.namespace} were written outside Helm, or two upgrades ran at once. Nothing was run: upgrade with a vcluster.yaml of your own.`,
        showValues: false,
      },
    };
  }
  if (hasErrors(problems)) {
    const errors = problems.filter((p) => p.severity === 'error');
    return {
      ...plan,
      refusal: {
        message: `The deployed configuration of ${i.name} is not valid for vcluster ${targetVersion ?? 'the bundled version'} (${errors.length} errors, first: ${errors[0]!.message}). Nothing was run: write a vcluster.yaml for the new version and upgrade with it.`,
        showValues: true,
      },
    };
  }
  const lines: string[] = [];
  lines.push(
    `The values come from the cluster (Helm release ${rev}, ${i.release.status}, Secret ${i.release.secretName}), which whoever can write Secrets in ${i.namespace} can change. They are applied with your rights; the editor shows them (credentials hidden).`,
  );
  if (effects.length) {
    lines.push('', 'They change the host cluster beyond the vcluster itself:');
    for (const e of effects) lines.push(`• ${e.path}: ${e.what}`);
  }
  if (i.release.concerns.length) lines.push('', ...i.release.concerns.map((c) => `Warning: ${c}`));
  if (step) lines.push('', step);
  const hostSide = effects.length > 0;
  return {
    ...plan,
    confirmation: {
      message: hostSide
        ? `Apply the deployed values of ${i.name} (${versions})? They change the host cluster: ${effects.map((e) => e.path).join(', ')}.`
        : `Upgrade vcluster ${i.name} (${versions}) with its deployed values (${rev})?`,
      detail: lines.join('\n'),
      button: hostSide ? 'Apply to the Host Cluster' : step ? 'Upgrade Anyway' : 'Upgrade',
      skippable: false,
    },
  };
}
