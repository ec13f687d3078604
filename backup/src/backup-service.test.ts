import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsStorageBackend } from '@launchdb/storage-service/backends';
import { createLogger } from '@launchdb/common';
import { createTestPlatform, randomProjectId, type TestPlatform } from '../../platform-api/src/domain/projects/projects.test-support.ts';
import { BackupEngine } from './backup-engine.ts';
import { BackupService } from './backup-service.ts';
import { BackupEncryption } from './encryption.ts';
import { LocalBackupStore } from './local-backup-store.ts';
import { lockSubject } from './subject-lock.ts';

/** The nightly work as the schedule runs it: every subject, retention, one verify in rotation. */
describe('the nightly run', () => {
  let platform: TestPlatform;
  let workdir: string;
  let service: BackupService;
  let store: LocalBackupStore;
  const projectId = randomProjectId();

  beforeAll(async () => {
    platform = await createTestPlatform();
    workdir = await mkdtemp(join(tmpdir(), 'launchdb-backup-service-'));
    platform.created.add(projectId);
    await platform.provisioner().create({ id: projectId, name: 'Nightly' });
    store = new LocalBackupStore(join(workdir, 'backups'));
    const logger = createLogger({ level: 'silent', name: 'backup' });
    const engine = new BackupEngine({
      adminUrl: platform.adminUrl,
      store,
      encryption: BackupEncryption.withPassphrase('nightly passphrase'),
      storage: new FsStorageBackend({ root: join(workdir, 'storage'), sweepOnStart: false }),
      logger,
      diskReserveBytes: 0,
    });
    // keep one backup a day: two runs on one day leave the newest of each subject
    service = new BackupService({ engine, logger, schedule: { cron: 'off', concurrency: 2, retention: { daily: 1, weekly: 0, monthly: 0 }, verifyNightly: true } });
    await service.start();
  }, 60_000);
  afterAll(async () => {
    await service?.stop();
    await platform?.close();
    await rm(workdir, { recursive: true, force: true });
  });

  it('backs up the platform and every project, thins old backups, verifies one subject a night in turn', async () => {
    expect(service.health()).toMatchObject({ schedule: 'off', lastRun: null, lastVerify: null });
    await service.runNightly();
    const first = service.health() as { lastRun: { ok: boolean; backups: number }; lastVerify: { ok: boolean; backup: string } };
    expect(first.lastRun).toMatchObject({ ok: true, backups: 2, failed: [] });
    expect(first.lastVerify.ok).toBe(true);

    await service.runNightly();
    const second = service.health() as typeof first;
    expect(second.lastVerify.ok).toBe(true);
    // the other subject's turn
    expect(second.lastVerify.backup.split('-20')[0]).not.toBe(first.lastVerify.backup.split('-20')[0]);
    const left = await service.list();
    expect(left.map((backup) => backup.project ?? 'platform').sort()).toEqual(['platform', projectId].sort());
    expect((await service.list(projectId)).map((backup) => backup.kind)).toEqual(['project']);
  });

  it('skips a project another process is backing up, without calling the night a failure', async () => {
    // the lock another backup process (an operator's run, a second container) holds
    const held = await lockSubject(platform.adminUrl, projectId);
    try {
      const result = await service.run({ all: true });
      expect(result.failed).toEqual([]);
      expect(result.skipped).toEqual([{ subject: projectId, reason: expect.stringMatching(new RegExp(`^project ${projectId} is being backed up or restored right now`)) }]);
      expect(result.backups.map((backup) => backup.kind)).toEqual(['platform']);
      expect(service.health()).toMatchObject({ lastRun: { ok: true, failed: [], skipped: [{ subject: projectId }] } });
    } finally {
      await held.release();
    }
  });

  it('refuses to verify a backup that does not exist, and keeps the last verify as it was', async () => {
    const before = service.health();
    await expect(service.verify('no-such-backup')).rejects.toMatchObject({ status: 400 });
    await expect(service.verify(`${projectId}-20200101T000000000Z`)).rejects.toMatchObject({ status: 404 });
    expect(service.health()).toEqual(before);
  });

  it('refuses a run that names nothing or two things', async () => {
    await expect(service.run({})).rejects.toThrow('choose one: a project, all (every project and the platform), or the platform');
    await expect(service.run({ project: projectId, platform: true })).rejects.toThrow(/choose one/);
  });
});
