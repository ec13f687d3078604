import type { ConstraintRow, RelKind, RelationRow, ViewRow } from './queries.ts';
import { viewTargetEntries } from './node-tree.ts';
import { qualifiedKey, type QualifiedName, type ForeignKeyRelationship } from './types.ts';

/**
 * Relationships as PostgREST derives them (SchemaCache.hs), from plain rows: foreign keys give
 * many-to-one (one-to-one when the FK columns are a primary key or unique constraint), views
 * inherit the primary and foreign keys of the base table columns they expose, junction tables
 * (two foreign keys whose columns are all part of the junction's primary key) give
 * many-to-many, and every to-one relationship has its inverse. Only relationships whose
 * source, target and junction are in the exposed schemas are kept.
 */

export interface RelationshipInput {
  schemas: string[];
  /** Relations of the exposed schemas. */
  relations: RelationRow[];
  /** PK, unique and FK constraints of the whole database. */
  constraints: ConstraintRow[];
  /** Views of the exposed schemas and the views they are built on. */
  views: ViewRow[];
}

export interface RelationshipGraph {
  /** Primary keys of views (and materialized views), by relation oid, inferred from their base tables. */
  viewPrimaryKeys: Map<number, string[]>;
  /** Relationships by `schema.name` of their source, sorted as PostgREST sorts them. */
  relationships: Map<string, ForeignKeyRelationship[]>;
}

/** A to-one relationship while the graph is built (PostgREST's M2O / O2O with view flags). */
interface ToOne {
  kind: 'many-to-one' | 'one-to-one';
  source: QualifiedName;
  target: QualifiedName;
  isSelf: boolean;
  constraintOid: number;
  constraintName: string;
  /** source column = target column */
  columns: Array<[string, string]>;
}

type KeyDependencyType = 'p' | 'f' | 'f_ref';

/** A primary or foreign key of a base table whose every column a view exposes. */
interface KeyDependency {
  table: number;
  view: QualifiedName;
  viewOid: number;
  constraint: ConstraintRow;
  type: KeyDependencyType;
  /** In key order: the table column and every view column that exposes it. */
  columns: Array<[string, string[]]>;
}

const isViewKind = (kind: RelKind | null | undefined): boolean => kind === 'v' || kind === 'm';

export function buildRelationships(input: RelationshipInput): RelationshipGraph {
  const exposed = new Set(input.schemas);
  const keyDependencies = viewKeyDependencies(input);
  const viewPrimaryKeys = inferViewPrimaryKeys(input.relations, keyDependencies);

  const tableToOnes = foreignKeyRelationships(input.constraints);
  const toOnes = [...tableToOnes, ...viewToOnes(tableToOnes, keyDependencies)];

  const primaryKeys = new Map<string, string[]>();
  for (const relation of input.relations) {
    primaryKeys.set(qualifiedKey(relation), isViewKind(relation.relkind) ? (viewPrimaryKeys.get(relation.oid) ?? []) : relation.primary_key);
  }

  const all: ForeignKeyRelationship[] = [];
  for (const rel of toOnes) {
    all.push({
      kind: rel.kind,
      source: rel.source,
      target: rel.target,
      constraintName: rel.constraintName,
      columns: rel.columns,
      isSelf: rel.isSelf,
      foreignKeySide: 'source',
    });
  }
  all.push(...manyToManyRelationships(toOnes, primaryKeys));
  for (const rel of toOnes) {
    all.push({
      kind: rel.kind === 'many-to-one' ? 'one-to-many' : 'one-to-one',
      source: rel.target,
      target: rel.source,
      constraintName: rel.constraintName,
      columns: rel.columns.map(([a, b]) => [b, a]),
      isSelf: rel.isSelf,
      foreignKeySide: 'target',
    });
  }

  const relationships = new Map<string, ForeignKeyRelationship[]>();
  for (const rel of all) {
    if (!exposed.has(rel.source.schema) || !exposed.has(rel.target.schema)) continue;
    if (rel.kind === 'many-to-many' && !exposed.has(rel.junction.schema)) continue;
    const key = qualifiedKey(rel.source);
    const list = relationships.get(key);
    if (list) list.push(rel);
    else relationships.set(key, [rel]);
  }
  for (const list of relationships.values()) list.sort(compareRelationships);
  return { viewPrimaryKeys, relationships };
}

