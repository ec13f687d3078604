import { randomUUID } from 'node:crypto';
import type { ObjectMetadata, Sql } from './rows.ts';

export interface ObjectWrite {
  bucketId: string;
  name: string;
  /** The caller's `sub`: kept in owner_id, and in owner when it is a uuid. */
  owner: string | null;
  version: string;
  metadata: ObjectMetadata;
  userMetadata: Record<string, unknown> | null;
}

const INSERT = `insert into storage.objects (id, bucket_id, name, owner, owner_id, version, metadata, user_metadata)
  values ($1, $2, $3, case when $4::text ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then $4::uuid end, $4, $5, $6, $7)`;

const UPSERT = `${INSERT}
  on conflict (bucket_id, name) do update set
    owner = excluded.owner, owner_id = excluded.owner_id, version = excluded.version,
    metadata = excluded.metadata, user_metadata = excluded.user_metadata,
    updated_at = now(), last_accessed_at = now()
  returning id`;

/**
 * Inserts the object's row, or with `upsert` replaces the one of that name. As in Supabase, a
 * plain insert needs only the INSERT policy (the id is chosen here, so nothing is read back)
 * and an upsert also the SELECT and UPDATE ones. Fails with unique_violation when the name is
 * taken and `upsert` is false, with insufficient_privilege when RLS refuses.
 */
export async function upsertObject(sql: Sql, write: ObjectWrite, upsert: boolean): Promise<{ id: string }> {
  const id = randomUUID();
  const values = [id, write.bucketId, write.name, write.owner, write.version, JSON.stringify(write.metadata), write.userMetadata === null ? null : JSON.stringify(write.userMetadata)];
  if (!upsert) {
    await sql.query(INSERT, values);
    return { id };
  }
  const { rows } = await sql.query<{ id: string }>(UPSERT, values);
  return rows[0]!;
}
