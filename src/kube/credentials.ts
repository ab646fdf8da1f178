// The credentials of one kubeconfig context, with client-go's semantics (v0.34: tools/clientcmd/client_config.go
// ClientConfig and getUserIdentificationPartialConfig, tools/clientcmd/validation.go, transport/transport.go
// TLSConfigFor, transport/round_trippers.go, transport/token_source.go, plugin/pkg/client/auth/exec/exec.go):
//
// - a context kubectl refuses (CA file and data both given, a key without a certificate, two authentication methods,
//   an exec block without apiVersion or interactiveMode, ...) is refused here too, with the reason;
// - user credentials are only used for https servers (IsConfigTransportTLS); impersonation headers always;
// - `token` and `tokenFile`: the file wins whenever it can be read and is not empty (client-go re-reads it every
//   minute, we whenever it changed, checked at most once a second); a file that cannot be read at the start is an
//   error, later the last good token is kept; `token-file` is not a kubeconfig field and is ignored, as by kubectl;
// - client certificate, key and CA files are re-read when they change on disk (client-go re-reads certificate files
//   at most once a second and closes connections within 5 minutes; a new CA needs a new kubectl there);
// - an exec plugin is only used when the entry has no token, token file, basic auth or client certificate, as in
//   client-go; its token goes into Authorization and its certificate into TLS.
import { createHash } from 'node:crypto';
import fsp from 'node:fs/promises';
import type { AuthProviderApplier } from './authProvider';
import type { ConnectionSpec } from './client';
import { KubeError } from './errors';
import { type ExecCluster, type ExecConfig, ExecCredentialProvider, execConfigProblems } from './execCredential';
import { parseProxyUrl } from './proxy';

export interface TlsMaterial {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly servername?: string;
  readonly rejectUnauthorized: boolean;
}

export interface Material {
  readonly tls: TlsMaterial;
  /** Changes whenever the TLS material changes: connections made with the old material must go. */
  readonly tlsKey: string;
  readonly headers: Readonly<Record<string, string | string[]>>;
  /** Changes whenever anything that authenticates a request changes (header or TLS). */
  readonly identity: string;
}

/** The exec extension of a cluster that is handed to plugins with provideClusterInfo (client-go clusterExtensionKey). */
const EXEC_EXTENSION = 'client.authentication.k8s.io/exec';

/** How often files are checked for changes, at most (client-go reads certificate files at most once a second). */
export const FILE_RECHECK_MS = 1000;

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** A file read again only when its stat signature changed, stat'ed at most every `recheckMs`. */
class WatchedFile {
  private sig?: string;
  private data?: Buffer;
  private checkedAt = 0;

  constructor(readonly path: string) {}

  async read(recheckMs: number, force: boolean): Promise<Buffer> {
    const now = Date.now();
    if (this.data && !force && now - this.checkedAt < recheckMs) return this.data;
    const st = await fsp.stat(this.path);
    this.checkedAt = now;
    const sig = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
    if (this.data && sig === this.sig) return this.data;
    const data = await fsp.readFile(this.path);
    this.sig = sig;
    this.data = data;
    return data;
  }
}

function fileError(what: string, file: string, owner: string, err: unknown): KubeError {
  const code = (err as NodeJS.ErrnoException)?.code;
  const why =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'it is a directory'
          : (code ?? String(err));
  return new KubeError('config', `Cannot read the ${what} ${file} of ${owner}: ${why}`);
}

/** Go's encoding/json decoding of []byte: standard base64, padding required; line breaks are ignored. */
function decodeData(v: string, field: string, owner: string): Buffer {
  const s = v.replace(/[\r\n]/g, '');
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) throw new KubeError('config', `"${field}" of ${owner} is not valid base64`);
  return Buffer.from(s, 'base64');
}

function digest(parts: readonly (string | Buffer | undefined)[]): string {
  const h = createHash('sha256');
  for (const p of parts) {
    h.update(p === undefined ? '\u0000-' : typeof p === 'string' ? `s${p.length}:${p}` : `b${p.length}:`);
    if (Buffer.isBuffer(p)) h.update(p);
  }
  return h.digest('hex');
}

