/**
 * The plan of a read (GET/HEAD on a table or view): the relation, its read tree, the media
 * type, and the one statement that builds the whole response body in Postgres.
 */
import { Errors } from '../errors.ts';
import type { ApiRequest } from '../request/types.ts';
import type { Relation, SchemaCache } from '../schema-cache/types.ts';
import { ident, type SqlFragment } from '../sql/fragment.ts';
import { countPlanSql, explainSql, readQueryFor, readStatement } from '../sql/read-query.ts';
import type { PlanContext } from './context.ts';
import { FuzzySet } from '../schema-cache/fuzzy.ts';
import { handlerBody, negotiateRead, selectsDefault } from './negotiate.ts';
import { topLevelRange } from './read-tree.ts';
import type { ExecutionPlan } from './types.ts';

export interface ReadExecutionPlan extends ExecutionPlan {
  /**
   * `EXPLAIN (FORMAT JSON)` of the count query, for `Prefer: count=planned|estimated`:
   * run after `statement` when `needsPlannedCount` (plan/count.ts) says so, and combine
   * with `totalCount`. Undefined for other counts.
   */
  countPlanStatement: SqlFragment | undefined;
}

export function buildReadPlan(request: ApiRequest, cache: SchemaCache, context: PlanContext): ReadExecutionPlan {
  if (request.target.kind !== 'relation') throw new Error(`buildReadPlan: not a relation: ${request.target.kind}`);
  const relation = findRelation(cache, request.schema, request.target.name);
  const query = readQueryFor(ident(relation.schema, relation.name), relation, request, cache, context);
  const media = negotiateRead(request.accept, {
    planEnabled: context.planEnabled ?? false,
    handlers: cache.mediaHandlers,
    target: relation,
    defaultSelect: selectsDefault(request, relation.columns),
  });
  const { preferences } = request;
  if (preferences.handling === 'strict' && preferences.invalid.length > 0) throw Errors.invalidPreferences(preferences.invalid);

  const headersOnly = request.action.kind === 'read' && request.action.headersOnly;
  const statement = readStatement({ query, body: headersOnly ? 'none' : media.body, count: preferences.count, maxRows: context.maxRows });
  const explained = media.explain !== undefined;
  return {
    statement: media.explain ? explainSql(statement, media.explain.format, media.explain.options) : statement,
    readOnly: true,
    mediaType: media.mediaType,
    handlerBody: handlerBody(media),
    singular: media.singular && !explained,
    kind: 'read',
    omitBody: headersOnly,
    returnPreference: preferences.return,
    count: preferences.count,
    range: topLevelRange(request),
    rollback: preferences.tx === 'rollback',
    maxAffected: undefined,
    preferenceApplied: preferences.understood,
    relationPath: undefined,
    countPlanStatement: !explained && (preferences.count === 'planned' || preferences.count === 'estimated') ? countPlanSql(query) : undefined,
  };
}

/** The table or view `schema.name` of the cache, else 404 PGRST205 with PostgREST's fuzzy hint. */
export function findRelation(cache: SchemaCache, schema: string, name: string): Relation {
  const relation = cache.relations.get(`${schema}.${name}`);
  if (relation) return relation;
  const sameSchema = [...cache.relations.values()].filter((candidate) => candidate.schema === schema).map((candidate) => candidate.name);
  const suggestion = new FuzzySet(sameSchema).get(name).find(([score]) => score >= 0.75)?.[1];
  throw Errors.noRelation(schema, name, suggestion === undefined ? null : `Perhaps you meant the table '${schema}.${suggestion}'`);
}
