import { qualifiedKey, type QualifiedName, type Relationship, type SchemaCache } from '../schema-cache/types.ts';
import { findRelationships } from '../schema-cache/embedding.ts';

export function isToOne(relationship: Relationship): boolean {
  if (relationship.kind === 'computed') return relationship.toOne;
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
  // a function of the request's schema named like the embed wins over foreign keys (PostgREST
  // lets computed relationships override detected ones); its hint is not read
  const computed = cache.computedRelationships?.get(qualifiedKey({ schema, name: source.name }))?.find((rel) => rel.function.schema === schema && rel.function.name === target);
  const found = computed ?? findRelationships(cache, { schema, name: source.name }, target, hint);
  if (found instanceof Error) throw found;
  known.set(key, found);
  return found;
}

/** Relationships already resolved, per schema cache: a reload starts afresh. Errors are not kept. */
const resolved = new WeakMap<SchemaCache, Map<string, Relationship>>();
