import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsStorageBackend } from '@launchdb/storage-service/backends';
import { createLogger } from '@launchdb/common';
import { createMetricsRegistry, startMetricsServer } from '@launchdb/common/metrics';
import { parsePrometheusText, sampleValue, samplesNamed } from '@launchdb/testkit/prometheus-text';
import { createTestPlatform, randomProjectId, type TestPlatform } from '../../platform-api/src/domain/projects/projects.test-support.ts';
import { BackupEngine } from './backup-engine.ts';
import { BackupService } from './backup-service.ts';
import { BackupEncryption } from './encryption.ts';
import { LocalBackupStore } from './local-backup-store.ts';
import { PIECES } from './manifest.ts';
import { backupAges, registerBackupMetrics } from './metrics.ts';

/** The backup service's /metrics, scraped over HTTP as Prometheus does. */
describe('backup metrics', () => {
  let platform: TestPlatform;
  let workdir: string;
  let service: BackupService;
  let server: Server;
  let url: string;
  const projectId = randomProjectId();

  beforeAll(async () => {
    platform = await createTestPlatform();
    workdir = await mkdtemp(join(tmpdir(), 'launchdb-backup-metrics-'));
    platform.created.add(projectId);
    await platform.provisioner().create({ id: projectId, name: 'Metered' });
    const logger = createLogger({ level: 'silent', name: 'backup' });
    const engine = new BackupEngine({
      adminUrl: platform.adminUrl,
      store: new LocalBackupStore(join(workdir, 'backups')),
      encryption: BackupEncryption.withPassphrase('metrics passphrase'),
      storage: new FsStorageBackend({ root: join(workdir, 'storage'), sweepOnStart: false }),
      logger,
      diskReserveBytes: 0,
    });
    service = new BackupService({ engine, logger, schedule: { cron: 'off', concurrency: 1, retention: { daily: 7, weekly: 0, monthly: 0 }, verifyNightly: false } });
    await service.start();
    const metrics = createMetricsRegistry('backup');
    // an hour between listings: only a backup made here lists the store again
    registerBackupMetrics(metrics, service, { refreshMs: 3_600_000 });
    server = await startMetricsServer(metrics, { host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 60_000);
  afterAll(async () => {
    server?.close();
    await service?.stop();
    await platform?.close();
    await rm(workdir, { recursive: true, force: true });
  });

  const scrape = async () => {
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    return parsePrometheusText(await response.text());
  };

  it('ages each project from its newest complete backup, and shows the last verify, passed or failed', async () => {
    const before = await scrape();
    expect(samplesNamed(before, 'launchdb_backup_age_seconds')).toEqual([]);
    expect(samplesNamed(before, 'launchdb_backup_last_verify_timestamp_seconds')).toEqual([]);
    expect(sampleValue(before, 'launchdb_backups', { of: 'backups', service: 'backup' })).toBe(0);

    const [made] = (await service.run({ project: projectId })).backups;
    const after = await scrape();
    const age = sampleValue(after, 'launchdb_backup_age_seconds', { project: projectId })!;
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(30);
    expect(sampleValue(after, 'launchdb_backups', { of: 'backups' })).toBe(1);
    expect(sampleValue(after, 'launchdb_backup_stored_bytes')).toBe(made!.bytes);
    // the age grows between scrapes with no listing in between
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(sampleValue(await scrape(), 'launchdb_backup_age_seconds', { project: projectId })).toBeGreaterThan(age + 1);

    await service.verify(made!.id);
    const verified = await scrape();
    expect(sampleValue(verified, 'launchdb_backup_last_verify_timestamp_seconds', { result: 'ok' })! * 1000).toBeGreaterThan(Date.now() - 30_000);

    await writeFile(join(workdir, 'backups', made!.id, PIECES.database), 'not what was written');
    await expect(service.verify(made!.id)).rejects.toThrow();
    const failed = await scrape();
    expect(samplesNamed(failed, 'launchdb_backup_last_verify_timestamp_seconds').map((sample) => sample.labels.result)).toEqual(['failed']);
  });
});

describe('backup ages', () => {
  it('names the platform and the stalest projects, and folds the rest into other at their stalest', () => {
    const now = Date.parse('2026-12-06T12:00:00Z');
    const hoursAgo = (hours: number) => now - hours * 3_600_000;
    const newest = new Map([
      ['launchdb-platform', hoursAgo(1)],
      ['fresh', hoursAgo(2)],
      ['stale', hoursAgo(30)],
      ['older', hoursAgo(20)],
      ['old', hoursAgo(10)],
    ]);
    expect(backupAges(newest, now, 2)).toEqual([
      ['launchdb-platform', 3_600],
      ['stale', 108_000],
      ['older', 72_000],
      ['other', 36_000],
    ]);
    expect(backupAges(newest, now, 10)).toHaveLength(5);
  });
});
