import { createHash, randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, link, mkdir, open, readdir, readFile, rename, rm, rmdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { PROJECT_ID_PATTERN } from '@launchdb/common';
import { validateBucketId, validateObjectKey } from '../domain/object-key.ts';
import { WriteBehindFileSink } from './write-behind-file-sink.ts';
import { meteredCopy, type ContentHash } from './metered-copy.ts';
import {
  ObjectNotFoundError,
  type ByteRange,
  type ObjectLocation,
  type ReadResult,
  type StorageBackend,
  type StoredObjectInfo,
  type WriteOptions,
} from './storage-backend.ts';

export interface FsStorageBackendOptions {
  /** `<data>/storage`: every project gets a folder below it. */
  root: string;
  /**
   * Temporary files untouched for this long are a crashed writer's leftovers and are removed by
   * the sweep that starts with the backend (a live upload keeps its file's mtime fresh). 1 h.
   */
  staleTemporaryAgeMs?: number;
  /** Set false to skip the start-up sweep (tests that count files). */
  sweepOnStart?: boolean;
  /** What the ETag is (see FsEtag). Default: version. */
  etag?: FsEtag;
  /** Write-back is started after every this many bytes of an upload (WriteBehindFileSink); 0: only the final fsync. 8 MiB. */
  writeBehindBytes?: number;
}

/**
 * Objects on local disk:
 *
 *   <root>/<project>/<bucket>/<key segments as folders>/#<version>        the bytes, as uploaded
 *   <root>/<project>/<bucket>/<key segments as folders>/#<version>.meta   {etag, lastModified, contentType, cacheControl}
 *   <root>/<project>/<bucket>/<key segments as folders>/#tmp.<uuid>…      a write in progress
 *
 * `#` cannot appear in a valid object key (validateObjectKey), so the backend's own names never
 * collide with a key's folders, and reads, which only ever open `#<version>`, never see a
 * temporary file. A write streams into a temporary file in the object's folder, fsyncs it,
 * renames the sidecar and then the bytes into place and fsyncs the folder: after a crash the
 * object is either entirely there or not there at all.
 *
 * Content type, cache control and the ETag sit in the sidecar rather than in extended
 * attributes: Node has no xattr API, and not every filesystem (or backup tool) keeps them.
 *
 * The ETag (FsEtag) is by default derived from the version, which every upload renews, so it
 * changes whenever the bytes do without hashing them: on the 2-vCPU machines we run on, md5 costs
 * about 1.4 ms of event-loop time per MB and sha256 0.6 ms, a third or more of what a large upload
 * may take in all (storage-service/BENCH.md). A content hash is one option away.
 */
export class FsStorageBackend implements StorageBackend {
  readonly kind = 'fs' as const;
  readonly root: string;
  private readonly staleTemporaryAgeMs: number;
  private readonly etag: FsEtag;
  private readonly writeBehindBytes: number;
  /** Resolves once the start-up sweep of a crash's leftovers is done (close() cuts it short). */
  readonly swept: Promise<void>;
  private closed = false;

  constructor(options: FsStorageBackendOptions) {
    this.root = resolve(options.root);
    this.staleTemporaryAgeMs = options.staleTemporaryAgeMs ?? 60 * 60 * 1000;
    this.etag = options.etag ?? 'version';
    this.writeBehindBytes = options.writeBehindBytes ?? 8 * 1024 * 1024;
    this.swept = options.sweepOnStart === false ? Promise.resolve() : this.sweepLeftovers().catch(() => {});
  }

  async write(location: ObjectLocation, body: Readable, options: WriteOptions): Promise<StoredObjectInfo> {
    const place = this.place(location);
    options.signal?.throwIfAborted();
    const temporary = join(place.folder, `#tmp.${randomUUID()}`);
    const handle = await inFolder(place.folder, () => open(temporary, 'wx'));
    let metaTemporary: string | undefined;
    try {
      const copied = await meteredCopy(body, new WriteBehindFileSink(handle, this.writeBehindBytes || Number.POSITIVE_INFINITY), {
        maxBytes: options.maxBytes,
        signal: options.signal,
        ...(this.etag === 'version' ? {} : { hash: this.etag }),
      });
      options.signal?.throwIfAborted();
      const info: StoredObjectInfo = {
        size: copied.size,
        etag: `"${copied.hash ?? versionTag(location.version, copied.size)}"`,
        lastModified: new Date(),
        contentType: options.contentType,
        cacheControl: options.cacheControl,
      };
      metaTemporary = `${temporary}.meta`;
      // Both fsyncs at once: the filesystem commits them together, which nearly halves what a
      // small upload costs. Neither name is visible before both are done.
      await Promise.all([handle.sync(), writeDurably(metaTemporary, serializeInfo(info))]);
      await handle.close();
      await rename(metaTemporary, place.meta);
      metaTemporary = undefined;
      await rename(temporary, place.data);
      await syncFolder(place.folder);
      return info;
    } catch (error) {
      await handle.close().catch(() => {});
      await unlink(temporary).catch(() => {});
      if (metaTemporary) await unlink(metaTemporary).catch(() => {});
      throw error;
    }
  }

  async read(location: ObjectLocation, options: { range?: ByteRange } = {}): Promise<ReadResult> {
    const place = this.place(location);
    // Opened before anything else: a delete that lands while the body streams cannot cut it short.
    let handle: FileHandle;
    try {
      handle = await open(place.data, 'r');
    } catch (error) {
      if (isMissing(error)) throw new ObjectNotFoundError(location);
      throw error;
    }
    try {
      const [stats, info] = await Promise.all([handle.stat(), readInfo(place.meta)]);
      if (!info) throw new ObjectNotFoundError(location);
      const range = options.range;
      const body = handle.createReadStream({
        highWaterMark: 256 * 1024,
        ...(range ? { start: range.start, end: range.end } : {}),
      });
      return { body, info: { ...info, size: stats.size } };
    } catch (error) {
      await handle.close().catch(() => {});
      throw error;
    }
  }

  async head(location: ObjectLocation): Promise<StoredObjectInfo | undefined> {
    const place = this.place(location);
    const [stats, info] = await Promise.all([stat(place.data).catch(missingAsUndefined), readInfo(place.meta)]);
    if (!stats || !info) return undefined;
    return { ...info, size: stats.size };
  }

  async copy(from: ObjectLocation, to: ObjectLocation): Promise<StoredObjectInfo> {
    const source = this.place(from);
    const target = this.place(to);
    const sourceInfo = await this.head(from);
    if (!sourceInfo) throw new ObjectNotFoundError(from);
    const info: StoredObjectInfo = { ...sourceInfo, lastModified: new Date() };
    const temporary = join(target.folder, `#tmp.${randomUUID()}`);
    const metaTemporary = `${temporary}.meta`;
    try {
      await inFolder(target.folder, () => writeDurably(metaTemporary, serializeInfo(info)));
      // Stored files are never modified in place, so two names for one inode are safe.
      try {
        await link(source.data, temporary);
      } catch (error) {
        if (isMissing(error)) throw new ObjectNotFoundError(from);
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'EPERM' && code !== 'EMLINK' && code !== 'EXDEV' && code !== 'ENOTSUP') throw error;
        await copyFile(source.data, temporary, constants.COPYFILE_FICLONE);
        await syncFile(temporary);
      }
      await rename(metaTemporary, target.meta);
      await rename(temporary, target.data);
      await syncFolder(target.folder);
      return info;
    } catch (error) {
      await unlink(temporary).catch(() => {});
      await unlink(metaTemporary).catch(() => {});
      throw error;
    }
  }

  async delete(locations: ObjectLocation[]): Promise<void> {
    for (const location of locations) {
      const place = this.place(location);
      await unlink(place.data).catch(ignoreMissing);
      await unlink(place.meta).catch(ignoreMissing);
      await this.pruneEmptyFolders(place.folder, place.bucketFolder);
    }
  }

  async deleteProject(projectId: string): Promise<void> {
    if (!PROJECT_ID_PATTERN.test(projectId)) throw new Error(`not a project id: ${JSON.stringify(projectId)}`);
    const folder = join(this.root, projectId);
    // Renamed away first, so the project's objects disappear at once even if removing takes long.
    const doomed = join(this.root, `#deleted.${projectId}.${randomUUID()}`);
    try {
      await rename(folder, doomed);
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    await rm(doomed, { recursive: true, force: true });
  }

  async *listProject(projectId: string): AsyncIterable<ObjectLocation> {
    if (!PROJECT_ID_PATTERN.test(projectId)) throw new Error(`not a project id: ${JSON.stringify(projectId)}`);
    const buckets = await readdir(join(this.root, projectId), { withFileTypes: true }).catch(missingAsEmpty);
    for (const bucket of buckets) {
      if (bucket.isDirectory() && !bucket.name.startsWith('#')) yield* this.listFolder(join(this.root, projectId, bucket.name), { projectId, bucketId: bucket.name }, []);
    }
  }

  private async *listFolder(folder: string, owner: { projectId: string; bucketId: string }, segments: string[]): AsyncIterable<ObjectLocation> {
    const entries = await readdir(folder, { withFileTypes: true }).catch(missingAsEmpty);
    for (const entry of entries) {
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('#')) yield* this.listFolder(join(folder, entry.name), owner, [...segments, entry.name]);
      } else if (entry.isFile() && segments.length > 0 && entry.name.startsWith('#') && !entry.name.startsWith('#tmp.') && !entry.name.endsWith('.meta')) {
        yield { ...owner, key: segments.join('/'), version: entry.name.slice(1) };
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.swept;
  }

  private place(location: ObjectLocation): FsObjectPaths {
    return fsObjectPaths(this.root, location);
  }

  /** Removes the now empty folders of a deleted key, up to (not including) the bucket's folder. */
  private async pruneEmptyFolders(folder: string, bucketFolder: string): Promise<void> {
    let current = folder;
    while (current.startsWith(bucketFolder + sep)) {
      try {
        await rmdir(current);
      } catch {
        return; // not empty (another version, a sub-key, a write in progress) or already gone
      }
      current = current.slice(0, current.lastIndexOf(sep));
    }
  }

  /** Leftovers of a crash: temporary files and sidecars without bytes, and half-removed projects. */
  private async sweepLeftovers(): Promise<void> {
    const before = Date.now() - this.staleTemporaryAgeMs;
    let projects: string[];
    try {
      projects = await readdir(this.root);
    } catch {
      return;
    }
    for (const name of projects) {
      if (this.closed) return;
      if (name.startsWith('#deleted.')) await rm(join(this.root, name), { recursive: true, force: true });
      else if (PROJECT_ID_PATTERN.test(name)) await this.sweepFolder(join(this.root, name), before);
    }
  }

  private async sweepFolder(folder: string, before: number): Promise<void> {
    const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
    const names = new Set(entries.map((entry) => entry.name));
    for (const entry of entries) {
      if (this.closed) return;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('#')) await this.sweepFolder(path, before);
        continue;
      }
      const temporary = entry.name.startsWith('#tmp.');
      const orphanMeta = entry.name.endsWith('.meta') && !temporary && !names.has(entry.name.slice(0, -'.meta'.length));
      if (!temporary && !orphanMeta) continue;
      const stats = await stat(path).catch(missingAsUndefined);
      if (stats && stats.mtimeMs < before) await unlink(path).catch(ignoreMissing);
    }
  }
}

