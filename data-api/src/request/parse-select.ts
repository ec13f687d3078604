import type { AggregateFunction, SelectItem } from './types.ts';
import { type Cursor, parseWith, show } from './cursor.ts';
import { field, fieldName, identifier } from './parse-field.ts';

/**
 * `select=` (PostgREST's pFieldForest): `*`, `alias:col->json::cast`, `col.sum()::int`,
 * `count()`, embeds `alias:rel!hint!inner(…)` and spreads `...rel(…)`, comma-separated.
 * An empty value selects nothing (`[]`).
 */
export function parseSelect(value: string): SelectItem[] {
  return simpleSelect(value) ?? parseSelectWithGrammar(value);
}

/** `parseSelect` by the full grammar alone, without the fast path (its tests compare both). */
export function parseSelectWithGrammar(value: string): SelectItem[] {
  return parseWith(value, `failed to parse select parameter (${value})`, forest, 'ignored');
}

/** A plain name: read by `fieldName` as itself (no spaces, dashes, quotes, casts or JSON paths). */
const SIMPLE_NAME_CHAR = /[A-Za-z0-9_$]/y;
/** Embeds nested deeper than this are left to the full parser. */
const FAST_MAX_DEPTH = 8;

/**
 * The common shapes `*`, `a,b,c` and `rel(…)` of those (no spaces, aliases, casts, hints,
 * spreads, aggregates or JSON paths), read without the grammar: the same items the full parser
 * gives, or undefined for anything else (the full parser then reads it, errors included).
 */
export function simpleSelect(value: string): SelectItem[] | undefined {
  if (value === '*') return [{ kind: 'star' }];
  if (value === '') return undefined;
  const state = { pos: 0 };
  const items = simpleForest(value, state, 0);
  return items !== undefined && state.pos === value.length ? items : undefined;
}

/** One or more items separated by `,`, stopping before `)` or the end. */
function simpleForest(text: string, state: { pos: number }, depth: number): SelectItem[] | undefined {
  const items: SelectItem[] = [];
  for (;;) {
    const item = simpleItem(text, state, depth);
    if (item === undefined) return undefined;
    items.push(item);
    if (text.charCodeAt(state.pos) !== 44 /* , */) return items;
    state.pos++;
  }
}

function simpleItem(text: string, state: { pos: number }, depth: number): SelectItem | undefined {
  const start = state.pos;
  if (text.charCodeAt(start) === 42 /* * */) {
    state.pos++;
    const next = text.charCodeAt(state.pos);
    // `*` must end the item (the end, `,` or `)`)
    return Number.isNaN(next) || next === 44 || next === 41 ? { kind: 'star' } : undefined;
  }
  let end = start;
  for (;;) {
    SIMPLE_NAME_CHAR.lastIndex = end;
    if (!SIMPLE_NAME_CHAR.test(text)) break;
    end++;
  }
  if (end === start) return undefined;
  const name = text.slice(start, end);
  state.pos = end;
  const next = text.charCodeAt(end);
  if (next === 40 /* ( */) {
    // `count(` is the aggregate, never a relation; an empty embed `rel()` is left to the full parser
    if (name === 'count' || depth >= FAST_MAX_DEPTH) return undefined;
    state.pos++;
    const select = simpleForest(text, state, depth + 1);
    if (select === undefined || text.charCodeAt(state.pos) !== 41 /* ) */) return undefined;
    state.pos++;
    const after = text.charCodeAt(state.pos);
    if (!(Number.isNaN(after) || after === 44 || after === 41)) return undefined;
    return { kind: 'embed', relation: name, alias: undefined, hint: undefined, joinType: undefined, spread: false, select };
  }
  if (!(Number.isNaN(next) || next === 44 || next === 41)) return undefined;
  return { kind: 'field', field: { column: name, jsonPath: [] }, alias: undefined, cast: undefined, aggregate: undefined, aggregateCast: undefined };
}

const AGGREGATES: readonly AggregateFunction[] = ['sum', 'avg', 'count', 'max', 'min'];

function forest(c: Cursor): SelectItem[] {
  const items: SelectItem[] = [];
  const first = c.attempt(() => tree(c));
  if (first === undefined) return items;
  items.push(first);
  for (;;) {
    const more = c.succeeds(() => {
      c.spaces();
      c.char(',');
      c.spaces();
    });
    if (!more) return items;
    items.push(tree(c));
  }
}

