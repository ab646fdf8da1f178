// Backups of kubeconfig content before each change the extension makes, for "Undo Last Kubeconfig Change".
// One JSON record per change (it may touch several files), 0600 in a 0700 directory, because the content holds
// credentials. A record keeps only what the change replaced (a reverse patch of the text, gzip-compressed) and the
// checksums of the content before and after: switching the context of a 16 MB kubeconfig costs a record of a few
// hundred bytes, not a copy of the file. Only the newest `keep` records are kept, within `maxBytes` in all.
import { createHash, randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { writeFileAtomic } from './atomic';

/** One replacement in the text after the change: `length` characters at `at` were `before` (gzip, base64). */
export interface ReversePatch {
  readonly at: number;
  readonly length: number;
  readonly before: string;
}

export interface BackupFileRecord {
  /** The kubeconfig path as configured (absolute). */
  readonly path: string;
  /** Version 1: the whole content before the change (base64, byte exact), or null when the change created the file. */
  readonly before?: string | null;
  /** Version 2: true when the change created the file (undo removes it). */
  readonly created?: boolean;
  /** Version 2: what to put back into the text after the change, and the checksum of the result. */
  readonly patches?: readonly ReversePatch[];
  readonly beforeSha256?: string;
  /** sha256 (hex) of the content the change wrote. */
  readonly afterSha256: string;
}

export interface BackupRecord {
  readonly version: 1 | 2;
  readonly id: string;
  readonly time: string;
  /** What the change did, e.g. `use context "dev"`. */
  readonly description: string;
  readonly files: readonly BackupFileRecord[];
}

/** What the UI can show about the change undo would revert. */
export interface ChangeInfo {
  readonly id: string;
  readonly time: string;
  readonly description: string;
  readonly files: readonly string[];
}

/** A change of one file: its bytes before (undefined: it did not exist), the text written, and where it differs. */
export interface FileChange {
  readonly path: string;
  readonly before: Buffer | undefined;
  readonly after: string;
  /** The replacements that made `after` from the text of `before`, when known (else the differing middle is found). */
  readonly splices?: readonly { start: number; end: number; text: string }[];
}

export function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

const pack = (s: string) => gzipSync(Buffer.from(s, 'utf8')).toString('base64');
const unpack = (s: string) => gunzipSync(Buffer.from(s, 'base64')).toString('utf8');

/** The reverse patches of a change: from the splices made, or else from the common start and end of both texts. */
function reversePatches(before: string, after: string, splices: FileChange['splices']): ReversePatch[] {
  if (splices) {
    const out: ReversePatch[] = [];
    let shift = 0;
    for (const s of [...splices].sort((a, b) => a.start - b.start)) {
      out.push({ at: s.start + shift, length: s.text.length, before: pack(before.slice(s.start, s.end)) });
      shift += s.text.length - (s.end - s.start);
    }
    return out;
  }
  let head = 0;
  const max = Math.min(before.length, after.length);
  while (head < max && before.charCodeAt(head) === after.charCodeAt(head)) head++;
  let tail = 0;
  while (tail < max - head && before.charCodeAt(before.length - 1 - tail) === after.charCodeAt(after.length - 1 - tail)) tail++;
  return [{ at: head, length: after.length - head - tail, before: pack(before.slice(head, before.length - tail)) }];
}

/** Applies reverse patches to the text after a change. */
export function applyReversePatches(after: string, patches: readonly ReversePatch[]): string {
  let text = after;
  for (const p of [...patches].sort((a, b) => b.at - a.at)) text = text.slice(0, p.at) + unpack(p.before) + text.slice(p.at + p.length);
  return text;
}

/** The file's content before the change the record describes, given its content now; undefined when it did not exist. */
export function contentBefore(f: BackupFileRecord, now: Buffer): Buffer | undefined {
  if (f.before !== undefined) return f.before === null ? undefined : Buffer.from(f.before, 'base64');
  if (f.created) return undefined;
  const text = Buffer.from(applyReversePatches(now.toString('utf8'), f.patches ?? []), 'utf8');
  if (sha256(text) !== f.beforeSha256) throw new Error('the backup does not restore the content it was taken from');
  return text;
}

export class BackupStore {
  constructor(
    readonly dir: string,
    readonly keep: number = 10,
    /** The newest records are kept while all of them together stay under this size (the newest one always). */
    readonly maxBytes: number = 16 * 1024 * 1024,
  ) {}

  /** The record of a change, made before the writer takes the lock (checksums of big files take a while). */
  prepare(description: string, files: readonly FileChange[]): BackupRecord {
    const id = `${String(Date.now()).padStart(15, '0')}-${String(process.pid).padStart(7, '0')}-${randomBytes(4).toString('hex')}`;
    const record: BackupRecord = {
      version: 2,
      id,
      time: new Date().toISOString(),
      description,
      files: files.map((f): BackupFileRecord => {
        if (!f.before) return { path: f.path, created: true, afterSha256: sha256(f.after) };
        const text = f.before.toString('utf8');
        // bytes that are not UTF-8 do not survive a text patch: keep those files whole
        // (one character per byte and no replacement character: every byte was ASCII, no need to encode it again)
        const ascii = text.length === f.before.length && !text.includes('\ufffd');
        if (!ascii && !Buffer.from(text, 'utf8').equals(f.before)) return { path: f.path, before: f.before.toString('base64'), afterSha256: sha256(f.after) };
        return { path: f.path, patches: reversePatches(text, f.after, f.splices), beforeSha256: sha256(f.before), afterSha256: sha256(f.after) };
      }),
    };
    return record;
  }

  /** Stores a prepared record and drops the records beyond `keep` and `maxBytes`. */
  async save(record: BackupRecord): Promise<void> {
    await fsp.mkdir(this.dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(path.join(this.dir, `${record.id}.json`), JSON.stringify(record));
    await this.prune();
  }

  private async names(): Promise<string[]> {
    try {
      return (await fsp.readdir(this.dir)).filter((n) => /^\d{15}-\d{7}-[0-9a-f]{8}\.json$/.test(n)).sort();
    } catch {
      return [];
    }
  }

  /** Records, oldest first. Unreadable records are skipped. */
  async list(): Promise<BackupRecord[]> {
    const out: BackupRecord[] = [];
    for (const n of await this.names()) {
      const r = await this.read(n);
      if (r) out.push(r);
    }
    return out;
  }

  private async read(name: string): Promise<BackupRecord | undefined> {
    try {
      const r = JSON.parse(await fsp.readFile(path.join(this.dir, name), 'utf8')) as BackupRecord;
      return (r.version === 1 || r.version === 2) && Array.isArray(r.files) ? r : undefined;
    } catch {
      return undefined; // a record being written or damaged: ignore
    }
  }

  async latest(): Promise<BackupRecord | undefined> {
    const names = await this.names();
    for (const n of names.reverse()) {
      const r = await this.read(n);
      if (r) return r;
    }
    return undefined;
  }

  async remove(id: string): Promise<void> {
    await fsp.unlink(path.join(this.dir, `${id}.json`)).catch(() => undefined);
  }

  private async prune(): Promise<void> {
    const names = (await this.names()).reverse(); // newest first
    let total = 0;
    for (let i = 0; i < names.length; i++) {
      const size = await fsp.stat(path.join(this.dir, names[i]!)).then(
        (s) => s.size,
        () => 0,
      );
      total += size;
      if (i >= this.keep || (i > 0 && total > this.maxBytes)) await fsp.unlink(path.join(this.dir, names[i]!)).catch(() => undefined);
    }
  }
}
