import { webcrypto } from 'node:crypto';
import { compactVerify, errors as joseErrors, importJWK, type JWK } from 'jose';
import type { DataApiConfig } from '../config/config.ts';
import { walkJsPath } from '../config/js-path.ts';
import { Errors, PgrstError } from '../errors.ts';

/** Who the request runs as: the role switched to with set_config('role', …) and the claims it carries. */
export interface AuthResult {
  role: string;
  /** The token's claims with `role` set to the role in use (`{"role":"anon"}` without a token), as PostgREST sets them. */
  claims: Record<string, unknown>;
  /** `claims` as JSON text, for `request.jwt.claims`. */
  claimsJson: string;
  /** The role is not the anonymous role: decides 403 (authenticated) or 401 for Postgres' 42501. */
  authenticated: boolean;
}

export type AuthConfig = Pick<DataApiConfig, 'jwtSecret' | 'jwtKeys' | 'jwtAud' | 'jwtRoleClaimKey' | 'dbAnonRole'>;

export type RequestHeaders = Record<string, string | string[] | undefined>;

/** Seconds of clock difference tolerated on exp, nbf and iat (PostgREST 13's allowance). */
const ALLOWED_SKEW_SECONDS = 30;

/**
 * PostgREST's authentication: no bearer token means the anonymous role (or PGRST302 when
 * db-anon-role is unset); a bearer token must be a JWT signed with jwt-secret (HS256 with a
 * secret; with a JWK or JWK Set, any key of it that fits the token's alg and kid) whose
 * registered claims are valid. Failures are PostgREST's JWT errors: PGRST300 (no secret
 * configured), PGRST301 (the token cannot be decoded or verified), PGRST303 (its claims are
 * invalid), with `WWW-Authenticate: Bearer error="invalid_token", …`.
 */
export async function authenticate(headers: RequestHeaders, config: AuthConfig, now: Date = new Date()): Promise<AuthResult> {
  const token = bearerToken(headers);
  if (token === undefined) return anonymous(config);
  if (!config.jwtSecret && !config.jwtKeys) throw Errors.jwtSecretMissing();
  const claims = await verifyToken(token, config);
  validateClaims(claims, config, Math.floor(now.getTime() / 1000));

  const roleClaim = walkJsPath(claims, config.jwtRoleClaimKey);
  if (roleClaim === undefined) {
    const anon = anonymous(config);
    return withRole(claims, anon.role, config);
  }
  // PostgREST passes a non-string role on as its JSON text; Postgres then refuses the role.
  const role = typeof roleClaim === 'string' ? roleClaim : JSON.stringify(roleClaim);
  return withRole(claims, role, config);
}

/**
 * The token of `Authorization: Bearer <token>` (scheme case-insensitive), '' for a bare
 * `Bearer`, undefined when there is no bearer authorization at all (another scheme counts as none).
 */
export function bearerToken(headers: RequestHeaders): string | undefined {
  const header = headers.authorization ?? headers.Authorization;
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  const match = /^(\S*)(\s*)([\s\S]*)$/.exec(value);
  if (!match || match[1]!.toLowerCase() !== 'bearer') return undefined;
  return match[3]!;
}

function anonymous(config: AuthConfig): AuthResult {
  if (config.dbAnonRole === undefined) throw Errors.anonymousDisabled();
  return withRole({}, config.dbAnonRole, config);
}

function withRole(claims: Record<string, unknown>, role: string, config: AuthConfig): AuthResult {
  const withRoleClaim = { ...claims, role };
  return { role, claims: withRoleClaim, claimsJson: JSON.stringify(withRoleClaim), authenticated: role !== config.dbAnonRole };
}

async function verifyToken(token: string, config: AuthConfig): Promise<Record<string, unknown>> {
  if (token === '') throw Errors.jwtInvalid('Empty JWT is sent in Authorization header');
  const parts = token.split('.');
  if (parts.length !== 3) throw Errors.jwtInvalid(`Expected 3 parts in JWT; got ${parts.length}`);

  const header = decodeJsonPart(parts[0]!);
  if (!header || typeof header !== 'object' || Array.isArray(header) || typeof (header as { alg?: unknown }).alg !== 'string') {
    throw Errors.jwtInvalid('JWT cryptographic operation failed');
  }
  const alg = (header as { alg: string }).alg;
  if (alg === 'none') throw decodeError('Wrong or unsupported encoding algorithm', "JWT is unsecured but expected 'alg' was not 'none'");
  const payload = config.jwtKeys ? await verifyWithKeys(token, alg, (header as { kid?: unknown }).kid, config.jwtKeys) : await verifyWithSecret(token, alg, config.jwtSecret!);

  let claims: unknown;
  try {
    claims = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch {
    throw Errors.jwtClaims('Parsing claims failed');
  }
  if (!claims || typeof claims !== 'object' || Array.isArray(claims)) throw Errors.jwtClaims('Parsing claims failed');
  return claims as Record<string, unknown>;
}

async function verifyWithSecret(token: string, alg: string, secret: Uint8Array): Promise<Uint8Array> {
  // the only key is the HS256 secret: any other algorithm finds no key to verify with
  if (alg !== 'HS256') throw decodeError('No suitable key or wrong key type', 'No suitable key was found to decode the JWT');
  try {
    return (await compactVerify(token, secret, { algorithms: ['HS256'] })).payload;
  } catch (error) {
    if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
      throw decodeError('No suitable key or wrong key type', 'None of the keys was able to decode the JWT');
    }
    throw Errors.jwtInvalid('JWT cryptographic operation failed');
  }
}

