// The one place that removes credential material from text before a person can see it: the logger, the command
// wrapper's messages, tree tooltips and error nodes, quick-pick details, webview posts and every KubeError message
// (which is how API error bodies and credential-plugin stderr reach anything else) go through redact().
//
// Two kinds of rules: the credentials this extension actually used (remembered when a request is prepared, so a token
// that a server or a proxy echoes back is removed whatever its shape), and patterns for what a credential looks like
// (PEM blocks, base64 PEM, JWTs, `token: …`-style fields, command-line flags, Authorization headers, user:password in
// URLs, bootstrap tokens, cloud keys, long random strings).
//
// The text is often chosen by a cluster's tenant (a Status message, an event, a plugin's stderr), so every rule runs in
// time linear in the text: the remembered credentials are found with one Aho-Corasick automaton, PEM blocks with a
// forward-only scanner, and every regular expression below is anchored so that no two attempts scan the same run
// (each says why). Callers that show a message clip it first (clip()): a notification or a log line has no use for
// more than MAX_MESSAGE_CHARS.

/** Where a remembered credential came from. */
export type SecretOrigin =
  /** The user's own: their kubeconfig's token, basic-auth password, exec plugin or auth-provider output. */
  | 'user'
  /** Read from a cluster (the kubeconfig in a vcluster's Secret vc-NAME): chosen by whoever controls that cluster. */
  | 'cluster';

export interface RememberOptions {
  readonly origin: SecretOrigin;
}

const MIN_USER_LENGTH = 8;
/** A tenant's value must look like a credential, not like a word (see admitsClusterValue). */
const MIN_CLUSTER_LENGTH = 16;
const MIN_CLUSTER_DISTINCT = 8;
/** Longer values are not remembered: their shape (PEM, JWT, base64) is caught by the patterns anyway. */
const MAX_VALUE_LENGTH = 8192;
const MAX_PER_LIST = 256;
const MAX_CHARS_PER_LIST = 256 * 1024;

/** One bounded list of credentials, newest last; the oldest is forgotten first, and only by a value of the same list. */
class KnownList {
  readonly values = new Set<string>();
  private chars = 0;
  add(v: string): boolean {
    if (this.values.has(v)) return false;
    this.values.add(v);
    this.chars += v.length;
    while (this.values.size > MAX_PER_LIST || this.chars > MAX_CHARS_PER_LIST) {
      const oldest = this.values.values().next().value as string;
      this.values.delete(oldest);
      this.chars -= oldest.length;
    }
    return true;
  }
  clear(): void {
    this.values.clear();
    this.chars = 0;
  }
}

/**
 * The user's credentials and the cluster-supplied ones are kept apart: a tenant who makes the extension read many
 * tokens (many vclusters, a token rotated in a loop) only pushes older tenant tokens out, never the user's.
 */
const lists: Record<SecretOrigin, KnownList> = { user: new KnownList(), cluster: new KnownList() };
let automaton: Automaton | undefined;

/**
 * Whether a value read from a cluster may be remembered for blanking everywhere: at least 16 characters, no white
 * space, letters and digits both, and at least 8 different characters. A word ("Running", "kubernetes",
 * "successfully"), a phrase or a run of one character never qualifies, so a tenant cannot make ordinary text vanish
 * from every message; real tokens (random hex or base64, bootstrap tokens, JWTs) always do.
 */
export function admitsClusterValue(v: string): boolean {
  if (v.length < MIN_CLUSTER_LENGTH || /\s/.test(v) || !/[A-Za-z]/.test(v) || !/[0-9]/.test(v)) return false;
  return new Set(v).size >= MIN_CLUSTER_DISTINCT;
}

/**
 * Remembers credential values (tokens, passwords, basic-auth blobs) so that redact() removes them wherever they show
 * up later. The user's own values need 8 characters (removing shorter ones everywhere would garble ordinary text);
 * values from a cluster must pass admitsClusterValue().
 */
export function rememberSecret(values: string | readonly (string | undefined | null)[] | undefined | null, opts: RememberOptions): void {
  const list = lists[opts.origin];
  for (const raw of typeof values === 'string' || values == null ? [values] : values) {
    const v = raw?.trim();
    if (!v || v.length < MIN_USER_LENGTH || v.length > MAX_VALUE_LENGTH) continue;
    if (opts.origin === 'cluster' && !admitsClusterValue(v)) continue;
    if (list.add(v)) automaton = undefined;
  }
}

