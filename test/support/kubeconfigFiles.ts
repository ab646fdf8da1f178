// Shared by the kubeconfig writer's unit tests (test/unit/kubeconfig-writer*.test.ts): real temp files, the writer on
// them, and checks on what it wrote.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import type { ContextSpec } from '../../src/kube/kubeconfig/writer';
import { KubeconfigWriter } from '../../src/kube/kubeconfig/writer';

export const FIXTURES = path.join(__dirname, '..', 'unit', 'fixtures', 'kubeconfig');

export function spec(name: string, extra: Partial<ContextSpec> = {}): ContextSpec {
  return {
    name,
    cluster: { name, cluster: { server: `https://${name}.example:8443`, 'certificate-authority-data': 'Q0EtREFUQQ==' } },
    user: { name, user: { 'client-certificate-data': 'Q0VSVA==', 'client-key-data': 'S0VZ' } },
    ...extra,
  };
}

export function parse(file: string): Record<string, unknown> {
  return YAML.parse(fs.readFileSync(file, 'utf8'), { version: '1.1' }) as Record<string, unknown>;
}

export function names(file: string, list: 'clusters' | 'users' | 'contexts'): string[] {
  return ((parse(file)[list] ?? []) as { name: string }[]).map((e) => e.name);
}

/** Lines of `before` must appear in `after` unchanged and in order. */
export function assertLinesKept(before: string, after: string): void {
  const out = after.split('\n');
  let i = 0;
  for (const line of before.split('\n')) {
    while (i < out.length && out[i] !== line) i++;
    assert.ok(i < out.length, `line lost or changed: ${JSON.stringify(line)}`);
    i++;
  }
}

/** A fresh temp directory per test (removed after it), and files and writers in it. Call inside a describe(). */
export function tempKubeconfigDir() {
  let dir = '';
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-kcw-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const write = (name: string, text: string, mode = 0o600) => {
    const p = path.join(dir, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text, { mode });
    fs.chmodSync(p, mode);
    return p;
  };
  return {
    /** The directory of the running test. */
    get dir() {
      return dir;
    },
    write,
    fixture: (name: string, as = name) => write(as, fs.readFileSync(path.join(FIXTURES, name), 'utf8')),
    writer: (files: string[], more: Partial<ConstructorParameters<typeof KubeconfigWriter>[0]> = {}) =>
      new KubeconfigWriter({ files, backupDir: path.join(dir, 'backups'), lockLingerMs: 0, ...more }),
    leftovers: () => fs.readdirSync(dir).filter((n) => n.endsWith('.lock') || n.endsWith('.tmp')),
  };
}
