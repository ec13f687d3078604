import { randomBytes, randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tus from 'tus-js-client';
import { withClient } from '@launchdb/common';
import type { ServiceTestProject } from '../../../../test/service-projects.ts';
import { startStorageTestbed, type BackendKind, type StorageTestbed } from '../../testing/storage-testbed.ts';

interface TusOutcome {
  url: string | null;
  error?: tus.DetailedError | Error;
}

function upload(endpoint: string, data: Buffer, options: { headers: Record<string, string>; metadata: Record<string, string>; stopAfterFirstChunk?: boolean }): Promise<TusOutcome & { upload: tus.Upload }> {
  return new Promise((resolve) => {
    const tusUpload: tus.Upload = new tus.Upload(data, {
      endpoint,
      headers: options.headers,
      metadata: options.metadata,
      chunkSize: 1024 * 1024,
      retryDelays: [],
      onSuccess: () => resolve({ url: tusUpload.url, upload: tusUpload }),
      onError: (error) => resolve({ url: tusUpload.url, error, upload: tusUpload }),
      onChunkComplete: () => {
        if (options.stopAfterFirstChunk) {
          void tusUpload.abort().then(() => resolve({ url: tusUpload.url, upload: tusUpload }));
        }
      },
    });
    tusUpload.start();
  });
}

function resume(tusUpload: tus.Upload): Promise<TusOutcome> {
  return new Promise((resolve) => {
    tusUpload.options.onChunkComplete = null;
    tusUpload.options.onSuccess = () => resolve({ url: tusUpload.url });
    tusUpload.options.onError = (error) => resolve({ url: tusUpload.url, error });
    tusUpload.start();
  });
}

describe.each<BackendKind>(['fs', 's3'])('resumable uploads (tus-js-client) on the %s backend', (kind) => {
  let bed: StorageTestbed;
  let project: ServiceTestProject;

  beforeAll(async () => {
    bed = await startStorageTestbed(kind);
    project = await bed.projects.createProject();
    await bed.client(project).createBucket('videos');
    await withClient(project.adminUrl, (client) =>
      client.query(`create policy "own folder" on storage.objects for insert to authenticated
        with check (bucket_id = 'videos' and (storage.foldername(name))[1] = auth.uid()::text);
        create policy "anyone drops" on storage.objects for all to anon, authenticated
        using (bucket_id = 'drop') with check (bucket_id = 'drop')`),
    );
    await bed.client(project).createBucket('drop');
  });
  afterAll(() => bed?.close());

  it('uploads in chunks, resumes after an interruption, and leaves nothing in staging', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const user = randomUUID();
    const headers = { authorization: `Bearer ${await project.token({ sub: user })}`, apikey: project.anonKey };
    const metadata = { bucketName: 'videos', objectName: `${user}/walkthrough.mp4`, contentType: 'video/mp4', cacheControl: '120' };
    const first = await upload(`${bed.storageUrl(project.id)}/upload/resumable`, data, { headers, metadata, stopAfterFirstChunk: true });
    expect(first.error).toBeUndefined();
    expect(first.url).toMatch(new RegExp(`^${bed.storageUrl(project.id)}/upload/resumable/${project.id}-[0-9a-f]{32}$`));
    expect((await bed.client(project).from('videos').list(user)).data).toEqual([]);

    const finished = await resume(first.upload);
    expect(finished.error).toBeUndefined();

    const { data: blob } = await bed.client(project).from('videos').download(`${user}/walkthrough.mp4`);
    expect(Buffer.from(await blob!.arrayBuffer()).equals(data)).toBe(true);
    expect(blob!.type).toBe('video/mp4');
    const { data: info } = await bed.client(project).from('videos').info(`${user}/walkthrough.mp4`);
    expect(info).toMatchObject({ size: data.length, cacheControl: 'max-age=120' });
    expect((await readdir(bed.uploadsDir)).filter((name) => name.startsWith(project.id))).toEqual([]);
  });

  it("binds an upload to its creator: no other user, nor anon, can HEAD, PATCH or DELETE it, and the creator's bytes are stored", async () => {
    const owner = randomUUID();
    const ownerHeaders = { authorization: `Bearer ${await project.token({ sub: owner })}` };
    const data = randomBytes(2 * 1024 * 1024 + 5);
    // a bucket whose policies let anyone write anywhere: the binding holds whatever the policies allow
    const started = await upload(`${bed.storageUrl(project.id)}/upload/resumable`, data, {
      headers: ownerHeaders,
      metadata: { bucketName: 'drop', objectName: 'reports/march.bin' },
      stopAfterFirstChunk: true,
    });
    const url = started.url!;
    const sent = 1024 * 1024;
    const intruders = {
      'another user': { authorization: `Bearer ${await project.token({ sub: randomUUID() })}` },
      'a token without sub': { authorization: `Bearer ${await project.token({})}` },
      anon: { authorization: `Bearer ${project.anonKey}`, apikey: project.anonKey },
    };
    for (const [who, headers] of Object.entries(intruders)) {
      const tus = { ...headers, 'tus-resumable': '1.0.0' };
      const head = await fetch(url, { method: 'HEAD', headers: tus });
      expect(head.status, who).toBe(404);
      expect(head.headers.get('upload-metadata'), who).toBeNull();
      const patch = (offset: number, body: Buffer) =>
        fetch(url, { method: 'PATCH', headers: { ...tus, 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' }, body: new Uint8Array(body) });
      const rest = await patch(sent, randomBytes(data.length - sent));
      expect(rest.status, who).toBe(403);
      expect(await rest.json()).toMatchObject({ statusCode: '403', error: 'Unauthorized' });
      // the bytes that would finish it, and the whole length from the start: neither destroys the upload
      expect((await patch(0, randomBytes(data.length))).status, who).toBe(403);
      expect((await fetch(url, { method: 'DELETE', headers: tus })).status, who).toBe(403);
    }
    const own = await fetch(url, { method: 'HEAD', headers: { ...ownerHeaders, 'tus-resumable': '1.0.0' } });
    expect(own.status).toBe(200);
    expect(own.headers.get('upload-offset')).toBe(String(sent));

    expect((await resume(started.upload)).error).toBeUndefined();
    const { data: blob } = await bed.client(project).from('drop').download('reports/march.bin');
    expect(Buffer.from(await blob!.arrayBuffer()).equals(data)).toBe(true);
    const { rows } = await withClient(project.adminUrl, (client) => client.query(`select owner_id from storage.objects where bucket_id = 'drop' and name = 'reports/march.bin'`));
    expect(rows).toEqual([{ owner_id: owner }]);
  });

  it("takes a user's token without the project's apikey, as the object routes do", async () => {
    const user = randomUUID();
    const headers = { authorization: `Bearer ${await project.token({ sub: user })}` };
    const data = randomBytes(1024 * 1024 + 9);
    const started = await upload(`${bed.storageUrl(project.id)}/upload/resumable`, data, { headers, metadata: { bucketName: 'videos', objectName: `${user}/tour.mp4` }, stopAfterFirstChunk: true });
    expect(started.error).toBeUndefined();
    const head = await fetch(started.url!, { method: 'HEAD', headers: { ...headers, 'tus-resumable': '1.0.0' } });
    expect(head.status).toBe(200);
    expect((await resume(started.upload)).error).toBeUndefined();
    const { data: blob } = await bed.client(project).from('videos').download(`${user}/tour.mp4`);
    expect(blob!.size).toBe(data.length);
  });

  it("lets the service key carry on an upload a user started", async () => {
    const owner = randomUUID();
    const data = randomBytes(1024 * 1024 + 3);
    const started = await upload(`${bed.storageUrl(project.id)}/upload/resumable`, data, {
      headers: { authorization: `Bearer ${await project.token({ sub: owner })}` },
      metadata: { bucketName: 'drop', objectName: 'reports/april.bin' },
      stopAfterFirstChunk: true,
    });
    const finish = await fetch(started.url!, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${project.serviceKey}`, 'tus-resumable': '1.0.0', 'upload-offset': String(1024 * 1024), 'content-type': 'application/offset+octet-stream' },
      body: new Uint8Array(data.subarray(1024 * 1024)),
    });
    expect(finish.status).toBe(204);
    const { data: blob } = await bed.client(project).from('drop').download('reports/april.bin');
    expect(Buffer.from(await blob!.arrayBuffer()).equals(data)).toBe(true);
  });

  it("does not let another project reach an upload by its URL", async () => {
    const headers = { authorization: `Bearer ${project.serviceKey}` };
    const started = await upload(`${bed.storageUrl(project.id)}/upload/resumable`, randomBytes(2 * 1024 * 1024), {
      headers,
      metadata: { bucketName: 'videos', objectName: 'half/done.mp4' },
      stopAfterFirstChunk: true,
    });
    const uploadId = started.url!.split('/').pop()!;
    const other = await bed.projects.createProject();
    const response = await fetch(`${bed.storageUrl(other.id)}/upload/resumable/${uploadId}`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${other.serviceKey}`, 'tus-resumable': '1.0.0' },
    });
    expect(response.status).toBe(404);
    const own = await fetch(started.url!, { method: 'HEAD', headers: { ...headers, 'tus-resumable': '1.0.0' } });
    expect(own.status).toBe(200);
    expect(own.headers.get('upload-offset')).toBe(String(1024 * 1024));
  });

  it('works under /storage/<project> too, and refuses a second upload of the name without x-upsert', async () => {
    const data = randomBytes(1000);
    const headers = { authorization: `Bearer ${project.serviceKey}` };
    const metadata = { bucketName: 'videos', objectName: 'shared/clip.mp4', contentType: 'video/mp4' };
    expect((await upload(`${bed.origin}/storage/${project.id}/upload/resumable`, data, { headers, metadata })).error).toBeUndefined();
    const again = await upload(`${bed.origin}/storage/${project.id}/upload/resumable`, data, { headers, metadata });
    expect((again.error as tus.DetailedError).originalResponse?.getStatus()).toBe(409);
    const upserted = await upload(`${bed.origin}/storage/${project.id}/upload/resumable`, randomBytes(10), { headers: { ...headers, 'x-upsert': 'true' }, metadata });
    expect(upserted.error).toBeUndefined();
    expect((await bed.client(project).from('videos').info('shared/clip.mp4')).data).toMatchObject({ size: 10 });
  });

  it("refuses at creation what the caller's policies refuse, and a bucket or size that does not exist or fit", async () => {
    const user = randomUUID();
    const headers = { authorization: `Bearer ${await project.token({ sub: user })}` };
    const endpoint = `${bed.storageUrl(project.id)}/upload/resumable`;
    const refused = await upload(endpoint, randomBytes(10), { headers, metadata: { bucketName: 'videos', objectName: `someone-else/x.mp4`, contentType: 'video/mp4' } });
    const response = (refused.error as tus.DetailedError).originalResponse!;
    expect(response.getStatus()).toBe(403);
    expect(JSON.parse(response.getBody())).toMatchObject({ statusCode: '403', message: 'new row violates row-level security policy' });
    expect(refused.url).toBeNull();

    const noBucket = await upload(endpoint, randomBytes(10), { headers, metadata: { bucketName: 'nope', objectName: `${user}/x.mp4` } });
    expect((noBucket.error as tus.DetailedError).originalResponse?.getStatus()).toBe(404);
    const noAuth = await upload(endpoint, randomBytes(10), { headers: {}, metadata: { bucketName: 'videos', objectName: `${user}/x.mp4` } });
    expect((noAuth.error as tus.DetailedError).originalResponse?.getStatus()).toBe(401);
  });
});
