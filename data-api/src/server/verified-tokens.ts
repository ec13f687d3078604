import { authenticate, bearerToken, type AuthConfig, type AuthResult, type RequestHeaders } from '../auth/authenticate.ts';

/** A verified token is trusted again for at most this long, and never past its `exp`. */
const MAX_AGE_MS = 5 * 60_000;
/** Tokens remembered per config; the oldest is forgotten first. */
const MAX_TOKENS = 1000;

interface VerifiedToken {
  result: AuthResult;
  /** Epoch ms after which the token is verified again. */
  until: number;
}

/** One memory per config object: a config reload (new secret, aud, role claim key) starts afresh. */
const verifiedByConfig = new WeakMap<AuthConfig, Map<string, VerifiedToken>>();

/**
 * `authenticate`, remembering the tokens that verified (PostgREST's JWT cache): supabase-js
 * sends the same token with every request, and an HS256 check through WebCrypto costs more
 * than planning the request. Only successes are remembered, keyed by the whole token
 * (signature included), until the token's `exp` (at most MAX_AGE_MS): a success cannot turn
 * into a failure before then, since `nbf` and `iat` only fail for tokens from the future and
 * `aud` and the role depend on the token and the config alone. Failures are checked every time.
 */
export async function authenticateCached(headers: RequestHeaders, config: AuthConfig, now: number = Date.now()): Promise<AuthResult> {
  const token = bearerToken(headers);
  if (!token) return authenticate(headers, config, new Date(now));
  let verified = verifiedByConfig.get(config);
  const known = verified?.get(token);
  if (known && now < known.until) return known.result;

  const result = await authenticate(headers, config, new Date(now));
  if (!verified) {
    verified = new Map();
    verifiedByConfig.set(config, verified);
  }
  verified.delete(token);
  if (verified.size >= MAX_TOKENS) verified.delete(verified.keys().next().value!);
  verified.set(token, { result: Object.freeze(result), until: expiresAt(result.claims, now) });
  return result;
}

function expiresAt(claims: Record<string, unknown>, now: number): number {
  const exp = claims.exp;
  const latest = now + MAX_AGE_MS;
  // authenticate accepted it, so a present exp is a finite number
  return typeof exp === 'number' ? Math.min(latest, Math.floor(exp) * 1000) : latest;
}
