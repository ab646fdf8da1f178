// The machine-wide state of a real node (test/harness/node/node.ts), and its removal. A node changes the machine outside
// its own directory: a network bridge, cgroups, mounts, CNI cache files, container log links, kernel settings the
// kubelet adjusts. Several test runs (several engineers) may run nodes on one machine at once, so everything a run
// creates is named after its run id, and every run leaves a marker recording its pid (with the process start time and
// the boot id, so a reused pid or a reboot is not mistaken for a live run). A run removes its own state on every exit
// path; what a killed run (SIGKILL, machine stop) left behind is removed by the next run that starts — only ever the
// state of runs whose process is gone.
//
// Three sections name the same things the same way: creating a piece of node state (markers, allocation), finding it
// again (inspection) and removing it (removal).
//
// Everything here is synchronous so that it also works from exit hooks, and runs programs without a shell.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where the markers of runs live (machine-wide, survives a reboot like the state it describes). */
export const RUNS_DIR = '/var/lib/vcluster-explorer/node-runs';
/** Kernel settings as they were before the first of the live runs started its kubelet. */
const SYSCTL_FILE = path.join(RUNS_DIR, 'sysctl-before-nodes.json');
/** Kubelet's container log links (hard-wired in the kubelet: kuberuntime's ContainerLogsDir, v1.34). */
export const CONTAINER_LOG_LINKS = '/var/log/containers';
/**
 * libcni's cache of results (its default CacheDir; containerd 1.6 does not move it), named <network>-<sandbox>-<if>:
 * ours for eth0, and "cni-loopback" (a fixed network name) for lo.
 */
const CNI_CACHE = '/var/lib/cni/results';
/**
 * containerd-shim-runc-v2 sockets: /run/containerd/s/<sha256 of "<containerd address>/<namespace>/<shim id>"> (the
 * shim's SocketAddress, containerd v1.6 runtime/v2/shim/util_unix.go). A killed shim leaves its socket.
 */
const SHIM_SOCKETS = '/run/containerd/s';
/** The kubelet's device plugin socket: a fixed path in the kubelet (device manager, v1.34), shared by every kubelet. */
const DEVICE_PLUGIN_SOCKET = '/var/lib/kubelet/device-plugins/kubelet.sock';
/** Directories the node creates on the machine when they do not exist; removed when empty and no run is live. */
const SHARED_DIRS = [CNI_CACHE, '/var/lib/cni', CONTAINER_LOG_LINKS, SHIM_SOCKETS, '/run/containerd', '/var/lib/kubelet/device-plugins', '/var/lib/kubelet'];
const CGROUP_ROOT = '/sys/fs/cgroup';
/**
 * The kernel settings the kubelet sets to its desired values at start (setupKernelTunables in
 * pkg/kubelet/cm/container_manager_linux.go, v1.34): restored once no node runs any more.
 */
export const KUBELET_SYSCTLS = [
  'vm/overcommit_memory',
  'vm/panic_on_oom',
  'kernel/panic',
  'kernel/panic_on_oops',
  'kernel/keys/root_maxkeys',
  'kernel/keys/root_maxbytes',
];

