// A process of ours that ends with process.exit() while the lock of its last kubeconfig write still lingers, for
// test/unit/kubeconfig-linger.test.ts: node --import tsx test/support/kubeconfig-linger-worker.ts FILE CONTEXT
// It switches FILE to CONTEXT with a long linger, prints whether `<file>.lock` exists once the switch has returned
// (as JSON), and exits at once: the exit hook of lock.ts must remove the lock.
import fs from 'node:fs';
import { KubeconfigWriter } from '../../src/kube/kubeconfig/writer';

const [file, context] = process.argv.slice(2) as [string, string];

new KubeconfigWriter({ files: [file], lockLingerMs: 60_000, lockTimeoutMs: 10_000 }).useContext(context).then(
  (r) => {
    process.stdout.write(`${JSON.stringify({ changed: r.changed, lockWhileLingering: fs.existsSync(`${file}.lock`) })}\n`);
    process.exit(0);
  },
  (err: unknown) => {
    process.stdout.write(`${JSON.stringify({ error: String(err) })}\n`);
    process.exit(1);
  },
);
