import { describe, expect, test } from 'vitest';
import type { Filter } from '../request/types.ts';
import { filter, leaf, modifiers, or, testCache } from '../plan/read-plan.test-support.ts';
import { arrayLiteral, filterSql, logicSql, whereClause } from './filters.ts';
import { render } from './fragment.ts';

const cache = testCache();
const assets = cache.relations.get('haven.assets')!;
const properties = cache.relations.get('haven.properties')!;
const text = (f: Filter, relation = assets) => render(filterSql('t', relation, f));

describe('filterSql', () => {
  test('comparisons bind the value untyped: Postgres reads it as the column type', () => {
    expect(text(filter('price', 'eq', '40'))).toEqual({ text: '"t"."price" = $1', values: ['40'] });
    expect(text(filter('price', 'neq', '40')).text).toBe('"t"."price" <> $1');
    expect(text(filter('price', 'gte', '40', true)).text).toBe('NOT "t"."price" >= $1');
  });

  test('like/ilike turn * into %, match/imatch are regexes, quantifiers take arrays', () => {
    expect(text(filter('name', 'like', 'F*e'))).toEqual({ text: '"t"."name" like $1', values: ['F%e'] });
    expect(text(filter('name', 'imatch', '^f')).text).toBe('"t"."name" ~* $1');
    expect(text(filter('name', 'ilike', { kind: 'quantified', quantifier: 'any', values: ['a*', 'b*'] }))).toEqual({ text: '"t"."name" ilike ANY($1)', values: ['{"a%","b%"}'] });
    expect(text(filter('price', 'gt', { kind: 'quantified', quantifier: 'all', values: ['1', '2'] })).text).toBe('"t"."price" > ALL($1)');
  });

  test('in is = ANY of an array literal; an empty list matches nothing', () => {
    expect(text(filter('id', 'in', { kind: 'list', values: ['1', 'a,"b"'] }))).toEqual({ text: '"t"."id" = ANY($1)', values: ['{"1","a,\\"b\\""}'] });
    expect(text(filter('id', 'in', { kind: 'list', values: [] }))).toEqual({ text: `"t"."id" = ANY('{}')`, values: [] });
  });

  test('a column with a text → domain representation reads each value through its function; like/ilike patterns stay as sent', () => {
    const color = { schema: 'reps', name: 'color' };
    const painted = { ...assets, columns: assets.columns.map((column) => (column.name === 'name' ? { ...column, representations: { fromText: color } } : column)) };
    const painted_ = (f: Filter) => render(filterSql('t', painted, f));
    expect(painted_(filter('name', 'eq', '#00ff00'))).toEqual({ text: '"t"."name" = "reps"."color"($1::text)', values: ['#00ff00'] });
    expect(painted_(filter('name', 'neq', 'ff')).text).toBe('"t"."name" <> "reps"."color"($1::text)');
    expect(painted_(filter('name', 'in', { kind: 'list', values: ['1', '2'] }))).toEqual({
      text: '"t"."name" = ANY(SELECT "reps"."color"(unnest($1::text[])))',
      values: ['{"1","2"}'],
    });
    expect(painted_(filter('name', 'gt', { kind: 'quantified', quantifier: 'all', values: ['1'] })).text).toBe('"t"."name" > ALL(SELECT "reps"."color"(unnest($1::text[])))');
    expect(painted_(filter('name', 'ilike', '#*1')).text).toBe('"t"."name" ilike $1');
    expect(painted_(filter('name', 'isdistinct', '1')).text).toBe('"t"."name" IS DISTINCT FROM $1');
    expect(painted_({ ...filter('name', 'eq', '1'), field: { column: 'name', jsonPath: [{ arrow: '->>', key: 'a' }] } }).text).toBe('to_jsonb("t"."name")->>$1 = $2');
  });

  test('is and isdistinct', () => {
    expect(text(filter('zone_id', 'is', { kind: 'is', value: 'null' })).text).toBe('"t"."zone_id" IS NULL');
    expect(text(filter('zone_id', 'is', { kind: 'is', value: 'not_null' })).text).toBe('"t"."zone_id" IS NOT NULL');
    expect(text(filter('zone_id', 'is', { kind: 'is', value: 'unknown' }, true)).text).toBe('NOT "t"."zone_id" IS UNKNOWN');
    expect(text(filter('zone_id', 'isdistinct', '3')).text).toBe('"t"."zone_id" IS DISTINCT FROM $1');
  });

  test('full-text search: tsvector columns as they are, others through to_tsvector, with the language', () => {
    expect(text(filter('search', 'fts', { kind: 'fts', language: undefined, query: 'a & b' }))).toEqual({ text: '"t"."search" @@ to_tsquery($1)', values: ['a & b'] });
    expect(text(filter('search', 'wfts', { kind: 'fts', language: 'english', query: 'a or b' }))).toEqual({
      text: '"t"."search" @@ websearch_to_tsquery($1, $2)',
      values: ['english', 'a or b'],
    });
    expect(text(filter('description', 'plfts', { kind: 'fts', language: 'french', query: 'pain' })).text).toBe('to_tsvector($1, "t"."description") @@ plainto_tsquery($2, $3)');
    expect(text(filter('description', 'phfts', { kind: 'fts', language: undefined, query: 'x y' })).text).toBe('to_tsvector("t"."description") @@ phraseto_tsquery($1)');
  });

  test('range and array operators', () => {
    const ops = { cs: '@>', cd: '<@', ov: '&&', sl: '<<', sr: '>>', nxr: '&<', nxl: '&>', adj: '-|-' } as const;
    for (const [operator, sql] of Object.entries(ops)) {
      expect(text(filter('tags', operator as keyof typeof ops, '{a}'), properties).text).toBe(`"t"."tags" ${sql} $1`);
    }
  });

  test('JSON paths: json columns directly, others through to_jsonb, indexes as int', () => {
    expect(text(filter('address->>city', 'eq', 'Lyon'), properties)).toEqual({ text: '"t"."address"->>$1 = $2', values: ['city', 'Lyon'] });
    expect(text(filter('address->rooms->0->>name', 'eq', 'hall'), properties).text).toBe('"t"."address"->$1->$2::int->>$3 = $4');
    expect(text(filter('tags->>0', 'eq', 'lake'), properties).text).toBe('to_jsonb("t"."tags")->>$1::int = $2');
  });

  test('a value of the wrong kind for the operator is a parse error', () => {
    expect(() => text(filter('id', 'in', '1'))).toThrow(expect.objectContaining({ code: 'PGRST100' }));
    expect(() => text(filter('id', 'cs', { kind: 'list', values: ['1'] }))).toThrow(expect.objectContaining({ code: 'PGRST100' }));
  });
});

