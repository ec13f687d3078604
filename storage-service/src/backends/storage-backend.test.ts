import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestS3Server, type TestS3Server } from '../testing/s3-server.ts';
import {
  createStorageBackend,
  FsStorageBackend,
  ObjectNotFoundError,
  S3StorageBackend,
  ObjectTooLargeError,
  type ObjectLocation,
  type StorageBackend,
} from './index.ts';

/**
 * The contract every backend keeps, run against the fs backend (a temporary folder) and the
 * s3 backend (s3rver). What is left behind after a failure is looked at directly: the files
 * below the fs root, the keys in the S3 bucket.
 */
interface Subject {
  backend: StorageBackend;
  /** Everything stored for a project: files below its folder, or S3 keys under its prefix. */
  storedFor(projectId: string): Promise<string[]>;
  close(): Promise<void>;
}

const subjects: Record<'fs' | 's3', () => Promise<Subject>> = {
  async fs() {
    const root = await mkdtemp(join(tmpdir(), 'launchdb-fs-backend-'));
    const backend = createStorageBackend({ STORAGE_BACKEND: 'fs', STORAGE_FS_ROOT: root, STORAGE_S3_REGION: 'us-east-1', STORAGE_S3_FORCE_PATH_STYLE: false });
    expect(backend).toBeInstanceOf(FsStorageBackend);
    return {
      backend,
      storedFor: (projectId) => listFiles(join(root, projectId)),
      async close() {
        await backend.close();
        await rm(root, { recursive: true, force: true });
      },
    };
  },
  async s3() {
    const server: TestS3Server = await startTestS3Server();
    const backend = createStorageBackend(server.settings);
    const client = new S3Client({
      endpoint: server.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    return {
      backend,
      async storedFor(projectId) {
        const page = await client.send(new ListObjectsV2Command({ Bucket: server.bucket, Prefix: `${projectId}/` }));
        return (page.Contents ?? []).map((entry) => entry.Key ?? '');
      },
      async close() {
        client.destroy();
        await backend.close();
        await server.close();
      },
    };
  },
};

describe.each(['fs', 's3'] as const)('the %s storage backend', (kind) => {
  let subject: Subject;
  let backend: StorageBackend;

  beforeAll(async () => {
    subject = await subjects[kind]();
    backend = subject.backend;
  });
  afterAll(async () => {
    await subject?.close();
  });

  const textOptions = { contentType: 'text/plain;charset=utf-8', cacheControl: 'max-age=3600' };

  it('stores bytes with their content type and cache control, and reads them back', async () => {
    const location = newLocation({ key: 'receipts/2024/fridge receipt (1).txt' });
    const written = await backend.write(location, chunks('hello ', 'world'), textOptions);
    expect(written).toMatchObject({ size: 11, contentType: 'text/plain;charset=utf-8', cacheControl: 'max-age=3600' });
    expect(written.etag).toMatch(/^".+"$/);
    expect(Math.abs(written.lastModified.getTime() - Date.now())).toBeLessThan(10_000);

    const read = await backend.read(location);
    expect((await buffer(read.body)).toString()).toBe('hello world');
    expect(read.info).toEqual(written);
    expect(await backend.head(location)).toEqual(written);
  });

  it('reads a byte range, both ends inclusive, and reports the whole size', async () => {
    const location = newLocation();
    await backend.write(location, chunks('0123456789'), textOptions);
    const read = await backend.read(location, { range: { start: 2, end: 5 } });
    expect((await buffer(read.body)).toString()).toBe('2345');
    expect(read.info.size).toBe(10);
    const last = await backend.read(location, { range: { start: 9, end: 9 } });
    expect((await buffer(last.body)).toString()).toBe('9');
  });

  it('stores an empty object', async () => {
    const location = newLocation();
    const written = await backend.write(location, Readable.from([]), textOptions);
    expect(written.size).toBe(0);
    expect((await buffer((await backend.read(location)).body)).length).toBe(0);
  });

  it('gives a new ETag when the content changes', async () => {
    const location = newLocation();
    const first = await backend.write(location, chunks('version one'), textOptions);
    const second = await backend.write({ ...location, version: randomUUID() }, chunks('version two'), textOptions);
    expect(second.etag).not.toBe(first.etag);
    expect((await backend.head(location))?.etag).toBe(first.etag);
  });

  it('says so when a location holds nothing', async () => {
    const location = newLocation();
    expect(await backend.head(location)).toBeUndefined();
    await expect(backend.read(location)).rejects.toBeInstanceOf(ObjectNotFoundError);
    await expect(backend.copy(location, newLocation())).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  it('copies an object to another key, keeping the source and its headers', async () => {
    const from = newLocation({ key: 'manuals/boiler & pump?.pdf' });
    const to = newLocation({ projectId: from.projectId, bucketId: 'archive', key: 'copies/boiler.pdf' });
    const source = await backend.write(from, chunks('%PDF-1.7 boiler manual'), { contentType: 'application/pdf', cacheControl: 'no-cache' });
    const copied = await backend.copy(from, to);
    expect(copied).toMatchObject({ size: source.size, etag: source.etag, contentType: 'application/pdf', cacheControl: 'no-cache' });
    expect((await buffer((await backend.read(to)).body)).toString()).toBe('%PDF-1.7 boiler manual');
    expect(await backend.head(from)).toEqual(source);
  });

  it('deletes the locations given and skips those that hold nothing', async () => {
    const kept = newLocation({ key: 'photos/kitchen.jpg' });
    const deleted = { ...kept, version: randomUUID() };
    const nested = { ...kept, key: 'photos/kitchen.jpg/thumb', version: randomUUID() };
    await backend.write(kept, chunks('old'), textOptions);
    await backend.write(deleted, chunks('new'), textOptions);
    await backend.write(nested, chunks('thumb'), textOptions);
    await backend.delete([deleted, nested, newLocation({ projectId: kept.projectId })]);
    expect(await backend.head(deleted)).toBeUndefined();
    expect(await backend.head(nested)).toBeUndefined();
    expect((await buffer((await backend.read(kept)).body)).toString()).toBe('old');
    await backend.delete([kept]);
    expect(await subject.storedFor(kept.projectId)).toEqual([]);
  });

  it('deletes everything of one project and nothing of another', async () => {
    const doomed = newLocation();
    const other = newLocation();
    await backend.write(doomed, chunks('a'), textOptions);
    await backend.write({ ...doomed, bucketId: 'second', key: 'x/y/z' }, chunks('b'), textOptions);
    await backend.write(other, chunks('c'), textOptions);
    await backend.deleteProject(doomed.projectId);
    expect(await subject.storedFor(doomed.projectId)).toEqual([]);
    expect(await backend.head(other)).toBeDefined();
    await backend.deleteProject(newLocation().projectId); // a project that never stored anything
  });

  it('lists every object of one project (what a backup archives), and nothing of another', async () => {
    const first = newLocation({ key: 'photos/kitchen.jpg' });
    const stored = [first, { ...first, version: randomUUID() }, { ...first, key: 'photos/kitchen.jpg/thumb' }, { ...first, bucketId: 'second', key: 'a b/ü.txt' }];
    for (const location of stored) await backend.write(location, chunks('x'), textOptions);
    await backend.write(newLocation(), chunks('another project'), textOptions);
    const listed: ObjectLocation[] = [];
    for await (const location of backend.listProject(first.projectId)) listed.push(location);
    const sorted = (locations: ObjectLocation[]) => locations.map((location) => JSON.stringify(location)).sort();
    expect(sorted(listed)).toEqual(sorted(stored));
    const none: ObjectLocation[] = [];
    for await (const location of backend.listProject(newLocation().projectId)) none.push(location);
    expect(none).toEqual([]);
  });

  it('refuses more than maxBytes while streaming and keeps nothing', async () => {
    const location = newLocation();
    let produced = 0;
    // 20 MB offered against a 1 MB limit: the write must fail long before the body ends.
    const body = generated(20 * 1024 * 1024, (bytes) => (produced = bytes));
    await expect(backend.write(location, body, { ...textOptions, maxBytes: 1024 * 1024 })).rejects.toBeInstanceOf(ObjectTooLargeError);
    expect(produced).toBeLessThan(20 * 1024 * 1024);
    expect(await backend.head(location)).toBeUndefined();
    expect(await subject.storedFor(location.projectId)).toEqual([]);
  });

  it('accepts exactly maxBytes', async () => {
    const location = newLocation();
    const written = await backend.write(location, chunks('12345'), { ...textOptions, maxBytes: 5 });
    expect(written.size).toBe(5);
  });

  it('leaves nothing when the write is aborted mid-stream', async () => {
    const location = newLocation();
    const controller = new AbortController();
    // Well past one multipart part, so the s3 backend has a multipart upload to abort.
    const body = generated(64 * 1024 * 1024, (bytes) => {
      if (bytes >= 12 * 1024 * 1024) controller.abort();
    });
    await expect(backend.write(location, body, { ...textOptions, signal: controller.signal })).rejects.toThrow(/abort/i);
    expect(await backend.head(location)).toBeUndefined();
    expect(await subject.storedFor(location.projectId)).toEqual([]);
  });

  it('leaves nothing when the body fails mid-stream (a client that disconnects)', async () => {
    const location = newLocation();
    async function* dropped() {
      yield randomBytes(256 * 1024);
      yield randomBytes(256 * 1024);
      throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    }
    await expect(backend.write(location, Readable.from(dropped()), textOptions)).rejects.toThrow('aborted');
    expect(await subject.storedFor(location.projectId)).toEqual([]);
  });

  it('keeps concurrent writes of one key to different versions apart', async () => {
    const base = newLocation({ key: 'captures/voice-note.ogg' });
    const versions = Array.from({ length: 8 }, (_, index) => ({ location: { ...base, version: randomUUID() }, content: `take ${index} `.repeat(5000) }));
    await Promise.all(versions.map(({ location, content }) => backend.write(location, chunks(content), textOptions)));
    for (const { location, content } of versions) {
      expect((await buffer((await backend.read(location)).body)).toString()).toBe(content);
    }
    // Deleting the replaced versions (as the core does after its metadata commits) while a new one is written.
    const [latest, ...replaced] = versions;
    await Promise.all([backend.delete(replaced.map((entry) => entry.location)), backend.write({ ...base, version: 'newest' }, chunks('newest'), textOptions)]);
    expect((await buffer((await backend.read(latest!.location)).body)).toString()).toBe(latest!.content);
    expect((await buffer((await backend.read({ ...base, version: 'newest' })).body)).toString()).toBe('newest');
  });

  it('streams a 200 MB object in and out with flat memory', { timeout: 120_000 }, async () => {
    const location = newLocation({ key: 'big/house-scan.bin' });
    const size = 200 * 1024 * 1024;
    // A first 16 MB round trip grows the heap and the allocator's pools to their working size,
    // so what is measured next is growth with the object's size, not the first use of a path.
    await roundTrip(backend, { ...location, version: 'warm-up' }, 16 * 1024 * 1024);
    const memory = watchMemory();
    const written = await backend.write(location, generated(size), { contentType: 'application/octet-stream', cacheControl: 'no-cache' });
    expect(written.size).toBe(size);
    const read = await backend.read(location);
    let received = 0;
    for await (const chunk of read.body) received += (chunk as Buffer).length;
    expect(received).toBe(size);
    const growth = memory.stop();
    expect(growth).toBeLessThan(64 * 1024 * 1024 + inFlightPartBytes(backend));
    await backend.delete([location]);
  });
});

/**
 * What the s3 backend holds on purpose: lib-storage assembles each multipart part in memory
 * (partSize × (queueSize + 1)). V8 frees finished parts lazily (a major GC once about 64 MB of
 * buffers have been allocated), so RSS peaks at that working set plus up to 64 MB of garbage —
 * flat in the object's size, which is what this measures.
 */
function inFlightPartBytes(backend: StorageBackend): number {
  return backend instanceof S3StorageBackend ? backend.partSize * (backend.queueSize + 1) : 0;
}

async function roundTrip(backend: StorageBackend, location: ObjectLocation, size: number): Promise<void> {
  await backend.write(location, generated(size), { contentType: 'application/octet-stream', cacheControl: 'no-cache' });
  for await (const chunk of (await backend.read(location)).body) void chunk;
  await backend.delete([location]);
}

function newLocation(overrides: Partial<ObjectLocation> = {}): ObjectLocation {
  return {
    projectId: `t${randomBytes(4).toString('hex')}`,
    bucketId: 'documents',
    key: `folder/${randomUUID()}.txt`,
    version: randomUUID(),
    ...overrides,
  };
}

function chunks(...parts: string[]): Readable {
  return Readable.from(parts.map((part) => Buffer.from(part)));
}

/** `size` bytes made on demand (never all in memory), reporting how many were handed out. */
function generated(size: number, onProgress: (bytes: number) => void = () => {}): Readable {
  const block = randomBytes(64 * 1024);
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= size) {
        this.push(null);
        return;
      }
      const chunk = block.subarray(0, Math.min(block.length, size - sent));
      sent += chunk.length;
      onProgress(sent);
      this.push(chunk);
    },
  });
}

