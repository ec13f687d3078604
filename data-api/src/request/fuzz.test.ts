import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PgrstError } from '../errors.ts';
import { parseApiRequest, type RawRequest } from './api-request.ts';
import { parseFilterParam } from './parse-filter.ts';
import { parseLogicParam } from './parse-logic.ts';
import { parseOrder } from './parse-order.ts';
import { isReservedKey, parseQueryParameters } from './parse-query.ts';
import { parseSelect } from './parse-select.ts';
import type { FieldPath, Filter, FilterValue, LogicTree, OrderTerm, SelectItem } from './types.ts';

/**
 * Properties of the whole request stage:
 * 1. whatever arrives — random and malformed query strings, headers, bodies, methods and
 *    paths — parsing either succeeds or throws a PgrstError with a PGRSTxxx code and a 4xx;
 * 2. select, filter, order and logic values written from a random AST parse back into it.
 */

const config = { schemas: ['public', 'api'] };
/** `REQUEST_FUZZ_SCALE=50 npx vitest run data-api/src/request/fuzz.test.ts` for a longer soak. */
const scale = Number(process.env['REQUEST_FUZZ_SCALE'] ?? '1') || 1;
const runs = (n: number) => ({ numRuns: Math.round(n * scale) });

function expectOnlyClientErrors(f: () => unknown): void {
  try {
    f();
  } catch (error) {
    if (!(error instanceof PgrstError)) throw error;
    expect(error.code).toMatch(/^PGRST\d{3}$/);
    expect(error.status).toBeGreaterThanOrEqual(400);
    expect(error.status).toBeLessThan(500);
  }
}

// --- 1. nothing but PgrstError -------------------------------------------------------------

/** Characters the grammars care about, plus some that they do not. */
const GRAMMAR_CHARS = [...'abcxyz019_-$ .,:()!*"\\{}<>&;=+%->', '->', '->>', '::', '...', 'not.', 'eq.', 'in.(', 'is.', 'or(', 'and(', '(any)', 'é', '𝒜', '\t', '\n', '%2', '%C3%A9', '%FF'];
const grammarText = fc.string({ unit: fc.constantFrom(...GRAMMAR_CHARS), maxLength: 40 });
const anyText = fc.oneof(grammarText, fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 }));

const KEYS = ['select', 'order', 'limit', 'offset', 'or', 'and', 'not.or', 'not.and', 'columns', 'on_conflict', 'id', 'clients.id', 'clients.order', 'clients.limit', 'clients.or', 'data->a->>b', 'a.b.c', ''];
const queryString = fc.oneof(
  anyText,
  fc
    .array(fc.tuple(fc.oneof(fc.constantFrom(...KEYS), grammarText), fc.option(anyText, { nil: undefined }), fc.boolean()), { maxLength: 6 })
    .map((pairs) =>
      pairs
        .map(([k, v, encode]) => {
          const enc = (s: string) => (encode ? encodeURIComponent(s) : s);
          return v === undefined ? enc(k) : `${enc(k)}=${enc(v)}`;
        })
        .join('&'),
    ),
);

const HEADER_VALUES: Record<string, string[]> = {
  prefer: ['return=representation', 'count=exact', 'handling=strict', 'handling=strict, x', 'max-affected=2', 'timezone=UTC', 'tx=rollback', 'missing=default'],
  accept: ['application/json', 'text/csv;q=0.5', 'application/vnd.pgrst.plan+json; for="application/json"; options=analyze|verbose', '*/*;q=abc', ''],
  range: ['0-9', '5-', '10-5', 'items=0-1', '-'],
  'content-type': ['application/json', 'text/csv', 'application/x-www-form-urlencoded', 'text/plain', 'application/octet-stream', 'image/png', ''],
  'accept-profile': ['public', 'api', 'secret'],
  'content-profile': ['public', 'api', 'secret'],
  cookie: ['a=1; b=2', ';;=', '__proto__=x'],
};
const headers = fc
  .array(
    fc.constantFrom(...Object.keys(HEADER_VALUES)).chain((name) =>
      fc.tuple(fc.constant(name), fc.oneof(fc.constantFrom(...(HEADER_VALUES[name] as string[])), anyText)),
    ),
    { maxLength: 6 },
  )
  .map((entries) => Object.fromEntries(entries));

