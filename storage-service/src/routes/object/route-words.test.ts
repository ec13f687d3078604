/**
 * The words of the /object routes (list-v2, sign, info…) share the first path segment with
 * bucket names: `POST /object/list-v2/photos` must never be an upload of `photos` into a bucket
 * called `list-v2`. No bucket may take such a name, and one made by hand in SQL is still never
 * reached through a route word.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withClient } from '@launchdb/common';
import type { ServiceTestProject } from '../../../../test/service-projects.ts';
import { startStorageTestbed, type StorageTestbed } from '../../testing/storage-testbed.ts';

const ROUTE_WORDS = ['authenticated', 'public', 'info', 'sign', 'upload', 'list', 'list-v2', 'move', 'copy'];

describe('route words are never bucket names', () => {
  let bed: StorageTestbed;
  let project: ServiceTestProject;

  beforeAll(async () => {
    bed = await startStorageTestbed('fs');
    project = await bed.projects.createProject();
    await bed.client(project).createBucket('photos');
    expect((await bed.client(project).from('photos').upload('x.txt', 'photo', { contentType: 'text/plain' })).error).toBeNull();
    // buckets made by hand, each holding a row named as the requests below name it
    await withClient(project.adminUrl, async (client) => {
      for (const word of ROUTE_WORDS) {
        await client.query(`insert into storage.buckets (id, name) values ($1, $1)`, [word]);
        await client.query(`insert into storage.objects (bucket_id, name, metadata) values ($1, 'x.txt', '{"size": 1, "mimetype": "text/plain"}')`, [word]);
      }
    });
  });
  afterAll(() => bed?.close());

  const rowsIn = (bucket: string) =>
    withClient(project.adminUrl, async (client) => (await client.query<{ name: string }>(`select name from storage.objects where bucket_id = $1 order by name`, [bucket])).rows.map((row) => row.name));

  it.each(ROUTE_WORDS)('refuses to create a bucket named %s', async (word) => {
    const { error } = await bed.client(project).createBucket(`${word}`);
    expect(error).toMatchObject({ statusCode: '400', message: expect.stringMatching(/^Bucket name invalid/) });
  });

  it.each(ROUTE_WORDS)('never takes %s for a bucket in an object path: nothing stored, read or deleted there', async (word) => {
    const headers = { authorization: `Bearer ${project.serviceKey}` };
    const base = `${bed.storageUrl(project.id)}/object`;
    const requests: Array<[string, string, RequestInit?]> = [
      ['POST', `${base}/${word}/new.txt`, { body: 'intruder', headers: { ...headers, 'content-type': 'text/plain' } }],
      ['PUT', `${base}/${word}/x.txt`, { body: 'intruder', headers: { ...headers, 'content-type': 'text/plain' } }],
      ['GET', `${base}/${word}/x.txt`],
      ['GET', `${base}/info/${word}/x.txt`],
      ['DELETE', `${base}/${word}/x.txt`],
      ['DELETE', `${base}/${word}`, { body: '{"prefixes": ["x.txt"]}', headers: { ...headers, 'content-type': 'application/json' } }],
    ];
    for (const [method, url, init = {}] of requests) {
      const response = await fetch(url, { method, ...init, headers: { ...headers, ...(init.headers as Record<string, string> | undefined) } });
      const text = await response.text();
      // a route the word names answers as that route would (list-v2 of a bucket `new.txt`…); none reaches the bucket `word`
      expect(response.status, `${method} ${url}`).toBeGreaterThanOrEqual(400);
      expect(text, `${method} ${url}`).not.toContain('"Key"');
    }
    expect(await rowsIn(word)).toEqual(['x.txt']);
    expect(await rowsIn('photos')).toEqual(['x.txt']);
  });

  it('lists a bucket with listV2 though a bucket named list-v2 exists', async () => {
    const { data, error } = await bed.client(project).from('photos').listV2();
    expect(error).toBeNull();
    expect(data!.objects.map((object) => object.name)).toEqual(['x.txt']);
    expect(await rowsIn('list-v2')).toEqual(['x.txt']);
  });
});
