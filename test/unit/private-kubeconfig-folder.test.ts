// Where a terminal's private kubeconfig is written (src/vcluster/privateFolder.ts): a folder only the user can reach,
// created 0700 with the file 0600 in a 0700 folder of its own; a folder that others may write in, that belongs to
// another user or that is a symbolic link is refused and nothing is written; the folder is in the extension's storage
// (or the user's own $XDG_RUNTIME_DIR), not in the shared temp folder; what windows that no longer run left is removed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { terminalKubeconfigs } from '../../src/app/terminalKubeconfigs';
import { hostTag } from '../../src/kube/kubeconfig/leftovers';
import { UserFacingError } from '../../src/shared/errors';
import { parseVirtualKubeconfig } from '../../src/vcluster/access';
import { removeDeadSubfolders, terminalFolders } from '../../src/vcluster/privateFolder';
import { writePrivateKubeconfig } from '../../src/vcluster/privateKubeconfig';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const kc = parseVirtualKubeconfig(
  {
    metadata: { name: 'vc-apps', namespace: 'team-a' },
    data: {
      config: b64(
        JSON.stringify({
          clusters: [{ name: 'x', cluster: { server: 'https://localhost:8443', 'certificate-authority-data': b64('CA') } }],
          users: [{ name: 'x', user: { token: 'tok' } }],
        }),
      ),
    },
  },
  'team-a',
  'apps',
);
const write = (folder: string) =>
  writePrivateKubeconfig('vcluster_apps_team-a_host', kc, { kind: 'tunnel', server: 'https://localhost:4567', tlsServerName: 'localhost' }, folder);
