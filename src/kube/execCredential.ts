import { spawn } from 'node:child_process';
import { KubeError } from './errors';
import { signalProcessGroup } from './process';

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

export interface ExecCredentialStatus {
  readonly token?: string;
  readonly clientCertificateData?: string;
  readonly clientKeyData?: string;
  readonly expirationTimestamp?: string;
}

/**
 * Runs exec credential plugins asynchronously with a timeout (client-node waits forever on a hung plugin), caches
 * the credential until its expiry, and reports failures naming the plugin, never echoing the credential.
 */
export class ExecCredentialProvider {
  private cached?: { status: ExecCredentialStatus; expires: number };
  private inflight?: Promise<ExecCredentialStatus>;

  constructor(
    private readonly exec: ExecConfig,
    private readonly userName: string,
    private readonly timeoutMs = 30_000,
  ) {}

  get pluginName(): string {
    return this.exec.command;
  }

  async get(): Promise<ExecCredentialStatus> {
    if (this.cached && this.cached.expires > Date.now() + 10_000) return this.cached.status;
    this.inflight ??= this.run().finally(() => { this.inflight = undefined; });
    return this.inflight;
  }

  /** Forgets the cached credential (after a 401, a new one is fetched). */
  invalidate(): void {
    this.cached = undefined;
  }

  private run(): Promise<ExecCredentialStatus> {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const e of this.exec.env ?? []) env[e.name] = e.value;
    env.KUBERNETES_EXEC_INFO = JSON.stringify({
      apiVersion: this.exec.apiVersion ?? 'client.authentication.k8s.io/v1',
      kind: 'ExecCredential',
      spec: { interactive: false },
    });
    const cmd = this.exec.command;
    return new Promise<ExecCredentialStatus>((resolve, reject) => {
      let stdout = '';
      let stderr = '';
      let settled = false;
      const child = spawn(cmd, [...(this.exec.args ?? [])], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32' });
      const fail = (msg: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(new KubeError('auth-plugin', msg));
      };
      const timer = setTimeout(() => {
        signalProcessGroup(child.pid, 'SIGKILL');
        fail(`The credential plugin "${cmd}" for user "${this.userName}" did not answer within ${Math.round(this.timeoutMs / 1000)} s`);
      }, this.timeoutMs);
      child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
      child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
      child.on('error', (err: NodeJS.ErrnoException) => {
        const hint = this.exec.installHint ? ` ${this.exec.installHint.trim()}` : '';
        fail(err.code === 'ENOENT'
          ? `The credential plugin "${cmd}" for user "${this.userName}" was not found.${hint}`
          : `The credential plugin "${cmd}" for user "${this.userName}" could not start: ${err.message}`);
      });
      child.on('close', (code, signal) => {
        if (settled) return;
        if (code !== 0) {
          const first = stderr.trim().split('\n')[0]?.slice(0, 300) ?? '';
          fail(`The credential plugin "${cmd}" for user "${this.userName}" failed (${signal ?? `exit code ${code}`})${first ? `: ${first}` : ''}`);
          return;
        }
        let status: ExecCredentialStatus | undefined;
        try {
          status = (JSON.parse(stdout) as { status?: ExecCredentialStatus }).status;
        } catch {
          fail(`The credential plugin "${cmd}" for user "${this.userName}" printed something that is not an ExecCredential`);
          return;
        }
        if (!status || (!status.token && !status.clientCertificateData)) {
          fail(`The credential plugin "${cmd}" for user "${this.userName}" returned no token or certificate`);
          return;
        }
        settled = true;
        clearTimeout(timer);
        const expires = status.expirationTimestamp ? Date.parse(status.expirationTimestamp) : Number.POSITIVE_INFINITY;
        this.cached = { status, expires: Number.isFinite(expires) || expires === Number.POSITIVE_INFINITY ? expires : 0 };
        resolve(status);
      });
    });
  }
}
