import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsStorageBackend } from '@launchdb/storage-service/backends';
import { createLogger, projectNames, withClient, withDatabase } from '@launchdb/common';
import { createTestPlatform, randomProjectId, type TestPlatform } from '../../platform-api/src/domain/projects/projects.test-support.ts';
import { startTestS3Server, type TestS3Server } from '../../storage-service/src/testing/s3-server.ts';
import { BackupEngine } from './backup-engine.ts';
import { BackupEncryption } from './encryption.ts';
import { LocalBackupStore } from './local-backup-store.ts';
import { S3BackupStore } from './s3-backup-store.ts';

/** Backups copied to S3 (s3rver here) as they are made, listed and verified from there. */
describe('backups on S3', () => {
  let platform: TestPlatform;
  let s3: TestS3Server;
  let workdir: string;
  let bucket: S3BackupStore;
  let engine: BackupEngine;
  const projectId = randomProjectId();

  beforeAll(async () => {
    [platform, s3] = await Promise.all([createTestPlatform(), startTestS3Server({ bucket: 'launchdb-backups' })]);
    workdir = await mkdtemp(join(tmpdir(), 'launchdb-backup-s3-'));
    platform.created.add(projectId);
    await platform.provisioner().create({ id: projectId, name: 'Offsite' });
    await withClient(withDatabase(platform.adminUrl, projectNames(projectId).database), (client) =>
      client.query(`create table public.notes (id int primary key); insert into public.notes select generate_series(1, 50);`),
    );
    const client = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    bucket = new S3BackupStore(client, { bucket: 'launchdb-backups', prefix: 'nightly/' });
    engine = new BackupEngine({
      adminUrl: platform.adminUrl,
      store: new LocalBackupStore(join(workdir, 'backups')),
      mirror: bucket,
      encryption: BackupEncryption.withPassphrase('offsite passphrase'),
      storage: new FsStorageBackend({ root: join(workdir, 'storage'), sweepOnStart: false }),
      logger: createLogger({ level: 'silent', name: 'backup' }),
      diskReserveBytes: 0,
    });
  }, 60_000);
  afterAll(async () => {
    await platform?.close();
    await s3?.close();
    await rm(workdir, { recursive: true, force: true });
  });

  it('copies each backup there, manifest last, and a backup read back from S3 verifies', async () => {
    const made = await engine.backupProject(projectId);
    expect((await bucket.list()).map((backup) => backup.id)).toEqual([made.id]);
    const fromS3 = new BackupEngine({
      adminUrl: platform.adminUrl,
      store: bucket,
      encryption: BackupEncryption.withPassphrase('offsite passphrase'),
      logger: createLogger({ level: 'silent', name: 'backup' }),
      diskReserveBytes: 0,
    });
    expect(await fromS3.verify(made.id)).toMatchObject({ ok: true, rows: expect.any(Number) });
    expect((await bucket.manifest(made.id)).database.tables).toContainEqual({ schema: 'public', name: 'notes', rows: 50 });
  });

  it('never lists a backup without its manifest, and thins both copies together', async () => {
    const partial = await bucket.begin(`${projectId}-20260101T000000000Z`);
    const { Readable } = await import('node:stream');
    await partial.writePiece('database.dump.pgp', Readable.from([Buffer.from('half a dump')]));
    expect((await bucket.list()).some((backup) => backup.id.includes('20260101'))).toBe(false);
    await partial.abort();

    await engine.backupProject(projectId);
    const deleted = await engine.applyRetention({ daily: 1, weekly: 0, monthly: 0 });
    expect(deleted).toHaveLength(1);
    expect((await bucket.list()).map((backup) => backup.id)).toEqual((await engine.store.list()).map((backup) => backup.id));
  });
});
