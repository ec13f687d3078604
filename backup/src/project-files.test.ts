import { execFile } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, projectNames, withClient, withDatabase } from '@launchdb/common';
import { createStorageBackend, FsStorageBackend, type ObjectLocation, type StorageBackend } from '@launchdb/storage-service/backends';
import { startTestS3Server, type TestS3Server } from '../../storage-service/src/testing/s3-server.ts';
import { createTestPlatform, randomProjectId, type TestPlatform } from '../../platform-api/src/domain/projects/projects.test-support.ts';
import { BackupEngine, type ProjectControl } from './backup-engine.ts';
import { BackupEncryption } from './encryption.ts';
import { LocalBackupStore } from './local-backup-store.ts';
import { PIECES } from './manifest.ts';

const run = promisify(execFile);
const PASSPHRASE = 'project files passphrase';

interface StoredObject {
  location: ObjectLocation;
  contentType: string;
  sha256: string;
  size: number;
}

/**
 * A project whose files are on the s3 storage backend (s3rver): its objects are listed and
 * streamed into the backup through the backend, and written back through it by a restore.
 */
describe('backups of a project whose files are in S3', () => {
  let platform: TestPlatform;
  let s3: TestS3Server;
  let backend: StorageBackend;
  let workdir: string;
  let store: LocalBackupStore;
  let engine: BackupEngine;
  const projectId = randomProjectId();
  const objects: StoredObject[] = [];
  const control = (): ProjectControl => ({
    create: async (input) => {
      platform.created.add(input.id);
      await platform.provisioner().create({ id: input.id, name: input.name, template: input.template ?? undefined });
    },
    provision: async (id) => void (await platform.provisioner().resume(id)),
    stopDataApi: (id) => platform.dataApis.stop(id),
    restored: (id) => platform.dataApis.spawn(id),
  });
  const engineOn = (storage: StorageBackend): BackupEngine =>
    new BackupEngine({
      adminUrl: platform.adminUrl,
      store,
      encryption: BackupEncryption.withPassphrase(PASSPHRASE),
      storage,
      logger: createLogger({ level: 'silent', name: 'backup' }),
      diskReserveBytes: 0,
      projects: control(),
    });
  const store_ = async (on: StorageBackend, location: ObjectLocation, bytes: Buffer, contentType: string): Promise<StoredObject> => {
    await on.write(location, Readable.from([bytes]), { contentType, cacheControl: 'max-age=60' });
    return { location, contentType, sha256: sha256(bytes), size: bytes.length };
  };
  /** What `on` holds for a project: each object's location, content type, size and SHA-256. */
  const held = async (on: StorageBackend, project: string): Promise<StoredObject[]> => {
    const found: StoredObject[] = [];
    for await (const location of on.listProject(project)) {
      const object = await on.read(location);
      const bytes = await buffer(object.body);
      found.push({ location, contentType: object.info.contentType, sha256: sha256(bytes), size: bytes.length });
    }
    return found.sort(byLocation);
  };
  const as = (project: string, list: StoredObject[]): StoredObject[] => list.map((object) => ({ ...object, location: { ...object.location, projectId: project } })).sort(byLocation);

  beforeAll(async () => {
    [platform, s3] = await Promise.all([createTestPlatform(), startTestS3Server()]);
    backend = createStorageBackend(s3.settings);
    workdir = await mkdtemp(join(tmpdir(), 'launchdb-backup-s3-files-'));
    store = new LocalBackupStore(join(workdir, 'backups'));
    engine = engineOn(backend);
    platform.created.add(projectId);
    await platform.provisioner().create({ id: projectId, name: 'Files in S3' });
    await withClient(withDatabase(platform.adminUrl, projectNames(projectId).database), async (client) => {
      await client.query(`set role ${projectNames(projectId).owner}`);
      await client.query(`create table public.notes (id serial primary key, body text not null)`);
      await client.query(`insert into public.notes (body) values ('boiler serviced')`);
    });
    const at = (bucketId: string, key: string): ObjectLocation => ({ projectId, bucketId, key, version: randomUUID() });
    objects.push(
      await store_(backend, at('documents', 'manuals/boiler.pdf'), randomBytes(3000), 'application/pdf'),
      // more than one multipart part, streamed both ways
      await store_(backend, at('photos', 'kitchen/sink leak (2).jpg'), randomBytes(6 * 1024 * 1024 + 123), 'image/jpeg'),
      // a path longer than tar's 100 bytes and not ASCII: a PAX header
      await store_(backend, at('photos', `${'très-long-dossier/'.repeat(6)}reçu.txt`), Buffer.from('receipt'), 'text/plain;charset=utf-8'),
      await store_(backend, at('documents', 'empty.txt'), Buffer.alloc(0), 'text/plain'),
    );
    objects.sort(byLocation);
  }, 60_000);
  afterAll(async () => {
    await backend?.close();
    await Promise.all([platform?.close(), s3?.close()]);
    await rm(workdir, { recursive: true, force: true });
  });

  it('backs up every object of the project, which gpg and tar read as a storage folder', async () => {
    const manifest = await engine.backupProject(projectId);
    const files = manifest.pieces.find((piece) => piece.name === PIECES.files)!;
    // each object and its sidecar (content type, cache control)
    expect(files).toMatchObject({ source: 's3', files: objects.length * 2 });
    const { stdout } = await run(
      'sh',
      ['-c', `echo '${PASSPHRASE}' | gpg --batch --quiet --pinentry-mode loopback --passphrase-fd 0 -d '${join(store.root, manifest.id, PIECES.files)}' | tar -t`],
      { env: { ...process.env, GNUPGHOME: await mkdtemp(join(workdir, 'gnupg-')) } },
    );
    const listed = stdout.trim().split('\n').sort();
    const expected = objects.flatMap(({ location: l }) => [`${l.bucketId}/${l.key}/#${l.version}`, `${l.bucketId}/${l.key}/#${l.version}.meta`]).sort();
    expect(listed).toEqual(expected);
    expect(await engine.verify(manifest.id)).toMatchObject({ ok: true, files: objects.length * 2 });
  });

  it('backs up a project without any object, and verifies it', async () => {
    const empty = randomProjectId();
    platform.created.add(empty);
    await platform.provisioner().create({ id: empty, name: 'No files' });
    const manifest = await engine.backupProject(empty);
    expect(manifest.pieces.find((piece) => piece.name === PIECES.files)).toMatchObject({ source: 's3', files: 0 });
    expect(await engine.verify(manifest.id)).toMatchObject({ ok: true, files: 0 });
    await store.delete(manifest.id);
  });

  it('restores the objects in place, byte for byte, and removes what the backup did not hold', async () => {
    const [backup] = await store.list();
    await backend.deleteProject(projectId);
    const stray = await store_(backend, { projectId, bucketId: 'photos', key: 'uploaded-after.jpg', version: randomUUID() }, randomBytes(100), 'image/jpeg');
    const result = await engine.restoreProject(backup!.id, { projectId, confirm: projectId });
    expect(result.files).toBe(objects.length * 2);
    const after = await held(backend, projectId);
    expect(after).toEqual(objects);
    expect(after.map((object) => object.location.key)).not.toContain(stray.location.key);
  });

  it('removes what a failed restore wrote: a tampered archive leaves the objects as they were', async () => {
    const id = (await engine.backupProject(projectId)).id;
    const path = join(store.root, id, PIECES.files);
    const bytes = await readFile(path);
    // inside the big photo's bytes, well after the objects before it were written back
    bytes[Math.floor(bytes.length * 0.6)]! ^= 0xff;
    await writeFile(path, bytes);
    const manifestPath = join(store.root, id, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { pieces: { name: string; sha256: string }[] };
    manifest.pieces.find((piece) => piece.name === PIECES.files)!.sha256 = sha256(bytes);
    await writeFile(manifestPath, JSON.stringify(manifest));
    const missing = objects[0]!;
    const missingBytes = await buffer((await backend.read(missing.location)).body);
    await backend.delete([missing.location]);
    await expect(engine.restoreProject(id, { projectId, confirm: projectId })).rejects.toThrow(new RegExp(`backup ${id}: files\\.tar\\.pgp`));
    expect(await held(backend, projectId)).toEqual(objects.filter((object) => object !== missing));
    await store.delete(id);
    await store_(backend, missing.location, missingBytes, missing.contentType);
  });

  it('restores into a new project under its own prefix, leaving the first as it is', async () => {
    const backup = (await store.list()).find((manifest) => manifest.reason === 'manual')!;
    const copy = randomProjectId();
    platform.created.add(copy);
    await engine.restoreProject(backup.id, { asNew: copy });
    expect(await held(backend, copy)).toEqual(as(copy, objects));
    expect(await held(backend, projectId)).toEqual(objects);
  });

  it('restores a backup made on the fs backend into S3, content types included', async () => {
    const fs = new FsStorageBackend({ root: join(workdir, 'storage'), sweepOnStart: false });
    const onDisk = randomProjectId();
    platform.created.add(onDisk);
    await platform.provisioner().create({ id: onDisk, name: 'Files on disk' });
    const written = [
      await store_(fs, { projectId: onDisk, bucketId: 'documents', key: 'a/b/warranty.pdf', version: randomUUID() }, randomBytes(5000), 'application/pdf'),
      await store_(fs, { projectId: onDisk, bucketId: 'photos', key: 'roof.png', version: randomUUID() }, randomBytes(700), 'image/png'),
    ];
    const manifest = await engineOn(fs).backupProject(onDisk);
    expect(manifest.pieces.find((piece) => piece.name === PIECES.files)).toMatchObject({ source: 'fs', files: 4 });
    const moved = randomProjectId();
    platform.created.add(moved);
    await engine.restoreProject(manifest.id, { asNew: moved });
    expect(await held(backend, moved)).toEqual(as(moved, written));
  });
});

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function byLocation(a: StoredObject, b: StoredObject): number {
  return `${a.location.bucketId}/${a.location.key}`.localeCompare(`${b.location.bucketId}/${b.location.key}`);
}
