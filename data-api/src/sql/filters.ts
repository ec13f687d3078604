/**
 * Filters and logic trees → SQL conditions, as PostgREST's pgFmtFilter writes them. Every
 * value is a parameter whose type Postgres infers from the column it is compared with (the
 * request's text goes in as an untyped literal, like PostgREST's `unknown` parameters).
 */
import { Errors } from '../errors.ts';
import type { FieldPath, Filter, FilterOperator, LogicTree, NodeModifiers } from '../request/types.ts';
import type { QualifiedName, Relation, SchemaCache } from '../schema-cache/types.ts';
import type { ConditionTree } from '../plan/read-types.ts';
import { empty, join, param, raw, sql, type SqlFragment } from './fragment.ts';
import { columnType, fieldSql, functionCall } from './select-list.ts';

/** Operators that take a scalar, or `op(any|all).{a,b}`. */
const QUANTIFIABLE: Partial<Record<FilterOperator, string>> = {
  eq: '=',
  gt: '>',
  gte: '>=',
  lt: '<',
  lte: '<=',
  like: 'like',
  ilike: 'ilike',
  match: '~',
  imatch: '~*',
};

/** Operators that take a scalar only. */
const SIMPLE: Partial<Record<FilterOperator, string>> = {
  neq: '<>',
  cs: '@>',
  cd: '<@',
  ov: '&&',
  sl: '<<',
  sr: '>>',
  nxr: '&<',
  nxl: '&>',
  adj: '-|-',
};

const FULL_TEXT: Partial<Record<FilterOperator, string>> = {
  fts: 'to_tsquery',
  plfts: 'plainto_tsquery',
  phfts: 'phraseto_tsquery',
  wfts: 'websearch_to_tsquery',
};

const IS_VALUES = { null: 'NULL', not_null: 'NOT NULL', true: 'TRUE', false: 'FALSE', unknown: 'UNKNOWN' } as const;

/** `NOT "alias"."col" = $1`, `"alias"."tags" @> $1`, `"alias"."doc" @@ to_tsquery($1, $2)`, … */
export function filterSql(alias: string, relation: Relation | undefined, filter: Filter): SqlFragment {
  const condition = operatorSql(alias, relation, filter);
  return filter.negated ? sql`NOT ${condition}` : condition;
}

function operatorSql(alias: string, relation: Relation | undefined, filter: Filter): SqlFragment {
  const { operator, value } = filter;
  const field = fieldSql(alias, relation, filter.field);
  const isLike = operator === 'like' || operator === 'ilike';
  const pattern = (text: string) => (isLike ? text.replaceAll('*', '%') : text);
  // a column with a `text → domain` representation reads the value through it, except for
  // like/ilike patterns (PostgREST's pgFmtUnknownLiteralForField)
  const parser = isLike ? undefined : textParser(relation, filter.field);
  const scalar = (text: string) => (parser ? functionCall(parser, sql`${param(text)}::text`) : param(text));
  const array = (values: string[]) =>
    parser ? sql`(SELECT ${functionCall(parser, sql`unnest(${param(arrayLiteral(values))}::text[])`)})` : sql`(${param(arrayLiteral(values))})`;

  const quantifiable = QUANTIFIABLE[operator];
  if (quantifiable !== undefined) {
    const op = raw(quantifiable);
    if (value.kind === 'scalar') return sql`${field} ${op} ${scalar(pattern(value.value))}`;
    if (value.kind === 'quantified') {
      const values = array(value.values.map(pattern));
      return value.quantifier === 'any' ? sql`${field} ${op} ANY${values}` : sql`${field} ${op} ALL${values}`;
    }
  }
  const simple = SIMPLE[operator];
  if (simple !== undefined && value.kind === 'scalar') return sql`${field} ${raw(simple)} ${scalar(value.value)}`;

  if (operator === 'in' && value.kind === 'list') {
    const values = value.values.length === 1 && value.values[0] === '' ? [] : value.values;
    return values.length === 0 ? sql`${field} = ANY('{}')` : sql`${field} = ANY${array(values)}`;
  }
  if (operator === 'is' && value.kind === 'is') return sql`${field} IS ${raw(IS_VALUES[value.value])}`;
  if (operator === 'isdistinct' && value.kind === 'scalar') return sql`${field} IS DISTINCT FROM ${param(value.value)}`;

  const fullText = FULL_TEXT[operator];
  if (fullText !== undefined && value.kind === 'fts') {
    const language = value.language === undefined ? empty : sql`${param(value.language)}, `;
    // tsvector columns are searched as they are; text and json columns through to_tsvector
    const isTsvector = filter.field.jsonPath.length === 0 && columnType(relation, filter.field.column) === 'tsvector';
    const document = isTsvector ? field : sql`to_tsvector(${language}${field})`;
    return sql`${document} @@ ${raw(fullText)}(${language}${param(value.query)})`;
  }
  throw Errors.parse(`"failed to parse filter (${operator}.${describeValue(filter)})"`, `unexpected value for the "${operator}" operator`);
}

