import type { Sql } from './rows.ts';

/** Whether a bucket the role may delete (RLS) was deleted; fails with foreign_key_violation while it holds objects. */
export async function deleteBucket(sql: Sql, id: string): Promise<boolean> {
  const { rowCount } = await sql.query('delete from storage.buckets where id = $1', [id]);
  return (rowCount ?? 0) > 0;
}
