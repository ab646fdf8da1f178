#!/usr/bin/env node
// `npm run package`: builds the production bundles and packs the .vsix with @vscode/vsce, offline.
//   node scripts/package.mjs [--check] [--result-file <file>]
// --check also verifies the package: the bundles, media, README, CHANGELOG and LICENSE are in it; no sources,
// tests, maps or node_modules; and it is under 3 MB. Prints the file name and size.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot, runNodeScript } from './lib/toolchain.mjs';

const { values } = parseArgs({ options: { check: { type: 'boolean' }, 'result-file': { type: 'string' } } });
const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const out = path.join(repoRoot, `${pkg.name}-${pkg.version}.vsix`);
const MAX_BYTES = 3 * 1024 * 1024;

/** Names of the entries of a zip file, from its central directory. */
export function zipEntries(file) {
  const buf = fs.readFileSync(file);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${file} is not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const names = [];
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('corrupt central directory');
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    names.push(buf.toString('utf8', p + 46, p + 46 + nameLen));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return names;
}

const results = [];
function expect(title, ok, detail = '') {
  results.push({ title, ok });
  process.stdout.write(`  ${ok ? '✔' : '✖'} ${title}${ok || !detail ? '' : `: ${detail}`}\n`);
}

async function main() {
  fs.rmSync(out, { force: true });
  // vsce runs the vscode:prepublish script (production build) itself.
  await runNodeScript([
    path.join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce'),
    'package',
    '--no-dependencies',
    '--allow-missing-repository',
    '--skip-license',
    '--no-rewrite-relative-links',
    '--out',
    out,
  ]);
  const size = fs.statSync(out).size;
  process.stdout.write(`${path.basename(out)}  ${(size / 1024).toFixed(0)} KiB\n`);
  if (!values.check) return;
  const entries = zipEntries(out).map((e) => e.replace(/^extension\//, ''));
  process.stdout.write('\n  package contents\n');
  for (const f of [
    'dist/extension.js',
    'dist/authProvider.js',
    'dist/mapping.js',
    'dist/describe.js',
    'dist/objectDescribe.js',
    'dist/mapping.css',
    'dist/describe.css',
    'dist/objectDescribe.css',
    'schemas/vcluster.schema.json',
    'dist/codicon.css',
    'dist/codicon.ttf',
    'media/vcluster.svg',
    'media/icon.png',
    'package.json',
  ]) {
    expect(`contains ${f}`, entries.includes(f));
  }
  expect(
    'contains README, CHANGELOG and LICENSE',
    ['readme.md', 'changelog.md'].every((f) => entries.some((e) => e.toLowerCase() === f)) && entries.some((e) => /^license(\.txt|\.md)?$/i.test(e)),
    entries.join(', '),
  );
  const forbidden = entries.filter((e) => /^(src|test|webview-ui|scripts|tools|node_modules|\.ci)\//.test(e) || /\.map$/.test(e) || /\.ts$/.test(e));
  expect('contains no sources, tests, maps or node_modules', forbidden.length === 0, forbidden.slice(0, 10).join(', '));
  expect(`is under 3 MB (${(size / 1024 / 1024).toFixed(2)} MB)`, size < MAX_BYTES);
}

main().then(
  () => {
    const failures = results.filter((r) => !r.ok).length;
    if (values['result-file'])
      fs.writeFileSync(values['result-file'], JSON.stringify({ passes: results.length - failures, failures, pending: 0, tests: results.length }));
    process.exit(failures ? 1 : 0);
  },
  (err) => {
    console.error(`package: ${err.message}`);
    if (values['result-file']) fs.writeFileSync(values['result-file'], JSON.stringify({ passes: 0, failures: 1, pending: 0, tests: 1 }));
    process.exit(1);
  },
);
