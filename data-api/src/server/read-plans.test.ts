import { describe, expect, it } from 'vitest';
import type { DataApiConfig } from '../config/config.ts';
import type { RawRequest } from '../request/api-request.ts';
import type { SchemaCache } from '../schema-cache/types.ts';
import { param, raw as rawSql, render, sql } from '../sql/fragment.ts';
import { ReadPlans, type PlannedRead, type ReadKey } from './read-plans.ts';

const raw = (overrides: Partial<RawRequest> = {}): RawRequest => ({ method: 'GET', path: '/assets', query: 'select=*', headers: {}, body: undefined, ...overrides });
const cache = {} as SchemaCache;
const config = {} as DataApiConfig;
const entry = (name: string, statement = rawSql(`SELECT '${name}'`)) => ({ request: { path: name, target: { kind: 'relation', name } }, plan: { statement } }) as unknown as PlannedRead;

/** A key kept: seen twice (admitted) and set. */
function keep(plans: ReadPlans, key: ReadKey, planned: PlannedRead): void {
  plans.get(key, cache, config);
  plans.admits(key);
  plans.admits(key);
  plans.set(key, cache, config, planned);
}

describe('ReadPlans', () => {
  it('keys GET and HEAD by path, query and the headers the parser reads, and nothing else', () => {
    const plans = new ReadPlans();
    const { key } = plans.keyOf(raw())!;
    expect(plans.keyOf(raw({ headers: { authorization: 'Bearer x', cookie: 'a=1', 'x-other': '1' } }))!.key).toBe(key);
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
      expect(plans.keyOf(different)!.key).not.toBe(key);
    }
    for (const method of ['POST', 'PATCH', 'PUT', 'DELETE', 'OPTIONS']) expect(plans.keyOf(raw({ method }))).toBeUndefined();
    expect(new ReadPlans(10, 100).keyOf(raw({ query: 'x'.repeat(200) }))).toBeUndefined();
  });

  it('takes the values of plain filters out of the key, decoded, and leaves every other parameter in it', () => {
    const plans = new ReadPlans();
    const one = plans.keyOf(raw({ query: 'id=eq.1&select=id,name&name=gte.b%20c' }))!;
    const two = plans.keyOf(raw({ query: 'id=eq.%32&select=id,name&name=gte.x' }))!;
    expect(two.key).toBe(one.key);
    expect([one.values, two.values]).toEqual([['1', 'b c'], ['2', 'x']]);
    for (const query of ['id=in.(1,2)', 'id=not.eq.1', 'id=eq(any).{1}', 'name=like.a1*', 'limit=eq.1', 'order=eq.1', 'or=(id.eq.1)']) {
      expect(plans.keyOf(raw({ query }))!.key, query).not.toBe(plans.keyOf(raw({ query: query.replace('1', '2') }))!.key);
    }
    expect(plans.keyOf(raw({ path: '/rpc/add', query: 'a=eq.1' }))!.values).toEqual([]);
  });

  it('binds the values of the request in the places of the kept ones', () => {
    const plans = new ReadPlans();
    const first = plans.keyOf(raw({ query: 'id=eq.1&zone=lt.7' }))!;
    keep(plans, first, entry('x', sql`SELECT 1 WHERE id = ${param('1')} AND zone < ${param('7')} LIMIT ${param('50')}`));
    const again = plans.get(plans.keyOf(raw({ query: 'id=eq.42&zone=lt.9' }))!, cache, config)!;
    expect(render(again.plan.statement)).toEqual({ text: 'SELECT 1 WHERE id = $1 AND zone < $2 LIMIT $3', values: ['42', '9', '50'] });
  });

  it('does not take the arguments of a function for filter values, however its path is written', () => {
    const plans = new ReadPlans();
    const read = plans.keyOf(raw({ path: '/%72pc/add', query: 'a=eq.1' }))!;
    expect(read.values).toEqual(['1']);
    const routineRead = { request: { target: { kind: 'routine', name: 'add' } }, plan: { statement: sql`SELECT add(${param('1')})` } } as unknown as PlannedRead;
    keep(plans, read, routineRead);
    expect(plans.size).toBe(0);
  });

  it('does not keep a plan where a taken value cannot be told apart from another bound value', () => {
    const plans = new ReadPlans();
    const read = plans.keyOf(raw({ query: 'id=eq.50' }))!;
    keep(plans, read, entry('x', sql`SELECT 1 WHERE id = ${param('50')} LIMIT ${param('50')}`));
    expect(plans.size).toBe(0);
  });

  it('forgets everything when the schema cache or the settings change', () => {
    const plans = new ReadPlans();
    const key = plans.keyOf(raw())!;
    keep(plans, key, entry('a'));
    expect(plans.get(key, cache, config)).toMatchObject({ request: { path: 'a' } });
    const reloaded = {} as SchemaCache;
    expect(plans.get(key, reloaded, config)).toBeUndefined();
    expect(plans.size).toBe(0);
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
    const [a, b, c] = ['select=a', 'select=b', 'select=c'].map((query) => plans.keyOf(raw({ query }))!);
    expect(plans.admits(a!)).toBe(false);
    expect(plans.admits(a!)).toBe(true);
    expect(plans.admits(b!)).toBe(false);
    expect(plans.admits(c!)).toBe(false);
    expect(plans.admits(a!)).toBe(false); // admitted before: seen anew
    expect(plans.admits(c!)).toBe(true);
  });

  it('keeps at most its capacity, the least recently used going first', () => {
    const plans = new ReadPlans(2);
    const keys = ['select=a', 'select=b', 'select=c'].map((query) => plans.keyOf(raw({ query }))!);
    keep(plans, keys[0]!, entry('a'));
    keep(plans, keys[1]!, entry('b'));
    plans.get(keys[0]!, cache, config); // a is now the most recently used
    keep(plans, keys[2]!, entry('c'));
    expect(plans.get(keys[1]!, cache, config)).toBeUndefined();
    expect(plans.get(keys[0]!, cache, config)).toMatchObject({ request: { path: 'a' } });
    expect(plans.get(keys[2]!, cache, config)).toMatchObject({ request: { path: 'c' } });
  });
});

