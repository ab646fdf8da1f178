// A helper process for the cleanup tests: it starts `sleep` through processes.ts (its own process group), prints the
// sleeper's pid and a temp dir registered for removal, then ends in the way given by argv[2]. The test checks that both are gone afterwards.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { removeOnExit, spawnManaged } from './processes';

const mode = process.argv[2] ?? 'exit';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-probe-'));
removeOnExit(dir);
const sleeper = spawnManaged('sleeper', 'sleep', ['300']);
process.stdout.write(`${sleeper.pid} ${dir}\n`);
setTimeout(() => {
  switch (mode) {
    case 'exit':
      process.exit(0);
      break;
    case 'throw':
      throw new Error('deliberate uncaught exception from the cleanup probe');
    case 'reject':
      void Promise.reject(new Error('deliberate unhandled rejection from the cleanup probe'));
      break;
    case 'wait':
      // Wait to be killed by a signal (SIGINT, SIGTERM or SIGKILL) from the test.
      setInterval(() => undefined, 1000);
      break;
  }
}, 200);
