import { isDatabaseUnavailable, type ActiveProject, type Logger, type PoolClient, type SecretBox } from '@launchdb/common';
import { AuthError, AuthErrors } from '../errors.ts';
import { createSession, type AuthenticationMethod } from '../sql/sessions.ts';
import { findUserById, type UserRow } from '../sql/users.ts';
import { accessTokenClaims, signAccessToken } from './access-tokens.ts';
import type { AuthMailer } from './mailer.ts';
import type { ProjectAuthConfig } from './project-config.ts';
import type { AuthRateLimiter } from './rate-limits.ts';
import { newOpaqueToken } from './secure-tokens.ts';
import { userJson } from './user-json.ts';

/** What every flow needs to know of the request it serves: the project, its settings, the caller's address. */
export interface AuthRequestContext {
  project: ActiveProject;
  config: ProjectAuthConfig;
  /** The `iss` of the project's tokens. */
  issuer: string;
  /** Where links in mails lead: `${publicUrl}/auth/${projectId}`. */
  authUrl: string;
  ip: string;
  userAgent: string | undefined;
}

/** The service-wide parts the flows share. */
export interface AuthServices {
  mailer: AuthMailer;
  limiter: AuthRateLimiter;
  logger: Logger;
  /** Seals and opens secrets kept in project databases (TOTP factors' secrets). */
  secrets: SecretBox;
}

/** GoTrue's AccessTokenResponse. */
export interface SessionResponse {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  expires_at: number;
  refresh_token: string;
  user: Record<string, unknown>;
  /** After an OAuth sign-in by PKCE: the provider's tokens, as GoTrue adds them when it has them. */
  provider_token?: string;
  provider_refresh_token?: string;
}

/**
 * One transaction on the project's database as supabase_auth_admin, with empty JWT claims: what
 * `withRequestRole(db, { role: 'supabase_auth_admin', claims: {} }, work)` does, but with `begin`
 * and the transaction-local settings in one round trip (both are constants, so one simple-protocol
 * query carries them): sign-ins and refreshes are a few statements each, and a round trip fewer
 * per transaction shows in their throughput (bench/auth.bench.ts). Nothing outlives the
 * transaction on a PgBouncer server connection. A database that cannot be reached is 503.
 */
export async function inAuthSchema<T>(ctx: AuthRequestContext, work: (client: PoolClient) => Promise<T>): Promise<T> {
  let client: PoolClient;
  try {
    client = await ctx.project.db.connect();
  } catch (error) {
    throw isDatabaseUnavailable(error) ? AuthErrors.databaseUnavailable() : error;
  }
  let broken: Error | undefined;
  try {
    await client.query(BEGIN_AS_AUTH_ADMIN);
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    // a connection whose rollback failed is not handed to the next request
    await client.query('rollback').catch((rollbackError: Error) => (broken = rollbackError));
    if (error instanceof AuthError) throw error;
    if (isDatabaseUnavailable(error)) throw AuthErrors.databaseUnavailable();
    throw error;
  } finally {
    client.release(broken);
  }
}

const BEGIN_AS_AUTH_ADMIN = "begin; select set_config('role', 'supabase_auth_admin', true), set_config('request.jwt.claims', '{}', true)";

/**
 * Inside a transaction: a new session for the user, signed in now by `method`. `current` is the
 * user as read in this request, when nothing but the sign-in changed it since: no second read.
 */
export async function startSession(
  ctx: AuthRequestContext,
  client: PoolClient,
  userId: string,
  method: AuthenticationMethod,
  current?: UserRow,
): Promise<{ user: UserRow; sessionId: string; refreshToken: string; method: AuthenticationMethod }> {
  const { sessionId, refreshToken } = await createSession(client, userId, method, newOpaqueToken(), { userAgent: ctx.userAgent, ip: ctx.ip });
  const user = current !== undefined ? { ...current, last_sign_in_at: new Date(), updated_at: new Date() } : (await findUserById(client, userId))!;
  return { user, sessionId, refreshToken, method };
}

/** The answer to a sign-in: an access token for the session, its refresh token and the user. */
export async function sessionResponse(
  ctx: AuthRequestContext,
  user: UserRow,
  sessionId: string,
  refreshToken: string,
  session: { aal: string; amr: Array<{ method: string; timestamp: number }> },
): Promise<SessionResponse> {
  const now = Math.floor(Date.now() / 1000);
  const accessToken = await signAccessToken(accessTokenClaims(user, sessionId, session), {
    keys: ctx.project,
    issuer: ctx.issuer,
    lifetimeSeconds: ctx.config.jwtExp,
  });
  return {
    access_token: accessToken,
    token_type: 'bearer',
    expires_in: ctx.config.jwtExp,
    expires_at: now + ctx.config.jwtExp,
    refresh_token: refreshToken,
    user: userJson(user),
  };
}

export function newSessionResponse(ctx: AuthRequestContext, started: { user: UserRow; sessionId: string; refreshToken: string; method: AuthenticationMethod }): Promise<SessionResponse> {
  return sessionResponse(ctx, started.user, started.sessionId, started.refreshToken, {
    aal: 'aal1',
    amr: [{ method: started.method, timestamp: Math.floor(Date.now() / 1000) }],
  });
}

/** GoTrue accepts what its mail library accepts; this is the same practical check: one @, a dot in the domain, no spaces. */
const EMAIL_PATTERN = /^[^\s@"<>()[\],;:\\]+@[^\s@"<>()[\],;:\\]+\.[^\s@"<>()[\],;:\\.]{2,}$/;

export function normalizeEmail(email: string): string {
  const trimmed = email.trim();
  if (trimmed.length > 255 || !EMAIL_PATTERN.test(trimmed)) throw AuthErrors.invalidEmail();
  return trimmed.toLowerCase();
}

export function isBanned(user: UserRow): boolean {
  return user.banned_until !== null && new Date(user.banned_until).getTime() > Date.now();
}
