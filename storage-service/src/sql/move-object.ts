import type { Sql } from './rows.ts';

export interface ObjectMove {
  fromBucketId: string;
  fromName: string;
  toBucketId: string;
  toName: string;
  /** The copy of the bytes at the new name. */
  version: string;
  owner: string | null;
}

/**
 * Renames the object's row and points it at the bytes copied to the new name. Undefined when
 * the role may not update it (RLS hides it); unique_violation when the destination is taken.
 */
export async function moveObject(sql: Sql, move: ObjectMove): Promise<{ id: string } | undefined> {
  const { rows } = await sql.query<{ id: string }>(
    `update storage.objects set bucket_id = $3, name = $4, version = $5,
       owner = case when $6::text ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then $6::uuid end, owner_id = $6,
       updated_at = now()
     where bucket_id = $1 and name = $2
     returning id`,
    [move.fromBucketId, move.fromName, move.toBucketId, move.toName, move.version, move.owner],
  );
  return rows[0];
}
