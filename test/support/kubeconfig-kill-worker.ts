// A process of ours that is killed in the middle of a kubeconfig write, for test/cluster/kubeconfig-killed-writer.test.ts:
//   node --import tsx test/support/kubeconfig-kill-worker.ts FILE
// The real KubeconfigWriter starts an upsert; the rename of its temp copy into place never returns, so when the worker
// prints `holding` it holds `<file>.lock` (with our token: this pid, this host) and its temp copy (with the new
// credentials) lies next to the file. It then waits to be killed.
import fsp from 'node:fs/promises';
import { KubeconfigWriter } from '../../src/kube/kubeconfig/writer';

const [file] = process.argv.slice(2) as [string];

(fsp as { rename: typeof fsp.rename }).rename = () => {
  process.stdout.write('holding\n');
  return new Promise<void>(() => undefined);
};
setInterval(() => undefined, 60_000);

void new KubeconfigWriter({ files: [file], lockLingerMs: 0, lockTimeoutMs: 10_000 })
  .upsertContext({
    name: 'killed',
    cluster: { name: 'killed', cluster: { server: 'https://killed.example' } },
    user: { name: 'killed', user: { token: 'killed-writer-secret' } },
  })
  .catch((err: unknown) => process.stdout.write(`failed: ${String(err)}\n`));
