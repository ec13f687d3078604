import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { unstorableInFields } from '@launchdb/common/storable-input';
import { ObjectTooLargeError, type ObjectLocation, type StoredObjectInfo } from '../backends/storage-backend.ts';
import { StorageErrors, databaseErrorToStorageError } from '../errors.ts';
import { deleteObjects } from '../sql/delete-objects.ts';
import { findObject } from '../sql/find-object.ts';
import { findObjects } from '../sql/find-objects.ts';
import { listObjects, type ListedObject, type ObjectSortColumn } from '../sql/list-objects.ts';
import { listObjectsV2, type ListV2SortColumn } from '../sql/list-objects-v2.ts';
import { moveObject } from '../sql/move-object.ts';
import type { ObjectMetadata, ObjectRow, Sql } from '../sql/rows.ts';
import { upsertObject, type ObjectWrite } from '../sql/upsert-object.ts';
import { Buckets } from './buckets.ts';
import { decodeListCursor, encodeListCursor } from './list-cursor.ts';
import { isMimeTypeAllowed, isValidContentType } from './mime-types.ts';
import { validateObjectKey } from './object-key.ts';
import { asCaller, asService, dryRunAsCaller, type StorageContext } from './storage-context.ts';

export interface UploadRequest {
  bucketId: string;
  name: string;
  body: Readable;
  contentType: string;
  cacheControl: string;
  /** From Content-Length, when the client sent one: checked against the limits before any byte is read. */
  contentLength?: number | undefined;
  userMetadata: Record<string, unknown> | null;
  upsert: boolean;
  /** Aborted when the client goes away: nothing is stored. */
  signal?: AbortSignal | undefined;
}

export interface StoredObject {
  id: string;
  /** `<bucket>/<name>`, as Supabase answers it. */
  key: string;
}

export interface UploadLimits {
  maxBytes: number;
  allowedMimeTypes: string[] | null;
}

export interface ListRequest {
  prefix: string;
  limit: number;
  offset: number;
  search: string;
  sortColumn: ObjectSortColumn;
  sortOrder: 'asc' | 'desc';
}

export interface ListV2Request {
  prefix: string;
  limit: number;
  cursor?: string | undefined;
  withDelimiter: boolean;
  sortColumn?: ListV2SortColumn | undefined;
  sortOrder?: 'asc' | 'desc' | undefined;
}

/** A list-v2 object: with `key` (its name below the prefix's folder) when listed by folder. */
export interface ListedObjectV2 {
  key?: string;
  name: string;
  id: string;
  metadata: ObjectMetadata | null;
  created_at: string;
  updated_at: string;
  last_accessed_at: string | null;
}

export interface ListedFolderV2 {
  key: string;
  name: string;
  id: null;
  metadata: null;
  created_at: string | null;
  updated_at: string | null;
  last_accessed_at: null;
}

/** Supabase's list-v2 answer. */
export interface ListV2Result {
  hasNext: boolean;
  nextCursor?: string;
  folders: ListedFolderV2[];
  objects: ListedObjectV2[];
}

export interface ObjectTransfer {
  bucketId: string;
  sourceKey: string;
  destinationBucket: string;
  destinationKey: string;
}

export function checkObjectKey(name: string): string {
  const checked = validateObjectKey(name);
  if (!checked.ok) throw StorageErrors.invalidKey(name);
  return checked.key;
}

export function locationOf(context: StorageContext, bucketId: string, key: string, version: string): ObjectLocation {
  return { projectId: context.project.id, bucketId, key, version };
}

/** Where a row's bytes are; NoSuchKey for a row that points at none (written by hand in SQL). */
export function locationOfRow(context: StorageContext, row: ObjectRow): ObjectLocation {
  if (row.version === null) throw StorageErrors.noSuchKey();
  return locationOf(context, row.bucket_id, row.name, row.version);
}

function metadataOf(info: StoredObjectInfo): ObjectMetadata {
  return {
    eTag: info.etag,
    size: info.size,
    mimetype: info.contentType,
    cacheControl: info.cacheControl,
    lastModified: info.lastModified.toISOString(),
    contentLength: info.size,
    httpStatusCode: 200,
  };
}

