/**
 * ReadTree → SQL, as PostgREST's QueryBuilder writes it:
 *
 *   SELECT <fields>, row_to_json("t_client_1".*) AS "client", COALESCE("t_items_1"."t_items_1", '[]') AS "items"
 *   FROM <source> AS "t"
 *   LEFT JOIN LATERAL ( SELECT … FROM "s"."clients" AS "clients_1" WHERE "clients_1"."id" = "t"."client_id" ) AS "t_client_1" ON TRUE
 *   LEFT JOIN LATERAL ( SELECT json_agg("t_items_1") AS "t_items_1" FROM ( SELECT … ) AS "t_items_1" ) AS "t_items_1" ON TRUE
 *   WHERE … GROUP BY … ORDER BY … LIMIT … OFFSET …
 *
 * and the statement around it: `WITH pgrst_source AS (…) SELECT <body>, <counts>, … FROM
 * (SELECT * FROM pgrst_source) _postgrest_t`, whose one row the executor reads.
 */
import type { ApiRequest, Count } from '../request/types.ts';
import type { MediaHandler, Relation, SchemaCache } from '../schema-cache/types.ts';
import type { PlanContext } from '../plan/context.ts';
import { isEmbedNode, type EmbedNode, type PlannedRange, type ReadNode, type ReadTree } from '../plan/read-types.ts';
import { buildReadTree, purposeOf } from '../plan/read-tree.ts';
import { empty, ident, join, param, raw, sql, type SqlFragment } from './fragment.ts';
import { conditionSql, type EmbedNullSql } from './filters.ts';
import { orderClause } from './order.ts';
import { embedItems, fieldItem, groupByClause, type SelectListItem } from './select-list.ts';
import { geoJsonBodySql, handlerBodySql } from './media-body.ts';

export interface ReadQuery {
  tree: ReadTree;
  /** `SELECT …`: one row per object of the response, its columns the object's keys. */
  select: SqlFragment;
  /** `SELECT 1 …`: the rows `Prefer: count=…` counts (filters and `!inner` only). */
  count: SqlFragment;
}

/**
 * The read of `relation`'s rows from `source` (a FROM item: the table, a function call, a
 * CTE of written rows), aliased as the relation's name so embeds find their join columns.
 * `request.action` picks PostgREST's rules: for writes the root filters, all orders and
 * ranges belong to the write itself and are left out here; RPC reads apply them all.
 */
export function readQueryFor(source: SqlFragment, relation: Relation, request: ApiRequest, cache: SchemaCache, context: PlanContext): ReadQuery {
  const tree = buildReadTree(relation, request, cache, context, purposeOf(request));
  let count: SqlFragment | undefined;
  return {
    tree,
    select: selectQuery(tree, source),
    // built only when a count is asked for: most reads never use it
    get count() {
      return (count ??= countQuery(tree, source));
    },
  };
}

/** The SELECT of one node; `from` is its FROM item (the root's source or the embed's table). */
export function selectQuery(node: ReadNode, from: SqlFragment): SqlFragment {
  const parentIsSpread = isSpreadEmbed(node);
  const items: SelectListItem[] = [
    ...node.fields.map((field) => fieldItem(node.alias, node.relation, field)),
    ...node.embeds.flatMap((embed) => embedItems(node, embed, parentIsSpread)),
  ];
  const selectList = node.fields.length === 0 && node.embeds.length === 0 ? sql`${ident(node.alias)}.*` : join(items.map((item) => item.sql), ', ');
  const conditions = [
    ...node.where.map((tree) => conditionSql(node.alias, node.relation, tree, embedNullInSelect)),
    ...joinConditionsOf(node),
  ];
  return sql`SELECT ${selectList} FROM ${fromItems(node, from)}${join(node.embeds.map(lateralJoin), '')}${whereOf(conditions)}${
    node.grouped ? groupByClause(items) : empty
  }${orderClause(node.alias, node.relation, node.order)}${limitOffset(node.range)}`;
}

function isSpreadEmbed(node: ReadNode): boolean {
  return isEmbedNode(node) && node.spread;
}

