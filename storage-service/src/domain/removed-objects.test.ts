import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, withClient } from '@launchdb/common';
import type { ServiceTestProject } from '../../../test/service-projects.ts';
import { storageServiceOf } from '../app.ts';
import { startStorageTestbed, type StorageTestbed } from '../testing/storage-testbed.ts';
import { RemovedObjectsSweeper } from './removed-objects.ts';

/**
 * An object's row deleted outside the storage API — a cascade, an app's trigger, an operator's
 * SQL — no longer leaves its bytes behind: the row's version is queued in the same transaction
 * and the service's sweep deletes the file.
 */
describe('files of objects removed outside the storage API', () => {
  let bed: StorageTestbed;
  let project: ServiceTestProject;

  beforeAll(async () => {
    // the periodic sweep stays out of the way: the test sweeps when it wants to
    bed = await startStorageTestbed('fs', { STORAGE_REMOVALS_SWEEP_SECONDS: 0 });
    project = await bed.projects.createProject();
    await bed.client(project).createBucket('files', { public: false });
  });
  afterAll(async () => {
    await bed?.close();
  });

  const stored = async (name: string): Promise<{ version: string; onDisk: boolean }> => {
    const version = await withClient(project.adminUrl, async (admin) => {
      const { rows } = await admin.query<{ version: string }>(`select version from storage.objects where bucket_id = 'files' and name = $1`, [name]);
      return rows[0]!.version;
    });
    const info = await bed.backend.head({ projectId: project.id, bucketId: 'files', key: name, version });
    return { version, onDisk: info !== undefined };
  };
  const queued = () => withClient(project.adminUrl, async (admin) => (await admin.query<{ n: number }>('select count(*)::int as n from storage.removed_objects')).rows[0]!.n);

  it('deletes the bytes of rows deleted by SQL, and keeps those of a delete that was rolled back', async () => {
    const storage = bed.client(project);
    for (const name of ['house-1/manual.pdf', 'house-1/receipt.pdf', 'house-2/plan.pdf']) {
      expect((await storage.from('files').upload(name, new Blob([`bytes of ${name}`]))).error).toBeNull();
    }
    const [manual, receipt, plan] = [await stored('house-1/manual.pdf'), await stored('house-1/receipt.pdf'), await stored('house-2/plan.pdf')];
    expect([manual.onDisk, receipt.onDisk, plan.onDisk]).toEqual([true, true, true]);

    await withClient(project.adminUrl, async (admin) => {
      await admin.query('begin');
      await admin.query(`delete from storage.objects where bucket_id = 'files' and name like 'house-2/%'`);
      await admin.query('rollback');
      await admin.query(`delete from storage.objects where bucket_id = 'files' and name like 'house-1/%'`);
    });
    expect(await queued()).toBe(2);

    let swept = 0;
    await expect.poll(async () => (swept += await storageServiceOf(bed.app).sweepRemovedObjects()), { timeout: 10_000, interval: 250 }).toBe(2);
    const head = (name: string, version: string) => bed.backend.head({ projectId: project.id, bucketId: 'files', key: name, version });
    expect(await head('house-1/manual.pdf', manual.version)).toBeUndefined();
    expect(await head('house-1/receipt.pdf', receipt.version)).toBeUndefined();
    expect(await head('house-2/plan.pdf', plan.version)).toBeDefined();
    expect(await queued()).toBe(0);
    expect((await storage.from('files').download('house-2/plan.pdf')).error).toBeNull();
  });

  it("lets the service's own deletes pass through the queue harmlessly", async () => {
    const storage = bed.client(project);
    expect((await storage.from('files').upload('gone.txt', new Blob(['soon gone']))).error).toBeNull();
    expect((await storage.from('files').remove(['gone.txt'])).error).toBeNull();
    expect(await queued()).toBe(1);
    // its bytes went with the request; the sweep finds nothing left to delete, and empties the queue —
    // once PostgreSQL's statistics (flushed within about a second) show the insert it looks for
    let swept = 0;
    await expect.poll(async () => (swept += await storageServiceOf(bed.app).sweepRemovedObjects()), { timeout: 10_000, interval: 250 }).toBe(1);
    expect(await queued()).toBe(0);
  });

  it('leaves an idle project alone: its database is not visited until a row is inserted there', async () => {
    const storage = storageServiceOf(bed.app);
    // PostgreSQL's counters reach pg_stat_database within a second of a backend going idle;
    // each reading is a session of its own, which commits a transaction or two itself
    const read = async (): Promise<number> => {
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      return withClient(project.adminUrl, async (admin) =>
        Number((await admin.query<{ n: string }>('select xact_commit as n from pg_stat_database where datname = current_database()')).rows[0]!.n),
      );
    };
    await storage.sweepRemovedObjects();
    let [previous, last] = [await read(), await read()];
    for (let next = await read(); next - last !== last - previous; next = await read()) [previous, last] = [last, next];
    const perReading = last - previous;
    const settled = last + perReading;
    expect(await storage.sweepRemovedObjects()).toBe(0);
    expect(await read()).toBe(settled + perReading);

    expect((await bed.client(project).from('files').upload('later.txt', new Blob(['later']))).error).toBeNull();
    await withClient(project.adminUrl, (admin) => admin.query(`delete from storage.objects where bucket_id = 'files' and name = 'later.txt'`));
    await read();
    let swept = 0;
    await expect.poll(async () => (swept += await storage.sweepRemovedObjects()), { timeout: 10_000, interval: 250 }).toBe(1);
    expect(await queued()).toBe(0);
  });

  it('drains a bounded number of project databases per sweep (each holds a PgBouncer backend for a minute); the others wait for the next', async () => {
    const others = [await bed.projects.createProject(), await bed.projects.createProject()];
    for (const other of others) {
      const storage = bed.client(other);
      await storage.createBucket('files', { public: false });
      expect((await storage.from('files').upload('old.txt', new Blob(['old']))).error).toBeNull();
      await withClient(other.adminUrl, (admin) => admin.query(`delete from storage.objects where bucket_id = 'files'`));
    }
    // a sweeper just started knows no project's count: all three databases are due
    const sweeper = new RemovedObjectsSweeper({ projects: bed.projects.directory, backend: bed.backend, logger: createLogger({ level: 'silent', name: 'test' }), intervalMs: 0, drainsPerSweep: 1 });
    const deleted = [await sweeper.sweep(), await sweeper.sweep(), await sweeper.sweep()];
    expect(deleted.every((files) => files <= 1)).toBe(true);
    expect(deleted.reduce((sum, files) => sum + files, 0)).toBe(2);
    await sweeper.close();
  });
});
