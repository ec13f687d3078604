import { PassThrough, Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { PROJECT_ID_PATTERN } from '@launchdb/common';
import { meteredCopy } from './metered-copy.ts';
import {
  ObjectNotFoundError,
  type ByteRange,
  type ObjectLocation,
  type ReadResult,
  type StorageBackend,
  type StoredObjectInfo,
  type WriteOptions,
} from './storage-backend.ts';

type S3Sdk = typeof import('@aws-sdk/client-s3') & Pick<typeof import('@aws-sdk/lib-storage'), 'Upload'>;
let loadedSdk: Promise<S3Sdk> | undefined;

/**
 * The AWS SDK takes seconds to load on a busy machine (2.5 s measured here): it is loaded with
 * the first S3 call, so a platform whose files are on disk never loads it, and one on S3 starts
 * answering before it has.
 */
function s3Sdk(): Promise<S3Sdk> {
  loadedSdk ??= Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/lib-storage')]).then(([s3, storage]) => ({ ...s3, Upload: storage.Upload }));
  return loadedSdk;
}

export interface S3StorageBackendOptions {
  /** Unset for AWS itself; `http://minio:9000` and the like otherwise. */
  endpoint?: string | undefined;
  region: string;
  /** The one S3 bucket every project's objects live in, under `<project>/`. */
  bucket: string;
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
  /** `http://host/bucket/key` rather than `http://bucket.host/key` (MinIO, s3rver). */
  forcePathStyle?: boolean;
  /** Bytes per multipart part; uploads smaller than one part go up in a single PUT. 5 MiB (S3's minimum). */
  partSize?: number;
  /** Parts in flight at once; memory per upload is about partSize × (queueSize + 1). 2. */
  queueSize?: number;
}

/**
 * Objects in one S3 bucket at `<project>/<bucket>/<key>/<version>`. The version is the last
 * segment and never contains `/`, so two different locations never share an S3 key. Content
 * type and cache control are the S3 object's own headers; the ETag is S3's.
 */
export class S3StorageBackend implements StorageBackend {
  readonly kind = 's3' as const;
  readonly bucket: string;
  readonly partSize: number;
  readonly queueSize: number;
  readonly #options: S3StorageBackendOptions;
  #s3: Promise<{ sdk: S3Sdk; client: S3Client }> | undefined;

  constructor(options: S3StorageBackendOptions) {
    this.bucket = options.bucket;
    this.partSize = options.partSize ?? 5 * 1024 * 1024;
    this.queueSize = options.queueSize ?? 2;
    this.#options = options;
  }

  #connect(): Promise<{ sdk: S3Sdk; client: S3Client }> {
    const options = this.#options;
    this.#s3 ??= s3Sdk().then((sdk) => ({
      sdk,
      client: new sdk.S3Client({
        region: options.region,
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        forcePathStyle: options.forcePathStyle ?? false,
        ...(options.accessKeyId && options.secretAccessKey
          ? { credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } }
          : {}),
        // Checksums on every request break streamed uploads of unknown length on S3-compatible
        // servers (see DEPENDENCIES.md); S3 itself still checks Content-MD5 where it requires one.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      }),
    }));
    return this.#s3;
  }

  async write(location: ObjectLocation, body: Readable, options: WriteOptions): Promise<StoredObjectInfo> {
    const key = objectKey(location);
    options.signal?.throwIfAborted();
    const { sdk, client } = await this.#connect();
    const parts = new PassThrough({ highWaterMark: 1024 * 1024 });
    const upload = new sdk.Upload({
      client,
      params: { Bucket: this.bucket, Key: key, Body: parts, ContentType: options.contentType, CacheControl: options.cacheControl },
      partSize: this.partSize,
      queueSize: this.queueSize,
      // On any failure the multipart upload is aborted, so no parts linger (and cost) on S3.
      leavePartsOnError: false,
    });
    const uploaded = upload.done();
    // S3 failing first must also stop the copy, which would otherwise wait on a full buffer.
    uploaded.catch((error: unknown) => parts.destroy(error as Error));
    try {
      await meteredCopy(body, parts, { maxBytes: options.maxBytes, signal: options.signal });
    } catch (error) {
      await upload.abort().catch(() => {});
      await uploaded.catch(() => {});
      // A single-part PUT may have completed just before the failure was noticed.
      await this.deleteKeys([key]).catch(() => {});
      throw error;
    }
    await uploaded;
    const info = await this.headKey(key);
    if (!info) throw new Error(`S3 did not keep ${key}`);
    return info;
  }

  async read(location: ObjectLocation, options: { range?: ByteRange } = {}): Promise<ReadResult> {
    const range = options.range;
    const { sdk, client } = await this.#connect();
    try {
      const response = await client.send(
        new sdk.GetObjectCommand({
          Bucket: this.bucket,
          Key: objectKey(location),
          ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        }),
      );
      const size = range ? totalFromContentRange(response.ContentRange) : response.ContentLength;
      return {
        body: response.Body as Readable,
        info: {
          size: size ?? 0,
          etag: response.ETag ?? '""',
          lastModified: response.LastModified ?? new Date(0),
          contentType: response.ContentType ?? 'application/octet-stream',
          cacheControl: response.CacheControl ?? 'no-cache',
        },
      };
    } catch (error) {
      if (isNotFound(error)) throw new ObjectNotFoundError(location);
      throw error;
    }
  }

  async head(location: ObjectLocation): Promise<StoredObjectInfo | undefined> {
    return this.headKey(objectKey(location));
  }

  async copy(from: ObjectLocation, to: ObjectLocation): Promise<StoredObjectInfo> {
    const target = objectKey(to);
    const { sdk, client } = await this.#connect();
    try {
      await client.send(
        new sdk.CopyObjectCommand({
          Bucket: this.bucket,
          Key: target,
          CopySource: `${this.bucket}/${encodeCopySourceKey(objectKey(from))}`,
          MetadataDirective: 'COPY',
        }),
      );
    } catch (error) {
      if (!isNotFound(error)) throw error;
      // s3rver decodes x-amz-copy-source with decodeURI, so it cannot find keys holding `?`, `&`,
      // `+`… that S3 needs encoded; a streamed copy serves those (and any server like it).
      const source = await this.read(from);
      await this.write(to, source.body, { contentType: source.info.contentType, cacheControl: source.info.cacheControl });
    }
    const info = await this.headKey(target);
    if (!info) throw new Error(`S3 did not keep ${target}`);
    return info;
  }

  async delete(locations: ObjectLocation[]): Promise<void> {
    await this.deleteKeys(locations.map(objectKey));
  }

  async deleteProject(projectId: string): Promise<void> {
    for await (const keys of this.#projectKeyPages(projectId)) await this.deleteKeys(keys);
  }

  async *listProject(projectId: string): AsyncIterable<ObjectLocation> {
    for await (const keys of this.#projectKeyPages(projectId)) {
      for (const key of keys) {
        const location = locationOf(key);
        if (location) yield location;
      }
    }
  }

  /** The keys under the project's prefix, a page (at most 1,000) at a time: the next page is listed only once the caller is done with this one, so it may delete them. */
  async *#projectKeyPages(projectId: string): AsyncIterable<string[]> {
    if (!PROJECT_ID_PATTERN.test(projectId)) throw new Error(`not a project id: ${JSON.stringify(projectId)}`);
    const { sdk, client } = await this.#connect();
    let continuationToken: string | undefined;
    do {
      const page = await client.send(
        new sdk.ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: `${projectId}/`,
          MaxKeys: 1000,
          ...(continuationToken ? { ContinuationToken: continuationToken } : {}),
        }),
      );
      yield (page.Contents ?? []).flatMap((entry) => (entry.Key ? [entry.Key] : []));
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken);
  }

  async close(): Promise<void> {
    const s3 = this.#s3;
    this.#s3 = undefined;
    if (s3) (await s3).client.destroy();
  }

  private async headKey(key: string): Promise<StoredObjectInfo | undefined> {
    const { sdk, client } = await this.#connect();
    try {
      const response = await client.send(new sdk.HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return {
        size: response.ContentLength ?? 0,
        etag: response.ETag ?? '""',
        lastModified: response.LastModified ?? new Date(0),
        contentType: response.ContentType ?? 'application/octet-stream',
        cacheControl: response.CacheControl ?? 'no-cache',
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  private async deleteKeys(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    const { sdk, client } = await this.#connect();
    for (let start = 0; start < keys.length; start += 1000) {
      const batch = keys.slice(start, start + 1000);
      if (batch.length === 1) {
        await client.send(new sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: batch[0] }));
        continue;
      }
      const result = await client.send(
        new sdk.DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
      );
      const failed = (result.Errors ?? []).filter((entry) => entry.Code !== 'NoSuchKey');
      if (failed.length > 0) throw new Error(`S3 could not delete ${failed.length} object(s): ${failed[0]?.Code} ${failed[0]?.Message}`);
    }
  }
}

function objectKey(location: ObjectLocation): string {
  if (!PROJECT_ID_PATTERN.test(location.projectId)) throw new Error(`not a project id: ${JSON.stringify(location.projectId)}`);
  if (location.version === '' || location.version.includes('/')) throw new Error(`not a version: ${JSON.stringify(location.version)}`);
  return `${location.projectId}/${location.bucketId}/${location.key}/${location.version}`;
}

/** The inverse of objectKey; undefined for a key this backend did not write (a folder marker). */
function locationOf(key: string): ObjectLocation | undefined {
  const segments = key.split('/');
  if (segments.length < 4) return undefined;
  const [projectId, bucketId] = segments;
  const version = segments.at(-1)!;
  const objectName = segments.slice(2, -1).join('/');
  if (!projectId || !bucketId || !version || !objectName) return undefined;
  return { projectId, bucketId, key: objectName, version };
}

/** `x-amz-copy-source` is a URL path: each segment encoded, the slashes kept. */
function encodeCopySourceKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/** `bytes 0-99/1234` → 1234. */
function totalFromContentRange(header: string | undefined): number | undefined {
  const match = header ? /\/(\d+)$/.exec(header) : null;
  return match?.[1] ? Number(match[1]) : undefined;
}

/** An S3ServiceException (by shape: the SDK's class is loaded lazily) saying the key is not there. */
function isNotFound(error: unknown): boolean {
  if (error instanceof Error && '$metadata' in error) {
    const metadata = (error as { $metadata: { httpStatusCode?: number } }).$metadata;
    // A missing S3 bucket is also a 404, but a configuration error, not a missing object.
    if (error.name === 'NoSuchBucket') return false;
    return error.name === 'NoSuchKey' || error.name === 'NotFound' || metadata.httpStatusCode === 404;
  }
  return false;
}
