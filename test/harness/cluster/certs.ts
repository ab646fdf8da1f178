// Certificates for the test control planes, made with Debian's `openssl` CLI (run through execFile-style spawning,
// never a shell) and node:crypto. ECDSA P-256 keys: fast to make and accepted by kube-apiserver and client-go.
// Nothing here is ever logged: callers get file paths and PEM strings only.
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { runProgram } from './processes';

export interface CertFiles {
  certPath: string;
  keyPath: string;
  certPem: string;
  keyPem: string;
}

export type CA = CertFiles;

function subject(cn: string, orgs: readonly string[] = []): string {
  const esc = (s: string) => s.replace(/[/\\]/g, (c) => `\\${c}`);
  return `/CN=${esc(cn)}${orgs.map((o) => `/O=${esc(o)}`).join('')}`;
}

async function openssl(args: string[]): Promise<void> {
  await runProgram('openssl', args, { timeoutMs: 30_000 });
}

function readPair(certPath: string, keyPath: string): CertFiles {
  fs.chmodSync(keyPath, 0o600);
  return { certPath, keyPath, certPem: fs.readFileSync(certPath, 'utf8'), keyPem: fs.readFileSync(keyPath, 'utf8') };
}

/**
 * Writes `dir/<name>.cnf` (the request section, common name `cn`, the x509 extensions `ext`) and has openssl make a new
 * P-256 key and a certificate for it in `dir/<name>.crt|.key`: self-signed, or signed by a CA through `more` arguments.
 */
async function makeCert(dir: string, name: string, cn: string, ext: readonly string[], more: readonly string[] = []): Promise<CertFiles> {
  fs.mkdirSync(dir, { recursive: true });
  const cnf = path.join(dir, `${name}.cnf`);
  fs.writeFileSync(cnf, ['[req]', 'distinguished_name = dn', 'prompt = no', 'x509_extensions = ext', '[dn]', `CN = ${cn}`, '[ext]', ...ext, ''].join('\n'));
  const certPath = path.join(dir, `${name}.crt`);
  const keyPath = path.join(dir, `${name}.key`);
  await openssl([
    'req',
    '-x509',
    '-new',
    '-config',
    cnf,
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    keyPath,
    '-out',
    certPath,
    '-days',
    '3650',
    ...more,
  ]);
  return readPair(certPath, keyPath);
}

/** A self-signed CA in `dir/<name>.crt|.key`. */
export async function createCA(dir: string, name: string, commonName = `${name}-ca`): Promise<CA> {
  return makeCert(dir, name, commonName, [
    'basicConstraints = critical,CA:TRUE',
    'keyUsage = critical,keyCertSign,cRLSign,digitalSignature',
    'subjectKeyIdentifier = hash',
  ]);
}

export interface IssueOptions {
  commonName: string;
  organizations?: readonly string[];
  dnsNames?: readonly string[];
  ips?: readonly string[];
  usage: 'server' | 'client';
}

/** A certificate signed by `ca`, written to `dir/<name>.crt|.key`. */
export async function issueCert(ca: CA, dir: string, name: string, o: IssueOptions): Promise<CertFiles> {
  const sans = [...(o.dnsNames ?? []).map((d) => `DNS:${d}`), ...(o.ips ?? []).map((ip) => `IP:${ip}`)];
  return makeCert(
    dir,
    name,
    'placeholder',
    [
      'basicConstraints = critical,CA:FALSE',
      'keyUsage = critical,digitalSignature,keyEncipherment',
      `extendedKeyUsage = ${o.usage === 'server' ? 'serverAuth,clientAuth' : 'clientAuth'}`,
      'authorityKeyIdentifier = keyid',
      ...(sans.length ? [`subjectAltName = ${sans.join(',')}`] : []),
    ],
    ['-CA', ca.certPath, '-CAkey', ca.keyPath, '-subj', subject(o.commonName, o.organizations)],
  );
}

export interface KeyPairFiles {
  publicKeyPath: string;
  privateKeyPath: string;
}

/** The service-account token signing key pair (RSA, as kube-apiserver expects by default). */
export function createServiceAccountKeys(dir: string, name = 'sa'): KeyPairFiles {
  fs.mkdirSync(dir, { recursive: true });
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const publicKeyPath = path.join(dir, `${name}.pub`);
  const privateKeyPath = path.join(dir, `${name}.key`);
  fs.writeFileSync(publicKeyPath, publicKey);
  fs.writeFileSync(privateKeyPath, privateKey, { mode: 0o600 });
  return { publicKeyPath, privateKeyPath };
}

/** The DNS names every API server certificate carries (the in-cluster names of the `kubernetes` Service). */
export const kubernetesDnsNames = ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'];

/** A CA and a serving certificate for 127.0.0.1 / localhost, for local HTTPS servers in tests. */
export async function createLoopbackServing(dir: string): Promise<{ ca: CA; serving: CertFiles }> {
  const ca = await createCA(dir, 'ca');
  const serving = await issueCert(ca, dir, 'serving', { commonName: 'localhost', dnsNames: ['localhost'], ips: ['127.0.0.1'], usage: 'server' });
  return { ca, serving };
}
