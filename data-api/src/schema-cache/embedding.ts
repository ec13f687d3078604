import { Errors, PgrstError } from '../errors.ts';
import { FuzzySet } from './fuzzy.ts';
import { relationshipIsSelf } from './relationships.ts';
import { qualifiedKey, type QualifiedName, type ForeignKeyRelationship, type SchemaCache } from './types.ts';

/**
 * PostgREST's embedding resolution (Plan.hs `findRel`): which relationship
 * `/source?select=target!hint(…)` means.
 *
 * `target` may be a table or view name, a foreign key constraint name or a foreign key column
 * of the source (the last two only towards tables); `hint` may be a constraint name, a single
 * foreign key column of either side, or a junction table (many-to-many). In a
 * self-relationship, `zones(*)` is the one-to-many (children) and a column name such as
 * `parent_zone_id(*)` the many-to-one (parent); with a hint, `zones!parent_zone_id(*)` is the
 * one-to-many through that column.
 *
 * Only relationships whose target is in the source's schema are considered. Returns the one
 * relationship, or the PGRST200 / PGRST201 error (a value, not thrown).
 */
export function findRelationships(cache: SchemaCache, source: QualifiedName, targetName: string, hint: string | undefined): ForeignKeyRelationship | PgrstError {
  const candidates = (cache.relationships.get(qualifiedKey(source)) ?? []).filter((rel) => rel.target.schema === source.schema);
  const targetIsView = (rel: ForeignKeyRelationship) => {
    const kind = cache.relations.get(qualifiedKey(rel.target))?.kind;
    return kind === 'view' || kind === 'materialized_view';
  };

  const matches = candidates.filter((rel) => {
    const targetMatches = rel.target.name === targetName;
    if (relationshipIsSelf(rel)) {
      if (hint === undefined) {
        return (targetMatches && rel.kind === 'one-to-many') || (rel.kind === 'many-to-one' && matchesSourceColumn(rel, targetName));
      }
      return targetMatches && rel.kind === 'one-to-many' && matchesTargetColumn(rel, hint);
    }
    if (hint === undefined) {
      return targetMatches || (!targetIsView(rel) && (matchesConstraint(rel, targetName) || matchesSourceColumn(rel, targetName)));
    }
    return (
      targetMatches &&
      (matchesConstraint(rel, hint) || matchesSourceColumn(rel, hint) || matchesTargetColumn(rel, hint) || matchesJunction(rel, hint))
    );
  });

  const [first, ...rest] = matches;
  if (first && rest.length === 0) return first;
  if (first) return ambiguousRelationship(source.name, targetName, matches);
  return noRelationship(cache, source, targetName, hint);
}

function matchesConstraint(rel: ForeignKeyRelationship, name: string): boolean {
  return rel.kind !== 'many-to-many' && rel.constraintName === name;
}

/** A single-column key whose column on the source side is `name`. */
function matchesSourceColumn(rel: ForeignKeyRelationship, name: string): boolean {
  return rel.kind !== 'many-to-many' && rel.columns.length === 1 && rel.columns[0]![0] === name;
}

/** A single-column key whose column on the target side is `name`. */
function matchesTargetColumn(rel: ForeignKeyRelationship, name: string): boolean {
  return rel.kind !== 'many-to-many' && rel.columns.length === 1 && rel.columns[0]![1] === name;
}

function matchesJunction(rel: ForeignKeyRelationship, name: string): boolean {
  return rel.kind === 'many-to-many' && rel.junction.name === name;
}

const list = (columns: string[]) => `(${columns.join(', ')})`;

/** One entry of PGRST201's `details`, as PostgREST's `compressedRel` writes it. */
export function describeRelationship(rel: ForeignKeyRelationship): { cardinality: string; embedding: string; relationship: string } {
  const embedding = `${rel.source.name} with ${rel.target.name}`;
  if (rel.kind === 'many-to-many') {
    return {
      cardinality: rel.kind,
      embedding,
      relationship:
        `${rel.junction.name} using ${rel.sourceConstraint}${list(rel.sourceColumns.map(([junction]) => junction))}` +
        ` and ${rel.targetConstraint}${list(rel.targetColumns.map(([junction]) => junction))}`,
    };
  }
  return {
    cardinality: rel.kind,
    embedding,
    relationship:
      `${rel.constraintName} using ${rel.source.name}${list(rel.columns.map(([column]) => column))}` +
      ` and ${rel.target.name}${list(rel.columns.map(([, column]) => column))}`,
  };
}

function ambiguousRelationship(parent: string, child: string, rels: ForeignKeyRelationship[]): PgrstError {
  const details = rels.map(describeRelationship);
  const choices = rels
    .map((rel) => `'${rel.target.name}!${rel.kind === 'many-to-many' ? rel.junction.name : rel.constraintName}'`)
    .join(', ');
  const hint = `Try changing '${child}' to one of the following: ${choices}. Find the desired relationship in the 'details' key.`;
  return Errors.ambiguousRelationship(parent, child, details, hint);
}

function noRelationship(cache: SchemaCache, source: QualifiedName, child: string, embedHint: string | undefined): PgrstError {
  return Errors.noRelationship(source.name, child, source.schema, suggestion(cache, source, child), embedHint);
}

/** PostgREST's `noRelBetweenHint`: a close target of the source, else a close source of the schema. */
function suggestion(cache: SchemaCache, source: QualifiedName, child: string): string | null {
  const sourceRels = cache.relationships.get(qualifiedKey(source));
  if (sourceRels) {
    const children = new FuzzySet(sourceRels.filter((rel) => rel.target.schema === source.schema).map((rel) => rel.target.name));
    const closest = children.get(child).find(([score]) => score < 1);
    return closest ? `Perhaps you meant '${closest[1]}' instead of '${child}'.` : null;
  }
  const parents = new FuzzySet(
    [...cache.relationships.values()].flatMap((rels) => rels.slice(0, 1).filter((rel) => rel.source.schema === source.schema).map((rel) => rel.source.name)),
  );
  const closest = parents.getOne(source.name);
  return closest !== undefined ? `Perhaps you meant '${closest}' instead of '${source.name}'.` : null;
}
