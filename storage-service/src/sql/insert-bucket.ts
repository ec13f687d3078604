import type { Sql } from './rows.ts';

export interface NewBucket {
  id: string;
  name: string;
  owner: string | null;
  public: boolean;
  fileSizeLimit: number | null;
  allowedMimeTypes: string[] | null;
}

/** Fails with unique_violation when the id or name is taken, insufficient_privilege when RLS refuses. */
export async function insertBucket(sql: Sql, bucket: NewBucket): Promise<void> {
  await sql.query(
    `insert into storage.buckets (id, name, owner, owner_id, public, file_size_limit, allowed_mime_types)
     values ($1, $2, case when $3::text ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then $3::uuid end, $3, $4, $5, $6)`,
    [bucket.id, bucket.name, bucket.owner, bucket.public, bucket.fileSizeLimit, bucket.allowedMimeTypes],
  );
}
