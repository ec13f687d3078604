/**
 * The SQL of writes (PostgREST's `mutatePlanToQuery` and `prepareWrite`): INSERT / upsert /
 * PUT, UPDATE and DELETE, each run as the `pgrst_source` CTE of one statement whose single
 * result row carries the response (body, page_total, total_result_set, response_headers,
 * response_status, location).
 *
 * The request body reaches Postgres as ONE text parameter and is turned into rows there by
 * `json_to_recordset` with the target columns' declared types (`fromJsonBody`): rows are never
 * sent one by one and the payload is never re-serialised in Node.
 *
 * Everything here is pure: plans come in as plain data, SQL fragments go out.
 */
import { empty, ident, join, param, raw, sql, type SqlFragment } from './fragment.ts';
import type { MediaHandler, QualifiedName } from '../schema-cache/types.ts';
import { geoJsonBodySql, handlerBodySql } from './media-body.ts';
import { functionCall } from './select-list.ts';

/** The CTE holding the rows a write returned (or a function produced). */
export const SOURCE = 'pgrst_source';
/** The CTE holding the response rows read from `pgrst_source` (select, embeds, order). */
export const RESPONSE_ROWS = 'pgrst_rows';

/** A column the payload is read into: its name and catalog type (trusted schema-cache text). */
export interface TypedColumn {
  name: string;
  /** The type as `format_type` prints it (`integer`, `character varying(20)`, `text[]`). */
  type: string;
  /** The column default (catalog text) applied under `Prefer: missing=default`; null when none. */
  defaultExpr: string | null;
  /** The `json → domain` function of the column's data representation: the key is read as json and passed through it. */
  parse?: QualifiedName | undefined;
}

/** A JSON payload as the client sent it (CSV already converted to a JSON array by the parser). */
export interface JsonBody {
  text: string;
  /** A JSON array of objects (json_to_recordset) rather than one object (json_to_record). */
  isArray: boolean;
}

export interface FromJsonBodyOptions {
  /** Prefix `SELECT "pgrst_body"."col", …` so the fragment is a complete query (INSERT … SELECT). */
  select: boolean;
  /** Only the first row of an array (RPC arguments, limited UPDATE). */
  limitOne: boolean;
  /** `Prefer: missing=default`: keys absent from a row take the column default, not NULL. */
  applyDefaults: boolean;
}

const BODY = 'pgrst_body';

/**
 * `FROM (SELECT $1::json AS json_data) pgrst_payload, LATERAL (SELECT … FROM
 * json_to_recordset(…) AS _("a" integer, …)) pgrst_body`: the payload as typed rows named
 * `pgrst_body`. With defaults, each row is first merged over `jsonb_build_object(col, default, …)`
 * so a missing key gets the column default (PostgREST's `missing=default`).
 */
export function fromJsonBody(body: JsonBody, columns: TypedColumn[], options: FromJsonBodyOptions): SqlFragment {
  const defaults = options.applyDefaults ? columns.filter((column) => column.defaultExpr !== null) : [];
  const useDefaults = defaults.length > 0;
  const json = useDefaults ? 'jsonb' : 'json';
  const payload = sql`(SELECT ${param(body.text)}::${raw(json)} AS json_data) pgrst_payload`;

  let source = raw('pgrst_payload.json_data');
  let withDefaults = empty;
  if (useDefaults) {
    const defaultsObject = sql`jsonb_build_object(${join(
      defaults.map((column) => sql`${param(column.name)}::text, ${raw(`(${column.defaultExpr ?? 'NULL'})`)}`),
      ', ',
    )})`;
    withDefaults = body.isArray
      ? sql`LATERAL (SELECT jsonb_agg(${defaultsObject} || pgrst_element.value ORDER BY pgrst_element.ordinality) AS val FROM jsonb_array_elements(pgrst_payload.json_data) WITH ORDINALITY AS pgrst_element(value, ordinality)) pgrst_json_defs, `
      : sql`LATERAL (SELECT ${defaultsObject} || pgrst_payload.json_data AS val) pgrst_json_defs, `;
    source = raw('pgrst_json_defs.val');
  }

  let rows: SqlFragment;
  if (columns.length === 0) {
    // `{}` is one row without columns, `[{}, {}]` one per element: INSERT then uses every default.
    rows = body.isArray ? sql`SELECT FROM ${raw(`${json}_array_elements`)}(${source}) _` : sql`SELECT FROM (VALUES (1)) _`;
  } else {
    const recordFunction = raw(`${json}_to_record${body.isArray ? 'set' : ''}`);
    const names = join(
      columns.map((column) => (column.parse ? sql`${functionCall(column.parse, ident(column.name))} AS ${ident(column.name)}` : ident(column.name))),
      ', ',
    );
    const typed = join(columns.map((column) => sql`${ident(column.name)} ${raw(column.parse ? 'json' : column.type)}`), ', ');
    rows = sql`SELECT ${names} FROM ${recordFunction}(${source}) AS _(${typed})`;
  }
  if (options.limitOne) rows = sql`${rows} LIMIT 1`;

  const selectList = options.select
    ? sql`SELECT ${columns.length === 0 ? empty : join(columns.map((column) => ident(BODY, column.name)), ', ')} `
    : empty;
  return sql`${selectList}FROM ${payload}, ${withDefaults}LATERAL (${rows}) ${raw(BODY)}`;
}

