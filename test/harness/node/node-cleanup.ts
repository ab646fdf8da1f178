// Removes the machine-wide state of node runs whose process is gone (test/harness/node/nodeState.ts), or of the run whose
// id is given once its process is gone. The watchdog of test/harness/cluster/processes.ts runs it after a SIGKILLed test
// process; it can also be run by hand:  node --import tsx test/harness/node/node-cleanup.ts [RUN_ID]
import { cleanupDeadRuns, cleanupRun, isLive, readRuns } from './nodeState';

const id = process.argv[2];
if (id) {
  const r = readRuns().find((x) => x.id === id);
  if (r && !isLive(r)) {
    const left = cleanupRun(r);
    if (left.length) process.stderr.write(`node run ${id}: could not remove:\n  ${left.join('\n  ')}\n`);
  }
} else {
  const { cleaned, failed } = cleanupDeadRuns();
  process.stdout.write(`removed the state of ${cleaned.length} dead node run(s)${cleaned.length ? `: ${cleaned.join(', ')}` : ''}\n`);
  for (const f of failed) process.stderr.write(`node run ${f.id}: could not remove:\n  ${f.left.join('\n  ')}\n`);
  if (failed.length) process.exitCode = 1;
}
