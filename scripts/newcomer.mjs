#!/usr/bin/env node
// The newcomer check: README's first command run the way a new user runs it, on a copy of the repository.
//
//   node scripts/newcomer.mjs [--result-file FILE] [--keep-going]
//
// 1. copies the repository's files (tracked, and untracked ones git does not ignore: what a clone would hold, with
//    the working tree's changes) to a temporary folder, without node_modules, dist or out;
// 2. gives it a cache folder (XDG_CACHE_HOME) of its own that links to this machine's built Go tools, Node runtimes,
//    images and code-server. Installing those from nothing is what the set-up of `npm test` itself does on a fresh
//    machine, through `npm run` as here (CI runs that every time); doing it again here would spend 2½ minutes of one
//    core compiling code-server's native modules on every warm run (see docs/development.md);
// 3. runs `npm run demo` there through the system's npm, in an environment like a terminal's: no npm_* variables, no
//    cached Node or tool folder on PATH;
// 4. waits for `URL=…`, opens it in Chromium and waits for the Clusters view to list the demo's contexts;
// 5. runs `npm run screenshots -- --kubeconfig <the demo's kubeconfig>` the same way and checks its PNGs;
// 6. stops the demo with SIGINT to its process group (Ctrl-C in a terminal) and checks that every process it started
//    has ended and that its kubeconfig is gone.
// Each step is one check in the result ({ passes, failures, failed: [{ title, message }] }), as the other suites report.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cacheRoot, childEnv, log, repoRoot, runChild, which } from './lib/toolchain.mjs';
import { commandLine, running } from './lib/host-processes.mjs';
import { descendants, makeTempDir, openWorkbench, processesMentioning, showViewContainer, viewPane } from './lib/vscode-host.mjs';

const say = (msg) => process.stderr.write(`[newcomer] ${msg}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The demo's contexts (scripts/demo.mjs writes both). */
const DEMO_CONTEXTS = ['demo-host', 'demo-restricted'];

// ---- the copy and its environment ----------------------------------------------------------------------------------

/** Copies what a clone of the repository would hold, as the working tree has it, to `dest`. */
export function copyRepository(dest) {
  const r = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: childEnv(),
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`git ls-files failed: ${r.stderr}`);
  let n = 0;
  for (const rel of r.stdout.split('\0').filter(Boolean)) {
    const from = path.join(repoRoot, rel);
    let st;
    try {
      st = fs.lstatSync(from);
    } catch {
      continue; // tracked but deleted in the working tree
    }
    const to = path.join(dest, rel);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    if (st.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(from), to);
    else if (st.isFile()) {
      fs.copyFileSync(from, to);
      fs.chmodSync(to, st.mode & 0o777);
    } else continue;
    n++;
  }
  return n;
}

/**
 * A cache folder for the copy: links to every entry of this machine's cache (Go tools, Node runtimes, images,
 * code-server) except the demo's own files and unfinished installs.
 */
export function newcomerCache(dir) {
  const own = path.join(dir, 'vcluster-explorer');
  fs.mkdirSync(own, { recursive: true });
  const real = cacheRoot();
  for (const entry of fs.existsSync(real) ? fs.readdirSync(real) : []) {
    if (entry === 'demo' || /\.tmp-\d+$/.test(entry)) continue;
    fs.symlinkSync(path.join(real, entry), path.join(own, entry));
  }
  return dir;
}

/** A terminal's environment: ours without npm's variables, without any cached Node or tool folder on PATH. */
export function newcomerEnv(cacheDir) {
  const real = cacheRoot();
  const env = childEnv({ drop: [/^VCE_/, /^KUBECONFIG$/, /^XDG_CACHE_HOME$/, /^GOCACHE$/] });
  env.PATH = env.PATH.split(path.delimiter)
    .filter((d) => !path.resolve(d).startsWith(real + path.sep))
    .join(path.delimiter);
  env.XDG_CACHE_HOME = cacheDir;
  // Go keeps its build cache under XDG_CACHE_HOME too: keep it where it was (it is not part of what we test).
  const gocache = spawnSync('go', ['env', 'GOCACHE'], { encoding: 'utf8', env: childEnv() }).stdout?.trim();
  if (gocache) env.GOCACHE = gocache;
  return env;
}

// ---- processes -------------------------------------------------------------------------------------------------------

/**
 * Starts `npm <args>` in its own process group (like a terminal's foreground job) and collects its output:
 * stdout lines are matched by waitForLine(), everything goes to `logFile`.
 */
function startNpm(args, { cwd, env, logFile }) {
  const npm = which('npm');
  if (!npm) throw new Error('npm is not on PATH');
  const out = fs.openSync(logFile, 'a');
  fs.writeSync(out, `$ npm ${args.join(' ')}\n`);
  const lines = [];
  const waiters = new Set();
  const child = runChild(npm, args, {
    cwd,
    env,
    detached: true,
    onData: (d) => fs.writeSync(out, d),
    onLine: (line, stream) => {
      if (stream !== 'stdout') return;
      lines.push(line);
      for (const w of waiters) w();
    },
  });
  // exitInfo is set before the waiters look, so that a waitForLine() pending at the exit rejects at once.
  let exitInfo;
  const exited = child.ended.then(({ code, signal }) => {
    fs.closeSync(out);
    exitInfo = { code, signal };
    for (const w of waiters) w();
    return exitInfo;
  });
  return {
    pid: child.pid,
    exited,
    /** Resolves to the first stdout line starting with `prefix` (without it); rejects at exit or timeout. */
    waitForLine(prefix, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no "${prefix}" line within ${timeoutMs / 1000} s`));
        }, timeoutMs);
        const check = () => {
          const hit = lines.find((l) => l.startsWith(prefix));
          if (hit !== undefined) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(hit.slice(prefix.length).trim());
          } else if (exitInfo) {
            clearTimeout(timer);
            waiters.delete(check);
            reject(new Error(`npm ${args.join(' ')} ended (${exitInfo.signal ?? `exit ${exitInfo.code}`}) before printing "${prefix}"`));
          }
        };
        waiters.add(check);
        check();
      });
    },
    signal(sig) {
      try {
        process.kill(-child.pid, sig);
      } catch {
        // already gone
      }
    },
  };
}

