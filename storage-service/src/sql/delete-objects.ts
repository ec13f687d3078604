import { OBJECT_COLUMNS, type ObjectRow, type Sql } from './rows.ts';

/** Deletes those of the names the role may delete (RLS); returns the deleted rows. */
export async function deleteObjects(sql: Sql, bucketId: string, names: string[]): Promise<ObjectRow[]> {
  const { rows } = await sql.query<ObjectRow>(`delete from storage.objects where bucket_id = $1 and name = any($2::text[]) returning ${OBJECT_COLUMNS}`, [
    bucketId,
    names,
  ]);
  return rows;
}
