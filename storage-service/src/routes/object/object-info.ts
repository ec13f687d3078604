import type { ObjectRow } from '../../sql/rows.ts';

/** GET /object/info: what storage-js's info() reads (FileObjectV2), as Supabase's InfoRenderer answers it. */
export function objectInfo(row: ObjectRow): Record<string, unknown> {
  return {
    id: row.id,
    version: row.version,
    name: row.name,
    bucket_id: row.bucket_id,
    created_at: row.created_at,
    size: row.metadata?.size ?? null,
    content_type: row.metadata?.mimetype ?? null,
    cache_control: row.metadata?.cacheControl ?? null,
    etag: row.metadata?.eTag ?? null,
    last_modified: row.updated_at,
    metadata: row.user_metadata ?? {},
  };
}
