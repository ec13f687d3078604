import { SignJWT, jwtVerify, errors as joseErrors, type JWTPayload } from 'jose';

export type { JWTPayload };

export interface SignOptions {
  secret: string | Uint8Array;
  expiresInSeconds?: number;
  issuer?: string;
  audience?: string;
  subject?: string;
}

function keyOf(secret: string | Uint8Array): Uint8Array {
  return typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
}

/** HS256, the algorithm PostgREST, GoTrue and our platform tokens share. */
export async function signHs256(claims: JWTPayload, options: SignOptions): Promise<string> {
  let jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt();
  if (options.expiresInSeconds !== undefined) jwt = jwt.setExpirationTime(`${options.expiresInSeconds}s`);
  if (options.issuer) jwt = jwt.setIssuer(options.issuer);
  if (options.audience) jwt = jwt.setAudience(options.audience);
  if (options.subject) jwt = jwt.setSubject(options.subject);
  return jwt.sign(keyOf(options.secret));
}

export type VerifyFailure = 'expired' | 'invalid';

export type VerifyResult =
  | { ok: true; claims: JWTPayload }
  | { ok: false; reason: VerifyFailure; message: string };

/** Verification never throws: callers map the failure to their protocol's own error. */
export async function verifyHs256(
  token: string,
  secret: string | Uint8Array,
  expected: { issuer?: string; audience?: string } = {},
): Promise<VerifyResult> {
  try {
    const { payload } = await jwtVerify(token, keyOf(secret), {
      algorithms: ['HS256'],
      ...(expected.issuer ? { issuer: expected.issuer } : {}),
      ...(expected.audience ? { audience: expected.audience } : {}),
    });
    return { ok: true, claims: payload };
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) return { ok: false, reason: 'expired', message: 'JWT expired' };
    return { ok: false, reason: 'invalid', message: error instanceof Error ? error.message : 'invalid JWT' };
  }
}
