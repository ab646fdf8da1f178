import { parseAllDocuments, stringify as toYaml } from 'yaml';

// What Show Deployed Configuration and Compare put on the screen: a vcluster's values with every credential replaced
// and every key kept, so that the structure (and a diff of two of them) stays intact. The values are cluster data
// (a Helm release Secret, the vc-config Secret): anything shaped like a credential goes, whatever its key is called.
// No vscode import.

export const HIDDEN = '<hidden by vcluster Explorer>';

/** Keys whose string value is a credential. */
const SECRET_KEY =
  /(password|passwd|token|secretkey|secret_key|privatekey|private_key|accesskey|access_key|clientsecret|client_secret|client-secret|apikey|api_key|dockerconfigjson|dockercfg)$/i;
/** Registry credentials: `auth` in a Docker config (base64 of user:password), `identitytoken`, `registrytoken`. */
const AUTH_KEY = /^(auth|identitytoken|registrytoken)$/i;
/** Names of environment variables (and of name/value pairs in general) that hold a credential. */
const SECRET_NAME = /(password|passwd|pwd|token|secret|key|credential|auth|cert|dsn|connection_?string)/i;
/** A command-line flag that carries a credential: --oidc-client-secret=…, --token=…, --db-password …. */
const SECRET_FLAG = /^--?[A-Za-z0-9_-]*(secret|token|password|passwd|credential|api-?key|private-?key)$/i;
/** Keys whose string value is a YAML manifest list (experimental.deploy.*.manifests, coredns overwriteManifests). */
const MANIFESTS_KEY = /^(manifests|manifestsTemplate|overwriteManifests)$/;
/** A manifest string longer than this is hidden whole when it mentions a Secret, not parsed. */
const MAX_MANIFESTS_CHARS = 512 * 1024;
const MAX_ALIASES = 100;

const PEM = /-----BEGIN [A-Z0-9 ]{1,64}-----/;
/** base64 of "-----BEGIN" as it starts a base64-encoded PEM (client-key-data-like values under any key). */
const BASE64_PEM = /^\s*LS0tLS1CRUdJTi/;

/**
 * Values for display: credentials replaced by a marker, keys kept. Hidden are string values of keys that name a
 * credential, registry `auth` fields, the `value` of name/value pairs (env lists) whose name looks secret, the values
 * of credential flags in argument lists (`--oidc-client-secret=…`, `--token …`), the data of Secrets in manifest
 * strings (experimental.deploy.*.manifests) and in objects of kind Secret, the password of URLs and DSNs (also with
 * '/' in it), and PEM or base64-PEM material (keys, certificates) under any key.
 */
export function maskCredentials(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) return maskList(v);
  if (v && typeof v === 'object') return maskObject(v as Record<string, unknown>);
  if (typeof v === 'string') return maskString(v, key);
  return v;
}

function maskObject(o: Record<string, unknown>): Record<string, unknown> {
  const secretPair = typeof o.name === 'string' && SECRET_NAME.test(o.name) && 'value' in o;
  const isSecret = o.kind === 'Secret';
  return Object.fromEntries(
    Object.entries(o).map(([k, x]) => {
      if (secretPair && k === 'value' && x !== '' && x != null) return [k, HIDDEN];
      if (isSecret && (k === 'data' || k === 'stringData') && x && typeof x === 'object') return [k, hideLeaves(x)];
      return [k, maskCredentials(x, k)];
    }),
  );
}

/** Argument lists: `--flag=value` and `--flag value` for credential flags; everything else element by element. */
function maskList(list: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < list.length; i++) {
    const x = list[i];
    if (typeof x === 'string') {
      const eq = x.indexOf('=');
      if (eq > 0 && SECRET_FLAG.test(x.slice(0, eq))) {
        out.push(`${x.slice(0, eq + 1)}${HIDDEN}`);
        continue;
      }
      if (SECRET_FLAG.test(x) && typeof list[i + 1] === 'string' && !(list[i + 1] as string).startsWith('-')) {
        out.push(x, HIDDEN);
        i++;
        continue;
      }
    }
    out.push(maskCredentials(x));
  }
  return out;
}