export interface FsObjectPaths {
  bucketFolder: string;
  /** The key's own folder, holding its versions. */
  folder: string;
  data: string;
  meta: string;
}

/**
 * Where the fs backend keeps a location, below `root`. Refuses anything that is not a valid
 * project id, bucket id, object key or version, so the result is always inside the bucket's folder.
 */
export function fsObjectPaths(root: string, location: ObjectLocation): FsObjectPaths {
  if (!PROJECT_ID_PATTERN.test(location.projectId)) throw new InvalidLocationError('project id', location.projectId);
  if (!validateBucketId(location.bucketId).ok) throw new InvalidLocationError('bucket id', location.bucketId);
  if (!validateObjectKey(location.key).ok) throw new InvalidLocationError('object key', location.key);
  if (!VERSION_PATTERN.test(location.version)) throw new InvalidLocationError('version', location.version);
  const bucketFolder = join(resolve(root), location.projectId, location.bucketId);
  const folder = join(bucketFolder, ...location.key.split('/'));
  // Redundant with the key rules; kept because a path check costs nothing and a rule change could.
  if (!folder.startsWith(bucketFolder + sep)) throw new InvalidLocationError('object key', location.key);
  return {
    bucketFolder,
    folder,
    data: join(folder, `#${location.version}`),
    meta: join(folder, `#${location.version}.meta`),
  };
}