/** Remembers what an Authorization header value carries: the bearer token, or the basic-auth blob and its password. */
export function rememberAuthorization(header: string | undefined, opts: RememberOptions): void {
  if (!header) return;
  const m = /^\s*(Bearer|Basic)\s+(\S+)/i.exec(header);
  if (!m) {
    rememberSecret(header, opts);
    return;
  }
  rememberSecret(m[2], opts);
  if (m[1]!.toLowerCase() === 'basic') {
    let decoded = '';
    try {
      decoded = atob(m[2]!);
    } catch {
      /* not base64: nothing more to remember */
    }
    const colon = decoded.indexOf(':');
    if (colon >= 0) rememberSecret(decoded.slice(colon + 1), opts);
  }
}

/** For tests: forgets every remembered credential. */
export function forgetSecretsForTests(): void {
  lists.user.clear();
  lists.cluster.clear();
  automaton = undefined;
}

const REDACTED = '<redacted>';

/**
 * Aho-Corasick over UTF-16 code units (A. Aho, M. Corasick, "Efficient string matching", CACM 1975): one pass over
 * the text finds every remembered value, whatever their number and however they overlap. Transitions live in one Map
 * keyed by node * 65536 + code unit; children are kept as linked lists for the breadth-first failure links.
 */
class Automaton {
  private readonly next = new Map<number, number>();
  private readonly fail: number[] = [0];
  /** Length of the longest remembered value that ends at this node (itself or through failure links), 0 if none. */
  private readonly out: number[] = [0];
  private readonly depth: number[] = [0];
  private readonly firstChild: number[] = [-1];
  private readonly sibling: number[] = [-1];
  private readonly code: number[] = [0];

  constructor(values: Iterable<string>) {
    for (const v of values) {
      let node = 0;
      for (let i = 0; i < v.length; i++) {
        const c = v.charCodeAt(i);
        let child = this.next.get(node * 65536 + c);
        if (child === undefined) {
          child = this.fail.length;
          this.fail.push(0);
          this.out.push(0);
          this.depth.push(this.depth[node]! + 1);
          this.code.push(c);
          this.firstChild.push(-1);
          this.sibling.push(this.firstChild[node]!);
          this.firstChild[node] = child;
          this.next.set(node * 65536 + c, child);
        }
        node = child;
      }
      this.out[node] = v.length;
    }
    const queue: number[] = [];
    for (let ch = this.firstChild[0]!; ch >= 0; ch = this.sibling[ch]!) queue.push(ch);
    for (let qi = 0; qi < queue.length; qi++) {
      const u = queue[qi]!;
      for (let v = this.firstChild[u]!; v >= 0; v = this.sibling[v]!) {
        const f = this.step(this.fail[u]!, this.code[v]!);
        this.fail[v] = f;
        if (!this.out[v]) this.out[v] = this.out[f]!;
        queue.push(v);
      }
    }
  }

  private step(node: number, c: number): number {
    for (;;) {
      const n = this.next.get(node * 65536 + c);
      if (n !== undefined) return n;
      if (node === 0) return 0;
      node = this.fail[node]!;
    }
  }

  /** Every character covered by a remembered value replaced (overlapping matches merged), and the state at the end. */
  scan(text: string): { text: string; tail: number } {
    const spans: [number, number][] = [];
    let node = 0;
    for (let i = 0; i < text.length; i++) {
      node = this.step(node, text.charCodeAt(i));
      const len = this.out[node]!;
      if (!len) continue;
      const start = i + 1 - len;
      // Longest match ending here; merge with the spans it overlaps (amortized: each span is popped once).
      let s = start;
      while (spans.length && spans[spans.length - 1]![1] >= s) s = Math.min(s, spans.pop()![0]);
      spans.push([s, i + 1]);
    }
    const tail = this.depth[node]!;
    if (!spans.length) return { text, tail };
    const parts: string[] = [];
    let at = 0;
    for (const [s, e] of spans) {
      parts.push(text.slice(at, s), REDACTED);
      at = e;
    }
    parts.push(text.slice(at));
    return { text: parts.join(''), tail };
  }
}

function known(): Automaton | undefined {
  if (!lists.user.values.size && !lists.cluster.values.size) return undefined;
  automaton ??= new Automaton([...lists.user.values, ...lists.cluster.values]);
  return automaton;
}

