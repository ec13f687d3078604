import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { withClient } from '@launchdb/common';
import { createS3AccessKey, deleteS3AccessKey } from '@launchdb/common/s3-access-keys';
import type { ServiceTestProject } from '../../../test/service-projects.ts';
import { S3MultipartUploads } from './s3-multipart.ts';
import { expectedSignature, sha256Hex } from './sigv4.ts';
import { startStorageTestbed, type StorageTestbed } from '../testing/storage-testbed.ts';

/**
 * The S3 protocol at `/storage/v1/s3`, driven by @aws-sdk/client-s3 with a project's S3 access
 * key: the same buckets and objects as the Storage API, each request signed (SigV4).
 */
describe('S3 protocol (@aws-sdk/client-s3)', () => {
  let bed: StorageTestbed;
  let project: ServiceTestProject;
  let key: { access_key_id: string; secret_access_key: string };
  let s3: S3Client;

  const client = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }, projectId = project.id) =>
    new S3Client({ endpoint: `${bed.storageUrl(projectId)}/s3`, region: 'local', forcePathStyle: true, credentials, maxAttempts: 1 });

  beforeAll(async () => {
    bed = await startStorageTestbed('fs');
    project = await bed.projects.createProject();
    key = await createS3AccessKey(bed.projects.platformDb, bed.projects.secrets, project.id, 'tests');
    s3 = client({ accessKeyId: key.access_key_id, secretAccessKey: key.secret_access_key });
    await bed.client(project).createBucket('docs');
  });
  afterAll(async () => {
    s3?.destroy();
    await bed?.close();
  });

  it('lists and creates buckets shared with the Storage API', async () => {
    expect((await s3.send(new ListBucketsCommand({}))).Buckets?.map((bucket) => bucket.Name)).toContain('docs');
    await s3.send(new CreateBucketCommand({ Bucket: 'from-s3' }));
    expect((await bed.client(project).getBucket('from-s3')).data).toMatchObject({ id: 'from-s3', public: false });
  });

  it('puts and gets objects, with their type, metadata and ranges; storage-js reads the same bytes', async () => {
    const body = randomBytes(100_000);
    const put = await s3.send(new PutObjectCommand({ Bucket: 'docs', Key: 'manuals/boiler manual.pdf', Body: body, ContentType: 'application/pdf', Metadata: { room: 'cellar' } }));
    expect(put.ETag).toMatch(/^".+"$/);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'docs', Key: 'manuals/boiler manual.pdf' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
    expect(got).toMatchObject({ ContentType: 'application/pdf', ContentLength: body.length, Metadata: { room: 'cellar' }, ETag: put.ETag });
    const range = await s3.send(new GetObjectCommand({ Bucket: 'docs', Key: 'manuals/boiler manual.pdf', Range: 'bytes=10-19' }));
    expect(Buffer.from(await range.Body!.transformToByteArray()).equals(body.subarray(10, 20))).toBe(true);
    expect((await s3.send(new HeadObjectCommand({ Bucket: 'docs', Key: 'manuals/boiler manual.pdf' }))).ContentLength).toBe(body.length);

    const { data } = await bed.client(project).from('docs').download('manuals/boiler manual.pdf');
    expect(Buffer.from(await data!.arrayBuffer()).equals(body)).toBe(true);
  });

  it('takes a streamed body of known length (aws-chunked) and a copy', async () => {
    const body = randomBytes(300_000);
    await s3.send(new PutObjectCommand({ Bucket: 'docs', Key: 'streamed.bin', Body: Readable.from([body.subarray(0, 100_000), body.subarray(100_000)]), ContentLength: body.length }));
    await s3.send(new CopyObjectCommand({ Bucket: 'docs', Key: 'copied.bin', CopySource: 'docs/streamed.bin' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'docs', Key: 'copied.bin' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
  });

  it('lists with prefix, delimiter and continuation tokens', async () => {
    for (const name of ['tree/a.txt', 'tree/b.txt', 'tree/c/d.txt', 'tree/c/e.txt', 'tree/f.txt']) {
      await s3.send(new PutObjectCommand({ Bucket: 'docs', Key: name, Body: name, ContentType: 'text/plain' }));
    }
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: 'docs', Prefix: 'tree/', MaxKeys: 2, ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).map((object) => object.Key!));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    expect(keys).toEqual(['tree/a.txt', 'tree/b.txt', 'tree/c/d.txt', 'tree/c/e.txt', 'tree/f.txt']);
    const folders = await s3.send(new ListObjectsV2Command({ Bucket: 'docs', Prefix: 'tree/', Delimiter: '/' }));
    expect(folders.CommonPrefixes).toEqual([{ Prefix: 'tree/c/' }]);
    expect(folders.Contents?.map((object) => [object.Key, object.Size])).toEqual([
      ['tree/a.txt', 10],
      ['tree/b.txt', 10],
      ['tree/f.txt', 10],
    ]);
    expect(folders.KeyCount).toBe(4);
  });

  it('uploads in parts, completes them in order, and aborts an upload', async () => {
    const parts = [randomBytes(200_000), randomBytes(150_000), randomBytes(10)];
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'docs', Key: 'video.mp4', ContentType: 'video/mp4' }));
    const etags: string[] = [];
    // out of order on the wire, as parallel uploaders send them
    for (const index of [1, 0, 2]) {
      const uploaded = await s3.send(new UploadPartCommand({ Bucket: 'docs', Key: 'video.mp4', UploadId, PartNumber: index + 1, Body: parts[index] }));
      etags[index] = uploaded.ETag!;
    }
    await s3.send(
      new CompleteMultipartUploadCommand({ Bucket: 'docs', Key: 'video.mp4', UploadId, MultipartUpload: { Parts: etags.map((ETag, index) => ({ ETag, PartNumber: index + 1 })) } }),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: 'docs', Key: 'video.mp4' }));
    expect(got.ContentType).toBe('video/mp4');
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat(parts))).toBe(true);

    const aborted = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'docs', Key: 'never.bin' }));
    await s3.send(new UploadPartCommand({ Bucket: 'docs', Key: 'never.bin', UploadId: aborted.UploadId, PartNumber: 1, Body: 'x' }));
    await s3.send(new AbortMultipartUploadCommand({ Bucket: 'docs', Key: 'never.bin', UploadId: aborted.UploadId }));
    await expect(s3.send(new UploadPartCommand({ Bucket: 'docs', Key: 'never.bin', UploadId: aborted.UploadId, PartNumber: 2, Body: 'y' }))).rejects.toMatchObject({
      name: 'NoSuchUpload',
    });
    await expect(s3.send(new HeadObjectCommand({ Bucket: 'docs', Key: 'never.bin' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });

    // one left half-way is dropped once expired
    const abandoned = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'docs', Key: 'abandoned.bin' }));
    await s3.send(new UploadPartCommand({ Bucket: 'docs', Key: 'abandoned.bin', UploadId: abandoned.UploadId, PartNumber: 1, Body: 'x' }));
    await new S3MultipartUploads(bed.uploadsDir).deleteExpired(60_000, Date.now() + 120_000);
    expect(await readdir(join(bed.uploadsDir, 's3-multipart'))).toEqual([]);
  });

  it('deletes one object and many', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'docs', Key: 'gone/1.txt', Body: '1' }));
    await s3.send(new PutObjectCommand({ Bucket: 'docs', Key: 'gone/2.txt', Body: '2' }));
    await s3.send(new PutObjectCommand({ Bucket: 'docs', Key: 'gone/3.txt', Body: '3' }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'docs', Key: 'gone/1.txt' }));
    const deleted = await s3.send(new DeleteObjectsCommand({ Bucket: 'docs', Delete: { Objects: [{ Key: 'gone/2.txt' }, { Key: 'gone/3.txt' }, { Key: 'gone/never.txt' }] } }));
    expect(deleted.Deleted?.map((entry) => entry.Key)).toEqual(['gone/2.txt', 'gone/3.txt', 'gone/never.txt']);
    expect((await bed.client(project).from('docs').list('gone')).data).toEqual([]);
    await expect(s3.send(new GetObjectCommand({ Bucket: 'docs', Key: 'gone/1.txt' }))).rejects.toMatchObject({ name: 'NoSuchKey' });
    await expect(s3.send(new GetObjectCommand({ Bucket: 'nope', Key: 'x' }))).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });

  it('refuses a wrong secret, an unknown or revoked key, and another project’s key, changing nothing', async () => {
    const attempt = (credentials: { accessKeyId: string; secretAccessKey: string }, projectId?: string) =>
      client(credentials, projectId).send(new PutObjectCommand({ Bucket: 'docs', Key: 'intruder.txt', Body: 'x' }));
    await expect(attempt({ accessKeyId: key.access_key_id, secretAccessKey: '0'.repeat(64) })).rejects.toMatchObject({ name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } });
    await expect(attempt({ accessKeyId: 'f'.repeat(32), secretAccessKey: key.secret_access_key })).rejects.toMatchObject({ name: 'InvalidAccessKeyId' });
    const other = await bed.projects.createProject();
    const otherKey = await createS3AccessKey(bed.projects.platformDb, bed.projects.secrets, other.id, 'other');
    await expect(attempt({ accessKeyId: otherKey.access_key_id, secretAccessKey: otherKey.secret_access_key })).rejects.toMatchObject({ name: 'InvalidAccessKeyId' });
    const revoked = await createS3AccessKey(bed.projects.platformDb, bed.projects.secrets, project.id, 'short-lived');
    const revokedClient = { accessKeyId: revoked.access_key_id, secretAccessKey: revoked.secret_access_key };
    await attempt(revokedClient);
    await deleteS3AccessKey(bed.projects.platformDb, project.id, revoked.access_key_id);
    await s3.send(new DeleteObjectCommand({ Bucket: 'docs', Key: 'intruder.txt' }));
    await expect(attempt(revokedClient)).rejects.toMatchObject({ name: 'InvalidAccessKeyId' });
    const unsigned = await fetch(`${bed.storageUrl(project.id)}/s3/docs/intruder.txt`, { method: 'PUT', body: 'x', headers: { authorization: `Bearer ${project.serviceKey}` } });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.text()).toContain('<Code>AccessDenied</Code>');
    expect((await bed.client(project).from('docs').exists('intruder.txt')).data).toBe(false);
  });

  it('stores nothing of a body that is not the one whose hash was signed', async () => {
    const url = new URL(`${bed.storageUrl(project.id)}/s3/docs/tampered.txt`);
    const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const headers: Record<string, string> = { host: url.host, 'x-amz-date': amzDate, 'x-amz-content-sha256': sha256Hex('the signed body') };
    const auth = { accessKeyId: key.access_key_id, date: amzDate.slice(0, 8), region: 'local', service: 's3', signedHeaders: ['host', 'x-amz-content-sha256', 'x-amz-date'], signature: '' };
    const { signature } = expectedSignature({ method: 'PUT', rawPath: url.pathname, rawQuery: '', headers, payloadHash: headers['x-amz-content-sha256']! }, auth, amzDate, key.secret_access_key);
    const authorization = `AWS4-HMAC-SHA256 Credential=${key.access_key_id}/${auth.date}/local/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=${signature}`;
    const tampered = await fetch(url, { method: 'PUT', headers: { ...headers, authorization }, body: 'another body, same length' });
    expect(tampered.status).toBe(400);
    expect(await tampered.text()).toContain('<Code>XAmzContentSHA256Mismatch</Code>');
    expect((await bed.client(project).from('docs').exists('tampered.txt')).data).toBe(false);
    const signed = await fetch(url, { method: 'PUT', headers: { ...headers, authorization }, body: 'the signed body' });
    expect(signed.status).toBe(200);
    expect(await (await bed.client(project).from('docs').download('tampered.txt')).data!.text()).toBe('the signed body');
  });

  it("acts as a user under row-level security with the user's session token (access key id: the project, secret: the anon key)", async () => {
    await bed.client(project).createBucket('homes');
    await withClient(project.adminUrl, (db) =>
      db.query(`create policy "own folder in" on storage.objects for insert to authenticated
          with check (bucket_id = 'homes' and (storage.foldername(name))[1] = auth.uid()::text);
        create policy "own folder out" on storage.objects for select to authenticated
          using (bucket_id = 'homes' and (storage.foldername(name))[1] = auth.uid()::text)`),
    );
    await bed.client(project).from('homes').upload('someone-else/plan.pdf', 'secret plan', { contentType: 'application/pdf' });
    const user = randomUUID();
    const session = (token: string) => client({ accessKeyId: project.id, secretAccessKey: project.anonKey, sessionToken: token });
    const mine = session(await project.token({ sub: user }));
    await mine.send(new PutObjectCommand({ Bucket: 'homes', Key: `${user}/roof.jpg`, Body: 'roof' }));
    await expect(mine.send(new PutObjectCommand({ Bucket: 'homes', Key: 'someone-else/roof.jpg', Body: 'x' }))).rejects.toMatchObject({ name: 'AccessDenied' });
    expect((await mine.send(new ListObjectsV2Command({ Bucket: 'homes' }))).Contents?.map((object) => object.Key)).toEqual([`${user}/roof.jpg`]);
    await expect(mine.send(new GetObjectCommand({ Bucket: 'homes', Key: 'someone-else/plan.pdf' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    const forged = session(await project.token({ sub: user }, { secret: 'not-the-project-secret-but-long-enough-to-sign' }));
    await expect(forged.send(new GetObjectCommand({ Bucket: 'homes', Key: `${user}/roof.jpg` }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    const wrongSecret = client({ accessKeyId: project.id, secretAccessKey: project.serviceKey, sessionToken: await project.token({ sub: user }) });
    await expect(wrongSecret.send(new GetObjectCommand({ Bucket: 'homes', Key: `${user}/roof.jpg` }))).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
  });
});
