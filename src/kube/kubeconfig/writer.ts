// The one way the extension changes a kubeconfig. Follows kubectl (client-go tools/clientcmd/config.go,
// ModifyConfig): an existing entry is changed in the file that defines it (first-wins), new entries and
// current-context go to the default file (the first existing file of the list, see defaultWriteFile).
// Every change: read the files, refuse if any is malformed, plan the edit and make the new text minimally (comments
// and unknown fields survive; a file in kubectl's layout is edited in the lines that change, see fastEdit.ts) — all
// without the lock, because for a big file that is most of the time. Then lock all files (`<file>.lock`, O_EXCL,
// bounded wait), check that none changed since it was read, keep a reverse patch for undo, and write atomically;
// the change returns then, while the lock stays for the linger (lockLingerMs) and is released in the background.
// A file that changed in between is read and planned again; after a few such conflicts the planning happens under
// the lock too. The text edits (yamlEdit.ts, fastEdit.ts), locks (lock.ts), atomic writes (atomic.ts) and undo
// (backup.ts) live beside it.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { removeFileDurably, writeFileAtomic } from './atomic';
import type { ChangeInfo, FileChange } from './backup';
import { BackupStore, contentBefore, sha256 } from './backup';
import type { EntryKind } from './errors';
import { KubeconfigError } from './errors';
import { defaultWriteFile } from './files';
import type { HeldLocks, LockOptions } from './lock';
import { acquireLocks, lockPathFor } from './lock';
import type { JsonObject, MergedKubeconfig, ParsedFile } from './model';
import { blockingProblems, distinctFiles, entryBodyProblems, isObject, managedFields, mergeParsed, readKubeconfigFile } from './model';
import { fastEdit } from './fastEdit';
import type { FastParse } from './fastYaml';
import { LONE_SURROGATE } from './goYaml';
import { editKubeconfigText, renderYaml } from './yamlEdit';

export interface KubeconfigWriterOptions {
  /** The kubeconfig files in precedence order (kubeconfigFiles()), or the one workspace-scoped file. */
  readonly files: readonly string[];
  /** Where backups for undo go (created 0700). Without it there is no undo. */
  readonly backupDir?: string;
  /** How many backups to keep (default 10). */
  readonly keepBackups?: number;
  /** Bounded wait for `<file>.lock` (default 5000 ms). */
  readonly lockTimeoutMs?: number;
  /** Poll interval while waiting for the lock (default 25 ms). */
  readonly lockPollMs?: number;
  /**
   * How long to keep holding the lock after writing (default DEFAULT_LOCK_LINGER_MS). kubectl reads the kubeconfig before it takes
   * the lock and then writes the difference between that read and a fresh one, deleting whatever appeared in
   * between (kubernetes/kubernetes#28260). Holding the lock a little longer makes a kubectl that read the old
   * content fail with "file exists" instead of silently deleting what we just wrote. The write returns before the
   * linger: a timer releases the lock (HeldLocks.releaseAfter), and our next write waits for it.
   */
  readonly lockLingerMs?: number;
  /**
   * How long after releasing the lock none of our writers takes it again (default DEFAULT_LOCK_GAP_MS, 0 when lockLingerMs is 0),
   * so that a kubectl started meanwhile gets it; see LockOptions.gapMs.
   */
  readonly lockGapMs?: number;
}

/** The cluster, user and context that make up one connection (what `vcluster connect` writes). */
export interface ContextSpec {
  readonly name: string;
  /** The whole `cluster` object (server, certificate-authority-data, insecure-skip-tls-verify, …); replaces an existing one. */
  readonly cluster: { readonly name: string; readonly cluster: JsonObject };
  /** The whole `user` object; replaces an existing one. */
  readonly user: { readonly name: string; readonly user: JsonObject };
  /** A namespace to set; null removes it; undefined keeps an existing context's namespace. */
  readonly namespace?: string | null;
}

export interface WriteResult {
  /** False when the kubeconfig already was as requested (nothing written, no backup). */
  readonly changed: boolean;
  /** The files written (absolute paths as configured). */
  readonly files: readonly string[];
  /** The backup that undoLast() would restore, when a backup directory is configured. */
  readonly backupId?: string;
}

