import { verify } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import { ARGON2ID_PARAMETERS, decoyPasswordHash, hashPassword } from '@launchdb/common';
import type { PasswordCharacterClass } from '@launchdb/common/auth-settings';
import { AuthErrors } from '../errors.ts';

export { ARGON2ID_PARAMETERS, hashPassword };

export interface PasswordCheck {
  ok: boolean;
  /** The stored hash is of an older kind (bcrypt, from an import) or weaker parameters: rehash now that the password is known. */
  needsRehash: boolean;
}

const CURRENT_PREFIX = `$argon2id$v=19$m=${ARGON2ID_PARAMETERS.memoryCost},t=${ARGON2ID_PARAMETERS.timeCost},p=${ARGON2ID_PARAMETERS.parallelism}$`;

/** argon2 (any parameters) or bcrypt ($2a$/$2b$/$2y$, as GoTrue stores them); anything else never matches. */
export async function checkPassword(storedHash: string | null, password: string): Promise<PasswordCheck> {
  if (storedHash === null || storedHash === '') {
    // nothing to compare with still costs one hash, so that answer time says nothing
    await verify(await decoyPasswordHash(), password).catch(() => false);
    return { ok: false, needsRehash: false };
  }
  if (storedHash.startsWith('$argon2')) {
    const ok = await verify(storedHash, password).catch(() => false);
    return { ok, needsRehash: ok && !storedHash.startsWith(CURRENT_PREFIX) };
  }
  if (/^\$2[aby]\$\d\d\$/.test(storedHash)) {
    const ok = await bcrypt.compare(password, storedHash).catch(() => false);
    return { ok, needsRehash: ok };
  }
  await verify(await decoyPasswordHash(), password).catch(() => false);
  return { ok: false, needsRehash: false };
}

const CLASS_PATTERNS: Record<PasswordCharacterClass, { pattern: RegExp; set: string }> = {
  lower: { pattern: /[a-z]/, set: 'abcdefghijklmnopqrstuvwxyz' },
  upper: { pattern: /[A-Z]/, set: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' },
  digits: { pattern: /[0-9]/, set: '0123456789' },
  symbols: { pattern: /[^A-Za-z0-9]/, set: '!@#$%^&*()_+-=[]{};\':"|<>?,./`~' },
};

/** GoTrue's password policy: a minimum length and required character classes; weak_password (422) otherwise. */
export function assertStrongPassword(password: string, policy: { minLength: number; required: PasswordCharacterClass[] }): void {
  const reasons: string[] = [];
  const messages: string[] = [];
  if ([...password].length < policy.minLength) {
    reasons.push('length');
    messages.push(`Password should be at least ${policy.minLength} characters.`);
  }
  const missing = policy.required.filter((kind) => !CLASS_PATTERNS[kind].pattern.test(password));
  if (missing.length > 0) {
    reasons.push('characters');
    messages.push(`Password should contain at least one character of each: ${missing.map((kind) => CLASS_PATTERNS[kind].set).join(', ')}.`);
  }
  if (reasons.length > 0) throw AuthErrors.weakPassword(messages.join(' '), reasons);
}
