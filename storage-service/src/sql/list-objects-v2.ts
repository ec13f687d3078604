import { isoTimestamp as iso, type ObjectMetadata, type Sql } from './rows.ts';

export type ListV2SortColumn = 'name' | 'created_at' | 'updated_at';

export interface ListObjectsV2Query {
  bucketId: string;
  /** Matched literally against the start of names: any string, not only a folder. */
  prefix: string;
  /** Group what lies under a `/` after the prefix into one folder entry. */
  delimited: boolean;
  sortColumn: ListV2SortColumn;
  sortOrder: 'asc' | 'desc';
  /** The last entry of the previous page: its name, and its sort column's value (ISO, ms) when that is not the name. */
  after?: { name: string; sortValue?: string | undefined } | undefined;
  limit: number;
}

/** An object, or a folder (`name` ending with `/`, no id, its oldest object's time), as Supabase's search_v2 returns them. */
export interface ListedEntryV2 {
  name: string;
  id: string | null;
  metadata: ObjectMetadata | null;
  created_at: string | null;
  updated_at: string | null;
  last_accessed_at: string | null;
  is_folder: boolean;
  /** The sort column's value, for the next page's cursor. */
  sort_value: string | null;
}

const SORT_EXPRESSIONS: Record<ListV2SortColumn, string | undefined> = {
  name: undefined,
  created_at: `date_trunc('milliseconds', created_at)`,
  updated_at: `date_trunc('milliseconds', updated_at)`,
};

/**
 * One page (plus one entry, to tell whether there is a next) of the objects the role may see
 * under a prefix, folders derived from those objects only (RLS applies to what they summarise),
 * keyset-paged on (sort column, name) in byte order — Supabase's list-v2.
 */
export async function listObjectsV2(sql: Sql, query: ListObjectsV2Query): Promise<ListedEntryV2[]> {
  const values: unknown[] = [query.bucketId, query.prefix, query.delimited, query.limit];
  const sortExpression = SORT_EXPRESSIONS[query.sortColumn];
  const direction = query.sortOrder === 'desc' ? 'desc' : 'asc';
  const comparison = direction === 'asc' ? '>' : '<';
  let after = 'true';
  if (query.after !== undefined) {
    values.push(query.after.name);
    const name = `$${values.length}::text`;
    if (sortExpression !== undefined && query.after.sortValue !== undefined) {
      values.push(query.after.sortValue);
      after = `(${sortExpression}, name collate "C") ${comparison} ($${values.length}::timestamptz, ${name})`;
    } else {
      after = `name collate "C" ${comparison} ${name}`;
    }
  }
  const order = sortExpression === undefined ? `name collate "C" ${direction}` : `${sortExpression} ${direction}, name collate "C" ${direction}`;
  const { rows } = await sql.query<ListedEntryV2>(
    `with matching as (
       select o.name, o.id, o.metadata, o.created_at, o.updated_at, o.last_accessed_at,
              case when $3::boolean and strpos(substr(o.name, length($2::text) + 1), '/') > 0
                   then left(o.name, length($2::text) + strpos(substr(o.name, length($2::text) + 1), '/')) end as folder
         from storage.objects o
        where o.bucket_id = $1 and starts_with(o.name, $2::text)
     ),
     entries as (
       select folder as name, null::uuid as id, null::jsonb as metadata, min(created_at) as created_at, min(created_at) as updated_at,
              null::timestamptz as last_accessed_at, true as is_folder
         from matching where folder is not null group by folder
       union all
       select name, id, metadata, created_at, updated_at, last_accessed_at, false from matching where folder is null
     )
     select name, id, metadata, ${iso('created_at')} as created_at, ${iso('updated_at')} as updated_at,
            ${iso('last_accessed_at')} as last_accessed_at, is_folder, ${sortExpression === undefined ? 'null' : iso(sortExpression)} as sort_value
       from entries
      where ${after}
      order by ${order}
      limit $4 + 1`,
    values,
  );
  return rows;
}
