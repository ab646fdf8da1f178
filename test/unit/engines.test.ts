import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import semver from 'semver';

// The extension runs in the extension host's Node, which code-server tests do not represent (code-server brings Node
// 24). Check that everything bundled into dist/extension.js accepts the Node of our engines.vscode floor.

const root = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  engines: { vscode: string };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** Node version of the extension host of each VS Code release we may name as the floor (from VS Code's release notes). */
const EXTENSION_HOST_NODE: Record<string, string> = {
  '1.96': '20.18.1',
  '1.100': '20.19.0',
  '1.101': '22.15.1',
  '1.125': '24.15.0',
};

function floorNode(): string {
  const floor = semver.minVersion(pkg.engines.vscode);
  assert.ok(floor, `engines.vscode ${pkg.engines.vscode} has no minimum`);
  const key = `${floor.major}.${floor.minor}`;
  const node = EXTENSION_HOST_NODE[key];
  assert.ok(node, `add the extension host Node version of VS Code ${key} to this table`);
  return node;
}

function runtimeClosure(): Map<string, { version: string; engines?: { node?: string } }> {
  const seen = new Map<string, { version: string; engines?: { node?: string } }>();
  const visit = (name: string, from: string) => {
    if (seen.has(name)) return;
    let dir = from;
    let file: string | undefined;
    for (;;) {
      const candidate = path.join(dir, 'node_modules', name, 'package.json');
      if (fs.existsSync(candidate)) {
        file = candidate;
        break;
      }
      const up = path.dirname(dir);
      if (up === dir) break;
      dir = up;
    }
    if (!file) return; // optional dependency not installed
    const p = JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string; engines?: { node?: string }; dependencies?: Record<string, string> };
    seen.set(name, p);
    for (const d of Object.keys(p.dependencies ?? {})) visit(d, path.dirname(file));
  };
  for (const d of Object.keys(pkg.dependencies)) visit(d, root);
  return seen;
}

describe('runtime requirements', () => {
  it('@types/vscode matches the engines.vscode floor', () => {
    const floor = semver.minVersion(pkg.engines.vscode)!;
    const types = semver.minVersion(pkg.devDependencies['@types/vscode']!)!;
    assert.equal(`${types.major}.${types.minor}`, `${floor.major}.${floor.minor}`);
  });

  it('every bundled runtime dependency accepts the Node of the oldest supported extension host', () => {
    const node = floorNode();
    const closure = runtimeClosure();
    assert.ok(closure.has('@kubernetes/client-node') && closure.size > 5, `walked ${closure.size} packages`);
    const refused = [...closure]
      .filter(([, p]) => p.engines?.node && !semver.satisfies(node, p.engines.node, { includePrerelease: true }))
      .map(([name, p]) => `${name}@${p.version} needs node ${p.engines!.node}`);
    assert.deepEqual(refused, [], `extension host Node ${node}`);
  });

  it('the plain-Node tests run on the same Node major as that extension host', () => {
    assert.equal(semver.major(process.versions.node), semver.major(floorNode()));
  });
});