/** `try spread <|> try relation <|> field`, each embed head followed by its parenthesised forest. */
function tree(c: Cursor): SelectItem {
  let spread = false;
  const head = c.orElse(
    () => {
      const spreadHeadFound = lookingAtSpread(c) ? c.attempt(() => spreadHead(c)) : undefined;
      spread = spreadHeadFound !== undefined;
      return spreadHeadFound ?? c.attempt(() => relationHead(c));
    },
    () => fieldSelect(c),
  );
  if ('kind' in head) return head;
  const { name, alias, hint, joinType } = head;
  return { kind: 'embed', relation: name, alias, hint, joinType, spread, select: embedded(c) };
}

function embedded(c: Cursor): SelectItem[] {
  c.char('(');
  const items = c.nested(() => forest(c));
  c.spaces();
  c.char(')');
  return items;
}

interface EmbedHead {
  name: string;
  alias: string | undefined;
  hint: string | undefined;
  joinType: 'inner' | 'left' | undefined;
}

function lookingAtSpread(c: Cursor): boolean {
  const start = c.pos;
  c.spaces();
  const found = c.tryLiteral('...');
  c.pos = start;
  return found;
}

function spreadHead(c: Cursor): EmbedHead {
  c.spaces();
  c.literal('...');
  const name = fieldName(c);
  const params = embedParams(c);
  openingParenthesis(c);
  return { name, alias: undefined, ...params };
}

function relationHead(c: Cursor): EmbedHead {
  c.spaces();
  const alias = optionalAlias(c);
  const name = fieldName(c);
  // `count(` is the aggregate, never a relation
  if (name === 'count') c.fail([]);
  const params = embedParams(c);
  openingParenthesis(c);
  return { name, alias, ...params };
}

function openingParenthesis(c: Cursor): void {
  if (c.peek() !== '(') c.fail(show('('));
}

/** Up to two of `!inner`, `!left`, `!hint`; the first hint and the first join type win. */
function embedParams(c: Cursor): Pick<EmbedHead, 'hint' | 'joinType'> {
  let hint: string | undefined;
  let joinType: 'inner' | 'left' | undefined;
  for (let i = 0; i < 2; i++) {
    if (c.peek() !== '!') {
      c.expect(show('!'));
      break;
    }
    c.pos++;
    const join = c.attempt(() => c.oneOf(['left', 'inner'] as const));
    if (join !== undefined) joinType ??= join;
    else hint ??= fieldName(c);
  }
  return { hint, joinType };
}

/** `alias:` (a single colon: `::` is a cast). */
function optionalAlias(c: Cursor): string | undefined {
  const start = c.pos;
  const alias = c.attempt(() => fieldName(c));
  if (alias !== undefined && c.peek() === ':' && c.peek(1) !== ':') {
    c.pos++;
    return alias;
  }
  c.pos = start;
  return undefined;
}

function optionalCast(c: Cursor): string | undefined {
  if (!c.lookingAt('::')) {
    c.expect(show('::'));
    return undefined;
  }
  c.pos += 2;
  return identifier(c);
}

/** `[alias:]count()[::cast]`: the number of rows. */
function countSelect(c: Cursor): SelectItem {
  const alias = optionalAlias(c);
  c.literal('count()');
  const cast = optionalCast(c);
  itemEnd(c);
  return { kind: 'count', alias, cast };
}

/** The item must end here: `)`, `,` or the end of the value. */
function itemEnd(c: Cursor): void {
  if (c.peek() === ')' || c.peek() === ',' || c.atEnd) return;
  c.fail([show(')'), show(','), 'end of input']);
}

/** `lexeme (try star <|> try count <|> column)`, as PostgREST's pFieldSelect. */
function fieldSelect(c: Cursor): SelectItem {
  c.spaces();
  const item = c.orElse(
    () => c.attempt(() => starSelect(c)) ?? c.attempt(() => countSelect(c)),
    () => columnSelect(c),
  );
  c.spaces();
  return item;
}

function starSelect(c: Cursor): SelectItem {
  c.char('*');
  itemEnd(c);
  return { kind: 'star' };
}

/** `alias:col->json::cast.agg()::cast` */
function columnSelect(c: Cursor): SelectItem {
  const alias = optionalAlias(c);
  const path = field(c);
  const cast = optionalCast(c);
  const aggregate = c.attempt(() => {
    c.char('.');
    const name = c.oneOf(AGGREGATES);
    c.literal('()');
    return name;
  });
  if (aggregate === undefined) c.expect(show('.'));
  const aggregateCast = optionalCast(c);
  itemEnd(c);
  return { kind: 'field', field: path, alias, cast, aggregate, aggregateCast };
}
