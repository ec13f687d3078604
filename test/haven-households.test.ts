import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { projectNames, withClient, withDatabase } from '@launchdb/common';
import { APP_TEMPLATES_FOLDER, ProjectTemplates } from '../platform-api/src/domain/projects/project-templates.ts';
import { createTestPlatform, randomProjectId } from '../platform-api/src/domain/projects/projects.test-support.ts';
import { createHavenProject, type HavenProject } from './haven-project.ts';

/**
 * Haven's households on PostgreSQL: a property is shared by its members, and every table, every
 * RPC and the documents bucket let members in and keep everyone else out — as the data API and
 * the storage service run requests (SET LOCAL ROLE and the JWT's claims).
 */
describe('Haven households', () => {
  let haven: HavenProject;
  let owner: { id: string; email: string };
  let member: { id: string; email: string };
  let stranger: { id: string; email: string };
  let house: string;

  const insertOne = async (caller: string, sql: string, values: unknown[]) => (await haven.query<{ id: string }>(caller, `${sql} returning id`, values))[0]!.id;

  beforeAll(async () => {
    haven = await createHavenProject();
    [owner, member, stranger] = [await haven.user('owner'), await haven.user('member'), await haven.user('stranger')];
    house = await insertOne(owner.id, `insert into properties (name) values ('Maple house')`, []);
    await haven.query(owner.id, `select invite_member($1, $2)`, [house, member.email.toUpperCase()]);
  }, 60_000);
  afterAll(async () => {
    await haven?.close();
  });

  it('makes the creator the owner and an invited account a member at once', async () => {
    const members = await haven.query(owner.id, `select user_id, role, invited_email, invited_by from property_members where property_id = $1 order by role desc`, [house]);
    expect(members).toEqual([
      { user_id: owner.id, role: 'owner', invited_email: null, invited_by: null },
      { user_id: member.id, role: 'member', invited_email: member.email, invited_by: owner.id },
    ]);
    expect(await haven.query(owner.id, `select owner_id from properties where id = $1`, [house])).toEqual([{ owner_id: owner.id }]);
    // the creator sees their property in the insert's own answer (supabase-js .insert().select())
    expect(await haven.query(stranger.id, `insert into properties (name) values ('Own flat') returning name, owner_id`)).toEqual([{ name: 'Own flat', owner_id: stranger.id }]);
  });

  it('lets members read and write everything in the property, and no one else see or attach anything', async () => {
    const zone = await insertOne(member.id, `insert into zones (property_id, name) values ($1, 'Kitchen')`, [house]);
    const asset = await insertOne(member.id, `insert into assets (property_id, zone_id, name) values ($1, $2, 'Dishwasher')`, [house, zone]);
    const task = await insertOne(member.id, `insert into maintenance_tasks (property_id, asset_id, title, recurrence, next_due_on) values ($1, $2, 'Clean filter', '1 month', current_date)`, [house, asset]);
    await insertOne(member.id, `insert into supplies (property_id, asset_id, name, quantity) values ($1, $2, 'Rinse aid', 1)`, [house, asset]);
    await insertOne(member.id, `insert into logs (property_id, task_id, asset_id) values ($1, $2, $3)`, [house, task, asset]);
    await insertOne(member.id, `insert into documents (property_id, asset_id, title, storage_path) values ($1, $2, 'Manual', $1::uuid::text || '/manual.pdf')`, [house, asset]);
    // created_by is the signed-in user, whatever the request said
    expect(await haven.query(member.id, `insert into zones (property_id, name, created_by) values ($1, 'Attic', $2) returning created_by`, [house, owner.id])).toEqual([{ created_by: member.id }]);

    const count = `select (select count(*) from zones)::int as zones, (select count(*) from assets)::int as assets, (select count(*) from maintenance_tasks)::int as tasks,
      (select count(*) from supplies)::int as supplies, (select count(*) from logs)::int as logs, (select count(*) from documents)::int as documents,
      (select count(*) from properties where id = $1)::int as properties, (select count(*) from property_members where property_id = $1)::int as members`;
    const everything = { zones: 2, assets: 1, tasks: 1, supplies: 1, logs: 1, documents: 1, properties: 1, members: 2 };
    expect((await haven.query(owner.id, count, [house]))[0]).toEqual(everything);
    expect((await haven.query(member.id, count, [house]))[0]).toEqual(everything);
    expect((await haven.query('service_role', count, [house]))[0]).toMatchObject({ ...everything, zones: expect.any(Number) });
    const nothing = { zones: 0, assets: 0, tasks: 0, supplies: 0, logs: 0, documents: 0, properties: 0, members: 0 };
    expect((await haven.query(stranger.id, count, [house]))[0]).toEqual(nothing);
    expect((await haven.query('anon', count, [house]))[0]).toEqual(nothing);

    // knowing the ids is not enough to attach anything, nor to change or delete it
    for (const [sql, values] of [
      [`insert into zones (property_id, name) values ($1, 'Shed')`, [house]],
      [`insert into assets (property_id, name) values ($1, 'Bike')`, [house]],
      [`insert into maintenance_tasks (property_id, title) values ($1, 'Sneak')`, [house]],
      [`insert into supplies (property_id, name) values ($1, 'Sneak')`, [house]],
      [`insert into logs (property_id) values ($1)`, [house]],
      [`insert into documents (property_id, title, storage_path) values ($1, 'x', $1::uuid::text || '/x')`, [house]],
    ] as const) {
      expect(await haven.failure(stranger.id, sql, [...values]), sql).toBe('42501');
      expect(await haven.failure('anon', sql, [...values]), sql).toBe('42501');
    }
    expect(await haven.query(stranger.id, `update assets set name = 'Mine' where id = $1 returning id`, [asset])).toEqual([]);
    expect(await haven.query(stranger.id, `delete from zones where id = $1 returning id`, [zone])).toEqual([]);
    // nor can a member move a row out to a property that is not theirs
    const elsewhere = await insertOne(stranger.id, `insert into properties (name) values ('Elsewhere')`, []);
    expect(await haven.failure(member.id, `update assets set property_id = $2, zone_id = null where id = $1`, [asset, elsewhere])).toBe('42501');
  });

  it('lets only owners rename or delete the property; owner_id and membership change only through the RPCs', async () => {
    expect(await haven.query(member.id, `update properties set name = 'Renamed' where id = $1 returning id`, [house])).toEqual([]);
    expect(await haven.query(member.id, `delete from properties where id = $1 returning id`, [house])).toEqual([]);
    expect(await haven.query(owner.id, `update properties set name = 'Maple House', address = '1 Maple Rd' where id = $1 returning name`, [house])).toEqual([{ name: 'Maple House' }]);
    expect(await haven.failure(owner.id, `update properties set owner_id = $2 where id = $1`, [house, stranger.id])).toBe('42501');
    expect(await haven.failure(owner.id, `insert into property_members (property_id, user_id, role) values ($1, $2, 'owner')`, [house, stranger.id])).toBe('42501');
    expect(await haven.failure(owner.id, `update property_members set role = 'owner' where property_id = $1`, [house])).toBe('42501');
    expect(await haven.failure(member.id, `delete from property_members where property_id = $1`, [house])).toBe('42501');

    const doomed = await insertOne(owner.id, `insert into properties (name) values ('Doomed')`, []);
    await insertOne(owner.id, `insert into zones (property_id, name) values ($1, 'Hall')`, [doomed]);
    expect(await haven.query(owner.id, `delete from properties where id = $1 returning name`, [doomed])).toEqual([{ name: 'Doomed' }]);
    expect((await haven.admin.query(`select count(*)::int as n from property_members where property_id = $1`, [doomed])).rows).toEqual([{ n: 0 }]);
  });

  it('keeps references inside their property, even between two properties of one household', async () => {
    const cabin = await insertOne(owner.id, `insert into properties (name) values ('Cabin')`, []);
    const cabinZone = await insertOne(owner.id, `insert into zones (property_id, name) values ($1, 'Porch')`, [cabin]);
    const cabinAsset = await insertOne(owner.id, `insert into assets (property_id, name) values ($1, 'Stove')`, [cabin]);
    const cabinTask = await insertOne(owner.id, `insert into maintenance_tasks (property_id, title) values ($1, 'Sweep')`, [cabin]);
    const cases = [
      [`insert into assets (property_id, zone_id, name) values ($1, $2, 'Lamp')`, [house, cabinZone]],
      [`insert into maintenance_tasks (property_id, asset_id, title) values ($1, $2, 'Oil')`, [house, cabinAsset]],
      [`insert into logs (property_id, task_id) values ($1, $2)`, [house, cabinTask]],
      [`insert into logs (property_id, asset_id) values ($1, $2)`, [house, cabinAsset]],
      [`insert into supplies (property_id, asset_id, name) values ($1, $2, 'Wood')`, [house, cabinAsset]],
      [`insert into documents (property_id, asset_id, title, storage_path) values ($1, $2, 'Manual', $1::uuid::text || '/m.pdf')`, [house, cabinAsset]],
    ] as const;
    for (const [sql, values] of cases) expect(await haven.failure(owner.id, sql, [...values]), sql).toBe('23503');
    // the service key is held to the same schema
    expect(await haven.failure('service_role', cases[0][0], [...cases[0][1]])).toBe('23503');

    for (const path of [`${cabin}/manual.pdf`, `${owner.id}/manual.pdf`, `${house}/`, `${house}/../${cabin}/x.pdf`, `${house}x/y.pdf`]) {
      expect(await haven.failure(owner.id, `insert into documents (property_id, title, storage_path) values ($1, 'Manual', $2)`, [house, path]), path).toBe('23514');
    }
    expect(await haven.failure(owner.id, `insert into documents (property_id, title, storage_path) values ($1, 'Manual', $1::uuid::text || '/manuals/stove.pdf')`, [house])).toBe('ok');
  });

  it('keeps captures personal, about a property of their creator only', async () => {
    await haven.query(member.id, `insert into captures (property_id, kind, body) values ($1, 'text', 'the tap drips')`, [house]);
    expect(await haven.query(member.id, `select body from captures`)).toEqual([{ body: 'the tap drips' }]);
    expect(await haven.query(owner.id, `select body from captures`)).toEqual([]);
    expect(await haven.failure(stranger.id, `insert into captures (property_id, kind, body) values ($1, 'text', 'sneaky')`, [house])).toBe('42501');
    expect(await haven.failure(stranger.id, `insert into captures (kind, body) values ('text', 'mine')`)).toBe('ok');
    expect(await haven.failure(stranger.id, `insert into captures (owner_id, kind, body) values ($1, 'text', 'as someone else')`, [member.id])).toBe('42501');
    expect((await haven.query('service_role', `select count(*)::int as n from captures`))[0]).toEqual({ n: 2 });
  });

  it("opens documents/<property id>/ to the property's members and captures/<user id>/ to that user, in storage", async () => {
    const put = (caller: string, bucket: string, name: string) =>
      haven.failure(caller, `insert into storage.objects (bucket_id, name, owner_id) values ($1, $2, $3)`, [bucket, name, caller]);
    const visible = async (caller: string, bucket: string, prefix: string) =>
      (await haven.query<{ name: string }>(caller, `select name from storage.objects where bucket_id = $1 and name like $2 || '%' order by name`, [bucket, prefix])).map((row) => row.name);

    expect(await put(owner.id, 'documents', `${house}/deed.pdf`)).toBe('ok');
    expect(await put(member.id, 'documents', `${house}/receipts/boiler.pdf`)).toBe('ok');
    expect(await visible(member.id, 'documents', house)).toEqual([`${house}/deed.pdf`, `${house}/receipts/boiler.pdf`]);
    expect(await visible(owner.id, 'documents', house)).toEqual([`${house}/deed.pdf`, `${house}/receipts/boiler.pdf`]);
    expect(await visible(stranger.id, 'documents', house)).toEqual([]);
    expect(await put(stranger.id, 'documents', `${house}/virus.pdf`)).toBe('42501');
    // a user's own folder is no place for documents any more, and no one else's folder is a place for captures
    expect(await put(owner.id, 'documents', `${owner.id}/deed.pdf`)).toBe('42501');
    expect(await put(member.id, 'captures', `${member.id}/photo.jpg`)).toBe('ok');
    expect(await put(owner.id, 'captures', `${member.id}/photo2.jpg`)).toBe('42501');
    expect(await visible(owner.id, 'captures', member.id)).toEqual([]);
    expect(await haven.query(stranger.id, `update storage.objects set name = $2 || '/stolen.pdf' where name = $1 returning name`, [`${house}/deed.pdf`, stranger.id])).toEqual([]);
  });

  it('reads the catalogue for everyone signed in, and lets no request role write it', async () => {
    await haven.admin.query(`insert into asset_templates (key, name, category) values ('test_kettle', 'Kettle', 'appliance') on conflict do nothing`);
    expect(await haven.query(stranger.id, `select name from asset_templates where key = 'test_kettle'`)).toEqual([{ name: 'Kettle' }]);
    for (const caller of [stranger.id, 'service_role', 'anon']) {
      expect(await haven.failure(caller, `insert into asset_templates (key, name, category) values ('x', 'X', 'y')`), caller).toBe('42501');
      expect(await haven.failure(caller, `update asset_templates set name = 'X'`), caller).toBe('42501');
      expect(await haven.failure(caller, `delete from asset_templates`), caller).toBe('42501');
    }
    expect(await haven.failure('anon', `select * from asset_templates`)).toBe('42501');
  });

  describe('members, through the RPCs', () => {
    it('invites: owners only, with a valid address and role; again, to change the role', async () => {
      const guest = await haven.user('guest');
      expect(await haven.failure(member.id, `select invite_member($1, $2)`, [house, guest.email])).toBe('42501');
      expect(await haven.failure(stranger.id, `select invite_member($1, $2)`, [house, guest.email])).toBe('P0002');
      expect(await haven.failure('anon', `select invite_member($1, $2)`, [house, guest.email])).toBe('42501');
      expect(await haven.failure(owner.id, `select invite_member($1, $2)`, [crypto.randomUUID(), guest.email])).toBe('P0002');
      expect(await haven.failure(owner.id, `select invite_member(null, $1)`, [guest.email])).toBe('22023');
      for (const email of [null, '', 'not an address', 'a@b', `${'x'.repeat(250)}@example.com`]) {
        expect(await haven.failure(owner.id, `select invite_member($1, $2)`, [house, email]), String(email)).toBe('22023');
      }
      expect(await haven.failure(owner.id, `select invite_member($1, $2, 'admin')`, [house, guest.email])).toBe('22023');

      expect(await haven.query(owner.id, `select user_id, role from invite_member($1, $2, 'owner')`, [house, guest.email])).toEqual([{ user_id: guest.id, role: 'owner' }]);
      expect(await haven.query(owner.id, `select user_id, role from invite_member($1, $2, 'member')`, [house, ` ${guest.email} `])).toEqual([{ user_id: guest.id, role: 'member' }]);
      expect((await haven.admin.query(`select count(*)::int as n from property_members where property_id = $1 and user_id = $2`, [house, guest.id])).rows).toEqual([{ n: 1 }]);
      // the service key may manage any household
      expect(await haven.query('service_role', `select role from set_member_role($1, $2, 'owner')`, [house, guest.id])).toEqual([{ role: 'owner' }]);
      await haven.query(owner.id, `select remove_member($1, $2)`, [house, guest.id]);
    });

    it("shows the household's members to each other with their addresses, and nothing to anyone else", async () => {
      const waiting = `waiting-${crypto.randomUUID().slice(0, 8)}@haven.example.com`;
      await haven.query(owner.id, `select invite_member($1, $2)`, [house, waiting]);
      const sql = `select user_id, role, email, pending, joined_at is not null as joined from household_members($1)`;
      const household = [
        { user_id: owner.id, role: 'owner', email: owner.email, pending: false, joined: true },
        { user_id: member.id, role: 'member', email: member.email, pending: false, joined: true },
        { user_id: null, role: 'member', email: waiting, pending: true, joined: false },
      ];
      expect(await haven.query(owner.id, sql, [house])).toEqual(household);
      expect(await haven.query(member.id, sql, [house])).toEqual(household);
      expect(await haven.query('service_role', sql, [house])).toEqual(household);

      expect(await haven.failure(stranger.id, sql, [house])).toBe('P0002');
      expect(await haven.failure(owner.id, sql, [crypto.randomUUID()])).toBe('P0002');
      expect(await haven.failure('anon', sql, [house])).toBe('42501');
      expect(await haven.failure(owner.id, sql, [null])).toBe('22023');
      await haven.query(owner.id, `select revoke_invitation($1, $2)`, [house, waiting]);
    });

    it('turns an invitation into a membership when its address signs up confirmed, confirms, or signs in', async () => {
      const email = `later-${crypto.randomUUID().slice(0, 8)}@haven.example.com`;
      const pending = await haven.query<{ user_id: string | null; invited_email: string }>(owner.id, `select user_id, invited_email from invite_member($1, $2)`, [house, email.toUpperCase()]);
      expect(pending).toEqual([{ user_id: null, invited_email: email }]);
      // pending invitations are visible to the household, and can be taken back
      expect(await haven.query(member.id, `select invited_email from property_members where property_id = $1 and user_id is null`, [house])).toEqual([{ invited_email: email }]);

      // signed up, not yet confirmed: still pending; confirmed: a member
      const { rows } = await haven.admin.query<{ id: string }>(`insert into auth.users (id, email, created_at) values (gen_random_uuid(), $1, now()) returning id`, [email]);
      const newcomer = rows[0]!.id;
      expect(await haven.query(newcomer, `select count(*)::int as n from properties where id = $1`, [house])).toEqual([{ n: 0 }]);
      await haven.admin.query(`update auth.users set email_confirmed_at = now() where id = $1`, [newcomer]);
      expect(await haven.query(newcomer, `select name from properties where id = $1`, [house])).toEqual([{ name: 'Maple House' }]);
      expect(await haven.query(owner.id, `select role, joined_at is not null as joined from property_members where property_id = $1 and user_id = $2`, [house, newcomer])).toEqual([
        { role: 'member', joined: true },
      ]);

      // an address that signs up already confirmed (no confirmation mail) joins at once
      const quick = `quick-${crypto.randomUUID().slice(0, 8)}@haven.example.com`;
      await haven.query(owner.id, `select invite_member($1, $2)`, [house, quick]);
      const joined = await haven.admin.query<{ id: string }>(`insert into auth.users (id, email, email_confirmed_at) values (gen_random_uuid(), $1, now()) returning id`, [quick]);
      expect(await haven.query(joined.rows[0]!.id, `select count(*)::int as n from maintenance_tasks where property_id = $1`, [house])).toEqual([{ n: 1 }]);

      const unwanted = `unwanted-${crypto.randomUUID().slice(0, 8)}@haven.example.com`;
      await haven.query(owner.id, `select invite_member($1, $2)`, [house, unwanted]);
      expect(await haven.failure(member.id, `select revoke_invitation($1, $2)`, [house, unwanted])).toBe('42501');
      expect(await haven.failure(owner.id, `select revoke_invitation($1, $2)`, [house, 'nobody@haven.example.com'])).toBe('P0002');
      expect(await haven.failure(owner.id, `select revoke_invitation($1, $2)`, [house, unwanted])).toBe('ok');
      await haven.admin.query(`insert into auth.users (id, email, email_confirmed_at) values (gen_random_uuid(), $1, now())`, [unwanted]);
      expect((await haven.admin.query(`select count(*)::int as n from property_members where invited_email = $1`, [unwanted])).rows).toEqual([{ n: 0 }]);

      for (const id of [newcomer, joined.rows[0]!.id]) await haven.query(owner.id, `select remove_member($1, $2)`, [house, id]);
    });

    it('removes: owners anyone, members themselves, never the last owner', async () => {
      const [first, second, third] = [await haven.user('first'), await haven.user('second'), await haven.user('third')];
      const home = await insertOne(first.id, `insert into properties (name) values ('Shared')`, []);
      await haven.query(first.id, `select invite_member($1, $2), invite_member($1, $3)`, [home, second.email, third.email]);

      expect(await haven.failure(second.id, `select remove_member($1, $2)`, [home, third.id])).toBe('42501');
      expect(await haven.failure(stranger.id, `select remove_member($1, $2)`, [home, stranger.id])).toBe('P0002');
      expect(await haven.failure('anon', `select remove_member($1, $2)`, [home, second.id])).toBe('42501');
      expect(await haven.failure(first.id, `select remove_member($1, null)`, [home])).toBe('22023');
      expect(await haven.failure(first.id, `select remove_member($1, $2)`, [home, stranger.id])).toBe('P0002');
      // the last owner can neither leave nor stop being owner
      expect(await haven.failure(first.id, `select remove_member($1, $2)`, [home, first.id])).toBe('42501');
      expect(await haven.failure(first.id, `select set_member_role($1, $2, 'member')`, [home, first.id])).toBe('42501');
      expect(await haven.failure(second.id, `select set_member_role($1, $2, 'owner')`, [home, second.id])).toBe('42501');

      expect(await haven.failure(third.id, `select remove_member($1, $2)`, [home, third.id])).toBe('ok');
      expect(await haven.query(third.id, `select count(*)::int as n from properties where id = $1`, [home])).toEqual([{ n: 0 }]);

      // with a second owner the creator may leave: owner_id passes to the owner who stays
      await haven.query(first.id, `select set_member_role($1, $2, 'owner')`, [home, second.id]);
      expect(await haven.failure(first.id, `select remove_member($1, $2)`, [home, first.id])).toBe('ok');
      expect(await haven.query(second.id, `select owner_id from properties where id = $1`, [home])).toEqual([{ owner_id: second.id }]);
      expect(await haven.query(first.id, `select count(*)::int as n from properties where id = $1`, [home])).toEqual([{ n: 0 }]);
    });

    it('hands a property on when its last owner deletes their account, and deletes one nobody is left in', async () => {
      const [solo, heir, alone] = [await haven.user('solo'), await haven.user('heir'), await haven.user('alone')];
      const shared = await insertOne(solo.id, `insert into properties (name) values ('Inherited')`, []);
      await haven.query(solo.id, `select invite_member($1, $2)`, [shared, heir.email]);
      const lonely = await insertOne(alone.id, `insert into properties (name) values ('Lonely')`, []);
      await insertOne(alone.id, `insert into zones (property_id, name) values ($1, 'Room')`, [lonely]);

      await haven.admin.query(`delete from auth.users where id = any($1::uuid[])`, [[solo.id, alone.id]]);
      expect(await haven.query(heir.id, `select p.owner_id, m.role from properties p join property_members m on m.property_id = p.id where p.id = $1`, [shared])).toEqual([
        { owner_id: heir.id, role: 'owner' },
      ]);
      expect((await haven.admin.query(`select (select count(*) from properties where id = $1)::int as properties, (select count(*) from zones where property_id = $1)::int as zones`, [lonely])).rows).toEqual([
        { properties: 0, zones: 0 },
      ]);
    });
  });

  it("reaches a project made before households: each property's owner becomes its first member, every row kept", async () => {
    const platform = await createTestPlatform();
    const folder = await mkdtemp(join(tmpdir(), 'launchdb-haven-upgrade-'));
    try {
      await cp(join(APP_TEMPLATES_FOLDER, 'haven'), join(folder, 'haven'), { recursive: true });
      for (const file of await readdir(join(folder, 'haven'))) if (/^\d+/.test(file) && Number(file.slice(0, 4)) > 2) await rm(join(folder, 'haven', file));
      const id = randomProjectId();
      platform.created.add(id);
      const before = platform.provisioner({ templates: new ProjectTemplates({ apps: folder }) });
      await before.create({ id, name: 'old haven', template: 'haven' });
      const url = withDatabase(inject('postgresUrl'), projectNames(id).database);
      await withClient(url, (client) =>
        client.query(`
          insert into auth.users (id, email, email_confirmed_at) values ('00000000-0000-0000-0000-0000000000a1', 'old@haven.example.com', now());
          insert into properties (id, owner_id, name) values ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-0000000000a1', 'Old house');
          -- a row of a user the auth service never had (made before it existed)
          insert into properties (id, owner_id, name) values ('00000000-0000-0000-0000-0000000000b2', '00000000-0000-0000-0000-0000000000ff', 'Ghost house');
          insert into zones (id, owner_id, property_id, name) values ('00000000-0000-0000-0000-0000000000c1', '00000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-0000000000b1', 'Cellar');
          insert into documents (owner_id, property_id, title, storage_path) values ('00000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-0000000000b1', 'Old deed', '00000000-0000-0000-0000-0000000000a1/deed.pdf');
        `),
      );
      await platform.provisioner().upgradeTemplates();
      const after = await withClient(url, async (client) => {
        const members = await client.query(`select property_id, user_id, role from property_members`);
        const zones = await client.query(`select name, created_by from zones`);
        const applied = await client.query(`select count(*)::int as n from launchdb.app_template_migrations`);
        return { members: members.rows, zones: zones.rows, applied: applied.rows[0].n };
      });
      expect(after).toEqual({
        members: [{ property_id: '00000000-0000-0000-0000-0000000000b1', user_id: '00000000-0000-0000-0000-0000000000a1', role: 'owner' }],
        zones: [{ name: 'Cellar', created_by: '00000000-0000-0000-0000-0000000000a1' }],
        applied: (await readdir(join(APP_TEMPLATES_FOLDER, 'haven'))).filter((file) => /^\d+_.*\.sql$/.test(file)).length,
      });
    } finally {
      await platform.close();
      await rm(folder, { recursive: true, force: true });
    }
  });
});