const body = fc.oneof(
  fc.constant(undefined),
  fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)),
  fc.json().map((j) => Buffer.from(j)),
  fc.constantFrom('[{"a":1},{"a":2}]', '[{"a":1},{"b":2}]', '{}', '[]', 'a,b\n1,2', 'a,b\n1', '"', 'x=1&y=2').map((s) => Buffer.from(s)),
  anyText.map((s) => Buffer.from(s)),
);

const rawRequest: fc.Arbitrary<RawRequest> = fc.record({
  method: fc.oneof(fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'), fc.string({ maxLength: 8 })),
  path: fc.oneof(fc.constantFrom('/', '/items', '/rpc/fn', '/a/b', '/rpc/', '/my%20table', ''), grammarText.map((s) => `/${s}`)),
  query: queryString,
  headers,
  body,
});

describe('fuzz: nothing but PgrstError 4xx', () => {
  it('parseApiRequest', () => {
    fc.assert(fc.property(rawRequest, (r) => expectOnlyClientErrors(() => parseApiRequest(r, config))), runs(3000));
  });

  it('each grammar alone', () => {
    fc.assert(
      fc.property(anyText, anyText, (key, value) => {
        expectOnlyClientErrors(() => parseSelect(value));
        expectOnlyClientErrors(() => parseOrder(value));
        expectOnlyClientErrors(() => parseFilterParam(key, value));
        expectOnlyClientErrors(() => parseLogicParam('or', value));
        expectOnlyClientErrors(() => parseLogicParam(key + '.and', value));
        expectOnlyClientErrors(() => parseQueryParameters(`${key}=${value}`, { routineRead: false }));
      }),
      runs(3000),
    );
  });
});

// --- 2. round trips ------------------------------------------------------------------------

const quote = (s: string) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

/** Names: plain identifiers or anything, quoted. */
const plainName = fc.stringMatching(/^[a-z_][a-z0-9_]{0,7}$/);
const name = fc.oneof(plainName.map((n) => ({ n, text: n })), fc.string({ maxLength: 8 }).map((n) => ({ n, text: quote(n) })));
const castName = fc.stringMatching(/^[a-z][a-z0-9_]{0,6}( [a-z]{1,6})?$/);

type Step = FieldPath['jsonPath'][number];
const jsonKey = fc.oneof(plainName.map((k) => ({ key: k, text: k })), fc.string({ maxLength: 6 }).map((k) => ({ key: k, text: quote(k) })));
const step = fc.tuple(fc.constantFrom('->' as const, '->>' as const), fc.oneof(jsonKey, fc.integer({ min: -99, max: 99 }).map((i) => ({ key: i, text: String(i) }))));
/** A JSON path whose last step is a key (an index before `)` would read as a key, as in PostgREST). */
const jsonPath = fc
  .tuple(fc.array(step, { maxLength: 3 }), fc.tuple(fc.constantFrom('->' as const, '->>' as const), jsonKey))
  .chain(([steps, last]) => fc.constantFrom([] as typeof steps, [...steps, last]))
  .map((steps) => ({ path: steps.map(([arrow, k]): Step => ({ arrow, key: k.key })), text: steps.map(([arrow, k]) => arrow + k.text).join('') }));
const fieldPath = fc.tuple(name, jsonPath).map(([n, p]) => ({ field: { column: n.n, jsonPath: p.path } as FieldPath, text: n.text + p.text }));

interface Written<T> {
  value: T;
  text: string;
}

const optional = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });

