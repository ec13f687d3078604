import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHavenProject, type HavenProject } from './haven-project.ts';

/**
 * What a deletion takes with it, on PostgreSQL: a property its documents' files; an account its
 * captures and their files and its memberships, while what it added to shared homes stays. Files
 * are storage.objects rows here; deleting them queues their bytes (storage.removed_objects) for
 * storage-service, whose sweep is tested in storage-service/src/domain/removed-objects.test.ts.
 */
describe('Haven deletions', () => {
  let haven: HavenProject;

  beforeAll(async () => {
    haven = await createHavenProject();
  }, 60_000);
  afterAll(async () => {
    await haven?.close();
  });

  const home = async (owner: string, name: string): Promise<string> =>
    (await haven.query<{ id: string }>(owner, `insert into properties (name) values ($1) returning id`, [name]))[0]!.id;
  /** An uploaded file's row, as storage-service writes it. */
  const file = async (bucket: 'documents' | 'captures', name: string, owner: string): Promise<string> => {
    const version = randomUUID();
    await haven.admin.query(`insert into storage.objects (bucket_id, name, owner, owner_id, version) values ($1, $2, $3::uuid, $3::text, $4)`, [bucket, name, owner, version]);
    return version;
  };
  const files = async (prefix: string) =>
    (await haven.admin.query<{ name: string; owner: string | null }>(`select bucket_id || '/' || name as name, owner from storage.objects where name like $1 order by 1`, [`${prefix}%`])).rows;
  const queued = async (versions: string[]) =>
    (await haven.admin.query<{ n: number }>(`select count(*)::int as n from storage.removed_objects where version = any($1::text[])`, [versions])).rows[0]!.n;

  it("takes a property's documents' files with it, and nothing of another home", async () => {
    const owner = await haven.user('owner');
    const [deleted, kept] = [await home(owner.id, 'Sold house'), await home(owner.id, 'Kept house')];
    const versions = [await file('documents', `${deleted}/deed.pdf`, owner.id), await file('documents', `${deleted}/scans/roof.jpg`, owner.id)];
    await file('documents', `${kept}/deed.pdf`, owner.id);
    await file('captures', `${owner.id}/photo.jpg`, owner.id);

    expect(await haven.query(owner.id, `delete from properties where id = $1 returning name`, [deleted])).toEqual([{ name: 'Sold house' }]);
    expect(await files(deleted)).toEqual([]);
    expect(await queued(versions)).toBe(2);
    expect((await files(kept)).map((row) => row.name)).toEqual([`documents/${kept}/deed.pdf`]);
    expect((await files(owner.id)).map((row) => row.name)).toEqual([`captures/${owner.id}/photo.jpg`]);
  });

  it("takes a deleted account's captures, their files and its memberships; a home it alone owned passes on or goes; shared rows stay", async () => {
    const [leaving, partner] = [await haven.user('leaving'), await haven.user('partner')];
    const shared = await home(leaving.id, 'Family house');
    await haven.query(leaving.id, `select invite_member($1, $2)`, [shared, partner.email]);
    const alone = await home(leaving.id, 'Cabin');
    const asset = (await haven.query<{ id: string }>(leaving.id, `insert into assets (property_id, name) values ($1, 'Boiler') returning id`, [shared]))[0]!.id;
    await haven.query(leaving.id, `insert into captures (property_id, kind, body) values ($1, 'text', 'boiler noise')`, [shared]);
    const captureFiles = [await file('captures', `${leaving.id}/a.jpg`, leaving.id), await file('captures', `${leaving.id}/b.m4a`, leaving.id)];
    const cabinFile = await file('documents', `${alone}/lease.pdf`, leaving.id);
    await file('documents', `${shared}/boiler-manual.pdf`, leaving.id);

    // admin.deleteUser: the auth service deletes the row
    await haven.admin.query(`delete from auth.users where id = $1`, [leaving.id]);

    expect(await haven.query(partner.id, `select p.name, p.owner_id, m.role from properties p join property_members m on m.property_id = p.id where m.user_id = $1`, [partner.id])).toEqual([
      { name: 'Family house', owner_id: partner.id, role: 'owner' },
    ]);
    expect(await haven.query(partner.id, `select name, created_by from assets where id = $1`, [asset])).toEqual([{ name: 'Boiler', created_by: null }]);
    expect((await haven.admin.query(`select count(*)::int as n from properties where id = $1`, [alone])).rows).toEqual([{ n: 0 }]);
    expect((await haven.admin.query(`select count(*)::int as n from captures where owner_id = $1`, [leaving.id])).rows).toEqual([{ n: 0 }]);
    expect(await files(leaving.id)).toEqual([]);
    expect(await files(alone)).toEqual([]);
    expect(await queued([...captureFiles, cabinFile])).toBe(3);
    // the household's manual stays, no longer naming who uploaded it
    expect(await files(shared)).toEqual([{ name: `documents/${shared}/boiler-manual.pdf`, owner: null }]);
  });

  it('lets a soft-deleted account go the same way, keeping its anonymised row', async () => {
    const [soft, partner] = [await haven.user('soft'), await haven.user('partner')];
    const shared = await home(soft.id, 'Flat');
    await haven.query(soft.id, `select invite_member($1, $2)`, [shared, partner.email]);
    await haven.query(soft.id, `insert into captures (kind, body) values ('text', 'note')`);
    const photo = await file('captures', `${soft.id}/photo.jpg`, soft.id);

    // admin.deleteUser(id, true), as the auth service does it
    await haven.admin.query(`update auth.users set deleted_at = now(), email = null, encrypted_password = '' where id = $1`, [soft.id]);
    expect(await haven.query(partner.id, `select user_id, role from property_members where property_id = $1`, [shared])).toEqual([{ user_id: partner.id, role: 'owner' }]);
    expect((await haven.admin.query(`select count(*)::int as n from captures where owner_id = $1`, [soft.id])).rows).toEqual([{ n: 0 }]);
    expect(await queued([photo])).toBe(1);
  });

  it('deletes the signed-in account with delete_my_account(), and refuses anyone else', async () => {
    const [me, partner] = [await haven.user('me'), await haven.user('partner')];
    const shared = await home(me.id, 'Shared');
    await haven.query(me.id, `select invite_member($1, $2)`, [shared, partner.email]);
    const photo = await file('captures', `${me.id}/photo.jpg`, me.id);

    expect(await haven.failure('anon', `select delete_my_account()`)).toBe('42501');
    expect(await haven.failure('service_role', `select delete_my_account()`)).toBe('42501');
    expect(await haven.failure(me.id, `select delete_my_account()`)).toBe('ok');

    expect((await haven.admin.query(`select count(*)::int as n from auth.users where id = $1`, [me.id])).rows).toEqual([{ n: 0 }]);
    expect(await haven.query(partner.id, `select role from property_members where property_id = $1`, [shared])).toEqual([{ role: 'owner' }]);
    expect(await queued([photo])).toBe(1);
    // its token lives on until it expires, and finds nothing to delete
    expect(await haven.failure(me.id, `select delete_my_account()`)).toBe('P0002');
  });
});
