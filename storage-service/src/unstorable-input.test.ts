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
