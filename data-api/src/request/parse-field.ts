import type { FieldPath } from './types.ts';
import { type Cursor, parseWith, show } from './cursor.ts';

/**
 * The lexical pieces every query-string grammar shares (PostgREST's QueryParams.hs):
 * field names, JSON paths, fields, embed paths and column lists.
 */

/** `letter <|> digit <|> oneOf "_ $"` (Haskell's `letter` is any Unicode letter, `digit` is 0-9). */
const IDENTIFIER_CHAR = /^[\p{L}0-9_ $]$/u;

/** Characters a bare JSON key cannot contain. */
const JSON_KEY_STOP = '(-:.,>)';

/** `"…"` with `\` escaping the next character. */
export function quotedValue(c: Cursor): string {
  c.char('"');
  let out = '';
  for (;;) {
    const ch = c.peek();
    if (ch === undefined) c.fail(['"\\""', '"\\\\"']);
    c.pos++;
    if (ch === '"') return out;
    if (ch === '\\') {
      const escaped = c.peek();
      if (escaped === undefined) c.fail('any character');
      c.pos++;
      out += escaped;
    } else {
      out += ch;
    }
  }
}

/** One or more of letters, digits, `_`, space, `$`; surrounding spaces dropped. */
export function identifier(c: Cursor): string {
  const start = c.pos;
  for (;;) {
    const cp = c.peekCodePoint();
    if (cp === undefined || !IDENTIFIER_CHAR.test(cp)) break;
    c.pos += cp.length;
  }
  c.expect(['letter', 'digit']);
  if (c.pos === start) c.fail([]);
  return c.text.slice(start, c.pos).replace(/^ +| +$/g, '');
}

/** `item ('-' item)*`, where a `-` that starts `->` is not a dash. */
function separatedByDash(c: Cursor, item: (c: Cursor) => string): string {
  const parts = [item(c)];
  for (;;) {
    if (c.peek() === '-' && c.peek(1) !== '>') {
      c.pos++;
      parts.push(item(c));
    } else {
      c.expect(show('-'));
      return parts.join('-');
    }
  }
}

/** A column, relation, alias or hint name: quoted, or identifiers joined by dashes. */
export function fieldName(c: Cursor): string {
  return c.label('field name (* or [a..z0..9_$])', () =>
    c.peek() === '"' ? quotedValue(c) : separatedByDash(c, identifier),
  );
}

function jsonKeyPart(c: Cursor): string {
  const start = c.pos;
  while (!c.atEnd && !JSON_KEY_STOP.includes(c.peek() as string)) c.pos++;
  if (c.pos === start) c.fail('any non reserved character different from: .,>()');
  return c.text.slice(start, c.pos).trim();
}

function jsonKey(c: Cursor): string {
  return c.peek() === '"' ? quotedValue(c) : separatedByDash(c, jsonKeyPart);
}

/** An array index: `-`? digits, only when followed by `->`, `::`, `.`, `,` or the end. */
function jsonIndex(c: Cursor): number {
  const negative = c.peek() === '-';
  if (negative) c.pos++;
  else c.expect(show('-'));
  const start = c.pos;
  while (c.peek() !== undefined && c.peek()! >= '0' && c.peek()! <= '9') c.pos++;
  c.expect('digit');
  if (c.pos === start) c.fail([]);
  const n = Number(c.text.slice(start, c.pos));
  if (!(c.lookingAt('->') || c.lookingAt('::') || c.peek() === '.' || c.peek() === ',' || c.atEnd)) {
    c.fail([show('->'), show('::'), show('.'), show(','), 'end of input']);
  }
  if (!Number.isSafeInteger(n)) c.fail('a smaller index');
  return negative && n !== 0 ? -n : n;
}

/** `(->|->>)(index|key)` repeated. */
export function jsonPath(c: Cursor): FieldPath['jsonPath'] {
  const path: FieldPath['jsonPath'] = [];
  for (;;) {
    let arrow: '->' | '->>';
    if (c.lookingAt('->>')) arrow = '->>';
    else if (c.lookingAt('->')) arrow = '->';
    else {
      c.expect([show('->>'), show('->')]);
      return path;
    }
    c.pos += arrow.length;
    // PostgREST's `try pJIdx <|> try pJKey`: an index is always tried first, so a failed one
    // (`->>--34`, `->-x`) is what the error reports when it got further than the key
    const key: string | number = c.attempt(() => jsonIndex(c)) ?? jsonKey(c);
    path.push({ arrow, key });
  }
}

/** PostgREST's pDelimiter: a `.`, reported as "delimiter (.)" when missing. */
export function delimiter(c: Cursor): void {
  if (c.peek() === '.') c.pos++;
  else c.fail('delimiter (.)');
}

/** A column with its JSON path, surrounded by optional spaces. */
export function field(c: Cursor): FieldPath {
  c.spaces();
  const column = fieldName(c);
  const path = jsonPath(c);
  c.spaces();
  return { column, jsonPath: path };
}

/** `a.b.col->x`: the embed path (`['a','b']`) and the field at its end. */
export function treePath(c: Cursor): { path: string[]; field: FieldPath } {
  const names = [fieldName(c)];
  while (c.peek() === '.') {
    c.pos++;
    names.push(fieldName(c));
  }
  c.expect('delimiter (.)');
  const path = jsonPath(c);
  const column = names.pop() as string;
  return { path: names, field: { column, jsonPath: path } };
}

/** `name, name, …` (`columns=` and `on_conflict=`). */
export function columnList(c: Cursor): string[] {
  const names = [fieldName(c)];
  for (;;) {
    const more = c.succeeds(() => {
      c.spaces();
      c.char(',');
      c.spaces();
    });
    if (!more) return names;
    names.push(fieldName(c));
  }
}

/** `columns=a,b` or `on_conflict=a,b`. */
export function parseColumns(value: string, parameter: 'columns' | 'on_conflict'): string[] {
  return SIMPLE_COLUMN_LIST.test(value) ? value.split(',').map((name) => (name.startsWith('"') ? name.slice(1, -1) : name)) : parseColumnsWithGrammar(value, parameter);
}

/**
 * Plain or quoted plain names without spaces, dashes or escapes, as postgrest-js writes
 * `columns=` for every insert of an array: read without the grammar, to the same result.
 */
const SIMPLE_COLUMN_LIST = /^(?:"[A-Za-z0-9_$]+"|[A-Za-z0-9_$]+)(?:,(?:"[A-Za-z0-9_$]+"|[A-Za-z0-9_$]+))*$/;

export function parseColumnsWithGrammar(value: string, parameter: 'columns' | 'on_conflict'): string[] {
  return parseWith(value, `failed to parse ${parameter} parameter (${value})`, columnList, 'ignored');
}

/** The embed path of a reserved key: `clients.projects.limit` → `clients.projects`. */
export function parseEmbedPathOfKey(key: string): string {
  return parseWith(key, `failed to parse tree path (${key})`, treePath, 'ignored').path.join('.');
}
