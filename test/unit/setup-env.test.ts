import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { which } from '../../scripts/lib/toolchain.mjs';

// The set-up's programs must not inherit the configuration of the `npm run …` that started us: a real `npm run`
// (the system's npm, as README's commands run) prints what childEnv() would give a program it starts.

const root = path.resolve(__dirname, '..', '..');

function underNpmRun(script: string): { outer: Record<string, string>; child: Record<string, string> } {
  const npm = which('npm');
  assert.ok(npm, 'npm is on PATH');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-setup-env-'));
  try {
    fs.writeFileSync(path.join(dir, 'probe.mjs'), script);
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'probe', version: '1.0.0', private: true, scripts: { probe: 'node probe.mjs' } }));
    const r = spawnSync(npm, ['run', '--silent', 'probe'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '--no-warnings' } });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as { outer: Record<string, string>; child: Record<string, string> };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('the environment of the programs the set-up starts', () => {
  const toolchain = JSON.stringify(path.join(root, 'scripts', 'lib', 'toolchain.mjs'));
  const probe = `import { childEnv, envWithNode } from ${toolchain};
process.stdout.write(JSON.stringify({ outer: process.env, child: childEnv(), withNode: envWithNode('/opt/node-x/bin/node', { set: { npm_config_nodedir: '/opt/node-x' } }) }));`;
  let seen: { outer: Record<string, string>; child: Record<string, string>; withNode?: Record<string, string> };
  before(() => {
    seen = underNpmRun(probe);
  });

  it('npm run really exports its configuration (what the check below removes)', () => {
    assert.match(seen.outer.npm_config_user_agent ?? '', /^npm\//);
    assert.ok(seen.outer.npm_lifecycle_event, 'npm_lifecycle_event is set by npm run');
    assert.ok(
      seen.outer.PATH?.split(path.delimiter).some((d) => d.endsWith(`node_modules${path.sep}.bin`)),
      'npm run puts node_modules/.bin on PATH',
    );
  });

  it("drops npm_*, NODE, INIT_CWD, NODE_OPTIONS and npm run's PATH entries, and keeps the rest", () => {
    const leaked = Object.keys(seen.child).filter((k) => /^npm_/i.test(k) || ['NODE', 'INIT_CWD', 'NODE_OPTIONS', 'NODE_PATH'].includes(k));
    assert.deepEqual(leaked, []);
    const pathDirs = seen.child.PATH.split(path.delimiter);
    assert.deepEqual(
      pathDirs.filter((d) => d.endsWith(`node_modules${path.sep}.bin`) || d.endsWith('node-gyp-bin')),
      [],
    );
    assert.equal(seen.child.HOME, seen.outer.HOME);
    // every other directory of the outer PATH is kept, in order
    const kept = seen.outer.PATH.split(path.delimiter).filter((d) => d && !d.endsWith(`node_modules${path.sep}.bin`) && !d.endsWith('node-gyp-bin'));
    assert.deepEqual(pathDirs, [...new Set(kept)]);
  });

  it('puts the chosen node first and applies the variables set on purpose last', () => {
    const env = seen.withNode!;
    assert.equal(env.PATH.split(path.delimiter)[0], '/opt/node-x/bin');
    assert.equal(env.npm_config_nodedir, '/opt/node-x');
    assert.equal(env.npm_config_user_agent, undefined);
  });
});
