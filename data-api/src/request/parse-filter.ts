import type { Filter, FilterOperator, FilterValue, Quantifier } from './types.ts';
import { Cursor, failAt, parseWith, show } from './cursor.ts';
import { delimiter, identifier, quotedValue, treePath } from './parse-field.ts';

/**
 * Filters (PostgREST's pOpExpr): `[not.]op.value` where op is one of
 * `in.(a,"b,c")`, `is.null|not_null|true|false|unknown`, `isdistinct.v`,
 * `fts|plfts|phfts|wfts[(lang)].query`, `neq|cs|cd|ov|sl|sr|nxr|nxl|adj.v`, and
 * `eq|gt|gte|lt|lte|like|ilike|match|imatch[(any|all)].v` (a quantifier takes `{a,b}`).
 * Values stay text; `*` in like patterns is left for the planner, as PostgREST does in SQL.
 */

/** The value grammar after the operator: the rest of the text at the top level, up to `,`/`)` inside logic trees. */
export type ValueGrammar = (c: Cursor) => string;

export interface Operation {
  operator: FilterOperator;
  negated: boolean;
  value: FilterValue;
}

const SIMPLE_OPERATORS = ['neq', 'cs', 'cd', 'ov', 'sl', 'sr', 'nxr', 'nxl', 'adj'] as const;
/** Order matters: `gte` before `gt`, `lte` before `lt`. */
const QUANTIFIABLE_OPERATORS = ['eq', 'gte', 'gt', 'lte', 'lt', 'like', 'ilike', 'match', 'imatch'] as const;
const FTS_OPERATORS = ['fts', 'plfts', 'phfts', 'wfts'] as const;
const IS_VALUES = ['null', 'not_null', 'true', 'false', 'unknown'] as const;

/**
 * One query-string filter, `key=value`: `clients.projects.data->>a=not.eq.x`.
 * The key's embed path is returned joined with dots (`''` for the root), as in `ApiRequest.modifiers`.
 */
export function parseFilterParam(key: string, value: string): { embedPath: string; filter: Filter } {
  const fast = simpleFilter(key, value);
  if (fast !== undefined) return { embedPath: '', filter: fast };
  return parseFilterParamWithGrammar(key, value);
}

/** `parseFilterParam` by the full grammar alone, without the fast path (its tests compare both). */
export function parseFilterParamWithGrammar(key: string, value: string): { embedPath: string; filter: Filter } {
  const target = parseWith(key, `failed to parse tree path (${key})`, treePath, 'ignored');
  const operation = parseWith(value, `failed to parse filter (${value})`, (c) => opExpression(c, restOfText));
  return { embedPath: target.path.join('.'), filter: { field: target.field, ...operation } };
}

/** A plain column name: what `treePath` reads as a lone column, unchanged (no spaces, dashes, dots, quotes or arrows). */
export const SIMPLE_NAME = /^[A-Za-z0-9_$]+$/;

/** The operators that `triedOperation` picks exactly when the text before the first `.` is their name. */
const FAST_OPERATORS: ReadonlySet<string> = new Set([...FTS_OPERATORS, ...SIMPLE_OPERATORS, ...QUANTIFIABLE_OPERATORS]);
const FTS_SET: ReadonlySet<string> = new Set(FTS_OPERATORS);

/**
 * The common shape `col=op.value` (a plain column, one of the `try`-ed operators, no `not.`,
 * no quantifier, no fts language), read without the grammar: the same `Filter` the full parser
 * gives, or undefined for anything else (the full parser then reads it, errors included).
 * Among the operators no name is a prefix of another that is tried before it, so the full
 * parser picks exactly the operator named before the first `.`.
 */
export function simpleFilter(key: string, value: string): Filter | undefined {
  if (!SIMPLE_NAME.test(key)) return undefined;
  const dot = value.indexOf('.');
  if (dot < 0) return undefined;
  const name = value.slice(0, dot);
  if (!FAST_OPERATORS.has(name)) return undefined;
  const operator = name as FilterOperator;
  const rest = value.slice(dot + 1);
  const filterValue: FilterValue = FTS_SET.has(name)
    ? { kind: 'fts', language: undefined, query: rest }
    : { kind: 'scalar', value: rest };
  return { field: { column: key, jsonPath: [] }, negated: false, operator, value: filterValue };
}

