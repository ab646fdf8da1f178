import { isKubeError } from '../kube/errors';
import type { Pod } from '../kube/types';
import { UserFacingError, errorMessage } from '../shared/errors';
import { RESOURCE_KIND_NAMES, type ResourceKind, type VClusterRef } from '../shared/model';
import { redact } from '../shared/redact';
import type { ObjectTarget } from './inside';
import { dnsLabelProblem } from './translate';

// The rules of the commands that work inside a vcluster (src/commands/insideCommands.ts), without VS Code: which object
// kinds they take and how a plain-object argument names one, which container is meant, the log options and the command
// of a terminal given as arguments, the port numbers, and the sentences that end a log. The handlers resolve and ask;
// what is valid and what is chosen without asking is decided here.

/** The kinds of objects inside a vcluster that the commands take. */
export const INSIDE_KINDS: readonly ResourceKind[] = RESOURCE_KIND_NAMES;

/** The default shell: bash when the image has it, else sh (what the Kubernetes extension and Lens run). */
export const DEFAULT_SHELL = ['/bin/sh', '-c', 'if command -v bash >/dev/null 2>&1; then exec bash; fi; exec sh'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
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

/** "pods and services", "pods or services": the plural names of kinds in a sentence. */
export function kindsPhrase(kinds: readonly ResourceKind[], joiner: 'and' | 'or'): string {
  return kinds.map((k) => `${k.toLowerCase()}s`).join(` ${joiner} `);
}

/** Refuses a given object of a kind the command `what` does not work on. */
export function requireKind(t: ObjectTarget, kinds: readonly ResourceKind[], what: string): ObjectTarget {
  if (!kinds.includes(t.kind)) throw new UserFacingError(`${what} works on ${kindsPhrase(kinds, 'and')}, not on a ${t.kind.toLowerCase()}.`);
  return t;
}

export interface ContainerInfo {
  readonly name: string;
  readonly init: boolean;
  readonly restarts: number;
  readonly state: string;
}

/**
 * The container of a pod target when it is known without asking: the one given (which must exist), or the only one.
 * Undefined when the user has to choose among `containers`.
 */
export function knownContainer(t: ObjectTarget, containers: readonly ContainerInfo[]): ObjectTarget | undefined {
  if (t.container) {
    if (!containers.some((c) => c.name === t.container))
      throw new UserFacingError(`Pod ${t.namespace}/${t.name} has no container "${t.container}" (it has ${containers.map((c) => c.name).join(', ')}).`);
    return t;
  }
  const main = containers.filter((c) => !c.init);
  if (main.length === 1 && containers.length === 1) return { ...t, container: main[0]!.name };
  return undefined;
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

/** The part of a log to read (a subset of LogOptions). */
export interface LogChoice {
  follow: boolean;
  previous?: boolean;
  sinceSeconds?: number;
  tailLines?: number;
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

/** The line that ends a log document: how the stream ended (`err` undefined: it ended by itself). */
export function logEndNote(err: unknown): string {
  if (err === undefined) return 'the log ended';
  if (isKubeError(err, 'cancelled')) return 'stopped';
  return `the log stream ended: ${redact(errorMessage(err))}`;
}

/** The command of a terminal: the one given (a non-empty list of strings), else the default shell. */
export function execCommand(given: unknown): string[] {
  if (given === undefined) return DEFAULT_SHELL;
  if (!(Array.isArray(given) && given.length > 0 && given.every((c) => typeof c === 'string')))
    throw new UserFacingError('"command" must be a non-empty list of strings.');
  return given as string[];
}

/** Refuses a pod that is not running: no terminal can be opened in it. */
export function requireRunning(pod: Pod, t: ObjectTarget): void {
  if (pod.status?.phase !== 'Running') throw new UserFacingError(`Pod ${t.namespace}/${t.name} is not running: no terminal can be opened in it.`);
}

/** Why an exec session ended without an exit code, in words; `shell`: the program run as the chosen shell, if one was. */
export function execEndMessage(why: string, container: string | undefined, shell: string | undefined): string {
  const noShell = shell !== undefined && /not found|no such file|executable file/i.test(why);
  return noShell ? `The container ${container} has no ${shell} to run: ${why}` : why;
}

/** Why `text` is no port number (1 to 65535; empty allowed when `allowEmpty`), or undefined when it is one. */
export function portProblem(text: string, allowEmpty: boolean): string | undefined {
  return (allowEmpty && text.trim() === '') || (/^\d+$/.test(text.trim()) && Number(text) > 0 && Number(text) < 65536)
    ? undefined
    : 'A port number from 1 to 65535';
}
