import { OBJECT_COLUMNS, type ObjectRow, type Sql } from './rows.ts';

/** Those of the names the role may see (RLS). */
export async function findObjects(sql: Sql, bucketId: string, names: string[]): Promise<ObjectRow[]> {
  const { rows } = await sql.query<ObjectRow>(`select ${OBJECT_COLUMNS} from storage.objects where bucket_id = $1 and name = any($2::text[])`, [
    bucketId,
    names,
  ]);
  return rows;
}
