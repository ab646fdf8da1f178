import { UserFacingError } from '../shared/errors';
import type { ParentRef, ResourceKind, VClusterRef } from '../shared/model';
import { TREE_NODE } from '../shared/treeNode';
import type { ObjectTarget } from '../vcluster/inside';
import { DEFAULT_SHELL, INSIDE_KINDS, shellProblem, type LogChoice } from '../vcluster/insideChoices';
import { contextNameFor } from '../vcluster/refs';
import { dnsLabelProblem } from '../vcluster/translate';

// The argument contract of the commands (README.md, Commands), without VS Code: one parser per command turns what a
// command was called with (a tree node, a plain object, or nothing) into its typed arguments, or throws a
// UserFacingError naming the field that is wrong. A tree node is known by its TREE_NODE mark and its `type`; only a
// plain object's fields are options. What a parser leaves undefined, the handler asks for.

export type Scope = 'global' | 'workspace';

/** The tree nodes the commands take, as the parsers see them (src/tree/nodes.ts, insideNodes.ts). */
export type TreeNodeArg =
  | { readonly type: 'context'; readonly context: string }
  | { readonly type: 'namespace'; readonly context: string; readonly name: string }
  | { readonly type: 'vcluster'; readonly ref: VClusterRef }
  | { readonly type: 'message'; readonly context?: string; readonly retry?: RefreshTarget }
  | { readonly type: 'resource'; readonly ref: VClusterRef; readonly kind: ResourceKind; readonly namespace: string; readonly name: string }
  | { readonly type: 'forward'; readonly forwardId: string };

/** What a refresh of the tree covers (ExplorerTreeProvider.refresh). */
export interface RefreshTarget {
  readonly context?: string;
  readonly ref?: VClusterRef;
}

/** The vcluster a command is about: given, or to be picked (in `context` when that is known). */
export interface VClusterTarget {
  readonly ref?: VClusterRef;
  readonly context?: string;
}

