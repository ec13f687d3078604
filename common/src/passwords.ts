import { hash, verify } from '@node-rs/argon2';

/**
 * argon2id with OWASP's second recommended profile (19 MiB, 2 passes, 1 lane): ≈ 30 ms a hash
 * on our 2-core machines, slow enough for offline guessing, fast enough for a login form. Every
 * password LaunchDB keeps (operators', and each project's users') is hashed with these. Stored
 * as PHC strings, so the parameters can change later and old hashes still verify.
 */
export const ARGON2ID_PARAMETERS = {
  // Algorithm.Argon2id; the enum is a const enum that isolated modules cannot read
  algorithm: 2,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2ID_PARAMETERS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/**
 * Verified against when the email is unknown, so that an unknown account takes as long to
 * reject as a wrong password and response times reveal nothing.
 */
let decoyHash: Promise<string> | undefined;
export function decoyPasswordHash(): Promise<string> {
  decoyHash ??= hashPassword('decoy password that no account has');
  return decoyHash;
}
