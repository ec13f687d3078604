-- The project's own record of applied schema changes (POST /api/projects/:id/migrations) and of
-- its app template's files. Schema `launchdb` is never exposed by the data API and the request
-- roles have no usage on it; the owner applies migrations, so it may read and add records.

create table if not exists launchdb.migrations (
  name text primary key,
  checksum text not null,
  applied_at timestamptz not null default now()
);

-- Filled by the provisioner's app-template step, which runs each file as the owner.
create table if not exists launchdb.app_template_migrations (
  version text primary key,
  name text not null,
  checksum text not null,
  applied_at timestamptz not null default now()
);

do $privileges$
declare
  owner_role text := current_setting('launchdb.owner_role');
begin
  execute format('grant usage on schema launchdb to %I', owner_role);
  execute format('grant select, insert on launchdb.migrations, launchdb.app_template_migrations to %I', owner_role);
end
$privileges$;