const fieldItem: fc.Arbitrary<Written<SelectItem>> = fc
  .record({ f: fieldPath, alias: optional(name), cast: optional(castName), agg: optional(fc.constantFrom('count', 'sum', 'avg', 'max', 'min' as const)), aggCast: optional(castName) })
  .map(({ f, alias, cast, agg, aggCast }) => {
    const aggregateCast = agg ? aggCast : undefined;
    return {
      value: { kind: 'field', field: f.field, alias: alias?.n, cast, aggregate: agg, aggregateCast },
      text: `${alias ? alias.text + ':' : ''}${f.text}${cast ? '::' + cast : ''}${agg ? `.${agg}()` : ''}${aggregateCast ? '::' + aggregateCast : ''}`,
    };
  });
const countItem: fc.Arbitrary<Written<SelectItem>> = fc.record({ alias: optional(name), cast: optional(castName) }).map(({ alias, cast }) => ({
  value: { kind: 'count', alias: alias?.n, cast },
  text: `${alias ? alias.text + ':' : ''}count()${cast ? '::' + cast : ''}`,
}));
const starItem: fc.Arbitrary<Written<SelectItem>> = fc.constant({ value: { kind: 'star' }, text: '*' });

const selectItems: fc.Arbitrary<Written<SelectItem[]>> = fc.letrec<{ items: Written<SelectItem[]>; item: Written<SelectItem> }>((tie) => ({
  items: fc.array(tie('item'), { maxLength: 4 }).map((items) => ({ value: items.map((i) => i.value), text: items.map((i) => i.text).join(',') })),
  item: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fieldItem,
    countItem,
    starItem,
    fc
      .record({
        relation: name.filter((n) => n.n !== 'count'),
        alias: optional(name),
        hint: optional(fc.string({ maxLength: 6 })),
        joinType: optional(fc.constantFrom('inner' as const, 'left' as const)),
        spread: fc.boolean(),
        select: tie('items'),
      })
      .map(({ relation, alias, hint, joinType, spread, select }): Written<SelectItem> => ({
        value: { kind: 'embed', relation: relation.n, alias: spread ? undefined : alias?.n, hint, joinType, spread, select: select.value },
        text: `${spread ? '...' : alias ? alias.text + ':' : ''}${relation.text}${hint !== undefined ? '!' + quote(hint) : ''}${joinType ? '!' + joinType : ''}(${select.text})`,
      })),
  ),
})).items;

const SCALAR_OPS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'match', 'imatch', 'cs', 'cd', 'ov', 'sl', 'sr', 'nxr', 'nxl', 'adj', 'isdistinct'] as const;
const QUANTIFIABLE = ['eq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'match', 'imatch'] as const;

/** An operation and its value; `inLogic` writes values the way they must be inside `or=(…)`. */
const operation = (inLogic: boolean): fc.Arbitrary<Written<Pick<Filter, 'operator' | 'value'>>> => {
  const text = inLogic ? fc.string({ maxLength: 10 }) : fc.string({ maxLength: 10 });
  const arrayText = inLogic ? fc.string({ maxLength: 6 }).filter((s) => !/[{}]/.test(s)) : fc.string({ maxLength: 6 });
  const single = (s: string) => (inLogic ? quote(s) : s);
  return fc.oneof(
    fc.tuple(fc.constantFrom(...SCALAR_OPS), text).map(([operator, v]) => ({ value: { operator, value: { kind: 'scalar', value: v } as FilterValue }, text: `${operator}.${single(v)}` })),
    fc.array(fc.string({ maxLength: 6 }), { maxLength: 4 }).map((vs) => ({ value: { operator: 'in' as const, value: { kind: 'list', values: vs } as FilterValue }, text: `in.(${vs.map(quote).join(',')})` })),
    fc.constantFrom('null', 'not_null', 'true', 'false', 'unknown' as const).map((v) => ({ value: { operator: 'is' as const, value: { kind: 'is', value: v } as FilterValue }, text: `is.${v}` })),
    fc
      .tuple(fc.constantFrom('fts', 'plfts', 'phfts', 'wfts' as const), optional(fc.stringMatching(/^[a-z]{1,8}$/)), text)
      .map(([operator, language, query]) => ({ value: { operator, value: { kind: 'fts', language, query } as FilterValue }, text: `${operator}${language ? `(${language})` : ''}.${single(query)}` })),
    fc
      .tuple(fc.constantFrom(...QUANTIFIABLE), fc.constantFrom('any', 'all' as const), fc.array(arrayText, { maxLength: 4 }))
      .map(([operator, quantifier, values]) => ({
        value: { operator, value: { kind: 'quantified', quantifier, values } as FilterValue },
        text: `${operator}(${quantifier}).{${values.map(quote).join(',')}}`,
      })),
  );
};

const filterOf = (inLogic: boolean) =>
  fc.tuple(fieldPath, fc.boolean(), operation(inLogic)).map(([f, negated, op]) => ({
    value: { field: f.field, negated, ...op.value } as Filter,
    opText: `${negated ? 'not.' : ''}${op.text}`,
    fieldText: f.text,
  }));

const logicTree: fc.Arbitrary<Written<LogicTree>> = fc.letrec<{ tree: Written<LogicTree>; node: Written<LogicTree> }>((tie) => ({
  tree: fc
    .record({ kind: fc.constantFrom('and' as const, 'or' as const), negated: fc.boolean(), children: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) })
    .map(({ kind, negated, children }) => ({
      value: { kind, negated, children: children.map((c) => c.value) },
      text: `${negated ? 'not.' : ''}${kind}(${children.map((c) => c.text).join(',')})`,
    })),
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    filterOf(true).map((f) => ({ value: { kind: 'filter', filter: f.value } as LogicTree, text: `${f.fieldText}.${f.opText}` })),
    tie('tree'),
  ),
})).tree;