const mode = (p: string) => fs.lstatSync(p).mode & 0o777;
/** A pid no process has: a child that has exited and been reaped. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;

describe('the folder of a terminal’s private kubeconfig', function () {
  let base: string;
  beforeEach(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-private-folder-'));
  });
  afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

  it('is created 0700 (with its missing parents) and holds the file 0600 in a 0700 folder of its own', () => {
    const storage = path.join(base, 'globalStorage', 'vcluster-explorer.vcluster-explorer');
    const folder = path.join(storage, 'terminal-kubeconfigs');
    const k = write(folder);
    assert.equal(path.dirname(path.dirname(k.file)), folder);
    assert.match(path.basename(path.dirname(k.file)), new RegExp(`^vcluster-terminal-${hostTag()}-${process.pid}-\\w{6}$`));
    assert.equal(mode(storage), 0o700);
    assert.equal(mode(folder), 0o700);
    assert.equal(mode(path.dirname(k.file)), 0o700);
    assert.equal(mode(k.file), 0o600);
    k.remove();
    assert.deepEqual(fs.readdirSync(folder), [], 'the kubeconfig and its own folder are gone; the folder stays');
  });

  for (const bad of [0o770, 0o702, 0o777]) {
    it(`a folder others may write in (mode ${bad.toString(8)}) is refused and nothing is written`, () => {
      const folder = path.join(base, 'shared');
      fs.mkdirSync(folder);
      fs.chmodSync(folder, bad);
      assert.throws(
        () => write(folder),
        (err: unknown) => err instanceof UserFacingError && /others may write in it/.test(err.message),
      );
      assert.deepEqual(fs.readdirSync(folder), []);
      assert.equal(mode(folder), bad, 'not changed either');
    });
  }

  it('a symbolic link in place of the folder is refused, not followed', () => {
    const target = path.join(base, 'elsewhere');
    fs.mkdirSync(target, { mode: 0o700 });
    const folder = path.join(base, 'link');
    fs.symlinkSync(target, folder);
    assert.throws(
      () => write(folder),
      (err: unknown) => err instanceof UserFacingError && /is a symbolic link/.test(err.message),
    );
    assert.deepEqual(fs.readdirSync(target), []);
  });

  it('a folder of another user is refused', () => {
    let folder = '/';
    if (process.getuid?.() === 0) {
      // As root (CI containers): a folder of "nobody", otherwise private.
      folder = path.join(base, 'theirs');
      fs.mkdirSync(folder, { mode: 0o700 });
      fs.chownSync(folder, 65534, 65534);
    }
    assert.throws(
      () => write(folder),
      (err: unknown) => err instanceof UserFacingError && /belongs to another user/.test(err.message),
    );
    if (folder !== '/') assert.deepEqual(fs.readdirSync(folder), []);
  });

  it('a folder of ours that others may only read is narrowed to 0700 and used', () => {
    const folder = path.join(base, 'readable');
    fs.mkdirSync(folder);
    fs.chmodSync(folder, 0o755);
    const k = write(folder);
    assert.equal(mode(folder), 0o700);
    k.remove();
  });

  it('is in the extension’s storage, not in the shared temp folder, unless $XDG_RUNTIME_DIR is the user’s own 0700 folder', () => {
    const storage = path.join(base, 'storage');
    const run = path.join(base, 'run');
    fs.mkdirSync(run, { mode: 0o700 });
    const inStorage = path.join(storage, 'terminal-kubeconfigs');
    assert.deepEqual(terminalFolders(storage, {}), [inStorage]);
    assert.deepEqual(terminalFolders(storage, { XDG_RUNTIME_DIR: run }), [path.join(run, 'vcluster-explorer', 'terminal-kubeconfigs'), inStorage]);
    fs.chmodSync(run, 0o755);
    assert.deepEqual(terminalFolders(storage, { XDG_RUNTIME_DIR: run }), [inStorage], 'a runtime folder others may read is not used');
    fs.chmodSync(run, 0o700);
    const link = path.join(base, 'run-link');
    fs.symlinkSync(run, link);
    assert.deepEqual(terminalFolders(storage, { XDG_RUNTIME_DIR: link }), [inStorage], 'nor a link');
    assert.deepEqual(terminalFolders(storage, { XDG_RUNTIME_DIR: 'relative/run' }), [inStorage]);

    // What vcluster.openTerminal uses (src/app/terminalKubeconfigs.ts), with this process's environment.
    const saved = process.env.XDG_RUNTIME_DIR;
    try {
      delete process.env.XDG_RUNTIME_DIR;
      const k = write(terminalKubeconfigs(storage).folder());
      try {
        assert.ok(k.file.startsWith(inStorage + path.sep), k.file);
        assert.notEqual(path.dirname(path.dirname(k.file)), os.tmpdir());
      } finally {
        k.remove();
      }
    } finally {
      if (saved === undefined) delete process.env.XDG_RUNTIME_DIR;
      else process.env.XDG_RUNTIME_DIR = saved;
    }
  });

  it('the folders of extension hosts that no longer run are removed (at activation and with the next kubeconfig); others stay', () => {
    const storage = path.join(base, 'storage');
    const folder = path.join(storage, 'terminal-kubeconfigs');
    const tag = hostTag();
    const other = tag === '00000000' ? '11111111' : '00000000';
    const dead = deadPid();
    const sub = (name: string, file = true) => {
      fs.mkdirSync(path.join(folder, name), { recursive: true, mode: 0o700 });
      if (file) fs.writeFileSync(path.join(folder, name, 'kubeconfig'), 'token: old', { mode: 0o600 });
      return name;
    };
    const gone = [sub(`vcluster-terminal-${tag}-${dead}-abcdef`), sub(`vcluster-terminal-${tag}-${dead}-ABC123`)];
    const live = sub(`vcluster-terminal-${tag}-${process.ppid}-abcdef`);
    const elsewhere = sub(`vcluster-terminal-${other}-${dead}-abcdef`);
    const notOurs = sub(`vcluster-terminal-${tag}-${dead}-abcdef.keep`);
    const fileNotFolder = `vcluster-terminal-${tag}-${dead}-fffff0`;
    fs.writeFileSync(path.join(folder, fileNotFolder), 'x');
    fs.chmodSync(folder, 0o700);
    const stays = [live, elsewhere, notOurs, fileNotFolder].sort();

    assert.equal(terminalKubeconfigs(storage).cleanUp(), 2);
    assert.deepEqual(fs.readdirSync(folder).sort(), stays);
    for (const g of gone) sub(g);
    assert.equal(removeDeadSubfolders(path.join(base, 'missing')), 0, 'a folder that does not exist is nothing to clean');

    const k = write(folder);
    assert.deepEqual(fs.readdirSync(folder).sort(), [...stays, path.basename(path.dirname(k.file))].sort(), 'the next kubeconfig cleans up too');
    k.remove();
  });
});