/** What a write returns into `pgrst_source`: a marker per row, every column, or some columns. */
export type Returning =
  | { kind: 'marker' }
  | { kind: 'all' }
  | { kind: 'columns'; columns: string[] };

/**
 * The name a write statement gives its target (`INSERT INTO "s"."t" AS "t"`): the relation's
 * own name, so filters (sql/filters.ts `whereClause`) and ORDER BY terms written against it
 * and the RETURNING list all read `"t"."col"`.
 */
export function targetAlias(target: QualifiedName): string {
  return target.name;
}

function targetWithAlias(target: QualifiedName): SqlFragment {
  return sql`${ident(target.schema, target.name)} AS ${ident(targetAlias(target))}`;
}

function returningClause(target: QualifiedName, returning: Returning): SqlFragment {
  const alias = targetAlias(target);
  switch (returning.kind) {
    case 'marker':
      // Only the number of rows matters (return=minimal): no column privilege is needed.
      return raw('RETURNING 1');
    case 'all':
      return sql`RETURNING ${ident(alias)}.*`;
    case 'columns':
      return sql`RETURNING ${join(returning.columns.map((column) => ident(alias, column)), ', ')}`;
  }
}

/** `set_config('pgrst.inserted', n ± 1)`: counts inserted rows minus rows updated on conflict. */
function countInserted(delta: 1 | -1): SqlFragment {
  return raw(
    `set_config('pgrst.inserted', (coalesce(nullif(current_setting('pgrst.inserted', true), '')::int, 0) ${delta > 0 ? '+' : '-'} 1)::text, true) <> '${delta > 0 ? '0' : '-1'}'`,
  );
}

/** The rows inserted by this statement (inserts minus conflict updates); 0 when it wrote nothing. */
const insertedCount = raw(`coalesce(nullif(current_setting('pgrst.inserted', true), '')::int, 0)`);

export interface InsertQuery {
  into: QualifiedName;
  /** The payload keys (or `columns=`), in the order they are inserted. */
  columns: TypedColumn[];
  body: JsonBody;
  applyDefaults: boolean;
  /** `on_conflict=…` (or the primary key) with `Prefer: resolution=…`. */
  onConflict: { columns: string[]; resolution: 'merge-duplicates' | 'ignore-duplicates' } | undefined;
  /**
   * PUT: the primary key values of the URL. Only payload rows carrying exactly these values are
   * written (0 rows written → PGRST115 from the executor).
   */
  putKey: Array<{ column: string; value: string }> | undefined;
  /** Track inserted vs updated rows in `pgrst.inserted` (PUT, merge-duplicates): 201 vs 200. */
  trackInserted: boolean;
  returning: Returning;
}

