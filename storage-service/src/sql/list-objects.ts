import { isoTimestamp, type ObjectMetadata, type Sql } from './rows.ts';

/** One entry of a folder listing: a file, or a folder (every field but the name null), as Supabase lists them. */
export interface ListedObject {
  name: string;
  id: string | null;
  updated_at: string | null;
  created_at: string | null;
  last_accessed_at: string | null;
  metadata: ObjectMetadata | null;
}

export type ObjectSortColumn = 'name' | 'created_at' | 'updated_at' | 'last_accessed_at';

export interface ListObjectsQuery {
  bucketId: string;
  /** The folder, ending with `/` (or empty for the bucket's top level), followed by the search text. */
  namePrefix: string;
  /** How many `/`-separated segments the names of the folder's entries have. */
  level: number;
  limit: number;
  offset: number;
  sortColumn: ObjectSortColumn;
  sortOrder: 'asc' | 'desc';
}

const FILE_ORDER: Record<ObjectSortColumn, Record<'asc' | 'desc', string>> = {
  name: { asc: 'name asc', desc: 'name desc' },
  created_at: { asc: 'created_at asc, name asc', desc: 'created_at desc, name asc' },
  updated_at: { asc: 'updated_at asc, name asc', desc: 'updated_at desc, name asc' },
  last_accessed_at: { asc: 'last_accessed_at asc, name asc', desc: 'last_accessed_at desc, name asc' },
};

/**
 * Folders first, then files, of one folder of the bucket, among the objects the role may see
 * (RLS) — what Supabase's storage.search returns. Case-insensitive prefix, as in Supabase; `%`
 * and `_` in it match only themselves.
 */
export async function listObjects(sql: Sql, query: ListObjectsQuery): Promise<ListedObject[]> {
  const folderOrder = query.sortColumn === 'name' ? query.sortOrder : 'asc';
  const { rows } = await sql.query<ListedObject>(
    `with matching as (
       select * from storage.objects
        where bucket_id = $1
          and name ilike replace(replace(replace($2, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%'
     ),
     folders as (
       select path_tokens[$3] as name from matching where array_length(path_tokens, 1) > $3 group by 1
     ),
     entries as (
       (select name, null::uuid as id, null::text as updated_at, null::text as created_at, null::text as last_accessed_at, null::jsonb as metadata,
               row_number() over (order by name ${folderOrder}) as position, 0 as kind
          from folders)
       union all
       (select path_tokens[$3], id, ${isoTimestamp('updated_at')}, ${isoTimestamp('created_at')}, ${isoTimestamp('last_accessed_at')}, metadata,
               row_number() over (order by ${FILE_ORDER[query.sortColumn][query.sortOrder]}), 1
          from matching where array_length(path_tokens, 1) = $3)
     )
     select name, id, updated_at, created_at, last_accessed_at, metadata from entries
      order by kind, position
      limit $4 offset $5`,
    [query.bucketId, query.namePrefix, query.level, query.limit, query.offset],
  );
  return rows;
}
