import { BUCKET_COLUMNS, type BucketRow, type Sql } from './rows.ts';

export type BucketSortColumn = 'id' | 'name' | 'created_at' | 'updated_at';

export interface ListBucketsQuery {
  limit?: number;
  offset?: number;
  /** Part of the name, matched case-insensitively. */
  search?: string;
  sortColumn: BucketSortColumn;
  sortOrder: 'asc' | 'desc';
}

// fixed fragments only: the sort column and order never come from the request as text
const ORDER_BY: Record<BucketSortColumn, Record<'asc' | 'desc', string>> = {
  id: { asc: 'id asc', desc: 'id desc' },
  name: { asc: 'name asc', desc: 'name desc' },
  created_at: { asc: 'created_at asc, id asc', desc: 'created_at desc, id desc' },
  updated_at: { asc: 'updated_at asc, id asc', desc: 'updated_at desc, id desc' },
};

/** The buckets the caller may see (RLS). */
export async function listBuckets(sql: Sql, query: ListBucketsQuery): Promise<BucketRow[]> {
  const { rows } = await sql.query<BucketRow>(
    `select ${BUCKET_COLUMNS} from storage.buckets
      where $1::text is null or name ilike '%' || replace(replace(replace($1, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%'
      order by ${ORDER_BY[query.sortColumn][query.sortOrder]}
      limit $2 offset $3`,
    [query.search ?? null, query.limit ?? null, query.offset ?? 0],
  );
  return rows;
}
