-- A password sign-in in two round trips, outside any transaction: the user read by address, then
-- (after the password is checked in the service, which no transaction should wait on) the new
-- session — each one statement, where each was begin / set role / statement / commit before. Both
-- run as supabase_auth_admin (security definer), as the rest of the service does.

-- The user with identities and factors as JSON, as the auth service's user select returns it
-- (auth-service/src/sql/users.ts); null when no account has the address.
create or replace function auth.launchdb_user_by_email(address text)
returns json
language sql
stable
security definer
set search_path = ''
as $$
  select to_json(x) from (
    select u.id, u.aud, u.role, u.email, u.encrypted_password, u.email_confirmed_at, u.invited_at,
           u.confirmation_sent_at, u.recovery_sent_at, u.email_change, u.email_change_sent_at,
           u.last_sign_in_at, u.raw_app_meta_data, u.raw_user_meta_data, u.created_at, u.updated_at,
           u.phone, u.phone_confirmed_at, u.confirmed_at, u.banned_until, u.is_anonymous, u.deleted_at,
           coalesce((select json_agg(i order by i.created_at) from auth.identities i where i.user_id = u.id), '[]'::json) as identities,
           coalesce((select json_agg(json_build_object(
               'id', f.id, 'friendly_name', f.friendly_name, 'factor_type', f.factor_type, 'status', f.status,
               'created_at', f.created_at, 'updated_at', f.updated_at, 'last_challenged_at', f.last_challenged_at
             ) order by f.created_at) from auth.mfa_factors f where f.user_id = u.id), '[]'::json) as factors
      from auth.users u
     where lower(u.email) = lower(address) and u.is_sso_user = false
  ) x
$$;

-- A sign-in: the session, its amr claim, its first refresh token, the user's (and identities')
-- last sign-in and the audit entry; returns the session's id.
create or replace function auth.launchdb_start_session(user_id uuid, method text, refresh_token text, user_agent text, client_ip text)
returns uuid
language sql
volatile
security definer
set search_path = ''
as $$
  with s as (
    insert into auth.sessions (id, user_id, created_at, updated_at, aal, user_agent, ip)
    values (gen_random_uuid(), user_id, now(), now(), 'aal1', user_agent, nullif(client_ip, '')::inet)
    returning id
  ), a as (
    insert into auth.mfa_amr_claims (session_id, created_at, updated_at, authentication_method, id)
    select id, now(), now(), method, gen_random_uuid() from s
  ), t as (
    insert into auth.refresh_tokens (token, user_id, revoked, created_at, updated_at, parent, session_id)
    select refresh_token, user_id::text, false, now(), now(), null, id from s
  ), u as (
    update auth.users set last_sign_in_at = now(), updated_at = now() where id = user_id
  ), i as (
    update auth.identities set last_sign_in_at = now() where identities.user_id = launchdb_start_session.user_id
  ), l as (
    insert into auth.audit_log_entries (id, payload, created_at, ip_address)
    values (gen_random_uuid(), json_build_object('actor_id', user_id::text, 'action', 'login', 'log_type', 'account', 'traits', json_build_object('method', method)), now(), left(coalesce(client_ip, ''), 64))
  )
  select id from s
$$;

do $privileges$
begin
  alter function auth.launchdb_user_by_email(text) owner to supabase_auth_admin;
  alter function auth.launchdb_start_session(uuid, text, text, text, text) owner to supabase_auth_admin;
  revoke all on function auth.launchdb_user_by_email(text) from public;
  revoke all on function auth.launchdb_start_session(uuid, text, text, text, text) from public;
  execute format('grant execute on function auth.launchdb_user_by_email(text) to %I', current_setting('launchdb.authenticator_role'));
  execute format('grant execute on function auth.launchdb_start_session(uuid, text, text, text, text) to %I', current_setting('launchdb.authenticator_role'));
end
$privileges$;
