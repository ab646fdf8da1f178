import { isKubeError } from '../kube/errors';
import type { Pod } from '../kube/types';
import { UserFacingError, errorMessage } from '../shared/errors';
import { RESOURCE_KIND_NAMES, type ResourceKind } from '../shared/model';
import { redact } from '../shared/redact';
import type { ObjectTarget } from './inside';

// The rules of the commands that work inside a vcluster (src/commands/insideCommands.ts), without VS Code: which object
// kinds they take, which container is meant, the port numbers, and the sentences that end a log; and what a user types in the
// handlers' input boxes (a "since" duration and a "tail" line count for logs, the shell of a terminal), checked before
// anything is requested. Their arguments are parsed in src/commands/contract.ts; what is valid and what is chosen
// without asking is decided here.

/** The kinds of objects inside a vcluster that the commands take. */
export const INSIDE_KINDS: readonly ResourceKind[] = RESOURCE_KIND_NAMES;

/** The default shell: bash when the image has it, else sh (what the Kubernetes extension and Lens run). */
export const DEFAULT_SHELL = ['/bin/sh', '-c', 'if command -v bash >/dev/null 2>&1; then exec bash; fi; exec sh'];

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

/** The part of a log to read (a subset of LogOptions). */
export interface LogChoice {
  follow: boolean;
  previous?: boolean;
  sinceSeconds?: number;
  tailLines?: number;
}

/** The line that ends a log document: how the stream ended (`err` undefined: it ended by itself). */
export function logEndNote(err: unknown): string {
  if (err === undefined) return 'the log ended';
  if (isKubeError(err, 'cancelled')) return 'stopped';
  return `the log stream ended: ${redact(errorMessage(err))}`;
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

// ---- typed input: logs since/tail, the shell of a terminal ----------------------------------------------------------

/** Longest "since" accepted: the API takes any positive int64, but more than a year back reads the whole log anyway. */
const MAX_SINCE_SECONDS = 366 * 24 * 3600;
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600 };

/**
 * A duration as `kubectl logs --since` takes it (a Go duration: "90s", "10m", "1h30m"; kubectl truncates to whole
 * seconds, k8s.io/kubectl v0.34 pkg/cmd/logs), or plain seconds ("600"). Also "2d" for days. Undefined when invalid.
 */
export function parseSince(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (/^\d{1,9}$/.test(t)) {
    const n = Number(t);
    return n > 0 && n <= MAX_SINCE_SECONDS ? n : undefined;
  }
  const m = /^(?:(\d{1,4})d)?(?:(\d{1,6})h)?(?:(\d{1,7})m)?(?:(\d{1,9})s)?$/.exec(t);
  if (!m || t === '') return undefined;
  const [, d, h, min, s] = m;
  const seconds = Number(d ?? 0) * 86_400 + Number(h ?? 0) * UNIT_SECONDS.h! + Number(min ?? 0) * UNIT_SECONDS.m! + Number(s ?? 0);
  return seconds > 0 && seconds <= MAX_SINCE_SECONDS ? seconds : undefined;
}

/** The message an input box shows for a "since" that parseSince refuses; undefined when it is fine. */
export function sinceProblem(text: string): string | undefined {
  return parseSince(text) === undefined ? 'A duration above 0 and at most a year: 30s, 10m, 2h, 1h30m, 3d, or seconds (600)' : undefined;
}

/** Most lines asked for at once: a busy pod's log is followed, not read whole into an editor. */
export const MAX_TAIL_LINES = 1_000_000;

/** A line count for `tail` (0 or more: 0 means only new lines, with follow); undefined when invalid. */
export function parseTail(text: string): number | undefined {
  const t = text.trim();
  if (!/^\d{1,7}$/.test(t)) return undefined;
  const n = Number(t);
  return n <= MAX_TAIL_LINES ? n : undefined;
}

export function tailProblem(text: string): string | undefined {
  return parseTail(text) === undefined ? `A whole number of lines from 0 to ${MAX_TAIL_LINES.toLocaleString('en-US')}` : undefined;
}

/** The shells offered for a terminal in a container (besides the default: bash when present, else sh). */
export const SHELL_PRESETS = ['/bin/sh', '/bin/bash', '/bin/ash', '/bin/zsh'] as const;

/**
 * A shell the user names for a terminal in a container: an absolute path of a program in the container
 * (`/usr/bin/fish`), run as it is (exec takes an argument list; nothing is interpreted by a shell on this side).
 */
export function shellProblem(text: string): string | undefined {
  const t = text.trim();
  if (!t) return 'The path of a shell in the container, e.g. /bin/sh';
  if (!t.startsWith('/')) return 'An absolute path in the container, e.g. /bin/bash';
  if (t.length > 256) return 'At most 256 characters';
  // Spaces would make one path look like a command line; control characters would reach the terminal.
  if (!/^\/[A-Za-z0-9._+\-/]*$/.test(t)) return 'Letters, digits and . _ + - / only: one program, no arguments';
  if (t.split('/').some((seg) => seg === '..')) return 'No ".." in the path';
  return undefined;
}
