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
  let known = resolved.get(cache);
  if (!known) {
    known = new Map();
    resolved.set(cache, known);
  }
  // a hint that names nothing never finds a relationship, so the successes are bounded by the schema
  const key = `${schema}\0${source.name}\0${target}\0${hint ?? ''}\0${hint === undefined}`;
  const cached = known.get(key);
  if (cached) return cached;
  const found = findRelationships(cache, { schema, name: source.name }, target, hint);
  if (found instanceof Error) throw found;
  known.set(key, found);
  return found;
}

/** Relationships already resolved, per schema cache: a reload starts afresh. Errors are not kept. */
const resolved = new WeakMap<SchemaCache, Map<string, Relationship>>();
