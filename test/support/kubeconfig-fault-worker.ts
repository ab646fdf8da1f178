// Runs one kubeconfig write into a real file-system fault, inside a private mount namespace set up by
// test/unit/kubeconfig-faults.test.ts (`unshare --user --map-root-user --mount`), where DIR is a tiny tmpfs:
//   node --import tsx test/support/kubeconfig-fault-worker.ts DIR SCENARIO
// SCENARIO: `full` (no space left at all: the lock's own content cannot be written), `almost-full` (room for the
// lock, none for the new kubeconfig), `rename` (the kubeconfig is a mount point: the rename onto it fails with
// EBUSY). Prints one JSON line: the error the writer reported and the directory listing right after.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { KubeconfigWriter } from '../../src/kube/kubeconfig/writer';

const [dir, scenario] = process.argv.slice(2) as [string, string];
const file = path.join(dir, 'config');
const SEED =
  'apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://seed.example\n  name: seed\ncontexts:\n- context:\n    cluster: seed\n    user: seed\n  name: seed\ncurrent-context: seed\nusers:\n- name: seed\n  user:\n    token: seed\n';

function fill(): string {
  const filler = path.join(dir, 'filler');
  const fd = fs.openSync(filler, 'w');
  const chunk = Buffer.alloc(4096, 1);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    fs.closeSync(fd);
  }
  return filler;
}

async function main(): Promise<void> {
  fs.writeFileSync(file, SEED, { mode: 0o600 });
  if (scenario === 'full') fill();
  if (scenario === 'almost-full') {
    // One page free: enough for the lock's token, not for the new kubeconfig (padded to more than a page).
    const filler = fill();
    fs.truncateSync(filler, fs.statSync(filler).size - 4096);
  }
  if (scenario === 'rename') {
    const other = path.join(dir, 'mounted-over');
    fs.writeFileSync(other, SEED, { mode: 0o600 });
    execFileSync('mount', ['--bind', other, file]);
  }
  const writer = new KubeconfigWriter({ files: [file], lockLingerMs: 0, lockTimeoutMs: 2000 });
  let error: { code?: string; message: string } | undefined;
  try {
    await writer.upsertContext({
      name: 'new',
      cluster: { name: 'new', cluster: { server: 'https://new.example', 'certificate-authority-data': Buffer.alloc(6000, 7).toString('base64') } },
      user: { name: 'new', user: { token: 'new' } },
    });
  } catch (err) {
    error = { code: (err as { code?: string }).code, message: (err as Error).message };
  }
  const listing = fs
    .readdirSync(dir)
    .filter((n) => n !== 'filler' && n !== 'mounted-over')
    .sort();
  process.stdout.write(`${JSON.stringify({ error, listing, config: fs.readFileSync(file, 'utf8') === SEED ? 'unchanged' : 'changed' })}\n`);
}

main().catch((err: unknown) => {
  process.stdout.write(`${JSON.stringify({ crash: String(err) })}\n`);
  process.exitCode = 1;
});
