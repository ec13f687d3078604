import { describe, expect, it } from 'vitest';
import { parsePreferences } from './parse-preferences.ts';

describe('parsePreferences', () => {
  it('reads every preference from one header', () => {
    const p = parsePreferences(
      'return=representation, count=exact, resolution=merge-duplicates, missing=default, handling=strict, tx=rollback, params=single-object, max-affected=5, timezone=America/Los_Angeles',
    );
    expect(p).toEqual({
      return: 'representation',
      count: 'exact',
      resolution: 'merge-duplicates',
      missing: 'default',
      handling: 'strict',
      tx: 'rollback',
      params: 'single-object',
      maxAffected: 5,
      timezone: 'America/Los_Angeles',
      understood: [
        'resolution=merge-duplicates',
        'missing=default',
        'return=representation',
        'params=single-object',
        'count=exact',
        'tx=rollback',
        'handling=strict',
        'timezone=America/Los_Angeles',
        'max-affected=5',
      ],
      invalid: [],
    });
  });

  it('takes the first value of each preference, across joined headers, with any spacing', () => {
    const p = parsePreferences('tx=commit,   tx=rollback ,count=planned, count=exact,return=minimal');
    expect(p.tx).toBe('commit');
    expect(p.count).toBe('planned');
    expect(p.return).toBe('minimal');
    expect(p.understood).toEqual(['return=minimal', 'count=planned', 'tx=commit']);
  });

  it('lists what it does not understand', () => {
    const p = parsePreferences('count=exact, anything, return=everything, plurality=singular,,');
    expect(p.invalid).toEqual(['anything', 'return=everything', 'plurality=singular']);
    expect(p.count).toBe('exact');
  });

  it('never calls max-affected invalid, and lists it as applied only under handling=strict', () => {
    const lenient = parsePreferences('max-affected=abc, max-affected=3');
    expect(lenient.maxAffected).toBeUndefined();
    expect(lenient.invalid).toEqual([]);
    expect(parsePreferences('max-affected=7').understood).toEqual([]);
    expect(parsePreferences('max-affected=7').maxAffected).toBe(7);
  });

  it('is empty without a header', () => {
    const p = parsePreferences(undefined);
    expect(p.understood).toEqual([]);
    expect(p.invalid).toEqual([]);
    expect(p.return).toBeUndefined();
    expect(parsePreferences('timezone=').invalid).toEqual(['timezone=']);
  });
});