function asStorageError(error: unknown): unknown {
  return databaseErrorToStorageError(error) ?? error;
}

/** Deletes bytes nobody points at any more; a failure leaves an orphan, never a broken object. */
async function discard(context: StorageContext, locations: ObjectLocation[]): Promise<void> {
  if (locations.length === 0) return;
  try {
    await context.backend.delete(locations);
  } catch (error) {
    context.logger.warn({ err: error, projectId: context.project.id, count: locations.length }, 'deleting replaced object versions failed');
  }
}

/**
 * Writes a row for bytes already stored at `version`, in one transaction as the caller (RLS
 * decides); a refusal deletes the new bytes, and a replaced version is deleted once committed.
 */
async function commitObject(context: StorageContext, write: ObjectWrite, upsert: boolean): Promise<StoredObject> {
  const written = locationOf(context, write.bucketId, write.name, write.version);
  let result: { id: string; replaced: string | null };
  try {
    result = await asCaller(context, async (sql) => {
      const previous = upsert ? await findObject(sql, write.bucketId, write.name, { forUpdate: true }) : undefined;
      const { id } = await upsertObject(sql, write, upsert);
      return { id, replaced: previous?.version ?? null };
    });
  } catch (error) {
    await discard(context, [written]);
    throw asStorageError(error);
  }
  if (result.replaced !== null && result.replaced !== write.version) {
    await discard(context, [locationOf(context, write.bucketId, write.name, result.replaced)]);
  }
  return { id: result.id, key: `${write.bucketId}/${write.name}` };
}

/** Whether the caller's policies would let it write this row; nothing is kept. */
async function mustBeAllowedToWrite(context: StorageContext, bucketId: string, name: string, upsert: boolean): Promise<void> {
  const probe: ObjectWrite = {
    bucketId,
    name,
    owner: context.caller.owner,
    version: 'probe',
    metadata: { eTag: '', size: 0, mimetype: '', cacheControl: '', lastModified: new Date(0).toISOString(), contentLength: 0, httpStatusCode: 200 },
    userMetadata: null,
  };
  try {
    await dryRunAsCaller(context, async (sql) => {
      await upsertObject(sql, probe, upsert);
    });
  } catch (error) {
    throw asStorageError(error);
  }
}