export interface UndoResult {
  readonly description: string;
  readonly files: readonly string[];
}

/** Changes the content of one file. Mutators replace what they change and never edit a nested object in place. */
type Mutator = (data: JsonObject) => void;
type Plan = Map<string, Mutator[]>;

const LIST: Record<EntryKind, 'clusters' | 'users' | 'contexts'> = { cluster: 'clusters', user: 'users', context: 'contexts' };

/**
 * The default lockLingerMs. It has to outlast kubectl's time from its first read to its lock, which is milliseconds on
 * an idle machine; with 100 ms, a kubectl on a 2-core machine loaded twice over once took longer in the race test
 * (test/cluster/kubeconfig-race.test.ts) and wrote back an entry that had been removed meanwhile.
 */
export const DEFAULT_LOCK_LINGER_MS = 200;

/** The default lockGapMs: longer than kubectl takes from its start to trying the lock (about 100 ms). */
const DEFAULT_LOCK_GAP_MS = 150;

/** Times a change is read and planned without the lock before planning under the lock (files kept changing). */
const OPTIMISTIC_ATTEMPTS = 3;

export class KubeconfigWriter {
  readonly files: readonly string[];
  private readonly backups?: BackupStore;
  private readonly lockOptions: LockOptions;
  private readonly lingerMs: number;

  constructor(options: KubeconfigWriterOptions) {
    if (options.files.length === 0) throw new KubeconfigError('invalidArgument', 'No kubeconfig file given to write to');
    this.files = [...new Set(options.files.map((f) => path.resolve(f)))];
    if (options.backupDir) this.backups = new BackupStore(options.backupDir, options.keepBackups ?? 10);
    this.lingerMs = options.lockLingerMs ?? DEFAULT_LOCK_LINGER_MS;
    this.lockOptions = {
      ...(options.lockTimeoutMs !== undefined ? { timeoutMs: options.lockTimeoutMs } : {}),
      ...(options.lockPollMs !== undefined ? { pollMs: options.lockPollMs } : {}),
      gapMs: options.lockGapMs ?? (this.lingerMs > 0 ? DEFAULT_LOCK_GAP_MS : 0),
    };
  }

  /** Makes `name` the current context, in the file kubectl would write it to. */
  async useContext(name: string): Promise<WriteResult> {
    return this.transact(`switch to context ${JSON.stringify(name)}`, (merged) => {
      this.requireUsable(merged, name);
      const plan: Plan = new Map();
      if (merged.currentContext !== name) add(plan, defaultWriteFile(this.files), setCurrent(name));
      return plan;
    });
  }

  /**
   * Adds or replaces a context with its cluster and user. Entries that exist are changed in the file that defines
   * them; new ones go to the default file. `makeCurrent` also switches to it.
   */
  async upsertContext(spec: ContextSpec, options: { makeCurrent?: boolean } = {}): Promise<WriteResult> {
    validateSpec(spec);
    return this.transact(`add or update context ${JSON.stringify(spec.name)}`, (merged) => {
      const plan: Plan = new Map();
      const def = defaultWriteFile(this.files);
      add(plan, merged.clusters.get(spec.cluster.name)?.file ?? def, upsert('cluster', spec.cluster.name, spec.cluster.cluster, 'replace'));
      add(plan, merged.users.get(spec.user.name)?.file ?? def, upsert('user', spec.user.name, spec.user.user, 'replace'));
      const ctx: JsonObject = { cluster: spec.cluster.name, user: spec.user.name };
      if (spec.namespace !== undefined) ctx.namespace = spec.namespace;
      add(plan, merged.contexts.get(spec.name)?.file ?? def, upsert('context', spec.name, ctx, 'merge'));
      if (options.makeCurrent && merged.currentContext !== spec.name) add(plan, def, setCurrent(spec.name));
      return plan;
    });
  }

