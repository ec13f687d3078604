import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '@launchdb/testkit/databases';
import { withClient } from './db.ts';
import { applyMigrations, readMigrations } from './migrations.ts';

const table = { schema: 'app', table: 'migrations' };

describe('applyMigrations', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let folder: string;

  beforeAll(async () => {
    database = await createTestDatabase('migrations');
    folder = await mkdtemp(join(tmpdir(), 'migrations-'));
    await writeFile(join(folder, '0001_things.sql'), 'create table app.things (id int primary key);');
    await writeFile(join(folder, '0002_more.sql'), 'alter table app.things add column label text;');
    await writeFile(join(folder, 'README.md'), 'not a migration');
  });
  afterAll(() => database.drop());

  it('applies numbered files in order, once, and records them', async () => {
    const migrations = await readMigrations(folder);
    expect(migrations.map((m) => m.version)).toEqual(['0001', '0002']);
    await withClient(database.url, async (client) => {
      expect(await applyMigrations(client, migrations, table)).toEqual(['0001_things', '0002_more']);
      expect(await applyMigrations(client, migrations, table)).toEqual([]);
      const { rows } = await client.query('select version from app.migrations order by version');
      expect(rows.map((r) => r.version)).toEqual(['0001', '0002']);
    });
  });

  it('rolls back a failing migration whole, leaving earlier ones applied', async () => {
    await writeFile(join(folder, '0003_broken.sql'), 'create table app.half (id int); select 1/0;');
    await withClient(database.url, async (client) => {
      await expect(applyMigrations(client, await readMigrations(folder), table)).rejects.toThrow(/division by zero/);
      const { rows } = await client.query(`select to_regclass('app.half') as half, (select count(*)::int from app.migrations) as applied`);
      expect(rows[0]).toEqual({ half: null, applied: 2 });
    });
  });

  it('refuses a migration whose file changed after it was applied', async () => {
    await writeFile(join(folder, '0003_broken.sql'), 'select 1;');
    await writeFile(join(folder, '0001_things.sql'), 'create table app.things (id bigint primary key);');
    await withClient(database.url, async (client) => {
      await expect(applyMigrations(client, await readMigrations(folder), table)).rejects.toThrow(/0001_things was changed/);
    });
  });

  it('applies each migration once when two runners start together', async () => {
    const other = await createTestDatabase('migrations_race');
    try {
      const migrations = await readMigrations(folder);
      const results = await Promise.all([1, 2].map(() => withClient(other.url, (client) => applyMigrations(client, migrations, table))));
      expect(results.flat().sort()).toEqual(['0001_things', '0002_more', '0003_broken']);
    } finally {
      await other.drop();
    }
  });
});
