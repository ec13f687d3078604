import {
  queryComputedRelationships,
  queryConstraints,
  queryDataRepresentations,
  queryRelations,
  queryRoutines,
  querySchemaDescriptions,
  queryViews,
  type Queryable,
  type RelKind,
  type ComputedRelationshipRow,
  type DataRepresentationRow,
  type RelationRow,
} from './queries.ts';
import { buildRelationships } from './relationships.ts';
import { mediaHandlersFromRows, queryMediaHandlers } from './media-handlers.ts';
import { routineFromRow } from './routines.ts';
import { qualifiedKey, type ComputedRelationship, type DataRepresentations, type Relation, type RelationKind, type Routine, type SchemaCache } from './types.ts';

export type { Queryable } from './queries.ts';

const RELATION_KINDS: Record<RelKind, RelationKind> = {
  r: 'table',
  v: 'view',
  m: 'materialized_view',
  f: 'foreign_table',
  p: 'partitioned_table',
};

/**
 * Reads the schema cache of the exposed `schemas` (in `db-schemas` order, the first is the
 * default) over `client`: five unnamed queries in one read-only, repeatable-read transaction
 * (one snapshot; `search_path` emptied for that transaction only, so every type name comes
 * back schema-qualified). The client must not be inside a transaction already.
 */
export async function introspectSchemaCache(client: Queryable, schemas: string[]): Promise<SchemaCache> {
  await client.query('begin isolation level repeatable read read only');
  try {
    await client.query("select pg_catalog.set_config('search_path', '', true)");
    const relationRows = await queryRelations(client, schemas);
    const constraintRows = await queryConstraints(client);
    const viewRows = await queryViews(client, schemas);
    const routineRows = await queryRoutines(client, schemas);
    const descriptionRows = await querySchemaDescriptions(client, schemas);
    const computedRows = await queryComputedRelationships(client, schemas);
    const mediaHandlerRows = await queryMediaHandlers(client, schemas);
    const representationRows = await queryDataRepresentations(client);
    await client.query('commit');

    const graph = buildRelationships({ schemas, relations: relationRows, constraints: constraintRows, views: viewRows });

    const representations = representationsByDomain(representationRows);
    const relations = new Map<string, Relation>();
    for (const row of relationRows) {
      const relation = relationFromRow(row, graph.viewPrimaryKeys.get(row.oid), representations);
      relations.set(qualifiedKey(relation), relation);
    }

    const exposed = new Set(schemas);
    const routines = new Map<string, Routine[]>();
    for (const row of routineRows) {
      const routine = routineFromRow(row, exposed);
      if (!routine) continue;
      const key = qualifiedKey(routine);
      const overloads = routines.get(key);
      if (overloads) overloads.push(routine);
      else routines.set(key, [routine]);
    }

    return {
      schemas: [...schemas],
      relations,
      relationships: graph.relationships,
      computedRelationships: computedRelationships(computedRows, relations),
      routines,
      loadedAt: new Date(),
      schemaDescriptions: new Map(descriptionRows.map((row) => [row.schema, row.description])),
      mediaHandlers: mediaHandlersFromRows(mediaHandlerRows),
    };
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  }
}

/** The computed relationships between relations of the cache, by source. */
function computedRelationships(rows: ComputedRelationshipRow[], relations: Map<string, Relation>): Map<string, ComputedRelationship[]> {
  const bySource = new Map<string, ComputedRelationship[]>();
  for (const row of rows) {
    const source = { schema: row.source_schema, name: row.source_name };
    const target = { schema: row.target_schema, name: row.target_name };
    if (!relations.has(qualifiedKey(source)) || !relations.has(qualifiedKey(target))) continue;
    const relationship: ComputedRelationship = {
      kind: 'computed',
      source,
      target,
      function: { schema: row.schema, name: row.name },
      toOne: row.to_one,
      isSelf: qualifiedKey(source) === qualifiedKey(target),
    };
    const key = qualifiedKey(source);
    bySource.set(key, [...(bySource.get(key) ?? []), relationship]);
  }
  return bySource;
}

const DIRECTIONS = { to_json: 'toJson', from_json: 'fromJson', from_text: 'fromText' } as const;

/**
 * The representations of each domain, by its type name. `domain → text` casts are read by
 * PostgREST too, but only a JSON output uses them (as in PostgREST 12, whose output format is
 * always json), so they are left out.
 */
function representationsByDomain(rows: DataRepresentationRow[]): Map<string, DataRepresentations> {
  const byDomain = new Map<string, DataRepresentations>();
  for (const row of rows) {
    const direction = (DIRECTIONS as Record<string, keyof DataRepresentations | undefined>)[row.direction];
    if (!direction) continue;
    const representations = byDomain.get(row.domain) ?? {};
    representations[direction] = { schema: row.function_schema, name: row.function_name };
    byDomain.set(row.domain, representations);
  }
  return byDomain;
}

function relationFromRow(row: RelationRow, viewPrimaryKey: string[] | undefined, representations: Map<string, DataRepresentations>): Relation {
  const kind = RELATION_KINDS[row.relkind];
  return {
    schema: row.schema,
    name: row.name,
    kind,
    columns: row.columns.map((column) => {
      const columnRepresentations = representations.get(column.type);
      return {
        name: column.name,
        type: column.type,
        udtName: column.udtName,
        nullable: column.nullable,
        defaultExpr: column.defaultExpr,
        generated: column.generated,
        isArray: column.isArray,
        description: column.description,
        position: column.position,
        enumValues: column.enumValues,
        dataType: column.dataType,
        maxLength: column.maxLength,
        ...(columnRepresentations ? { representations: columnRepresentations } : {}),
      };
    }),
    primaryKey: kind === 'view' || kind === 'materialized_view' ? (viewPrimaryKey ?? []) : row.primary_key,
    insertable: row.insertable,
    updatable: row.updatable,
    deletable: row.deletable,
    description: row.description,
    ...(row.is_partition ? { isPartition: true } : {}),
  };
}
