/**
 * What the data API knows of the exposed schemas: the result of introspection, plain data,
 * read by the planner. Every identifier in a request is checked against this before it can
 * reach SQL.
 */

export interface QualifiedName {
  schema: string;
  name: string;
}

export interface Column {
  name: string;
  /** Postgres type as `format_type` prints it (`integer`, `text[]`, `character varying(20)`). */
  type: string;
  /** The base type's name for arrays/domains resolution (`int4`, `text`, `jsonb`, …). */
  udtName: string;
  nullable: boolean;
  /** Default expression text, if any (`nextval(...)`, `now()`). */
  defaultExpr: string | null;
  /** Cannot be written: `GENERATED ALWAYS AS (…) STORED` or `GENERATED ALWAYS AS IDENTITY`. */
  generated: boolean;
  /** For OpenAPI and CSV handling. */
  isArray: boolean;
  description: string | null;
  /** Position in the table (1-based), for `*` ordering. */
  position: number;
  /** Enum labels when the column's type is an enum. */
  enumValues: string[] | null;
  /**
   * The type as PostgREST reports it (OpenAPI `format`): built-in types without modifiers
   * (`character varying`, `numeric`), domains over built-in types as their base type. Filled by
   * introspection; `type` is used when absent.
   */
  dataType?: string;
  /** n of `character varying(n)` / `character(n)` / `bit(n)` (OpenAPI `maxLength`); null when unbounded. */
  maxLength?: number | null;
  /** The casts of the column's domain that PostgREST applies for it; absent when it has none. */
  representations?: DataRepresentations;
}

/**
 * PostgREST's data representations of a domain: implicit casts done by a function
 * (`CREATE CAST (color AS json) WITH FUNCTION json(color) AS IMPLICIT`), each naming the
 * function to call. PostgreSQL itself ignores casts to and from a domain; PostgREST applies them.
 */
export interface DataRepresentations {
  /** `domain → json`: how a value is written in a response. */
  toJson?: QualifiedName;
  /** `json → domain`: how a value of a JSON body is read. */
  fromJson?: QualifiedName;
  /** `text → domain`: how a filter value of the query string is read. */
  fromText?: QualifiedName;
}

export type RelationKind = 'table' | 'view' | 'materialized_view' | 'foreign_table' | 'partitioned_table';

export interface Relation extends QualifiedName {
  kind: RelationKind;
  /** In declaration order. */
  columns: Column[];
  /** Empty when none (views: inferred from the base table when the view exposes it). */
  primaryKey: string[];
  insertable: boolean;
  updatable: boolean;
  deletable: boolean;
  description: string | null;
  /** A partition: readable and writable by its own name, but in no relationship and not in OpenAPI (PostgREST 12). */
  isPartition?: boolean;
}

/**
 * A foreign key between two relations, as PostgREST sees it: also through views, where the
 * view's columns map one-to-one onto the base table's key columns.
 */
export interface ForeignKey {
  constraintName: string;
  /** The relation holding the foreign key columns. */
  from: QualifiedName;
  fromColumns: string[];
  /** The referenced relation. */
  to: QualifiedName;
  toColumns: string[];
  /** True when fromColumns are exactly a primary key or unique constraint of `from` (one-to-one). */
  fromIsUnique: boolean;
}

/**
 * A relationship usable for embedding, seen from one relation (`source`): PostgREST's
 * M2O / O2M / O2O / M2M cardinalities.
 */
export type ForeignKeyRelationship =
  | {
      kind: 'many-to-one' | 'one-to-many' | 'one-to-one';
      source: QualifiedName;
      target: QualifiedName;
      constraintName: string;
      /** Pairs: source column = target column. */
      columns: Array<[string, string]>;
      /** Source and target are the same relation (a self-reference such as zones.parent_zone_id). */
      isSelf: boolean;
      /**
       * Which side holds the foreign key columns: always 'source' for many-to-one and 'target'
       * for one-to-many; either for one-to-one. Filled by introspection; when absent, inferred
       * from `kind` ('source' for one-to-one).
       */
      foreignKeySide?: 'source' | 'target';
    }
  | {
      kind: 'many-to-many';
      source: QualifiedName;
      target: QualifiedName;
      junction: QualifiedName;
      /** FK of the junction to source, and to target. */
      sourceConstraint: string;
      targetConstraint: string;
      /** junction column = source column */
      sourceColumns: Array<[string, string]>;
      /** junction column = target column */
      targetColumns: Array<[string, string]>;
    };