/** An object inside a vcluster: given (`object`, or an object node), else picked inside `vcluster`. */
export interface ObjectArgs {
  readonly object?: ObjectTarget;
  readonly vcluster: VClusterTarget;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** The node an argument is, when it is one of the tree's nodes. */
export function nodeOf(arg: unknown): TreeNodeArg | undefined {
  return isObject(arg) && (arg as { [TREE_NODE]?: unknown })[TREE_NODE] === true ? (arg as unknown as TreeNodeArg) : undefined;
}

/** The fields of a plain-object argument (none for a node or anything else). */
function fields(arg: unknown): Record<string, unknown> {
  return isObject(arg) && !nodeOf(arg) ? arg : {};
}

function isParents(v: unknown): v is ParentRef[] {
  return Array.isArray(v) && v.every((p) => isObject(p) && typeof p.namespace === 'string' && typeof p.name === 'string');
}

/** A vcluster reference from a node or `{ context, namespace, name, parents? }`; undefined when not given. */
export function refFromArg(arg: unknown): VClusterRef | undefined {
  const node = nodeOf(arg);
  if (node) return node.type === 'vcluster' ? node.ref : undefined;
  if (!isObject(arg)) return undefined;
  if (typeof arg.context === 'string' && typeof arg.namespace === 'string' && typeof arg.name === 'string') {
    if (arg.parents !== undefined && !isParents(arg.parents)) throw new UserFacingError('"parents" must be a list of { namespace, name }');
    return {
      context: arg.context,
      namespace: arg.namespace,
      name: arg.name,
      ...(isParents(arg.parents) && arg.parents.length ? { parents: arg.parents } : {}),
    };
  }
  return undefined;
}

/** A context name from a context/namespace/message node or `{ context }` (without `namespace`). */
export function contextFromArg(arg: unknown): string | undefined {
  const node = nodeOf(arg);
  if (node) return node.type === 'context' || node.type === 'namespace' || node.type === 'message' ? node.context : undefined;
  if (isObject(arg) && typeof arg.context === 'string' && arg.namespace === undefined) return arg.context;
  return undefined;
}

/** A context from a node or `{ context }`, else the `context` field of a plain object that names more. */
function anyContext(arg: unknown): string | undefined {
  const c = fields(arg).context;
  return contextFromArg(arg) ?? (typeof c === 'string' ? c : undefined);
}

/** The vcluster of an argument: the one it names, else the context to pick it in. */
export function parseVClusterArg(arg: unknown): VClusterTarget {
  const ref = refFromArg(arg);
  return ref ? { ref } : { context: contextFromArg(arg) };
}

/** The `scope` of a command argument ("global" or "workspace"); undefined when not given. */
export function scopeOf(arg: unknown): Scope | undefined {
  const s = fields(arg).scope;
  if (s !== undefined && s !== 'global' && s !== 'workspace') throw new UserFacingError('"scope" must be "global" or "workspace"');
  return s;
}

/** A field that is `true` (automation's `force`, `resume`, `running`); anything else is false. */
function isTrue(arg: unknown, name: string): boolean {
  return fields(arg)[name] === true;
}

// ---- the vcluster commands -----------------------------------------------------------------------------------------

export interface ConnectArgs extends VClusterTarget {
  readonly scope?: Scope;
  /** `resume: true`: a paused vcluster is resumed without asking. */
  readonly resume: boolean;
}

/** vcluster.connect: a vcluster, `{ scope?, resume? }`. */
export function parseConnectArgs(arg: unknown): ConnectArgs {
  const target = parseVClusterArg(arg);
  return { ...target, scope: scopeOf(arg), resume: isTrue(arg, 'resume') };
}

/** vcluster.disconnect: a vcluster (else the current vcluster context, else a pick). */
export function parseDisconnectArgs(arg: unknown): { readonly ref?: VClusterRef } {
  const ref = refFromArg(arg);
  return ref ? { ref } : {};
}

export interface DeleteArgs extends VClusterTarget {
  /** `force: true` skips the confirmation (automation only). */
  readonly force: boolean;
}

/** vcluster.delete: a vcluster, `{ force? }`. */
export function parseDeleteArgs(arg: unknown): DeleteArgs {
  return { ...parseVClusterArg(arg), force: isTrue(arg, 'force') };
}

export interface CreateArgs {
  readonly context?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly chartVersion?: string;
  readonly valuesFile?: string;
  readonly connect?: boolean;
  /** Neither a vcluster nor a name was given: the chart version, values file and connect are asked for too. */
  readonly interactive: boolean;
}

/** vcluster.create: a context or namespace node, or `{ context, namespace?, name?, chartVersion?, valuesFile?, connect? }`. */
export function parseCreateArgs(arg: unknown): CreateArgs {
  const node = nodeOf(arg);
  const f = fields(arg);
  const name = f.name as string | undefined;
  return {
    context: anyContext(arg),
    namespace: node?.type === 'namespace' ? node.name : (f.namespace as string | undefined),
    name,
    chartVersion: f.chartVersion as string | undefined,
    valuesFile: f.valuesFile as string | undefined,
    connect: f.connect as boolean | undefined,
    interactive: refFromArg(arg) === undefined && name === undefined,
  };
}

export interface UpgradeArgs extends VClusterTarget {
  readonly valuesFile?: string;
  readonly chartVersion?: string;
  /** `force: true` skips only the question about a skipped minor version or a downgrade (automation). */
  readonly force: boolean;
}

/** vcluster.upgrade: a vcluster, `{ chartVersion?, valuesFile?, force? }` (the handler checks that the version is one). */
export function parseUpgradeArgs(arg: unknown): UpgradeArgs {
  const f = fields(arg);
  if (f.valuesFile !== undefined && typeof f.valuesFile !== 'string') throw new UserFacingError('"valuesFile" must be a path');
  if (f.chartVersion !== undefined && typeof f.chartVersion !== 'string')
    throw new UserFacingError(`"${String(f.chartVersion)}" is not a chart version (expected e.g. 0.36.1)`);
  return { ...parseVClusterArg(arg), valuesFile: f.valuesFile, chartVersion: f.chartVersion, force: isTrue(arg, 'force') };
}

/** vcluster.showConfig: a vcluster, `{ running? }` (`running: true`: the running configuration without asking). */
export function parseShowConfigArgs(arg: unknown): VClusterTarget & { readonly running: boolean } {
  return { ...parseVClusterArg(arg), running: isTrue(arg, 'running') };
}

/** vcluster.compareWithDeployed: `{ context, namespace, name, parents?, valuesFile? }` (a URI is the handler's). */
export function parseCompareArgs(arg: unknown): { readonly ref?: VClusterRef; readonly valuesFile?: string } {
  const local = fields(arg).valuesFile;
  if (local !== undefined && typeof local !== 'string') throw new UserFacingError(`The values file ${String(local)} does not exist.`);
  const ref = refFromArg(arg);
  return { ...(ref ? { ref } : {}), ...(local !== undefined ? { valuesFile: local } : {}) };
}

// ---- contexts and the tree -----------------------------------------------------------------------------------------

/** vcluster.switchContext: a context node, a connected vcluster, or `{ context, scope? }`. */
export function parseSwitchContextArgs(arg: unknown): { readonly context?: string; readonly scope?: Scope } {
  const ref = refFromArg(arg);
  return { context: contextFromArg(arg) ?? (ref ? contextNameFor(ref) : undefined), scope: scopeOf(arg) };
}

/** vcluster.setContextNamespace: a node, or `{ context, namespace }` (`""` removes the namespace). */
export function parseSetContextNamespaceArgs(arg: unknown): { readonly context?: string; readonly namespace?: string } {
  const namespace = fields(arg).namespace;
  if (namespace !== undefined && typeof namespace !== 'string') throw new UserFacingError('"namespace" must be a string');
  const problem = namespace ? dnsLabelProblem(namespace, 'namespace name') : undefined;
  if (problem) throw new UserFacingError(problem);
  return { context: anyContext(arg), namespace };
}

/** vcluster.setSearchNamespaces: a node, or `{ context, namespaces: string[] }` (names checked, duplicates dropped). */
export function parseSearchNamespacesArgs(arg: unknown): { readonly context?: string; readonly namespaces?: string[] } {
  const given = fields(arg).namespaces;
  if (given === undefined) return { context: anyContext(arg) };
  if (!Array.isArray(given) || !given.every((n): n is string => typeof n === 'string'))
    throw new UserFacingError('"namespaces" must be a list of namespace names');
  for (const n of given) {
    const problem = dnsLabelProblem(n, 'namespace name');
    if (problem) throw new UserFacingError(problem);
  }
  return { context: anyContext(arg), namespaces: [...new Set(given)] };
}

/**
 * vcluster.refresh: a message node refreshes what it retries (no status refresh), a vcluster its subtree, a context
 * its own; nothing refreshes everything.
 */
export function parseRefreshArgs(
  arg: unknown,
): { readonly retry: true; readonly target?: RefreshTarget } | { readonly retry: false; readonly target?: RefreshTarget } {
  const node = nodeOf(arg);
  if (node?.type === 'message') return { retry: true, target: node.retry ?? (node.context ? { context: node.context } : undefined) };
  const ref = refFromArg(arg);
  if (ref) return { retry: false, target: { ref } };
  const context = contextFromArg(arg);
  return { retry: false, target: context ? { context } : undefined };
}

// ---- inside a vcluster ---------------------------------------------------------------------------------------------

/**
 * The object named by `{ kind, namespace, name, container? }` (a command argument's `object`) in vcluster `ref`.
 * Throws a UserFacingError saying what is wrong.
 */
export function parseObjectTarget(ref: VClusterRef | undefined, o: unknown): ObjectTarget {
  if (!ref) throw new UserFacingError('The vcluster is missing: give { context, namespace, name, parents?, object }.');
  if (!isObject(o) || typeof o.kind !== 'string' || typeof o.namespace !== 'string' || typeof o.name !== 'string') {
    throw new UserFacingError('"object" must be { kind, namespace, name, container? }.');
  }
  const kind = INSIDE_KINDS.find((k) => k.toLowerCase() === String(o.kind).toLowerCase());
  if (!kind) throw new UserFacingError(`"object.kind" must be one of ${INSIDE_KINDS.join(', ')}.`);
  const problem = dnsLabelProblem(o.namespace, 'namespace') ?? (o.name ? undefined : 'The object name must not be empty');
  if (problem) throw new UserFacingError(problem);
  if (o.container !== undefined && typeof o.container !== 'string') throw new UserFacingError('"object.container" must be a string.');
  return { ref, kind, namespace: o.namespace, name: o.name, ...(typeof o.container === 'string' ? { container: o.container } : {}) };
}

/** An object node or `{ …vcluster, object }`; without an object, the vcluster to pick it in. */
export function parseObjectArgs(arg: unknown): ObjectArgs {
  const node = nodeOf(arg);
  if (node?.type === 'resource') return { object: { ref: node.ref, kind: node.kind, namespace: node.namespace, name: node.name }, vcluster: { ref: node.ref } };
  const o = fields(arg).object;
  return { ...(o === undefined ? {} : { object: parseObjectTarget(refFromArg(arg), o) }), vcluster: parseVClusterArg(arg) };
}

/** A non-negative whole number given as an option, or undefined. */
export function wholeNumberOption(v: unknown, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new UserFacingError(`"${name}" must be a whole number (0 or more).`);
  return v;
}

/** A boolean given as an option, or undefined. */
export function booleanOption(v: unknown, name: string): boolean | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw new UserFacingError(`"${name}" must be true or false.`);
  return v;
}

