// A tenant's attack through a vcluster kubeconfig secret. Whoever may create objects in one namespace of a shared host
// cluster can make something that looks like a vcluster (a StatefulSet labelled app=vcluster, see worlds.ts) and write
// its Secret vc-NAME with a kubeconfig that names a program (a credential plugin under `exec`, an `auth-provider`
// `cmd-path`) or a private file of whoever reads it (`tokenFile`, certificate and key paths). kubectl would run the
// program and read the file. The program here is a canary: run, it leaves a line in a marker file and answers with a
// valid credential of the target server, so an attack that works stays silent, as a real one would.
import fs from 'node:fs';
import path from 'node:path';
import { stringify as toYaml } from 'yaml';
import type { ClusterAccess } from '../cluster/controlPlane';
import type { BuiltVCluster } from './worlds';

export interface Canary {
  /** The tenant's program (a /bin/sh script). */
  readonly program: string;
  /** Where the program leaves a line each time it runs. */
  readonly marker: string;
  /** A private file of the user (mode 0600) whose content is a valid bearer token of the target server. */
  readonly privateTokenFile: string;
  /** The lines the program left: one per run. */
  runs(): string[];
}

/** The canary program and the private file in `dir`; `token` is a bearer token the target server accepts. */
export function makeCanary(dir: string, token: string): Canary {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const marker = path.join(dir, 'canary-ran');
  const program = path.join(dir, 'canary');
  const answer = JSON.stringify({
    apiVersion: 'client.authentication.k8s.io/v1',
    kind: 'ExecCredential',
    status: { token },
    // what a gcp auth-provider's cmd-path prints (token-key {.token}, expiry-key {.expiry})
    token,
    expiry: '2099-01-01T00:00:00Z',
  });
  if (/'/.test(marker)) throw new Error(`the canary's folder must not contain a quote: ${dir}`);
  fs.writeFileSync(program, `#!/bin/sh\necho "ran: $0 $*" >> '${marker}'\necho '${answer}'\n`, { mode: 0o755 });
  const privateTokenFile = path.join(dir, 'private-token');
  fs.writeFileSync(privateTokenFile, `${token}\n`, { mode: 0o600 });
  return {
    program,
    marker,
    privateTokenFile,
    runs: () => (fs.existsSync(marker) ? fs.readFileSync(marker, 'utf8').split('\n').filter(Boolean) : []),
  };
}

/**
 * - `trojan`: a usable inline client certificate and key of the target, and beside them everything a kubeconfig may
 *   name that runs or reads something: exec, auth-provider cmd-path, tokenFile / token-file, certificate and key
 *   paths, proxy-url, basic auth, impersonation, extensions.
 * - `exec`, `authProvider`, `tokenFile`: only that one way to get a credential, nothing inline.
 */
export type AttackVariant = 'trojan' | 'exec' | 'authProvider' | 'tokenFile';

export const ATTACK_VARIANTS: readonly AttackVariant[] = ['trojan', 'exec', 'authProvider', 'tokenFile'];

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** The kubeconfig a tenant writes into vc-NAME, aimed at the real API server `target`. */
export function attackKubeconfig(variant: AttackVariant, target: ClusterAccess, canary: Canary): string {
  const exec = { apiVersion: 'client.authentication.k8s.io/v1', command: canary.program, args: ['exec'], interactiveMode: 'Never' };
  const authProvider = { name: 'gcp', config: { 'cmd-path': canary.program, 'cmd-args': 'auth-provider', 'token-key': '{.token}', 'expiry-key': '{.expiry}' } };
  const cluster: Record<string, unknown> = { server: target.server, 'certificate-authority-data': b64(target.ca.certPem) };
  let user: Record<string, unknown>;
  switch (variant) {
    case 'trojan':
      Object.assign(cluster, {
        'proxy-url': 'http://127.0.0.1:9',
        'certificate-authority': canary.privateTokenFile,
        extensions: [{ name: 'tenant', extension: { note: 'x' } }],
      });
      user = {
        'client-certificate-data': b64(target.admin.certPem),
        'client-key-data': b64(target.admin.keyPem),
        exec,
        'auth-provider': authProvider,
        tokenFile: canary.privateTokenFile,
        'token-file': canary.privateTokenFile,
        'client-certificate': canary.privateTokenFile,
        'client-key': canary.privateTokenFile,
        username: 'admin',
        password: 'tenant-password-1234',
        as: 'system:admin',
        'as-groups': ['system:masters'],
      };
      break;
    case 'exec':
      user = { exec };
      break;
    case 'authProvider':
      user = { 'auth-provider': authProvider };
      break;
    case 'tokenFile':
      user = { tokenFile: canary.privateTokenFile };
      break;
  }
  return toYaml({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'Default', cluster }],
    users: [{ name: 'Default', user }],
    contexts: [{ name: 'Default', context: { cluster: 'Default', user: 'Default' } }],
    'current-context': 'Default',
  });
}

/** Replaces the `config` key of the vcluster's Secret vc-NAME (as the tenant, who may write secrets there). */
export async function plantKubeconfigSecret(vc: BuiltVCluster, kubeconfig: string): Promise<void> {
  const p = `/api/v1/namespaces/${vc.namespace}/secrets/vc-${vc.name}`;
  const secret = await vc.parentRest.get(p);
  secret.data = { ...secret.data, config: b64(kubeconfig) };
  await vc.parentRest.put(p, secret);
}
