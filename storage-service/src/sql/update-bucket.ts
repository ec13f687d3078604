import type { Sql } from './rows.ts';

/** Undefined in a field leaves it as it is; null clears a limit. */
export interface BucketChanges {
  public?: boolean;
  fileSizeLimit?: number | null;
  allowedMimeTypes?: string[] | null;
}

/** Whether a bucket the role may update (RLS) was there to update. */
export async function updateBucket(sql: Sql, id: string, changes: BucketChanges): Promise<boolean> {
  const { rowCount } = await sql.query(
    `update storage.buckets set
       public = case when $2 then $3 else public end,
       file_size_limit = case when $4 then $5 else file_size_limit end,
       allowed_mime_types = case when $6 then $7 else allowed_mime_types end,
       updated_at = now()
     where id = $1`,
    [
      id,
      changes.public !== undefined,
      changes.public ?? null,
      changes.fileSizeLimit !== undefined,
      changes.fileSizeLimit ?? null,
      changes.allowedMimeTypes !== undefined,
      changes.allowedMimeTypes ?? null,
    ],
  );
  return (rowCount ?? 0) > 0;
}
