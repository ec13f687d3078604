import type { Sql } from './rows.ts';

export interface RemovedObjectRow {
  bucket_id: string;
  name: string;
  version: string;
}

/**
 * Takes up to `limit` entries of storage.removed_objects off the queue (oldest first; entries
 * another sweep holds are skipped). Deleted in the caller's transaction: if deleting the bytes
 * fails, the rollback puts them back.
 */
export async function claimRemovedObjects(sql: Sql, limit: number): Promise<RemovedObjectRow[]> {
  const { rows } = await sql.query<RemovedObjectRow>(
    `delete from storage.removed_objects
      where id = any (array(select r.id from storage.removed_objects r order by r.id limit $1 for update skip locked))
      returning bucket_id, name, version`,
    [limit],
  );
  return rows;
}