/** `INSERT INTO t(cols) SELECT … FROM json_to_recordset($1) … [ON CONFLICT …] RETURNING …` */
export function insertQuery(query: InsertQuery): SqlFragment {
  const target = targetWithAlias(query.into);
  const columnList = query.columns.length === 0 ? raw(' ') : sql`(${join(query.columns.map((column) => ident(column.name)), ', ')}) `;
  const select = fromJsonBody(query.body, query.columns, { select: true, limitOne: false, applyDefaults: query.applyDefaults });

  const putConditions = (query.putKey ?? []).map(({ column, value }) => sql`${ident(BODY, column)} = ${param(value)}`);
  let where = empty;
  if (putConditions.length > 0) {
    const matches = join(putConditions, ' AND ');
    // CASE fixes the order: only rows of the URL's key are counted as inserted.
    where = query.trackInserted ? sql` WHERE CASE WHEN ${matches} THEN ${countInserted(1)} ELSE false END` : sql` WHERE ${matches}`;
  } else if (query.trackInserted) {
    where = sql` WHERE ${countInserted(1)}`;
  }

  let conflict = empty;
  if (query.onConflict && query.onConflict.columns.length > 0) {
    const conflictColumns = join(query.onConflict.columns.map((column) => ident(column)), ', ');
    const doNothing = query.onConflict.resolution === 'ignore-duplicates' || query.columns.length === 0;
    const action = doNothing
      ? raw('DO NOTHING')
      : sql`DO UPDATE SET ${join(query.columns.map((column) => sql`${ident(column.name)} = EXCLUDED.${ident(column.name)}`), ', ')}${
          query.trackInserted ? sql` WHERE ${countInserted(-1)}` : empty
        }`;
    conflict = sql` ON CONFLICT (${conflictColumns}) ${action}`;
  }

  return sql`INSERT INTO ${target}${columnList}${select}${where}${conflict} ${returningClause(query.into, query.returning)}`;
}

/**
 * `limit`/`offset` on PATCH and DELETE: the affected rows are picked first, ordered and paged,
 * in `pgrst_affected_rows`, then matched back by the order columns (which must be unique —
 * a primary key, or `ctid`), as PostgREST does.
 */
export interface LimitedRows {
  /** ` ORDER BY …` against the target alias (sql/order.ts `orderClause`). */
  orderBy: SqlFragment;
  /** The columns that identify a row: the order's columns. */
  keyColumns: string[];
  limit: number | undefined;
  offset: number;
}

function limitOffset(limit: number | undefined, offset: number): SqlFragment {
  return sql`LIMIT ${limit === undefined ? raw('ALL') : param(limit)} OFFSET ${param(offset)}`;
}

function affectedRows(table: QualifiedName, where: SqlFragment, limited: LimitedRows): SqlFragment {
  const alias = targetAlias(table);
  const keys = join(limited.keyColumns.map((column) => ident(alias, column)), ', ');
  return sql`pgrst_affected_rows AS (SELECT ${keys} FROM ${targetWithAlias(table)}${where}${limited.orderBy} ${limitOffset(limited.limit, limited.offset)})`;
}

function matchesAffectedRows(table: QualifiedName, limited: LimitedRows): SqlFragment {
  const alias = targetAlias(table);
  return join(
    limited.keyColumns.map((column) => sql`${ident(alias, column)} = ${ident('pgrst_affected_rows', column)}`),
    ' AND ',
  );
}

export interface UpdateQuery {
  table: QualifiedName;
  columns: TypedColumn[];
  body: JsonBody;
  applyDefaults: boolean;
  /** ` WHERE …` on the target alias (sql/filters.ts `whereClause`), or empty for every row. */
  where: SqlFragment;
  limited: LimitedRows | undefined;
  returning: Returning;
}

