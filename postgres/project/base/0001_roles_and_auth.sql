-- The request roles and the auth helpers of every project database, as PostgREST and Supabase
-- define them. Runs as a superuser, in the project's database, once per base-template version.

-- Roles are cluster-wide and several projects (or other tenants of the cluster) may create them at
-- the same moment: the loser of that race sees duplicate_object or unique_violation.
do $roles$
declare
  role_name text;
begin
  foreach role_name in array array['anon', 'authenticated', 'service_role'] loop
    if not exists (select 1 from pg_catalog.pg_roles where rolname = role_name) then
      begin
        if role_name = 'service_role' then
          -- the service key is meant to see every row, as in Supabase
          create role service_role nologin noinherit bypassrls;
        else
          execute format('create role %I nologin noinherit', role_name);
        end if;
      exception
        when duplicate_object or unique_violation then null;
      end;
    end if;
  end loop;
  -- A service_role made elsewhere without BYPASSRLS (by hand, by another tool) would leave the
  -- service key subject to row-level security.
  if not (select rolbypassrls from pg_catalog.pg_roles where rolname = 'service_role') then
    begin
      alter role service_role bypassrls;
    exception
      -- "tuple concurrently updated": another provisioning set it at the same moment
      when internal_error then null;
    end;
  end if;
end
$roles$;

create schema if not exists auth;

-- The claims arrive as `request.jwt.claims` (JSON, PostgREST ≥ 9). The per-claim settings
-- (`request.jwt.claim.sub`, …) of older PostgREST are still read first, as Supabase does.
-- A setting once set in a session reads '' afterwards, not NULL: hence every nullif.

create or replace function auth.uid() returns uuid
  language sql stable
as $$
  select nullif(
    coalesce(
      nullif(current_setting('request.jwt.claim.sub', true), ''),
      nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'
    ),
    ''
  )::uuid
$$;

create or replace function auth.role() returns text
  language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role'
  )::text
$$;

create or replace function auth.email() returns text
  language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.email', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email'
  )::text
$$;

create or replace function auth.jwt() returns jsonb
  language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;

comment on function auth.uid() is 'The sub claim of the request''s JWT, as a uuid; null for anonymous requests';
comment on function auth.role() is 'The role claim of the request''s JWT';
comment on function auth.email() is 'The email claim of the request''s JWT';
comment on function auth.jwt() is 'Every claim of the request''s JWT';

grant usage on schema auth to anon, authenticated, service_role;
grant execute on function auth.uid(), auth.role(), auth.email(), auth.jwt() to anon, authenticated, service_role;

-- The project's data API logs in as its authenticator and switches to the role its request's JWT
-- names. NOINHERIT (set on the role) keeps it from using these roles' rights without that switch.
do $membership$
begin
  execute format('grant anon, authenticated, service_role to %I', current_setting('launchdb.authenticator_role'));
end
$membership$;