export interface NodeRun {
  /** 8 hex digits; part of every name below. */
  id: string;
  pid: number;
  /** Start time of `pid` (field 22 of /proc/PID/stat) and the boot id: together they identify the process. */
  pidStart: string;
  bootId: string;
  createdAt: string;
  /** The run's own directory: containerd root/state/socket, kubelet root, pod logs, CNI IPAM data, volumes. */
  dir: string;
  bridge: string;
  cniNetwork: string;
  subnet: string;
  gateway: string;
  /** The kubelet's cgroup root (below every cgroup hierarchy). */
  cgroupRoot: string;
  containerdSocket: string;
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function bootId(): string {
  return (readText('/proc/sys/kernel/random/boot_id') ?? '').trim();
}

function processStart(pid: number): string | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  // The command name (field 2) may contain spaces and parentheses: fields after the last ")" are fixed.
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

function run(cmd: string, args: string[]): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

// ---- markers ---------------------------------------------------------------------------------------------------------

function markerPath(id: string): string {
  return path.join(RUNS_DIR, `${id}.json`);
}

export function readRuns(): NodeRun[] {
  let names: string[];
  try {
    names = fs.readdirSync(RUNS_DIR).filter((n) => /^[0-9a-f]{8}\.json$/.test(n));
  } catch {
    return [];
  }
  const runs: NodeRun[] = [];
  for (const n of names) {
    try {
      const r = JSON.parse(fs.readFileSync(path.join(RUNS_DIR, n), 'utf8')) as NodeRun;
      if (r.id === n.slice(0, 8)) runs.push(r);
    } catch {
      /* a marker being written right now, or garbage: not ours to judge */
    }
  }
  return runs;
}

/** A run is live while its process exists: same boot, same pid, same process start time. */
export function isLive(r: NodeRun): boolean {
  return r.bootId === bootId() && processStart(r.pid) === r.pidStart;
}

// ---- allocation --------------------------------------------------------------------------------------------------------

function ipToInt(ip: string): number {
  return ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
}

/** IPv4 prefixes the machine already routes or owns (any overlap with them is refused). */
function usedPrefixes(): [number, number][] {
  const out: [number, number][] = [];
  const add = (cidr: string) => {
    const [ip, bits] = cidr.split('/');
    if (!ip || !/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return;
    const b = bits === undefined ? 32 : Number(bits);
    const size = 2 ** (32 - b);
    const start = Math.floor(ipToInt(ip) / size) * size;
    out.push([start, start + size - 1]);
  };
  for (const line of run('ip', ['-4', '-o', 'route', 'show', 'table', 'all']).out.split('\n')) {
    const first = line.trim().split(/\s+/)[0];
    if (first && first !== 'default' && !['local', 'broadcast', 'unreachable', 'blackhole', 'prohibit'].includes(first)) add(first);
    const local = /^local (\S+)/.exec(line.trim());
    if (local) add(local[1]!);
  }
  for (const line of run('ip', ['-4', '-o', 'addr', 'show']).out.split('\n')) {
    const m = /inet (\S+)/.exec(line);
    if (m) add(m[1]!);
  }
  return out;
}

/**
 * Reserves a new run: removes what dead runs left behind, picks an id and a /24 no route, address or other run uses,
 * and writes the marker (before anything else is created, so that a crash from here on is cleaned up next time).
 */
export function reserveRun(tmpRoot = os.tmpdir()): NodeRun {
  cleanupDeadRuns();
  fs.mkdirSync(RUNS_DIR, { recursive: true, mode: 0o755 });
  const taken = new Set(readRuns().map((r) => r.subnet));
  const used = usedPrefixes();
  for (let attempt = 0; attempt < 200; attempt++) {
    const id = randomBytes(4).toString('hex');
    const a = 200 + (randomBytes(1)[0]! % 50);
    const b = randomBytes(1)[0]!;
    const subnet = `10.${a}.${b}.0/24`;
    const start = ipToInt(`10.${a}.${b}.0`);
    if (taken.has(subnet) || used.some(([s, e]) => s <= start + 255 && start <= e)) continue;
    const dir = path.join(tmpRoot, `vce-node-${id}`);
    const r: NodeRun = {
      id,
      pid: process.pid,
      pidStart: processStart(process.pid) ?? '',
      bootId: bootId(),
      createdAt: new Date().toISOString(),
      dir,
      bridge: `vce${id}`,
      cniNetwork: `vce-${id}`,
      subnet,
      gateway: `10.${a}.${b}.1`,
      cgroupRoot: `/vce-${id}`,
      containerdSocket: path.join(dir, 'containerd.sock'),
    };
    try {
      fs.writeFileSync(markerPath(id), `${JSON.stringify(r, null, 2)}\n`, { flag: 'wx', mode: 0o644 });
    } catch {
      continue; // the id is taken (another run reserved it this very moment)
    }
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    return r;
  }
  throw new Error('could not find a free run id and subnet for a node');
}

/** The bridge every pod of the run is attached to, with the gateway address: host processes listen there. */
export function createBridge(r: NodeRun): void {
  const steps: string[][] = [
    ['link', 'add', r.bridge, 'type', 'bridge'],
    ['addr', 'add', `${r.gateway}/24`, 'dev', r.bridge],
    ['link', 'set', r.bridge, 'up'],
  ];
  for (const args of steps) {
    const res = run('ip', args);
    if (!res.ok) throw new Error(`ip ${args.join(' ')} failed: ${res.out.trim()}`);
  }
}

/** Creates the kubelet's cgroup root in every hierarchy (the kubelet refuses a root that does not exist). */
export function createCgroupRoot(r: NodeRun): void {
  for (const h of cgroupHierarchies()) {
    const dir = path.join(CGROUP_ROOT, h, r.cgroupRoot);
    fs.mkdirSync(dir, { recursive: true });
    if (h === 'cpuset') {
      // A new cpuset cgroup starts with no CPUs and no memory nodes: give it its parent's.
      for (const f of ['cpuset.cpus', 'cpuset.mems']) {
        const parent = readText(path.join(CGROUP_ROOT, h, f));
        if (parent !== undefined) fs.writeFileSync(path.join(dir, f), parent.trim() || '0');
      }
    }
  }
}

/** Remembers the kernel settings the kubelet changes, unless a live run already did (then those are the originals). */
export function recordSysctls(): void {
  if (fs.existsSync(SYSCTL_FILE)) return;
  const values: Record<string, string> = {};
  for (const k of KUBELET_SYSCTLS) {
    const v = readText(`/proc/sys/${k}`);
    if (v !== undefined) values[k] = v.trim();
  }
  try {
    fs.writeFileSync(SYSCTL_FILE, JSON.stringify(values), { flag: 'wx', mode: 0o644 });
  } catch {
    /* another run wrote it first: its values are the originals */
  }
}

function restoreSysctlsIfLast(exceptId: string): void {
  if (readRuns().some((r) => r.id !== exceptId && isLive(r))) return;
  const text = readText(SYSCTL_FILE);
  if (text === undefined) return;
  try {
    for (const [k, v] of Object.entries(JSON.parse(text) as Record<string, string>)) {
      if (KUBELET_SYSCTLS.includes(k)) {
        try {
          fs.writeFileSync(`/proc/sys/${k}`, v);
        } catch {
          /* read-only in this environment: nothing was changed either */
        }
      }
    }
  } catch {
    /* unreadable: drop it */
  }
  fs.rmSync(SYSCTL_FILE, { force: true });
}

// ---- inspection ----------------------------------------------------------------------------------------------------------

function cgroupHierarchies(): string[] {
  try {
    return fs.readdirSync(CGROUP_ROOT).filter((h) => {
      try {
        return fs.statSync(path.join(CGROUP_ROOT, h)).isDirectory() && !fs.lstatSync(path.join(CGROUP_ROOT, h)).isSymbolicLink();
      } catch {
        return false;
      }
    });
  } catch {
    return [];
  }
}

/** Every directory of the run's cgroup tree, deepest first. */
function cgroupDirs(r: NodeRun): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) if (e.isDirectory()) walk(path.join(dir, e.name));
    out.push(dir);
  };
  for (const h of cgroupHierarchies()) {
    const root = path.join(CGROUP_ROOT, h, r.cgroupRoot);
    if (fs.existsSync(root)) walk(root);
  }
  return out;
}