const orderTerms: fc.Arbitrary<Written<OrderTerm[]>> = fc
  .array(
    fc.record({ relation: optional(name), f: fieldPath, direction: optional(fc.constantFrom('asc' as const, 'desc' as const)), nulls: optional(fc.constantFrom('first' as const, 'last' as const)) }),
    { minLength: 1, maxLength: 4 },
  )
  .map((terms) => ({
    value: terms.map((t) => ({ relation: t.relation?.n, field: t.f.field, direction: t.direction, nulls: t.nulls })),
    text: terms
      .map((t) => `${t.relation ? `${t.relation.text}(${t.f.text})` : t.f.text}${t.direction ? '.' + t.direction : ''}${t.nulls ? '.nulls' + t.nulls : ''}`)
      .join(','),
  }));

describe('fuzz: written ASTs parse back', () => {
  it('select', () => {
    fc.assert(fc.property(selectItems, (s) => {
      expect(parseSelect(s.text)).toEqual(s.value);
    }), runs(1000));
  });

  it('filters, directly and through an encoded query string', () => {
    const embedPath = fc.array(name, { maxLength: 2 });
    fc.assert(
      fc.property(embedPath, filterOf(false), (path, f) => {
        const key = [...path.map((p) => p.text), f.fieldText].join('.');
        const expected = { embedPath: path.map((p) => p.n).join('.'), filter: f.value };
        expect(parseFilterParam(key, f.opText)).toEqual(expected);
        // a column named like a reserved word can only be filtered on quoted
        if (!isReservedKey(key)) {
          const query = parseQueryParameters(`${encodeURIComponent(key)}=${encodeURIComponent(f.opText)}`, { routineRead: false });
          expect(query.modifiers.get(expected.embedPath)?.filters).toEqual([expected.filter]);
        }
      }),
      runs(1000),
    );
  });

  it('order', () => {
    fc.assert(fc.property(orderTerms, (o) => {
      expect(parseOrder(o.text)).toEqual(o.value);
    }), runs(1000));
  });

  it('logic trees', () => {
    fc.assert(
      fc.property(logicTree, (t) => {
        const text = t.text;
        const { negated, kind } = t.value as Extract<LogicTree, { kind: 'and' | 'or' }>;
        const key = `${negated ? 'not.' : ''}${kind}`;
        const value = text.slice(key.length);
        expect(parseLogicParam(key, value)).toEqual({ embedPath: '', tree: t.value });
      }),
      runs(1000),
    );
  });
});
