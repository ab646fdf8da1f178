// Processes and temporary folders of the real VS Code host (scripts/lib/vscode-host.mjs): what is still running, the
// exit hooks that stop it, process trees from /proc, and small waiting helpers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const say = (msg) => process.stderr.write(`[vscode-host] ${msg}\n`);

// ---- process bookkeeping ----------------------------------------------------------------------------------------

/** Everything still running: { name, killSync(), stop() }. */
export const live = new Set();
/** Temporary folders removed at exit at the latest (see makeTempDir). */
const tempDirs = new Set();
let hooksInstalled = false;

/** A new temporary folder that is removed on process exit, also after a signal; remove it earlier with rmSync. */
export function makeTempDir(prefix) {
  installExitHooks();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export function installExitHooks() {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => {
    for (const r of live) r.killSync();
    if (!process.env.VCE_KEEP_TMP) for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
  });
  for (const [sig, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ]) {
    process.on(sig, () => {
      say(`${sig}: stopping ${[...live].map((r) => r.name).join(', ') || 'nothing'}`);
      const hardStop = setTimeout(() => process.exit(code), 8000);
      hardStop.unref();
      Promise.allSettled([...live].map((r) => r.stop())).finally(() => process.exit(code));
    });
  }
  process.on('uncaughtException', (err) => {
    console.error(err);
    process.exit(1); // the 'exit' hook kills what is left
  });
}

/** Child processes of `pid`, recursively, from /proc (Linux); empty elsewhere. */
export function descendants(pid) {
  let entries;
  try {
    entries = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return [];
  }
  const children = new Map();
  for (const d of entries) {
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(d));
    } catch {
      // the process ended while we looked
    }
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
  let entries;
  try {
    entries = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  for (const d of entries) {
    try {
      if (fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(needle)) out.push(Number(d));
    } catch {
      // ended meanwhile
    }
  }
  return out.filter((p) => p !== process.pid);
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
