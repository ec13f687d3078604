import type { SqlFragment } from '../sql/fragment.ts';
import type { Count, Preferences } from '../request/types.ts';

/**
 * What the executor runs for one request: a single main statement (plus the request context
 * and pre-request call the executor adds itself), and how to turn its one result row into a
 * response. Plans are plain data, built by pure functions from an ApiRequest and the schema
 * cache.
 *
 * The main statement always returns exactly one row with these columns:
 *   body             text    — the response body, built by Postgres (JSON, CSV, …); null when none
 *   page_total       bigint  — rows in the body (reads) or rows affected (writes)
 *   total_result_set bigint  — total rows for `Prefer: count=exact|planned|estimated`, else null
 *   response_headers text    — current_setting('response.headers', true), read after the work
 *   response_status  text    — current_setting('response.status', true)
 *   location         text    — for inserts: `col=eq.val&…` of the first inserted row's key, else null
 */
export interface ExecutionPlan {
  statement: SqlFragment;
  /** GET/HEAD run in a READ ONLY transaction. */
  readOnly: boolean;
  /** The media type of the response body (Content-Type). */
  mediaType: ResponseMediaType;
  /**
   * The body is a media type handler's: sent as bytes, untouched by the HTTP layer — text, or the
   * hex of a handler over bytea.
   */
  handlerBody?: 'text' | 'hex' | undefined;
  /** Exactly one row required (vnd.pgrst.object+json): else 406 PGRST116 and rollback. */
  singular: boolean;
  /** Success status before response.status overrides it: 200, 201, 204, 206 decided by executor from range. */
  kind: 'read' | 'insert' | 'update' | 'delete' | 'put' | 'call' | 'info';
  /** HEAD, or return=minimal/headers-only: the body column is ignored. */
  omitBody: boolean;
  /** `Prefer: return=…` as applied. */
  returnPreference: Preferences['return'];
  count: Count | undefined;
  /** Range the client asked for, for Content-Range and 206/416. */
  range: { offset: number; limit: number | undefined };
  /** Roll back at the end (Prefer: tx=rollback), after building the response. */
  rollback: boolean;
  /** Prefer: max-affected=n with handling=strict: rollback + PGRST124 when exceeded. */
  maxAffected: number | undefined;
  /**
   * `limit` of a PATCH/DELETE: more rows changed than that (the order was not unique) is a
   * rollback and 400 PGRST110.
   */
  maxChanges?: number | undefined;
  /** Preferences to list in Preference-Applied. */
  preferenceApplied: string[];
  /** For the Location header on insert: `/<relation>?<location>` */
  relationPath: string | undefined;
  /** PUT/PATCH etc. with return=minimal still report Content-Range `*\/n` */
}

export type ResponseMediaType =
  | 'application/json'
  | 'application/vnd.pgrst.object+json'
  /** `Accept: application/vnd.pgrst.array+json;nulls=stripped`, named so in Content-Type as PostgREST does */
  | 'application/vnd.pgrst.array+json;nulls=stripped'
  | 'application/vnd.pgrst.object+json;nulls=stripped'
  | 'text/csv'
  | 'application/openapi+json'
  /** `…plan+json; for="application/json"; options=analyze|verbose`: what is explained and how, as PostgREST names it */
  | `application/vnd.pgrst.plan+${'json' | 'text'}; for="${string}"${string}`
  | 'text/plain'
  | 'application/octet-stream'
  | 'application/geo+json'
  /** a media type handler's (the domain's name) */
  | `${string}/${string}`;
