-- Files whose metadata row is gone. storage-service deletes an object's bytes itself after its own
-- deletes commit, but a row deleted by anything else — a cascade, an app's trigger (Haven's
-- property and account deletions), an operator's SQL — would leave its bytes on disk or in S3 for
-- ever. Every deleted row's stored version is queued here in the same transaction (so a rolled
-- back delete queues nothing), and storage-service drains the queue: it deletes the bytes, then
-- the queue rows (src/domain/removed-objects.ts). Deleting bytes that are already gone is a no-op,
-- so the service's own deletes passing through here too costs a little, and loses nothing.
--
-- Runs as a superuser; the table and function are handed to the project's owner role.

create table if not exists storage.removed_objects (
  id bigint generated always as identity primary key,
  bucket_id text not null,
  name text not null,
  -- the stored version of the bytes (storage.objects.version): which file to delete
  version text not null,
  removed_at timestamptz not null default now()
);
comment on table storage.removed_objects is
  'Stored versions whose storage.objects row was deleted, until storage-service has deleted their bytes.';

create or replace function storage.queue_removed_objects() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  insert into storage.removed_objects (bucket_id, name, version)
  select gone.bucket_id, gone.name, gone.version from gone where gone.version is not null;
  return null;
end
$$;

drop trigger if exists queue_removed_objects on storage.objects;
create trigger queue_removed_objects after delete on storage.objects
  referencing old table as gone
  for each statement execute function storage.queue_removed_objects();

-- only the service role (storage-service's sweep) reads and drains it; it is not the request roles' business
alter table storage.removed_objects enable row level security;
revoke all on storage.removed_objects from public, anon, authenticated;
-- (update: FOR UPDATE SKIP LOCKED, so that two sweeps never take the same entries)
grant select, update, delete on storage.removed_objects to service_role;
revoke execute on function storage.queue_removed_objects() from public;

do $owner$
declare
  owner_role text := current_setting('launchdb.owner_role');
begin
  execute format('alter table storage.removed_objects owner to %I', owner_role);
  execute format('alter function storage.queue_removed_objects() owner to %I', owner_role);
end
$owner$;
