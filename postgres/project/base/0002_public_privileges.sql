-- What the project's owner creates in `public` is usable by the request roles, as in Supabase:
-- the grants open the door and row-level security decides which rows. A table without RLS is
-- therefore readable and writable with the anon key, exactly as on Supabase.
--
-- The owner role differs per project: the provisioner sets `launchdb.owner_role` on the session.

do $privileges$
declare
  owner_role text := current_setting('launchdb.owner_role');
begin
  grant usage on schema public to anon, authenticated, service_role;
  grant all on all tables in schema public to anon, authenticated, service_role;
  grant all on all sequences in schema public to anon, authenticated, service_role;
  grant execute on all functions in schema public to anon, authenticated, service_role;

  execute format('alter default privileges for role %I in schema public grant all on tables to anon, authenticated, service_role', owner_role);
  execute format('alter default privileges for role %I in schema public grant all on sequences to anon, authenticated, service_role', owner_role);
  execute format('alter default privileges for role %I in schema public grant execute on functions to anon, authenticated, service_role', owner_role);

  -- policies the owner writes call auth.uid()
  execute format('grant usage on schema auth to %I', owner_role);
end
$privileges$;
