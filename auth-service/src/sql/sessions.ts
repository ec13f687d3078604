import type { Pool, PoolClient } from '@launchdb/common';

/** How a session began: GoTrue's amr (authentication method reference) values. */
export type AuthenticationMethod = 'password' | 'otp' | 'magiclink' | 'recovery' | 'invite' | 'email/signup' | 'email_change' | 'anonymous' | 'pkce' | 'oauth';

export interface NewSession {
  sessionId: string;
  refreshToken: string;
}

/**
 * A sign-in, in one statement: the session, its amr claim, its first refresh token, the user's
 * (and identities') last_sign_in_at and the audit entry.
 */
export async function createSession(
  client: PoolClient,
  userId: string,
  method: AuthenticationMethod,
  refreshToken: string,
  meta: { userAgent: string | undefined; ip: string | undefined },
): Promise<NewSession> {
  const { rows } = await client.query<{ id: string }>(
    `with s as (
       insert into auth.sessions (id, user_id, created_at, updated_at, aal, user_agent, ip)
       values (gen_random_uuid(), $1, now(), now(), 'aal1', $3, $4::inet)
       returning id
     ), a as (
       insert into auth.mfa_amr_claims (session_id, created_at, updated_at, authentication_method, id)
       select id, now(), now(), $2, gen_random_uuid() from s
     ), t as (
       insert into auth.refresh_tokens (token, user_id, revoked, created_at, updated_at, parent, session_id)
       select $5, $1::text, false, now(), now(), null, id from s
     ), u as (
       update auth.users set last_sign_in_at = now(), updated_at = now() where id = $1
     ), i as (
       update auth.identities set last_sign_in_at = now() where user_id = $1
     ), l as (
       insert into auth.audit_log_entries (id, payload, created_at, ip_address)
       values (gen_random_uuid(), json_build_object('actor_id', $1::text, 'action', 'login', 'log_type', 'account', 'traits', json_build_object('method', $2::text)), now(), $6)
     )
     select id from s`,
    [userId, method, meta.userAgent ?? null, meta.ip ?? null, refreshToken, (meta.ip ?? '').slice(0, 64)],
  );
  return { sessionId: rows[0]!.id, refreshToken };
}

export interface SessionClaims {
  aal: string;
  amr: Array<{ method: string; timestamp: number }>;
}

export async function sessionExists(client: PoolClient, sessionId: string, userId: string): Promise<boolean> {
  const { rows } = await client.query('select 1 from auth.sessions where id = $1 and user_id = $2', [sessionId, userId]);
  return rows.length > 0;
}

export async function deleteSession(client: PoolClient, sessionId: string): Promise<void> {
  await client.query('delete from auth.sessions where id = $1', [sessionId]);
}

export async function deleteUserSessions(client: PoolClient, userId: string, except: string | null): Promise<void> {
  await client.query('delete from auth.sessions where user_id = $1 and ($2::uuid is null or id <> $2::uuid)', [userId, except]);
}

/** Seconds since the session began; undefined when it no longer exists. */
export async function sessionAgeSeconds(client: PoolClient, sessionId: string): Promise<number | undefined> {
  const { rows } = await client.query<{ age: number }>('select extract(epoch from now() - created_at)::float8 as age from auth.sessions where id = $1', [sessionId]);
  return rows[0]?.age;
}

/** createSession in one round trip, outside any transaction (auth.launchdb_start_session); undefined without the function. */
export async function createSessionInOneStatement(
  db: Pool,
  userId: string,
  method: AuthenticationMethod,
  refreshToken: string,
  meta: { userAgent: string | undefined; ip: string | undefined },
): Promise<NewSession | undefined> {
  try {
    const { rows } = await db.query<{ id: string }>('select auth.launchdb_start_session($1, $2, $3, $4, $5) as id', [userId, method, refreshToken, meta.userAgent ?? null, meta.ip ?? '']);
    return { sessionId: rows[0]!.id, refreshToken };
  } catch (error) {
    if ((error as { code?: unknown }).code === '42883') return undefined;
    throw error;
  }
}
