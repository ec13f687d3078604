import { describe, expect, it } from 'vitest';
import bcrypt from 'bcryptjs';
import { assertStrongPassword, checkPassword, hashPassword } from './passwords.ts';

describe('passwords', () => {
  it('hashes with argon2id at the documented parameters and checks them', async () => {
    const stored = await hashPassword('correct horse');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await checkPassword(stored, 'correct horse')).toEqual({ ok: true, needsRehash: false });
    expect(await checkPassword(stored, 'wrong horse')).toEqual({ ok: false, needsRehash: false });
  });

  it('accepts an imported bcrypt hash and asks for it to be upgraded', async () => {
    const stored = bcrypt.hashSync('imported', 4);
    expect(await checkPassword(stored, 'imported')).toEqual({ ok: true, needsRehash: true });
    expect(await checkPassword(stored, 'other')).toEqual({ ok: false, needsRehash: false });
    expect(await checkPassword('plain text', 'plain text')).toEqual({ ok: false, needsRehash: false });
    expect(await checkPassword(null, '')).toEqual({ ok: false, needsRehash: false });
  });

  it('enforces the minimum length and the required character classes', () => {
    expect(() => assertStrongPassword('abc', { minLength: 6, required: [] })).toThrow(expect.objectContaining({ code: 'weak_password', weakPasswordReasons: ['length'] }));
    expect(() => assertStrongPassword('abcdefgh', { minLength: 6, required: ['digits', 'upper'] })).toThrow(expect.objectContaining({ weakPasswordReasons: ['characters'] }));
    expect(() => assertStrongPassword('Abcdefg1', { minLength: 6, required: ['digits', 'upper', 'lower'] })).not.toThrow();
  });
});
