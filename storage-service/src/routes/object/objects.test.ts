import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StorageClient } from '@supabase/storage-js';
import type { ServiceTestProject } from '../../../../test/service-projects.ts';
import { startStorageTestbed, type BackendKind, type StorageTestbed } from '../../testing/storage-testbed.ts';

describe.each<BackendKind>(['fs', 's3'])('object routes on the %s backend (storage-js)', (kind) => {
  let bed: StorageTestbed;
  let project: ServiceTestProject;
  let storage: StorageClient;

  beforeAll(async () => {
    bed = await startStorageTestbed(kind);
    project = await bed.projects.createProject();
    storage = bed.client(project);
    await storage.createBucket('docs', { public: false });
    await storage.createBucket('photos', { public: true, allowedMimeTypes: ['image/*'], fileSizeLimit: 1024 });
  });
  afterAll(() => bed?.close());

  it('uploads a Blob (multipart) and a Buffer (raw body), and downloads them with their type and metadata', async () => {
    const docs = storage.from('docs');
    const blob = new Blob(['%PDF-1.4 manual'], { type: 'application/pdf' });
    const uploaded = await docs.upload('manuals/boiler.pdf', blob, { cacheControl: '60', metadata: { property: 'home' } });
    expect(uploaded.error).toBeNull();
    expect(uploaded.data).toMatchObject({ path: 'manuals/boiler.pdf', fullPath: 'docs/manuals/boiler.pdf' });
    expect(uploaded.data!.id).toMatch(/^[0-9a-f-]{36}$/);

    const raw = await docs.upload('notes/today.txt', Buffer.from('fix the gutter'), { contentType: 'text/plain' });
    expect(raw.error).toBeNull();
    // a JSON file is bytes like any other, never parsed
    expect((await docs.upload('notes/settings.json', '{"rooms": 4', { contentType: 'application/json' })).error).toBeNull();
    expect(await (await docs.download('notes/settings.json')).data!.text()).toBe('{"rooms": 4');

    const { data: pdf } = await docs.download('manuals/boiler.pdf');
    expect(await pdf!.text()).toBe('%PDF-1.4 manual');
    expect(pdf!.type).toBe('application/pdf');

    const response = await fetch(`${bed.storageUrl(project.id)}/object/authenticated/docs/notes/today.txt`, { headers: { authorization: `Bearer ${project.serviceKey}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain');
    expect(response.headers.get('cache-control')).toBe('max-age=3600');
    expect(response.headers.get('etag')).toMatch(/^".+"$/);
    expect(await response.text()).toBe('fix the gutter');

    const { data: info } = await docs.info('manuals/boiler.pdf');
    expect(info).toMatchObject({ name: 'manuals/boiler.pdf', bucketId: 'docs', size: 15, contentType: 'application/pdf', cacheControl: 'max-age=60', metadata: { property: 'home' } });
    // Supabase's info: last_modified is the row's updated_at, and there is no updated_at of its own
    expect(info).not.toHaveProperty('updatedAt');
    expect(info!.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(info!.lastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const listed = (await docs.list('manuals')).data!.find((entry) => entry.name === 'boiler.pdf')!;
    expect(listed.created_at).toBe(info!.createdAt);
    expect(listed.updated_at).toBe(info!.lastModified);
    expect((await docs.exists('manuals/boiler.pdf')).data).toBe(true);
    expect((await docs.exists('manuals/nothing.pdf')).data).toBe(false);
  });

  it('refuses a second upload of a name unless upserting, and replaces the bytes when it does', async () => {
    const docs = storage.from('docs');
    await docs.upload('twice.txt', 'first', { contentType: 'text/plain' });
    const again = await docs.upload('twice.txt', 'second', { contentType: 'text/plain' });
    expect(again.error).toMatchObject({ status: 400, statusCode: '409', message: 'The resource already exists' });
    expect(await (await docs.download('twice.txt')).data!.text()).toBe('first');

    expect((await docs.upload('twice.txt', 'second', { contentType: 'text/plain', upsert: true })).error).toBeNull();
    expect(await (await docs.download('twice.txt')).data!.text()).toBe('second');
    expect((await docs.update('twice.txt', 'third', { contentType: 'text/plain' })).error).toBeNull();
    expect(await (await docs.download('twice.txt')).data!.text()).toBe('third');
  });

  it('enforces the bucket size limit and MIME allow-list before storing, and rejects bad keys', async () => {
    const photos = storage.from('photos');
    const tooBig = await photos.upload('big.png', Buffer.alloc(2048), { contentType: 'image/png' });
    expect(tooBig.error).toMatchObject({ status: 400, statusCode: '413', message: 'The object exceeded the maximum allowed size' });
    const chunked = await photos.upload('big2.png', new Blob([new Uint8Array(2048)], { type: 'image/png' }));
    expect(chunked.error).toMatchObject({ statusCode: '413' });
    const wrongType = await photos.upload('doc.pdf', Buffer.from('x'), { contentType: 'application/pdf' });
    expect(wrongType.error).toMatchObject({ statusCode: '415', message: 'mime type application/pdf is not supported' });
    expect((await photos.list()).data).toEqual([]);

    // sent as is: fetch would resolve the dot segments before they left the client
    const traversal = await rawRequest(`${bed.storageUrl(project.id)}/object/docs/a/%2E%2E/%2E%2E/escape.txt`, {
      method: 'POST',
      headers: { authorization: `Bearer ${project.serviceKey}`, 'content-type': 'text/plain' },
      body: 'x',
    });
    expect(traversal.status).toBe(400);
    expect(JSON.parse(traversal.body)).toMatchObject({ statusCode: '400', code: 'InvalidKey' });
    const missingBucket = await storage.from('nope').upload('a.txt', 'x');
    expect(missingBucket.error).toMatchObject({ statusCode: '404', message: 'Bucket not found' });
  });

  it('serves Range (206), If-None-Match (304), Last-Modified and HEAD', async () => {
    await storage.from('docs').upload('range.txt', '0123456789', { contentType: 'text/plain' });
    const url = `${bed.storageUrl(project.id)}/object/docs/range.txt`;
    const auth = { authorization: `Bearer ${project.serviceKey}` };
    const partial = await fetch(url, { headers: { ...auth, range: 'bytes=2-5' } });
    expect(partial.status).toBe(206);
    expect(partial.headers.get('content-range')).toBe('bytes 2-5/10');
    expect(await partial.text()).toBe('2345');
    const suffix = await fetch(url, { headers: { ...auth, range: 'bytes=-3' } });
    expect(await suffix.text()).toBe('789');
    const beyond = await fetch(url, { headers: { ...auth, range: 'bytes=50-' } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe('bytes */10');
    await beyond.body?.cancel();

    const full = await fetch(url, { headers: auth });
    const etag = full.headers.get('etag')!;
    const lastModified = full.headers.get('last-modified')!;
    await full.arrayBuffer();
    expect((await fetch(url, { headers: { ...auth, 'if-none-match': etag } })).status).toBe(304);
    expect((await fetch(url, { headers: { ...auth, 'if-modified-since': lastModified } })).status).toBe(304);
    expect((await fetch(url, { headers: { ...auth, 'if-none-match': '"other"' } })).status).toBe(200);

    const head = await fetch(url, { method: 'HEAD', headers: auth });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('10');
    expect(head.headers.get('etag')).toBe(etag);

    const attachment = await fetch(`${url}?download=renamed.txt`, { headers: auth });
    expect(attachment.headers.get('content-disposition')).toBe("attachment; filename*=UTF-8''renamed.txt");
    await attachment.arrayBuffer();
  });

  it('lists folders and files with prefix, search, sort and paging', async () => {
    const bucket = storage.from('docs');
    await storage.createBucket('listing');
    const listing = storage.from('listing');
    for (const name of ['a/one.txt', 'a/two.txt', 'a/deeper/three.txt', 'b/four.txt', 'top.txt', 'a/1_x.txt', 'a/12x.txt']) {
      expect((await listing.upload(name, name, { contentType: 'text/plain' })).error).toBeNull();
    }
    const top = await listing.list();
    expect(top.data!.map((entry) => [entry.name, entry.id === null])).toEqual([
      ['a', true],
      ['b', true],
      ['top.txt', false],
    ]);
    const inA = await listing.list('a');
    expect(inA.data!.map((entry) => entry.name)).toEqual(['deeper', '12x.txt', '1_x.txt', 'one.txt', 'two.txt']);
    expect(inA.data![3]!.metadata).toMatchObject({ size: 9, mimetype: 'text/plain' });
    expect((await listing.list('a/', { search: 'tw' })).data!.map((entry) => entry.name)).toEqual(['two.txt']);
    // `_` matches only itself, not any character
    expect((await listing.list('a', { search: '1_' })).data!.map((entry) => entry.name)).toEqual(['1_x.txt']);
    expect((await listing.list('a', { sortBy: { column: 'name', order: 'desc' }, limit: 2, offset: 1 })).data!.map((entry) => entry.name)).toEqual(['two.txt', 'one.txt']);
    expect((await bucket.list('nothing-here')).data).toEqual([]);
  });

  it('moves and copies objects, within and across buckets', async () => {
    const docs = storage.from('docs');
    await docs.upload('move-me.txt', 'moving', { contentType: 'text/plain' });
    expect((await docs.move('move-me.txt', 'moved/here.txt')).data).toEqual({ message: 'Successfully moved' });
    expect((await docs.download('move-me.txt')).error).toMatchObject({ status: 400 });
    expect(await (await docs.download('moved/here.txt')).data!.text()).toBe('moving');

    const copied = await docs.copy('moved/here.txt', 'copies/here.txt');
    expect(copied.data).toEqual({ path: 'docs/copies/here.txt' });
    await storage.createBucket('archive');
    expect((await docs.copy('moved/here.txt', 'elsewhere.txt', { destinationBucket: 'archive' })).error).toBeNull();
    expect(await (await storage.from('archive').download('elsewhere.txt')).data!.text()).toBe('moving');
    expect((await docs.move('moved/here.txt', 'gone.txt', { destinationBucket: 'archive' })).error).toBeNull();
    expect(await (await storage.from('archive').download('gone.txt')).data!.text()).toBe('moving');

    const taken = await docs.move('copies/here.txt', 'twice.txt');
    expect(taken.error).toMatchObject({ statusCode: '409' });
    const missing = await docs.copy('no/such.txt', 'x.txt');
    expect(missing.error).toMatchObject({ statusCode: '404', message: 'Object not found' });
  });

  it('deletes one object and many, answering the deleted rows', async () => {
    const docs = storage.from('docs');
    for (const name of ['del/1.txt', 'del/2.txt', 'del/3.txt']) await docs.upload(name, name, { contentType: 'text/plain' });
    const removed = await docs.remove(['del/1.txt', 'del/2.txt', 'del/none.txt']);
    expect(removed.data!.map((row) => row.name).sort()).toEqual(['del/1.txt', 'del/2.txt']);
    expect(removed.data![0]).toMatchObject({ bucket_id: 'docs' });
    const single = await fetch(`${bed.storageUrl(project.id)}/object/docs/del/3.txt`, { method: 'DELETE', headers: { authorization: `Bearer ${project.serviceKey}` } });
    expect(await single.json()).toEqual({ message: 'Successfully deleted' });
    expect((await docs.list('del')).data).toEqual([]);
    const again = await fetch(`${bed.storageUrl(project.id)}/object/docs/del/3.txt`, { method: 'DELETE', headers: { authorization: `Bearer ${project.serviceKey}` } });
    expect(await again.json()).toMatchObject({ statusCode: '404', code: 'NoSuchKey' });
  });

  it('serves public buckets to anyone and private ones to no one without a token', async () => {
    await storage.from('photos').upload('cat.png', Buffer.from('png-bytes'), { contentType: 'image/png' });
    const { data } = storage.from('photos').getPublicUrl('cat.png');
    const response = await fetch(data.publicUrl);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('png-bytes');
    const info = await fetch(`${bed.storageUrl(project.id)}/object/info/public/photos/cat.png`);
    expect(await info.json()).toMatchObject({ name: 'cat.png', size: 9 });

    const privateOne = await fetch(storage.from('docs').getPublicUrl('range.txt').data.publicUrl);
    expect(privateOne.status).toBe(400);
    expect(await privateOne.json()).toMatchObject({ statusCode: '404', message: 'Bucket not found' });
  });
});

function rawRequest(url: string, options: { method: string; headers: Record<string, string>; body: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    // the path as written: new URL() would resolve its dot segments
    const path = url.slice(url.indexOf('/', url.indexOf('//') + 2));
    const request = httpRequest({ hostname, port, path, method: options.method, headers: options.headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    request.end(options.body);
  });
}