/** client-go headerKeyEscape: %-encode bytes that are not legal in a header name. */
function headerKeyEscape(key: string): string {
  let out = '';
  for (const b of Buffer.from(key, 'utf8')) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-_.~!#$&'*+^`|]/.test(c) && b < 0x80 ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export class Credentials {
  private readonly files = new Map<string, WatchedFile>();
  private readonly exec?: ExecCredentialProvider;
  private readonly isTls: boolean;
  private lastFileToken?: string;
  private forceReread = false;
  private authProvider?: Promise<AuthProviderApplier>;

  constructor(
    private readonly spec: ConnectionSpec,
    private readonly options: { readonly execTimeoutMs?: number; readonly recheckMs?: number } = {},
  ) {
    const problems = Credentials.problems(spec);
    if (problems.length) throw new KubeError('config', `Context "${spec.contextName}" cannot be used: ${problems.join('; ')}`);
    this.isTls = new URL(str(spec.cluster.server)).protocol === 'https:';
    const u = spec.user;
    const exec = u.exec as ExecConfig | undefined;
    const hasToken = str(u.token) !== '' || str(u.tokenFile) !== '';
    const hasBasic = str(u.username) !== '' || str(u.password) !== '';
    const hasCert =
      (str(u['client-certificate']) !== '' || str(u['client-certificate-data']) !== '') && (str(u['client-key']) !== '' || str(u['client-key-data']) !== '');
    if (this.isTls && exec && typeof exec === 'object' && !hasToken && !hasBasic && !hasCert) {
      this.exec = new ExecCredentialProvider(exec, spec.userName, options.execTimeoutMs ?? 30_000, () => this.execCluster());
    }
  }

  /**
   * What kubectl refuses in this context's cluster and user (client-go validateClusterInfo, validateAuthInfo and
   * TLSConfigFor), as sentences; empty when usable.
   */
  static problems(spec: ConnectionSpec): string[] {
    const out: string[] = [];
    const c = spec.cluster;
    const u = spec.user;
    const cluster = `cluster "${spec.clusterName}"`;
    const user = `user "${spec.userName}"`;
    const proxy = str(c['proxy-url']);
    if (proxy) {
      try {
        parseProxyUrl(proxy, spec.clusterName);
      } catch (e) {
        out.push((e as Error).message);
      }
    }
    if (str(c['certificate-authority']) && str(c['certificate-authority-data']))
      out.push(`certificate-authority-data and certificate-authority are both specified for ${cluster}`);
    if ((str(c['certificate-authority']) || str(c['certificate-authority-data'])) && c['insecure-skip-tls-verify'] === true) {
      out.push(`${cluster} specifies a certificate authority together with insecure-skip-tls-verify, which kubectl does not allow`);
    }
    const methods: string[] = [];
    if (str(u.token)) methods.push('token');
    if (str(u.username) || str(u.password)) methods.push('basicAuth');
    if (str(u['client-certificate']) || str(u['client-certificate-data'])) {
      if (str(u['client-certificate']) && str(u['client-certificate-data']))
        out.push(`client-certificate-data and client-certificate are both specified for ${user}`);
      if (str(u['client-key']) && str(u['client-key-data'])) out.push(`client-key-data and client-key are both specified for ${user}`);
      if (!str(u['client-key']) && !str(u['client-key-data']))
        out.push(`client-key-data or client-key must be specified for ${user} to use a client certificate`);
    }
    if (u.exec !== undefined && u.exec !== null) {
      if (u['auth-provider'] !== undefined && u['auth-provider'] !== null) out.push(`${user} has both an auth-provider and an exec plugin`);
      out.push(...execConfigProblems(u.exec, user));
    }
    if (methods.length > 1) out.push(`more than one authentication method found for ${user}; found [${methods.join(' ')}], only one is allowed`);
    const impersonation =
      str(u['as-uid']) ||
      (Array.isArray(u['as-groups']) && u['as-groups'].length > 0) ||
      (u['as-user-extra'] && typeof u['as-user-extra'] === 'object' && Object.keys(u['as-user-extra']).length > 0);
    if (impersonation && !str(u.as)) out.push(`${user} requests uid, groups or user-extra without impersonating a user`);
    return out;
  }

  /** Forgets what may be stale after a 401: the exec credential, and files are read again at once. */
  unauthorized(): void {
    this.exec?.invalidate();
    this.forceReread = true;
  }

  private file(p: string): WatchedFile {
    let f = this.files.get(p);
    if (!f) this.files.set(p, (f = new WatchedFile(p)));
    return f;
  }

  private async readFile(p: string, what: string, owner: string, force: boolean): Promise<Buffer> {
    try {
      return await this.file(p).read(this.options.recheckMs ?? FILE_RECHECK_MS, force);
    } catch (err) {
      throw fileError(what, p, owner, err);
    }
  }

  private async ca(force: boolean): Promise<Buffer | undefined> {
    const c = this.spec.cluster;
    const owner = `cluster "${this.spec.clusterName}"`;
    if (str(c['certificate-authority-data'])) return decodeData(str(c['certificate-authority-data']), 'certificate-authority-data', owner);
    if (str(c['certificate-authority'])) return this.readFile(str(c['certificate-authority']), 'certificate-authority file', owner, force);
    return undefined;
  }

  /** The cluster as an exec plugin sees it with provideClusterInfo (client-go rest.ConfigToExecCluster). */
  private async execCluster(): Promise<ExecCluster> {
    const c = this.spec.cluster;
    const ca = await this.ca(false);
    const ext = Array.isArray(c.extensions)
      ? (c.extensions as unknown[]).find(
          (e): e is { name: string; extension?: unknown } => !!e && typeof e === 'object' && (e as { name?: unknown }).name === EXEC_EXTENSION,
        )
      : undefined;
    return {
      server: str(c.server),
      ...(str(c['tls-server-name']) ? { 'tls-server-name': str(c['tls-server-name']) } : {}),
      ...(c['insecure-skip-tls-verify'] === true ? { 'insecure-skip-tls-verify': true } : {}),
      ...(ca ? { 'certificate-authority-data': ca.toString('base64') } : {}),
      ...(str(c['proxy-url']) ? { 'proxy-url': str(c['proxy-url']) } : {}),
      ...(c['disable-compression'] === true ? { 'disable-compression': true } : {}),
      ...(ext?.extension !== undefined ? { config: ext.extension } : {}),
    };
  }

  private async bearerToken(force: boolean): Promise<string | undefined> {
    const u = this.spec.user;
    const owner = `user "${this.spec.userName}"`;
    const token = str(u.token);
    const file = str(u.tokenFile);
    if (!file) return token || undefined;
    try {
      const t = (await this.file(file).read(this.options.recheckMs ?? FILE_RECHECK_MS, force)).toString('utf8').trim();
      if (t) {
        this.lastFileToken = t;
        return t;
      }
      if (this.lastFileToken ?? token) return this.lastFileToken ?? token;
      throw new KubeError('config', `The token file ${file} of ${owner} is empty`);
    } catch (err) {
      if (err instanceof KubeError) throw err;
      if (this.lastFileToken ?? token) return this.lastFileToken ?? token;
      throw fileError('token file', file, owner, err);
    }
  }

  private async authProviderHeader(headers: Record<string, string>): Promise<void> {
    // Auth providers (oidc) are rare: client-node implements them, in its own bundle loaded only for such a user.
    this.authProvider ??= import('./authProvider').then((m) => m.authProviderApplier(str(this.spec.cluster.server), this.spec.user['auth-provider']));
    try {
      await (
        await this.authProvider
      )(headers);
    } catch (err) {
      throw new KubeError('auth-plugin', `The auth-provider of user "${this.spec.userName}" failed: ${(err as Error).message}`);
    }
  }

  /** TLS material and headers for the next request. */
  async material(): Promise<Material> {
    const force = this.forceReread;
    this.forceReread = false;
    const c = this.spec.cluster;
    const u = this.spec.user;
    const owner = `user "${this.spec.userName}"`;
    const headers: Record<string, string> = {};
    let ca: Buffer | undefined;
    let cert: Buffer | undefined;
    let key: Buffer | undefined;
    if (this.isTls) {
      ca = await this.ca(force);
      if (str(u['client-certificate']) || str(u['client-certificate-data'])) {
        cert = str(u['client-certificate-data'])
          ? decodeData(str(u['client-certificate-data']), 'client-certificate-data', owner)
          : await this.readFile(str(u['client-certificate']), 'client-certificate file', owner, force);
        key = str(u['client-key-data'])
          ? decodeData(str(u['client-key-data']), 'client-key-data', owner)
          : await this.readFile(str(u['client-key']), 'client-key file', owner, force);
      }
      const token = await this.bearerToken(force);
      if (token) headers.Authorization = `Bearer ${token}`;
      else if (str(u.username) || str(u.password)) headers.Authorization = `Basic ${Buffer.from(`${str(u.username)}:${str(u.password)}`).toString('base64')}`;
      if (u['auth-provider'] && typeof u['auth-provider'] === 'object') await this.authProviderHeader(headers);
      if (this.exec) {
        const cred = await this.exec.get();
        if (cred.token) headers.Authorization = `Bearer ${cred.token}`;
        if (cred.clientCertificateData && cred.clientKeyData) {
          cert = Buffer.from(cred.clientCertificateData);
          key = Buffer.from(cred.clientKeyData);
        }
      }
    }
    const impersonation = this.impersonation();
    const tls: TlsMaterial = {
      rejectUnauthorized: c['insecure-skip-tls-verify'] !== true,
      ...(ca ? { ca } : {}),
      ...(cert ? { cert } : {}),
      ...(key ? { key } : {}),
      ...(str(c['tls-server-name']) ? { servername: str(c['tls-server-name']) } : {}),
    };
    const tlsKey = digest([ca, cert, key, tls.servername, String(tls.rejectUnauthorized)]);
    const identity = digest([tlsKey, headers.Authorization, JSON.stringify(impersonation)]);
    return { tls, tlsKey, headers: { ...headers, ...impersonation }, identity };
  }

  /** Impersonation headers (client-go impersonatingRoundTripper); groups and extra values are repeated headers. */
  private impersonation(): Record<string, string | string[]> {
    const u = this.spec.user;
    if (!str(u.as)) return {};
    const out: Record<string, string | string[]> = { 'Impersonate-User': str(u.as) };
    if (str(u['as-uid'])) out['Impersonate-Uid'] = str(u['as-uid']);
    const groups = Array.isArray(u['as-groups']) ? (u['as-groups'] as unknown[]).filter((g): g is string => typeof g === 'string') : [];
    if (groups.length) out['Impersonate-Group'] = groups;
    const extra = u['as-user-extra'];
    if (extra && typeof extra === 'object' && !Array.isArray(extra)) {
      for (const [k, v] of Object.entries(extra as Record<string, unknown>)) {
        const values = Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
        if (values.length) out[`Impersonate-Extra-${headerKeyEscape(k)}`] = values;
      }
    }
    return out;
  }
}
