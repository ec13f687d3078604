import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withClient } from '@launchdb/common';
import type { ServiceTestProject } from '../../test/service-projects.ts';
import { startStorageTestbed, type StorageTestbed } from './testing/storage-testbed.ts';

describe('storage: text PostgreSQL cannot store is refused at the edge, in Supabase Storage shape', () => {
  let bed: StorageTestbed;
  let project: ServiceTestProject;

  beforeAll(async () => {
    bed = await startStorageTestbed('fs');
    project = await bed.projects.createProject();
    expect((await bed.client(project).createBucket('docs')).error).toBeNull();
  });
  afterAll(() => bed?.close());

  const send = async (method: string, path: string, init: { body?: string; contentType?: string } = {}) => {
    const headers: Record<string, string> = { apikey: project.anonKey, authorization: `Bearer ${project.serviceKey}` };
    if (init.contentType !== undefined) headers['content-type'] = init.contentType;
    const response = await fetch(`${bed.storageUrl(project.id)}${path}`, { method, headers, ...(init.body !== undefined ? { body: init.body } : {}) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const stored = async () => {
    const rows = await withClient(project.adminUrl, async (client) => (await client.query('select (select count(*) from storage.objects) + (select count(*) from storage.buckets) as n')).rows[0].n);
    const files = await readdir(bed.fsRoot!, { recursive: true }).catch(() => []);
    return { rows: Number(rows), files: files.length };
  };

  it('answers an object name with NUL as an invalid key, and a bucket name with NUL as an invalid bucket name', async () => {
    const before = await stored();
    expect(await send('POST', '/object/docs/notes/a%00b.txt', { body: 'hello', contentType: 'text/plain' })).toEqual({
      status: 400,
      body: { statusCode: '400', code: 'InvalidKey', error: 'InvalidKey', message: 'Invalid key: notes/a\u0000b.txt' },
    });
    expect(await send('GET', '/object/info/docs/a%00')).toMatchObject({ status: 400, body: { code: 'InvalidKey' } });
    expect(await send('GET', '/bucket/do%00cs')).toMatchObject({ status: 400, body: { statusCode: '400', code: 'InvalidBucketName' } });
    expect(await stored()).toEqual(before);
  });

  it('refuses it where the service decodes it itself: base64 x-metadata, multipart fields, resumable upload metadata; nothing is stored or staged', async () => {
    const before = await stored();
    const auth = { apikey: project.anonKey, authorization: `Bearer ${project.serviceKey}` };
    const base64 = (text: string) => Buffer.from(text).toString('base64');
    const raw = await fetch(`${bed.storageUrl(project.id)}/object/docs/raw.txt`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/plain', 'x-metadata': base64('{"room":"\\ud800"}') },
      body: 'hello',
    });
    expect({ status: raw.status, body: await raw.json() }).toEqual({
      status: 400,
      body: { statusCode: '400', code: 'InvalidRequest', error: 'InvalidRequest', message: 'field "metadata.room" contains an unpaired UTF-16 surrogate, which is not valid Unicode' },
    });
    for (const [field, value] of [['metadata', '{"room":"\\u0000"}'], ['cacheControl', 'max-age=1\u0000']]) {
      const form = new FormData();
      form.append(field!, value!);
      form.append('file', new Blob(['hello'], { type: 'text/plain' }), 'f.txt');
      const response = await fetch(`${bed.storageUrl(project.id)}/object/docs/form.txt`, { method: 'POST', headers: auth, body: form });
      expect({ status: response.status, body: await response.json() }).toMatchObject({ status: 400, body: { code: 'InvalidRequest', message: expect.stringContaining('NUL') } });
    }
    for (const metadata of [`bucketName ${base64('do\u0000cs')},objectName ${base64('t.txt')}`, `bucketName ${base64('docs')},objectName ${base64('t.txt')},cacheControl ${base64('x\u0000')}`]) {
      const created = await fetch(`${bed.storageUrl(project.id)}/upload/resumable`, { method: 'POST', headers: { ...auth, 'tus-resumable': '1.0.0', 'upload-length': '5', 'upload-metadata': metadata } });
      expect({ status: created.status, body: await created.json() }).toMatchObject({ status: 400, body: { code: 'InvalidRequest', message: expect.stringContaining('NUL') } });
    }
    expect(await stored()).toEqual(before);
    expect(await readdir(bed.uploadsDir).catch(() => [])).toEqual([]);
  });

  it('answers a URL the router cannot take (not UTF-8, a parameter too long) in Supabase Storage shape', async () => {
    for (const path of ['/object/docs/%ED%A0%80', '/object/info/docs/%zz', `/bucket/${'b'.repeat(200)}`]) {
      const answer = await send('GET', path);
      expect({ path, ...answer }).toMatchObject({ path, status: 400, body: { code: 'InvalidRequest', error: 'InvalidRequest', message: expect.any(String) } });
    }
  });

  it('answers NUL or an unpaired surrogate in a JSON body or the query as an invalid request', async () => {
    const before = await stored();
    expect(await send('POST', '/bucket', { body: '{"name":"new\\u0000bucket"}', contentType: 'application/json' })).toEqual({
      status: 400,
      body: { statusCode: '400', code: 'InvalidRequest', error: 'InvalidRequest', message: 'body field "name" contains a NUL character (\\u0000), which cannot be stored' },
    });
    expect(await send('POST', '/object/list/docs', { body: '{"prefix":"\\udc00"}', contentType: 'application/json' })).toMatchObject({
      status: 400,
      body: { code: 'InvalidRequest', message: 'body field "prefix" contains an unpaired UTF-16 surrogate, which is not valid Unicode' },
    });
    expect(await send('GET', '/object/docs/a.txt?download=%00')).toMatchObject({ status: 400, body: { code: 'InvalidRequest', message: expect.stringContaining('query parameter "download"') } });
    expect(await stored()).toEqual(before);
  });
});