  /**
   * Sets the namespace of a context in the file that defines it, as `kubectl config set-context NAME --namespace NS`
   * does (`kubectl config set-context --current --namespace NS` for the current one): only that field changes; ''
   * or null removes it (kubectl writes no empty namespace).
   */
  async setContextNamespace(name: string, namespace: string | null): Promise<WriteResult> {
    if (namespace !== null && (typeof namespace !== 'string' || /[\r\n\0]/.test(namespace) || LONE_SURROGATE.test(namespace))) {
      throw new KubeconfigError(
        'invalidArgument',
        `Invalid namespace ${JSON.stringify(String(namespace))} for context ${JSON.stringify(name)}; nothing was written`,
      );
    }
    return this.transact(`set the namespace of context ${JSON.stringify(name)} to ${JSON.stringify(namespace || '')}`, (merged) => {
      const ctx = merged.contexts.get(name);
      if (!ctx) throw unknownContext(name, this.files);
      const plan: Plan = new Map();
      add(plan, ctx.file, upsert('context', name, { namespace: namespace || null }, 'merge'));
      return plan;
    });
  }

  /**
   * Removes a context from the file that defines it. With removeClusterAndUser, also its cluster and user unless
   * another context (in any of the files) still refers to them. If it is the current context, `switchTo` must name
   * the context to switch to ('' clears current-context), so current-context never points at a removed context.
   */
  async removeContext(name: string, options: { removeClusterAndUser?: boolean; switchTo?: string } = {}): Promise<WriteResult> {
    return this.transact(`remove context ${JSON.stringify(name)}`, (merged, parsed) => {
      const ctx = merged.contexts.get(name);
      if (!ctx) throw unknownContext(name, this.files);
      const plan: Plan = new Map();
      add(plan, ctx.file, removeEntry('context', name));
      if (options.removeClusterAndUser) {
        for (const kind of ['cluster', 'user'] as const) {
          const ref = kind === 'cluster' ? ctx.cluster : ctx.user;
          const entry = ref === '' ? undefined : kind === 'cluster' ? merged.clusters.get(ref) : merged.users.get(ref);
          if (!entry) continue;
          const stillUsed = parsed.some((pf) =>
            ((pf.data?.contexts ?? []) as unknown[]).some(
              (c, i) => isObject(c) && !(pf.path === ctx.file && i === ctx.index) && isObject(c.context) && c.context[kind] === ref,
            ),
          );
          if (!stillUsed) add(plan, entry.file, removeEntry(kind, ref));
        }
      }
      if (merged.currentContext === name) {
        const next = options.switchTo;
        if (next === undefined) {
          throw new KubeconfigError(
            'contextInUse',
            `${merged.currentContextFile}: context ${JSON.stringify(name)} is the current context; choose the context to switch to before removing it`,
            merged.currentContextFile,
          );
        }
        if (next === '') {
          for (const pf of parsed) if (pf.data?.['current-context'] === name) add(plan, pf.path, setCurrent(''));
        } else {
          if (next === name) throw new KubeconfigError('invalidArgument', `Cannot switch to context ${JSON.stringify(name)}: it is the one being removed`);
          this.requireUsable(merged, next);
          add(plan, defaultWriteFile(this.files), setCurrent(next));
        }
      }
      return plan;
    });
  }

  /** The change undoLast() would revert, if any. */
  async lastChange(): Promise<ChangeInfo | undefined> {
    const r = await this.backups?.latest();
    return r ? { id: r.id, time: r.time, description: r.description, files: r.files.map((f) => f.path) } : undefined;
  }

