import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { KubeError } from './errors';
import { signalProcessGroup } from './process';

// Exec credential plugins as client-go v0.34 runs them (plugin/pkg/client/auth/exec/exec.go, tools/clientcmd
// validation.go and api/v1/defaults.go): apiVersion client.authentication.k8s.io/v1 or v1beta1; interactiveMode
// required for v1 (v1beta1 defaults to IfAvailable); the plugin gets the parent's environment plus `env`, and
// KUBERNETES_EXEC_INFO with `spec.interactive` and, with provideClusterInfo, `spec.cluster`; stdin is never a
// terminal here, so Always fails as kubectl does without a terminal; the answer must be an ExecCredential of the same
// apiVersion with a token or a certificate and key pair; it is used until its expirationTimestamp (we refresh
// shortly before it) or a 401; a missing plugin is reported with its installHint.

export const EXEC_API_VERSIONS = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'] as const;
const INTERACTIVE_MODES = ['Never', 'IfAvailable', 'Always'];

/** The `exec` stanza of a kubeconfig user (client.authentication.k8s.io). */
export interface ExecConfig {
  readonly command: string;
  readonly args?: readonly string[];
  readonly env?: readonly { name: string; value: string }[] | null;
  readonly apiVersion?: string;
  readonly installHint?: string;
  readonly provideClusterInfo?: boolean;
  readonly interactiveMode?: string;
}

/** client.authentication.k8s.io Cluster, as handed to plugins with provideClusterInfo (field order as client-go). */
export interface ExecCluster {
  readonly server: string;
  readonly 'tls-server-name'?: string;
  readonly 'insecure-skip-tls-verify'?: boolean;
  readonly 'certificate-authority-data'?: string;
  readonly 'proxy-url'?: string;
  readonly 'disable-compression'?: boolean;
  readonly config?: unknown;
}

export interface ExecCredentialStatus {
  readonly token?: string;
  readonly clientCertificateData?: string;
  readonly clientKeyData?: string;
  readonly expirationTimestamp?: string;
}

/** The interactiveMode in effect (v1beta1 defaults to IfAvailable; v1 has no default). */
function interactiveMode(exec: ExecConfig): string | undefined {
  if (exec.interactiveMode) return exec.interactiveMode;
  return exec.apiVersion === 'client.authentication.k8s.io/v1beta1' ? 'IfAvailable' : undefined;
}

/** What kubectl refuses in an exec stanza (client-go validateAuthInfo and newAuthenticator), as sentences. */
export function execConfigProblems(raw: unknown, user: string): string[] {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return [`the exec section of ${user} must be a mapping`];
  const exec = raw as ExecConfig;
  const out: string[] = [];
  if (typeof exec.command !== 'string' || exec.command === '') out.push(`command must be specified for ${user} to use exec authentication plugin`);
  if (!exec.apiVersion) out.push(`apiVersion must be specified for ${user} to use exec authentication plugin`);
  else if (!(EXEC_API_VERSIONS as readonly string[]).includes(exec.apiVersion)) out.push(`exec plugin of ${user}: invalid apiVersion "${exec.apiVersion}"`);
  for (const e of exec.env ?? [])
    if (!e || typeof e.name !== 'string' || e.name === '') out.push(`env variable name must be specified for ${user} to use exec authentication plugin`);
  const mode = interactiveMode(exec);
  if (mode === undefined) out.push(`interactiveMode must be specified for ${user} to use exec authentication plugin`);
  else if (!INTERACTIVE_MODES.includes(mode)) out.push(`invalid interactiveMode for ${user}: "${mode}"`);
  return out;
}

/** Refresh this long before a credential's expirationTimestamp, so no request goes out with an expiring one. */
const REFRESH_BEFORE_EXPIRY_MS = 10_000;

/**
 * Runs exec credential plugins asynchronously with a timeout (a hung plugin is killed), caches the credential until
 * shortly before its expiry, and reports failures naming the plugin, never echoing the credential.
 */
export class ExecCredentialProvider {
  private cached?: { status: ExecCredentialStatus; expires: number };
  private inflight?: Promise<ExecCredentialStatus>;

  constructor(
    private readonly exec: ExecConfig,
    private readonly userName: string,
    private readonly timeoutMs = 30_000,
    private readonly cluster?: () => Promise<ExecCluster>,
  ) {}

  get pluginName(): string {
    return this.exec.command;
  }