export const Objects = {
  /** The size and type limits of an upload into the bucket (the service's own limit included). */
  async uploadLimits(context: StorageContext, bucketId: string): Promise<UploadLimits> {
    const bucket = await Buckets.limitsOf(context, bucketId);
    const global = context.settings.STORAGE_FILE_SIZE_LIMIT;
    return {
      maxBytes: bucket.file_size_limit === null ? global : Math.min(global, bucket.file_size_limit),
      allowedMimeTypes: bucket.allowed_mime_types,
    };
  },

  /**
   * Everything an upload must pass before its bytes are read: the name, the bucket, the size
   * announced, the type, and the caller's policies (a rolled-back insert, as Supabase's canUpload).
   */
  async prepareUpload(
    context: StorageContext,
    request: {
      bucketId: string;
      name: string;
      contentType: string;
      contentLength?: number | undefined;
      upsert: boolean;
      cacheControl?: string | undefined;
      userMetadata?: Record<string, unknown> | null | undefined;
    },
    known?: UploadLimits,
  ): Promise<UploadLimits> {
    checkObjectKey(request.name);
    // what arrived encoded (a multipart form, base64 in x-metadata or Upload-Metadata) was never seen by the edge's check
    const unstorable = unstorableInFields({ bucketName: request.bucketId, contentType: request.contentType, cacheControl: request.cacheControl, metadata: request.userMetadata });
    if (unstorable !== undefined) throw StorageErrors.invalidRequest(unstorable.message);
    const limits = known ?? (await Objects.uploadLimits(context, request.bucketId));
    if (request.contentLength !== undefined && request.contentLength > limits.maxBytes) throw StorageErrors.entityTooLarge();
    if (!isValidContentType(request.contentType)) throw StorageErrors.invalidMimeType(request.contentType);
    if (!isMimeTypeAllowed(request.contentType, limits.allowedMimeTypes)) throw StorageErrors.invalidMimeType(request.contentType);
    await mustBeAllowedToWrite(context, request.bucketId, request.name, request.upsert);
    return limits;
  },

  /** Streams the body into a new version, then points the row at it (see commitObject). */
  async upload(context: StorageContext, request: UploadRequest, prepared?: UploadLimits): Promise<StoredObject> {
    const limits = prepared ?? (await Objects.prepareUpload(context, request));
    const version = randomUUID();
    let info: StoredObjectInfo;
    try {
      info = await context.backend.write(locationOf(context, request.bucketId, request.name, version), request.body, {
        contentType: request.contentType,
        cacheControl: request.cacheControl,
        maxBytes: limits.maxBytes,
        ...(request.signal ? { signal: request.signal } : {}),
      });
    } catch (error) {
      if (error instanceof ObjectTooLargeError) throw StorageErrors.entityTooLarge();
      if (request.signal?.aborted) throw StorageErrors.clientGone();
      throw error;
    }
    return commitObject(
      context,
      { bucketId: request.bucketId, name: request.name, owner: context.caller.owner, version, metadata: metadataOf(info), userMetadata: request.userMetadata },
      request.upsert,
    );
  },

  /** The object's row, if the caller may see it. */
  async find(context: StorageContext, bucketId: string, name: string): Promise<ObjectRow> {
    const row = await asCaller(context, (sql) => findObject(sql, bucketId, name));
    if (row === undefined) throw StorageErrors.noSuchKey();
    return row;
  },

  /** The object of a public bucket, whoever asks; NoSuchBucket when the bucket is not public. */
  async findPublic(context: StorageContext, bucketId: string, name: string): Promise<ObjectRow> {
    const bucket = await Buckets.limitsOf(context, bucketId);
    if (!bucket.public) throw StorageErrors.noSuchBucket();
    const row = await asService(context, (sql) => findObject(sql, bucketId, name));
    if (row === undefined) throw StorageErrors.noSuchKey();
    return row;
  },

  /** The object a signed URL names, whoever holds it. */
  async findSigned(context: StorageContext, bucketId: string, name: string): Promise<ObjectRow> {
    const row = await asService(context, (sql) => findObject(sql, bucketId, name));
    if (row === undefined) throw StorageErrors.noSuchKey();
    return row;
  },

  async findMany(context: StorageContext, bucketId: string, names: string[]): Promise<ObjectRow[]> {
    return asCaller(context, (sql) => findObjects(sql, bucketId, names));
  },

  async remove(context: StorageContext, bucketId: string, name: string): Promise<void> {
    const deleted = await Objects.removeMany(context, bucketId, [name]);
    if (deleted.length === 0) throw StorageErrors.noSuchKey();
  },

  /** Deletes those of the names the caller may delete; their bytes go once the rows are gone. */
  async removeMany(context: StorageContext, bucketId: string, names: string[]): Promise<ObjectRow[]> {
    const deleted = await asCaller(context, (sql) => deleteObjects(sql, bucketId, names)).catch((error: unknown) => {
      throw asStorageError(error);
    });
    await discard(
      context,
      deleted.flatMap((row) => (row.version === null ? [] : [locationOf(context, row.bucket_id, row.name, row.version)])),
    );
    return deleted;
  },

  list(context: StorageContext, bucketId: string, request: ListRequest): Promise<ListedObject[]> {
    let prefix = request.prefix.replace(/^\/+/, '');
    if (prefix !== '' && !prefix.endsWith('/')) prefix += '/';
    const level = prefix.split('/').length;
    return asCaller(context, (sql: Sql) =>
      listObjects(sql, {
        bucketId,
        namePrefix: prefix + request.search,
        level,
        limit: request.limit,
        offset: request.offset,
        sortColumn: request.sortColumn,
        sortOrder: request.sortOrder,
      }),
    );
  },

  /**
   * One page of the objects under a prefix (by folder with `withDelimiter`), as the caller sees
   * them, and a cursor for the next; the cursor carries the order it was asked in.
   */
  async listV2(context: StorageContext, bucketId: string, request: ListV2Request): Promise<ListV2Result> {
    const cursor = request.cursor === undefined || request.cursor === '' ? undefined : decodeListCursor(request.cursor);
    const sortColumn = cursor?.sortColumn ?? request.sortColumn ?? 'name';
    const sortOrder = cursor?.sortOrder ?? request.sortOrder ?? 'asc';
    const entries = await asCaller(context, (sql) =>
      listObjectsV2(sql, {
        bucketId,
        prefix: request.prefix,
        delimited: request.withDelimiter,
        sortColumn,
        sortOrder,
        after: cursor === undefined ? undefined : { name: cursor.startAfter, sortValue: cursor.sortColumnAfter },
        limit: request.limit,
      }),
    );
    const hasNext = entries.length > request.limit;
    const page = hasNext ? entries.slice(0, request.limit) : entries;
    // the segment of each name at the prefix's depth, as Supabase's search_v2 names it
    const level = request.prefix.split('/').length;
    const keyOf = (name: string) => name.split('/')[level - 1] ?? '';
    const result: ListV2Result = { hasNext, folders: [], objects: [] };
    for (const entry of page) {
      const { is_folder: isFolder, sort_value: _sortValue, ...fields } = entry;
      if (isFolder) {
        result.folders.push({ key: keyOf(entry.name), ...fields, id: null, metadata: null, last_accessed_at: null });
      } else {
        const object = fields as Omit<ListedObjectV2, 'key'>;
        result.objects.push(request.withDelimiter ? { key: keyOf(entry.name), ...object } : object);
      }
    }
    if (hasNext) {
      const last = page.at(-1)!;
      result.nextCursor = encodeListCursor({
        startAfter: last.name,
        sortOrder,
        sortColumn,
        sortColumnAfter: sortColumn === 'name' ? undefined : (last.sort_value ?? undefined),
      });
    }
    return result;
  },

  /** Renames an object: its bytes are copied to the new name, the row moved as the caller, the old bytes deleted. */
  async move(context: StorageContext, transfer: ObjectTransfer): Promise<void> {
    checkObjectKey(transfer.sourceKey);
    checkObjectKey(transfer.destinationKey);
    await Buckets.limitsOf(context, transfer.destinationBucket);
    const source = await Objects.find(context, transfer.bucketId, transfer.sourceKey);
    const from = locationOfRow(context, source);
    const to = locationOf(context, transfer.destinationBucket, transfer.destinationKey, randomUUID());
    await context.backend.copy(from, to);
    let moved;
    try {
      moved = await asCaller(context, (sql) =>
        moveObject(sql, {
          fromBucketId: transfer.bucketId,
          fromName: transfer.sourceKey,
          toBucketId: transfer.destinationBucket,
          toName: transfer.destinationKey,
          version: to.version,
          owner: context.caller.owner ?? source.owner_id,
        }),
      );
    } catch (error) {
      await discard(context, [to]);
      throw asStorageError(error);
    }
    if (moved === undefined) {
      await discard(context, [to]);
      throw StorageErrors.noSuchKey();
    }
    await discard(context, [from]);
  },

  /** Copies an object's bytes and metadata to a new name the caller may write. */
  async copy(context: StorageContext, transfer: ObjectTransfer, upsert: boolean): Promise<StoredObject> {
    checkObjectKey(transfer.sourceKey);
    checkObjectKey(transfer.destinationKey);
    const source = await Objects.find(context, transfer.bucketId, transfer.sourceKey);
    await Buckets.limitsOf(context, transfer.destinationBucket);
    await mustBeAllowedToWrite(context, transfer.destinationBucket, transfer.destinationKey, upsert);
    const to = locationOf(context, transfer.destinationBucket, transfer.destinationKey, randomUUID());
    const info = await context.backend.copy(locationOfRow(context, source), to);
    return commitObject(
      context,
      {
        bucketId: to.bucketId,
        name: to.key,
        owner: context.caller.owner,
        version: to.version,
        metadata: metadataOf(info),
        userMetadata: source.user_metadata,
      },
      upsert,
    );
  },

  /** Checks that the caller may create the object (for a signed upload URL): the bucket exists and the policies allow it. */
  async mustBeUploadable(context: StorageContext, bucketId: string, name: string, upsert: boolean): Promise<void> {
    checkObjectKey(name);
    await Buckets.limitsOf(context, bucketId);
    await mustBeAllowedToWrite(context, bucketId, name, upsert);
  },
};
