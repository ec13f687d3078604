import { describe, expect, it } from 'vitest';
import { parseSelect, parseSelectWithGrammar } from './parse-select.ts';
import { pgrstError } from './test-helpers.ts';
import type { SelectItem } from './types.ts';

const col = (column: string, extra: Partial<Extract<SelectItem, { kind: 'field' }>> = {}): SelectItem => ({
  kind: 'field',
  field: { column, jsonPath: [] },
  alias: undefined,
  cast: undefined,
  aggregate: undefined,
  aggregateCast: undefined,
  ...extra,
});

describe('parseSelect', () => {
  it('reads columns, star, aliases and casts', () => {
    expect(parseSelect('*')).toEqual([{ kind: 'star' }]);
    expect(parseSelect('id,name')).toEqual([col('id'), col('name')]);
    expect(parseSelect('id, name ,  other')).toEqual([col('id'), col('name'), col('other')]);
    expect(parseSelect('fullName:full_name,salary::text')).toEqual([col('full_name', { alias: 'fullName' }), col('salary', { cast: 'text' })]);
    expect(parseSelect('a:b::character varying')).toEqual([col('b', { alias: 'a', cast: 'character varying' })]);
  });

  it('reads quoted and dashed names', () => {
    expect(parseSelect('"a,b:c",first-name')).toEqual([col('a,b:c'), col('first-name')]);
    expect(parseSelect('"with \\"quote\\""')).toEqual([col('with "quote"')]);
    expect(parseSelect('$x,_y,1col,ünïcode')).toEqual([col('$x'), col('_y'), col('1col'), col('ünïcode')]);
  });

  it('reads JSON paths with keys and integer indexes', () => {
    expect(parseSelect('data->a->>b')).toEqual([
      { ...col('data'), field: { column: 'data', jsonPath: [{ arrow: '->', key: 'a' }, { arrow: '->>', key: 'b' }] } },
    ]);
    expect(parseSelect('x:data->0->>-1::int')).toEqual([
      { ...col('data', { alias: 'x', cast: 'int' }), field: { column: 'data', jsonPath: [{ arrow: '->', key: 0 }, { arrow: '->>', key: -1 }] } },
    ]);
    expect(parseSelect('data->!@#$%^&*_a')).toEqual([
      { ...col('data'), field: { column: 'data', jsonPath: [{ arrow: '->', key: '!@#$%^&*_a' }] } },
    ]);
    expect(parseSelect('data->"a.b"->key-with-dash')).toEqual([
      { ...col('data'), field: { column: 'data', jsonPath: [{ arrow: '->', key: 'a.b' }, { arrow: '->', key: 'key-with-dash' }] } },
    ]);
  });

  it('keeps an index followed by ")" as a key, like PostgREST', () => {
    const [embed] = parseSelect('rel(data->0)');
    expect(embed).toMatchObject({ kind: 'embed', select: [{ field: { column: 'data', jsonPath: [{ arrow: '->', key: '0' }] } }] });
  });

  it('reads embeds with alias, hint, join type and spread', () => {
    expect(parseSelect('clients(*)')).toEqual([
      { kind: 'embed', relation: 'clients', alias: undefined, hint: undefined, joinType: undefined, spread: false, select: [{ kind: 'star' }] },
    ]);
    expect(parseSelect('c:clients!client_fk!inner(id,projects(name))')).toEqual([
      {
        kind: 'embed',
        relation: 'clients',
        alias: 'c',
        hint: 'client_fk',
        joinType: 'inner',
        spread: false,
        select: [
          col('id'),
          { kind: 'embed', relation: 'projects', alias: undefined, hint: undefined, joinType: undefined, spread: false, select: [col('name')] },
        ],
      },
    ]);
    expect(parseSelect('rel!left!hint(*)')).toMatchObject([{ hint: 'hint', joinType: 'left' }]);
    expect(parseSelect('*,...director!inner(first_name,last_name)')).toEqual([
      { kind: 'star' },
      { kind: 'embed', relation: 'director', alias: undefined, hint: undefined, joinType: 'inner', spread: true, select: [col('first_name'), col('last_name')] },
    ]);
    expect(parseSelect('rel()')).toMatchObject([{ kind: 'embed', select: [] }]);
  });

  it('reads aggregates and count()', () => {
    expect(parseSelect('count()')).toEqual([{ kind: 'count', alias: undefined, cast: undefined }]);
    expect(parseSelect('total:count()::int')).toEqual([{ kind: 'count', alias: 'total', cast: 'int' }]);
    expect(parseSelect('amount.sum(),avg:price::numeric.avg()::int,id.count(),x.max(),y.min()')).toEqual([
      col('amount', { aggregate: 'sum' }),
      col('price', { alias: 'avg', cast: 'numeric', aggregate: 'avg', aggregateCast: 'int' }),
      col('id', { aggregate: 'count' }),
      col('x', { aggregate: 'max' }),
      col('y', { aggregate: 'min' }),
    ]);
    // a column named count is a column
    expect(parseSelect('count')).toEqual([col('count')]);
  });

  it('accepts an empty select as no columns', () => {
    expect(parseSelect('')).toEqual([]);
  });

  it('fails like PostgREST, with the position of the error', () => {
    const e = pgrstError(() => parseSelect('id,clients(name[])'));
    expect(e.code).toBe('PGRST100');
    expect(e.status).toBe(400);
    expect(e.message).toBe('"failed to parse select parameter (id,clients(name[]))" (line 1, column 16)');
    expect(e.details).toMatch(/^unexpected "\[" expecting .*"->".*"::".*"\)".*","/);

    const j = pgrstError(() => parseSelect('data->>-78xy'));
    expect(j.message).toBe('"failed to parse select parameter (data->>-78xy)" (line 1, column 11)');
    expect(j.details).toBe('unexpected "x" expecting digit, "->", "::", ".", "," or end of input');

    // PostgREST's JsonOperatorSpec: an index is tried before a key
    const dashes = pgrstError(() => parseSelect('data->>--34'));
    expect([dashes.message, dashes.details]).toEqual(['"failed to parse select parameter (data->>--34)" (line 1, column 9)', 'unexpected "-" expecting digit']);
    const reserved = pgrstError(() => parseSelect('data->(!@#$%^&*_d->>!@#$%^&*_e::integer'));
    expect([reserved.message, reserved.details]).toEqual([
      '"failed to parse select parameter (data->(!@#$%^&*_d->>!@#$%^&*_e::integer)" (line 1, column 7)',
      'unexpected "(" expecting "-", digit or any non reserved character different from: .,>()',
    ]);

    // each expectation once, as Parsec's error messages list them
    const trailing = pgrstError(() => parseSelect('id,'));
    expect(trailing.message).toBe('"failed to parse select parameter (id,)" (line 1, column 4)');
    expect(trailing.details).toBe('unexpected end of input expecting "...", field name (* or [a..z0..9_$]), "*" or "count()"');
    // once the column alternative has read input, the embed alternatives' expectations are dropped (Parsec's <|>)
    expect(pgrstError(() => parseSelect('id,clients(name[])')).details).toBe(
      'unexpected "[" expecting letter, digit, "-", "->>", "->", "::", ".", ")", "," or end of input',
    );
    expect(pgrstError(() => parseSelect('alias:...rel(*)')).details).toBe('unexpected "." expecting field name (* or [a..z0..9_$])');

    for (const bad of ['name::', 'id,', 'a(', 'a(b', '*!hint', 'rel->x(*)', 'x.foo()', 'alias:...rel(*)', '"unterminated', 'a:', ',']) {
      expect(pgrstError(() => parseSelect(bad)).code, bad).toBe('PGRST100');
    }
  });

  it("ignores a stray `)` or `'` after a complete select, as PostgREST 12 does", () => {
    expect(parseSelect('id)')).toEqual(parseSelect('id'));
    expect(parseSelectWithGrammar("name,projects(count)'")).toEqual(parseSelectWithGrammar('name,projects(count)'));
  });

  it('refuses embeds nested beyond the limit instead of overflowing the stack', () => {
    const deep = 'a('.repeat(5000) + 'b' + ')'.repeat(5000);
    expect(pgrstError(() => parseSelect(deep)).code).toBe('PGRST100');
    const ok = 'a('.repeat(10) + 'b' + ')'.repeat(10);
    expect(parseSelect(ok)).toHaveLength(1);
  });
});