  /**
   * Restores the files of the extension's last change to their content before it, atomically and under the lock,
   * provided nobody changed them since (else KubeconfigError('changedSince') and nothing is restored).
   */
  async undoLast(): Promise<UndoResult> {
    const record = await this.backups?.latest();
    if (!record) throw new KubeconfigError('nothingToUndo', 'There is no kubeconfig change by vcluster Explorer to undo');
    const locks = await acquireLocks(
      record.files.map((f) => f.path),
      this.lockOptions,
    );
    let wrote = false;
    try {
      for (const f of record.files) {
        let current: Buffer | undefined;
        try {
          current = await fsp.readFile(f.path);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new KubeconfigError('unreadable', `${f.path}: cannot be read for undo`, f.path);
        }
        if (!current || sha256(current) !== f.afterSha256) {
          throw new KubeconfigError(
            'changedSince',
            `${f.path} was ${current ? 'changed' : 'deleted'} after vcluster Explorer's change (${record.description}, ${record.time}); ` +
              'undoing it now would discard that later change, so nothing was restored',
            f.path,
          );
        }
      }
      const restores: { path: string; content: Buffer | undefined }[] = [];
      for (const f of record.files) {
        try {
          restores.push({ path: f.path, content: contentBefore(f, await fsp.readFile(f.path).catch(() => Buffer.alloc(0))) });
        } catch {
          throw new KubeconfigError(
            'changedSince',
            `${f.path}: the backup of vcluster Explorer's change (${record.description}) is damaged; nothing was restored`,
            f.path,
          );
        }
      }
      for (const r of restores) {
        wrote = true;
        if (r.content === undefined) await removeFileDurably(r.path);
        else await writeFileAtomic(r.path, r.content);
      }
      await this.backups!.remove(record.id);
      return { description: record.description, files: record.files.map((f) => f.path) };
    } finally {
      await this.letGo(locks, wrote);
    }
  }

  /**
   * After a write the locks stay for the linger, released by a timer while the caller goes on (the file is already
   * in place: the status bar and the tree can show it); our next write waits for them (lock.ts). Without a write
   * they go at once.
   */
  private async letGo(locks: HeldLocks, wrote: boolean): Promise<void> {
    if (wrote && this.lingerMs > 0) locks.releaseAfter(this.lingerMs);
    else await locks.release();
  }

  private requireUsable(merged: MergedKubeconfig, name: string): void {
    const ctx = merged.contexts.get(name);
    if (!ctx) throw unknownContext(name, this.files);
    if (ctx.problems.length > 0) {
      throw new KubeconfigError('danglingReference', `Cannot switch to context ${JSON.stringify(name)}: ${ctx.problems[0]}`, ctx.file);
    }
  }

  private async transact(description: string, plan: (merged: MergedKubeconfig, parsed: readonly ParsedFile[]) => Plan): Promise<WriteResult> {
    let createdDirs = 0;
    for (let attempt = 0; ; attempt++) {
      const underLock = attempt >= OPTIMISTIC_ATTEMPTS;
      const early = underLock ? await acquireLocks(this.files, this.lockOptions) : undefined;
      let wrote = false;
      try {
        const all = await Promise.all(this.files.map((f) => readKubeconfigFile(f)));
        const parsed = distinctFiles(all);
        const merged = mergeParsed(parsed);
        const blocking = blockingProblems(merged);
        if (blocking.length > 0) {
          // kubectl rewrites files in place under its lock: read again under the lock, where the file is whole
          if (!underLock) {
            attempt = OPTIMISTIC_ATTEMPTS - 1;
            continue;
          }
          throw KubeconfigError.fromProblems(blocking);
        }
        // What a read without the lock shows may be a moment of kubectl's in-place write (a valid but shorter file):
        // a plan that finds nothing to do there, or refuses (an unknown context), is redone under the lock before it
        // counts; only a plan that writes is checked against the file's bytes instead.
        let planned: Plan;
        try {
          planned = plan(merged, parsed);
        } catch (err) {
          if (!underLock) {
            attempt = OPTIMISTIC_ATTEMPTS - 1;
            continue;
          }
          throw err;
        }
        const edits = sameFileOnce(planned, all, parsed);

        // A target in a directory that does not exist yet cannot be locked: create the directory and start over.
        const missingDirs = [...edits.keys()].filter((f) => !fs.existsSync(path.dirname(f)) || (early && !early.paths.includes(lockPathFor(f))));
        if (missingDirs.length > 0) {
          if (++createdDirs > 2) throw new KubeconfigError('lockFailed', `Cannot lock ${missingDirs[0]}`, missingDirs[0]);
          for (const f of missingDirs) await fsp.mkdir(path.dirname(f), { recursive: true, mode: 0o700 });
          attempt--;
          continue;
        }

        const changes = this.newContents(edits, parsed);
        if (changes.length === 0) {
          if (!underLock) {
            attempt = OPTIMISTIC_ATTEMPTS - 1;
            continue;
          }
          return { changed: false, files: [] };
        }
        const record = this.backups?.prepare(description, changes);

        const locks = early ?? (await acquireLocks(this.files, this.lockOptions));
        try {
          // the final read-check: nobody wrote any of the files since they were read
          if (!early && !(await unchanged(parsed))) continue;
          if (record) await this.backups!.save(record);
          const done: FileChange[] = [];
          try {
            for (const c of changes) {
              wrote = true;
              await writeFileAtomic(c.path, c.after);
              done.push(c);
            }
          } catch (err) {
            for (const c of done.reverse()) {
              await (c.before ? writeFileAtomic(c.path, c.before) : removeFileDurably(c.path)).catch(() => undefined);
            }
            if (record) await this.backups!.remove(record.id);
            throw err;
          }
          return { changed: true, files: changes.map((c) => c.path), ...(record ? { backupId: record.id } : {}) };
        } finally {
          if (!early) await this.letGo(locks, wrote);
        }
      } finally {
        if (early) await this.letGo(early, wrote);
      }
    }
  }

