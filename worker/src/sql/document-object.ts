import type pg from 'pg';

/**
 * The documents bucket's row for a photo accept_capture filed, pointing at the copied bytes:
 * written once, so a retried copy (same version name) changes nothing.
 */
const UPSERT = `
insert into storage.objects (bucket_id, name, owner, owner_id, version, metadata)
select 'documents', $1, $2::uuid, $2, $3, source.metadata
  from storage.objects source
 where source.bucket_id = 'captures' and source.name = $4
on conflict (bucket_id, name) do update set version = excluded.version, metadata = excluded.metadata, updated_at = now()`;

export async function recordDocumentObject(sql: pg.ClientBase, name: string, owner: string, version: string, sourceName: string): Promise<void> {
  await sql.query(UPSERT, [name, owner, version, sourceName]);
}
