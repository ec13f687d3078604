import { isDatabaseUnavailable } from '@launchdb/common';
import { AuthErrors } from '../errors.ts';
import { audit } from '../sql/audit-log.ts';
import { takeFlowState } from '../sql/flow-state.ts';
import { liveChildOf, lockRefreshToken, refreshInOneStatement, rotateLiveRefreshToken } from '../sql/refresh-tokens.ts';
import { createSessionInOneStatement, deleteSession, type AuthenticationMethod } from '../sql/sessions.ts';
import { findUserByEmail, findUserByEmailInOneStatement, findUserById, setPasswordHash, type UserRow } from '../sql/users.ts';
import { inAuthSchema, isBanned, newSessionResponse, sessionResponse, startSession, type AuthRequestContext, type SessionResponse } from './auth-context.ts';
import { checkPassword, hashPassword } from './passwords.ts';
import { codeVerifierMatches, newOpaqueToken } from './secure-tokens.ts';

/** How long an auth code handed out by a verified link may wait to be exchanged (GoTrue: 5 minutes). */
const FLOW_STATE_TTL_SECONDS = 300;

/**
 * grant_type=password. The user is read first and the password checked outside any
 * transaction (argon2 takes ≈ 30 ms that no connection should wait for); an unknown address costs
 * the same hash as a wrong password. A bcrypt hash (an import) is replaced by argon2id now
 * that the password is known.
 */
export async function passwordGrant(ctx: AuthRequestContext, params: { email: string; password: string }): Promise<SessionResponse> {
  if (params.email === '') throw AuthErrors.invalidCredentials();
  const email = params.email.trim();
  const fast = await outsideTransaction(() => findUserByEmailInOneStatement(ctx.project.db, email));
  const user = fast === 'unavailable' ? await inAuthSchema(ctx, (client) => findUserByEmail(client, email)) : fast.found;
  const check = await checkPassword(user?.encrypted_password ?? null, params.password);
  if (user === undefined || !check.ok || user.deleted_at !== null) throw AuthErrors.invalidCredentials();
  if (isBanned(user)) throw AuthErrors.userBanned();
  if (user.email_confirmed_at === null) throw AuthErrors.emailNotConfirmed();
  const rehashed = check.needsRehash ? await hashPassword(params.password) : undefined;
  if (rehashed === undefined) {
    const refreshToken = newOpaqueToken();
    const created = await outsideTransaction(() => createSessionInOneStatement(ctx.project.db, user.id, 'password', refreshToken, { userAgent: ctx.userAgent, ip: ctx.ip }));
    if (created !== undefined) {
      const now = new Date();
      return newSessionResponse(ctx, { user: { ...user, last_sign_in_at: now, updated_at: now }, sessionId: created.sessionId, refreshToken, method: 'password' });
    }
  }
  const started = await inAuthSchema(ctx, async (client) => {
    if (rehashed !== undefined) await setPasswordHash(client, user.id, rehashed);
    return startSession(ctx, client, user.id, 'password', user);
  });
  return newSessionResponse(ctx, started);
}

/**
 * grant_type=refresh_token, with GoTrue's rotation: each use revokes the token and issues its
 * child. A revoked token presented again within the reuse interval, while its child is still
 * the live one, gets that child (a client that lost a race); later, or once the child was
 * used in turn, it is reuse of a stolen token: the whole session ends.
 */
