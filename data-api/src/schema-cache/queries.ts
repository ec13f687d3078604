import { readFileSync } from 'node:fs';
import type { QueryResultRow } from 'pg';
import type { Column } from './types.ts';

/**
 * The introspection queries (one `.sql` file each, beside this module) and the rows they
 * return. All are unnamed statements with bound parameters: safe through PgBouncer in
 * transaction mode. They expect `search_path = ''` (set by `introspectSchemaCache`), so that
 * `format_type` schema-qualifies every type outside pg_catalog.
 */

/** What introspection needs of a connection: `pg.Client` and `pg.PoolClient` both fit. */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

function load(name: string): string {
  return readFileSync(new URL(`./sql/${name}.sql`, import.meta.url), 'utf8');
}

const sql = {
  relations: load('relations'),
  constraints: load('constraints'),
  views: load('views'),
  routines: load('routines'),
  schemaDescriptions: load('schema-descriptions'),
  computedRelationships: load('computed-relationships'),
  dataRepresentations: load('data-representations'),
};

export type RelKind = 'r' | 'v' | 'm' | 'f' | 'p';

/** A column as relations.sql builds it: every field of the cache's Column but the data representations (another query's), none left out. */
export type ColumnRow = Required<Omit<Column, 'representations'>>;

export interface RelationRow {
  oid: number;
  schema: string;
  name: string;
  relkind: RelKind;
  is_partition: boolean;
  description: string | null;
  insertable: boolean;
  updatable: boolean;
  deletable: boolean;
  primary_key: string[];
  columns: ColumnRow[];
}

export interface ConstraintColumn {
  num: number;
  name: string;
}

export interface ConstraintRow {
  oid: number;
  name: string;
  type: 'p' | 'u' | 'f';
  relid: number;
  schema: string;
  relation: string;
  relkind: RelKind;
  columns: ConstraintColumn[];
  /** Foreign keys only (0 / null / [] otherwise). */
  frelid: number;
  fschema: string | null;
  frelation: string | null;
  frelkind: RelKind | null;
  foreign_columns: ConstraintColumn[];
}

export interface ViewRow {
  oid: number;
  schema: string;
  name: string;
  /** `pg_rewrite.ev_action` as text (pg_node_tree). */
  definition: string;
}

export interface RoutineArgumentRow {
  /** '' when unnamed */
  name: string;
  type: string;
  udtName: string;
  /** i = IN, o = OUT, b = INOUT, v = VARIADIC, t = TABLE column */
  mode: 'i' | 'o' | 'b' | 'v' | 't';
}

export interface RoutineRow {
  oid: number;
  schema: string;
  name: string;
  description: string | null;
  volatility: 'i' | 's' | 'v';
  returns_set: boolean;
  input_count: number;
  default_count: number;
  arguments: RoutineArgumentRow[];
  /** b base, c composite, d domain (resolved away), e enum, p pseudo, r range, m multirange */
  return_typtype: string;
  return_type: string;
  return_relkind: RelKind | 'c' | null;
  return_relation_schema: string | null;
  return_relation_name: string | null;
  return_columns: Array<{ name: string; type: string }>;
  isolation_level: string | null;
}

export interface SchemaDescriptionRow {
  schema: string;
  description: string | null;
}

export async function queryRelations(client: Queryable, schemas: string[]): Promise<RelationRow[]> {
  return (await client.query<RelationRow>(sql.relations, [schemas])).rows;
}

export async function queryConstraints(client: Queryable): Promise<ConstraintRow[]> {
  return (await client.query<ConstraintRow>(sql.constraints)).rows;
}

export async function queryViews(client: Queryable, schemas: string[]): Promise<ViewRow[]> {
  return (await client.query<ViewRow>(sql.views, [schemas])).rows;
}

export async function queryRoutines(client: Queryable, schemas: string[]): Promise<RoutineRow[]> {
  return (await client.query<RoutineRow>(sql.routines, [schemas])).rows;
}

export interface ComputedRelationshipRow {
  schema: string;
  name: string;
  source_schema: string;
  source_name: string;
  target_schema: string;
  target_name: string;
  to_one: boolean;
}

export async function queryComputedRelationships(client: Queryable, schemas: string[]): Promise<ComputedRelationshipRow[]> {
  return (await client.query<ComputedRelationshipRow>(sql.computedRelationships, [schemas])).rows;
}

export interface DataRepresentationRow {
  /** The domain, as format_type prints it (the columns' `type`). */
  domain: string;
  /** `to_json`, `to_text`, `from_json` or `from_text`. */
  direction: string;
  function_schema: string;
  function_name: string;
}

export async function queryDataRepresentations(client: Queryable): Promise<DataRepresentationRow[]> {
  return (await client.query<DataRepresentationRow>(sql.dataRepresentations)).rows;
}

export async function querySchemaDescriptions(client: Queryable, schemas: string[]): Promise<SchemaDescriptionRow[]> {
  return (await client.query<SchemaDescriptionRow>(sql.schemaDescriptions, [schemas])).rows;
}