function fromItems(node: ReadNode, from: SqlFragment): SqlFragment {
  const main = sql`${from} AS ${ident(node.alias)}`;
  const junction = isEmbedNode(node) ? node.junction : undefined;
  return junction ? sql`${main}, ${ident(junction.name.schema, junction.name.name)} AS ${ident(junction.alias)}` : main;
}

function joinConditionsOf(node: ReadNode): SqlFragment[] {
  if (!isEmbedNode(node)) return [];
  return node.joinConditions.map(
    (condition) => sql`${ident(condition.left.alias, condition.left.column)} = ${ident(condition.right.alias, condition.right.column)}`,
  );
}

function whereOf(conditions: SqlFragment[]): SqlFragment {
  return conditions.length === 0 ? empty : sql` WHERE ${join(conditions, ' AND ')}`;
}

/**
 * `clients=is.null`: the lateral's aggregate column for a to-many embed (`json_agg` is NULL
 * without rows), the lateral's whole row for a to-one (NULL when the LEFT JOIN found none).
 */
const embedNullInSelect: EmbedNullSql = (condition) =>
  condition.isNull ? sql`${ident(condition.aggAlias)} IS NOT DISTINCT FROM NULL` : sql`${ident(condition.aggAlias)} IS DISTINCT FROM NULL`;

function tableOf(embed: EmbedNode): SqlFragment {
  const call = embed.fromFunction;
  if (call) {
    return sql`${ident(call.function.schema, call.function.name)}(${ident(call.argumentAlias)}::${ident(call.argumentType.schema, call.argumentType.name)})`;
  }
  return ident(embed.relation.schema, embed.relation.name);
}

function lateralJoin(embed: EmbedNode): SqlFragment {
  const alias = ident(embed.aggAlias);
  const kind = raw(embed.joinType === 'inner' ? ' INNER JOIN LATERAL' : ' LEFT JOIN LATERAL');
  const subquery = selectQuery(embed, tableOf(embed));
  if (embed.toOne) return sql`${kind} ( ${subquery} ) AS ${alias} ON TRUE`;
  if (embed.spread) {
    // `...tasks(id,title)`: one array per column, in the rows' order; `[]` without rows
    const arrays = embed.spreadColumns.flatMap((column) =>
      column.kind === 'column' ? [sql`COALESCE(json_agg(${alias}.${ident(column.name)}), '[]') AS ${ident(column.name)}`] : [],
    );
    const condition = embed.joinType === 'inner' ? sql`${alias}.pgrst_rows > 0` : raw('TRUE');
    return sql`${kind} ( SELECT ${join(arrays, ', ')}, count(*) AS pgrst_rows FROM ( ${subquery} ) AS ${alias} ) AS ${alias} ON ${condition}`;
  }
  const condition = embed.joinType === 'inner' ? sql`${alias} IS NOT NULL` : raw('TRUE');
  return sql`${kind} ( SELECT json_agg(${alias}) AS ${alias} FROM ( ${subquery} ) AS ${alias} ) AS ${alias} ON ${condition}`;
}

function limitOffset(range: PlannedRange): SqlFragment {
  if (range.limit === undefined && range.offset === 0) return empty;
  const limit = range.limit === undefined ? raw('ALL') : param(range.limit);
  return sql` LIMIT ${limit} OFFSET ${param(range.offset)}`;
}

/**
 * PostgREST's count query: the root's filters, no order or range; `!inner` embeds and
 * `embed=is.null` filters become (NOT) EXISTS of the embed's own count query.
 */
export function countQuery(node: ReadNode, from: SqlFragment): SqlFragment {
  const embedNull: EmbedNullSql = (condition) => {
    const embed = node.embeds.find((candidate) => candidate.aggAlias === condition.aggAlias);
    if (!embed) return raw('TRUE');
    const exists = sql`EXISTS (${countQuery(embed, tableOf(embed))})`;
    return condition.isNull ? sql`NOT ${exists}` : exists;
  };
  const conditions = [
    ...node.where.map((tree) => conditionSql(node.alias, node.relation, tree, embedNull)),
    ...joinConditionsOf(node),
    ...node.embeds.filter((embed) => embed.joinType === 'inner').map((embed) => sql`EXISTS (${countQuery(embed, tableOf(embed))})`),
  ];
  return sql`SELECT 1 FROM ${fromItems(node, from)}${whereOf(conditions)}`;
}