/** The part of a log that options `{ follow, previous, sinceSeconds, tailLines }` ask for; undefined when none is given. */
export function logChoiceFrom(options: { follow?: unknown; previous?: unknown; sinceSeconds?: unknown; tailLines?: unknown }): LogChoice | undefined {
  const follow = booleanOption(options.follow, 'follow');
  const previous = booleanOption(options.previous, 'previous');
  const sinceSeconds = wholeNumberOption(options.sinceSeconds, 'sinceSeconds');
  const tailLines = wholeNumberOption(options.tailLines, 'tailLines');
  if (follow === undefined && previous === undefined && sinceSeconds === undefined && tailLines === undefined) return undefined;
  return {
    follow: follow ?? !previous,
    ...(previous ? { previous } : {}),
    ...(sinceSeconds !== undefined ? { sinceSeconds } : {}),
    ...(tailLines !== undefined ? { tailLines } : {}),
  };
}

export interface LogsArgs extends ObjectArgs {
  /** No object, but a vcluster: the log of its control-plane pod. */
  readonly controlPlane?: VClusterRef;
  /** The part of the log the options ask for; undefined: asked (for a pod) or the last 1000 lines, followed. */
  readonly choice?: LogChoice;
  /** The container of the control-plane pod (`container`). */
  readonly container?: string;
}

