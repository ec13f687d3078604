import { webcrypto } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import { importCachedJwk, verifyProjectJwt, type ProjectSigningKeys } from '@launchdb/common/signing-keys';
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

/** What signs and checks a project's tokens: its HS256 secret and its asymmetric keys. */
export interface ProjectTokenKeys {
  jwtSecret: string;
  signingKeys: ProjectSigningKeys;
}

/**
 * With the project's key in use (ES256 or RS256, its `kid` in the header, as GoTrue with
 * asymmetric keys), else HS256 with its secret (jose).
 */
export async function signAccessToken(claims: JWTPayload, options: { keys: ProjectTokenKeys; issuer: string; lifetimeSeconds: number }): Promise<string> {
  const current = options.keys.signingKeys.current;
  const jwt = new SignJWT(claims).setIssuedAt().setIssuer(options.issuer).setExpirationTime(`${options.lifetimeSeconds}s`);
  if (current === undefined) return jwt.setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(await hmacKey(options.keys.jwtSecret));
  return jwt.setProtectedHeader({ alg: current.algorithm, kid: current.kid, typ: 'JWT' }).sign(await importCachedJwk(current.privateJwk, current.algorithm));
}

export type VerifiedToken = { ok: true; claims: JWTPayload } | { ok: false; expired: boolean; reason: string };

/** Checks signature (HS256 with the secret, ES256/RS256 with a published key) and expiry; never throws. */
export async function verifyAccessToken(token: string, keys: ProjectTokenKeys): Promise<VerifiedToken> {
  return verifyProjectJwt(token, { jwtSecret: keys.jwtSecret, jwks: keys.signingKeys.jwks }, await hmacKey(keys.jwtSecret));
}

export interface VerifiedCaller {
  claims: JWTPayload & { role?: unknown; session_id?: unknown; sub?: unknown };
}

/**
 * The caller's Bearer token, checked with the project's keys alone: a token of another
 * project (other keys) fails here. GoTrue's errors: no token 401, bad or expired 403.
 */
export async function verifyBearer(authorization: string | undefined, keys: ProjectTokenKeys): Promise<VerifiedCaller> {
  const match = authorization === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (match === null) throw AuthErrors.noAuthorization();
  const verified = await verifyAccessToken(match[1]!, keys);
  if (!verified.ok) throw verified.expired ? AuthErrors.expiredJwt() : AuthErrors.badJwt(verified.reason);
  return { claims: verified.claims };
}
