import { BUCKET_COLUMNS, type BucketRow, type Sql } from './rows.ts';

/** The bucket, if the role may see it (RLS); undefined otherwise. */
export async function findBucket(sql: Sql, id: string): Promise<BucketRow | undefined> {
  const { rows } = await sql.query<BucketRow>(`select ${BUCKET_COLUMNS} from storage.buckets where id = $1`, [id]);
  return rows[0];
}
