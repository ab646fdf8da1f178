// Watching kubeconfig files for changes the way they are really changed: writers (kubectl, us) replace a file by
// rename, which ends a watch on the file itself, so the directories are watched. A configured path that is a
// symlink (a `~/.kube/config` kept in a dotfiles repository) is followed hop by hop, and the directory of every
// hop is watched, so a change of the target or of the link shows up. A file (or directory) that does not exist yet
// is watched through its nearest existing ancestor, so a kubeconfig created after start (a first
// `kind create cluster`) is noticed; the watch moves down as the directories appear.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

/** Directory → names in it whose change matters. */
export type WatchTargets = Map<string, Set<string>>;

function add(targets: WatchTargets, dir: string, name: string): void {
  let names = targets.get(dir);
  if (!names) targets.set(dir, (names = new Set()));
  names.add(name);
}

/** Where to watch for changes of `file`: every symlink hop's directory, or the nearest existing ancestor. */
export async function watchTargetsOf(file: string, targets: WatchTargets = new Map()): Promise<WatchTargets> {
  let current = path.resolve(file);
  for (let hop = 0; hop < 40; hop++) {
    let st: fs.Stats;
    try {
      st = await fsp.lstat(current);
    } catch {
      // Missing: watch the nearest ancestor that exists for the first missing name below it.
      let child = current;
      let dir = path.dirname(current);
      for (;;) {
        const exists = await fsp.stat(dir).then(
          (s) => s.isDirectory(),
          () => false,
        );
        if (exists || dir === path.dirname(dir)) break;
        child = dir;
        dir = path.dirname(dir);
      }
      add(targets, dir, path.basename(child));
      return targets;
    }
    add(targets, path.dirname(current), path.basename(current));
    if (!st.isSymbolicLink()) {
      // Directories on the way may be links themselves: watch the real directory too.
      const real = await fsp.realpath(current).catch(() => current);
      if (real !== current) add(targets, path.dirname(real), path.basename(real));
      return targets;
    }
    const target = await fsp.readlink(current);
    current = path.resolve(path.dirname(current), target);
  }
  return targets;
}

function keyOf(targets: WatchTargets): string {
  return [...targets]
    .map(([d, names]) => `${d}\u0000${[...names].sort().join('\u0000')}`)
    .sort()
    .join('\n');
}

/**
 * Watches a list of kubeconfig files; calls onChange (debounced) when one of them may have changed. Call update()
 * after every read of the files: whenever watches are installed (the first time, or moved because a link was
 * retargeted or a directory created), onChange is called once more, so that a change between that read and the new
 * watch (which no watch event reports) is still read. The reader compares what it read and tells nobody when
 * nothing changed.
 */
export class KubeconfigFileWatcher {
  private watchers: fs.FSWatcher[] = [];
  private key = '';
  private debounce?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly onChange: () => void,
    private readonly debounceMs = 100,
  ) {}

  async update(files: readonly string[]): Promise<void> {
    const targets: WatchTargets = new Map();
    for (const f of files) await watchTargetsOf(f, targets);
    const key = keyOf(targets);
    if (this.closed || key === this.key) return;
    this.closeWatchers();
    this.key = key;
    for (const [dir, names] of targets) {
      try {
        const w = fs.watch(dir, { persistent: false }, (_ev, name) => {
          if (name && !names.has(name.toString())) return;
          this.fire();
        });
        w.on('error', () => undefined);
        this.watchers.push(w);
      } catch {
        // Gone meanwhile: the next read moves the watch.
      }
    }
    this.fire();
  }

  private fire(): void {
    if (this.closed) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.onChange(), this.debounceMs);
  }

  private closeWatchers(): void {
    for (const w of this.watchers) w.close();
    this.watchers = [];
  }

  close(): void {
    this.closed = true;
    this.closeWatchers();
    clearTimeout(this.debounce);
  }
}