/**
 * - `version` (default): derived from the version id and the size, no hashing. Every upload
 *   writes a new version, so it changes whenever the bytes do (and also when the same bytes are
 *   uploaded again, which only costs a client one more download).
 * - `sha256`: a hash of the bytes cut to 32 hex digits; the same bytes always get the same ETag.
 * - `md5`: what S3 answers for a single-part upload; about 2.5× the CPU of sha256 here.
 */
export type FsEtag = ContentHash | 'version';

function versionTag(version: string, size: number): string {
  return createHash('sha256').update(`${version}:${size}`).digest('hex').slice(0, 32);
}

/** The version ids the core writes (random, URL-safe); nothing that could be a path. */
const VERSION_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

export class InvalidLocationError extends Error {
  constructor(what: string, value: string) {
    super(`not a valid ${what}: ${JSON.stringify(value)}`);
    this.name = 'InvalidLocationError';
  }
}

interface SerializedInfo {
  etag: string;
  lastModified: string;
  contentType: string;
  cacheControl: string;
}

function serializeInfo(info: StoredObjectInfo): string {
  const stored: SerializedInfo = {
    etag: info.etag,
    lastModified: info.lastModified.toISOString(),
    contentType: info.contentType,
    cacheControl: info.cacheControl,
  };
  return JSON.stringify(stored);
}

async function readInfo(path: string): Promise<Omit<StoredObjectInfo, 'size'> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
  const stored = JSON.parse(text) as SerializedInfo;
  return {
    etag: stored.etag,
    lastModified: new Date(stored.lastModified),
    contentType: stored.contentType,
    cacheControl: stored.cacheControl,
  };
}

async function writeDurably(path: string, text: string): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncFolder(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Runs `work` with `folder` created. A delete of a neighbouring key prunes empty folders and
 * may remove this one between mkdir and `work`; that shows as ENOENT, and creating it again
 * and retrying settles it.
 */
async function inFolder<T>(folder: string, work: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    await mkdir(folder, { recursive: true });
    try {
      return await work();
    } catch (error) {
      if (!isMissing(error) || attempt >= 4) throw error;
    }
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

function ignoreMissing(error: unknown): void {
  if (!isMissing(error)) throw error;
}

function missingAsEmpty(error: unknown): [] {
  if (!isMissing(error)) throw error;
  return [];
}

function missingAsUndefined(error: unknown): undefined {
  if (!isMissing(error)) throw error;
  return undefined;
}