function hideLeaves(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(hideLeaves);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, hideLeaves(x)]));
  return v === '' || v == null ? v : HIDDEN;
}

function maskString(v: string, key: string): string {
  if (!v) return v;
  if (SECRET_KEY.test(key) || AUTH_KEY.test(key)) return HIDDEN;
  if (PEM.test(v) || BASE64_PEM.test(v)) return HIDDEN;
  if (MANIFESTS_KEY.test(key)) return maskManifests(v);
  if (/^\s*\{[\s\S]*"auths"\s*:/.test(v)) return HIDDEN; // a Docker config JSON under some other key
  return maskUrlPasswords(maskInlineFlags(v));
}

/**
 * Manifests as a YAML string: each document parsed (bounded in size and aliases) and masked like the values, so a
 * Secret's data and stringData and any credential-shaped field go. A string that does not parse (a template) or is
 * too long is hidden whole when it mentions a Secret or a credential field.
 */
function maskManifests(text: string): string {
  const suspicious = () => /\bkind:\s*["']?Secret\b|password|token|secret|-----BEGIN/i.test(text);
  if (text.length > MAX_MANIFESTS_CHARS) return suspicious() ? HIDDEN : text;
  try {
    const docs = parseAllDocuments(text, { prettyErrors: false, logLevel: 'silent', uniqueKeys: false });
    if (!Array.isArray(docs) || docs.some((d) => d.errors.length)) return suspicious() ? HIDDEN : text;
    const masked = docs.map((d) => maskCredentials(d.toJS({ maxAliasCount: MAX_ALIASES })));
    return masked.map((m) => (m == null ? '' : toYaml(m, { lineWidth: 0 }))).join('---\n');
  } catch {
    return suspicious() ? HIDDEN : text;
  }
}

/** Credential flags inside one string (a shell command line): `--token=VALUE`, `--token VALUE`. */
function maskInlineFlags(v: string): string {
  // Starts only at a dash that follows no word character or dash; the name is at most 64 characters: linear.
  return v.replace(/((?<![\w-])--?[A-Za-z0-9_-]{0,64}?(?:secret|token|password|passwd|credential)(?:=|[ \t]+))(?!-)[^\s"']+/gi, `$1${HIDDEN}`);
}

/**
 * The password part of `scheme://user:password@host` and of DSNs like `user:pass@tcp(host:3306)/db` (go-sql-driver,
 * as k3s's datastore endpoint takes it), also when the password holds '/' or '@': everything between the first ':'
 * after the user and the last '@' before the host. Linear: one pass per white-space-separated word.
 */
export function maskUrlPasswords(v: string): string {
  return v.replace(/\S+/g, (word) => {
    const at = word.lastIndexOf('@');
    if (at < 0) return word;
    const scheme = /^[a-z][a-z0-9+.-]{0,31}:\/\//i.exec(word);
    const userStart = scheme ? scheme[0].length : 0;
    // The user part: up to the first ':' (no '/', '@' or '?' in it).
    let colon = -1;
    for (let i = userStart; i < at; i++) {
      const c = word[i]!;
      if (c === ':') {
        colon = i;
        break;
      }
      if (c === '/' || c === '@' || c === '?' || c === '#') return word;
    }
    if (colon < 0 || colon === userStart) return word;
    // Without a scheme, only a DSN shape: user:pass@tcp(…), @unix(…) or @host…; with a scheme, any URL.
    if (!scheme && !/^[A-Za-z0-9_.-]+$/.test(word.slice(0, colon))) return word;
    // An image with a tag and a digest (nginx:1.27@sha256:…) has no password.
    if (/^@sha(256|384|512):/.test(word.slice(at))) return word;
    // A port followed by a path is not a password (https://host:6443/a@b).
    if (scheme && /^\d+(\/|$)/.test(word.slice(colon + 1, at))) return word;
    return `${word.slice(0, colon + 1)}<hidden>${word.slice(at)}`;
  });
}