/** The value of a top-level filter: everything after the operator. */
export function restOfText(c: Cursor): string {
  const value = c.text.slice(c.pos);
  c.pos = c.text.length;
  return value;
}

export function opExpression(c: Cursor, value: ValueGrammar): Operation {
  // try (string "not" *> pDelimiter $> True) <|> pure False
  const negated = c.succeeds(() => {
    c.literal('not');
    delimiter(c);
  });
  return { negated, ...(committedOperation(c, value) ?? triedOperation(c, value)) };
}

type Op = Pick<Operation, 'operator' | 'value'>;

/**
 * `in.`, `is.` and `isdistinct.` commit once their prefix is read (PostgREST's pIn, pIs and
 * pIsDist put only the prefix under `try`): a bad list or is-value is reported as it is.
 */
function committedOperation(c: Cursor, value: ValueGrammar): Op | undefined {
  if (c.lookingAt('in.')) {
    c.pos += 'in.'.length;
    return { operator: 'in', value: listValue(c) };
  }
  if (c.lookingAt('is.')) {
    c.pos += 'is.'.length;
    return { operator: 'is', value: { kind: 'is', value: isValue(c) } };
  }
  if (c.lookingAt('isdistinct.')) {
    c.pos += 'isdistinct.'.length;
    return { operator: 'isdistinct', value: { kind: 'scalar', value: value(c) } };
  }
  return undefined;
}

/**
 * The other operators, each under `try` as in PostgREST's pOperation: when none fits, the
 * furthest failure is reported as expecting "operator (eq, gt, ...)" (`eq1`, `gtt.5`, `fts().x`).
 */
function triedOperation(c: Cursor, value: ValueGrammar): Op {
  return c.labelTried('operator (eq, gt, ...)', () => {
    // the prefixes of the committed operators failed here; Parsec still reports how far they got
    for (const word of ['in', 'is', 'isdistinct']) {
      c.succeeds(() => {
        c.literal(word);
        delimiter(c);
      });
    }
    return (
      c.attempt(() => ftsOperation(c, value)) ??
      c.attempt(() => simpleOperation(c, value)) ??
      c.attempt(() => quantifiedOperation(c, value)) ??
      c.fail([])
    );
  });
}

/** `null|not_null|true|false|unknown`, each letter in either case (PostgREST's ciString, letter by letter). */
function isValue(c: Cursor): Extract<FilterValue, { kind: 'is' }>['value'] {
  return c.labelTried('isVal: (null, not_null, true, false, unknown)', () => {
    for (const word of IS_VALUES) {
      const found = c.attempt(() => {
        for (const ch of word) {
          const upper = ch.toUpperCase();
          if (c.peek() === ch || c.peek() === upper) c.pos++;
          else c.fail(ch === upper ? show(ch) : [show(ch), show(upper)]);
        }
        return word;
      });
      if (found !== undefined) return found;
    }
    return c.fail([]);
  });
}

function ftsOperation(c: Cursor, value: ValueGrammar): Op {
  const operator = c.oneOf(FTS_OPERATORS);
  const language = c.attempt(() => {
    c.char('(');
    const lang = identifier(c);
    c.char(')');
    return lang;
  });
  delimiter(c);
  return { operator, value: { kind: 'fts', language, query: value(c) } };
}

function simpleOperation(c: Cursor, value: ValueGrammar): Op {
  const operator = c.oneOf(SIMPLE_OPERATORS);
  delimiter(c);
  return { operator, value: { kind: 'scalar', value: value(c) } };
}

function quantifiedOperation(c: Cursor, value: ValueGrammar): Op {
  const operator = c.oneOf(QUANTIFIABLE_OPERATORS);
  const quantifier = c.attempt((): Quantifier => {
    c.char('(');
    const q = c.oneOf(['any', 'all'] as const);
    c.char(')');
    return q;
  });
  delimiter(c);
  const start = c.pos;
  const raw = value(c);
  if (quantifier === undefined) return { operator, value: { kind: 'scalar', value: raw } };
  return { operator, value: { kind: 'quantified', quantifier, values: arrayLiteralAt(c, raw, start) } };
}