function tail(file, n = 40) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}

/** Width and height of a PNG file, or undefined when it is not one. */
function pngSize(file) {
  const b = fs.readFileSync(file);
  if (b.length < 24 || b.toString('latin1', 1, 4) !== 'PNG') return undefined;
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

// ---- the check -------------------------------------------------------------------------------------------------------

export async function main(argv = process.argv.slice(2)) {
  const { values } = parseArgs({ args: argv, options: { 'result-file': { type: 'string' } } });
  const results = [];
  const record = (title, err) => {
    results.push({ title, message: err ? String(err.message ?? err) : undefined });
    say(`${err ? '✖' : '✔'} ${title}${err ? `: ${err.message ?? err}` : ''}`);
  };

  const tmp = makeTempDir('vce-newcomer-');
  const repo = path.join(tmp, 'repo');
  const logFile = path.join(tmp, 'newcomer.log');
  const started = Date.now();
  const copied = copyRepository(repo);
  const env = newcomerEnv(newcomerCache(path.join(tmp, 'cache')));
  say(`copied ${copied} files to ${repo}; log: ${logFile}`);

  const demo = startNpm(['run', 'demo'], { cwd: repo, env, logFile });
  let kubeconfig;
  let url;
  try {
    try {
      kubeconfig = await demo.waitForLine('KUBECONFIG=', 15 * 60_000);
      url = await demo.waitForLine('URL=', 15 * 60_000);
      record(`npm run demo prints KUBECONFIG= and URL= (after ${((Date.now() - started) / 1000).toFixed(0)} s)`);
    } catch (err) {
      record('npm run demo prints KUBECONFIG= and URL=', new Error(`${err.message}\n--- last lines of the log ---\n${tail(logFile)}`));
    }

    if (url) {
      let wb;
      try {
        wb = await openWorkbench({ url });
        await showViewContainer(wb.page, 'vcluster');
        const pane = viewPane(wb.page, 'Clusters');
        for (const name of DEMO_CONTEXTS) {
          await pane.locator('.monaco-list-row', { hasText: name }).first().waitFor({ timeout: 60_000 });
        }
        record(`the workbench at URL= shows the Clusters view with ${DEMO_CONTEXTS.join(' and ')}`);
      } catch (err) {
        record('the workbench at URL= shows the Clusters view with the demo contexts', err);
      } finally {
        await wb?.stop();
      }

      const shots = path.join(tmp, 'screenshots');
      try {
        const s = startNpm(['run', 'screenshots', '--', '--kubeconfig', kubeconfig, '--out', shots, '--expand', 'demo-host'], { cwd: repo, env, logFile });
        const timer = setTimeout(() => s.signal('SIGTERM'), 10 * 60_000);
        const { code, signal } = await s.exited;
        clearTimeout(timer);
        if (code !== 0) throw new Error(`npm run screenshots ended with ${signal ?? `exit ${code}`}\n--- last lines of the log ---\n${tail(logFile)}`);
        const pngs = fs.existsSync(shots) ? fs.readdirSync(shots).filter((f) => f.endsWith('.png')) : [];
        if (pngs.length < 2) throw new Error(`expected the workbench and side-bar PNGs in ${shots}, found: ${pngs.join(', ') || 'none'}`);
        for (const f of pngs) {
          const size = pngSize(path.join(shots, f));
          if (!size || size.width < 200 || size.height < 200) throw new Error(`${f} is not a plausible screenshot (${JSON.stringify(size)})`);
        }
        record(`npm run screenshots writes ${pngs.join(', ')}`);
      } catch (err) {
        record('npm run screenshots writes its PNGs', err);
      }
    }
  } finally {
    const tree = [...new Set([...descendants(demo.pid), demo.pid])];
    say('stopping the demo (SIGINT to its process group, as Ctrl-C does)');
    demo.signal('SIGINT');
    const stopped = await Promise.race([demo.exited.then(() => true), sleep(90_000).then(() => false)]);
    // Give what the demo's processes started a moment to go away after them.
    for (let i = 0; i < 50 && [...tree, ...processesMentioning(tmp)].some(running); i++) await sleep(200);
    const left = [...new Set([...tree, ...processesMentioning(tmp)])].filter(running);
    for (const p of left) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // gone
      }
    }
    const problems = [];
    if (!stopped) problems.push('npm run demo did not end within 90 s of SIGINT');
    if (left.length) problems.push(`still running after the demo ended (now killed): ${left.map((p) => `${p} ${commandLine(p)}`).join('; ')}`);
    if (kubeconfig && fs.existsSync(kubeconfig)) problems.push(`the demo's kubeconfig ${kubeconfig} was left behind`);
    record('Ctrl-C stops the demo and everything it started', problems.length ? new Error(problems.join('\n')) : undefined);
  }

  const failed = results.filter((r) => r.message !== undefined);
  say(`${results.length - failed.length} passed, ${failed.length} failed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (values['result-file']) {
    fs.writeFileSync(
      values['result-file'],
      JSON.stringify({ passes: results.length - failed.length, failures: failed.length, pending: 0, tests: results.length, failed }),
    );
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  return failed.length ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      log(`newcomer check failed: ${err.stack ?? err}`);
      process.exit(1);
    },
  );
}
