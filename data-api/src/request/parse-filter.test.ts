import { describe, expect, it } from 'vitest';
import { parseFilterParam } from './parse-filter.ts';
import { pgrstError } from './test-helpers.ts';
import type { Filter } from './types.ts';

const simple = (value: string) => parseFilterParam('col', value).filter;
const f = (operator: Filter['operator'], value: Filter['value'], negated = false): Filter => ({
  field: { column: 'col', jsonPath: [] },
  operator,
  negated,
  value,
});

describe('parseFilterParam', () => {
  it('reads every simple operator', () => {
    for (const op of ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'match', 'imatch', 'cs', 'cd', 'ov', 'sl', 'sr', 'nxr', 'nxl', 'adj', 'isdistinct'] as const) {
      expect(simple(`${op}.some.value`)).toEqual(f(op, { kind: 'scalar', value: 'some.value' }));
      expect(simple(`not.${op}.x`)).toEqual(f(op, { kind: 'scalar', value: 'x' }, true));
    }
    expect(simple('eq.')).toEqual(f('eq', { kind: 'scalar', value: '' }));
    expect(simple('like.*foo*')).toEqual(f('like', { kind: 'scalar', value: '*foo*' }));
    expect(simple('cs.{1,2}')).toEqual(f('cs', { kind: 'scalar', value: '{1,2}' }));
  });

  it('reads in-lists with quotes and escapes', () => {
    expect(simple('in.(1,2,3)')).toEqual(f('in', { kind: 'list', values: ['1', '2', '3'] }));
    expect(simple('in.(a,"b,c","d\\"e","f\\\\g")')).toEqual(f('in', { kind: 'list', values: ['a', 'b,c', 'd"e', 'f\\g'] }));
    expect(simple('not.in.( a, b )')).toEqual(f('in', { kind: 'list', values: ['a', ' b '] }, true));
    expect(simple('in.()')).toEqual(f('in', { kind: 'list', values: [] }));
    expect(simple('in.("")')).toEqual(f('in', { kind: 'list', values: [''] }));
    // a quote not followed by , or ) is part of an unquoted element
    expect(simple('in.("a"b,c)')).toEqual(f('in', { kind: 'list', values: ['"a"b', 'c'] }));
  });

  it('reads is with its five values, case-insensitively', () => {
    for (const v of ['null', 'not_null', 'true', 'false', 'unknown'] as const) {
      expect(simple(`is.${v}`)).toEqual(f('is', { kind: 'is', value: v }));
      expect(simple(`not.is.${v.toUpperCase()}`)).toEqual(f('is', { kind: 'is', value: v }, true));
    }
    expect(pgrstError(() => simple('is.nothing')).code).toBe('PGRST100');
    expect(pgrstError(() => simple('is.nullx')).code).toBe('PGRST100');
  });

  it('reads full-text search with and without a language', () => {
    expect(simple('fts.cat')).toEqual(f('fts', { kind: 'fts', language: undefined, query: 'cat' }));
    expect(simple('plfts(english).fat cats')).toEqual(f('plfts', { kind: 'fts', language: 'english', query: 'fat cats' }));
    expect(simple('not.phfts(simple).a b')).toEqual(f('phfts', { kind: 'fts', language: 'simple', query: 'a b' }, true));
    expect(simple('wfts.x or y')).toEqual(f('wfts', { kind: 'fts', language: undefined, query: 'x or y' }));
  });

  it('reads quantifiers with array literals', () => {
    expect(simple('eq(any).{1,2,3}')).toEqual(f('eq', { kind: 'quantified', quantifier: 'any', values: ['1', '2', '3'] }));
    expect(simple('like(all).{"a,*", b* , c\\,d}')).toEqual(f('like', { kind: 'quantified', quantifier: 'all', values: ['a,*', 'b*', 'c,d'] }));
    expect(simple('not.gte(any).{}')).toEqual(f('gte', { kind: 'quantified', quantifier: 'any', values: [] }, true));
    for (const op of ['eq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'match', 'imatch'] as const) {
      expect(simple(`${op}(all).{x}`).value).toEqual({ kind: 'quantified', quantifier: 'all', values: ['x'] });
    }
    const e = pgrstError(() => simple('eq(any).5'));
    expect(e.message).toBe('"failed to parse filter (eq(any).5)" (line 1, column 9)');
    expect(pgrstError(() => simple('neq(any).{1}')).code).toBe('PGRST100');
    expect(pgrstError(() => simple('eq(some).{1}')).code).toBe('PGRST100');
    expect(pgrstError(() => simple('eq(any).{1,{2}}')).code).toBe('PGRST100');
  });

  it('reads JSON paths and embed paths in the key', () => {
    expect(parseFilterParam('data->a->>b', 'eq.1')).toEqual({
      embedPath: '',
      filter: { ...f('eq', { kind: 'scalar', value: '1' }), field: { column: 'data', jsonPath: [{ arrow: '->', key: 'a' }, { arrow: '->>', key: 'b' }] } },
    });
    expect(parseFilterParam('data->0', 'eq.1').filter.field).toEqual({ column: 'data', jsonPath: [{ arrow: '->', key: 0 }] });
    expect(parseFilterParam('clients.name', 'eq.x').embedPath).toBe('clients');
    expect(parseFilterParam('clients.projects.id', 'gt.1')).toEqual({
      embedPath: 'clients.projects',
      filter: { ...f('gt', { kind: 'scalar', value: '1' }), field: { column: 'id', jsonPath: [] } },
    });
    expect(parseFilterParam('clients.data->>x', 'eq.1').filter.field).toEqual({ column: 'data', jsonPath: [{ arrow: '->>', key: 'x' }] });
  });

  it('fails with PostgREST messages', () => {
    const e = pgrstError(() => parseFilterParam('a.b', 'noop.0'));
    expect(e.code).toBe('PGRST100');
    expect(e.status).toBe(400);
    expect(e.message).toBe('"failed to parse filter (noop.0)" (line 1, column 1)');
    expect(e.details).toBe('unexpected "o" expecting "not" or operator (eq, gt, ...)');

    expect(pgrstError(() => parseFilterParam('id', 'val')).details).toMatch(/^unexpected "v" expecting .*operator \(eq, gt, \.\.\.\)/);
    expect(pgrstError(() => parseFilterParam('id', 'fts().value')).message).toContain('(line 1, column 5)');
    expect(pgrstError(() => parseFilterParam('id', 'eq().value')).message).toContain('(line 1, column 4)');
    // Parsec's report: operators other than in/is/isdistinct are tried whole, so their furthest
    // failure is labelled "operator (eq, gt, ...)"; in/is/isdistinct commit after their prefix
    const report = (value: string) => {
      const error = pgrstError(() => simple(value));
      return `${error.message.replace(/^.* \(line 1, /, '(')} ${error.details}`;
    };
    expect(report('fts().x')).toBe('(column 5) unexpected ")" expecting operator (eq, gt, ...)');
    expect(report('eq().value')).toBe('(column 4) unexpected ")" expecting operator (eq, gt, ...)');
    expect(report('is().value')).toBe('(column 3) unexpected "(" expecting operator (eq, gt, ...)');
    expect(report('in().value')).toBe('(column 3) unexpected "(" expecting operator (eq, gt, ...)');
    expect(report('isdX')).toBe('(column 3) unexpected "d" expecting operator (eq, gt, ...)');
    expect(report('wftsX')).toBe('(column 5) unexpected "X" expecting operator (eq, gt, ...)');
    expect(report('eq')).toBe('(column 3) unexpected end of input expecting operator (eq, gt, ...)');
    expect(report('gtt.5')).toBe('(column 3) unexpected "t" expecting operator (eq, gt, ...)');
    expect(report('in.1,2')).toBe('(column 4) unexpected "1" expecting "("');
    expect(report('is.nul')).toBe('(column 7) unexpected end of input expecting isVal: (null, not_null, true, false, unknown)');
    expect(pgrstError(() => parseFilterParam('a..b', 'eq.1')).message).toBe('"failed to parse tree path (a..b)" (line 1, column 3)');
    for (const bad of ['', 'eq', 'in.1,2', 'in.(1,2', 'in.(1,2)x', 'not.', 'fts(english.x', 'is.', 'eq(any)x']) {
      expect(pgrstError(() => simple(bad)).code, bad).toBe('PGRST100');
    }
  });
});