const PEM_BEGIN = '-----BEGIN ';
const PEM_END = '-----END ';
const MAX_PEM_LABEL = 64;

/** Index after `-----LABEL-----` where LABEL is [A-Z0-9 ]{1,64} starting at `at`, or -1. */
function pemLabelEnd(s: string, at: number): number {
  let j = at;
  for (; j < s.length && j - at < MAX_PEM_LABEL; j++) {
    const c = s.charCodeAt(j);
    if (!(c === 32 || (c >= 48 && c <= 57) || (c >= 65 && c <= 90))) break;
  }
  return j > at && s.startsWith('-----', j) ? j + 5 : -1;
}

/**
 * PEM blocks (certificates, keys) from BEGIN to their END line. A BEGIN with no END after it (a key cut short, or text
 * made of BEGIN lines) loses the BEGIN line and the base64 lines that follow. Forward only: once no END is left in
 * the text none is searched for again, so the scan is linear however many BEGINs there are.
 */
function redactPem(s: string): string {
  let i = s.indexOf(PEM_BEGIN);
  if (i < 0) return s;
  const parts: string[] = [];
  let from = 0;
  let endsLeft = true;
  while (i >= 0) {
    const afterBegin = pemLabelEnd(s, i + PEM_BEGIN.length);
    if (afterBegin < 0) {
      i = s.indexOf(PEM_BEGIN, i + PEM_BEGIN.length);
      continue;
    }
    let stop = -1;
    if (endsLeft) {
      for (let k = s.indexOf(PEM_END, afterBegin); k >= 0; k = s.indexOf(PEM_END, k + PEM_END.length)) {
        stop = pemLabelEnd(s, k + PEM_END.length);
        if (stop >= 0) break;
      }
      if (stop < 0) endsLeft = false;
    }
    if (stop < 0) {
      // No END: the base64 body (and header lines such as Proc-Type) that follows the BEGIN line.
      stop = afterBegin;
      while (stop < s.length && /[A-Za-z0-9+/=\s:,-]/.test(s[stop]!) && !s.startsWith(PEM_BEGIN, stop)) stop++;
    }
    parts.push(s.slice(from, i), '<redacted PEM>');
    from = stop;
    i = s.indexOf(PEM_BEGIN, stop);
  }
  parts.push(s.slice(from));
  return parts.join('');
}

const hasMixedAlnum = (m: string) => /[0-9]/.test(m) && /[A-Za-z]/.test(m);

