// Hostile deployed configuration (`--only hostile-config`): what a release Secret written by whoever can write Secrets
// in a vcluster's namespace costs the deployed-values path of Upgrade and Show Config. In memory, no cluster:
//   - a gzip bomb as the release payload, as big as a Secret can hold (1 MiB of data inflating to ~750 MiB): the time
//     to refuse it at the inflate bound, and for scale the unbounded inflate of a 64 MiB one (what the decoder did);
//   - values built against the bundled schema's patterns (long names that fail at the end), validated by the bundled
//     schema, at growing lengths (the patterns are linear by construction: validate.ts unsafePattern);
//   - the catastrophic pattern a release's stored schema may carry (`^(a+)+$`), run as the old path did (ajv with
//     that schema) at a few short lengths, next to the time for the new path to refuse the schema when it is compiled.
// Reported, never asserted; a wrong result (a bomb that decodes, a pattern that is not refused) is recorded.
import { performance } from 'node:perf_hooks';
import { createGzip, gunzipSync } from 'node:zlib';
import Ajv2020 from 'ajv/dist/2020';
import { repoRoot } from '../scripts/lib/toolchain.mjs';
import { decodeReleaseData, MAX_RELEASE_BYTES } from '../src/vcluster/config/helmRelease';
import { loadBundledSchema } from '../src/vcluster/config/schema';
import { compileSchema, VClusterConfigValidator } from '../src/vcluster/config/validate';
import { say, wrong } from './common';
import { summarize, type Summary } from './stats';

/** gzip of `{"config":{"x":"<n spaces>"}}`, streamed so the inflated text never exists in memory. */
async function gzipBomb(inflatedBytes: number): Promise<Buffer> {
  const gz = createGzip({ level: 9 });
  const chunks: Buffer[] = [];
  gz.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    gz.on('end', resolve);
    gz.on('error', reject);
  });
  const block = Buffer.alloc(1024 * 1024, 0x20);
  gz.write('{"config":{"x":"');
  for (let left = inflatedBytes; left > 0; left -= block.length) {
    if (!gz.write(left >= block.length ? block : block.subarray(0, left))) await new Promise((r) => gz.once('drain', r));
  }
  gz.end('"}}');
  await done;
  return Buffer.concat(chunks);
}

/** data.release as the API returns it: base64 (the Secret) of base64 (Helm) of the gzip. */
const secretData = (gz: Buffer) => Buffer.from(gz.toString('base64')).toString('base64');

function time(runs: number, fn: () => void): Summary {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    ms.push(performance.now() - t);
  }
  return summarize(ms);
}

export interface HostileConfigResult {
  bomb: { secretDataBytes: number; inflatesToBytes: number; boundBytes: number; refuseMs: Summary; error: string };
  unboundedInflate64MiBMs: Summary;
  bundledPatterns: { length: number; validateMs: Summary; problems: number }[];
  storedPattern: { oldPathMs: { length: number; ms: number }[]; refuseAtCompileMs: Summary };
}

export async function measureHostileConfig(runs: number): Promise<HostileConfigResult> {
  // The biggest bomb a Secret holds: 1 MiB of data is 768 KiB of Helm's base64, 576 KiB of gzip.
  const inflatesTo = 750 * 1024 * 1024;
  const gz = await gzipBomb(inflatesTo);
  const data = secretData(gz);
  // The Secret holds Helm's base64 text; the API's JSON carries that once more in base64.
  const secretBytes = Buffer.from(data, 'base64').length;
  if (secretBytes > 1024 * 1024) wrong(`the bomb's Secret holds ${secretBytes} bytes, more than a Secret can`);
  let error = '';
  const refuseMs = time(runs, () => {
    try {
      decodeReleaseData(data);
      wrong('the gzip bomb decoded');
    } catch (err) {
      error = (err as Error).message;
    }
  });
  say(`hostile-config: a ${(secretBytes / 1024).toFixed(0)} KiB Secret inflating to ${inflatesTo / 1024 / 1024} MiB refused in ${refuseMs.median} ms`);

  const gz64 = await gzipBomb(64 * 1024 * 1024);
  const unboundedInflate64MiBMs = time(Math.min(runs, 3), () => {
    if (gunzipSync(gz64).length < 64 * 1024 * 1024) wrong('the 64 MiB bomb inflated to less');
  });

  const schema = loadBundledSchema(repoRoot);
  const validator = new VClusterConfigValidator(schema);
  validator.validate('{}\n'); // compiles the schema (a second or two), outside the timings
  const bundledPatterns: HostileConfigResult['bundledPatterns'] = [];
  for (const length of [31, 1000, 100_000, 1_000_000]) {
    // A DNS-label pattern against a name that is valid up to its last character.
    const name = `${'a-'.repeat(Math.floor(length / 2))}-`.slice(-length);
    const text = `experimental:\n  proxy:\n    customResources:\n      x:\n        targetVirtualCluster:\n          name: "${name}"\n`;
    let problems = 0;
    const validateMs = time(runs, () => {
      problems = validator.validate(text).problems.length;
    });
    if (problems !== 1) wrong(`the bundled schema reported ${problems} problems for a name of ${length} characters failing its pattern, not 1`);
    bundledPatterns.push({ length, validateMs, problems });
    say(`hostile-config: bundled schema, a ${length}-character name failing its pattern: ${validateMs.median} ms`);
  }

  const evil = { type: 'object', properties: { x: { type: 'string', pattern: '^(a+)+$' } } };
  const oldPathMs: { length: number; ms: number }[] = [];
  const oldAjv = new Ajv2020({ allErrors: true, strict: false, validateSchema: false }).compile(evil);
  oldAjv({ x: 'a!' });
  for (const length of [20, 22, 24, 26]) {
    const t = performance.now();
    oldAjv({ x: `${'a'.repeat(length - 1)}!` });
    oldPathMs.push({ length, ms: Math.round((performance.now() - t) * 10) / 10 });
  }
  say(`hostile-config: the stored schema's ^(a+)+$ as the old path ran it: ${oldPathMs.map((p) => `${p.length} chars ${p.ms} ms`).join(', ')}`);
  const refuseAtCompileMs = time(runs, () => {
    try {
      compileSchema({ ...evil });
      wrong('the catastrophic pattern was compiled');
    } catch {
      // refused, as it should be
    }
  });
  return {
    bomb: { secretDataBytes: secretBytes, inflatesToBytes: inflatesTo, boundBytes: MAX_RELEASE_BYTES, refuseMs, error },
    unboundedInflate64MiBMs,
    bundledPatterns,
    storedPattern: { oldPathMs, refuseAtCompileMs },
  };
}
