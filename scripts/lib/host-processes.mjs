// Processes of the real VS Code host (scripts/lib/vscode-host.mjs): process trees from /proc and small waiting
// helpers. What is still running and the exit hooks that stop it are in the registry the harness shares
// (process-registry.mjs).
import fs from 'node:fs';

export const say = (msg) => process.stderr.write(`[vscode-host] ${msg}\n`);

/** Every process from /proc (Linux; empty elsewhere): { pid, state, ppid, pgrp } of /proc/PID/stat. */
function processTable() {
  let entries;
  try {
    entries = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return [];
  }
  const out = [];
  for (const d of entries) {
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const [state, ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.push({ pid: Number(d), state, ppid: Number(ppid), pgrp: Number(pgrp) });
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

/** Child processes of `pid`, recursively, from /proc (Linux); empty elsewhere. */
export function descendants(pid) {
  const children = new Map();
  for (const p of processTable()) {
    if (!children.has(p.ppid)) children.set(p.ppid, []);
    children.get(p.ppid).push(p.pid);
  }
  const out = [];
  const queue = [pid];
  while (queue.length) {
    for (const c of children.get(queue.shift()) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

export function signalTree(pid, signal, extra = []) {
  const pids = [...descendants(pid), ...extra];
  try {
    process.kill(-pid, signal); // the process group started with detached: true
  } catch {
    // already gone
  }
  for (const p of pids) {
    try {
      process.kill(p, signal);
    } catch {
      // already gone
    }
  }
}

/** Processes (not ours) whose command line contains `needle`, from /proc. */
export function processesMentioning(needle) {
  const out = [];
  for (const { pid } of processTable()) {
    try {
      if (pid !== process.pid && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle)) out.push(pid);
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

/** True while `pid` exists and is not a zombie. */
export function running(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The command line of `pid` (at most 200 characters), '?' when it is gone. */
export function commandLine(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim().slice(0, 200);
  } catch {
    return '?';
  }
}

/** Processes of process group `pgid` that still run (zombies, killed but not yet reaped, do not count), from /proc. */
export function liveGroupMembers(pgid) {
  return processTable()
    .filter((p) => p.pgrp === pgid && p.state !== 'Z' && p.state !== 'X')
    .map((p) => p.pid);
}

export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Waits for `promise` at most `ms`; the timer is cleared either way so it never keeps the process alive. */
export async function atMost(promise, ms) {
  let timer;
  try {
    return await Promise.race([
      promise,
      new Promise((r) => {
        timer = setTimeout(r, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
