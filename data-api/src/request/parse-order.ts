import type { OrderTerm } from './types.ts';
import { type Cursor, parseWith, show } from './cursor.ts';
import { delimiter, field, fieldName } from './parse-field.ts';

/**
 * `order=a.desc.nullslast,data->x,clients(name).asc` (PostgREST's pOrder): a column (with
 * a JSON path) or `relation(column)`, then optionally `.asc|.desc`, then optionally
 * `.nullsfirst|.nullslast`.
 */
export function parseOrder(value: string): OrderTerm[] {
  return parseWith(value, `failed to parse order (${value})`, orderTerms);
}

function orderTerms(c: Cursor): OrderTerm[] {
  const terms = [orderTerm(c)];
  while (c.peek() === ',') {
    c.pos++;
    terms.push(orderTerm(c));
  }
  return terms;
}

function orderTerm(c: Cursor): OrderTerm {
  c.spaces();
  // `relation(` is a related order; anything else a column
  const start = c.pos;
  const related = c.attempt(() => fieldName(c)) !== undefined && c.peek() === '(';
  c.pos = start;
  const term = c.orElse(
    () => (related ? c.attempt(() => relationTerm(c)) : undefined),
    () => plainTerm(c),
  );
  c.spaces();
  return term;
}

function plainTerm(c: Cursor): OrderTerm {
  const target = field(c);
  return { relation: undefined, field: target, ...directionAndNulls(c) };
}

function relationTerm(c: Cursor): OrderTerm {
  const relation = fieldName(c);
  c.char('(');
  const target = field(c);
  c.char(')');
  return { relation, field: target, ...directionAndNulls(c) };
}

function directionAndNulls(c: Cursor): Pick<OrderTerm, 'direction' | 'nulls'> {
  const direction = c.attempt(() => {
    delimiter(c);
    return c.oneOf(['asc', 'desc'] as const);
  });
  const nulls = c.attempt(() => {
    delimiter(c);
    const word = c.oneOf(['nullsfirst', 'nullslast'] as const);
    return word === 'nullsfirst' ? 'first' : 'last';
  });
  c.spaces();
  // once nulls… is read the term must end; before, a further `.` was possible too
  if (!(c.peek() === ',' || c.atEnd)) c.fail(nulls === undefined ? ['delimiter (.)', show(','), 'end of input'] : [show(','), 'end of input']);
  return { direction, nulls };
}
