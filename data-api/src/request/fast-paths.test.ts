import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFilterParam, parseFilterParamWithGrammar, simpleFilter } from './parse-filter.ts';
import { parseSelect, parseSelectWithGrammar, simpleSelect } from './parse-select.ts';
import { parseColumns, parseColumnsWithGrammar } from './parse-field.ts';

/**
 * The fast paths of the select and filter parsers must give exactly what the full grammar
 * gives (same AST, same key order, same `undefined` members), and leave everything else —
 * errors included — to it.
 */

const runs = { numRuns: 3000 };

/** What a call gives: its value, or the error it throws. */
function outcome(f: () => unknown): { value?: string; error?: unknown } {
  try {
    return { value: JSON.stringify(f(), (_k, v: unknown) => (v === undefined ? '<undefined>' : v)) };
  } catch (error) {
    return { error };
  }
}

function expectSameOutcome(fast: () => unknown, full: () => unknown): void {
  const a = outcome(fast);
  const b = outcome(full);
  expect(a).toStrictEqual(b);
}

const simpleName = fc.stringMatching(/^[A-Za-z0-9_$]{1,8}$/);
/** Names, with now and then a character the fast path must refuse. */
const name = fc.oneof(
  { weight: 6, arbitrary: simpleName },
  { weight: 2, arbitrary: fc.constantFrom('count', 'sum', 'left', 'inner', 'not', 'in', 'is', 'é', 'a b', ' a', 'a-b', 'a->b', '"a"', '') },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('a', ' ', '-', '>', ':', '!', '.', '"', '(', ')', ',', '*', '\t', 'é'), maxLength: 5 }) },
);

const selectText: fc.Arbitrary<string> = fc.letrec<{ forest: string; item: string }>((tie) => ({
  item: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant('*'),
    name,
    fc.tuple(name, tie('forest')).map(([n, f]) => `${n}(${f})`),
    fc.tuple(name, fc.constantFrom(':', '::', '!inner', '!', '.sum()', '->', ' ', '...', '()', ')', '(')).map(([n, s]) => `${n}${s}`),
  ),
  forest: fc.array(tie('item'), { minLength: 0, maxLength: 4 }).map((items) => items.join(',')),
})).forest;

describe('select fast path', () => {
  it('gives the AST of the full grammar for every select it takes, and the same outcome for all', () => {
    fc.assert(
      fc.property(selectText, (text) => {
        const fast = simpleSelect(text);
        if (fast !== undefined) expect(fast).toStrictEqual(parseSelectWithGrammar(text));
        expectSameOutcome(() => parseSelect(text), () => parseSelectWithGrammar(text));
      }),
      runs,
    );
  });

  it('takes the common shapes', () => {
    for (const text of ['*', 'id,name,zone_id', '*,zones(*)', 'id,zones(id,name),clients(*,projects(*))', 'count']) {
      expect(simpleSelect(text), text).toBeDefined();
      expect(simpleSelect(text)).toStrictEqual(parseSelectWithGrammar(text));
    }
  });

  it('leaves other shapes and every error to the full grammar', () => {
    for (const text of ['', ' *', '* ', 'a, b', 'count()', 'count(*)', 'a:b', 'a::text', 'a(', 'a()', 'zones()', '...zones(*)', 'a,', ',a', 'a)', '*x', 'é', 'a->b']) {
      expect(simpleSelect(text), text).toBeUndefined();
    }
  });
});

const operatorName = fc.constantFrom(
  'eq', 'gt', 'gte', 'lt', 'lte', 'neq', 'like', 'ilike', 'match', 'imatch', 'cs', 'cd', 'ov', 'sl', 'sr', 'nxr', 'nxl', 'adj',
  'fts', 'plfts', 'phfts', 'wfts', 'in', 'is', 'isdistinct', 'not', 'eqq', 'e', 'gtt', 'ft', 'EQ', '',
);
const filterValue = fc.oneof(
  fc.tuple(operatorName, fc.string({ maxLength: 6 })).map(([op, v]) => `${op}.${v}`),
  fc.tuple(operatorName, fc.constantFrom('(any)', '(all)', '(english)', '()', '(', ' '), fc.string({ maxLength: 6 })).map(([op, q, v]) => `${op}${q}.${v}`),
  fc.tuple(operatorName, operatorName, fc.string({ maxLength: 6 })).map(([a, b, v]) => `${a}.${b}.${v}`),
  fc.string({ maxLength: 8 }),
);

describe('filter fast path', () => {
  it('gives the filter of the full grammar for every filter it takes, and the same outcome for all', () => {
    fc.assert(
      fc.property(name, filterValue, (key, value) => {
        const fast = simpleFilter(key, value);
        if (fast !== undefined) expect({ embedPath: '', filter: fast }).toStrictEqual(parseFilterParamWithGrammar(key, value));
        expectSameOutcome(() => parseFilterParam(key, value), () => parseFilterParamWithGrammar(key, value));
      }),
      runs,
    );
  });

  it('takes the common shapes', () => {
    for (const [key, value] of [['id', 'eq.3f2c1d9e-0000-4000-8000-000000000001'], ['name', 'ilike.*a*'], ['tags', 'cs.{a,b}'], ['body', 'fts.cat'], ['n', 'gte.5']] as const) {
      expect(simpleFilter(key, value), `${key}=${value}`).toBeDefined();
      expect(parseFilterParam(key, value)).toStrictEqual(parseFilterParamWithGrammar(key, value));
    }
  });

  it('leaves negation, quantifiers, lists, is, JSON paths and embeds to the full grammar', () => {
    for (const [key, value] of [['id', 'not.eq.1'], ['id', 'eq(any).{1}'], ['id', 'in.(1,2)'], ['id', 'is.null'], ['id', 'isdistinct.1'], ['a->b', 'eq.1'], ['a.b', 'eq.1'], ['a b', 'eq.1'], ['id', 'fts(english).x'], ['id', 'eq1'], ['', 'eq.1']] as const) {
      expect(simpleFilter(key, value), `${key}=${value}`).toBeUndefined();
    }
  });
});

describe('parseColumns', () => {
  const columnText = fc.array(fc.oneof(name, name.map((text) => `"${text}"`)), { minLength: 1, maxLength: 5 }).map((names) => names.join(','));
  const anyText = fc.oneof(columnText, fc.string({ unit: fc.constantFrom('a', '"', ',', ' ', '-', '\\', '$', '1'), maxLength: 8 }));

  it('reads a plain list as the grammar does, and leaves the rest to it', () => {
    fc.assert(
      fc.property(anyText, fc.constantFrom('columns' as const, 'on_conflict' as const), (text, parameter) => {
        expectSameOutcome(() => parseColumns(text, parameter), () => parseColumnsWithGrammar(text, parameter));
      }),
      runs,
    );
    expect(parseColumns('"zone_id","name",brand', 'columns')).toEqual(['zone_id', 'name', 'brand']);
  });
});
