import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageClient } from '@supabase/storage-js';
import { signHs256 } from '@launchdb/common';
import type { ServiceTestProject } from '../../../../test/service-projects.ts';
import { startStorageTestbed, type BackendKind, type StorageTestbed } from '../../testing/storage-testbed.ts';

describe.each<BackendKind>(['fs', 's3'])('signed URLs on the %s backend (storage-js)', (kind) => {
  let bed: StorageTestbed;
  let project: ServiceTestProject;
  let storage: StorageClient;

  beforeAll(async () => {
    bed = await startStorageTestbed(kind);
    project = await bed.projects.createProject();
    storage = bed.client(project);
    await storage.createBucket('private');
    await storage.from('private').upload('house/plan.txt', 'the plan', { contentType: 'text/plain' });
    await storage.from('private').upload('house/other.txt', 'other', { contentType: 'text/plain' });
  });
  afterAll(() => bed?.close());

  it('downloads with a signed URL and no credentials, as an attachment when asked', async () => {
    const { data, error } = await storage.from('private').createSignedUrl('house/plan.txt', 60);
    expect(error).toBeNull();
    expect(data!.signedUrl).toMatch(new RegExp(`^${bed.storageUrl(project.id)}/object/sign/private/house/plan.txt\\?token=`));
    const response = await fetch(data!.signedUrl);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('the plan');
    expect(response.headers.get('expires')).not.toBeNull();

    const { data: download } = await storage.from('private').createSignedUrl('house/plan.txt', 60, { download: 'plan.txt' });
    const attachment = await fetch(download!.signedUrl);
    expect(attachment.headers.get('content-disposition')).toBe("attachment; filename*=UTF-8''plan.txt");
    await attachment.arrayBuffer();
  });

  it('signs many paths at once, with an error for those that do not exist', async () => {
    const { data } = await storage.from('private').createSignedUrls(['house/plan.txt', 'house/missing.txt'], 60);
    expect(data![0]).toMatchObject({ path: 'house/plan.txt', error: null });
    expect(data![1]).toMatchObject({ path: 'house/missing.txt', signedUrl: null, error: 'Either the object does not exist or you do not have access to it' });
    expect(await (await fetch(data![0]!.signedUrl!)).text()).toBe('the plan');
  });

  it('refuses an altered path, a tampered token and an expired one', async () => {
    const { data } = await storage.from('private').createSignedUrl('house/plan.txt', 60);
    const otherPath = data!.signedUrl.replace('house/plan.txt', 'house/other.txt');
    const altered = await fetch(otherPath);
    expect(altered.status).toBe(400);
    expect(await altered.json()).toMatchObject({ statusCode: '400', code: 'InvalidSignature' });

    const token = new URL(data!.signedUrl).searchParams.get('token')!;
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const forgedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), url: 'private/house/other.txt' })).toString('base64url');
    const tampered = await fetch(`${bed.storageUrl(project.id)}/object/sign/private/house/other.txt?token=${header}.${forgedPayload}.${signature}`);
    expect(tampered.status).toBe(400);
    expect(await tampered.json()).toMatchObject({ statusCode: '400', code: 'InvalidJWT', message: 'signature verification failed' });

    const expiredToken = await signHs256({ url: 'private/house/plan.txt' }, { secret: project.jwtSecret, expiresInSeconds: -5 });
    const expired = await fetch(`${bed.storageUrl(project.id)}/object/sign/private/house/plan.txt?token=${expiredToken}`);
    expect(await expired.json()).toMatchObject({ statusCode: '400', code: 'InvalidJWT', message: 'jwt expired' });

    const missing = await fetch(`${bed.storageUrl(project.id)}/object/sign/private/house/plan.txt`);
    expect(await missing.json()).toMatchObject({ statusCode: '400', code: 'MissingParameter' });
  });

  it('uploads to a signed upload URL once, for that path only, and overwrites only when the URL allows it', async () => {
    const { data, error } = await storage.from('private').createSignedUploadUrl('inbox/receipt.txt');
    expect(error).toBeNull();
    // whoever holds the URL uploads: no key, no token of their own
    const anonymous = new StorageClient(bed.storageUrl(project.id), {});
    const uploaded = await anonymous.from('private').uploadToSignedUrl('inbox/receipt.txt', data!.token, Buffer.from('receipt'), { contentType: 'text/plain' });
    expect(uploaded.error).toBeNull();
    expect(uploaded.data).toMatchObject({ path: 'inbox/receipt.txt', fullPath: 'private/inbox/receipt.txt' });
    expect(await (await storage.from('private').download('inbox/receipt.txt')).data!.text()).toBe('receipt');

    const twice = await anonymous.from('private').uploadToSignedUrl('inbox/receipt.txt', data!.token, Buffer.from('again'), { contentType: 'text/plain' });
    expect(twice.error).toMatchObject({ statusCode: '409' });
    const elsewhere = await anonymous.from('private').uploadToSignedUrl('inbox/other.txt', data!.token, Buffer.from('x'), { contentType: 'text/plain' });
    expect(elsewhere.error).toMatchObject({ statusCode: '400', message: 'The url do not match the signature' });

    const { data: upsertable } = await storage.from('private').createSignedUploadUrl('inbox/receipt.txt', { upsert: true });
    expect((await anonymous.from('private').uploadToSignedUrl('inbox/receipt.txt', upsertable!.token, Buffer.from('v2'), { contentType: 'text/plain' })).error).toBeNull();
    expect(await (await storage.from('private').download('inbox/receipt.txt')).data!.text()).toBe('v2');

    // a download token does not open the upload route
    const { data: download } = await storage.from('private').createSignedUrl('house/plan.txt', 60);
    const downloadToken = new URL(download!.signedUrl).searchParams.get('token')!;
    const misuse = await anonymous.from('private').uploadToSignedUrl('house/plan.txt', downloadToken, Buffer.from('x'), { contentType: 'text/plain' });
    expect(misuse.error).toMatchObject({ statusCode: '400' });
    expect(await (await storage.from('private').download('house/plan.txt')).data!.text()).toBe('the plan');
  });
});
