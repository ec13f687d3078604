import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withClient } from '@launchdb/common';
import type { ServiceTestProject } from '../../../../test/service-projects.ts';
import { startStorageTestbed, type StorageTestbed } from '../../testing/storage-testbed.ts';

/** Policies as a Haven project writes them: each homeowner owns the folder named by their auth.uid(). */
const HOMEOWNER_POLICIES = `
  create policy "homeowners read their folder" on storage.objects for select to authenticated
    using (bucket_id = 'homes' and (storage.foldername(name))[1] = auth.uid()::text);
  create policy "homeowners add to their folder" on storage.objects for insert to authenticated
    with check (bucket_id = 'homes' and (storage.foldername(name))[1] = auth.uid()::text);
  create policy "homeowners replace in their folder" on storage.objects for update to authenticated
    using (bucket_id = 'homes' and (storage.foldername(name))[1] = auth.uid()::text);
  create policy "homeowners delete from their folder" on storage.objects for delete to authenticated
    using (bucket_id = 'homes' and (storage.foldername(name))[1] = auth.uid()::text);
  create policy "public buckets are visible" on storage.buckets for select to anon, authenticated using (public);
  create policy "objects of public buckets are readable" on storage.objects for select to anon
    using (bucket_id in (select id from storage.buckets where public));
`;

describe('row-level security decides who reads and writes (storage-js, fs backend)', () => {
  let bed: StorageTestbed;
  let project: ServiceTestProject;
  const alice = randomUUID();
  const bob = randomUUID();

  beforeAll(async () => {
    bed = await startStorageTestbed('fs');
    project = await bed.projects.createProject();
    await withClient(project.adminUrl, (client) => client.query(HOMEOWNER_POLICIES));
    const service = bed.client(project);
    await service.createBucket('homes');
    await service.createBucket('brochures', { public: true });
    await service.from('brochures').upload('welcome.txt', 'welcome', { contentType: 'text/plain' });
  });
  afterAll(() => bed?.close());

  const as = async (sub: string) => bed.client(project, await project.token({ sub, email: `${sub}@example.test` }));

  it('lets a homeowner write, read, replace, list and delete under their own folder', async () => {
    const homes = (await as(alice)).from('homes');
    expect((await homes.upload(`${alice}/manual.pdf`, Buffer.from('boiler'), { contentType: 'application/pdf' })).error).toBeNull();
    expect(await (await homes.download(`${alice}/manual.pdf`)).data!.text()).toBe('boiler');
    expect((await homes.upload(`${alice}/manual.pdf`, Buffer.from('boiler v2'), { contentType: 'application/pdf', upsert: true })).error).toBeNull();
    expect(await (await homes.download(`${alice}/manual.pdf`)).data!.text()).toBe('boiler v2');
    expect((await homes.list(alice)).data!.map((entry) => entry.name)).toEqual(['manual.pdf']);
    await homes.upload(`${alice}/old.txt`, 'old', { contentType: 'text/plain' });
    expect((await homes.remove([`${alice}/old.txt`])).data).toHaveLength(1);

    const owners = await withClient(project.adminUrl, (client) =>
      client.query<{ owner: string; owner_id: string }>(`select owner::text, owner_id from storage.objects where name = $1`, [`${alice}/manual.pdf`]),
    );
    expect(owners.rows).toEqual([{ owner: alice, owner_id: alice }]);
  });

  it("answers another homeowner as Supabase does, and stores none of their bytes", async () => {
    const bobsView = (await as(bob)).from('homes');
    const write = await bobsView.upload(`${alice}/intruder.txt`, Buffer.from('x'), { contentType: 'text/plain' });
    expect(write.error).toMatchObject({ status: 400, statusCode: '403', message: 'new row violates row-level security policy' });
    const overwrite = await bobsView.upload(`${alice}/manual.pdf`, Buffer.from('x'), { contentType: 'application/pdf', upsert: true });
    expect(overwrite.error).toMatchObject({ status: 400, statusCode: '403' });

    const read = await bobsView.download(`${alice}/manual.pdf`);
    expect(read.error).toMatchObject({ status: 400, statusCode: '404', message: 'Object not found' });
    expect((await bobsView.info(`${alice}/manual.pdf`)).error).toMatchObject({ statusCode: '404' });
    expect((await bobsView.list(alice)).data).toEqual([]);
    expect((await bobsView.createSignedUrl(`${alice}/manual.pdf`, 60)).error).toMatchObject({ statusCode: '404' });
    expect((await bobsView.createSignedUploadUrl(`${alice}/planted.txt`)).error).toMatchObject({ statusCode: '403' });
    expect((await bobsView.remove([`${alice}/manual.pdf`])).data).toEqual([]);
    expect((await bobsView.move(`${alice}/manual.pdf`, `${bob}/stolen.pdf`)).error).toMatchObject({ statusCode: '404' });
    expect((await bobsView.copy(`${alice}/manual.pdf`, `${bob}/stolen.pdf`)).error).toMatchObject({ statusCode: '404' });

    const alicesView = (await as(alice)).from('homes');
    expect(await (await alicesView.download(`${alice}/manual.pdf`)).data!.text()).toBe('boiler v2');
    // a moved object may not leave its owner's folder either
    expect((await alicesView.move(`${alice}/manual.pdf`, `${bob}/gift.pdf`)).error).toMatchObject({ statusCode: '403' });
    expect(await (await alicesView.download(`${alice}/manual.pdf`)).data!.text()).toBe('boiler v2');
  });

  it('shows anon only public buckets and their objects', async () => {
    const anon = bed.client(project, project.anonKey);
    expect((await anon.listBuckets()).data!.map((bucket) => bucket.id)).toEqual(['brochures']);
    expect(await (await anon.from('brochures').download('welcome.txt')).data!.text()).toBe('welcome');
    expect((await anon.from('homes').list(alice)).data).toEqual([]);
    expect((await anon.from('homes').upload('anon.txt', 'x', { contentType: 'text/plain' })).error).toMatchObject({ statusCode: '403' });
  });

  it('lets the service key past every policy', async () => {
    const service = bed.client(project).from('homes');
    expect((await service.list(alice)).data!.map((entry) => entry.name)).toEqual(['manual.pdf']);
    expect((await service.upload(`${bob}/from-support.txt`, 'hi', { contentType: 'text/plain' })).error).toBeNull();
  });
});