function cgroupPids(r: NodeRun): number[] {
  const pids = new Set<number>();
  for (const dir of cgroupDirs(r)) {
    for (const line of (readText(path.join(dir, 'cgroup.procs')) ?? '').split('\n')) if (line.trim()) pids.add(Number(line));
  }
  return [...pids];
}

/** Processes whose command line names the run's directory (containerd, its shims, the kubelet). */
function runProcesses(r: NodeRun): number[] {
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return pids;
  }
  for (const d of entries) {
    const pid = Number(d);
    if (pid === process.pid) continue;
    const cmd = readText(`/proc/${d}/cmdline`);
    if (cmd && cmd.split('\0').some((a) => a.startsWith(r.dir + path.sep) || a === r.dir || a.includes(`=${r.dir}${path.sep}`))) pids.push(pid);
  }
  return pids;
}

/** Mount points at or below the run's directory, deepest first. */
function runMounts(r: NodeRun): string[] {
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
  const points = (readText('/proc/self/mountinfo') ?? '')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((p): p is string => !!p)
    .map(unescape)
    .filter((p) => p === r.dir || p.startsWith(r.dir + path.sep));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** Ids of the run's pod sandboxes (and other shim tasks): from containerd's state and from the CNI cache. */
function sandboxIds(r: NodeRun): string[] {
  const ids = new Set(listDir(path.join(r.dir, 'containerd', 'state', 'io.containerd.runtime.v2.task', 'k8s.io')));
  const prefix = `${r.cniNetwork}-`;
  for (const f of listDir(CNI_CACHE)) if (f.startsWith(prefix)) ids.add(f.slice(prefix.length).replace(/-[^-]+$/, ''));
  return [...ids].filter((id) => /^[0-9a-f]{64}$/.test(id));
}

function cniCacheFiles(r: NodeRun): string[] {
  const ids = new Set(sandboxIds(r));
  return listDir(CNI_CACHE)
    .filter((f) => f.startsWith(`${r.cniNetwork}-`) || (f.startsWith('cni-loopback-') && ids.has(f.slice('cni-loopback-'.length).replace(/-[^-]+$/, ''))))
    .map((f) => path.join(CNI_CACHE, f));
}

function shimSockets(r: NodeRun): string[] {
  return sandboxIds(r)
    .map((id) =>
      path.join(
        SHIM_SOCKETS,
        createHash('sha256')
          .update(path.join(r.containerdSocket, 'k8s.io', id))
          .digest('hex'),
      ),
    )
    .filter((f) => fs.existsSync(f));
}

/** Shared leftovers (device plugin socket, empty directories the node created): only when no other run is live. */
function sharedLeftovers(exceptId: string): string[] {
  if (readRuns().some((x) => x.id !== exceptId && isLive(x))) return [];
  const left = fs.existsSync(DEVICE_PLUGIN_SOCKET) ? [DEVICE_PLUGIN_SOCKET] : [];
  for (const d of SHARED_DIRS) if (fs.existsSync(d) && listDir(d).length === 0) left.push(d);
  return left;
}

function removeShared(exceptId: string): void {
  if (readRuns().some((x) => x.id !== exceptId && isLive(x))) return;
  fs.rmSync(DEVICE_PLUGIN_SOCKET, { force: true });
  for (const d of SHARED_DIRS) {
    try {
      fs.rmdirSync(d); // only when empty
    } catch {
      /* not empty, or not there */
    }
  }
}

function containerLogLinks(r: NodeRun): string[] {
  try {
    return fs
      .readdirSync(CONTAINER_LOG_LINKS)
      .map((f) => path.join(CONTAINER_LOG_LINKS, f))
      .filter((f) => {
        try {
          return fs.lstatSync(f).isSymbolicLink() && fs.readlinkSync(f).startsWith(r.dir + path.sep);
        } catch {
          return false;
        }
      });
  } catch {
    return [];
  }
}

function linkExists(name: string): boolean {
  return fs.existsSync(`/sys/class/net/${name}`);
}

/** iptables rules (v4, all tables) that name the run's bridge, network or subnet: a node should make none. */
function iptablesRules(r: NodeRun): string[] {
  const res = run('iptables-save', []);
  if (!res.ok) return [];
  const subnetPrefix = r.subnet.replace(/\.0\/24$/, '.');
  return res.out.split('\n').filter((l) => l.includes(r.bridge) || l.includes(r.cniNetwork) || l.includes(subnetPrefix));
}

/**
 * Everything of run `r` that still exists on the machine, described one item per line; [] when nothing is left.
 * The kernel settings count while no run is live any more and they were not restored.
 */
export function leftoversOf(r: NodeRun): string[] {
  const left: string[] = [];
  for (const pid of runProcesses(r)) left.push(`process ${pid}: ${(readText(`/proc/${pid}/cmdline`) ?? '').split('\0').join(' ').slice(0, 200)}`);
  for (const pid of cgroupPids(r)) left.push(`process ${pid} in cgroup ${r.cgroupRoot}`);
  for (const m of runMounts(r)) left.push(`mount ${m}`);
  for (const d of cgroupDirs(r)) left.push(`cgroup ${d}`);
  if (linkExists(r.bridge)) left.push(`network interface ${r.bridge}`);
  for (const f of cniCacheFiles(r)) left.push(`CNI cache ${f}`);
  for (const f of shimSockets(r)) left.push(`shim socket ${f}`);
  for (const f of containerLogLinks(r)) left.push(`log link ${f}`);
  for (const l of iptablesRules(r)) left.push(`iptables: ${l}`);
  if (fs.existsSync(r.dir)) left.push(`directory ${r.dir}`);
  if (fs.existsSync(markerPath(r.id))) left.push(`marker ${markerPath(r.id)}`);
  if (!readRuns().some((x) => x.id !== r.id && isLive(x)) && fs.existsSync(SYSCTL_FILE)) left.push(`kernel settings not restored (${SYSCTL_FILE})`);
  for (const f of sharedLeftovers(r.id)) left.push(`shared ${f}`);
  return left;
}

// ---- removal ---------------------------------------------------------------------------------------------------------------

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone already */
    }
  }
}