/** The keys that may have signed a token of this alg (and kid, when both name one), tried in order. */
async function verifyWithKeys(token: string, alg: string, kid: unknown, keys: JWK[]): Promise<Uint8Array> {
  const candidates = keys.filter((key) => fits(key, alg) && (typeof kid !== 'string' || key.kid === undefined || key.kid === kid));
  if (candidates.length === 0) throw decodeError('No suitable key or wrong key type', 'No suitable key was found to decode the JWT');
  for (const jwk of candidates) {
    try {
      return (await compactVerify(token, await verificationKey(jwk, alg), { algorithms: [alg] })).payload;
    } catch (error) {
      if (!(error instanceof joseErrors.JWSSignatureVerificationFailed)) throw Errors.jwtInvalid('JWT cryptographic operation failed');
    }
  }
  throw decodeError('No suitable key or wrong key type', 'None of the keys was able to decode the JWT');
}

const CURVES: Record<string, string> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' };

function fits(key: JWK, alg: string): boolean {
  if (key.alg !== undefined && key.alg !== alg) return false;
  if (key.use !== undefined && key.use !== 'sig') return false;
  if (/^HS(256|384|512)$/.test(alg)) return key.kty === 'oct';
  if (/^(RS|PS)(256|384|512)$/.test(alg)) return key.kty === 'RSA';
  if (alg in CURVES) return key.kty === 'EC' && key.crv === CURVES[alg];
  if (alg === 'EdDSA' || alg === 'Ed25519') return key.kty === 'OKP';
  return false;
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'] as const;
const importedKeys = new WeakMap<JWK, Map<string, Promise<webcrypto.CryptoKey | Uint8Array>>>();

/** Each key imported once per alg (the config's keys live as long as the config); private members are left out. */
function verificationKey(jwk: JWK, alg: string): Promise<webcrypto.CryptoKey | Uint8Array> {
  let byAlg = importedKeys.get(jwk);
  if (byAlg === undefined) importedKeys.set(jwk, (byAlg = new Map()));
  let key = byAlg.get(alg);
  if (key === undefined) {
    const publicPart: JWK = { ...jwk };
    if (jwk.kty !== 'oct') for (const member of PRIVATE_MEMBERS) delete (publicPart as Record<string, unknown>)[member];
    delete publicPart.key_ops;
    key = importJWK(publicPart, alg) as Promise<webcrypto.CryptoKey | Uint8Array>;
    byAlg.set(alg, key);
  }
  return key;
}

function decodeJsonPart(part: string): unknown {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(part)) return undefined;
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** PGRST301 with details, keeping the WWW-Authenticate header of Errors.jwtInvalid. */
function decodeError(message: string, details: string): PgrstError {
  const plain = Errors.jwtInvalid(message);
  return new PgrstError(plain.status, plain.code, message, details, null, plain.headers);
}

/** exp, nbf, iat and aud, checked in that order; the first failure is reported (PGRST303). */
function validateClaims(claims: Record<string, unknown>, config: AuthConfig, now: number): void {
  const time = (key: string, notNumber: string, failed: (value: number) => boolean, failure: string): void => {
    const value = claims[key];
    if (value === undefined || value === null) return;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw Errors.jwtClaims(notNumber);
    if (failed(Math.floor(value))) throw Errors.jwtClaims(failure);
  };
  time('exp', "The JWT 'exp' claim must be a number", (exp) => now - ALLOWED_SKEW_SECONDS > exp, 'JWT expired');
  time('nbf', "The JWT 'nbf' claim must be a number", (nbf) => now + ALLOWED_SKEW_SECONDS < nbf, 'JWT not yet valid');
  time('iat', "The JWT 'iat' claim must be a number", (iat) => now + ALLOWED_SKEW_SECONDS < iat, 'JWT issued at future');

  const aud = claims.aud;
  if (aud === undefined || aud === null) return;
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) && aud.every((item) => typeof item === 'string') ? (aud as string[]) : undefined;
  if (!audiences) throw Errors.jwtClaims("The JWT 'aud' claim must be a string or an array of strings");
  if (config.jwtAud === undefined || audiences.length === 0) return;
  if (!audiences.includes(config.jwtAud)) throw Errors.jwtClaims('JWT not in audience');
}
