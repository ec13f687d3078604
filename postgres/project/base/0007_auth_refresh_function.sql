-- A refresh grant in one round trip: the auth service calls this function outside any transaction
-- (one statement is atomic), instead of begin / set role / rotate / commit. It runs as
-- supabase_auth_admin (security definer), the role the service switches to for everything else, so
-- triggers written on auth tables see the same current_user. It handles the common case only: a
-- live token of a live session of a usable user. Anything else (an unknown or already used token,
-- a session gone) returns null and the service's slower path applies the reuse rules.

create or replace function auth.launchdb_refresh(presented text, next_token text, client_ip text)
returns json
language plpgsql
security definer
set search_path = ''
as $$
declare
  token record;
  session record;
  account record;
begin
  select t.id, t.user_id, t.session_id into token
    from auth.refresh_tokens t where t.token = presented and t.revoked = false
    for update;
  if not found or token.session_id is null then
    return null;
  end if;
  select s.not_after, coalesce(s.aal::text, 'aal1') as aal into session from auth.sessions s where s.id = token.session_id;
  if not found then
    return null;
  end if;
  if session.not_after is not null and session.not_after < now() then
    return json_build_object('error', 'session_expired');
  end if;
  -- the same columns as the auth service's user select (auth-service/src/sql/users.ts)
  select u.id, u.aud, u.role, u.email, u.encrypted_password, u.email_confirmed_at, u.invited_at,
         u.confirmation_sent_at, u.recovery_sent_at, u.email_change, u.email_change_sent_at,
         u.last_sign_in_at, u.raw_app_meta_data, u.raw_user_meta_data, u.created_at, u.updated_at,
         u.phone, u.phone_confirmed_at, u.confirmed_at, u.banned_until, u.is_anonymous, u.deleted_at,
         coalesce((select json_agg(i order by i.created_at) from auth.identities i where i.user_id = u.id), '[]'::json) as identities,
         coalesce((select json_agg(json_build_object(
             'id', f.id, 'friendly_name', f.friendly_name, 'factor_type', f.factor_type, 'status', f.status,
             'created_at', f.created_at, 'updated_at', f.updated_at, 'last_challenged_at', f.last_challenged_at
           ) order by f.created_at) from auth.mfa_factors f where f.user_id = u.id), '[]'::json) as factors
    into account
    from auth.users u where u.id = token.user_id::uuid;
  if not found or account.deleted_at is not null then
    return json_build_object('error', 'refresh_token_not_found');
  end if;
  if account.banned_until is not null and account.banned_until > now() then
    return json_build_object('error', 'user_banned');
  end if;

  update auth.refresh_tokens set revoked = true, updated_at = now() where id = token.id;
  insert into auth.refresh_tokens (token, user_id, revoked, created_at, updated_at, parent, session_id)
  values (next_token, token.user_id, false, now(), now(), presented, token.session_id);
  update auth.sessions set refreshed_at = now()::timestamp, updated_at = now() where id = token.session_id;
  insert into auth.audit_log_entries (id, payload, created_at, ip_address)
  values (gen_random_uuid(), json_build_object('actor_id', token.user_id, 'action', 'token_refreshed', 'log_type', 'token'), now(), left(coalesce(client_ip, ''), 64));

  return json_build_object(
    'session_id', token.session_id,
    'aal', session.aal,
    'amr', coalesce((select json_agg(json_build_object('method', c.authentication_method, 'timestamp', extract(epoch from c.updated_at)::bigint) order by c.updated_at desc)
                       from auth.mfa_amr_claims c where c.session_id = token.session_id), '[]'::json),
    'user', to_json(account)
  );
end
$$;

do $privileges$
begin
  alter function auth.launchdb_refresh(text, text, text) owner to supabase_auth_admin;
  revoke all on function auth.launchdb_refresh(text, text, text) from public;
  -- the authenticator is NOINHERIT: it calls the function itself, without switching role first.
  -- Usage on the schema lets it name the function; it has no privilege on any table there
  -- (anon, authenticated and service_role have the same usage already, for auth.uid()).
  execute format('grant usage on schema auth to %I', current_setting('launchdb.authenticator_role'));
  execute format('grant execute on function auth.launchdb_refresh(text, text, text) to %I', current_setting('launchdb.authenticator_role'));
end
$privileges$;