describe('logic trees and WHERE', () => {
  test('and/or nest in parentheses, not.or negates the group', () => {
    const tree = or([leaf(filter('price', 'lt', '1')), { kind: 'and', negated: false, children: [leaf(filter('name', 'eq', 'a')), leaf(filter('zone_id', 'is', { kind: 'is', value: 'null' }))] }], true);
    expect(render(logicSql('t', assets, tree))).toEqual({
      text: 'NOT ("t"."price" < $1 OR ("t"."name" = $2 AND "t"."zone_id" IS NULL))',
      values: ['1', 'a'],
    });
  });

  test('whereClause ANDs the filters and the logic trees of one level', () => {
    const where = whereClause('assets', assets, modifiers({ filters: [filter('price', 'gt', '5')], logic: [or([leaf(filter('id', 'eq', '1')), leaf(filter('id', 'eq', '2'))])] }), cache);
    expect(render(where)).toEqual({ text: ' WHERE "assets"."price" > $1 AND ("assets"."id" = $2 OR "assets"."id" = $3)', values: ['5', '1', '2'] });
    expect(render(whereClause('assets', assets, undefined, cache)).text).toBe('');
    expect(render(whereClause('assets', assets, modifiers(), cache)).text).toBe('');
  });

  test('arrayLiteral escapes quotes and backslashes', () => {
    expect(arrayLiteral(['a', 'b c', 'd"e', 'f\\g', ''])).toBe('{"a","b c","d\\"e","f\\\\g",""}');
  });
});
