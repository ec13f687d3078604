import type { PoolClient } from '@launchdb/common';

/** A row of auth.mfa_factors; `secret` is the stored (encrypted) form. */
export interface FactorRow {
  id: string;
  user_id: string;
  friendly_name: string | null;
  factor_type: 'totp' | 'webauthn' | 'phone';
  status: 'unverified' | 'verified';
  created_at: Date;
  updated_at: Date;
  last_challenged_at: Date | null;
  secret: string | null;
  last_verified_step: string | null;
}

export interface ChallengeRow {
  id: string;
  factor_id: string;
  /** Made from the address now asking. */
  same_ip: boolean;
  verified_at: Date | null;
  age_seconds: number;
}

/** The JSON of a user's factors, as the user select embeds them (GoTrue's models.Factor). */
export const FACTORS_JSON = `
  coalesce((select json_agg(json_build_object(
      'id', f.id, 'friendly_name', f.friendly_name, 'factor_type', f.factor_type, 'status', f.status,
      'created_at', f.created_at, 'updated_at', f.updated_at, 'last_challenged_at', f.last_challenged_at
    ) order by f.created_at) from auth.mfa_factors f where f.user_id = u.id), '[]'::json)`;

/**
 * The user's factors after dropping the ones GoTrue lets lapse: unverified, never challenged,
 * older than `expirySeconds`. Locks the user's row, so two enrolments at once are counted one
 * after the other.
 */
export async function factorsForEnrolment(client: PoolClient, userId: string, expirySeconds: number): Promise<FactorRow[]> {
  await client.query('select 1 from auth.users where id = $1 for update', [userId]);
  await client.query(
    `delete from auth.mfa_factors f
      where f.user_id = $1 and f.status <> 'verified' and f.created_at < now() - make_interval(secs => $2)
        and not exists (select 1 from auth.mfa_challenges c where c.factor_id = f.id)`,
    [userId, expirySeconds],
  );
  const { rows } = await client.query<FactorRow>('select * from auth.mfa_factors where user_id = $1 order by created_at', [userId]);
  return rows;
}

export async function insertTotpFactor(client: PoolClient, factor: { id: string; userId: string; friendlyName: string; secret: string }): Promise<FactorRow> {
  const { rows } = await client.query<FactorRow>(
    `insert into auth.mfa_factors (id, user_id, friendly_name, factor_type, status, created_at, updated_at, secret)
     values ($1, $2, $3, 'totp', 'unverified', now(), now(), $4)
     returning *`,
    [factor.id, factor.userId, factor.friendlyName, factor.secret],
  );
  return rows[0]!;
}

export async function findOwnedFactor(client: PoolClient, userId: string, factorId: string): Promise<FactorRow | undefined> {
  const { rows } = await client.query<FactorRow>('select * from auth.mfa_factors where id = $1 and user_id = $2', [factorId, userId]);
  return rows[0];
}

export async function listFactors(client: PoolClient, userId: string): Promise<FactorRow[]> {
  const { rows } = await client.query<FactorRow>('select * from auth.mfa_factors where user_id = $1 order by created_at', [userId]);
  return rows;
}

/** A challenge of the factor from this address; the factor remembers when it was last challenged. */
export async function insertChallenge(client: PoolClient, factorId: string, ip: string): Promise<{ id: string; created_at: Date }> {
  const { rows } = await client.query<{ id: string; created_at: Date }>(
    `with c as (
       insert into auth.mfa_challenges (id, factor_id, created_at, ip_address) values (gen_random_uuid(), $1, now(), $2::inet)
       returning id, created_at
     ), f as (
       update auth.mfa_factors set last_challenged_at = now() where id = $1
     )
     select id, created_at from c`,
    [factorId, ip],
  );
  return rows[0]!;
}

/** The challenge, locked: two verifications of one challenge are served one after the other. */
export async function lockChallenge(client: PoolClient, factorId: string, challengeId: string, ip: string): Promise<ChallengeRow | undefined> {
  const { rows } = await client.query<ChallengeRow>(
    `select id, factor_id, ip_address = $3::inet as same_ip, verified_at, extract(epoch from now() - created_at)::float8 as age_seconds
       from auth.mfa_challenges where id = $1 and factor_id = $2 for update`,
    [challengeId, factorId, ip],
  );
  return rows[0];
}

export async function deleteChallenge(client: PoolClient, challengeId: string): Promise<void> {
  await client.query('delete from auth.mfa_challenges where id = $1', [challengeId]);
}

