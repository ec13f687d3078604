import type { QualifiedName, Relationship, SchemaCache } from '../schema-cache/types.ts';
import { findRelationships } from '../schema-cache/embedding.ts';

export function isToOne(relationship: Relationship): boolean {
  return relationship.kind === 'many-to-one' || relationship.kind === 'one-to-one';
}

/** The relationship an embed means (PostgREST's `findRel`), or the PGRST200/201 error thrown. */
export function findRelationship(
  cache: SchemaCache,
  schema: string,
  source: QualifiedName,
  target: string,
  hint: string | undefined,
): Relationship {
  const found = findRelationships(cache, { schema, name: source.name }, target, hint);
  if (found instanceof Error) throw found;
  return found;
}
