import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

const ITERATIONS = 4096;
const VERIFIER = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/;

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for a password (RFC 5802/7677), computed here so
 * that `CREATE ROLE … PASSWORD` carries a verifier and the plain password never reaches the
 * server's statement log. Our passwords are ASCII, so SASLprep leaves them unchanged.
 */
export function scramVerifier(password: string): string {
  return render(password, randomBytes(16), ITERATIONS);
}

/**
 * Whether a stored verifier is the one of this password. Setting the same password again would
 * pick a new salt, and PgBouncer, which logs in with a copy of the verifier, must keep its copy
 * valid: so an unchanged password is left alone.
 */
export function scramVerifierMatches(stored: string | null, password: string): boolean {
  const match = stored ? VERIFIER.exec(stored) : null;
  if (!match) return false;
  const expected = render(password, Buffer.from(match[2]!, 'base64'), Number(match[1]));
  return expected.length === stored!.length && timingSafeEqual(Buffer.from(expected), Buffer.from(stored!));
}

function render(password: string, salt: Buffer, iterations: number): string {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