/**
 * A computed relationship (PostgREST's ComputedRelationship): a function `f(source) returns
 * setof target` (to-many), or `returns target` / `rows 1` (to-one), embedded as `f(…)` and
 * read as `FROM f(parent_row)`. It takes the place of a foreign key relationship to a
 * relation of the same name.
 */
export interface ComputedRelationship {
  kind: 'computed';
  source: QualifiedName;
  target: QualifiedName;
  function: QualifiedName;
  toOne: boolean;
  isSelf: boolean;
}

export type Relationship = ForeignKeyRelationship | ComputedRelationship;

export type Volatility = 'immutable' | 'stable' | 'volatile';

export interface RoutineParameter {
  /** '' for the single unnamed bytea/json/jsonb/text/xml parameter (the request body is passed to it as is). */
  name: string;
  type: string;
  udtName: string;
  hasDefault: boolean;
  isVariadic: boolean;
  /** IN / INOUT parameters only are listed; OUT and TABLE columns are in `returns`. */
}

export type RoutineReturn =
  /** returns a row type of a known relation (`setof items` or `items`) */
  | { kind: 'relation'; relation: QualifiedName; isSetOf: boolean }
  /** returns a scalar (or a set of scalars) */
  | { kind: 'scalar'; type: string; isSetOf: boolean }
  /** returns a composite/record with OUT or TABLE columns */
  | { kind: 'composite'; columns: Array<{ name: string; type: string }>; isSetOf: boolean }
  | { kind: 'void' };

export interface Routine extends QualifiedName {
  parameters: RoutineParameter[];
  returns: RoutineReturn;
  volatility: Volatility;
  description: string | null;
  /** `SET default_transaction_isolation = …` on the function, as PostgREST reads it; null when not set. */
  isolationLevel?: 'read committed' | 'repeatable read' | 'serializable' | null;
  /** Several overloads may share a name; PostgREST picks by the given argument names. */
  oid: number;
}

/**
 * A media type handler (PostgREST ≥ 12): an aggregate over a relation's rows (or anyelement)
 * or a function, whose result is a domain named after the media type it answers.
 */
export interface MediaHandler {
  /** aggregate: `agg(row)` over the response rows is the body; function: the function's result is the body as it is. */
  kind: 'aggregate' | 'function';
  handler: QualifiedName;
  /** The relation whose rows an aggregate takes (its row type); undefined for anyelement and for functions. */
  target: QualifiedName | undefined;
  /** What it answers, lower-cased (`text/html`, `*\/*`). */
  mediaType: string;
  /** Content-Type of its response (`application/octet-stream` for `*\/*`). */
  contentType: string;
  /** A domain over bytea: the body is bytes, not text. */
  binary: boolean;
}

/** Handlers by target (`schema.name` of a relation or function, `*` for anyelement), then by media type. */
export type MediaHandlers = Map<string, Map<string, MediaHandler>>;

export interface SchemaCache {
  /** The exposed schemas, in `db-schemas` order; the first is the default. */
  schemas: string[];
  relations: Map<string, Relation>;
  /** All foreign key relationships, indexed by `schema.name` of their source. */
  relationships: Map<string, ForeignKeyRelationship[]>;
  /** Computed relationships (functions of the exposed schemas), indexed by `schema.name` of their source. */
  computedRelationships?: Map<string, ComputedRelationship[]>;
  /** Overloads share the key `schema.name`. */
  routines: Map<string, Routine[]>;
  /** When it was loaded, for logs and the admin `/ready`. */
  loadedAt: Date;
  /** pg_timezone_names, for `Prefer: timezone=` (PostgREST's dbTimezones). */
  timezones?: ReadonlySet<string>;
  /** Media type handlers (domains named after media types); absent or empty when there are none. */
  mediaHandlers?: MediaHandlers;
  /** `COMMENT ON SCHEMA` of each exposed schema (OpenAPI title and description). */
  schemaDescriptions?: Map<string, string | null>;
}

export function qualifiedKey(name: QualifiedName): string {
  return `${name.schema}.${name.name}`;
}
