import { describe, expect, it } from 'vitest';
import { checkRanges, parseRangeHeader } from './parse-range.ts';
import { emptyModifiers } from './parse-query.ts';
import { pgrstError } from './test-helpers.ts';
import type { NodeModifiers } from './types.ts';

const root = (m: Partial<NodeModifiers>) => new Map([['', { ...emptyModifiers(), ...m }]]);

describe('parseRangeHeader', () => {
  it('reads first-last and first-', () => {
    expect(parseRangeHeader('0-9')).toEqual({ offset: 0, limit: 10 });
    expect(parseRangeHeader('5-')).toEqual({ offset: 5, limit: undefined });
    expect(parseRangeHeader('3-3')).toEqual({ offset: 3, limit: 1 });
  });
  it('ignores what is not first-[last], like PostgREST', () => {
    for (const v of [undefined, '', 'items=0-9', '-5', 'a-b', '0-9,20-29', ' 0-9']) expect(parseRangeHeader(v), String(v)).toBeUndefined();
  });
  it('refuses a range that ends before it starts: 416 PGRST103', () => {
    const e = pgrstError(() => parseRangeHeader('10-5'));
    expect([e.status, e.code, e.message, e.details]).toEqual([
      416,
      'PGRST103',
      'Requested range not satisfiable',
      'The lower boundary must be lower than or equal to the upper boundary in the Range header.',
    ]);
  });
});

describe('checkRanges', () => {
  it('refuses negative limits', () => {
    const e = pgrstError(() => checkRanges('GET', undefined, root({ limit: -1 })));
    expect([e.status, e.code, e.details]).toEqual([416, 'PGRST103', 'Limit should be greater than or equal to zero.']);
    const embedded = new Map([['', emptyModifiers()], ['clients', { ...emptyModifiers(), limit: -2 }]]);
    expect(pgrstError(() => checkRanges('GET', undefined, embedded)).code).toBe('PGRST103');
  });
  it('refuses a Range header that cannot meet limit/offset, except limit=0', () => {
    expect(pgrstError(() => checkRanges('GET', { offset: 10, limit: 10 }, root({ limit: 5 }))).status).toBe(416);
    expect(() => checkRanges('GET', { offset: 10, limit: 10 }, root({ limit: 0 }))).not.toThrow();
    expect(() => checkRanges('GET', { offset: 0, limit: 10 }, root({ limit: 5, offset: 3 }))).not.toThrow();
    expect(() => checkRanges('GET', { offset: 0, limit: undefined }, root({ offset: 3 }))).not.toThrow();
  });
  it('refuses limit/offset on PUT: PGRST114', () => {
    expect(pgrstError(() => checkRanges('PUT', undefined, root({ limit: 1 }))).code).toBe('PGRST114');
    expect(pgrstError(() => checkRanges('PUT', undefined, root({ offset: 2 }))).code).toBe('PGRST114');
    expect(() => checkRanges('PUT', undefined, root({ offset: 0 }))).not.toThrow();
  });
});
