import { describe, expect, it } from 'vitest';
import type { DataApiConfig } from '../config/config.ts';
import type { RawRequest } from '../request/api-request.ts';
import type { SchemaCache } from '../schema-cache/types.ts';
import { ReadPlans, type PlannedRead } from './read-plans.ts';

const raw = (overrides: Partial<RawRequest> = {}): RawRequest => ({ method: 'GET', path: '/assets', query: 'select=*', headers: {}, body: undefined, ...overrides });
const cache = {} as SchemaCache;
const config = {} as DataApiConfig;
const entry = (name: string) => ({ request: { path: name }, plan: { name } }) as unknown as PlannedRead;

describe('ReadPlans', () => {
  it('keys GET and HEAD by path, query and the headers the parser reads, and nothing else', () => {
    const plans = new ReadPlans();
    const key = plans.keyOf(raw())!;
    expect(plans.keyOf(raw({ headers: { authorization: 'Bearer x', cookie: 'a=1', 'x-other': '1' } }))).toBe(key);
    for (const different of [
      raw({ method: 'HEAD' }),
      raw({ query: 'select=id' }),
      raw({ path: '/zones' }),
      raw({ headers: { accept: 'text/csv' } }),
      raw({ headers: { prefer: 'count=exact' } }),
      raw({ headers: { range: '0-9' } }),
      raw({ headers: { 'accept-profile': 'v2' } }),
      raw({ headers: { accept: '' } }),
    ]) {
      expect(plans.keyOf(different)).not.toBe(key);
    }
    for (const method of ['POST', 'PATCH', 'PUT', 'DELETE', 'OPTIONS']) expect(plans.keyOf(raw({ method }))).toBeUndefined();
    expect(new ReadPlans(10, 100).keyOf(raw({ query: 'x'.repeat(200) }))).toBeUndefined();
  });

  it('forgets everything when the schema cache or the settings change', () => {
    const plans = new ReadPlans();
    const key = plans.keyOf(raw())!;
    expect(plans.get(key, cache, config)).toBeUndefined();
    plans.set(key, cache, config, entry('a'));
    expect(plans.get(key, cache, config)).toEqual(entry('a'));
    const reloaded = {} as SchemaCache;
    expect(plans.get(key, reloaded, config)).toBeUndefined();
    expect(plans.size).toBe(0);
    plans.set(key, reloaded, config, entry('b'));
    expect(plans.get(key, reloaded, {} as DataApiConfig)).toBeUndefined();
  });

  it('does not keep a plan made against a schema cache that was replaced meanwhile', () => {
    const plans = new ReadPlans();
    const key = plans.keyOf(raw())!;
    plans.get(key, cache, config);
    plans.set(key, {} as SchemaCache, config, entry('stale'));
    expect(plans.size).toBe(0);
  });

  it('admits a plan only for a key seen recently: reads that never repeat are not kept', () => {
    const plans = new ReadPlans(2);
    const [a, b, c] = ['a', 'b', 'c'].map((query) => plans.keyOf(raw({ query }))!);
    expect(plans.admits(a!)).toBe(false);
    expect(plans.admits(a!)).toBe(true);
    expect(plans.admits(b!)).toBe(false);
    expect(plans.admits(c!)).toBe(false);
    expect(plans.admits(a!)).toBe(false); // admitted before: seen anew
    expect(plans.admits(c!)).toBe(true);
  });

  it('keeps at most its capacity, the least recently used going first', () => {
    const plans = new ReadPlans(2);
    const keys = ['a', 'b', 'c'].map((query) => plans.keyOf(raw({ query }))!);
    plans.get(keys[0]!, cache, config);
    plans.set(keys[0]!, cache, config, entry('a'));
    plans.set(keys[1]!, cache, config, entry('b'));
    plans.get(keys[0]!, cache, config); // a is now the most recently used
    plans.set(keys[2]!, cache, config, entry('c'));
    expect(plans.get(keys[1]!, cache, config)).toBeUndefined();
    expect(plans.get(keys[0]!, cache, config)).toEqual(entry('a'));
    expect(plans.get(keys[2]!, cache, config)).toEqual(entry('c'));
  });
});
