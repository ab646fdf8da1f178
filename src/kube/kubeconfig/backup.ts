// Backups of kubeconfig content before each change the extension makes, for "Undo Last Kubeconfig Change".
// One JSON record per change (it may touch several files), 0600 in a 0700 directory, because the content holds
// credentials. Only the newest `keep` records are kept.
import { createHash, randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from './atomic';

export interface BackupFileRecord {
  /** The kubeconfig path as configured (absolute). */
  readonly path: string;
  /** Content before the change (base64, byte exact), or null when the change created the file. */
  readonly before: string | null;
  /** sha256 (hex) of the content the change wrote. */
  readonly afterSha256: string;
}

export interface BackupRecord {
  readonly version: 1;
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

export function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

export class BackupStore {
  constructor(
    readonly dir: string,
    readonly keep: number = 10,
  ) {}

  async add(description: string, files: { path: string; before: Buffer | undefined; after: string | Buffer }[]): Promise<BackupRecord> {
    await fsp.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const id = `${String(Date.now()).padStart(15, '0')}-${String(process.pid).padStart(7, '0')}-${randomBytes(4).toString('hex')}`;
    const record: BackupRecord = {
      version: 1,
      id,
      time: new Date().toISOString(),
      description,
      files: files.map((f) => ({ path: f.path, before: f.before ? f.before.toString('base64') : null, afterSha256: sha256(f.after) })),
    };
    await writeFileAtomic(path.join(this.dir, `${id}.json`), JSON.stringify(record));
    await this.prune();
    return record;
  }

  /** Records, oldest first. Unreadable records are skipped. */
  async list(): Promise<BackupRecord[]> {
    let names: string[];
    try {
      names = (await fsp.readdir(this.dir)).filter((n) => /^\d{15}-\d{7}-[0-9a-f]{8}\.json$/.test(n)).sort();
    } catch {
      return [];
    }
    const out: BackupRecord[] = [];
    for (const n of names) {
      try {
        const r = JSON.parse(await fsp.readFile(path.join(this.dir, n), 'utf8')) as BackupRecord;
        if (r.version === 1 && Array.isArray(r.files)) out.push(r);
      } catch {
        // a record being written or damaged: ignore
      }
    }
    return out;
  }

  async latest(): Promise<BackupRecord | undefined> {
    const all = await this.list();
    return all[all.length - 1];
  }

  async remove(id: string): Promise<void> {
    await fsp.unlink(path.join(this.dir, `${id}.json`)).catch(() => undefined);
  }

  private async prune(): Promise<void> {
    const all = await this.list();
    for (const r of all.slice(0, Math.max(0, all.length - this.keep))) await this.remove(r.id);
  }
}
