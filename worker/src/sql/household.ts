import type pg from 'pg';

export interface HouseholdAsset {
  id: string;
  name: string;
  property_id: string;
  template_key: string | null;
  category: string | null;
  tasks: Array<{ id: string; title: string; next_due_on: string | null }>;
}

export interface CatalogueEntry {
  key: string;
  name: string;
  category: string;
  tasks: Array<{ title: string }>;
}

/** The assets (with their active tasks) of the properties the capture's creator belongs to, or of its one property. */
const ASSETS = `
select a.id, a.name, a.property_id, a.template_key, a.category,
       coalesce(json_agg(json_build_object('id', t.id, 'title', t.title, 'next_due_on', t.next_due_on) order by t.next_due_on nulls last)
                  filter (where t.id is not null), '[]') as tasks
  from public.assets a
  left join public.maintenance_tasks t on t.asset_id = a.id and t.active
 where a.property_id in (select m.property_id from public.property_members m where m.user_id = $1)
   and ($2::uuid is null or a.property_id = $2)
 group by a.id`;

export async function householdAssets(sql: pg.ClientBase, ownerId: string, propertyId: string | null): Promise<HouseholdAsset[]> {
  return (await sql.query<HouseholdAsset>(ASSETS, [ownerId, propertyId])).rows;
}

/** An asset with the ids of the users asked about who are members of its property. */
export interface MemberAsset extends HouseholdAsset {
  member_ids: string[];
}

/**
 * The assets (with their active tasks) of every property any of the users belongs to, once for a
 * batch of notes from those users; `assetsOf` picks each note's share.
 */
const MEMBERS_ASSETS = `
select a.id, a.name, a.property_id, a.template_key, a.category, m.member_ids,
       coalesce((select json_agg(json_build_object('id', t.id, 'title', t.title, 'next_due_on', t.next_due_on) order by t.next_due_on nulls last)
                   from public.maintenance_tasks t
                  where t.asset_id = a.id and t.active), '[]') as tasks
  from (select property_id, array_agg(user_id)::text[] as member_ids
          from public.property_members
         where user_id = any($1::uuid[])
         group by property_id) m
  join public.assets a on a.property_id = m.property_id`;

export async function membersAssets(sql: pg.ClientBase, userIds: readonly string[]): Promise<MemberAsset[]> {
  return (await sql.query<MemberAsset>(MEMBERS_ASSETS, [userIds])).rows;
}

/** What `householdAssets(owner, property)` reads, taken from a batch's `membersAssets`. */
export function assetsOf(assets: readonly MemberAsset[], ownerId: string, propertyId: string | null): HouseholdAsset[] {
  return assets.filter((asset) => asset.member_ids.includes(ownerId) && (propertyId === null || asset.property_id === propertyId));
}

export async function catalogue(sql: pg.ClientBase): Promise<CatalogueEntry[]> {
  return (await sql.query<CatalogueEntry>(`select key, name, category, tasks from public.asset_templates order by key`)).rows;
}

/** Which stored version of the capture's file its storage row points at; undefined when it is gone. */
export async function captureObject(sql: pg.ClientBase, name: string): Promise<{ version: string; mimetype: string | null; size: number | null } | undefined> {
  const { rows } = await sql.query<{ version: string | null; mimetype: string | null; size: number | null }>(
    `select o.version, o.metadata ->> 'mimetype' as mimetype, (o.metadata ->> 'size')::bigint as size from storage.objects o where o.bucket_id = 'captures' and o.name = $1`,
    [name],
  );
  const row = rows[0];
  return row?.version ? { version: row.version, mimetype: row.mimetype, size: row.size === null ? null : Number(row.size) } : undefined;
}

/** The document accept_capture filed for the photo: where its bytes go. */
export async function acceptedDocument(sql: pg.ClientBase, documentId: string): Promise<{ storage_path: string; mime_type: string | null } | undefined> {
  return (await sql.query<{ storage_path: string; mime_type: string | null }>(`select storage_path, mime_type from public.documents where id = $1`, [documentId])).rows[0];
}