/**
 * Records an accepted code: the challenge verified, the factor verified with its last step
 * moved forward — only if `step` is later than the last accepted one, which is what makes a
 * code (and any earlier one) good once. False when the step was used already.
 */
export async function acceptTotpStep(client: PoolClient, factorId: string, challengeId: string, step: number): Promise<{ accepted: boolean; firstVerification: boolean }> {
  const { rows } = await client.query<{ was_verified: boolean }>(
    `with f as (
       update auth.mfa_factors n set status = 'verified', last_verified_step = $3, updated_at = now()
         from auth.mfa_factors o
        where n.id = $1 and o.id = n.id and (n.last_verified_step is null or n.last_verified_step < $3)
        returning o.status = 'verified' as was_verified
     ), c as (
       update auth.mfa_challenges set verified_at = now() where id = $2 and exists (select 1 from f)
     )
     select was_verified from f`,
    [factorId, challengeId, step],
  );
  const row = rows[0];
  return row === undefined ? { accepted: false, firstVerification: false } : { accepted: true, firstVerification: !row.was_verified };
}

/**
 * The session steps up to aal2 through this factor (GoTrue's updateMFASessionAndClaims): the
 * amr claim added (or its time renewed), the session's live refresh token swapped for a new one,
 * the user's sessions still below aal2 ended, and the user's other unverified factors of the kind
 * dropped. Returns the session's claims for the new access token.
 */
export async function stepUpSession(
  client: PoolClient,
  params: { userId: string; sessionId: string; factorId: string; method: string; refreshToken: string },
): Promise<{ aal: string; amr: Array<{ method: string; timestamp: number }> }> {
  await client.query(
    `insert into auth.mfa_amr_claims (id, session_id, created_at, updated_at, authentication_method)
     values (gen_random_uuid(), $1, now(), now(), $2)
     on conflict on constraint mfa_amr_claims_session_id_authentication_method_pkey do update set updated_at = now()`,
    [params.sessionId, params.method],
  );
  await client.query(`update auth.sessions set aal = 'aal2', factor_id = $2, updated_at = now() where id = $1`, [params.sessionId, params.factorId]);
  await client.query(
    `with live as (
       update auth.refresh_tokens set revoked = true, updated_at = now()
        where session_id = $1 and revoked = false
        returning token
     )
     insert into auth.refresh_tokens (token, user_id, revoked, created_at, updated_at, parent, session_id)
     values ($3, $2::text, false, now(), now(), (select token from live order by token limit 1), $1)`,
    [params.sessionId, params.userId, params.refreshToken],
  );
  await client.query(`delete from auth.sessions where user_id = $1 and (aal is null or aal < 'aal2')`, [params.userId]);
  await client.query(
    `delete from auth.mfa_factors where user_id = $1 and status = 'unverified' and factor_type = 'totp' and id <> $2`,
    [params.userId, params.factorId],
  );
  const { rows } = await client.query<{ amr: Array<{ method: string; timestamp: number }> }>(
    `select coalesce(json_agg(json_build_object('method', authentication_method, 'timestamp', extract(epoch from updated_at)::bigint) order by updated_at desc), '[]'::json) as amr
       from auth.mfa_amr_claims where session_id = $1`,
    [params.sessionId],
  );
  return { aal: 'aal2', amr: rows[0]!.amr };
}

/** The session's assurance level (null: no such session). */
export async function sessionAal(client: PoolClient, sessionId: string): Promise<string | null> {
  const { rows } = await client.query<{ aal: string | null }>('select aal::text as aal from auth.sessions where id = $1', [sessionId]);
  return rows[0] === undefined ? null : (rows[0].aal ?? 'aal1');
}

/**
 * Removes a factor; the sessions it raised fall back to aal1 and lose its amr claim (GoTrue's
 * DowngradeSessionsToAAL1).
 */
export async function deleteFactor(client: PoolClient, factor: { id: string; user_id: string }, method: string): Promise<void> {
  await client.query(
    `delete from auth.mfa_amr_claims c using auth.sessions s
      where c.session_id = s.id and s.factor_id = $1 and c.authentication_method = $2`,
    [factor.id, method],
  );
  await client.query(`update auth.sessions set aal = 'aal1', factor_id = null where user_id = $1 and factor_id = $2`, [factor.user_id, factor.id]);
  await client.query('delete from auth.mfa_factors where id = $1', [factor.id]);
}
