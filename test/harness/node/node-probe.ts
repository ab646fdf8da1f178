// A helper process for the node cleanup tests (test/cluster/real-node-cleanup.test.ts): it starts a host with a real
// node (only the pause and busybox images) and one running pod, prints a JSON line with the run (see nodeState.ts) and
// the pids of the node's processes, then ends in the way given by argv[2]:
//   stop    stop() the cluster, print the leftovers as a JSON line, exit 0
//   wait    wait to be killed by a signal from the test (SIGTERM: the exit hooks clean up; SIGKILL: the watchdog does)
import { NODE_TAINT_KEY, startRealCluster } from './node';
import { leftoversOf } from './nodeState';
import { waitFor, type KObject } from '../cluster/rest';
import { runningProcesses } from '../cluster/processes';

async function main(): Promise<void> {
  const mode = process.argv[2] ?? 'stop';
  const cluster = await startRealCluster({ contextName: 'probe', images: ['pause', 'busybox'] });
  const rest = cluster.host.rest;
  await waitFor('the default ServiceAccount', () => rest.getOrUndefined('/api/v1/namespaces/default/serviceaccounts/default'), 60_000);
  await rest.create('/api/v1/namespaces/default/pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'sleeper' },
    spec: {
      terminationGracePeriodSeconds: 30,
      tolerations: [{ key: NODE_TAINT_KEY, operator: 'Exists', effect: 'NoSchedule' }],
      containers: [{ name: 'sleep', image: cluster.node.images.busybox.ref, imagePullPolicy: 'Never', command: ['sleep', '3600'] }],
    },
  });
  const pod = await waitFor(
    'the pod to run',
    async () => {
      const p = (await rest.get('/api/v1/namespaces/default/pods/sleeper')) as KObject;
      return p.status?.phase === 'Running' ? p : undefined;
    },
    120_000,
    250,
  );
  process.stdout.write(
    `${JSON.stringify({ run: cluster.node.run, hostDir: cluster.host.dir, podIP: pod.status.podIP, processes: runningProcesses().map((p) => p.pid) })}\n`,
  );
  if (mode === 'stop') {
    await cluster.stop();
    process.stdout.write(`${JSON.stringify({ leftovers: leftoversOf(cluster.node.run) })}\n`);
    process.exit(0);
  }
  setInterval(() => undefined, 1000);
}

main().catch((err: Error) => {
  process.stderr.write(`node probe failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