/** The `text → domain` function of the filtered column's data representation, if it has one. */
function textParser(relation: Relation | undefined, field: FieldPath): QualifiedName | undefined {
  if (field.jsonPath.length > 0) return undefined;
  return relation?.columns.find((column) => column.name === field.column)?.representations?.fromText;
}

function describeValue(filter: Filter): string {
  const value = filter.value;
  switch (value.kind) {
    case 'scalar':
      return value.value;
    case 'list':
      return `(${value.values.join(',')})`;
    case 'is':
      return value.value;
    case 'fts':
      return value.query;
    case 'quantified':
      return `{${value.values.join(',')}}`;
  }
}

/**
 * A Postgres array literal of text elements (`{"a","b \"c\""}`), bound as one parameter so
 * Postgres reads it as an array of the column's type — PostgREST's pgBuildArrayLiteral.
 */
export function arrayLiteral(values: string[]): string {
  const element = (value: string) => `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
  return `{${values.map(element).join(',')}}`;
}

/** `or=(…)`, `and=(…)`, `not.or=(…)` */
export function logicSql(alias: string, relation: Relation | undefined, tree: LogicTree): SqlFragment {
  return conditionSql(alias, relation, tree, () => {
    throw new Error('a logic tree from a request has no embed conditions');
  });
}

/** How `clients=is.null` is written: depends on the query (lateral alias, or EXISTS in a count). */
export type EmbedNullSql = (condition: Extract<ConditionTree, { kind: 'embed-null' }>) => SqlFragment;

export function conditionSql(alias: string, relation: Relation | undefined, tree: ConditionTree, embedNull: EmbedNullSql): SqlFragment {
  switch (tree.kind) {
    case 'filter':
      return filterSql(alias, relation, tree.filter);
    case 'embed-null':
      return embedNull(tree);
    case 'and':
    case 'or': {
      if (tree.children.length === 0) return raw(tree.kind === 'and' ? 'TRUE' : 'FALSE');
      const children = join(
        tree.children.map((child) => conditionSql(alias, relation, child, embedNull)),
        tree.kind === 'and' ? ' AND ' : ' OR ',
      );
      return tree.negated ? sql`NOT (${children})` : sql`(${children})`;
    }
  }
}

/**
 * The WHERE clause of one level's filters and logic trees (for PATCH/DELETE too):
 * ` WHERE a AND (b OR c)`, or an empty fragment. `relationAlias` is how the statement names
 * the relation (`UPDATE "s"."t" AS "t"` → `"t"`).
 */
export function whereClause(relationAlias: string, relation: Relation, modifiers: NodeModifiers | undefined, cache: SchemaCache): SqlFragment {
  void cache; // the relation carries every column type a filter needs
  if (!modifiers) return empty;
  const conditions = [
    ...modifiers.filters.map((filter) => filterSql(relationAlias, relation, filter)),
    ...modifiers.logic.map((tree) => logicSql(relationAlias, relation, tree)),
  ];
  return conditions.length === 0 ? empty : sql` WHERE ${join(conditions, ' AND ')}`;
}
