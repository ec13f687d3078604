/**
 * Column references and SELECT list items: `"alias"."col"`, JSON paths (`->`, `->>`, keys
 * and array indexes bound as parameters), casts, aggregates, and the columns an embed adds
 * to its parent (`row_to_json`, `json_agg`, spread columns).
 */
import type { AggregateFunction, FieldPath } from '../request/types.ts';
import type { QualifiedName, Relation } from '../schema-cache/types.ts';
import type { EmbedNode, PlannedField, ReadNode, SpreadColumn } from '../plan/read-types.ts';
import { empty, ident, join, param, raw, sql, type SqlFragment } from './fragment.ts';

/**
 * Type names accepted in `::cast`: one identifier (optionally schema-qualified), the
 * multi-word SQL types (`double precision`, `timestamp with time zone`, …), an optional
 * `(n)`/`(p,s)` modifier and `[]` suffixes. Cast types are written into SQL text unquoted
 * (quoting breaks `int`, `bigint`, …), so nothing else may pass.
 */
const CAST_TYPE =
  /^(?:[A-Za-z_][A-Za-z0-9_]*\.)?[A-Za-z_][A-Za-z0-9_]*(?: (?:precision|varying|with|without|time|zone))*(?:\(\d+(?:, ?\d+)?\))?(?:\[\])*$/;

export function isSafeCastType(type: string): boolean {
  return type.length <= 100 && CAST_TYPE.test(type);
}

export function castSql(expression: SqlFragment, type: string | undefined): SqlFragment {
  if (type === undefined) return expression;
  if (!isSafeCastType(type)) throw new Error(`unsafe cast type reached the SQL layer: ${JSON.stringify(type)}`);
  return sql`CAST(${expression} AS ${raw(type)})`;
}

const AGGREGATES: Record<AggregateFunction, string> = { count: 'count', sum: 'sum', avg: 'avg', max: 'max', min: 'min' };

export function aggregateSql(aggregate: AggregateFunction | undefined, expression: SqlFragment): SqlFragment {
  if (aggregate === undefined) return expression;
  return sql`${raw(AGGREGATES[aggregate])}(${expression})`;
}

const JSON_TYPES = new Set(['json', 'jsonb']);

/** The Postgres base type name of a column (`int4`, `jsonb`, `tsvector`), if the cache knows it. */
export function columnType(relation: Relation | undefined, column: string): string | undefined {
  return relation?.columns.find((candidate) => candidate.name === column)?.udtName;
}

/**
 * `"alias"."col"`, or with a JSON path `"alias"."col"->$1->>$2::int`. Columns that are not
 * json/jsonb go through `to_jsonb(…)` first, as PostgREST does. Unknown columns are left to
 * Postgres, which answers 42703 as it does behind PostgREST.
 */
export function fieldSql(alias: string, relation: Relation | undefined, field: FieldPath): SqlFragment {
  const column = ident(alias, field.column);
  if (field.jsonPath.length === 0) return column;
  const type = columnType(relation, field.column);
  let expression = type !== undefined && JSON_TYPES.has(type) ? column : sql`to_jsonb(${column})`;
  for (const step of field.jsonPath) {
    const operand = typeof step.key === 'number' ? sql`${param(String(step.key))}::int` : param(step.key);
    expression = sql`${expression}${raw(step.arrow)}${operand}`;
  }
  return expression;
}

/** `"schema"."function"(argument)`: a data representation's cast function applied to a value. */
export function functionCall(name: QualifiedName, argument: SqlFragment): SqlFragment {
  return sql`${ident(name.schema, name.name)}(${argument})`;
}

/** One item of a SELECT list; `aggregated` marks the items GROUP BY leaves out. */
export interface SelectListItem {
  sql: SqlFragment;
  aggregated: boolean;
}

export function fieldItem(alias: string, relation: Relation, field: PlannedField): SelectListItem {
  switch (field.kind) {
    case 'star':
      return { sql: sql`${ident(alias)}.*`, aggregated: false };
    case 'count':
      return { sql: sql`${castSql(raw('count(*)'), field.cast)} AS ${ident(field.outputName)}`, aggregated: true };
    case 'row':
      return { sql: sql`${ident(alias)} AS ${ident(field.outputName)}`, aggregated: false };
    case 'column': {
      const value = fieldSql(alias, relation, field.field);
      const input = castSql(field.format ? functionCall(field.format, value) : value, field.cast);
      const output = field.aggregate === undefined ? input : castSql(aggregateSql(field.aggregate, input), field.aggregateCast);
      return { sql: sql`${output} AS ${ident(field.outputName)}`, aggregated: field.aggregate !== undefined };
    }
  }
}

/**
 * What an embed adds to its parent's SELECT list. In a grouped parent, JSON values are
 * selected as jsonb (json has no equality for GROUP BY). A spread parent passes its spread
 * children's columns up raw; any other parent applies their hoisted aggregates.
 */
export function embedItems(parent: ReadNode, embed: EmbedNode, parentIsSpread: boolean): SelectListItem[] {
  if (embed.empty) return [];
  const lateral = ident(embed.aggAlias);
  const asJsonb = (expression: SqlFragment) => (parent.grouped ? sql`${expression}::jsonb` : expression);
  if (embed.spread) return embed.spreadColumns.map((column) => spreadItem(lateral, column, parent, parentIsSpread));
  if (embed.toOne) return [{ sql: sql`${asJsonb(sql`row_to_json(${lateral}.*)`)} AS ${ident(embed.outputName)}`, aggregated: false }];
  return [{ sql: sql`${asJsonb(sql`COALESCE(${lateral}.${lateral}, '[]')`)} AS ${ident(embed.outputName)}`, aggregated: false }];
}

function spreadItem(lateral: SqlFragment, column: SpreadColumn, parent: ReadNode, parentIsSpread: boolean): SelectListItem {
  if (column.kind === 'star') return { sql: sql`${lateral}.*`, aggregated: false };
  const input = sql`${lateral}.${ident(column.name)}`;
  if (parentIsSpread) return { sql: sql`${input} AS ${ident(column.name)}`, aggregated: false };
  if (column.aggregate !== undefined) {
    return { sql: sql`${castSql(aggregateSql(column.aggregate, input), column.aggregateCast)} AS ${ident(column.outputName)}`, aggregated: true };
  }
  const value = column.isEmbed && parent.grouped ? sql`${input}::jsonb` : input;
  return { sql: sql`${value} AS ${ident(column.outputName)}`, aggregated: false };
}

/** `GROUP BY 1, 3`: by position, so JSON path parameters need not repeat. */
export function groupByClause(items: SelectListItem[]): SqlFragment {
  const positions: SqlFragment[] = [];
  items.forEach((item, index) => {
    if (!item.aggregated) positions.push(raw(String(index + 1)));
  });
  return positions.length === 0 ? empty : sql` GROUP BY ${join(positions, ', ')}`;
}
