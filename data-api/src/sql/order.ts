/**
 * ORDER BY of one level: columns (with JSON paths), directions, NULLS FIRST/LAST, and
 * related orders on to-one embeds (`order=clients(name)` → the lateral's column).
 */
import type { Relation } from '../schema-cache/types.ts';
import type { PlannedOrder } from '../plan/read-types.ts';
import { empty, join, raw, sql, type SqlFragment } from './fragment.ts';
import { fieldSql } from './select-list.ts';

export function orderTermSql(alias: string, relation: Relation | undefined, term: PlannedOrder): SqlFragment {
  // a related order reads the embed's selected column from its lateral subquery
  const expression = term.relationAlias === undefined ? fieldSql(alias, relation, term.field) : fieldSql(term.relationAlias, undefined, term.field);
  const direction = term.direction === undefined ? '' : term.direction === 'asc' ? ' ASC' : ' DESC';
  const nulls = term.nulls === undefined ? '' : term.nulls === 'first' ? ' NULLS FIRST' : ' NULLS LAST';
  return sql`${expression}${raw(direction + nulls)}`;
}

/** ` ORDER BY a DESC NULLS LAST, b`, or an empty fragment. */
export function orderClause(alias: string, relation: Relation | undefined, terms: PlannedOrder[]): SqlFragment {
  if (terms.length === 0) return empty;
  return sql` ORDER BY ${join(
    terms.map((term) => orderTermSql(alias, relation, term)),
    ', ',
  )}`;
}
