import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { processExists } from '@launchdb/common/processes';
import { BackupErrors } from './errors.ts';
import { isBackupId, MANIFEST_FILE, parseBackupId, parseManifest, type BackupManifest } from './manifest.ts';

const PARTIAL_PREFIX = '.partial-';
const DELETING_PREFIX = '.deleting-';

/** Where backups are kept: a local folder, or an S3 bucket. */
export interface BackupStore {
  /** The folder, for a local store: its disk must have room for what is written. */
  readonly localRoot: string | undefined;
  describe(): string;
  /** Complete backups (those with a manifest), newest first. */
  list(): Promise<BackupManifest[]>;
  manifest(id: string): Promise<BackupManifest>;
  openPiece(id: string, name: string): Promise<Readable>;
  begin(id: string): Promise<PartialBackup>;
  delete(id: string): Promise<void>;
  /**
   * Removes what killed runs left; returns what it removed. `isFree(subject)`: whether no process
   * is backing the subject up now (its lock can be had), so its partial backups are leftovers.
   */
  cleanUp(options?: CleanUpOptions): Promise<string[]>;
}

export interface CleanUpOptions {
  isFree?: ((subject: string) => Promise<boolean>) | undefined;
}

/** A backup being written: pieces go in one by one, the manifest last makes it complete. */
export interface PartialBackup {
  readonly id: string;
  /** Streams `content` into the piece; resolves with the bytes written once they are on disk. */
  writePiece(name: string, content: Readable): Promise<void>;
  commit(manifest: BackupManifest): Promise<void>;
  abort(): Promise<void>;
}

/**
 * Backups on local disk, one folder each:
 *
 *   <root>/<backup id>/manifest.json           written last: a folder without it is never listed
 *   <root>/<backup id>/database.dump.pgp        OpenPGP: pg_dump custom format
 *   <root>/<backup id>/files.tar.pgp            OpenPGP: tar of the project's storage folder
 *   <root>/.partial-<backup id>-<pid>/           a backup being written (or killed while it was)
 *
 * A backup is written under `.partial-…`, its manifest last, then the folder is renamed to its
 * id: a backup killed at any moment leaves only a `.partial-` folder, removed by the next run.
 */
export class LocalBackupStore implements BackupStore {
  readonly root: string;
  readonly #writing = new Set<string>();

  constructor(root: string) {
    this.root = root;
  }

  get localRoot(): string {
    return this.root;
  }

  describe(): string {
    return this.root;
  }

  /** Complete backups, newest first. */
  async list(): Promise<BackupManifest[]> {
    const entries = await readdir(this.root, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    const manifests: BackupManifest[] = [];
    for (const entry of entries) {
      if (!entry.isDirectory() || !isBackupId(entry.name)) continue;
      const manifest = await this.manifest(entry.name).catch(() => undefined);
      if (manifest) manifests.push(manifest);
    }
    return manifests.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.id.localeCompare(a.id));
  }

  async manifest(id: string): Promise<BackupManifest> {
    if (!isBackupId(id)) throw BackupErrors.invalidId(id);
    let text: string;
    try {
      text = await readFile(join(this.root, id, MANIFEST_FILE), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw BackupErrors.notFound(id);
      throw error;
    }
    return parseManifest(id, text);
  }

  async openPiece(id: string, name: string): Promise<Readable> {
    const path = join(this.root, id, name);
    try {
      await stat(path);
    } catch {
      throw BackupErrors.pieceMissing(id, name);
    }
    return createReadStream(path, { highWaterMark: 1 << 20 });
  }

  async pieceSize(id: string, name: string): Promise<number> {
    try {
      return (await stat(join(this.root, id, name))).size;
    } catch {
      throw BackupErrors.pieceMissing(id, name);
    }
  }

  async begin(id: string): Promise<PartialBackup> {
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    const folder = join(this.root, `${PARTIAL_PREFIX}${id}-${process.pid}`);
    await mkdir(folder, { mode: 0o700 });
    this.#writing.add(folder);
    const finish = (): void => {
      this.#writing.delete(folder);
    };
    return {
      id,
      writePiece: async (name, content) => {
        const target = join(folder, name);
        const temporary = `${target}.tmp`;
        await pipeline(content, createWriteStream(temporary, { mode: 0o600, highWaterMark: 1 << 20 }));
        await fsync(temporary);
        await rename(temporary, target);
      },
      commit: async (manifest) => {
        const target = join(folder, MANIFEST_FILE);
        const temporary = `${target}.tmp`;
        const handle = await open(temporary, 'wx', 0o600);
        try {
          await handle.writeFile(`${JSON.stringify(manifest, null, 2)}\n`);
          await handle.sync();
        } finally {
          await handle.close();
        }
        await rename(temporary, target);
        await fsync(folder);
        await rename(folder, join(this.root, id));
        await fsync(this.root);
        finish();
      },
      abort: async () => {
        finish();
        await rm(folder, { recursive: true, force: true });
      },
    };
  }

  /** Out of the list at once (renamed), then removed. */
  async delete(id: string): Promise<void> {
    if (!isBackupId(id)) throw BackupErrors.invalidId(id);
    const doomed = join(this.root, `${DELETING_PREFIX}${id}`);
    await rename(join(this.root, id), doomed);
    await rm(doomed, { recursive: true, force: true });
  }

  /** Removes what killed runs left: partial backups of processes that are gone, deletions cut short. */
  async cleanUp(options: CleanUpOptions = {}): Promise<string[]> {
    const entries = await readdir(this.root).catch(() => [] as string[]);
    const removed: string[] = [];
    for (const name of entries) {
      const path = join(this.root, name);
      let stale = false;
      if (name.startsWith(DELETING_PREFIX)) stale = true;
      else if (name.startsWith(PARTIAL_PREFIX) && !this.#writing.has(path)) {
        const match = /^(.+)-(\d+)$/.exec(name.slice(PARTIAL_PREFIX.length));
        const subject = match ? parseBackupId(match[1]!)?.subject : undefined;
        const pid = Number(match?.[2]);
        // pids say nothing across containers (each backup container's process is pid 1): the
        // subject's lock says whether anyone is writing it
        if (options.isFree && subject) stale = await options.isFree(subject);
        else stale = !Number.isInteger(pid) || pid === process.pid || !processExists(pid);
      }
      if (stale) {
        await rm(path, { recursive: true, force: true });
        removed.push(name);
      }
    }
    return removed;
  }

  async freeBytes(): Promise<number> {
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    const info = await statfs(this.root);
    return info.bavail * info.bsize;
  }
}

async function fsync(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
