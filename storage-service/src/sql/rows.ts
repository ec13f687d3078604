import type { PoolClient } from '@launchdb/common';

/** A connection inside a transaction that already runs as the request's role (withRequestRole). */
export type Sql = Pick<PoolClient, 'query'>;

/** A row of storage.buckets, as Supabase returns it. */
export interface BucketRow {
  id: string;
  name: string;
  owner: string | null;
  public: boolean;
  file_size_limit: number | null;
  allowed_mime_types: string[] | null;
  created_at: string;
  updated_at: string;
}

/** What storage.objects.metadata holds, as Supabase writes it. */
export interface ObjectMetadata {
  eTag: string;
  size: number;
  mimetype: string;
  cacheControl: string;
  lastModified: string;
  contentLength: number;
  httpStatusCode: number;
}

/** A row of storage.objects. */
export interface ObjectRow {
  id: string;
  bucket_id: string;
  name: string;
  owner: string | null;
  owner_id: string | null;
  version: string | null;
  metadata: ObjectMetadata | null;
  user_metadata: Record<string, unknown> | null;
  created_at: string;
  updated_at: string;
  last_accessed_at: string;
}

/**
 * A timestamp as Supabase's answers carry it (a JavaScript Date in JSON: `2024-05-01T09:30:00.123Z`),
 * whatever the session's time zone.
 */
export const isoTimestamp = (expression: string) => `to_char((${expression}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The bucket as Supabase's getBucket and listBuckets answer it: no owner_id. */
export const BUCKET_COLUMNS = `id, name, owner, public, file_size_limit::float8 as file_size_limit, allowed_mime_types,
  ${isoTimestamp('created_at')} as created_at, ${isoTimestamp('updated_at')} as updated_at`;

export const OBJECT_COLUMNS = `id, bucket_id, name, owner, owner_id, version, metadata, user_metadata,
  ${isoTimestamp('created_at')} as created_at, ${isoTimestamp('updated_at')} as updated_at, ${isoTimestamp('last_accessed_at')} as last_accessed_at`;
