import { UserFacingError } from '../shared/errors';
import type { VClusterRef } from '../shared/model';
import type { ObjectTarget } from '../vcluster/inside';
import { DEFAULT_SHELL, INSIDE_KINDS, shellProblem, type LogChoice } from '../vcluster/insideChoices';
import { dnsLabelProblem } from '../vcluster/translate';
import { fields, isObject, nodeOf, parseVClusterArg, refFromArg, type VClusterTarget } from './contract';

// The argument contract of the commands inside a vcluster (README.md, Commands), without VS Code: an object node, or
// a vcluster with `object: { kind, namespace, name, container? }` and the options of each command.

/** An object inside a vcluster: given (`object`, or an object node), else picked inside `vcluster`. */
export interface ObjectArgs {
  readonly object?: ObjectTarget;
  readonly vcluster: VClusterTarget;
}

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
