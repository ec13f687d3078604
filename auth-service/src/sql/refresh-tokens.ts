import type { Pool, PoolClient } from '@launchdb/common';
import { SELECT_USER, type UserRow } from './users.ts';

export interface RefreshTokenRow {
  id: string;
  token: string;
  user_id: string;
  revoked: boolean;
  /** Seconds since the token was revoked (its last update); null while it is live. */
  revoked_seconds_ago: number | null;
  session_id: string | null;
  session_not_after: Date | null;
  session_exists: boolean;
  /** The session's aal and amr claims, for the new access token. */
  aal: string;
  amr: Array<{ method: string; timestamp: number }>;
}

export interface RotatedToken {
  user: UserRow;
  session_id: string | null;
  session_not_after: Date | null;
  aal: string;
  amr: Array<{ method: string; timestamp: number }>;
}

/**
 * The common case in one statement: a live token is revoked (its row locked by the update, so a
 * second use at once waits, then finds it revoked), its child issued under the same session,
 * the session marked refreshed and the audit entry written; returns the user and the session's
 * claims. Undefined when the token is unknown or already revoked: then `lockRefreshToken` and
 * the reuse rules decide.
 */
export async function rotateLiveRefreshToken(client: PoolClient, token: string, next: string, ip: string): Promise<RotatedToken | undefined> {
  const { rows } = await client.query<UserRow & { session_id: string | null; session_not_after: Date | null; aal: string; amr: RotatedToken['amr'] }>(
    `with r as (
       update auth.refresh_tokens set revoked = true, updated_at = now()
        where token = $1 and revoked = false
        returning user_id, session_id
     ), n as (
       insert into auth.refresh_tokens (token, user_id, revoked, created_at, updated_at, parent, session_id)
       select $2, r.user_id, false, now(), now(), $1, r.session_id from r
     ), s as (
       update auth.sessions set refreshed_at = now()::timestamp, updated_at = now() where id = (select session_id from r)
     ), a as (
       insert into auth.audit_log_entries (id, payload, created_at, ip_address)
       select gen_random_uuid(), json_build_object('actor_id', r.user_id, 'action', 'token_refreshed', 'log_type', 'token'), now(), $3 from r
     )
     select x.*, r.session_id, se.not_after as session_not_after, coalesce(se.aal::text, 'aal1') as aal,
            coalesce((select json_agg(json_build_object('method', c.authentication_method, 'timestamp', extract(epoch from c.updated_at)::bigint) order by c.updated_at desc)
                        from auth.mfa_amr_claims c where c.session_id = r.session_id), '[]'::json) as amr
       from r
       left join auth.sessions se on se.id = r.session_id
       cross join lateral (${SELECT_USER} where u.id = r.user_id::uuid) x
      where r.session_id is null or se.id is not null`,
    [token, next, ip.slice(0, 64)],
  );
  const row = rows[0];
  if (row === undefined) return undefined;
  const { session_id, session_not_after, aal, amr, ...user } = row;
  return { user: user as UserRow, session_id, session_not_after, aal, amr };
}

/** The token with its session, locked: two refreshes with one token are served one after the other. */
export async function lockRefreshToken(client: PoolClient, token: string): Promise<RefreshTokenRow | undefined> {
  const { rows } = await client.query<RefreshTokenRow>(
    `select t.id, t.token, t.user_id, coalesce(t.revoked, false) as revoked,
            case when t.revoked then extract(epoch from now() - t.updated_at)::float8 end as revoked_seconds_ago,
            t.session_id, s.not_after as session_not_after, s.id is not null as session_exists,
            coalesce(s.aal::text, 'aal1') as aal,
            coalesce((select json_agg(json_build_object('method', c.authentication_method, 'timestamp', extract(epoch from c.updated_at)::bigint) order by c.updated_at desc)
                        from auth.mfa_amr_claims c where c.session_id = s.id), '[]'::json) as amr
       from auth.refresh_tokens t left join auth.sessions s on s.id = t.session_id
      where t.token = $1
      for update of t`,
    [token],
  );
  return rows[0];
}

/** The live token that replaced this one, if it is its direct child (the client lost the race for it). */
export async function liveChildOf(client: PoolClient, token: string): Promise<string | undefined> {
  const { rows } = await client.query<{ token: string }>('select token from auth.refresh_tokens where parent = $1 and revoked = false limit 1', [token]);
  return rows[0]?.token;
}

export type RefreshedInOneStatement =
  | { kind: 'rotated'; rotated: RotatedToken }
  | { kind: 'refused'; error: 'session_expired' | 'refresh_token_not_found' | 'user_banned' }
  | { kind: 'other' };

/**
 * The common case of a refresh in one round trip, outside any transaction: the base template's
 * `auth.launchdb_refresh` (security definer, owned by supabase_auth_admin) rotates a live token of
 * a live session. `other` (unknown or used token, session gone, or a database provisioned before
 * the function existed) leaves the decision to the transaction of the slower path.
 */
export async function refreshInOneStatement(db: Pool, presented: string, next: string, ip: string): Promise<RefreshedInOneStatement> {
  let rows: Array<{ result: RefreshFunctionResult | null }>;
  try {
    ({ rows } = await db.query<{ result: RefreshFunctionResult | null }>('select auth.launchdb_refresh($1, $2, $3) as result', [presented, next, ip]));
  } catch (error) {
    if ((error as { code?: unknown }).code === '42883') return { kind: 'other' };
    throw error;
  }
  const result = rows[0]?.result ?? null;
  if (result === null) return { kind: 'other' };
  if ('error' in result) return { kind: 'refused', error: result.error };
  return { kind: 'rotated', rotated: { user: result.user, session_id: result.session_id, session_not_after: null, aal: result.aal, amr: result.amr } };
}

type RefreshFunctionResult =
  | { error: 'session_expired' | 'refresh_token_not_found' | 'user_banned' }
  | { session_id: string; aal: string; amr: RotatedToken['amr']; user: UserRow };