/** Many-to-one and one-to-one relationships of every foreign key of the database. */
function foreignKeyRelationships(constraints: ConstraintRow[]): ToOne[] {
  const uniqueKeys = new Map<number, Array<Set<string>>>();
  for (const constraint of constraints) {
    if (constraint.type === 'f') continue;
    const keys = uniqueKeys.get(constraint.relid) ?? [];
    keys.push(new Set(constraint.columns.map((column) => column.name)));
    uniqueKeys.set(constraint.relid, keys);
  }
  const result: ToOne[] = [];
  for (const constraint of constraints) {
    if (constraint.type !== 'f' || constraint.fschema === null || constraint.frelation === null) continue;
    const columns = constraint.columns.map((column, index): [string, string] => [column.name, constraint.foreign_columns[index]?.name ?? '']);
    const fkColumns = new Set(columns.map(([column]) => column));
    const oneToOne = (uniqueKeys.get(constraint.relid) ?? []).some((key) => key.size === fkColumns.size && [...key].every((column) => fkColumns.has(column)));
    result.push({
      kind: oneToOne ? 'one-to-one' : 'many-to-one',
      source: { schema: constraint.schema, name: constraint.relation },
      target: { schema: constraint.fschema, name: constraint.frelation },
      isSelf: constraint.relid === constraint.frelid,
      constraintOid: constraint.oid,
      constraintName: constraint.name,
      columns,
    });
  }
  return result;
}

/**
 * For each view of the exposed schemas: the base table columns behind its columns (following
 * views over views), then every PK / FK / referenced-FK key whose columns are all exposed.
 */
function viewKeyDependencies(input: RelationshipInput): KeyDependency[] {
  const exposed = new Set(input.schemas);
  const viewEntries = new Map<number, Map<number, { table: number; column: number }>>();
  for (const view of input.views) {
    const entries = new Map<number, { table: number; column: number }>();
    for (const entry of viewTargetEntries(view.definition)) entries.set(entry.resno, { table: entry.resorigtbl, column: entry.resorigcol });
    viewEntries.set(view.oid, entries);
  }

  const constraintsByTable = new Map<number, Array<{ constraint: ConstraintRow; type: KeyDependencyType }>>();
  const addConstraint = (table: number, constraint: ConstraintRow, type: KeyDependencyType) => {
    const list = constraintsByTable.get(table) ?? [];
    list.push({ constraint, type });
    constraintsByTable.set(table, list);
  };
  for (const constraint of input.constraints) {
    if (constraint.type === 'p') addConstraint(constraint.relid, constraint, 'p');
    if (constraint.type === 'f') {
      addConstraint(constraint.relid, constraint, 'f');
      addConstraint(constraint.frelid, constraint, 'f_ref');
    }
  }

  const dependencies: KeyDependency[] = [];
  for (const view of input.relations) {
    if (!isViewKind(view.relkind) || !exposed.has(view.schema)) continue;
    const entries = viewEntries.get(view.oid);
    if (!entries) continue;
    const columnNames = new Map(view.columns.map((column) => [column.position, column.name]));

    // (base table, base column number) -> view columns exposing it, in view column order
    const origins = new Map<number, Map<number, string[]>>();
    for (const [resno, origin] of [...entries].sort(([a], [b]) => a - b)) {
      const base = resolveOrigin(origin, viewEntries, view.oid);
      const viewColumn = columnNames.get(resno);
      if (!base || viewColumn === undefined) continue;
      const byColumn = origins.get(base.table) ?? new Map<number, string[]>();
      const list = byColumn.get(base.column) ?? [];
      list.push(viewColumn);
      byColumn.set(base.column, list);
      origins.set(base.table, byColumn);
    }

    for (const [table, byColumn] of origins) {
      for (const { constraint, type } of constraintsByTable.get(table) ?? []) {
        const keyColumns = type === 'f_ref' ? constraint.foreign_columns : constraint.columns;
        if (keyColumns.length === 0 || !keyColumns.every((column) => byColumn.has(column.num))) continue;
        dependencies.push({
          table,
          view: { schema: view.schema, name: view.name },
          viewOid: view.oid,
          constraint,
          type,
          columns: keyColumns.map((column) => [column.name, byColumn.get(column.num) ?? []]),
        });
      }
    }
  }
  return dependencies;
}

