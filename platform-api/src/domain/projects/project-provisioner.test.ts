import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { projectNames, ProjectSecret, readLiveApiKeys, readProjectSecret, verifyHs256, withClient, withDatabase } from '@launchdb/common';
import { API_KEY_LIFETIME_SECONDS } from './api-keys.ts';
import type { ProjectProvisioner } from './project-provisioner.ts';
import { asRole, createTestPlatform, projectFootprint, randomProjectId, type TestPlatform } from './projects.test-support.ts';

describe('ProjectProvisioner', () => {
  let platform: TestPlatform;
  let provisioner: ProjectProvisioner;
  const keysChanged: string[] = [];
  const filesDeleted: string[] = [];
  const [a, b] = [randomProjectId(), randomProjectId()];

  const secret = (id: string, name: string) => readProjectSecret(platform.db, platform.secrets, id, name).then((value) => value!);

  beforeAll(async () => {
    platform = await createTestPlatform();
    provisioner = platform.provisioner({
      onKeysRotated: (id) => void keysChanged.push(id),
      files: { deleteProject: async (id) => void filesDeleted.push(id) },
    });
    platform.created.add(a).add(b);
    await Promise.all([provisioner.create({ id: a, name: 'Project A' }), provisioner.create({ id: b, name: 'Project B', template: 'haven' })]);
  });
  afterAll(async () => {
    await platform?.close();
  });

  it('takes a project to active with its database, roles, secrets, keys, pool entry and data API', async () => {
    const project = await platform.provisioner().resume(a);
    expect(project).toMatchObject({ id: a, name: 'Project A', status: 'active', template: null, failedStep: null, error: null });
    const footprint = await projectFootprint(platform, a);
    const names = projectNames(a);
    expect(footprint).toMatchObject({ roles: [names.authenticator, names.owner].sort(), databases: 1, liveKeys: 2, totalKeys: 2 });
    expect(footprint.secrets.filter((name) => !name.startsWith('api_key:'))).toEqual(['authenticator_password', 'jwt_secret', 'owner_password']);
    expect(footprint.secrets.filter((name) => name.startsWith('api_key:'))).toHaveLength(2);
    expect(platform.pooler.entries.has(a)).toBe(true);
    expect(platform.dataApis.running.has(a)).toBe(true);

    const jwtSecret = await secret(a, ProjectSecret.jwtSecret);
    expect(jwtSecret.length).toBeGreaterThanOrEqual(32);
    const keys = await readLiveApiKeys(platform.db, platform.secrets, a);
    for (const role of ['anon', 'service_role'] as const) {
      const verified = await verifyHs256(keys[role]!, jwtSecret);
      expect(verified.ok).toBe(true);
      if (!verified.ok) continue;
      expect(verified.claims).toMatchObject({ iss: 'launchdb', ref: a, role });
      expect(verified.claims.exp! - verified.claims.iat!).toBe(API_KEY_LIFETIME_SECONDS);
    }

    const roles = await withClient(inject('postgresUrl'), async (admin) => {
      const { rows } = await admin.query<{ rolname: string; rolinherit: boolean; rolcanlogin: boolean; rolsuper: boolean; member_of: string[] }>(
        `select r.rolname, r.rolinherit, r.rolcanlogin, r.rolsuper,
                array(select g.rolname::text from pg_auth_members m join pg_roles g on g.oid = m.roleid where m.member = r.oid order by 1) as member_of
           from pg_roles r where r.rolname = any($1::text[]) order by r.rolname`,
        [[names.authenticator, names.owner]],
      );
      const owner = await admin.query<{ owner: string }>('select pg_get_userbyid(datdba) as owner from pg_database where datname = $1', [names.database]);
      return { rows, databaseOwner: owner.rows[0]!.owner };
    });
    expect(roles.rows).toEqual([
      { rolname: names.authenticator, rolinherit: false, rolcanlogin: true, rolsuper: false, member_of: ['anon', 'authenticated', 'service_role', 'supabase_auth_admin'] },
      { rolname: names.owner, rolinherit: true, rolcanlogin: true, rolsuper: false, member_of: [] },
    ]);
    expect(roles.databaseOwner).toBe(names.owner);
  });

  it("gives auth.uid(), auth.role(), auth.email() and auth.jwt() the request's claims", async () => {
    const names = projectNames(a);
    const sub = randomUUID();
    const login = { user: names.authenticator, password: await secret(a, ProjectSecret.authenticatorPassword), database: names.database };
    const result = await asRole(login, async (client) => {
      await client.query('begin');
      await client.query('set local role authenticated');
      await client.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ sub, role: 'authenticated', email: 'ann@example.com' })]);
      const { rows } = await client.query('select auth.uid() as uid, auth.role() as role, auth.email() as email, auth.jwt() ->> $1 as jwt_sub', ['sub']);
      await client.query('commit');
      // the settings of older PostgREST versions, one per claim
      await client.query('begin');
      await client.query('set local role authenticated');
      await client.query(`select set_config('request.jwt.claim.sub', $1, true)`, [sub]);
      const legacy = await client.query('select auth.uid() as uid');
      await client.query('commit');
      await client.query('begin');
      await client.query('set local role anon');
      const anonymous = await client.query('select auth.uid() as uid, auth.role() as role, auth.jwt() as jwt');
      await client.query('commit');
      return { claims: rows[0], legacy: legacy.rows[0], anonymous: anonymous.rows[0] };
    });
    expect(result.claims).toEqual({ uid: sub, role: 'authenticated', email: 'ann@example.com', jwt_sub: sub });
    expect(result.legacy).toEqual({ uid: sub });
    expect(result.anonymous).toEqual({ uid: null, role: null, jwt: null });
  });

  it("opens what the owner creates in public to the request roles, and keeps schema launchdb closed", async () => {
    const names = projectNames(a);
    const owner = { user: names.owner, password: await secret(a, ProjectSecret.ownerPassword), database: names.database };
    await asRole(owner, (client) => client.query('create table public.notes (id serial primary key, body text); insert into public.notes (body) values ($$hi$$)'));
    const authenticator = { user: names.authenticator, password: await secret(a, ProjectSecret.authenticatorPassword), database: names.database };
    const outcome = await asRole(authenticator, async (client) => {
      await client.query('begin; set local role anon');
      const read = await client.query('select body from public.notes');
      await client.query('insert into public.notes (body) values ($1)', ['from anon']);
      await client.query('rollback');
      await client.query('begin; set local role anon');
      const hidden = await client.query('select * from launchdb.migrations').catch((error: { code: string }) => error.code);
      await client.query('rollback');
      // NOINHERIT: without SET ROLE the authenticator itself has no rights on the table
      const direct = await client.query('select * from public.notes').catch((error: { code: string }) => error.code);
      return { read: read.rows, hidden, direct };
    });
    expect(outcome).toEqual({ read: [{ body: 'hi' }], hidden: '42501', direct: '42501' });
  });

  it('leaves the catalogs its templates filled analyzed, so autovacuum has nothing to analyze in a new database', async () => {
    const unanalyzed = await withClient(withDatabase(inject('postgresUrl'), projectNames(b).database), async (admin) => {
      // the changes counted since: the template's own, flushed late, would ask for another analyze
      const { rows } = await admin.query<{ relname: string }>(
        `select relname from pg_stat_all_tables
          where relid = any (array['pg_catalog.pg_class', 'pg_catalog.pg_attribute', 'pg_catalog.pg_depend', 'pg_catalog.pg_constraint', 'pg_catalog.pg_trigger', 'pg_catalog.pg_proc']::regclass[])
            and (last_analyze is null or n_mod_since_analyze > 0) order by relname`,
      );
      return rows.map((row) => row.relname);
    });
    expect(unanalyzed).toEqual([]);
  });

  it("keeps each project's roles out of other projects' databases and the platform database", async () => {
    const namesA = projectNames(a);
    const namesB = projectNames(b);
    const authenticatorA = { user: namesA.authenticator, password: await secret(a, ProjectSecret.authenticatorPassword) };
    const ownerA = { user: namesA.owner, password: await secret(a, ProjectSecret.ownerPassword) };
    for (const login of [authenticatorA, ownerA]) {
      for (const database of [namesB.database, platform.platformDatabase]) {
        await expect(asRole({ ...login, database }, (client) => client.query('select 1'))).rejects.toMatchObject({
          code: '42501',
          message: expect.stringContaining(`permission denied for database "${database}"`),
        });
      }
    }
    // and its own still works
    expect(await asRole({ ...authenticatorA, database: namesA.database }, async (client) => (await client.query('select 1 as n')).rows)).toEqual([{ n: 1 }]);
  });

  it('applies an app template as the owner, with row-level security per user', async () => {
    const names = projectNames(b);
    const [ann, bob] = [randomUUID(), randomUUID()];
    const tables = await withClient(withDatabase(inject('postgresUrl'), names.database), async (admin) => {
      const { rows } = await admin.query<{ tablename: string; tableowner: string; rowsecurity: boolean }>(
        `select tablename, tableowner, rowsecurity from pg_tables where schemaname = 'public' order by tablename`,
      );
      // Haven's rows reference auth.users
      await admin.query(`insert into auth.users (id, email, email_confirmed_at) select id, id || '@example.com', now() from unnest($1::uuid[]) as id`, [[ann, bob]]);
      return rows;
    });
    expect(tables.map((table) => table.tablename)).toEqual([
      'asset_templates', 'assets', 'captures', 'documents', 'logs', 'maintenance_tasks', 'notification_preferences', 'properties', 'property_members',
      'supplies', 'task_reminders', 'zones',
    ]);
    expect(tables.every((table) => table.tableowner === names.owner && table.rowsecurity)).toBe(true);

    const authenticator = { user: names.authenticator, password: await secret(b, ProjectSecret.authenticatorPassword), database: names.database };
    const seen = await asRole(authenticator, async (client) => {
      const as = async <T>(role: string, sub: string | undefined, work: () => Promise<T>): Promise<T> => {
        await client.query('begin');
        await client.query(`select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`, [role, JSON.stringify(sub ? { sub, role } : { role })]);
        try {
          return await work();
        } finally {
          await client.query('commit');
        }
      };
      const property = await as('authenticated', ann, async () =>
        (await client.query<{ id: string; owner_id: string }>(`insert into properties (name) values ('Ann''s house') returning id, owner_id`)).rows[0]!,
      );
      await as('authenticated', ann, () => client.query(`insert into captures (property_id, kind, body) values ($1, 'text', 'boiler noise')`, [property.id]));
      const bobSees = await as('authenticated', bob, async () => (await client.query('select count(*)::int as n from properties')).rows[0].n);
      // Bob cannot hang a zone under Ann's property even knowing its id
      const bobZone = await as('authenticated', bob, () =>
        client.query(`insert into zones (property_id, name) values ($1, 'attic')`, [property.id]).then(() => 'inserted', (error: { code: string }) => error.code),
      );
      const anonSees = await as('anon', undefined, async () => (await client.query('select count(*)::int as n from properties')).rows[0].n);
      const serviceSees = await as('service_role', undefined, async () => (await client.query('select count(*)::int as n from captures')).rows[0].n);
      return { owner: property.owner_id, bobSees, bobZone, anonSees, serviceSees };
    });
    expect(seen).toEqual({ owner: ann, bobSees: 0, bobZone: '42501', anonSees: 0, serviceSees: 1 });
  });

  it('refuses an active id (409) and an unknown template (400), and derives an id from the name', async () => {
    await expect(provisioner.create({ id: a, name: 'again' })).rejects.toMatchObject({ status: 409, code: 'project_exists' });
    await expect(provisioner.create({ name: 'x', template: 'nope' })).rejects.toMatchObject({ status: 400, code: 'unknown_template' });
    const started = await provisioner.begin({ name: '42 Rue de l’Été!' });
    platform.created.add(started.project.id);
    expect(started.project.id).toMatch(/^ruedelete[a-z0-9]{6}$/);
    expect((await started.finished).status).toBe('active');
    await provisioner.delete(started.project.id, started.project.id);
  });

  it('provisions several projects at once (the shared request roles are created once)', async () => {
    const ids = [randomProjectId(), randomProjectId(), randomProjectId()];
    for (const id of ids) platform.created.add(id);
    const projects = await Promise.all(ids.map((id) => provisioner.create({ id, name: id })));
    expect(projects.map((project) => project.status)).toEqual(['active', 'active', 'active']);
    await Promise.all(ids.map((id) => provisioner.delete(id, id)));
  });

  it('serialises two creations of one id: the second resumes after the first, nothing is duplicated', async () => {
    const id = randomProjectId();
    platform.created.add(id);
    const other = platform.provisioner();
    const [first, second] = await Promise.all([provisioner.begin({ id, name: 'twice' }), other.begin({ id, name: 'twice' })]);
    expect([first.resumed, second.resumed].sort()).toEqual([false, true]);
    expect((await Promise.all([first.finished, second.finished])).map((project) => project.status)).toEqual(['active', 'active']);
    expect(await projectFootprint(platform, id)).toMatchObject({ databases: 1, liveKeys: 2, totalKeys: 2 });
    expect((await projectFootprint(platform, id)).secrets).toHaveLength(5);
    await provisioner.delete(id, id);
  });

  it('rotates keys: new secret and keys, old keys revoked, the data API reloaded', async () => {
    const before = await readLiveApiKeys(platform.db, platform.secrets, a);
    const oldSecret = await secret(a, ProjectSecret.jwtSecret);
    const reloads = platform.dataApis.count('reload', a);
    await provisioner.rotateKeys(a);
    const after = await readLiveApiKeys(platform.db, platform.secrets, a);
    const newSecret = await secret(a, ProjectSecret.jwtSecret);
    expect(newSecret).not.toBe(oldSecret);
    expect(after.anon).not.toBe(before.anon);
    expect(after.service_role).not.toBe(before.service_role);
    expect((await verifyHs256(after.anon!, newSecret)).ok).toBe(true);
    expect((await verifyHs256(before.anon!, newSecret)).ok).toBe(false);
    expect(await projectFootprint(platform, a)).toMatchObject({ liveKeys: 2, totalKeys: 4 });
    expect(platform.dataApis.count('reload', a)).toBe(reloads + 1);
    expect(keysChanged).toContain(a);
  });

  it('resumes at boot the provisionings a crash cut short', async () => {
    const id = randomProjectId();
    platform.created.add(id);
    // the row as a crash right after it was written leaves it
    await platform.db.query(`insert into platform.projects (id, name) values ($1, 'crashed')`, [id]);
    await platform.provisioner().resumeInterrupted();
    expect((await projectFootprint(platform, id)).databases).toBe(1);
    expect((await platform.db.query('select status from platform.projects where id = $1', [id])).rows[0].status).toBe('active');
    await provisioner.delete(id, id);
  });

  it('deletes a project only when confirmed, leaving no database, role, secret, pool entry, data API or file', async () => {
    await expect(provisioner.delete(a, undefined)).rejects.toMatchObject({ status: 400, code: 'confirmation_required' });
    await expect(provisioner.delete(a, b)).rejects.toMatchObject({ status: 400, code: 'confirmation_required' });
    await provisioner.delete(a, a);
    expect(await projectFootprint(platform, a)).toEqual({ roles: [], databases: 0, secrets: [], liveKeys: 0, totalKeys: 0 });
    expect(platform.pooler.entries.has(a)).toBe(false);
    expect(platform.dataApis.running.has(a)).toBe(false);
    expect(filesDeleted).toContain(a);
    expect((await platform.db.query('select 1 from platform.projects where id = $1', [a])).rowCount).toBe(0);
    await expect(provisioner.delete(a, a)).rejects.toMatchObject({ status: 404 });
  });
});