  /** The new text of every file the plan changes (files it leaves as they are are left out). */
  private newContents(edits: Plan, parsed: readonly ParsedFile[]): FileChange[] {
    const changes: FileChange[] = [];
    for (const [file, mutators] of edits) {
      const pf = parsed.find((p) => p.path === file)!;
      const empty = !pf.exists || !pf.data || Object.keys(pf.data).length === 0;
      const start: JsonObject = empty ? { apiVersion: 'v1', kind: 'Config', preferences: {} } : pf.data!;
      const target = cloneForEdit(start);
      for (const m of mutators) m(target);
      if (!empty && sameContent(target, start)) continue;
      const fast =
        !empty && pf.layout && pf.text !== undefined
          ? fastEdit(pf.text, { data: pf.data, layout: pf.layout } as FastParse, target as FastParse['data'], {
              render: renderYaml,
              editItem: (text, item) => editKubeconfigText(file, text, item).text,
            })
          : undefined;
      const after = fast?.text ?? editKubeconfigText(file, pf.exists ? pf.text : undefined, target).text;
      changes.push({ path: file, before: pf.exists ? pf.bytes : undefined, after, ...(fast ? { splices: fast.splices } : {}) });
    }
    return changes;
  }
}

/** True when every file still has the bytes it was read with (or still does not exist). */
async function unchanged(parsed: readonly ParsedFile[]): Promise<boolean> {
  for (const pf of parsed) {
    let now: Buffer | undefined;
    try {
      now = await fsp.readFile(pf.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return false;
    }
    if (pf.exists ? !now || !pf.bytes || !now.equals(pf.bytes) : now !== undefined) return false;
  }
  return true;
}

/** A copy to edit: the top level and the entry lists are new, the entries themselves are shared (see Mutator). */
function cloneForEdit(data: JsonObject): JsonObject {
  const out: JsonObject = { ...data };
  for (const key of Object.values(LIST)) if (Array.isArray(out[key])) out[key] = [...(out[key] as unknown[])];
  return out;
}

/** Equal content, comparing what cloneForEdit shares by reference first. */
function sameContent(a: JsonObject, b: JsonObject): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) {
    const x = a[k];
    const y = b[k];
    if (x === y) continue;
    if (!(k in b)) return false;
    if (Array.isArray(x) && Array.isArray(y)) {
      if (x.length !== y.length || x.some((e, i) => e !== y[i] && !isDeepStrictEqual(e, y[i]))) return false;
    } else if (!isDeepStrictEqual(x, y)) return false;
  }
  return true;
}

