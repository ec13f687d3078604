-- The metadata of the project's files, as Supabase Storage keeps it: schema `storage` with
-- `buckets` and `objects`, and the helpers policies are written with. storage-service reads and
-- writes these tables as the caller's role, so row-level security decides who may list, read,
-- write or delete. Like Supabase, RLS is enabled with no policy at all: only service_role (which
-- bypasses RLS) passes until the project's owner writes policies in a migration.
--
-- Runs as a superuser; every object is handed to the project's owner role so that the owner's
-- migrations can add policies, indexes and triggers.

create schema if not exists storage;

create table if not exists storage.buckets (
  id text not null primary key,
  name text not null,
  owner uuid,
  owner_id text,
  public boolean not null default false,
  file_size_limit bigint,
  allowed_mime_types text[],
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create unique index if not exists buckets_name_key on storage.buckets (name);

create table if not exists storage.objects (
  id uuid not null default gen_random_uuid() primary key,
  bucket_id text not null references storage.buckets (id),
  name text not null,
  owner uuid,
  owner_id text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  last_accessed_at timestamptz not null default now(),
  metadata jsonb,
  -- which stored version of the bytes this row points at (see storage-service's backends)
  version text,
  user_metadata jsonb,
  path_tokens text[] generated always as (string_to_array(name, '/')) stored
);

create unique index if not exists objects_bucket_id_name_key on storage.objects (bucket_id, name);
-- listing a folder is a prefix search within one bucket
create index if not exists objects_bucket_id_name_prefix on storage.objects (bucket_id, name text_pattern_ops);

-- Supabase's helpers for policies: storage.foldername('a/b/c.png') = {a,b},
-- storage.filename(…) = 'c.png', storage.extension(…) = 'png'.
create or replace function storage.foldername(name text) returns text[]
  language sql immutable
as $$
  select (string_to_array(name, '/'))[1:coalesce(array_length(string_to_array(name, '/'), 1), 1) - 1]
$$;

create or replace function storage.filename(name text) returns text
  language sql immutable
as $$
  select (string_to_array(name, '/'))[array_length(string_to_array(name, '/'), 1)]
$$;

create or replace function storage.extension(name text) returns text
  language sql immutable
as $$
  select case
    when storage.filename(name) like '%.%' then reverse(split_part(reverse(storage.filename(name)), '.', 1))
    else ''
  end
$$;

comment on function storage.foldername(text) is 'The folders of an object name, outermost first: storage.foldername(''a/b/c.png'') = {a,b}';
comment on function storage.filename(text) is 'The last segment of an object name';
comment on function storage.extension(text) is 'The extension of an object''s file name, without the dot; empty when it has none';

alter table storage.buckets enable row level security;
alter table storage.objects enable row level security;

-- As Supabase grants them: the request roles may try anything, row-level security decides.
grant usage on schema storage to anon, authenticated, service_role;
grant all on storage.buckets, storage.objects to anon, authenticated, service_role;
grant execute on function storage.foldername(text), storage.filename(text), storage.extension(text) to anon, authenticated, service_role;

do $owner$
declare
  owner_role text := current_setting('launchdb.owner_role');
begin
  execute format('alter schema storage owner to %I', owner_role);
  execute format('alter table storage.buckets owner to %I', owner_role);
  execute format('alter table storage.objects owner to %I', owner_role);
  execute format('alter function storage.foldername(text) owner to %I', owner_role);
  execute format('alter function storage.filename(text) owner to %I', owner_role);
  execute format('alter function storage.extension(text) owner to %I', owner_role);
  -- what the owner's migrations add to storage is usable by the request roles too, as in Supabase
  execute format('alter default privileges for role %I in schema storage grant all on tables to anon, authenticated, service_role', owner_role);
  execute format('alter default privileges for role %I in schema storage grant execute on functions to anon, authenticated, service_role', owner_role);
end
$owner$;
