import { StorageErrors, databaseErrorToStorageError } from '../errors.ts';
import { deleteBucket } from '../sql/delete-bucket.ts';
import { deleteBucketObjects } from '../sql/delete-bucket-objects.ts';
import { findBucket } from '../sql/find-bucket.ts';
import { insertBucket } from '../sql/insert-bucket.ts';
import { listBuckets, type ListBucketsQuery } from '../sql/list-buckets.ts';
import type { BucketRow } from '../sql/rows.ts';
import { updateBucket } from '../sql/update-bucket.ts';
import { parseFileSize } from './file-size.ts';
import { validateBucketId } from './object-key.ts';
import { asCaller, asService, type StorageContext } from './storage-context.ts';

export interface BucketSettings {
  public?: boolean | undefined;
  /** Bytes, or a size such as "20MB"; null removes the limit. */
  fileSizeLimit?: number | string | null | undefined;
  /** null or [] allows every type. */
  allowedMimeTypes?: string[] | null | undefined;
}

const EMPTY_BATCH = 1000;

/**
 * The words of the /object routes, which stand where a bucket id stands (`/object/list-v2/b`,
 * `/object/b/name`). No bucket takes one as its id, so a route word is never read as a bucket,
 * whichever routes a later version adds under it. Supabase leaves these open; its own
 * list-v2 route shadows a bucket called `list-v2`.
 */
export const OBJECT_ROUTE_WORDS: ReadonlySet<string> = new Set(['authenticated', 'public', 'info', 'sign', 'upload', 'list', 'list-v2', 'move', 'copy']);

/** A new bucket's id: Supabase's rules, and none of the route words. */
export function checkBucketId(id: string): string {
  const checked = validateBucketId(id);
  if (!checked.ok) throw StorageErrors.invalidBucketName(checked.reason);
  if (OBJECT_ROUTE_WORDS.has(id)) throw StorageErrors.invalidBucketName(`${id} is a word of the storage routes`);
  return checked.key;
}

function fileSizeLimitOf(value: number | string | null | undefined): number | null | undefined {
  if (value === undefined || value === null) return value;
  const bytes = parseFileSize(value);
  if (bytes === undefined) throw StorageErrors.invalidFileSizeLimit();
  // 0 means "no limit of its own" in Supabase's dashboard
  return bytes === 0 ? null : bytes;
}

function mimeTypesOf(value: string[] | null | undefined): string[] | null | undefined {
  if (value === undefined || value === null) return value;
  const types = value.filter((type) => type.trim() !== '');
  for (const type of types) if (!/^[\w.+-]+\/[\w.+*-]+$/.test(type.trim())) throw StorageErrors.invalidMimeType(type);
  return types.length === 0 ? null : types;
}

/** The buckets of a project: what Supabase's /bucket routes do, as the caller. */
export const Buckets = {
  list(context: StorageContext, query: ListBucketsQuery): Promise<BucketRow[]> {
    return asCaller(context, (sql) => listBuckets(sql, query));
  },

  async get(context: StorageContext, id: string): Promise<BucketRow> {
    const bucket = await asCaller(context, (sql) => findBucket(sql, id));
    if (bucket === undefined) throw StorageErrors.noSuchBucket();
    return bucket;
  },

  async create(context: StorageContext, id: string, name: string, settings: BucketSettings): Promise<void> {
    checkBucketId(id);
    const fileSizeLimit = fileSizeLimitOf(settings.fileSizeLimit) ?? null;
    const allowedMimeTypes = mimeTypesOf(settings.allowedMimeTypes) ?? null;
    try {
      await asCaller(context, (sql) =>
        insertBucket(sql, { id, name, owner: context.caller.owner, public: settings.public ?? false, fileSizeLimit, allowedMimeTypes }),
      );
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw StorageErrors.bucketAlreadyExists();
      throw error;
    }
  },

  async update(context: StorageContext, id: string, settings: BucketSettings): Promise<void> {
    const changes = {
      ...(settings.public !== undefined ? { public: settings.public } : {}),
      ...(settings.fileSizeLimit !== undefined ? { fileSizeLimit: fileSizeLimitOf(settings.fileSizeLimit) } : {}),
      ...(settings.allowedMimeTypes !== undefined ? { allowedMimeTypes: mimeTypesOf(settings.allowedMimeTypes) } : {}),
    };
    const updated = await asCaller(context, (sql) => updateBucket(sql, id, changes));
    if (!updated) throw StorageErrors.noSuchBucket();
  },

  /**
   * Deletes the objects of the bucket the caller may delete, in batches; each batch's bytes are
   * deleted once its rows are gone, so a failure part-way leaves rows only for bytes that exist.
   */
  async empty(context: StorageContext, id: string): Promise<void> {
    const bucket = await asCaller(context, (sql) => findBucket(sql, id));
    if (bucket === undefined) throw StorageErrors.noSuchBucket();
    for (;;) {
      const deleted = await asCaller(context, (sql) => deleteBucketObjects(sql, id, EMPTY_BATCH));
      const locations = deleted.flatMap(({ name, version }) => (version === null ? [] : [{ projectId: context.project.id, bucketId: id, key: name, version }]));
      if (locations.length > 0) await context.backend.delete(locations);
      if (deleted.length < EMPTY_BATCH) return;
    }
  },

  async remove(context: StorageContext, id: string): Promise<void> {
    let deleted: boolean;
    try {
      deleted = await asCaller(context, (sql) => deleteBucket(sql, id));
    } catch (error) {
      if ((error as { code?: string }).code === '23503') throw StorageErrors.bucketNotEmpty();
      throw databaseErrorToStorageError(error) ?? error;
    }
    if (!deleted) throw StorageErrors.noSuchBucket();
  },

  /** The bucket's limits, whoever asks: uploads check them before the caller's policies decide. */
  async limitsOf(context: StorageContext, id: string): Promise<BucketRow> {
    const bucket = await asService(context, (sql) => findBucket(sql, id));
    if (bucket === undefined) throw StorageErrors.noSuchBucket();
    return bucket;
  },
};
