import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchV2Options, SearchV2Result, StorageClient } from '@supabase/storage-js';
import { withClient } from '@launchdb/common';
import type { ServiceTestProject } from '../../../../test/service-projects.ts';
import { startStorageTestbed, type StorageTestbed } from '../../testing/storage-testbed.ts';

/** Every page of a listV2, followed by its cursor. */
async function allPages(storage: StorageClient, bucket: string, options: SearchV2Options): Promise<SearchV2Result[]> {
  const pages: SearchV2Result[] = [];
  let cursor: string | undefined;
  do {
    const { data, error } = await storage.from(bucket).listV2({ ...options, ...(cursor === undefined ? {} : { cursor }) });
    expect(error).toBeNull();
    pages.push(data!);
    if (data!.hasNext) expect(data!.nextCursor).toEqual(expect.any(String));
    else expect(data!.nextCursor).toBeUndefined();
    cursor = data!.nextCursor;
  } while (pages.at(-1)!.hasNext);
  return pages;
}

const names = (pages: SearchV2Result[], kind: 'objects' | 'folders') => pages.flatMap((page) => page[kind].map((entry) => entry.name));

describe('listV2 (POST /object/list-v2/:bucket)', () => {
  let bed: StorageTestbed;
  let project: ServiceTestProject;
  let storage: StorageClient;
  // created in this order, so created_at sorts them so
  const created = ['b.txt', 'a/2.txt', 'A.txt', 'a/1.txt', 'a.txt', 'c/deep/x.txt', 'a/sub/3.txt', 'w_1.txt', 'wx1.txt'];
  const byName = [...created].sort();

  beforeAll(async () => {
    bed = await startStorageTestbed('fs');
    project = await bed.projects.createProject();
    storage = bed.client(project);
    await storage.createBucket('tree');
    for (const name of created) expect((await storage.from('tree').upload(name, name, { contentType: 'text/plain' })).error).toBeNull();
  });
  afterAll(() => bed?.close());

  it('lists every object flat, in byte order, a page at a time with a cursor', async () => {
    const pages = await allPages(storage, 'tree', { limit: 2 });
    expect(pages).toHaveLength(Math.ceil(created.length / 2));
    expect(names(pages, 'objects')).toEqual(byName);
    expect(names(pages, 'folders')).toEqual([]);
    const first = pages[0]!.objects[0]!;
    expect(first).toMatchObject({ name: 'A.txt', id: expect.stringMatching(/^[0-9a-f-]{36}$/), metadata: { size: 5, mimetype: 'text/plain' } });
    expect(first.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(first.updated_at).toMatch(/Z$/);
  });

  it('groups by folder with with_delimiter, folders and files paged together in name order', async () => {
    const pages = await allPages(storage, 'tree', { with_delimiter: true, limit: 3 });
    // A.txt a.txt a/ | b.txt c/ w_1.txt | wx1.txt  ('.' sorts before '/')
    expect(pages.map((page) => [page.objects.length, page.folders.length])).toEqual([
      [2, 1],
      [2, 1],
      [1, 0],
    ]);
    expect(names(pages, 'objects')).toEqual(['A.txt', 'a.txt', 'b.txt', 'w_1.txt', 'wx1.txt']);
    expect(names(pages, 'folders')).toEqual(['a/', 'c/']);
    expect(pages[0]!.folders[0]).toMatchObject({ name: 'a/', key: 'a', id: null });

    const inA = await allPages(storage, 'tree', { with_delimiter: true, prefix: 'a/' });
    expect(names(inA, 'objects')).toEqual(['a/1.txt', 'a/2.txt']);
    expect(names(inA, 'folders')).toEqual(['a/sub/']);
    expect(inA[0]!.objects[0]).toMatchObject({ key: '1.txt' });
  });

  it('takes the prefix literally (no wildcards), and any prefix, not only a folder', async () => {
    expect(names(await allPages(storage, 'tree', { prefix: 'w_' }), 'objects')).toEqual(['w_1.txt']);
    expect(names(await allPages(storage, 'tree', { prefix: '%' }), 'objects')).toEqual([]);
    expect(names(await allPages(storage, 'tree', { prefix: 'a' }), 'objects')).toEqual(['a.txt', 'a/1.txt', 'a/2.txt', 'a/sub/3.txt']);
    const delimited = await allPages(storage, 'tree', { prefix: 'a', with_delimiter: true });
    expect(names(delimited, 'objects')).toEqual(['a.txt']);
    expect(names(delimited, 'folders')).toEqual(['a/']);
  });

  it('sorts by name, created_at or updated_at, either way, across pages', async () => {
    expect(names(await allPages(storage, 'tree', { limit: 4, sortBy: { column: 'name', order: 'desc' } }), 'objects')).toEqual([...byName].reverse());
    expect(names(await allPages(storage, 'tree', { limit: 2, sortBy: { column: 'created_at', order: 'asc' } }), 'objects')).toEqual(created);
    expect(names(await allPages(storage, 'tree', { limit: 3, sortBy: { column: 'created_at', order: 'desc' } }), 'objects')).toEqual([...created].reverse());
    // a folder sorts by its oldest object, among the files
    const delimited = await allPages(storage, 'tree', { limit: 2, with_delimiter: true, sortBy: { column: 'created_at', order: 'asc' } });
    expect(delimited.map((page) => [...page.folders, ...page.objects].map((entry) => entry.name).sort())).toEqual([
      ['a/', 'b.txt'],
      ['A.txt', 'a.txt'],
      ['c/', 'w_1.txt'],
      ['wx1.txt'],
    ]);
    await storage.from('tree').upload('b.txt', 'again', { contentType: 'text/plain', upsert: true });
    const updated = [...created.filter((name) => name !== 'b.txt'), 'b.txt'];
    expect(names(await allPages(storage, 'tree', { limit: 2, sortBy: { column: 'updated_at' } }), 'objects')).toEqual(updated);
  });

  it('lists only what the caller may see: folders come from visible objects only', async () => {
    await storage.createBucket('homes');
    const owner = randomUUID();
    const other = randomUUID();
    for (const name of [`${owner}/kitchen/oven.pdf`, `${owner}/roof.pdf`, `${other}/secret/plan.pdf`]) {
      expect((await storage.from('homes').upload(name, 'x', { contentType: 'application/pdf' })).error).toBeNull();
    }
    await withClient(project.adminUrl, (client) =>
      client.query(`create policy "own folder" on storage.objects for select to authenticated
        using (bucket_id = 'homes' and (storage.foldername(name))[1] = auth.uid()::text)`),
    );
    const user = bed.client(project, await project.token({ sub: owner }));
    const top = await allPages(user, 'homes', { with_delimiter: true });
    expect(names(top, 'folders')).toEqual([`${owner}/`]);
    expect(names(await allPages(user, 'homes', {}), 'objects')).toEqual([`${owner}/kitchen/oven.pdf`, `${owner}/roof.pdf`]);
    expect(names(await allPages(bed.client(project, project.anonKey), 'homes', {}), 'objects')).toEqual([]);
  });

  it('answers a cursor it did not make with 400', async () => {
    const { error } = await storage.from('tree').listV2({ cursor: 'not a cursor' });
    expect(error).toMatchObject({ statusCode: '400', message: 'Invalid Parameter continuation token' });
  });
});
