import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceTestProject } from '../../../../test/service-projects.ts';
import { startStorageTestbed, type StorageTestbed } from '../../testing/storage-testbed.ts';

describe('bucket routes (storage-js)', () => {
  let bed: StorageTestbed;
  let project: ServiceTestProject;

  beforeAll(async () => {
    bed = await startStorageTestbed('fs');
    project = await bed.projects.createProject();
  });
  afterAll(() => bed?.close());

  it('creates, reads, lists, updates, empties and deletes a bucket with the service key', async () => {
    const storage = bed.client(project);
    expect(await storage.createBucket('manuals', { public: false, fileSizeLimit: '1MB', allowedMimeTypes: ['application/pdf', 'image/*'] })).toEqual({
      data: { name: 'manuals' },
      error: null,
    });
    const { data: bucket } = await storage.getBucket('manuals');
    expect(bucket).toMatchObject({ id: 'manuals', name: 'manuals', public: false, file_size_limit: 1_000_000, allowed_mime_types: ['application/pdf', 'image/*'] });
    expect(typeof bucket!.created_at).toBe('string');

    const { data: listed } = await storage.listBuckets();
    expect(listed!.map((b) => b.id)).toContain('manuals');

    expect((await storage.updateBucket('manuals', { public: true, fileSizeLimit: null as unknown as number, allowedMimeTypes: [] })).data).toEqual({ message: 'Successfully updated' });
    expect((await storage.getBucket('manuals')).data).toMatchObject({ public: true, file_size_limit: null, allowed_mime_types: null });

    await storage.from('manuals').upload('a.txt', 'hello', { contentType: 'text/plain' });
    const notEmpty = await storage.deleteBucket('manuals');
    expect(notEmpty.error).toMatchObject({ status: 400, statusCode: '409', message: 'The bucket you tried to delete is not empty' });

    expect((await storage.emptyBucket('manuals')).error).toBeNull();
    expect((await storage.from('manuals').list()).data).toEqual([]);
    expect((await storage.deleteBucket('manuals')).data).toEqual({ message: 'Successfully deleted' });
    expect((await storage.getBucket('manuals')).error).toMatchObject({ status: 400, statusCode: '404', message: 'Bucket not found' });
  });

  it("answers buckets in Supabase's shape: ISO timestamps in UTC, no owner_id", async () => {
    const storage = bed.client(project);
    await storage.createBucket('shaped', { public: true });
    const { data: bucket } = await storage.getBucket('shaped');
    expect(Object.keys(bucket!).sort()).toEqual(['allowed_mime_types', 'created_at', 'file_size_limit', 'id', 'name', 'owner', 'public', 'updated_at']);
    expect(bucket!.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(bucket!.updated_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const listed = (await storage.listBuckets()).data!.find((entry) => entry.id === 'shaped')!;
    expect(listed).not.toHaveProperty('owner_id');
    expect(listed.created_at).toBe(bucket!.created_at);
  });

  it("empties a bucket with Supabase's answer", async () => {
    const storage = bed.client(project);
    await storage.createBucket('emptied');
    await storage.from('emptied').upload('a.txt', 'a', { contentType: 'text/plain' });
    expect(await storage.emptyBucket('emptied')).toEqual({ data: { message: 'Empty bucket has been queued. Completion may take up to an hour.' }, error: null });
    expect((await storage.from('emptied').list()).data).toEqual([]);
  });

  it("reads size limits in decimal units, as Supabase: '20mb' is 20 000 000 bytes", async () => {
    const storage = bed.client(project);
    expect((await storage.createBucket('sized', { public: false, fileSizeLimit: '20mb' })).error).toBeNull();
    expect((await storage.getBucket('sized')).data).toMatchObject({ file_size_limit: 20_000_000 });
    expect((await storage.updateBucket('sized', { public: false, fileSizeLimit: '5KB' })).error).toBeNull();
    expect((await storage.getBucket('sized')).data).toMatchObject({ file_size_limit: 5000 });
    expect((await storage.from('sized').upload('fits.bin', Buffer.alloc(5000))).error).toBeNull();
    expect((await storage.from('sized').upload('over.bin', Buffer.alloc(5001))).error).toMatchObject({ statusCode: '413' });
  });

  it('answers a duplicate, an invalid name and a bad size limit as Supabase does', async () => {
    const storage = bed.client(project);
    await storage.createBucket('receipts');
    const duplicate = await storage.createBucket('receipts');
    expect(duplicate.error).toMatchObject({ status: 400, statusCode: '409', message: 'The resource already exists' });

    const response = await fetch(`${bed.storageUrl(project.id)}/bucket`, {
      method: 'POST',
      headers: { authorization: `Bearer ${project.serviceKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: '../etc' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ statusCode: '400', code: 'InvalidBucketName', error: 'Invalid Input' });

    const badLimit = await storage.createBucket('weird', { public: false, fileSizeLimit: 'lots' });
    expect(badLimit.error).toMatchObject({ statusCode: '400', message: 'Invalid file size format, hint: use 20GB / 20MB / 30KB / 3B' });
  });

  it('lists buckets with search, sort and paging', async () => {
    const storage = bed.client(project);
    for (const id of ['zeta-photos', 'alpha-photos', 'mid-docs']) await storage.createBucket(id);
    const { data } = await storage.listBuckets({ search: 'photos', sortColumn: 'name', sortOrder: 'desc' });
    expect(data!.map((b) => b.id)).toEqual(['zeta-photos', 'alpha-photos']);
    const { data: page } = await storage.listBuckets({ search: 'photos', sortColumn: 'name', sortOrder: 'asc', limit: 1, offset: 1 });
    expect(page!.map((b) => b.id)).toEqual(['zeta-photos']);
  });

  it('lets row-level security decide: no policy means anon and users see and create nothing', async () => {
    const user = bed.client(project, await project.token({ sub: '0b0d5c2e-5e3f-4c57-8d0a-0d1e6f1d4a11' }));
    expect((await user.listBuckets()).data).toEqual([]);
    const refused = await user.createBucket('mine');
    expect(refused.error).toMatchObject({ status: 400, statusCode: '403', message: 'new row violates row-level security policy' });
    const anon = bed.client(project, project.anonKey);
    expect((await anon.getBucket('receipts')).error).toMatchObject({ statusCode: '404' });
  });

  it('refuses callers without credentials, with a bad or expired token, or a role it does not know', async () => {
    const base = bed.storageUrl(project.id);
    const none = await fetch(`${base}/bucket`);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ statusCode: '401', error: 'Unauthorized' });

    const expired = await fetch(`${base}/bucket`, { headers: { authorization: `Bearer ${await project.token({}, { expiresInSeconds: -10 })}` } });
    expect(expired.status).toBe(400);
    expect(await expired.json()).toEqual({ statusCode: '403', code: 'AccessDenied', error: 'Unauthorized', message: '"exp" claim timestamp check failed' });

    const forged = await fetch(`${base}/bucket`, { headers: { authorization: `Bearer ${await project.token({}, { secret: 'x'.repeat(40) })}` } });
    expect((await forged.json()).statusCode).toBe('403');

    const admin = await fetch(`${base}/bucket`, { headers: { authorization: `Bearer ${await project.token({ role: 'postgres' })}` } });
    expect(admin.status).toBe(403);

    // a live apikey alone stands in as the bearer
    const withKey = await fetch(`${base}/bucket?apikey=${project.serviceKey}`);
    expect(withKey.status).toBe(200);
    expect(withKey.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('answers unknown projects with 404 on both prefixes, and preflights without credentials', async () => {
    const missing = await fetch(`${bed.origin}/storage/nosuchproject/bucket`, { headers: { authorization: `Bearer ${project.serviceKey}` } });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ statusCode: '404', error: 'Not Found' });

    const ours = await fetch(`${bed.origin}/storage/${project.id}/bucket/receipts`, { headers: { authorization: `Bearer ${project.serviceKey}` } });
    expect(await ours.json()).toMatchObject({ id: 'receipts' });

    const preflight = await fetch(`${bed.storageUrl(project.id)}/object/receipts/a.png`, {
      method: 'OPTIONS',
      headers: { origin: 'http://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, x-upsert' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization, x-upsert');
  });
});