/**
 * Removes everything run `r` made, in an order that lets each step succeed: the containers (every process in the
 * run's cgroups), the runtime and the kubelet, the mounts (volumes, container root file systems, network namespace
 * handles), cgroups, the bridge, CNI cache files, log links, the directory, the marker; the kernel settings are
 * restored when no other run is live. Idempotent; returns what could not be removed (see leftoversOf).
 */
export function cleanupRun(r: NodeRun): string[] {
  // Freeze-free kill loop: containers may fork while we kill, so repeat until the cgroups are empty.
  for (let i = 0; i < 40; i++) {
    const pids = [...cgroupPids(r), ...runProcesses(r)];
    if (pids.length === 0) break;
    killAll(pids);
    sleepSync(100);
  }
  for (const m of runMounts(r)) {
    if (!run('umount', [m]).ok) run('umount', ['-l', m]);
  }
  for (const d of cgroupDirs(r)) {
    for (let i = 0; i < 20; i++) {
      try {
        fs.rmdirSync(d);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') break;
        sleepSync(50);
      }
    }
  }
  if (linkExists(r.bridge)) run('ip', ['link', 'del', r.bridge]);
  for (const f of [...cniCacheFiles(r), ...shimSockets(r), ...containerLogLinks(r)]) fs.rmSync(f, { force: true });
  if (runMounts(r).length === 0) fs.rmSync(r.dir, { recursive: true, force: true });
  restoreSysctlsIfLast(r.id);
  removeShared(r.id);
  const left = leftoversOf(r).filter((l) => !l.startsWith('marker '));
  if (left.length === 0) fs.rmSync(markerPath(r.id), { force: true });
  return left;
}

/** Removes what runs whose process is gone left behind (a SIGKILLed test run, a stopped machine). */
export function cleanupDeadRuns(): { cleaned: string[]; failed: { id: string; left: string[] }[] } {
  const cleaned: string[] = [];
  const failed: { id: string; left: string[] }[] = [];
  for (const r of readRuns()) {
    if (isLive(r)) continue;
    const left = cleanupRun(r);
    if (left.length) failed.push({ id: r.id, left });
    else cleaned.push(r.id);
  }
  if (!readRuns().some(isLive)) {
    restoreSysctlsIfLast('');
    removeShared('');
  }
  return { cleaned, failed };
}

/** Removes a run's marker without cleaning (the run could not start; nothing was created). */
export function forgetRun(r: NodeRun): void {
  fs.rmSync(markerPath(r.id), { force: true });
}
