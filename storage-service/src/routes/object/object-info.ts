import type { ObjectRow } from '../../sql/rows.ts';

/** GET /object/info: what storage-js's info() reads (FileObjectV2). */
export function objectInfo(row: ObjectRow): Record<string, unknown> {
  return {
    id: row.id,
    version: row.version,
    name: row.name,
    bucket_id: row.bucket_id,
    created_at: row.created_at,
    updated_at: row.updated_at,
    size: row.metadata?.size ?? null,
    content_type: row.metadata?.mimetype ?? null,
    cache_control: row.metadata?.cacheControl ?? null,
    etag: row.metadata?.eTag ?? null,
    last_modified: row.metadata?.lastModified ?? row.updated_at,
    metadata: row.user_metadata ?? {},
  };
}