/** `UPDATE t SET a = pgrst_body.a … FROM <payload> WHERE … RETURNING …` */
export function updateQuery(query: UpdateQuery): SqlFragment {
  const target = targetWithAlias(query.table);
  if (query.columns.length === 0) {
    // PATCH with `{}`: nothing to set, nothing affected; the columns still resolve for `select=`.
    const columns =
      query.returning.kind === 'columns'
        ? join(query.returning.columns.map((column) => ident(query.table.name, column)), ', ')
        : query.returning.kind === 'all'
          ? sql`${ident(query.table.name)}.*`
          : raw('1');
    return sql`SELECT ${columns} FROM ${target} WHERE false`;
  }
  const returning = returningClause(query.table, query.returning);
  if (!query.limited) {
    const assignments = join(query.columns.map((column) => sql`${ident(column.name)} = ${ident(BODY, column.name)}`), ', ');
    const body = fromJsonBody(query.body, query.columns, { select: false, limitOne: false, applyDefaults: query.applyDefaults });
    return sql`UPDATE ${target} SET ${assignments} ${body}${query.where} ${returning}`;
  }
  const body = fromJsonBody(query.body, query.columns, { select: true, limitOne: true, applyDefaults: query.applyDefaults });
  const assignments = join(
    query.columns.map((column) => sql`${ident(column.name)} = (SELECT ${ident(column.name)} FROM pgrst_update_body)`),
    ', ',
  );
  return sql`WITH pgrst_update_body AS (${body}), ${affectedRows(query.table, query.where, query.limited)} UPDATE ${target} SET ${assignments} FROM pgrst_affected_rows WHERE ${matchesAffectedRows(query.table, query.limited)} ${returning}`;
}

export interface DeleteQuery {
  table: QualifiedName;
  /** ` WHERE …` on the target alias, or empty. */
  where: SqlFragment;
  limited: LimitedRows | undefined;
  returning: Returning;
}

/** `DELETE FROM t WHERE … RETURNING …` */
export function deleteQuery(query: DeleteQuery): SqlFragment {
  const target = targetWithAlias(query.table);
  const returning = returningClause(query.table, query.returning);
  if (!query.limited) {
    return sql`DELETE FROM ${target}${query.where} ${returning}`;
  }
  return sql`WITH ${affectedRows(query.table, query.where, query.limited)} DELETE FROM ${target} USING pgrst_affected_rows WHERE ${matchesAffectedRows(query.table, query.limited)} ${returning}`;
}

// ---------------------------------------------------------------------------------------------
// The one-row result shared by writes and calls.

/** How the rows of the response are turned into the body text. */
export interface BodyFormat {
  media: 'json' | 'singular' | 'csv' | 'geojson' | 'handler';
  /** For `handler`: the media type handler that makes the body. */
  handler?: MediaHandler | undefined;
  /**
   * rows: a JSON array of objects; single-row: the first object (a function returning one
   * composite); scalar / setof-scalar: the `pgrst_scalar` column of each row as plain JSON.
   */
  shape: 'rows' | 'single-row' | 'scalar' | 'setof-scalar';
  /** `nulls=stripped` on the vnd.pgrst media types. */
  stripNulls: boolean;
}

const ROW = '_postgrest_t';

/** The body expression over the response rows `_postgrest_t` (an aggregate: one value). */
export function responseBody(format: BodyFormat): SqlFragment {
  if (format.media === 'handler' && format.handler) return handlerBodySql(format.handler, format.shape === 'scalar' || format.shape === 'setof-scalar');
  if (format.media === 'geojson') return geoJsonBodySql;
  if (format.media === 'csv') {
    const header = raw(
      `(SELECT coalesce(string_agg(pgrst_keys.k, ','), '') FROM (SELECT json_object_keys(pgrst_first.r)::text AS k FROM (SELECT row_to_json(pgrst_header_row) AS r FROM ${RESPONSE_ROWS} AS pgrst_header_row LIMIT 1) pgrst_first) pgrst_keys)`,
    );
    const lines = raw(`coalesce(string_agg(substring(${ROW}::text, 2, length(${ROW}::text) - 2), E'\\n'), '')`);
    return sql`${header} || E'\\n' || ${lines}`;
  }
  const strip = (json: string) => (format.stripNulls ? `json_strip_nulls(${json})` : json);
  const scalar = format.shape === 'scalar' || format.shape === 'setof-scalar';
  const aggregate = scalar ? `json_agg(${ROW}.pgrst_scalar)` : `json_agg(${ROW})`;
  const first = format.media === 'singular' || format.shape === 'single-row' || format.shape === 'scalar';
  return first ? raw(`coalesce(${strip(`${aggregate}->0`)}, 'null')::text`) : raw(`coalesce(${strip(aggregate)}, '[]')::text`);
}

