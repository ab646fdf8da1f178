import { UserFacingError } from '../shared/errors';
import type { ParentRef, ResourceKind, VClusterRef } from '../shared/model';
import { TREE_NODE } from '../shared/treeNode';
import { contextNameFor } from '../vcluster/refs';
import { dnsLabelProblem } from '../vcluster/translate';

// The argument contract of the commands (README.md, Commands), without VS Code: one parser per command turns what a
// command was called with (a tree node, a plain object, or nothing) into its typed arguments, or throws a
// UserFacingError naming the field that is wrong. A tree node is known by its TREE_NODE mark and its `type`; only a
// plain object's fields are options. What a parser leaves undefined, the handler asks for. The commands inside a
// vcluster have theirs in src/commands/contractInside.ts.

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

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** The node an argument is, when it is one of the tree's nodes. */
export function nodeOf(arg: unknown): TreeNodeArg | undefined {
  return isObject(arg) && (arg as { [TREE_NODE]?: unknown })[TREE_NODE] === true ? (arg as unknown as TreeNodeArg) : undefined;
}

/** The fields of a plain-object argument (none for a node or anything else). */
export function fields(arg: unknown): Record<string, unknown> {
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
export function parseRefreshArgs(arg: unknown): { readonly retry: boolean; readonly target?: RefreshTarget } {
  const node = nodeOf(arg);
  if (node?.type === 'message') return { retry: true, target: node.retry ?? (node.context ? { context: node.context } : undefined) };
  const ref = refFromArg(arg);
  if (ref) return { retry: false, target: { ref } };
  const context = contextFromArg(arg);
  return { retry: false, target: context ? { context } : undefined };
}
