// One upsertContext through KubeconfigWriter in a process of its own, for tests that run it with fewer rights than
// the test (test/cluster/kubeconfig-readonly-dir.test.ts runs it without the capabilities that let root write into
// any directory). Run: node --import tsx test/support/kubeconfig-upsert-worker.ts FILE NAME. Prints one line of JSON:
// {} when it wrote, { error: { code, message } } when the writer refused.
import { KubeconfigError } from '../../src/kube/kubeconfig/errors';
import { KubeconfigWriter } from '../../src/kube/kubeconfig/writer';

async function main(): Promise<void> {
  const [file, name] = process.argv.slice(2) as [string, string];
  const w = new KubeconfigWriter({ files: [file], lockLingerMs: 0, lockTimeoutMs: 2000 });
  try {
    await w.upsertContext({
      name,
      cluster: { name, cluster: { server: `https://${name}.example` } },
      user: { name, user: { token: 't' } },
      namespace: 'default',
    });
    process.stdout.write('{}\n');
  } catch (err) {
    const code = err instanceof KubeconfigError ? err.code : undefined;
    process.stdout.write(`${JSON.stringify({ error: { code, message: err instanceof Error ? err.message : String(err) } })}\n`);
  }
}

void main();