// --- the statement

/** How the rows of `_postgrest_t` become the response body: built in, or by a media type handler. */
export type BodyFormat = 'json' | 'json-stripped' | 'object' | 'object-stripped' | 'csv' | 'geojson' | 'none' | { handler: MediaHandler };

/**
 * The body aggregate over the rows `_postgrest_t` (text). For CSV the header row is read
 * from the first row of `headerSource` (the CTE holding the selected rows).
 */
export function bodySql(format: BodyFormat, headerSource: SqlFragment = raw('pgrst_source')): SqlFragment {
  if (typeof format === 'object') return handlerBodySql(format.handler, false);
  switch (format) {
    case 'json':
      return raw(`coalesce(json_agg(_postgrest_t), '[]')::text`);
    case 'json-stripped':
      return raw(`coalesce(json_strip_nulls(json_agg(_postgrest_t)), '[]')::text`);
    case 'object':
      return raw(`coalesce(json_agg(_postgrest_t)->0, 'null')::text`);
    case 'object-stripped':
      return raw(`coalesce(json_strip_nulls(json_agg(_postgrest_t)->0), 'null')::text`);
    case 'csv':
      return sql`(SELECT coalesce(string_agg(pgrst_header.k, ','), '') FROM (SELECT json_object_keys(pgrst_first.r)::text AS k FROM (SELECT row_to_json(pgrst_row) AS r FROM ${headerSource} AS pgrst_row LIMIT 1) AS pgrst_first) AS pgrst_header) || E'\\n' || ${raw(
        `coalesce(string_agg(substring(_postgrest_t::text, 2, length(_postgrest_t::text) - 2), E'\\n'), '')`,
      )}`;
    case 'geojson':
      return geoJsonBodySql;
    case 'none':
      return raw('NULL::text');
  }
}

export interface ReadStatementOptions {
  query: ReadQuery;
  body: BodyFormat;
  /** `Prefer: count=…`: exact and estimated count in the statement; planned runs EXPLAIN apart. */
  count: Count | undefined;
  /** db-max-rows: an estimated count counts exactly up to maxRows + 1 rows. */
  maxRows: number | undefined;
}

/** The one-row statement of a read: body, page_total, total_result_set, response_headers, response_status, location. */
export function readStatement(options: ReadStatementOptions): SqlFragment {
  const { query, count } = options;
  const counted = count === 'exact' || count === 'estimated';
  const countSource = (): SqlFragment =>
    count === 'estimated' && options.maxRows !== undefined ? sql`${query.count} LIMIT ${param(options.maxRows + 1)}` : query.count;
  const countCte = counted ? sql`, pgrst_source_count AS ( ${countSource()} )` : empty;
  const total = counted ? raw('(SELECT pg_catalog.count(*) FROM pgrst_source_count)') : raw('NULL::bigint');
  return sql`WITH pgrst_source AS ( ${query.select} )${countCte} SELECT ${bodySql(options.body)} AS body, pg_catalog.count(_postgrest_t) AS page_total, ${total} AS total_result_set, ${responseGucs()} FROM ( SELECT * FROM pgrst_source ) _postgrest_t`;
}

/** `response_headers, response_status, location` columns (location NULL: reads create nothing). */
function responseGucs(): SqlFragment {
  return raw(
    `nullif(current_setting('response.headers', true), '') AS response_headers, nullif(current_setting('response.status', true), '') AS response_status, NULL::text AS location`,
  );
}

export type ExplainOption = 'analyze' | 'verbose' | 'settings' | 'buffers' | 'wal';

/** `EXPLAIN (FORMAT JSON, ANALYZE) <statement>`: for `Accept: application/vnd.pgrst.plan…`. */
export function explainSql(statement: SqlFragment, format: 'json' | 'text', options: ExplainOption[]): SqlFragment {
  const settings = [`FORMAT ${format.toUpperCase()}`, ...options.map((option) => option.toUpperCase())];
  return sql`EXPLAIN (${raw(settings.join(', '))}) ${statement}`;
}

/** `EXPLAIN (FORMAT JSON)` of the count query, for `Prefer: count=planned|estimated`. */
export function countPlanSql(query: ReadQuery): SqlFragment {
  return explainSql(query.count, 'json', []);
}
