import type { Readable } from 'node:stream';
import type { ListObjectsV2CommandOutput, S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { BackupErrors } from './errors.ts';
import type { BackupStore, PartialBackup } from './local-backup-store.ts';
import { isBackupId, MANIFEST_FILE, parseManifest, type BackupManifest } from './manifest.ts';

/** Pieces go up in parts of this size, one part in flight: a backup holds at most ~2 parts in memory. */
const PART_BYTES = 8 * 1024 * 1024;
/** A backup folder without a manifest this old is a killed run's, not one still uploading. */
const ABANDONED_AFTER_MS = 24 * 60 * 60 * 1000;

type S3Sdk = typeof import('@aws-sdk/client-s3') & Pick<typeof import('@aws-sdk/lib-storage'), 'Upload'>;
let loadedSdk: Promise<S3Sdk> | undefined;

/**
 * The AWS SDK takes seconds to load on a busy machine (2.5 s measured beside the platform's
 * start): loaded with the first S3 call, so a platform that never backs up to S3 never loads it.
 */
function s3Sdk(): Promise<S3Sdk> {
  loadedSdk ??= Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/lib-storage')]).then(([s3, storage]) => ({ ...s3, Upload: storage.Upload }));
  return loadedSdk;
}

/** An S3 client made with its first use (the SDK loaded then). */
export function lazyS3Client(config: S3ClientConfig): () => Promise<S3Client> {
  let client: Promise<S3Client> | undefined;
  return () => (client ??= s3Sdk().then((sdk) => new sdk.S3Client(config)));
}

export interface S3Location {
  bucket: string;
  /** `backups/` or ''; always ends with `/` when set. */
  prefix: string;
}

/** `s3://bucket/some/prefix` → its bucket and prefix. */
export function parseS3Url(url: string): S3Location {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(url);
  if (!match) throw BackupErrors.validation(`not an S3 URL: ${url} (s3://bucket/prefix)`);
  const prefix = match[2]!.replace(/\/+$/, '');
  return { bucket: match[1]!, prefix: prefix ? `${prefix}/` : '' };
}

/**
 * Backups in an S3 bucket, laid out as on disk: `<prefix><backup id>/<piece>`, the manifest last.
 * S3 has no rename: a backup whose manifest is not there yet is not listed, and one left without
 * a manifest for a day is a killed run's, removed by cleanUp. Pieces are uploaded by multipart as
 * they stream (lib-storage's Upload).
 */
export class S3BackupStore implements BackupStore {
  readonly #client: () => Promise<S3Client>;
  readonly #location: S3Location;
  readonly #writing = new Set<string>();

  /** `client`: an S3 client, or lazyS3Client's, which loads the SDK with the first call. */
  constructor(client: S3Client | (() => Promise<S3Client>), location: S3Location) {
    this.#client = typeof client === 'function' ? client : async () => client;
    this.#location = location;
  }

  async #s3(): Promise<{ sdk: S3Sdk; client: S3Client }> {
    const [sdk, client] = await Promise.all([s3Sdk(), this.#client()]);
    return { sdk, client };
  }

  readonly localRoot = undefined;

  describe(): string {
    return `s3://${this.#location.bucket}/${this.#location.prefix}`;
  }

  async list(): Promise<BackupManifest[]> {
    const manifests: BackupManifest[] = [];
    for (const id of await this.#ids()) {
      const manifest = await this.manifest(id).catch(() => undefined);
      if (manifest) manifests.push(manifest);
    }
    return manifests.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.id.localeCompare(a.id));
  }

  async manifest(id: string): Promise<BackupManifest> {
    if (!isBackupId(id)) throw BackupErrors.invalidId(id);
    let text: string;
    const { sdk, client } = await this.#s3();
    try {
      const object = await client.send(new sdk.GetObjectCommand({ Bucket: this.#location.bucket, Key: this.#key(id, MANIFEST_FILE) }));
      text = await object.Body!.transformToString('utf8');
    } catch (error) {
      if (isMissing(error)) throw BackupErrors.notFound(id);
      throw error;
    }
    return parseManifest(id, text);
  }

  async openPiece(id: string, name: string): Promise<Readable> {
    const { sdk, client } = await this.#s3();
    try {
      const object = await client.send(new sdk.GetObjectCommand({ Bucket: this.#location.bucket, Key: this.#key(id, name) }));
      return object.Body as Readable;
    } catch (error) {
      if (isMissing(error)) throw BackupErrors.pieceMissing(id, name);
      throw error;
    }
  }

  async begin(id: string): Promise<PartialBackup> {
    this.#writing.add(id);
    return {
      id,
      writePiece: async (name, content) => {
        const { sdk, client } = await this.#s3();
        const upload = new sdk.Upload({
          client,
          params: { Bucket: this.#location.bucket, Key: this.#key(id, name), Body: content, ContentType: 'application/pgp-encrypted' },
          partSize: PART_BYTES,
          queueSize: 1,
          leavePartsOnError: false,
        });
        await upload.done();
      },
      commit: async (manifest) => {
        const { sdk, client } = await this.#s3();
        await client.send(
          new sdk.PutObjectCommand({
            Bucket: this.#location.bucket,
            Key: this.#key(id, MANIFEST_FILE),
            Body: `${JSON.stringify(manifest, null, 2)}\n`,
            ContentType: 'application/json',
          }),
        );
        this.#writing.delete(id);
      },
      abort: async () => {
        this.#writing.delete(id);
        await this.#deleteFolder(id, false);
      },
    };
  }

  /** The manifest goes first, so a deletion cut short leaves a backup that is no longer listed. */
  async delete(id: string): Promise<void> {
    if (!isBackupId(id)) throw BackupErrors.invalidId(id);
    await this.#deleteFolder(id, true);
  }

  async cleanUp(): Promise<string[]> {
    const removed: string[] = [];
    for (const id of await this.#ids()) {
      if (this.#writing.has(id)) continue;
      const objects = await this.#objects(id);
      if (objects.some((object) => object.Key === this.#key(id, MANIFEST_FILE))) continue;
      const newest = Math.max(0, ...objects.map((object) => object.LastModified?.getTime() ?? 0));
      if (Date.now() - newest < ABANDONED_AFTER_MS) continue;
      await this.#deleteFolder(id, false);
      removed.push(id);
    }
    return removed;
  }

  /** Copies a complete backup of another store here, piece by piece and the manifest last. */
  async copyFrom(source: BackupStore, id: string): Promise<void> {
    const manifest = await source.manifest(id);
    const partial = await this.begin(id);
    try {
      for (const piece of manifest.pieces) await partial.writePiece(piece.name, await source.openPiece(id, piece.name));
      await partial.commit(manifest);
    } catch (error) {
      await partial.abort().catch(() => undefined);
      throw error;
    }
  }

  #key(id: string, name: string): string {
    return `${this.#location.prefix}${id}/${name}`;
  }

  async #ids(): Promise<string[]> {
    const ids: string[] = [];
    const { sdk, client } = await this.#s3();
    let token: string | undefined;
    do {
      const page: ListObjectsV2CommandOutput = await client.send(
        new sdk.ListObjectsV2Command({ Bucket: this.#location.bucket, Prefix: this.#location.prefix, Delimiter: '/', ContinuationToken: token }),
      );
      for (const entry of page.CommonPrefixes ?? []) {
        const id = entry.Prefix!.slice(this.#location.prefix.length).replace(/\/$/, '');
        if (isBackupId(id)) ids.push(id);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return ids;
  }

  async #objects(id: string): Promise<{ Key?: string | undefined; LastModified?: Date | undefined }[]> {
    const objects: { Key?: string | undefined; LastModified?: Date | undefined }[] = [];
    const { sdk, client } = await this.#s3();
    let token: string | undefined;
    do {
      const page: ListObjectsV2CommandOutput = await client.send(
        new sdk.ListObjectsV2Command({ Bucket: this.#location.bucket, Prefix: `${this.#location.prefix}${id}/`, ContinuationToken: token }),
      );
      objects.push(...(page.Contents ?? []));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return objects;
  }

  async #deleteFolder(id: string, manifestFirst: boolean): Promise<void> {
    const bucket = this.#location.bucket;
    const { sdk, client } = await this.#s3();
    if (manifestFirst) {
      await client.send(new sdk.DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: this.#key(id, MANIFEST_FILE) }] } }));
    }
    const keys = (await this.#objects(id)).map((object) => ({ Key: object.Key! }));
    if (keys.length > 0) await client.send(new sdk.DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
  }
}

function isMissing(error: unknown): boolean {
  const name = (error as { name?: string }).name;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return name === 'NoSuchKey' || name === 'NotFound' || status === 404;
}
