import type { LogicTree } from './types.ts';
import { type Cursor, parseWith, show } from './cursor.ts';
import { delimiter, field, fieldName } from './parse-field.ts';
import { logicValue, opExpression } from './parse-filter.ts';

/**
 * `or=(a.eq.1,and(b.gt.2,c.is.null),not.and(…))`, `not.or=(…)`, `clients.or=(…)`
 * (PostgREST's pLogicPath and pLogicTree). As in PostgREST, the operator from the key is
 * put in front of the value (`or` + `(…)`) and the whole is parsed as one tree, so error
 * columns count from the start of `or(…)`.
 */
export function parseLogicParam(key: string, value: string): { embedPath: string; tree: LogicTree } {
  const { path, operator } = parseWith(key, `failed to parse logic path (${key})`, logicPath, 'ignored');
  const tree = parseWith(operator + value, `failed to parse logic tree (${value})`, logicTree, 'ignored');
  return { embedPath: path.join('.'), tree };
}

function logicPath(c: Cursor): { path: string[]; operator: string } {
  const names = [fieldName(c)];
  while (c.peek() === '.') {
    c.pos++;
    names.push(fieldName(c));
  }
  const operator = names.pop() as string;
  const negated = names.includes('not');
  return { path: names.filter((n) => n !== 'not'), operator: negated ? `not.${operator}` : operator };
}

/** `try statement <|> [not.](and|or)(tree, …)`, as PostgREST's pLogicTree. */
function logicTree(c: Cursor): LogicTree {
  return c.orElse(
    () =>
      c.attempt((): LogicTree => {
        const target = field(c);
        delimiter(c);
        return { kind: 'filter', filter: { field: target, ...opExpression(c, logicValue) } };
      }),
    () => logicExpression(c),
  );
}

function logicExpression(c: Cursor): LogicTree {
  const negated = c.label('negation operator (not)', () =>
    c.succeeds(() => {
      c.literal('not');
      delimiter(c);
    }),
  );
  const kind = c.label('logic operator (and, or)', () => c.oneOf(['and', 'or'] as const));
  c.spaces();
  c.char('(');
  c.spaces();
  const children = c.nested(() => {
    const trees = [logicTree(c)];
    for (;;) {
      const more = c.succeeds(() => {
        c.spaces();
        c.char(',');
        c.spaces();
      });
      if (!more) return trees;
      trees.push(logicTree(c));
    }
  });
  c.spaces();
  if (c.peek() !== ')') c.fail([show(','), show(')')]);
  c.pos++;
  c.spaces();
  return { kind, negated, children };
}
