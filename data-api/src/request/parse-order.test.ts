import { describe, expect, it } from 'vitest';
import { parseOrder } from './parse-order.ts';
import { pgrstError } from './test-helpers.ts';

const term = (column: string, direction?: 'asc' | 'desc', nulls?: 'first' | 'last', relation?: string) => ({
  relation,
  field: { column, jsonPath: [] },
  direction,
  nulls,
});

describe('parseOrder', () => {
  it('reads directions and nulls placement', () => {
    expect(parseOrder('a.desc.nullslast,b,c.asc,d.nullsfirst')).toEqual([
      term('a', 'desc', 'last'),
      term('b'),
      term('c', 'asc'),
      term('d', undefined, 'first'),
    ]);
    expect(parseOrder(' a.desc , b ')).toEqual([term('a', 'desc'), term('b')]);
  });

  it('reads JSON paths and related orders', () => {
    expect(parseOrder('json_col->key.asc.nullslast')).toEqual([
      { relation: undefined, field: { column: 'json_col', jsonPath: [{ arrow: '->', key: 'key' }] }, direction: 'asc', nulls: 'last' },
    ]);
    expect(parseOrder('data->0.desc')[0]?.field.jsonPath).toEqual([{ arrow: '->', key: 0 }]);
    expect(parseOrder('clients(json_col->key).desc.nullsfirst')).toEqual([
      { relation: 'clients', field: { column: 'json_col', jsonPath: [{ arrow: '->', key: 'key' }] }, direction: 'desc', nulls: 'first' },
    ]);
    expect(parseOrder('name,clients(name),id')).toEqual([term('name'), term('name', undefined, undefined, 'clients'), term('id')]);
  });

  it('fails like PostgREST', () => {
    expect(pgrstError(() => parseOrder('id.ac')).message).toBe('"failed to parse order (id.ac)" (line 1, column 4)');
    expect(pgrstError(() => parseOrder('id.ac')).details).toBe('unexpected "c" expecting "asc", "desc", "nullsfirst" or "nullslast"');
    expect(pgrstError(() => parseOrder('id.descc')).message).toContain('(line 1, column 8)');
    expect(pgrstError(() => parseOrder('id.nulsfist')).message).toContain('(line 1, column 4)');
    expect(pgrstError(() => parseOrder('id.asc.nlsfst')).message).toContain('(line 1, column 8)');
    // PostgREST's pOrder doctests, word for word
    expect(pgrstError(() => parseOrder('id.descc')).details).toBe('unexpected "c" expecting delimiter (.), "," or end of input');
    expect(pgrstError(() => parseOrder('id.nullslasttt')).details).toBe('unexpected "t" expecting "," or end of input');
    const related = pgrstError(() => parseOrder('clients(name,id)'));
    expect([related.message, related.details]).toEqual([
      '"failed to parse order (clients(name,id))" (line 1, column 8)',
      'unexpected "(" expecting letter, digit, "-", "->>", "->", delimiter (.), "," or end of input',
    ]);
    for (const bad of ['', 'clients(name,id)', 'a,', 'a.desc.asc', 'a.nullsfirst.desc']) {
      expect(pgrstError(() => parseOrder(bad)).code, bad).toBe('PGRST100');
    }
  });
});