// Each rule is linear: a match can only start where its lookbehind (or its bounded prefix) allows, so no two attempts
// scan the same run of characters more than a constant number of times; quantified parts are followed by something
// their own class excludes, so backtracking into them fails at once.
const PATTERNS: readonly [RegExp, string | ((match: string, ...groups: string[]) => string)][] = [
  // `token: …`, `password=…`, `"client_secret":"…"`, kubeconfig data fields. Starts only at one of the key words;
  // `\s*` is followed by `[:=]`, which it excludes.
  [
    /((?:client-certificate-data|client-key-data|certificate-authority-data|token|password|passwd|client[-_]?secret|secret[-_]?access[-_]?key|api[-_]?key|private[-_]?key)["']?\s*[:=]\s*["']?)[^\s"',}&]+/gi,
    `$1${REDACTED}`,
  ],
  // `--token VALUE`, `--password VALUE`, `-oidc-client-secret VALUE` (the `=` form is the rule above). Starts only
  // at a dash that follows no word character or dash; the flag name is at most 64 characters.
  [/((?<![\w-])--?[A-Za-z0-9-]{0,64}?(?:token|password|passwd|secret)[ \t]+)(?!-)[^\s"',}]+/gi, `$1${REDACTED}`],
  // "refresh token 1//0gAbc…", "refresh_token 'x…'": the phrase, then a value that is quoted or holds digits.
  [
    /(\b(?:refresh|access|id)[ _-]?token[ \t]+)(["']?)([^\s"',}]{8,})\2/gi,
    (m: string, lead: string, q: string, v: string) => (q || /[0-9]/.test(v) ? `${lead}${q}${REDACTED}${q}` : m),
  ],
  [/(Authorization["']?\s*[:=]\s*["']?(?:Bearer|Basic)\s+)[^\s"',}]+/gi, `$1${REDACTED}`],
  [/(\b(?:bearer|basic)\s+)[A-Za-z0-9._~+/-]{8,}=*/gi, `$1${REDACTED}`],
  // user:password (the password may hold '/', as in a database DSN) or a lone user name standing for a token, in a
  // URL. The scheme is at most 32 characters, so each `://` is tried from at most 32 places; the user info stops at
  // the next `//`. A port followed by a path (`host:6443/…`) is not a password.
  [/([a-z][a-z0-9+.-]{0,31}:\/\/)(?:[^\s/?#@"'<>]+|[^\s/?#@"'<>:]+:(?!\d*\/)(?:[^\s?#@"'<>/]|\/(?!\/))*)@/gi, `$1${REDACTED}@`],
  // JWTs (service account tokens), also cut after their payload. Starts only where no token character precedes.
  [/(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]*)?/g, '<redacted JWT>'],
  // long base64 runs typical of PEM data encoded once more (LS0tLS1 = "-----")
  [/LS0tLS1[A-Za-z0-9+/=]{20,}/g, '<redacted base64 PEM>'],
  // Kubernetes bootstrap tokens (kubeadm: [a-z0-9]{6}.[a-z0-9]{16}), when they hold a digit (so no ordinary dotted
  // word of that shape goes). Fixed length.
  [/(?<![A-Za-z0-9.])[a-z0-9]{6}\.[a-z0-9]{16}(?![A-Za-z0-9.])/g, (m: string) => (/[0-9]/.test(m) ? REDACTED : m)],
  // Google-style OAuth refresh tokens: 1//0g…
  [/(?<![A-Za-z0-9_/-])1\/\/[A-Za-z0-9_-]{20,}/g, REDACTED],
  // AWS secret access keys: 40 characters of base64 with '/' or '+', upper and lower case and a digit. Fixed length,
  // starts only where no base64 character precedes.
  [
    /(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{40}(?![A-Za-z0-9+/=])/g,
    (m: string) => (/[+/]/.test(m) && /[A-Z]/.test(m) && /[a-z]/.test(m) && /[0-9]/.test(m) ? REDACTED : m),
  ],
  // Opaque tokens: a long run of letters AND digits (random tokens, hex secrets). Kubernetes names, UIDs and paths
  // are broken up by '-', '.' or '/' and stay readable. Starts only where no run character precedes.
  [/(?<![\w.+/=-])[A-Za-z0-9_]{32,}(?![\w.+/=-])/g, (m: string) => (hasMixedAlnum(m) ? REDACTED : m)],
];

/** Text without credentials: fit for a log line, a message, a tooltip, a quick pick or a webview. Linear time. */
export function redact(text: string): string {
  let out = known()?.scan(text).text ?? text;
  out = redactPem(out);
  for (const [re, repl] of PATTERNS) out = out.replace(re, repl as string);
  return out;
}

/**
 * Longest a message is shown or logged: 16 KiB holds any API Status message, webhook denial, plugin stderr or stack
 * trace we have seen many times over (a notification shows a few hundred characters), and keeps redact() well under
 * a millisecond.
 */
export const MAX_MESSAGE_CHARS = 16 * 1024;
/** How far back a cut looks for white space, so that no word (a token) is cut in two. */
const CUT_BACK = 1024;

/**
 * A message cut to `max` characters, before it is redacted: the cut goes back to white space when there is some in
 * the last KiB, a remembered credential cut in two loses its first part too, and a marker says how much was left out.
 */
export function clip(text: string, max = MAX_MESSAGE_CHARS): string {
  if (text.length <= max) return text;
  let cut = max;
  if (!/\s/.test(text[cut - 1]!) && !/\s/.test(text[cut]!)) {
    for (let j = cut - 1; j >= Math.max(0, max - CUT_BACK); j--) {
      if (/\s/.test(text[j]!)) {
        cut = j + 1;
        break;
      }
    }
  }
  // Never split a surrogate pair.
  const c = text.charCodeAt(cut - 1);
  if (c >= 0xd800 && c <= 0xdbff) cut--;
  let head = text.slice(0, cut);
  const tail = known()?.scan(head).tail ?? 0;
  if (tail >= 4) head = `${head.slice(0, head.length - tail)}${REDACTED}`;
  return `${head} … (${text.length - cut} more characters not shown)`;
}

/** clip() then redact(): what a notification or a log line shows. */
export function redactClipped(text: string, max = MAX_MESSAGE_CHARS): string {
  return redact(clip(text, max));
}