/** A plan whose edits of one file under two names (a repeated or symlinked list entry) are joined under its first name. */
function sameFileOnce(plan: Plan, all: readonly ParsedFile[], kept: readonly ParsedFile[]): Plan {
  const real = (p: ParsedFile) => p.realPath ?? p.path;
  const out: Plan = new Map();
  for (const [file, mutators] of plan) {
    const entry = all.find((p) => p.path === file);
    const target = (entry && kept.find((k) => real(k) === real(entry))?.path) ?? file;
    for (const m of mutators) add(out, target, m);
  }
  return out;
}

function add(plan: Plan, file: string, m: Mutator): void {
  const list = plan.get(file) ?? [];
  list.push(m);
  plan.set(file, list);
}

function setCurrent(name: string): Mutator {
  return (data) => {
    data['current-context'] = name;
  };
}

function listOf(data: JsonObject, kind: EntryKind): unknown[] {
  const key = LIST[kind];
  if (!Array.isArray(data[key])) data[key] = [];
  return data[key] as unknown[];
}

/**
 * replace: the managed fields (connection, credentials) become exactly `body`'s, so a token does not linger next to a
 * new client certificate; merge: only the keys of `body` change. In both, a null in `body` removes that key, and
 * fields we do not manage (extensions, anything unknown) are kept as they are.
 */
function upsert(kind: EntryKind, name: string, body: JsonObject, mode: 'replace' | 'merge'): Mutator {
  return (data) => {
    const list = listOf(data, kind);
    const existing = list.find((e): e is JsonObject => isObject(e) && e.name === name);
    const old: JsonObject = existing && isObject(existing[kind]) ? existing[kind] : {};
    const result: JsonObject = mode === 'replace' ? Object.fromEntries(Object.entries(old).filter(([k]) => !managedFields(kind).has(k))) : { ...old };
    for (const [k, v] of Object.entries(structuredClone(body))) {
      if (v === null || v === undefined) delete result[k];
      else result[k] = v;
    }
    if (existing) {
      list[list.indexOf(existing)] = { ...existing, [kind]: result };
      return;
    }
    // Follow the file's style: kubectl writes `- cluster: … name:`, hand-written files often start with name.
    const first = list.find(isObject);
    const nameFirst = first !== undefined && Object.keys(first)[0] === 'name';
    list.push(nameFirst ? { name, [kind]: result } : { [kind]: result, name });
  };
}

function removeEntry(kind: EntryKind, name: string): Mutator {
  return (data) => {
    const key = LIST[kind];
    if (Array.isArray(data[key])) data[key] = (data[key] as unknown[]).filter((e) => !(isObject(e) && e.name === name));
  };
}

function unknownContext(name: string, files: readonly string[]): KubeconfigError {
  return new KubeconfigError('unknownContext', `Context ${JSON.stringify(name)} is not defined in ${files.join(', ')}`, files[0]);
}

function validName(v: unknown): v is string {
  return typeof v === 'string' && v !== '' && !/[\r\n\0]/.test(v) && !LONE_SURROGATE.test(v);
}

function validateSpec(spec: ContextSpec): void {
  const bad = (what: string) => new KubeconfigError('invalidArgument', `Invalid context ${JSON.stringify(String(spec?.name))}: ${what}; nothing was written`);
  if (!validName(spec?.name)) throw bad('the context name must be a non-empty single line of valid Unicode');
  if (!validName(spec.cluster?.name)) throw bad('the cluster name must be a non-empty single line of valid Unicode');
  if (!validName(spec.user?.name)) throw bad('the user name must be a non-empty single line of valid Unicode');
  if (!isObject(spec.cluster.cluster)) throw bad('"cluster" must be a mapping');
  if (!isObject(spec.user.user)) throw bad('"user" must be a mapping');
  if (typeof spec.cluster.cluster.server !== 'string' || spec.cluster.cluster.server === '') throw bad('the cluster has no server');
  if (spec.namespace !== undefined && spec.namespace !== null && typeof spec.namespace !== 'string') throw bad('the namespace must be a string');
  const problems = [...entryBodyProblems('cluster', spec.cluster.cluster), ...entryBodyProblems('user', spec.user.user)];
  if (problems.length > 0) throw bad(problems[0]!);
}