/** Follows a view column through the views it is built on, down to a table column. */
function resolveOrigin(
  origin: { table: number; column: number },
  viewEntries: Map<number, Map<number, { table: number; column: number }>>,
  startView: number,
): { table: number; column: number } | undefined {
  const seen = new Set<number>([startView]);
  let current = origin;
  for (;;) {
    if (current.table === 0 || current.column <= 0) return undefined;
    const entries = viewEntries.get(current.table);
    if (!entries) return current;
    if (seen.has(current.table)) return undefined;
    seen.add(current.table);
    const next = entries.get(current.column);
    if (!next) return undefined;
    current = next;
  }
}

/** A view's primary key: the first view column exposing each column of its base table's primary key. */
function inferViewPrimaryKeys(relations: RelationRow[], dependencies: KeyDependency[]): Map<number, string[]> {
  const result = new Map<number, string[]>();
  for (const dependency of dependencies) {
    if (dependency.type !== 'p') continue;
    const columns = result.get(dependency.viewOid) ?? [];
    for (const [, viewColumns] of dependency.columns) {
      const first = viewColumns[0];
      if (first !== undefined) columns.push(first);
    }
    result.set(dependency.viewOid, columns);
  }
  for (const relation of relations) if (isViewKind(relation.relkind) && !result.has(relation.oid)) result.set(relation.oid, []);
  return result;
}

/** Every combination of view columns when a key column is exposed more than once. */
function expandColumns(columns: Array<[string, string[]]>): Array<Array<[string, string]>> {
  let combinations: Array<Array<[string, string]>> = [[]];
  for (const [tableColumn, viewColumns] of columns) {
    const next: Array<Array<[string, string]>> = [];
    for (const combination of combinations) for (const viewColumn of viewColumns) next.push([...combination, [tableColumn, viewColumn]]);
    combinations = next;
  }
  return combinations;
}

/** To-one relationships from views to tables, tables to views and views to views. */
function viewToOnes(tableToOnes: ToOne[], dependencies: KeyDependency[]): ToOne[] {
  const result: ToOne[] = [];
  for (const rel of tableToOnes) {
    const fromViews = dependencies.filter((dependency) => dependency.type === 'f' && dependency.constraint.oid === rel.constraintOid);
    const toViews = dependencies.filter((dependency) => dependency.type === 'f_ref' && dependency.constraint.oid === rel.constraintOid);
    const base = { kind: rel.kind, constraintOid: rel.constraintOid, constraintName: rel.constraintName };
    for (const from of fromViews) {
      for (const fromColumns of expandColumns(from.columns)) {
        result.push({
          ...base,
          source: from.view,
          target: rel.target,
          isSelf: false,
          columns: fromColumns.map(([, viewColumn], index): [string, string] => [viewColumn, rel.columns[index]?.[1] ?? '']),
        });
      }
    }
    for (const to of toViews) {
      for (const toColumns of expandColumns(to.columns)) {
        result.push({
          ...base,
          source: rel.source,
          target: to.view,
          isSelf: false,
          columns: rel.columns.map(([tableColumn], index): [string, string] => [tableColumn, toColumns[index]?.[1] ?? '']),
        });
      }
    }
    for (const from of fromViews) {
      for (const fromColumns of expandColumns(from.columns)) {
        for (const to of toViews) {
          for (const toColumns of expandColumns(to.columns)) {
            result.push({
              ...base,
              source: from.view,
              target: to.view,
              isSelf: from.viewOid === to.viewOid,
              columns: fromColumns.map(([, viewColumn], index): [string, string] => [viewColumn, toColumns[index]?.[1] ?? '']),
            });
          }
        }
      }
    }
  }
  return result;
}

