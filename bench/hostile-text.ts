// 11. Hostile text: the parsers and the redaction that tenant-chosen text reaches, on the inputs that made the former
// code backtrack (a vc-config with many blank lines after a distro key: exponential; PEM BEGIN lines without END, runs
// of "eyJ" or of dotted words, many remembered tokens with a common prefix: quadratic). Each input at three sizes, so
// that the growth shows; every result is checked (a wrong one fails the run), the times are only reported.
import { performance } from 'node:perf_hooks';
import type { Workload } from '../src/kube/types';
import { forgetSecretsForTests, redact, redactClipped, rememberSecret } from '../src/shared/redact';
import { maskCredentials } from '../src/vcluster/config/hideCredentials';
import { distroOf } from '../src/vcluster/status';
import { say, wrong } from './common';
import { type Growth, type Summary, fmtMs, growth, summarize } from './stats';

export interface HostileCase {
  name: string;
  /** What `size` counts. */
  unit: string;
  points: { size: number; ms: Summary }[];
  growth: Growth;
}

function time(runs: number, f: () => void): Summary {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    ms.push(performance.now() - t0);
  }
  return summarize(ms, 3);
}

const KIB = 1024;
const k8s: Workload = {
  metadata: { name: 'vc', namespace: 'ns' },
  spec: { template: { spec: { initContainers: [{ name: 'kube-apiserver', image: 'registry.k8s.io/kube-apiserver:v1.34.0' }] } } },
};

export function measureHostileText(runs: number): HostileCase[] {
  const cases: HostileCase[] = [];
  const run = (name: string, unit: string, sizes: readonly number[], make: (n: number) => string, f: (s: string) => void, check: (s: string) => boolean) => {
    const points = sizes.map((size) => {
      const input = make(size);
      if (!check(input)) wrong(`hostile text: ${name} at ${size} ${unit}: wrong result`);
      return { size, ms: time(runs, () => f(input)) };
    });
    const c = { name, unit, points, growth: growth(points.map((p) => ({ size: p.size, value: p.ms.median }))) };
    say(`hostile text: ${name}: ${points.map((p) => `${p.size} ${unit} ${fmtMs(p.ms)}`).join(', ')}`);
    cases.push(c);
  };

  const distroYaml = (blank: number) => `controlPlane:\n  distro:\n    k3s:\n${'\n'.repeat(blank)}      enabled: false\n`;
  run(
    'distroOf, blank lines after a distro key',
    'blank lines',
    [48, 60, 10_000, 100_000],
    distroYaml,
    (s) => distroOf(k8s, s),
    (s) => distroOf(k8s, s) === 'k8s',
  );

  const pemLike = (bytes: number) => '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n'.repeat(Math.ceil(bytes / 39));
  run(
    'redact, PEM BEGIN lines without END',
    'KiB',
    [64, 128, 256],
    (k) => pemLike(k * KIB),
    redact,
    (s) => !redact(s).includes('MIIEow'),
  );
  run(
    'redactClipped (what a message shows), the same text',
    'KiB',
    [64, 128, 256],
    (k) => pemLike(k * KIB),
    redactClipped,
    (s) => !redactClipped(s).includes('MIIEow'),
  );
  run(
    'redact, a run of "eyJ"',
    'KiB',
    [64, 128, 256],
    (k) => 'eyJ'.repeat((k * KIB) / 3),
    redact,
    (s) => redact(s) === s,
  );
  run(
    'redact, dotted words before no URL scheme',
    'KiB',
    [64, 128, 256],
    (k) => 'a.'.repeat((k * KIB) / 2),
    redact,
    (s) => redact(s) === s,
  );

  // 256 tenant tokens that share an 800-character prefix, against text made of that prefix.
  const prefix = 'ab-1'.repeat(200);
  forgetSecretsForTests();
  rememberSecret(
    Array.from({ length: 256 }, (_, i) => `${prefix}zQ${i}x`),
    { origin: 'cluster' },
  );
  run(
    'redact, 256 remembered tokens with a common prefix',
    'KiB',
    [64, 128, 256],
    (k) => `${prefix.repeat(Math.floor((k * KIB) / prefix.length))} ${prefix}zQ7x`,
    redact,
    (s) => redact(s).endsWith(' <redacted>'),
  );
  forgetSecretsForTests();

  const manifests = (k: number) =>
    Array.from(
      { length: Math.ceil((k * KIB) / 120) },
      (_, i) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s${i}\nstringData:\n  token: tok-${i}-Zq9xW7vB3nM5kL\n`,
    ).join('---\n');
  run(
    'maskCredentials, Secrets in experimental.deploy manifests',
    'KiB',
    [64, 128, 256],
    manifests,
    (s) => maskCredentials({ experimental: { deploy: { vcluster: { manifests: s } } } }),
    (s) => !JSON.stringify(maskCredentials({ experimental: { deploy: { vcluster: { manifests: s } } } })).includes('tok-1-'),
  );
  return cases;
}

export function hostileTextLines(cases: readonly HostileCase[]): string[] {
  const lines = ['11. Hostile text (tenant-chosen input for the former backtracking code; medians)'];
  for (const c of cases) {
    lines.push(`   ${c.name}: ${c.points.map((p) => `${p.size} ${c.unit} ${fmtMs(p.ms)}`).join(', ')} — ${c.growth.verdict}`);
  }
  return lines;
}
