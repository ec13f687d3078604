import { rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
// types only: the storage service's modules load with the backend the platform passes in
import type { FsStorageBackend, ObjectLocation, ReadResult, StorageBackend } from '@launchdb/storage-service/backends';
import { archiveFolder, EMPTY_ARCHIVE, extractInto, type FileArchive } from './file-archive.ts';

/**
 * A project's files as a backup reads and a restore writes them. Whatever the backend, the
 * archive has the fs backend's layout: `<bucket>/<key segments>/#<version>` and its sidecar
 * `#<version>.meta` (content type, cache control), so a backup of either backend untars into a
 * storage folder, and `gpg -d files.tar.pgp | tar -x` gives an operator the files.
 */
export interface ProjectFiles {
  readonly source: 'fs' | 's3';
  /** What the files piece holds, for the manifest. */
  readonly contents: string;
  /** The folder a restore writes into (its disk is checked first); undefined for object stores. */
  readonly localRoot: string | undefined;
  archive(projectId: string): Promise<FileArchive>;
  /**
   * Reads the archive to its end, putting its files beside the project's live ones; the project
   * sees no change until `swap()`. `fresh`: the project is new and holds nothing yet.
   * `sidecars`: read beforehand (`readSidecars`) from an archive whose sidecars may come after
   * their bytes (one tarred from a storage folder).
   */
  stage(projectId: string, archive: Readable, options: StageOptions): Promise<StagedFiles>;
  /** Whether a restore must read the archive's sidecars in a pass of their own first. */
  needsSidecarsFirst(source: 'fs' | 's3'): boolean;
}

export interface StageOptions {
  fresh: boolean;
  sidecars?: Map<string, Sidecar> | undefined;
}

export interface StagedFiles {
  /** The staged files become the project's; what it held and the backup did not is removed. */
  swap(): Promise<void>;
  /** The staged files are removed; the project's own are as they were. */
  discard(): Promise<void>;
}

export function projectFilesOf(backend: StorageBackend): ProjectFiles {
  // the fs backend's folder is archived whole by tar: as fast as a file walk can be
  if (backend.kind === 'fs') return new FolderFiles((backend as FsStorageBackend).root);
  return new BackendFiles(backend);
}

/** The fs backend: `<root>/<project>` tarred as it is; a restore unpacks beside it and renames. */
class FolderFiles implements ProjectFiles {
  readonly source = 'fs' as const;
  readonly contents = 'tar of the project storage folder';
  readonly localRoot: string;

  constructor(root: string) {
    this.localRoot = root;
  }

  archive(projectId: string): Promise<FileArchive> {
    return archiveFolder(join(this.localRoot, projectId));
  }

  needsSidecarsFirst(): boolean {
    return false; // tar puts each file where it belongs, in any order
  }

  async stage(projectId: string, archive: Readable): Promise<StagedFiles> {
    const staging = join(this.localRoot, `.restoring-${projectId}`);
    await rm(staging, { recursive: true, force: true });
    try {
      await extractInto(archive, staging);
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      throw error;
    }
    return {
      swap: async () => {
        const live = join(this.localRoot, projectId);
        const old = join(this.localRoot, `.replaced-${projectId}-${Date.now()}`);
        const hadFiles = await exists(live);
        if (hadFiles) await rename(live, old);
        await rename(staging, live);
        if (hadFiles) await rm(old, { recursive: true, force: true });
      },
      discard: () => rm(staging, { recursive: true, force: true }),
    };
  }
}

export interface Sidecar {
  contentType: string;
  cacheControl: string;
}

const SIDECAR = '.meta';
/** Objects this small are restored a few at once, each read whole first (the rest stream one by one). */
const SMALL_OBJECT_BYTES = 256 * 1024;
const WRITES_AT_ONCE = 8;
/** A sidecar is a few hundred bytes; more is not one of ours. */
const MAX_SIDECAR_BYTES = 64 * 1024;
const DELETE_BATCH = 1000;

/**
 * Any other backend (S3), through the StorageBackend interface: the project's objects listed
 * and each streamed into the archive (sidecar first, then its bytes) without being held whole;
 * a restore writes each back through the backend. Object versions are never rewritten in place,
 * so the backup's objects go straight under the project's own prefix: the live project keeps
 * reading the versions its rows name until the database is swapped, and only then is whatever
 * the backup does not hold deleted.
 */
class BackendFiles implements ProjectFiles {
  readonly source = 's3' as const;
  readonly contents = 'tar of the project objects in S3 (storage folder layout, each sidecar before its bytes)';
  readonly localRoot = undefined;
  readonly #backend: StorageBackend;

  constructor(backend: StorageBackend) {
    this.#backend = backend;
  }

  needsSidecarsFirst(source: 'fs' | 's3'): boolean {
    // a storage folder is tarred in directory order: `#v.meta` may come after `#v`
    return source === 'fs';
  }

  async archive(projectId: string): Promise<FileArchive> {
    let counted!: (files: number) => void;
    let failed!: (error: Error) => void;
    const files = new Promise<number>((resolve, reject) => {
      counted = resolve;
      failed = reject;
    });
    files.catch(() => undefined);
    const backend = this.#backend;
    async function* entries(): AsyncGenerator<Buffer> {
      let count = 0;
      const listing = backend.listProject(projectId)[Symbol.asyncIterator]();
      let listed = false;
      // the next objects' GETs are in flight while one streams: a round trip per object, overlapped
      const opening: Promise<Opened | undefined>[] = [];
      let current: Opened | undefined;
      const fill = async (): Promise<void> => {
        while (!listed && opening.length < READ_AHEAD) {
          const next = await listing.next();
          if (next.done) listed = true;
          else opening.push(openObject(backend, next.value));
        }
      };
      try {
        await fill();
        while (opening.length > 0) {
          current = await opening.shift()!;
          await fill();
          if (!current) continue; // deleted since it was listed
          const { location, object } = current;
          const path = archivePath(location);
          const sidecar = Buffer.from(JSON.stringify({ etag: object.info.etag, lastModified: object.info.lastModified.toISOString(), contentType: object.info.contentType, cacheControl: object.info.cacheControl }));
          yield* fileEntry(`${path}${SIDECAR}`, sidecar.length, object.info.lastModified);
          yield sidecar;
          yield padding(sidecar.length);
          yield* fileEntry(path, object.info.size, object.info.lastModified);
          let bytes = 0;
          for await (const chunk of object.body as AsyncIterable<Buffer>) {
            bytes += chunk.length;
            if (bytes > object.info.size) break;
            yield chunk;
          }
          if (bytes !== object.info.size) throw new Error(`${location.bucketId}/${location.key} (${location.version}): read ${bytes} bytes of ${object.info.size}`);
          yield padding(bytes);
          current = undefined;
          count += 2;
        }
        // the end of an archive: two empty blocks (after `./` when nothing came before: tar refuses an archive of nothing)
        yield count === 0 ? EMPTY_ARCHIVE : Buffer.alloc(1024);
        counted(count);
      } catch (error) {
        failed(error as Error);
        throw error;
      } finally {
        // stopped early (a failure, the archive closed): the GETs opened are let go
        current?.object.body.destroy();
        for (const pending of opening) void pending.then((opened) => opened?.object.body.destroy(), () => undefined);
        await listing.return?.();
      }
    }
    const output = Readable.from(entries(), { objectMode: false, highWaterMark: 1 << 20 });
    output.once('close', () => failed(new Error('the archive was closed before its end')));
    return { output, files };
  }

  async stage(projectId: string, archive: Readable, options: StageOptions): Promise<StagedFiles> {
    const backend = this.#backend;
    /** Every location the backup holds, as `bucket/key/version`: what the project keeps at the swap. */
    const restored = new Set<string>();
    /** Written here (not already there): what a discard removes. */
    const added: ObjectLocation[] = [];
    const sidecars = options.sidecars ?? new Map<string, Sidecar>();
    const writing = new Set<Promise<void>>();
    const stop = new AbortController();

    const handle = async (entry: tar.ReadEntry): Promise<void> => {
      const path = entry.path.replace(/^\.\//, '');
      if (entry.type !== 'File') return void entry.resume();
      if (path.endsWith(SIDECAR)) {
        if (options.sidecars) return void entry.resume();
        sidecars.set(path.slice(0, -SIDECAR.length), parseSidecar(await readSmall(entry, MAX_SIDECAR_BYTES), path));
        return;
      }
      const location = locationOf(projectId, path);
      if (!location) return void entry.resume();
      const id = locationId(location);
      restored.add(id);
      const sidecar = sidecars.get(path) ?? { contentType: 'application/octet-stream', cacheControl: 'no-cache' };
      sidecars.delete(path);
      // the same version is the same bytes: one the live project already has is not sent again
      const found = async (): Promise<'same' | 'other' | 'none'> => {
        if (options.fresh) return 'none';
        const there = await backend.head(location);
        return !there ? 'none' : there.size === entry.size ? 'same' : 'other';
      };
      // only what was not there is removed again when the restore fails: the live project reads the rest
      const send = async (body: Readable, before: 'other' | 'none'): Promise<void> => {
        await backend.write(location, body, { ...sidecar, signal: stop.signal });
        if (before === 'none') added.push(location);
      };
      const size = entry.size ?? 0;
      if (size <= SMALL_OBJECT_BYTES) {
        // small ones are read whole and sent a few at once: one round trip each would dominate
        const bytes = await readWhole(entry, SMALL_OBJECT_BYTES);
        while (writing.size >= WRITES_AT_ONCE) await Promise.race(writing);
        const write = (async () => {
          const before = await found();
          if (before !== 'same') await send(Readable.from([bytes]), before);
        })();
        writing.add(write);
        write.then(
          () => writing.delete(write),
          (error: Error) => {
            writing.delete(write);
            failure ??= error;
            stop.abort(error);
            archive.destroy(error);
          },
        );
        return;
      }
      const before = await found();
      if (before === 'same') return void entry.resume();
      await send(Readable.from(entry as AsyncIterable<Buffer>, { objectMode: false }), before);
    };

    let failure: Error | undefined;
    let chain = Promise.resolve();
    // an archive that breaks off mid-entry leaves that entry unended: the abort settles its handler
    const aborted = new Promise<never>((_resolve, reject) => stop.signal.addEventListener('abort', () => reject(stop.signal.reason as Error), { once: true }));
    aborted.catch(() => undefined);
    const parser = new tar.Parser({
      strict: true,
      onReadEntry: (entry) => {
        chain = chain
          .then(() => (failure ? void entry.resume() : Promise.race([handle(entry), aborted])))
          .catch((error: Error) => {
            failure ??= error;
            stop.abort(error);
            archive.destroy(error);
            entry.resume();
          });
      },
    });
    try {
      await pipeline(archive, parser as unknown as Writable);
    } catch (error) {
      failure ??= error as Error;
      stop.abort(error);
    }
    await chain;
    await Promise.allSettled([...writing]);
    const deleteAll = async (locations: ObjectLocation[]): Promise<void> => {
      for (let start = 0; start < locations.length; start += DELETE_BATCH) await backend.delete(locations.slice(start, start + DELETE_BATCH));
    };
    if (failure) {
      await deleteAll(added).catch(() => undefined);
      throw failure;
    }
    return {
      swap: async () => {
        let doomed: ObjectLocation[] = [];
        for await (const location of backend.listProject(projectId)) {
          if (restored.has(locationId(location))) continue;
          doomed.push(location);
          if (doomed.length === DELETE_BATCH) {
            await deleteAll(doomed);
            doomed = [];
          }
        }
        await deleteAll(doomed);
      },
      discard: () => deleteAll(added),
    };
  }
}

/** Every sidecar of an archive (a few hundred bytes each), by the path of the file it describes. */
export async function readSidecars(archive: Readable): Promise<Map<string, Sidecar>> {
  const sidecars = new Map<string, Sidecar>();
  let failure: Error | undefined;
  let chain = Promise.resolve();
  const parser = new tar.Parser({
    strict: true,
    onReadEntry: (entry) => {
      const path = entry.path.replace(/^\.\//, '');
      if (failure || entry.type !== 'File' || !path.endsWith(SIDECAR)) return void entry.resume();
      chain = chain
        .then(async () => {
          sidecars.set(path.slice(0, -SIDECAR.length), parseSidecar(await readSmall(entry, MAX_SIDECAR_BYTES), path));
        })
        .catch((error: Error) => {
          failure ??= error;
          archive.destroy(error);
          entry.resume();
        });
    },
  });
  try {
    await pipeline(archive, parser as unknown as Writable);
  } catch (error) {
    failure ??= error as Error;
  }
  // an archive broken off mid-sidecar leaves that read unended: not waited for
  if (!failure) await chain;
  if (failure) throw failure;
  return sidecars;
}

interface Opened {
  location: ObjectLocation;
  object: ReadResult;
}

/** Objects whose GET is in flight ahead of the one being archived. */
const READ_AHEAD = 8;

/** The object's GET, its rejection observed at once (it is awaited later); undefined when it is gone. */
function openObject(backend: StorageBackend, location: ObjectLocation): Promise<Opened | undefined> {
  const opened = backend.read(location).then(
    (object) => ({ location, object }),
    (error: Error) => {
      if (error.name === 'ObjectNotFoundError') return undefined;
      throw error;
    },
  );
  opened.catch(() => undefined);
  return opened;
}

/** `<bucket>/<key>/#<version>`, the fs backend's layout. */
function archivePath(location: ObjectLocation): string {
  return `${location.bucketId}/${location.key}/#${location.version}`;
}

function locationOf(projectId: string, path: string): ObjectLocation | undefined {
  const segments = path.split('/');
  const last = segments.at(-1)!;
  if (segments.length < 3 || !last.startsWith('#') || last.length < 2) return undefined;
  return { projectId, bucketId: segments[0]!, key: segments.slice(1, -1).join('/'), version: last.slice(1) };
}

function locationId(location: ObjectLocation): string {
  return `${location.bucketId}/${location.key}/${location.version}`;
}

function* fileEntry(path: string, size: number, mtime: Date): Generator<Buffer> {
  const header = new tar.Header({ path, type: 'File', mode: 0o644, size, mtime, uid: 0, gid: 0 });
  const block = Buffer.alloc(512);
  // long or non-ASCII paths go into a PAX header before it, as tar itself writes them
  if (header.encode(block, 0)) yield new tar.Pax({ path, size, mtime }).encode();
  yield block;
}

function padding(bytes: number): Buffer {
  return Buffer.alloc((512 - (bytes % 512)) % 512);
}

async function readSmall(entry: tar.ReadEntry, limit: number): Promise<string> {
  return (await readWhole(entry, limit)).toString('utf8');
}

async function readWhole(entry: tar.ReadEntry, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of entry as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > limit) throw new Error(`${entry.path} is larger than its header says`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function parseSidecar(text: string, path: string): Sidecar {
  const parsed = JSON.parse(text) as Partial<Sidecar>;
  if (typeof parsed.contentType !== 'string' || typeof parsed.cacheControl !== 'string') throw new Error(`${path} is not a sidecar of the storage service`);
  return { contentType: parsed.contentType, cacheControl: parsed.cacheControl };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
