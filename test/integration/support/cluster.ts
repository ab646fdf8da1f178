// One real host control plane (etcd + kube-apiserver + kube-controller-manager from test/harness) started INSIDE the
// VS Code extension host for the cluster suites, and stopped again in the suite's after() hook.
//
// Nothing may outlive the run, also when the extension host is killed:
//  1. the after() hook stops the host and every virtual API server;
//  2. test/harness/cluster/processes.ts kills its process groups when the extension host exits (exit/signal hooks) and its
//     watchdog does so even after a SIGKILL;
//  3. this module records the process groups in the file named by $VCE_PROCESS_FILE (set by scripts/integration.mjs),
//     and the launcher kills whatever of them is still alive once the run is over.
import fs from 'node:fs';
import { startHost, type HostCluster } from '../../harness/cluster/controlPlane';
import { startRealCluster, type RealCluster } from '../../harness/node/node';
import { runningProcesses } from '../../harness/cluster/processes';

let hostPromise: Promise<HostCluster> | undefined;
let realPromise: Promise<RealCluster> | undefined;
let recorder: NodeJS.Timeout | undefined;
let lastRecorded = '';

/** Writes the live process groups of the harness to $VCE_PROCESS_FILE (pid = process group id, and the leader's exe). */
export function recordProcesses(): void {
  const file = process.env.VCE_PROCESS_FILE;
  if (!file) return;
  const list = runningProcesses().map(({ name, pid }) => {
    let exe: string | undefined;
    try {
      exe = fs.readlinkSync(`/proc/${pid}/exe`);
    } catch {
      exe = undefined;
    }
    return { pid, name, exe };
  });
  const text = JSON.stringify(list);
  if (text === lastRecorded) return;
  lastRecorded = text;
  try {
    fs.writeFileSync(`${file}.tmp`, text);
    fs.renameSync(`${file}.tmp`, file);
  } catch {
    // best effort: the harness's own exit hooks and watchdog remain
  }
}

/**
 * The extension host runs with a temporary HOME and XDG_CACHE_HOME (code-server's), so the harness would look for the
 * cached Kubernetes tools in the wrong place. The launcher passes the real cache home in $VCE_TOOLS_CACHE_HOME; it is
 * set only while startHost() resolves the tool paths (synchronously, at its start), so that nothing else — the
 * extension, the vcluster CLI or Helm it runs — sees a changed environment.
 */
function withToolsCache<T>(fn: () => T): T {
  const real = process.env.VCE_TOOLS_CACHE_HOME;
  if (!real) return fn();
  const saved = process.env.XDG_CACHE_HOME;
  process.env.XDG_CACHE_HOME = real;
  try {
    return fn();
  } finally {
    if (saved === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved;
  }
}

/** Starts a cluster with the tools cache in place and records its process groups while it lives. */
function started<T>(start: () => Promise<T>): Promise<T> {
  recorder ??= setInterval(recordProcesses, 200);
  recorder.unref();
  const p = withToolsCache(start);
  p.then(recordProcesses, () => undefined);
  return p;
}

/** Stops a cluster started with started(), if it started at all; the recorder stops with the last cluster. */
async function stopped(p: Promise<{ stop(): Promise<void> }> | undefined): Promise<void> {
  try {
    if (p) await (await p.catch(() => undefined))?.stop();
  } finally {
    recordProcesses();
    if (recorder && !hostPromise && !realPromise) {
      clearInterval(recorder);
      recorder = undefined;
    }
  }
}

/** The host cluster (context "host"), started on first use. */
export function getHost(): Promise<HostCluster> {
  hostPromise ??= started(() => startHost({ contextName: 'host', verbose: process.env.VCE_HARNESS_VERBOSE === '1' }));
  return hostPromise;
}

/**
 * A second host with a real node (test/harness/node/node.ts; context "real-host"), for the real-vcluster suite. Its node
 * state is removed by its stop(), the harness's exit hooks and, after a SIGKILL, the harness's watchdog.
 */
export function getRealCluster(): Promise<RealCluster> {
  realPromise ??= started(() => startRealCluster({ contextName: 'real-host', verbose: process.env.VCE_HARNESS_VERBOSE === '1' }));
  return realPromise;
}

/** Stops the real cluster (idempotent). */
export async function stopRealCluster(): Promise<void> {
  const p = realPromise;
  realPromise = undefined;
  await stopped(p);
}

/** Stops the host and every virtual API server (idempotent). */
export async function stopHost(): Promise<void> {
  const p = hostPromise;
  hostPromise = undefined;
  await stopped(p);
}
