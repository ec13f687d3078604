/**
 * The body of a response made by a media type handler or by the built-in GeoJSON, over the
 * response rows `_postgrest_t` (as PostgREST's handlerF). Always text: a binary (bytea) body
 * comes as hex, which the executor turns back into bytes, so that a body is the same text
 * whatever `bytea_output` says; NULL is an empty body.
 */
import type { MediaHandler } from '../schema-cache/types.ts';
import { ident, raw, sql, type SqlFragment } from './fragment.ts';

const ROW = raw('_postgrest_t');

/**
 * `scalar`: the rows are a function's scalar results (`_postgrest_t.pgrst_scalar`), else whole
 * rows, cast to the relation's row type for an aggregate made for that relation.
 */
export function handlerBodySql(handler: MediaHandler, scalar: boolean): SqlFragment {
  const value = scalar ? sql`${ROW}.pgrst_scalar` : handler.target ? sql`${ROW}::${ident(handler.target.schema, handler.target.name)}` : ROW;
  // a function's result is already the body: the one row's value, kept inside an aggregate
  // because the statement also counts the rows
  const body =
    handler.kind === 'function'
      ? sql`(pg_catalog.array_agg(${value}))[1]`
      : sql`${ident(handler.handler.schema, handler.handler.name)}(${value})`;
  return handler.binary ? sql`coalesce(pg_catalog.encode(${body}, 'hex'), '')` : sql`coalesce((${body})::text, '')`;
}

/**
 * The built-in `application/geo+json`: a FeatureCollection of each row's `ST_AsGeoJSON(row)`
 * (PostGIS, found on the request's search_path as PostgREST finds it).
 */
export const geoJsonBodySql: SqlFragment = raw(
  `json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(ST_AsGeoJSON(_postgrest_t)::json), '[]'))::text`,
);