/**
 * Many-to-many through a junction: two different many-to-one foreign keys of the same
 * relation whose columns are all part of its primary key (PostgREST's addM2MRels).
 */
function manyToManyRelationships(toOnes: ToOne[], primaryKeys: Map<string, string[]>): ForeignKeyRelationship[] {
  const bySource = new Map<string, ToOne[]>();
  for (const rel of toOnes) {
    if (rel.kind !== 'many-to-one') continue;
    const key = qualifiedKey(rel.source);
    const list = bySource.get(key) ?? [];
    list.push(rel);
    bySource.set(key, list);
  }
  const result: ForeignKeyRelationship[] = [];
  for (const [junctionKey, rels] of bySource) {
    const primaryKey = new Set(primaryKeys.get(junctionKey) ?? []);
    if (primaryKey.size === 0) continue;
    for (const first of rels) {
      for (const second of rels) {
        if (first.constraintName === second.constraintName) continue;
        const junctionColumns = [...first.columns, ...second.columns].map(([column]) => column);
        if (!junctionColumns.every((column) => primaryKey.has(column))) continue;
        result.push({
          kind: 'many-to-many',
          source: first.target,
          target: second.target,
          junction: first.source,
          sourceConstraint: first.constraintName,
          targetConstraint: second.constraintName,
          sourceColumns: first.columns,
          targetColumns: second.columns,
        });
      }
    }
  }
  return result;
}

const cardinalityOrder: Record<ForeignKeyRelationship['kind'], number> = { 'one-to-many': 0, 'many-to-one': 1, 'one-to-one': 2, 'many-to-many': 3 };

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareNames(a: QualifiedName, b: QualifiedName): number {
  return compareText(a.schema, b.schema) || compareText(a.name, b.name);
}

function comparePairs(a: Array<[string, string]>, b: Array<[string, string]>): number {
  for (let index = 0; index < Math.min(a.length, b.length); index++) {
    const left = a[index]!;
    const right = b[index]!;
    const order = compareText(left[0], right[0]) || compareText(left[1], right[1]);
    if (order) return order;
  }
  return a.length - b.length;
}

export function relationshipIsSelf(rel: ForeignKeyRelationship): boolean {
  return rel.kind === 'many-to-many' ? qualifiedKey(rel.source) === qualifiedKey(rel.target) : rel.isSelf;
}

/** PostgREST's order (derived Ord of its ForeignKeyRelationship): target, self, cardinality, constraint, columns. */
export function compareRelationships(a: ForeignKeyRelationship, b: ForeignKeyRelationship): number {
  const order =
    compareNames(a.source, b.source) ||
    compareNames(a.target, b.target) ||
    Number(relationshipIsSelf(a)) - Number(relationshipIsSelf(b)) ||
    cardinalityOrder[a.kind] - cardinalityOrder[b.kind];
  if (order) return order;
  if (a.kind === 'many-to-many' && b.kind === 'many-to-many') {
    return (
      compareNames(a.junction, b.junction) ||
      compareText(a.sourceConstraint, b.sourceConstraint) ||
      compareText(a.targetConstraint, b.targetConstraint) ||
      comparePairs(a.sourceColumns, b.sourceColumns) ||
      comparePairs(a.targetColumns, b.targetColumns)
    );
  }
  if (a.kind !== 'many-to-many' && b.kind !== 'many-to-many') {
    return compareText(a.constraintName, b.constraintName) || comparePairs(a.columns, b.columns);
  }
  return 0;
}
