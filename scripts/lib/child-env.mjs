// The environment of every program the set-up and our scripts start (built on purpose, without what `npm run` left
// in ours), and the ways of starting one: runChild() (every spawn of scripts/ goes through it), run() for a set-up
// step whose output matters only when it fails, runNodeScript() for a script of ours.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { elapsed, log, repoRoot, SetupError } from './versions.mjs';

/**
 * Variables that whatever started us may have left in our environment, and that would change what a program we start
 * does. `npm run` exports its whole configuration as npm_config_* (an inner npm reads those before its own config
 * files: npm_config_user_agent names the OUTER npm's Node, so code-server's postinstall, run by an inner npm on
 * Node 24, refused to install "on node v20"; npm_config_nodedir points node-gyp at the outer Node's headers),
 * npm_lifecycle_* / npm_package_* / npm_execpath, NODE (the outer node binary) and INIT_CWD. NODE_OPTIONS and
 * NODE_PATH change every node they reach.
 */
const INHERITED_VARIABLES = [/^npm_/i, /^NODE_OPTIONS$/, /^NODE_PATH$/, /^NODE$/, /^INIT_CWD$/];

/** PATH entries that `npm run` prepends: node_modules/.bin of the package and its parents, npm's node-gyp shim. */
function isNpmRunPathEntry(dir) {
  return /[\\/]node_modules[\\/]\.bin$/.test(dir) || /[\\/]node-gyp-bin$/.test(dir);
}

/** The PATH we were started with, without what `npm run` added to it. */
export function basePath() {
  return (process.env.PATH ?? '').split(path.delimiter).filter((d) => d && !isNpmRunPathEntry(d));
}

/**
 * The environment for a program the set-up (or a script of ours) starts, built on purpose: ours without the
 * variables above (and without those matching `drop`), PATH = `pathFirst` then our own PATH without npm's additions,
 * then `set` on top. Every child process of scripts/ gets its environment from here.
 */
export function childEnv({ pathFirst = [], set = {}, drop = [] } = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || INHERITED_VARIABLES.some((re) => re.test(k)) || drop.some((re) => re.test(k))) continue;
    env[k] = v;
  }
  env.PATH = [...new Set([...pathFirst, ...basePath()])].join(path.delimiter);
  return { ...env, ...set };
}

const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Starts a program (never through a shell) and returns { child, pid, ended }; `ended` resolves once it has ended and
 * its output is read: { code, signal, error } (error: it could not be started). It never rejects.
 *   cwd, env       default: ours, childEnv()
 *   stdio          default: ['ignore', 'pipe', 'pipe'] when onData or onLine is given, else 'inherit'
 *   detached       its own process group (a terminal's foreground job; signal it as -pid)
 *   onData(chunk, stream)  each chunk of stdout/stderr as text ('stdout' | 'stderr')
 *   onLine(line, stream)   each complete line of stdout/stderr
 *   forwardSignals SIGINT, SIGTERM and SIGHUP that reach us are passed on while it runs (the launchers: the child
 *                  stops what it started and we wait for it)
 */
export function runChild(cmd, args, { cwd, env = childEnv(), stdio, detached = false, onData, onLine, forwardSignals = false } = {}) {
  const piped = Boolean(onData || onLine);
  const child = spawn(cmd, args, { cwd, env, detached, stdio: stdio ?? (piped ? ['ignore', 'pipe', 'pipe'] : 'inherit') });
  for (const [stream, name] of [
    [child.stdout, 'stdout'],
    [child.stderr, 'stderr'],
  ]) {
    if (!stream || !piped) continue;
    stream.setEncoding('utf8');
    if (onData) stream.on('data', (chunk) => onData(chunk, name));
    if (onLine) readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => onLine(line, name));
  }
  const forward = (sig) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
  };
  if (forwardSignals) for (const sig of FORWARDED_SIGNALS) process.on(sig, forward);
  let error;
  child.on('error', (err) => {
    error = err;
  });
  const ended = new Promise((resolve) =>
    child.on('close', (code, signal) => {
      for (const sig of FORWARDED_SIGNALS) process.off(sig, forward);
      resolve({ code, signal, error });
    }),
  );
  return { child, pid: child.pid, ended };
}

/** A launcher's exit status for how its child ended: the child's code, 128 + N after signal N, 1 when it never ran. */
export function exitStatus({ code, signal, error }) {
  if (error || (code === null && !signal)) return 1;
  return code ?? 128 + (os.constants.signals[signal] ?? 0);
}

/** How a child ended, for a message: "exit 3", "SIGTERM", "could not start: ENOENT ...". */
export function endedHow({ code, signal, error }) {
  return error ? `could not start: ${error.message}` : (signal ?? `exit ${code}`);
}

/** Runs a program (never through a shell), printing a progress line every 30 s so long builds show they are alive. */
export async function run(cmd, args, opts = {}) {
  const start = Date.now();
  let out = '';
  const ticker = opts.label ? setInterval(() => log(`  … ${opts.label} (${elapsed(start)})`), 30_000) : undefined;
  const r = await runChild(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? childEnv(),
    stdio: opts.stdio ?? ['ignore', 'pipe', 'pipe'],
    onData: (d) => {
      out += d;
      if (opts.echo) process.stderr.write(d);
    },
  }).ended;
  clearInterval(ticker);
  if (r.error) throw new SetupError(`could not start ${cmd}: ${r.error.message}`);
  if (r.code !== 0) throw new SetupError(`${cmd} ${args.join(' ')} failed (${endedHow(r)}) after ${elapsed(start)}:\n${out.slice(-4000)}`);
  return out;
}

/**
 * Runs a Node script of ours with the Node running now (arguments: the script's path and its arguments) in an
 * environment from childEnv(); output goes to ours (`stdio`, default: inherit). Rejects when it fails.
 */
export async function runNodeScript(args, { stdio = 'inherit' } = {}) {
  const what = `node ${args.map((a) => path.relative(repoRoot, a) || a).join(' ')}`;
  const r = await runChild(process.execPath, args, { cwd: repoRoot, stdio }).ended;
  if (r.error) throw new SetupError(`could not start ${what}: ${r.error.message}`);
  if (r.code !== 0) throw new SetupError(`${what} failed (${endedHow(r)})`);
}

/** The first executable file named `cmd` on PATH (without npm's additions), like the shell's `command -v`. */
export function which(cmd) {
  for (const dir of basePath()) {
    const file = path.join(dir, cmd);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return undefined;
}