/** `(a, "b,c", d)`: unquoted elements are kept as written (spaces included); `()` is the empty list. */
function listValue(c: Cursor): FilterValue {
  c.spaces();
  c.char('(');
  c.spaces();
  const elements = [listElement(c)];
  while (c.peek() === ',') {
    c.pos++;
    elements.push(listElement(c));
  }
  c.expect(show(','));
  c.spaces();
  c.char(')');
  c.spaces();
  const only = elements[0];
  if (elements.length === 1 && only && !only.quoted && only.value === '') return { kind: 'list', values: [] };
  return { kind: 'list', values: elements.map((e) => e.value) };
}

function listElement(c: Cursor): { value: string; quoted: boolean } {
  const quoted = c.attempt(() => {
    const v = quotedValue(c);
    endsElement(c);
    return v;
  });
  if (quoted !== undefined) return { value: quoted, quoted: true };
  return { value: untilCommaOrParenthesis(c), quoted: false };
}

/** Parsec's `notFollowedBy (noneOf ",)")`. */
function endsElement(c: Cursor): void {
  if (!(c.atEnd || c.peek() === ',' || c.peek() === ')')) c.fail([show(','), show(')')]);
}

function untilCommaOrParenthesis(c: Cursor): string {
  const start = c.pos;
  while (!c.atEnd && c.peek() !== ',' && c.peek() !== ')') c.pos++;
  return c.text.slice(start, c.pos);
}

/**
 * A value inside a logic tree (pLogicSingleVal): a quoted string, a `{…}` array literal
 * (commas allowed inside), or anything up to the next `,` or `)`.
 */
export function logicValue(c: Cursor): string {
  const quoted = c.attempt(() => {
    const v = quotedValue(c);
    endsElement(c);
    return v;
  });
  if (quoted !== undefined) return quoted;
  const array = c.attempt(() => {
    const start = c.pos;
    c.char('{');
    while (!c.atEnd && c.peek() !== '{' && c.peek() !== '}') c.pos++;
    c.char('}');
    return c.text.slice(start, c.pos);
  });
  if (array !== undefined) return array;
  return untilCommaOrParenthesis(c);
}

/** The elements of a one-dimensional Postgres array literal found at `start` in `c`. */
function arrayLiteralAt(c: Cursor, raw: string, start: number): string[] {
  const sub = new Cursor(raw);
  const values = sub.attempt(() => {
    const v = arrayLiteral(sub);
    sub.spaces();
    if (!sub.atEnd) sub.fail('end of input');
    return v;
  });
  return values ?? failAt(c, sub, start);
}

/**
 * `{a, "b,c", d\,e}` → `['a', 'b,c', 'd,e']`. Unquoted elements are trimmed; an unquoted
 * NULL stays the text `NULL` (the type carries strings only).
 */
export function arrayLiteral(c: Cursor): string[] {
  c.spaces();
  c.char('{');
  c.spaces();
  if (c.peek() === '}') {
    c.pos++;
    return [];
  }
  const values: string[] = [];
  for (;;) {
    c.spaces();
    values.push(c.peek() === '"' ? quotedValue(c) : arrayElement(c));
    c.spaces();
    if (c.peek() === ',') {
      c.pos++;
      continue;
    }
    c.char('}');
    return values;
  }
}

function arrayElement(c: Cursor): string {
  let out = '';
  for (;;) {
    const ch = c.peek();
    if (ch === undefined || ch === ',' || ch === '}') break;
    if (ch === '{' || ch === '"') c.fail([show(','), show('}')]);
    c.pos++;
    if (ch === '\\') {
      const escaped = c.peek();
      if (escaped === undefined) c.fail('any character');
      c.pos++;
      out += escaped;
    } else {
      out += ch;
    }
  }
  const value = out.trim();
  if (value === '') c.fail('an array element');
  return value;
}