  async get(): Promise<ExecCredentialStatus> {
    if (this.cached && this.cached.expires > Date.now() + REFRESH_BEFORE_EXPIRY_MS) return this.cached.status;
    this.inflight ??= this.run().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** Forgets the cached credential (after a 401, a new one is fetched). */
  invalidate(): void {
    this.cached = undefined;
  }

  private fail(msg: string): KubeError {
    return new KubeError('auth-plugin', msg);
  }

  private async run(): Promise<ExecCredentialStatus> {
    const cmd = this.exec.command;
    const label = `The credential plugin "${cmd}" for user "${this.userName}"`;
    const problems = execConfigProblems(this.exec, `user "${this.userName}"`);
    if (problems.length) throw new KubeError('config', problems.join('; '));
    const apiVersion = this.exec.apiVersion!;
    if (interactiveMode(this.exec) === 'Always') {
      throw this.fail(`${label} cannot run: it needs an interactive terminal (interactiveMode: Always), which the extension does not have`);
    }
    const spec: Record<string, unknown> = {};
    if (this.exec.provideClusterInfo && this.cluster) {
      const c = await this.cluster();
      spec.cluster = { ...c, config: c.config ?? null };
    }
    spec.interactive = false;
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const e of this.exec.env ?? []) env[e.name] = e.value;
    env.KUBERNETES_EXEC_INFO = JSON.stringify({ kind: 'ExecCredential', apiVersion, spec });
    const stdout = await new Promise<string>((resolve, reject) => {
      let out = '';
      let stderr = '';
      let settled = false;
      const child = spawn(cmd, [...(this.exec.args ?? [])], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32' });
      const fail = (msg: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(this.fail(msg));
      };
      const timer = setTimeout(() => {
        signalProcessGroup(child.pid, 'SIGKILL');
        fail(`${label} did not answer within ${Math.round(this.timeoutMs / 1000)} s`);
      }, this.timeoutMs);
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
      });
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
      });
      child.on('error', (err: NodeJS.ErrnoException) => {
        const hint = this.exec.installHint ? ` ${stripAnsi(this.exec.installHint).trim()}` : '';
        fail(err.code === 'ENOENT' ? `${label} was not found.${hint}` : `${label} could not start: ${err.message}`);
      });
      child.on('close', (code, signal) => {
        if (settled) return;
        if (code !== 0) {
          const first = stderr.trim().split('\n')[0]?.slice(0, 300) ?? '';
          fail(`${label} failed (${signal ?? `exit code ${code}`})${first ? `: ${first}` : ''}`);
          return;
        }
        settled = true;
        clearTimeout(timer);
        resolve(out);
      });
    });
    const status = this.parse(stdout, apiVersion, label);
    const expires = status.expirationTimestamp ? Date.parse(status.expirationTimestamp) : Number.POSITIVE_INFINITY;
    this.cached = { status, expires: Number.isNaN(expires) ? 0 : expires };
    return status;
  }

  private parse(stdout: string, apiVersion: string, label: string): ExecCredentialStatus {
    let cred: { apiVersion?: unknown; kind?: unknown; status?: ExecCredentialStatus } | null;
    try {
      cred = JSON.parse(stdout) as typeof cred;
    } catch {
      throw this.fail(`${label} printed something that is not an ExecCredential`);
    }
    if (!cred || typeof cred !== 'object') throw this.fail(`${label} printed something that is not an ExecCredential`);
    if (cred.kind !== undefined && cred.kind !== 'ExecCredential') throw this.fail(`${label} printed a ${String(cred.kind)}, not an ExecCredential`);
    if (cred.apiVersion !== apiVersion) {
      // kubectl refuses an answer without apiVersion the same way ("plugin returned version .../__internal").
      throw this.fail(
        `${label} is configured to use API version ${apiVersion}, plugin returned ${typeof cred.apiVersion === 'string' ? `version ${cred.apiVersion}` : 'no apiVersion'}`,
      );
    }
    const status = cred.status;
    if (!status || typeof status !== 'object') throw this.fail(`${label} returned no status`);
    if (!status.token && !status.clientCertificateData && !status.clientKeyData) throw this.fail(`${label} returned no token or certificate`);
    if (!status.clientCertificateData !== !status.clientKeyData) throw this.fail(`${label} returned only a certificate or a key, not both`);
    if (status.clientCertificateData) {
      try {
        new X509Certificate(status.clientCertificateData);
      } catch {
        throw this.fail(`${label} returned a client certificate that cannot be parsed`);
      }
    }
    return status;
  }
}

/** client-go cleans ANSI escape codes out of installHint before showing it. */
function stripAnsi(s: string): string {
  return s.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, '');
}
