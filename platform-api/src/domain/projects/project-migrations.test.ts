import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { projectNames, withClient, withDatabase } from '@launchdb/common';
import { ProjectMigrations } from './project-migrations.ts';
import { createTestPlatform, randomProjectId, type TestPlatform } from './projects.test-support.ts';

describe('ProjectMigrations', () => {
  let platform: TestPlatform;
  let migrations: ProjectMigrations;
  const id = randomProjectId();
  const inProject = <T>(work: (client: pg.Client) => Promise<T>) => withClient(withDatabase(inject('postgresUrl'), projectNames(id).database), work);

  beforeAll(async () => {
    platform = await createTestPlatform();
    platform.created.add(id);
    await platform.provisioner().create({ id, name: 'migrated' });
    migrations = new ProjectMigrations({ db: platform.db, adminUrl: platform.adminUrl, secrets: platform.secrets });
  });
  afterAll(async () => {
    await platform?.close();
  });

  it('applies a migration as the owner, records it, and tells the data API to reload its schema cache', async () => {
    const listener = new pg.Client({ connectionString: withDatabase(inject('postgresUrl'), projectNames(id).database) });
    await listener.connect();
    const notified = new Promise<string | undefined>((resolve) => listener.on('notification', (message) => resolve(message.payload)));
    await listener.query('listen pgrst');
    try {
      const applied = await migrations.apply(id, {
        name: '0001_tasks.sql',
        sql: 'create table public.tasks (id serial primary key, title text not null);\ncreate index on public.tasks (title);',
      });
      expect(applied).toMatchObject({ name: '0001_tasks.sql', checksum: expect.stringMatching(/^[0-9a-f]{64}$/), appliedAt: expect.any(Date) });
      expect(await notified).toBe('reload schema');
    } finally {
      await listener.end();
    }
    const owner = await inProject(async (client) => (await client.query(`select tableowner from pg_tables where tablename = 'tasks'`)).rows[0].tableowner);
    expect(owner).toBe(projectNames(id).owner);
  });

  it('refuses a name already applied (409), changing nothing', async () => {
    await expect(migrations.apply(id, { name: '0001_tasks.sql', sql: 'create table public.other (id int)' })).rejects.toMatchObject({
      status: 409,
      code: 'migration_exists',
    });
    expect(await inProject(async (client) => (await client.query(`select to_regclass('public.other') as t`)).rows[0].t)).toBeNull();
  });

  it('rolls a failing migration back entirely and answers 400 with PostgreSQL\'s message', async () => {
    const failing = migrations.apply(id, { name: '0002_broken', sql: 'create table public.half (id int);\ninsert into public.nowhere values (1);' });
    await expect(failing).rejects.toMatchObject({ status: 400, code: 'migration_failed' });
    await expect(failing).rejects.toThrow('relation "public.nowhere" does not exist (line 2)');
    const left = await inProject(async (client) => ({
      table: (await client.query(`select to_regclass('public.half') as t`)).rows[0].t,
      recorded: (await client.query(`select count(*)::int as n from launchdb.migrations where name = '0002_broken'`)).rows[0].n,
    }));
    expect(left).toEqual({ table: null, recorded: 0 });
  });

  it('refuses a migration that ends its own transaction', async () => {
    await expect(migrations.apply(id, { name: '0003_commit', sql: 'create table public.c1 (id int); commit;' })).rejects.toMatchObject({
      status: 400,
      code: 'migration_failed',
      message: expect.stringContaining('COMMIT or ROLLBACK'),
    });
    expect(await inProject(async (client) => (await client.query(`select count(*)::int as n from launchdb.migrations where name = '0003_commit'`)).rows[0].n)).toBe(0);
  });

  it('cannot do what the owner may not (no superuser powers)', async () => {
    await expect(migrations.apply(id, { name: '0004_escalate', sql: 'alter role current_user superuser' })).rejects.toMatchObject({ status: 400, code: 'migration_failed' });
  });

  it('lists what is applied, in order', async () => {
    await migrations.apply(id, { name: '0005_more', sql: 'alter table public.tasks add column done boolean not null default false' });
    expect((await migrations.list(id)).map((migration) => migration.name)).toEqual(['0001_tasks.sql', '0005_more']);
  });

  it('answers 404 for an unknown project and 409 for one not active', async () => {
    await expect(migrations.list('tnothere')).rejects.toMatchObject({ status: 404 });
    await platform.db.query(`update platform.projects set status = 'failed' where id = $1`, [id]);
    try {
      await expect(migrations.apply(id, { name: 'x', sql: 'select 1' })).rejects.toMatchObject({ status: 409, code: 'project_not_active' });
    } finally {
      await platform.db.query(`update platform.projects set status = 'active' where id = $1`, [id]);
    }
  });
});
