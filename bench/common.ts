// What every measurement of the benchmark shares: progress output, the record of wrong results (which make the run
// exit non-zero), heap figures, temporary folders and clients for the harness's clusters.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ClusterAccess } from '../test/harness/cluster/controlPlane';
import { onExitSync } from '../test/harness/cluster/processes';
import type { ConnectionSpec } from '../src/kube/client';
import type { DiscoveryResult } from '../src/shared/model';
import { BulkRest } from './bulk';
import { CONCURRENCY } from './world';

export const say = (m: string): void => {
  process.stderr.write(`[bench] ${m}\n`);
};

export const failures: string[] = [];

/** A wrong result: recorded, printed, and the run exits non-zero at the end (or at once when `fatal`). */
export function wrong(msg: string, fatal = false): void {
  failures.push(msg);
  say(`WRONG RESULT: ${msg}`);
  if (fatal) throw new Error(msg);
}

/** Two full garbage collections (the benchmark runs with --expose-gc). */
export function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (!g) throw new Error('run with node --expose-gc (npm run bench does)');
  g();
  g();
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const tmpDirs: string[] = [];
onExitSync(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A temporary folder removed when the benchmark exits. */
export function mkTmp(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tmpDirs.push(d);
  return d;
}

/** A kubeconfig file holding `yaml`, in a temporary folder. */
export function kubeconfigFile(yaml: string, prefix = 'vce-bench-kc-'): string {
  const file = path.join(mkTmp(prefix), 'kubeconfig');
  fs.writeFileSync(file, yaml, { mode: 0o600 });
  return file;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** The ConnectionSpec the extension builds from a kubeconfig context with embedded certificates. */
export function connectionSpec(c: ClusterAccess): ConnectionSpec {
  return {
    contextName: c.contextName,
    clusterName: c.contextName,
    cluster: { server: c.server, 'certificate-authority-data': b64(c.ca.certPem) },
    userName: c.contextName,
    user: { 'client-certificate-data': b64(c.admin.certPem), 'client-key-data': b64(c.admin.keyPem) },
  };
}

export function bulkRest(c: ClusterAccess): BulkRest {
  return new BulkRest({ server: c.server, caPem: c.ca.certPem, certPem: c.admin.certPem, keyPem: c.admin.keyPem }, CONCURRENCY);
}

export const countVClusters = (r: DiscoveryResult): number => r.namespaces.reduce((n, ns) => n + ns.vclusters.length, 0);
