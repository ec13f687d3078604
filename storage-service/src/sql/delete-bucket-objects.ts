import type { Sql } from './rows.ts';

/** Deletes up to `limit` objects of the bucket the role may delete (RLS); returns what they pointed at. */
export async function deleteBucketObjects(sql: Sql, bucketId: string, limit: number): Promise<Array<{ name: string; version: string | null }>> {
  const { rows } = await sql.query<{ name: string; version: string | null }>(
    `delete from storage.objects where id in (select id from storage.objects where bucket_id = $1 limit $2)
     returning name, version`,
    [bucketId, limit],
  );
  return rows;
}