/** Peak RSS growth over a baseline taken now, sampled every 20 ms. */
function watchMemory(): { stop(): number } {
  globalThis.gc?.();
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage.rss());
      return peak - baseline;
    },
  };
}

async function listFiles(folder: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(folder, { withFileTypes: true, recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries.filter((entry) => !entry.isDirectory()).map((entry) => join(entry.parentPath, entry.name));
}

describe('the fs backend after a crash', () => {
  it('removes stale temporary files, sidecars without bytes and half-deleted projects when it starts', async () => {
    const root = await mkdtemp(join(tmpdir(), 'launchdb-fs-sweep-'));
    try {
      const first = new FsStorageBackend({ root, sweepOnStart: false });
      const kept = newLocation({ projectId: 'tsweep1', key: 'a/b.txt' });
      await first.write(kept, chunks('kept'), { contentType: 'text/plain', cacheControl: 'no-cache' });
      await first.close();
      const folder = join(root, 'tsweep1', 'documents', 'a', 'b.txt');
      const hourAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
      await writeFile(join(folder, '#tmp.crashed'), 'half an upload');
      await utimes(join(folder, '#tmp.crashed'), hourAgo, hourAgo);
      await writeFile(join(folder, '#orphan.meta'), '{}');
      await utimes(join(folder, '#orphan.meta'), hourAgo, hourAgo);
      await writeFile(join(folder, '#tmp.in-progress'), 'an upload still running');
      await mkdir(join(root, '#deleted.tgone1.x', 'documents'), { recursive: true });

      const restarted = new FsStorageBackend({ root });
      await restarted.swept;
      await restarted.close();
      const left = (await listFiles(root)).map((path) => path.slice(root.length + 1)).sort();
      expect(left).toEqual(
        [`#${kept.version}`, `#${kept.version}.meta`, '#tmp.in-progress'].map((name) => join('tsweep1', 'documents', 'a', 'b.txt', name)).sort(),
      );
      expect(await readdir(root)).toEqual(['tsweep1']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('the fs backend ETag choices', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'launchdb-fs-etag-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('sha256 gives the same bytes the same ETag', async () => {
    const backend = new FsStorageBackend({ root, etag: 'sha256', sweepOnStart: false });
    const options = { contentType: 'text/plain', cacheControl: 'no-cache' };
    const first = await backend.write(newLocation(), chunks('same bytes'), options);
    const again = await backend.write(newLocation(), chunks('same ', 'bytes'), options);
    const other = await backend.write(newLocation(), chunks('other bytes'), options);
    expect(first.etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(again.etag).toBe(first.etag);
    expect(other.etag).not.toBe(first.etag);
    await backend.close();
  });

  it('md5 gives what S3 gives for a single-part upload', async () => {
    const backend = new FsStorageBackend({ root, etag: 'md5', sweepOnStart: false });
    const written = await backend.write(newLocation(), chunks('hello world'), { contentType: 'text/plain', cacheControl: 'no-cache' });
    expect(written.etag).toBe('"5eb63bbbe01eeed093cb22bb8f5acdc3"');
    await backend.close();
  });

  it('version (the default) changes with every upload, even of the same bytes, and survives a restart', async () => {
    const backend = new FsStorageBackend({ root, sweepOnStart: false });
    const first = newLocation();
    const a = await backend.write(first, chunks('same'), { contentType: 'text/plain', cacheControl: 'no-cache' });
    const b = await backend.write({ ...first, version: randomUUID() }, chunks('same'), { contentType: 'text/plain', cacheControl: 'no-cache' });
    expect(a.etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(b.etag).not.toBe(a.etag);
    await backend.close();
    const reopened = new FsStorageBackend({ root, sweepOnStart: false });
    expect((await reopened.head(first))?.etag).toBe(a.etag);
    await reopened.close();
  });
});
