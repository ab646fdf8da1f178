// One kube-apiserver process of the harness (the host's, or a virtual control plane's): its flags, waiting until it is
// ready, and the kubeconfigs that reach it. Shared by startHost() and the virtual control planes in controlPlane.ts.
import fs from 'node:fs';
import path from 'node:path';
import { stringify as toYaml } from 'yaml';
import { toolPath } from '../../../scripts/lib/toolchain.mjs';
import { issueCert, type CA, type CertFiles, type KeyPairFiles } from './certs';
import type { ManagedProcess } from './processes';
import { KubeRest, waitFor } from './rest';

export function requireTool(name: Parameters<typeof toolPath>[0]): string {
  const p = toolPath(name);
  if (!fs.existsSync(p)) throw new Error(`${name} is missing at ${p}: run \`npm run setup\` (it builds the Kubernetes tools)`);
  return p;
}

function b64(s: string): string {
  return Buffer.from(s).toString('base64');
}

/** A kubeconfig with one cluster, user and context, all named `contextName`, credentials embedded. */
export function makeKubeconfig(o: {
  contextName: string;
  server: string;
  caPem: string;
  certPem?: string;
  keyPem?: string;
  token?: string;
  namespace?: string;
  userName?: string;
  clusterName?: string;
}): string {
  const user: Record<string, string> = {};
  if (o.certPem) user['client-certificate-data'] = b64(o.certPem);
  if (o.keyPem) user['client-key-data'] = b64(o.keyPem);
  if (o.token) user.token = o.token;
  const clusterName = o.clusterName ?? o.contextName;
  const userName = o.userName ?? o.contextName;
  return toYaml({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: clusterName, cluster: { server: o.server, 'certificate-authority-data': b64(o.caPem) } }],
    users: [{ name: userName, user }],
    contexts: [{ name: o.contextName, context: { cluster: clusterName, user: userName, ...(o.namespace ? { namespace: o.namespace } : {}) } }],
    'current-context': o.contextName,
    preferences: {},
  });
}

export function writePrivate(file: string, text: string): void {
  fs.writeFileSync(file, text, { mode: 0o600 });
}

export function ms(start: number): number {
  return Date.now() - start;
}

export interface ApiServerSpec {
  name: string;
  dir: string;
  bindAddress: string;
  port: number;
  etcdUrl: string;
  etcdPrefix: string;
  serving: CertFiles;
  ca: CA;
  sa: KeyPairFiles;
  serviceCidr: string;
  tokenFile?: string;
  /** The client certificate the API server presents to kubelets (hosts with a real node only). */
  kubeletClient?: CertFiles;
}

export function apiServerArgs(s: ApiServerSpec): string[] {
  return [
    `--etcd-servers=${s.etcdUrl}`,
    `--etcd-prefix=${s.etcdPrefix}`,
    `--bind-address=${s.bindAddress}`,
    `--advertise-address=${s.bindAddress}`,
    `--secure-port=${s.port}`,
    `--cert-dir=${path.join(s.dir, 'apiserver-certs')}`,
    `--tls-cert-file=${s.serving.certPath}`,
    `--tls-private-key-file=${s.serving.keyPath}`,
    `--client-ca-file=${s.ca.certPath}`,
    `--service-cluster-ip-range=${s.serviceCidr}`,
    `--service-account-issuer=https://${s.bindAddress}:${s.port}`,
    `--service-account-key-file=${s.sa.publicKeyPath}`,
    `--service-account-signing-key-file=${s.sa.privateKeyPath}`,
    ...(s.kubeletClient
      ? [
          // Kubelets are authorized as nodes; the API server reaches them by their InternalIP (no DNS for node names).
          '--authorization-mode=Node,RBAC',
          `--kubelet-client-certificate=${s.kubeletClient.certPath}`,
          `--kubelet-client-key=${s.kubeletClient.keyPath}`,
          '--kubelet-preferred-address-types=InternalIP,Hostname',
        ]
      : [
          '--authorization-mode=RBAC',
          // Pods are created by fixtures and by the statefulset controller before a default ServiceAccount may exist.
          '--disable-admission-plugins=ServiceAccount',
        ]),
    '--allow-privileged=true',
    '--endpoint-reconciler-type=none',
    '--enable-priority-and-fairness=false',
    '--profiling=false',
    ...(s.tokenFile ? [`--token-auth-file=${s.tokenFile}`] : []),
    '--v=0',
  ];
}

export async function waitReady(rest: KubeRest, proc: () => ManagedProcess, what: string, timeoutMs = 120_000): Promise<void> {
  await waitFor(
    `${what} to become ready`,
    async () => {
      const p = proc();
      if (p.hasExited()) throw new Error(`${what} exited:\n${p.output().slice(-4000)}`);
      const r = await rest.raw('GET', '/readyz', undefined, undefined, 5000);
      if (r.status !== 200) return false;
      const ns = await rest.raw('GET', '/api/v1/namespaces/default', undefined, undefined, 5000);
      return ns.status === 200;
    },
    timeoutMs,
    250,
  ).catch((err: Error) => {
    // A crash is final: say so instead of "timed out".
    const p = proc();
    if (p.hasExited()) throw new Error(`${what} exited:\n${p.output().slice(-4000)}`);
    throw err;
  });
}

export function makeUserKubeconfigFn(dir: string, ca: CA, server: string) {
  let n = 0;
  return async (user: string, groups: readonly string[] = [], contextName?: string) => {
    const name = `user-${n++}-${user.replace(/[^a-zA-Z0-9.-]/g, '_')}`;
    const cert = await issueCert(ca, path.join(dir, 'users'), name, { commonName: user, organizations: groups, usage: 'client' });
    const ctx = contextName ?? user;
    const yaml = makeKubeconfig({ contextName: ctx, server, caPem: ca.certPem, certPem: cert.certPem, keyPem: cert.keyPem });
    const p = path.join(dir, 'users', `${name}.kubeconfig`);
    writePrivate(p, yaml);
    return { path: p, yaml, cert };
  };
}
