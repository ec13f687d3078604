import { OBJECT_COLUMNS, type ObjectRow, type Sql } from './rows.ts';

/** The object, if the role may see it (RLS); `forUpdate` also locks it (and needs the UPDATE policy). */
export async function findObject(sql: Sql, bucketId: string, name: string, options: { forUpdate?: boolean } = {}): Promise<ObjectRow | undefined> {
  const { rows } = await sql.query<ObjectRow>(
    `select ${OBJECT_COLUMNS} from storage.objects where bucket_id = $1 and name = $2${options.forUpdate ? ' for update' : ''}`,
    [bucketId, name],
  );
  return rows[0];
}
