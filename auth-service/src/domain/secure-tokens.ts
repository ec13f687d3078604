import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** An opaque refresh token (also the PKCE auth code): 24 random bytes, URL-safe. */
export function newOpaqueToken(): string {
  return randomBytes(24).toString('base64url');
}

/** GoTrue's email OTP: six digits. */
export function newOtp(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/**
 * What is stored of a one-time token, and what a mailed link carries: GoTrue's
 * sha224(email + otp) in hex, so both the six digits (with the address) and the link verify
 * against one stored value.
 */
export function tokenHashOf(email: string, otp: string): string {
  return createHash('sha224').update(email + otp).digest('hex');
}

/** Equal strings, compared in time that depends only on their lengths. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right) && a.length === b.length;
}

/** PKCE: does the verifier match the challenge saved at the start of the flow? */
export function codeVerifierMatches(method: 's256' | 'plain', challenge: string, verifier: string): boolean {
  const computed = method === 's256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
  return constantTimeEqual(computed, challenge);
}