/** vcluster.logs: an object (a pod) or a vcluster, `{ follow?, previous?, sinceSeconds?, tailLines?, container? }`. */
export function parseLogsArgs(arg: unknown): LogsArgs {
  const target = parseObjectArgs(arg);
  const f = fields(arg);
  const choice = logChoiceFrom({ follow: f.follow, previous: f.previous, sinceSeconds: f.sinceSeconds, tailLines: f.tailLines });
  const controlPlane = target.object ? undefined : target.vcluster.ref;
  return {
    ...target,
    ...(controlPlane ? { controlPlane } : {}),
    ...(choice ? { choice } : {}),
    ...(typeof f.container === 'string' ? { container: f.container } : {}),
  };
}

/** The command of a terminal: the one given (a non-empty list of strings), else the default shell. */
export function execCommand(given: unknown): string[] {
  if (given === undefined) return DEFAULT_SHELL;
  if (!(Array.isArray(given) && given.length > 0 && given.every((c) => typeof c === 'string')))
    throw new UserFacingError('"command" must be a non-empty list of strings.');
  return given as string[];
}

/** The command of a terminal whose shell is given (`{ shell }` of a plain object): that one program, checked. */
export function shellCommand(given: unknown): string[] {
  const problem = typeof given === 'string' ? shellProblem(given) : '"shell" must be a string';
  if (problem) throw new UserFacingError(`"shell": ${problem}.`);
  return [(given as string).trim()];
}

export interface ExecArgs extends ObjectArgs {
  /** What runs: `command`, the `shell`, or the default shell; undefined: the user picks a shell (tree, palette). */
  readonly command?: string[];
  /** Whether what runs is a shell rather than a given `command` (a missing shell is named when the session ends). */
  readonly isShell: boolean;
}

/** vcluster.exec: an object (a pod), `{ command?: string[] }` or `{ shell?: string }`. */
export function parseExecArgs(arg: unknown): ExecArgs {
  const target = parseObjectArgs(arg);
  const f = fields(arg);
  if (f.command !== undefined) return { ...target, command: execCommand(f.command), isShell: false };
  if (f.shell !== undefined) return { ...target, command: shellCommand(f.shell), isShell: true };
  // A plain object without either gets the default shell; from the tree or the palette, the user picks one.
  const asks = arg === undefined || nodeOf(arg)?.type === 'resource';
  return { ...target, ...(asks ? {} : { command: DEFAULT_SHELL }), isShell: true };
}

export interface PortForwardArgs extends ObjectArgs {
  readonly port?: number;
  readonly localPort?: number;
}

/** vcluster.portForward: a pod or service, `{ port?, localPort? }` (`localPort` 0: any free port). */
export function parsePortForwardArgs(arg: unknown): PortForwardArgs {
  const target = parseObjectArgs(arg);
  const f = fields(arg);
  const port = wholeNumberOption(f.port, 'port');
  const localPort = wholeNumberOption(f.localPort, 'localPort');
  return { ...target, ...(port !== undefined ? { port } : {}), ...(localPort !== undefined ? { localPort } : {}) };
}

const WHICH_FORWARD = 'Which port-forward? Give { id } (from vcluster.portForward) or use the tree.';

/** vcluster.stopPortForward / restartPortForward: a port-forward node or `{ id }`; undefined only for no argument. */
export function parseForwardArg(arg: unknown): { readonly id?: string } {
  if (arg === undefined) return {};
  const node = nodeOf(arg);
  const id = node ? (node.type === 'forward' ? node.forwardId : undefined) : fields(arg).id;
  if (typeof id !== 'string') throw new UserFacingError(WHICH_FORWARD);
  return { id };
}

/** The port-forward of a command that needs one (restart): as parseForwardArg, without the pick. */
export function forwardIdOf(arg: unknown): string {
  const { id } = parseForwardArg(arg);
  if (id === undefined) throw new UserFacingError(WHICH_FORWARD);
  return id;
}