export async function refreshTokenGrant(ctx: AuthRequestContext, presented: string): Promise<SessionResponse> {
  const fast = await inOneStatement(ctx, presented);
  if (fast !== undefined) return fast;
  const outcome = await inAuthSchema(ctx, async (client) => {
    const next = newOpaqueToken();
    const rotated = await rotateLiveRefreshToken(client, presented, next, ctx.ip);
    if (rotated !== undefined) {
      // thrown, not returned: the rotation is rolled back
      if (rotated.session_not_after !== null && new Date(rotated.session_not_after).getTime() < Date.now()) throw AuthErrors.sessionExpired();
      if (rotated.user.deleted_at !== null) throw AuthErrors.refreshTokenNotFound();
      if (isBanned(rotated.user)) throw AuthErrors.userBanned();
      return { kind: 'ok' as const, user: rotated.user, sessionId: rotated.session_id ?? '', next, claims: { aal: rotated.aal, amr: rotated.amr } };
    }
    // unknown, or revoked already: a lost race within the reuse interval, or reuse
    const row = await lockRefreshToken(client, presented);
    if (row === undefined || (row.session_id !== null && !row.session_exists)) return { kind: 'error' as const, error: AuthErrors.refreshTokenNotFound() };
    if (row.session_not_after !== null && new Date(row.session_not_after).getTime() < Date.now()) return { kind: 'error' as const, error: AuthErrors.sessionExpired() };
    let user: UserRow | undefined;
    let child: string | undefined;
    if (row.revoked) {
      child = await liveChildOf(client, row.token);
      if (child === undefined || (row.revoked_seconds_ago ?? Infinity) > ctx.config.refreshTokenReuseInterval) {
        if (row.session_id !== null) await deleteSession(client, row.session_id);
        await audit(client, { action: 'token_revoked', actorId: row.user_id, actorEmail: null, ip: ctx.ip, traits: { reason: 'refresh token reused' } });
        return { kind: 'error' as const, error: AuthErrors.refreshTokenAlreadyUsed() };
      }
      user = await findUserById(client, row.user_id);
    } else {
      // live, but its session is gone (the rotation above skipped it)
      return { kind: 'error' as const, error: AuthErrors.refreshTokenNotFound() };
    }
    if (user === undefined || user.deleted_at !== null) throw AuthErrors.refreshTokenNotFound();
    if (isBanned(user)) throw AuthErrors.userBanned();
    return { kind: 'ok' as const, user, sessionId: row.session_id ?? '', next: child, claims: { aal: row.aal, amr: row.amr } };
  });
  // the session's end on reuse is committed before the error is answered
  if (outcome.kind === 'error') throw outcome.error;
  return sessionResponse(ctx, outcome.user, outcome.sessionId, outcome.next, outcome.claims);
}

/** One statement on the project's pool, outside any transaction: an unreachable database is 503. */
async function outsideTransaction<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isDatabaseUnavailable(error)) throw AuthErrors.databaseUnavailable();
    throw error;
  }
}

/** The common case of a refresh grant in one round trip; undefined: the transaction decides. */
async function inOneStatement(ctx: AuthRequestContext, presented: string): Promise<SessionResponse | undefined> {
  const next = newOpaqueToken();
  const result = await outsideTransaction(() => refreshInOneStatement(ctx.project.db, presented, next, ctx.ip));
  switch (result.kind) {
    case 'other':
      return undefined;
    case 'refused':
      throw result.error === 'session_expired' ? AuthErrors.sessionExpired() : result.error === 'user_banned' ? AuthErrors.userBanned() : AuthErrors.refreshTokenNotFound();
    case 'rotated':
      return sessionResponse(ctx, result.rotated.user, result.rotated.session_id ?? '', next, { aal: result.rotated.aal, amr: result.rotated.amr });
  }
}

/** grant_type=pkce: the code a verified link handed out, with the verifier of the challenge sent at the start. */
export async function pkceGrant(ctx: AuthRequestContext, params: { authCode: string; codeVerifier: string }): Promise<SessionResponse> {
  const outcome = await inAuthSchema(ctx, async (client) => {
    const flow = await takeFlowState(client, params.authCode);
    if (flow === undefined || flow.user_id === null) return { kind: 'error' as const, error: AuthErrors.flowStateNotFound() };
    if (flow.age_seconds > FLOW_STATE_TTL_SECONDS) return { kind: 'error' as const, error: AuthErrors.flowStateExpired() };
    if (!codeVerifierMatches(flow.code_challenge_method, flow.code_challenge, params.codeVerifier)) return { kind: 'error' as const, error: AuthErrors.badCodeVerifier() };
    const user = await findUserById(client, flow.user_id);
    if (user === undefined) return { kind: 'error' as const, error: AuthErrors.flowStateNotFound() };
    if (isBanned(user)) return { kind: 'error' as const, error: AuthErrors.userBanned() };
    return { kind: 'ok' as const, flow, started: await startSession(ctx, client, user.id, amrOfFlow(flow.authentication_method), user) };
  });
  if (outcome.kind === 'error') throw outcome.error;
  const { provider_access_token: providerToken, provider_refresh_token: providerRefreshToken } = outcome.flow;
  return {
    ...(await newSessionResponse(ctx, outcome.started)),
    ...(providerToken !== null ? { provider_token: providerToken } : {}),
    ...(providerRefreshToken !== null ? { provider_refresh_token: providerRefreshToken } : {}),
  };
}

function amrOfFlow(method: string): AuthenticationMethod {
  switch (method) {
    case 'magiclink':
    case 'recovery':
    case 'invite':
    case 'email_change':
    case 'email/signup':
    case 'oauth':
      return method;
    default:
      return 'pkce';
  }
}
