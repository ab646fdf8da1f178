// What a user types for logs and terminals inside a vcluster, checked before anything is requested: a "since" duration
// and a "tail" line count for logs (as `kubectl logs --since / --tail` take them), and the shell to run in a container.
// Free of vscode: the quick picks in src/commands/insideCommands.ts call these as input validators.

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
