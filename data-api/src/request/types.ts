/**
 * A parsed request: what the client asked for, before it is checked against the schema
 * cache. Produced by `parseApiRequest` (pure), consumed by the planner. Names here are the
 * client's strings; nothing is trusted yet.
 */

/** `a->b->>0` : a column followed by JSON path steps. */
export interface FieldPath {
  column: string;
  /** Each step: `->` (json) or `->>` (text), key or array index. */
  jsonPath: Array<{ arrow: '->' | '->>'; key: string | number }>;
}

export type AggregateFunction = 'count' | 'sum' | 'avg' | 'max' | 'min';

export type SelectItem =
  /** `*` */
  | { kind: 'star' }
  /** `alias:col->x::type`, or `alias:col.sum()::type` with an aggregate */
  | {
      kind: 'field';
      field: FieldPath;
      alias: string | undefined;
      cast: string | undefined;
      aggregate: AggregateFunction | undefined;
      /** cast applied to the aggregate result: `col.sum()::int` */
      aggregateCast: string | undefined;
    }
  /** `count()` without a column, optionally aliased and cast */
  | { kind: 'count'; alias: string | undefined; cast: string | undefined }
  /** `alias:relation!hint!inner(select…)` or `...relation(select…)` */
  | {
      kind: 'embed';
      relation: string;
      alias: string | undefined;
      /** `!fk_name` / `!column` / `!junction_table` */
      hint: string | undefined;
      joinType: 'inner' | 'left' | undefined;
      spread: boolean;
      select: SelectItem[];
    };

export type FilterOperator =
  | 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte'
  | 'like' | 'ilike' | 'match' | 'imatch'
  | 'in' | 'is' | 'isdistinct'
  | 'fts' | 'plfts' | 'phfts' | 'wfts'
  | 'cs' | 'cd' | 'ov' | 'sl' | 'sr' | 'nxr' | 'nxl' | 'adj';

export type Quantifier = 'any' | 'all';

export type FilterValue =
  /** a single value, still text: the planner casts it to the column's type in SQL */
  | { kind: 'scalar'; value: string }
  /** `in.(a,b,"c,d")` */
  | { kind: 'list'; values: string[] }
  /** `is.null|not_null|true|false|unknown` */
  | { kind: 'is'; value: 'null' | 'not_null' | 'true' | 'false' | 'unknown' }
  /** `fts(english).term` */
  | { kind: 'fts'; language: string | undefined; query: string }
  /** `eq(any).{a,b}`: the elements of the array literal (an unquoted NULL stays the text `NULL`) */
  | { kind: 'quantified'; quantifier: Quantifier; values: string[] };

export interface Filter {
  field: FieldPath;
  operator: FilterOperator;
  negated: boolean;
  value: FilterValue;
}

export type LogicTree =
  | { kind: 'filter'; filter: Filter }
  | { kind: 'and' | 'or'; negated: boolean; children: LogicTree[] };

export interface OrderTerm {
  /** For `order=rel(col)`: the to-one embedded relation whose column orders the parent. */
  relation: string | undefined;
  field: FieldPath;
  direction: 'asc' | 'desc' | undefined;
  nulls: 'first' | 'last' | undefined;
}

/** Filters, logic, order and paging of one level of the request (root or one embed path). */
export interface NodeModifiers {
  /** Conjunction of simple filters (`col=op.val`). */
  filters: Filter[];
  /** `or=(…)`, `and=(…)`, `not.or=(…)`: each is ANDed with the filters. */
  logic: LogicTree[];
  order: OrderTerm[];
  limit: number | undefined;
  offset: number | undefined;
}

export type Count = 'exact' | 'planned' | 'estimated';

export interface Preferences {
  return: 'minimal' | 'representation' | 'headers-only' | undefined;
  count: Count | undefined;
  resolution: 'merge-duplicates' | 'ignore-duplicates' | undefined;
  missing: 'default' | 'null' | undefined;
  handling: 'strict' | 'lenient' | undefined;
  tx: 'commit' | 'rollback' | undefined;
  params: 'single-object' | undefined;
  maxAffected: number | undefined;
  timezone: string | undefined;
  /** Every preference we understood, for `Preference-Applied`. */
  understood: string[];
  /** Preferences we did not understand (an error under `handling=strict`). */
  invalid: string[];
}

export type MediaType =
  | 'application/json'
  | 'application/vnd.pgrst.object+json'
  | 'application/vnd.pgrst.array+json'
  | 'text/csv'
  | 'application/openapi+json'
  | 'application/vnd.pgrst.plan'
  | 'application/vnd.pgrst.plan+json'
  | 'application/vnd.pgrst.plan+text'
  | 'text/plain'
  | 'application/octet-stream'
  | 'application/x-www-form-urlencoded'
  | '*/*';

export interface AcceptedMediaType {
  type: MediaType | string;
  /** `application/vnd.pgrst.plan+json; for="application/json"; options=analyze|verbose` */
  parameters: Record<string, string>;
  quality: number;
}

export type Target =
  | { kind: 'relation'; name: string }
  | { kind: 'routine'; name: string }
  /** `GET /` : the OpenAPI description of the schema */
  | { kind: 'root' };

export type Action =
  | { kind: 'read'; headersOnly: boolean }
  | { kind: 'insert' }
  /** PUT on a primary key: insert or replace one row */
  | { kind: 'put' }
  | { kind: 'update' }
  | { kind: 'delete' }
  | { kind: 'call'; method: 'GET' | 'HEAD' | 'POST'; }
  | { kind: 'info' };

export type Payload =
  /** The JSON body as raw text: rows stay text until Postgres parses them (json_populate_recordset). */
  | { kind: 'json'; raw: string; /** keys of the object, or union of keys of the array's objects */ keys: string[]; isArray: boolean }
  /** CSV body converted to a JSON array text (header row gives the keys). */
  | { kind: 'csv'; raw: string; keys: string[] }
  /** Single unnamed param of type text/bytea/json: the body passed whole. */
  | { kind: 'raw'; raw: Buffer; contentType: string }
  /** `application/x-www-form-urlencoded` converted to a JSON object text. */
  | { kind: 'urlencoded'; raw: string; keys: string[] };

export interface ApiRequest {
  method: string;
  path: string;
  action: Action;
  target: Target;
  /** The schema picked by `Accept-Profile`/`Content-Profile`, or the first of db-schemas. */
  schema: string;
  /** The `select` tree; `[{kind:'star'}]` when absent. */
  select: SelectItem[];
  /** Modifiers keyed by embed path: '' for the root, 'clients', 'clients.projects', … */
  modifiers: Map<string, NodeModifiers>;
  /** `columns=a,b` for insert/update and for RPC arguments. */
  columns: string[] | undefined;
  /** `on_conflict=a,b` */
  onConflict: string[] | undefined;
  /**
   * GET/HEAD RPC call only: every non-reserved query parameter, raw (values of a repeated name
   * in order); the planner tells arguments from filters and parses the latter with
   * `parseFilterParam`. Empty for other requests, whose such parameters are `modifiers` filters.
   */
  rpcArguments: Map<string, string[]>;
  preferences: Preferences;
  accept: AcceptedMediaType[];
  contentType: string | undefined;
  /**
   * From `Range: 0-9` / `Range: 5-` on GET only (as PostgREST; `Range-Unit` is not read, other
   * forms are ignored); to be intersected with the root's limit/offset.
   */
  range: { offset: number; limit: number | undefined } | undefined;
  payload: Payload | undefined;
  headers: Record<string, string>;
  cookies: Record<string, string>;
}
