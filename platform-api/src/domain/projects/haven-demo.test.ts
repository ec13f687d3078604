import { readFile, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { projectNames, verifyPassword, withClient, withDatabase } from '@launchdb/common';
import { HAVEN_DEMO_EMAIL, HavenDemo } from './haven-demo.ts';
import { APP_TEMPLATES_FOLDER } from './project-templates.ts';
import { createTestPlatform, randomProjectId, type TestPlatform } from './projects.test-support.ts';

/** The demo homeowner's account and house, written into a project provisioned with the haven template. */
describe('HavenDemo', () => {
  let platform: TestPlatform;
  let folder: string;
  const id = randomProjectId();
  const inProject = <T extends pg.QueryResultRow>(sql: string) => withClient(withDatabase(inject('postgresUrl'), projectNames(id).database), async (client) => (await client.query<T>(sql)).rows);
  const counts = () =>
    inProject<{ users: number; properties: number; logs: number }>(
      'select (select count(*)::int from auth.users) as users, (select count(*)::int from public.properties) as properties, (select count(*)::int from public.logs) as logs',
    ).then((rows) => rows[0]!);

  beforeAll(async () => {
    platform = await createTestPlatform();
    platform.created.add(id);
    folder = await mkdtemp(join(tmpdir(), 'haven-demo-'));
    await platform.provisioner().create({ id, name: 'demo', template: 'haven' });
  });
  afterAll(async () => {
    await platform?.close();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('keeps nothing of a seed that fails part-way', async () => {
    const broken = join(folder, 'broken.sql');
    const sql = await readFile(join(APP_TEMPLATES_FOLDER, 'haven', 'demo.sql'), 'utf8');
    await writeFile(broken, `${sql}\nselect 1 / 0;\n`);
    await expect(new HavenDemo({ adminUrl: platform.adminUrl, sqlFile: broken }).seed(id)).rejects.toMatchObject({ status: 500, code: 'demo_failed' });
    expect(await counts()).toEqual({ users: 0, properties: 0, logs: 0 });
  });

  it('writes a confirmed email account whose password is the one returned, as the auth service would', async () => {
    const login = await new HavenDemo({ adminUrl: platform.adminUrl }).seed(id);
    expect(login.email).toBe(HAVEN_DEMO_EMAIL);
    const [user] = await inProject<{ encrypted_password: string; confirmed: boolean; identity: Record<string, unknown> }>(
      `select u.encrypted_password, u.email_confirmed_at is not null as confirmed, i.identity_data as identity
         from auth.users u join auth.identities i on i.user_id = u.id and i.provider = 'email'`,
    );
    expect(user!.confirmed).toBe(true);
    expect(user!.identity).toMatchObject({ email: HAVEN_DEMO_EMAIL, email_verified: true });
    expect(await verifyPassword(user!.encrypted_password, login.password)).toBe(true);
    expect(await counts()).toMatchObject({ users: 1, properties: 1 });
  });

  it('refuses a second demo homeowner in the same project (409), keeping the first', async () => {
    const before = await counts();
    await expect(new HavenDemo({ adminUrl: platform.adminUrl }).seed(id)).rejects.toMatchObject({ status: 409, code: 'demo_exists' });
    expect(await counts()).toEqual(before);
  });
});