/** `nullif(current_setting(name, true), '')` */
function currentSetting(name: 'response.headers' | 'response.status'): SqlFragment {
  return raw(`nullif(current_setting('${name}', true), '')`);
}

export interface ResultRowOptions {
  /** The body; undefined when the response has none (return=minimal, headers-only). */
  body: BodyFormat | undefined;
  /** total_result_set: an expression, or undefined for NULL. */
  total: SqlFragment | undefined;
  location: SqlFragment | undefined;
  /**
   * Add the column `inserted`: rows inserted minus rows updated on conflict (upserts and PUT,
   * see `InsertQuery.trackInserted`), which tells 201 from 200.
   */
  inserted: boolean;
  /**
   * page_total: `1` for a function that returns one value (PostgREST's pageCountSelectF), else
   * the count of the rows. The call sits in a CTE PostgreSQL inlines, so a STABLE function's
   * call is copied into every expression over `_postgrest_t`: counting the rows as well as
   * aggregating them would run the function twice.
   */
  single?: boolean;
}

/**
 * `WITH pgrst_source AS (work), pgrst_rows AS (rows) SELECT body, page_total, total_result_set,
 * response_headers, response_status, location FROM pgrst_rows _postgrest_t`: always one row.
 * The settings are read in the outer select, after the work (and its triggers) ran.
 */
export function resultStatement(work: SqlFragment, rows: SqlFragment, options: ResultRowOptions): SqlFragment {
  const body = options.body ? responseBody(options.body) : raw('NULL::text');
  const total = options.total ?? raw('NULL::bigint');
  const location = options.location ?? raw('NULL::text');
  const inserted = options.inserted ? sql`, ${insertedCount} AS inserted` : empty;
  return sql`WITH ${raw(SOURCE)} AS (${work}), ${raw(RESPONSE_ROWS)} AS (${rows}) SELECT ${body} AS body, ${options.single ? raw('1::bigint') : sql`pg_catalog.count(${raw(ROW)})`} AS page_total, ${total} AS total_result_set, ${currentSetting('response.headers')} AS response_headers, ${currentSetting('response.status')} AS response_status, ${location} AS location${inserted} FROM ${raw(RESPONSE_ROWS)} ${raw(ROW)}`;
}

/** Every row the work returned: the response rows when no `select` shaping applies. */
export const allSourceRows = raw(`SELECT * FROM ${SOURCE}`);

/** Percent-encodes a text expression as a URL query component (RFC 3986 unreserved kept). */
function urlEncoded(text: string): string {
  return `(SELECT coalesce(string_agg(CASE WHEN pgrst_char.c ~ '^[A-Za-z0-9._~-]$' THEN pgrst_char.c ELSE upper(regexp_replace(encode(convert_to(pgrst_char.c, 'UTF8'), 'hex'), '(..)', '%\\1', 'g')) END, '' ORDER BY pgrst_char.n), '') FROM regexp_split_to_table(${text}, '') WITH ORDINALITY AS pgrst_char(c, n))`;
}

/**
 * The `Location` query of an insert: `pk=eq.value&…` (URL-encoded, `is.null` for NULL) of the
 * first returned row, only when exactly one row was written (PostgREST's `locationF`).
 */
export function locationOfInsert(primaryKey: string[]): SqlFragment | undefined {
  if (primaryKey.length === 0) return undefined;
  const keys = join(primaryKey.map((column) => sql`${param(column)}::text`), ', ');
  const pair = `${urlEncoded('pgrst_kv.key')} || '=' || ${urlEncoded(`coalesce('eq.' || pgrst_kv.value, 'is.null')`)}`;
  return sql`CASE WHEN pg_catalog.count(${raw(ROW)}) = 1 THEN (SELECT string_agg(${raw(pair)}, '&' ORDER BY pgrst_kv.n) FROM (SELECT row_to_json(pgrst_loc_row) AS r FROM ${raw(SOURCE)} AS pgrst_loc_row LIMIT 1) pgrst_loc, json_each_text(pgrst_loc.r) WITH ORDINALITY AS pgrst_kv(key, value, n) WHERE pgrst_kv.key IN (${keys})) END`;
}
