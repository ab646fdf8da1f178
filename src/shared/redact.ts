// The one place that removes credential material from text before a person can see it: the logger, the command
// wrapper's messages, tree tooltips and error nodes, quick-pick details, webview posts and every KubeError message
// (which is how API error bodies and credential-plugin stderr reach anything else) go through redact().
//
// Two kinds of rules: the credentials this extension actually used (remembered when a request is prepared, so a token
// that a server or a proxy echoes back is removed whatever its shape), and patterns for what a credential looks like
// (PEM blocks, base64 PEM, JWTs, `token: …`-style fields, Authorization headers, user:password in URLs, long random
// strings).

const MIN_KNOWN_LENGTH = 8;
const MAX_KNOWN = 256;
/** Credentials seen in this process, newest last (bounded: the oldest is forgotten first). */
const known = new Set<string>();
let knownPattern: RegExp | undefined;

/**
 * Remembers credential values (tokens, passwords, basic-auth blobs) so that redact() removes them wherever they show
 * up later. Values shorter than a few characters are ignored: removing them everywhere would garble ordinary text.
 */
export function rememberSecret(...values: readonly (string | undefined | null)[]): void {
  for (const raw of values) {
    const v = raw?.trim();
    if (!v || v.length < MIN_KNOWN_LENGTH || known.has(v)) continue;
    known.add(v);
    if (known.size > MAX_KNOWN) known.delete(known.values().next().value as string);
    knownPattern = undefined;
  }
}

/** Remembers what an Authorization header value carries: the bearer token, or the basic-auth blob and its password. */
export function rememberAuthorization(header: string | undefined): void {
  if (!header) return;
  const m = /^\s*(Bearer|Basic)\s+(\S+)/i.exec(header);
  if (!m) {
    rememberSecret(header);
    return;
  }
  rememberSecret(m[2]);
  if (m[1]!.toLowerCase() === 'basic') {
    let decoded = '';
    try {
      decoded = atob(m[2]!);
    } catch {
      /* not base64: nothing more to remember */
    }
    const colon = decoded.indexOf(':');
    if (colon >= 0) rememberSecret(decoded.slice(colon + 1));
  }
}

const REDACTED = '<redacted>';

const PATTERNS: readonly [RegExp, string | ((match: string, ...groups: string[]) => string)][] = [
  // PEM blocks (certificates, keys) and their base64 single-line forms in kubeconfigs
  [/-----BEGIN [A-Z0-9 ]+-----[\s\S]*?-----END [A-Z0-9 ]+-----/g, '<redacted PEM>'],
  [
    /((?:client-certificate-data|client-key-data|certificate-authority-data|token|password|id-token|refresh-token|access-token|client-secret)["']?\s*[:=]\s*["']?)[^\s"',}]+/gi,
    `$1${REDACTED}`,
  ],
  [/(Authorization["']?\s*[:=]\s*["']?(?:Bearer|Basic)\s+)[^\s"',}]+/gi, `$1${REDACTED}`],
  [/(\b(?:bearer|basic)\s+)[A-Za-z0-9._~+/-]{8,}=*/gi, `$1${REDACTED}`],
  // user:password (or a lone user name standing for a token) in a URL, e.g. a server URL
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi, `$1${REDACTED}@`],
  // JWTs (service account tokens) wherever they appear
  [/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, '<redacted JWT>'],
  // long base64 runs typical of PEM data encoded once more (LS0tLS1 = "-----")
  [/LS0tLS1[A-Za-z0-9+/=]{20,}/g, '<redacted base64 PEM>'],
  // Opaque tokens: a long run of letters AND digits (random tokens, hex secrets). Kubernetes names, UIDs and paths
  // are broken up by '-', '.' or '/' and stay readable.
  [/(?<![\w.+/=-])[A-Za-z0-9_]{32,}(?![\w.+/=-])/g, (m: string) => (/[0-9]/.test(m) && /[A-Za-z]/.test(m) ? REDACTED : m)],
];

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Text without credentials: fit for a log line, a message, a tooltip, a quick pick or a webview. */
export function redact(text: string): string {
  let out = text;
  if (known.size) {
    // Longest first, so that a value containing another is removed whole.
    knownPattern ??= new RegExp(
      [...known]
        .sort((a, b) => b.length - a.length)
        .map(escapeRegExp)
        .join('|'),
      'g',
    );
    out = out.replace(knownPattern, REDACTED);
  }
  for (const [re, repl] of PATTERNS) out = out.replace(re, repl as string);
  return out;
}
