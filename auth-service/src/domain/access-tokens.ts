import { webcrypto } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { AuthErrors } from '../errors.ts';
import type { SessionClaims } from '../sql/sessions.ts';
import type { UserRow } from '../sql/users.ts';

/** The issuer of a project's tokens: the GoTrue URL supabase-js is pointed at. */
export function issuerOf(publicUrl: string, projectId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/p/${projectId}/auth/v1`;
}

/** Supabase's claims: whatever a policy (auth.jwt()) or a client reads from a GoTrue token is there. */
export function accessTokenClaims(user: UserRow, sessionId: string, session: SessionClaims): JWTPayload {
  return {
    sub: user.id,
    aud: user.aud ?? 'authenticated',
    role: user.role ?? 'authenticated',
    email: user.email ?? '',
    phone: user.phone ?? '',
    app_metadata: user.raw_app_meta_data ?? {},
    user_metadata: user.raw_user_meta_data ?? {},
    aal: session.aal,
    amr: session.amr,
    session_id: sessionId,
    is_anonymous: user.is_anonymous,
  };
}

const MAX_CACHED_KEYS = 10_000;
const keys = new Map<string, Promise<webcrypto.CryptoKey>>();

/**
 * The project's secret as a WebCrypto key, imported once: jose imports a raw secret on every
 * call otherwise, which doubles the cost of each signature and check (bench/auth.bench.ts).
 */
function hmacKey(secret: string): Promise<webcrypto.CryptoKey> {
  let key = keys.get(secret);
  if (key === undefined) {
    if (keys.size >= MAX_CACHED_KEYS) keys.clear();
    key = webcrypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    keys.set(secret, key);
  }
  return key;
}

/** HS256 with the project's secret (jose). */
export async function signAccessToken(claims: JWTPayload, options: { secret: string; issuer: string; lifetimeSeconds: number }): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setIssuer(options.issuer)
    .setExpirationTime(`${options.lifetimeSeconds}s`)
    .sign(await hmacKey(options.secret));
}

export type VerifiedToken = { ok: true; claims: JWTPayload } | { ok: false; expired: boolean };

/** Checks signature (HS256 only) and expiry; never throws. */
export async function verifyAccessToken(token: string, secret: string): Promise<VerifiedToken> {
  try {
    const { payload } = await jwtVerify(token, await hmacKey(secret), { algorithms: ['HS256'] });
    return { ok: true, claims: payload };
  } catch (error) {
    return { ok: false, expired: error instanceof joseErrors.JWTExpired };
  }
}

export interface VerifiedCaller {
  claims: JWTPayload & { role?: unknown; session_id?: unknown; sub?: unknown };
}

/**
 * The caller's Bearer token, checked with the project's secret alone: a token of another
 * project (another secret) fails here. GoTrue's errors: no token 401, bad or expired 403.
 */
export async function verifyBearer(authorization: string | undefined, secret: string): Promise<VerifiedCaller> {
  const match = authorization === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (match === null) throw AuthErrors.noAuthorization();
  const verified = await verifyAccessToken(match[1]!, secret);
  if (!verified.ok) throw verified.expired ? AuthErrors.expiredJwt() : AuthErrors.badJwt('signature is invalid');
  return { claims: verified.claims };
}
