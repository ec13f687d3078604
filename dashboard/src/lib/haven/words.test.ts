import { describe, expect, it } from 'vitest';
import { inWords } from './words.ts';

describe('errors in a homeowner’s words', () => {
  it('turns GoTrue codes into sentences', () => {
    expect(inWords({ code: 'invalid_credentials', status: 400, message: 'Invalid login credentials' })).toMatch(/don’t match/);
    expect(inWords({ error_code: 'user_already_exists' })).toMatch(/Sign in instead/);
  });

  it('turns SQLSTATEs into sentences, never showing the code', () => {
    const words = inWords({ code: '42501', message: 'permission denied for table properties' });
    expect(words).toMatch(/permission/);
    expect(words).not.toContain('42501');
    expect(inWords({ code: 'P0002', message: 'task not found' })).toMatch(/no longer exists/);
  });

  it('passes on the messages Haven’s functions write for people, as sentences', () => {
    expect(inWords({ code: '22023', message: 'cost must not be negative' })).toBe('Cost must not be negative.');
  });

  it('says offline when the network failed, and something calm otherwise', () => {
    expect(inWords({ name: 'AuthRetryableFetchError', status: 0 })).toMatch(/offline/);
    expect(inWords({ message: 'Failed to fetch' })).toMatch(/offline/);
    expect(inWords({ status: 503, code: 'PGRST000', message: 'connection refused' })).toMatch(/trouble/);
    expect(inWords({ code: 'XX000', message: 'internal' })).toBe('Something went wrong. Try again.');
    expect(inWords(undefined)).toBe('Something went wrong. Try again.');
  });
});
