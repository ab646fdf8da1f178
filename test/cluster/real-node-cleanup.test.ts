import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../scripts/lib/toolchain.mjs';
import { cleanupDeadRuns, leftoversOf, type NodeRun } from '../harness/node/nodeState';
import { waitFor } from '../harness/cluster/rest';

// A real node changes the machine outside its own directory (a bridge, cgroups, mounts, CNI cache files, log links,
// kernel settings): test/harness/node/nodeState.ts removes all of it. Each test runs a node with a running pod in a child
// process (test/harness/node/node-probe.ts) and ends it in a different way; then nothing of that run may be left.

interface ProbeStart {
  run: NodeRun;
  hostDir: string;
  podIP: string;
  processes: number[];
}

/** A process that exists and is not a zombie (an exited child its new parent has not reaped yet). */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !['Z', 'X'].includes(stat.slice(stat.lastIndexOf(')') + 2).charAt(0));
  } catch {
    return false;
  }
}

describe('[real node] a real node leaves nothing behind on the machine', function () {
  this.timeout(240_000);
  const probe = path.join(repoRoot, 'test', 'harness', 'node', 'node-probe.ts');

  function startProbe(mode: 'stop' | 'wait'): { child: ChildProcess; lines: Promise<string>[]; closed: Promise<number | null> } {
    const child = spawn(process.execPath, ['--import', 'tsx', probe, mode], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const waiters: ((line: string) => void)[] = [];
    const lines = [0, 1].map((i) => new Promise<string>((resolve) => (waiters[i] = resolve)));
    let n = 0;
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      let nl: number;
      while ((nl = out.indexOf('\n')) >= 0) {
        waiters[n++]?.(out.slice(0, nl));
        out = out.slice(nl + 1);
      }
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const closed = new Promise<number | null>((resolve) =>
      child.on('close', (code) => {
        for (const w of waiters.slice(n)) w(`probe ended (${code}): ${err.slice(-3000)}`);
        resolve(code);
      }),
    );
    return { child, lines, closed };
  }

  async function started(p: { lines: Promise<string>[] }): Promise<ProbeStart> {
    const line = await p.lines[0]!;
    try {
      return JSON.parse(line) as ProbeStart;
    } catch {
      throw new Error(line);
    }
  }

  function assertRunWasReal(s: ProbeStart): void {
    assert.ok(fs.existsSync(`/sys/class/net/${s.run.bridge}`), 'the bridge exists while the node runs');
    assert.match(s.podIP, new RegExp(`^${s.run.subnet.replace(/\.0\/24$/, '').replace(/\./g, '\\.')}\\.`), "the pod got an address of the run's subnet");
  }

  async function nothingLeft(run: NodeRun, ms = 60_000): Promise<void> {
    let left: string[] = [];
    await waitFor(`run ${run.id} to leave nothing`, async () => (left = leftoversOf(run)).length === 0, ms, 500).catch(() => {
      throw new Error(`run ${run.id} left:\n  ${left.join('\n  ')}`);
    });
  }

  it('after stop(): no process, mount, cgroup, bridge, CNI file, log link, directory or marker', async function () {
    const p = startProbe('stop');
    const s = await started(p);
    assertRunWasReal(s);
    const after = JSON.parse(await p.lines[1]!) as { leftovers: string[] };
    assert.deepEqual(after.leftovers, []);
    assert.equal(await p.closed, 0);
    await nothingLeft(s.run, 1000);
  });

  it('after SIGTERM of the test process: its exit hooks remove everything', async function () {
    const p = startProbe('wait');
    const s = await started(p);
    assertRunWasReal(s);
    p.child.kill('SIGTERM');
    assert.equal(await p.closed, 143);
    await nothingLeft(s.run);
    for (const pid of s.processes) {
      await waitFor(`process ${pid} to end`, async () => !alive(pid), 5000, 100).catch(() => {
        throw new Error(`process ${pid} survived: ${fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').slice(0, 200)}`);
      });
    }
  });

  it('after SIGKILL of the test process and its watchdog (as a machine stop): the next run removes everything', async function () {
    const p = startProbe('wait');
    const s = await started(p);
    assertRunWasReal(s);
    // The watchdog is the probe's only other child in its own process group that is not in the list of the harness's
    // processes: find it by its parent and command line, and kill both at once, so nobody cleans up.
    const watchdog = fs
      .readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .map(Number)
      .find((pid) => {
        try {
          const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
          const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
          return ppid === p.child.pid && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('vce-watchdog-');
        } catch {
          return false;
        }
      });
    assert.ok(watchdog, 'the probe has a watchdog');
    process.kill(watchdog, 'SIGKILL');
    p.child.kill('SIGKILL');
    await p.closed;
    // Everything the run made is still there: the kubelet and containerd (their own process groups) and the pod.
    assert.ok(
      leftoversOf(s.run).some((l) => l.startsWith('network interface')),
      'the bridge is left after SIGKILL',
    );
    // A machine stop ends the host's processes too (the watchdog would have killed them and removed their directory
    // and its own list, test/harness/cluster/processes.ts).
    for (const pid of s.processes) if (alive(pid)) process.kill(-pid, 'SIGKILL');
    fs.rmSync(s.hostDir, { recursive: true, force: true });
    const watchdogList = path.join(os.tmpdir(), `vce-watchdog-${p.child.pid}.json`);
    assert.ok(fs.existsSync(watchdogList), 'the killed watchdog left its list');
    fs.rmSync(watchdogList);
    const { cleaned, failed } = cleanupDeadRuns();
    assert.deepEqual(failed, []);
    assert.ok(cleaned.includes(s.run.id), `cleaned ${cleaned.join(', ')}`);
    await nothingLeft(s.run, 1000);
  });
});
