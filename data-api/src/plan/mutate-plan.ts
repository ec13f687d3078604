/**
 * The plan of a write (POST, PUT, PATCH, DELETE on a table or view), as PostgREST's
 * `mutatePlan`/`mutateReadPlan`: the payload's columns checked against the schema cache, the
 * upsert target, PUT's key, the filters and limited range of PATCH/DELETE, what RETURNING
 * must give the response, and the one statement that writes and builds the response.
 */
import { Errors, PgrstError } from '../errors.ts';
import type { ApiRequest, NodeModifiers, OrderTerm, Payload, Preferences, SelectItem } from '../request/types.ts';
import type { Column, Relation, SchemaCache } from '../schema-cache/types.ts';
import { raw, type SqlFragment } from '../sql/fragment.ts';
import { whereClause } from '../sql/filters.ts';
import {
  SOURCE,
  allSourceRows,
  deleteQuery,
  insertQuery,
  locationOfInsert,
  resultStatement,
  targetAlias,
  updateQuery,
  type BodyFormat,
  type JsonBody,
  type LimitedRows,
  type Returning,
  type TypedColumn,
} from '../sql/mutate-query.ts';
import { orderClause } from '../sql/order.ts';
import { explainSql, readQueryFor } from '../sql/read-query.ts';
import type { PlanContext } from './context.ts';
import { handlerBody, negotiateRead, selectsDefault, type NegotiatedMedia } from './negotiate.ts';
import { findRelation } from './read-plan.ts';
import { findRelationship } from './relationships.ts';
import type { ExecutionPlan } from './types.ts';


const PUT_FILTERS = "Filters must include all and only primary key columns with 'eq' operators";

type MutationKind = 'insert' | 'put' | 'update' | 'delete';

export function buildMutationPlan(request: ApiRequest, cache: SchemaCache, context: PlanContext): ExecutionPlan {
  const kind = request.action.kind;
  if (kind !== 'insert' && kind !== 'put' && kind !== 'update' && kind !== 'delete') {
    throw new Error(`buildMutationPlan: not a write: ${kind}`);
  }
  if (request.target.kind !== 'relation') throw new Error(`buildMutationPlan: not a relation: ${request.target.kind}`);
  const relation = findRelation(cache, request.schema, request.target.name);
  const { preferences } = request;
  const root = request.modifiers.get('') ?? { filters: [], logic: [], order: [], limit: undefined, offset: undefined };

  // PostgREST's order of checks: request (PUT range, limit without order), then the plan.
  if (kind === 'put' && (root.limit !== undefined || root.offset !== undefined)) throw Errors.putLimit();
  if ((kind === 'update' || kind === 'delete') && (root.limit !== undefined || root.offset !== undefined) && root.order.length === 0) {
    throw Errors.limitWithoutOrder();
  }

  const representation = preferences.return === 'representation';
  const headersOnly = preferences.return === 'headers-only';
  const returning = returningFor(request, relation, cache, kind, representation, headersOnly);

  let work: SqlFragment;
  let trackInserted = false;
  let hasConflictTarget = false;
  switch (kind) {
    case 'insert': {
      const { body, columns } = payloadColumns(request, relation);
      const conflictColumns = preferences.resolution ? (request.onConflict ?? relation.primaryKey) : [];
      conflictColumns.forEach((name) => columnOf(relation, name));
      hasConflictTarget = relation.primaryKey.length > 0 || request.onConflict !== undefined;
      const resolution = conflictColumns.length > 0 ? preferences.resolution : undefined;
      trackInserted = resolution === 'merge-duplicates';
      work = insertQuery({
        into: relation,
        columns,
        body,
        applyDefaults: preferences.missing === 'default',
        onConflict: resolution ? { columns: conflictColumns, resolution } : undefined,
        putKey: undefined,
        trackInserted,
        returning,
      });
      break;
    }
    case 'put': {
      const putKey = putKeyOf(root, relation);
      const { body, columns } = payloadColumns(request, relation);
      trackInserted = true;
      work = insertQuery({
        into: relation,
        columns,
        body,
        applyDefaults: false,
        onConflict: { columns: relation.primaryKey, resolution: 'merge-duplicates' },
        putKey,
        trackInserted: true,
        returning,
      });
      break;
    }
    case 'update': {
      const { body, columns } = payloadColumns(request, relation);
      work = updateQuery({
        table: relation,
        columns,
        body,
        applyDefaults: preferences.missing === 'default',
        where: whereClause(targetAlias(relation), relation, root, cache),
        limited: limitedRows(root, relation),
        returning,
      });
      break;
    }
    case 'delete':
      work = deleteQuery({
        table: relation,
        where: whereClause(targetAlias(relation), relation, root, cache),
        limited: limitedRows(root, relation),
        returning,
      });
      break;
  }

  if (preferences.handling === 'strict' && preferences.invalid.length > 0) throw Errors.invalidPreferences(preferences.invalid);
  const media = negotiateRead(request.accept, {
    planEnabled: context.planEnabled ?? false,
    handlers: cache.mediaHandlers,
    target: relation,
    defaultSelect: selectsDefault(request, relation.columns),
  });

  const rows = representation ? readQueryFor(raw(SOURCE), relation, request, cache, context).select : allSourceRows;
  const statement = resultStatement(work, rows, {
    body: representation ? bodyFormatOf(media) : undefined,
    total: preferences.count ? raw('pg_catalog.count(_postgrest_t)') : undefined,
    inserted: trackInserted,
    location: kind === 'insert' && headersOnly ? locationOfInsert(relation.primaryKey) : undefined,
  });

  return {
    statement: media.explain ? explainSql(statement, media.explain.format, media.explain.options) : statement,
    readOnly: false,
    mediaType: media.mediaType,
    handlerBody: handlerBody(media),
    singular: media.singular && media.explain === undefined,
    kind,
    omitBody: !representation && media.explain === undefined,
    returnPreference: preferences.return,
    count: preferences.count,
    range: { offset: 0, limit: undefined },
    rollback: preferences.tx === 'rollback',
    maxAffected: (kind === 'update' || kind === 'delete') && preferences.handling === 'strict' ? preferences.maxAffected : undefined,
    maxChanges: kind === 'update' || kind === 'delete' ? root.limit : undefined,
    preferenceApplied: preferenceApplied(preferences, kind, hasConflictTarget),
    relationPath: kind === 'insert' ? `/${relation.name}` : undefined,
  };
}

/** The body of the statement for a negotiated media type (json, object, csv, nulls=stripped). */
export function bodyFormatOf(media: NegotiatedMedia, shape: BodyFormat['shape'] = 'rows'): BodyFormat {
  switch (media.body) {
    case 'json':
      return { media: 'json', shape, stripNulls: false };
    case 'json-stripped':
      return { media: 'json', shape, stripNulls: true };
    case 'object':
      return { media: 'singular', shape, stripNulls: false };
    case 'object-stripped':
      return { media: 'singular', shape, stripNulls: true };
    case 'csv':
      return { media: 'csv', shape, stripNulls: false };
    case 'geojson':
      return { media: 'geojson', shape, stripNulls: false };
    default:
      return { media: 'handler', handler: media.body.handler, shape, stripNulls: false };
  }
}

/** The payload as one JSON text, and the columns it is read into (`columns=` or its keys). */
function payloadColumns(request: ApiRequest, relation: Relation): { body: JsonBody; columns: TypedColumn[] } {
  const { body, keys } = jsonPayload(request.payload, request.contentType);
  const names = request.columns ?? keys;
  const wanted = new Set(names.map((name) => columnOf(relation, name).name));
  // table order: the statement is the same whatever the key order of the payload
  const columns = relation.columns
    .filter((column) => wanted.has(column.name))
    .map(
      (column): TypedColumn => ({
        name: column.name,
        type: column.type,
        defaultExpr: column.generated ? null : column.defaultExpr,
        parse: column.representations?.fromJson,
      }),
    );
  return { body, columns };
}

function jsonPayload(payload: Payload | undefined, contentType: string | undefined): { body: JsonBody; keys: string[] } {
  if (!payload) throw Errors.invalidBody('Empty or invalid json');
  switch (payload.kind) {
    case 'json':
      return { body: { text: payload.raw, isArray: payload.isArray }, keys: payload.keys };
    case 'csv':
      return { body: { text: payload.raw, isArray: true }, keys: payload.keys };
    case 'urlencoded':
      return { body: { text: payload.raw, isArray: false }, keys: payload.keys };
    case 'raw':
      throw Errors.contentType(contentType ?? payload.contentType);
  }
}

/** The relation's column, else 400 PGRST204. */
function columnOf(relation: Relation, name: string): Column {
  const column = relation.columns.find((candidate) => candidate.name === name);
  if (!column) throw Errors.noColumn(name, relation.name);
  return column;
}

/**
 * PUT's key: the URL must filter on every primary key column with `eq` and nothing else
 * (405 PGRST105). The payload rows are written only where they carry the same values.
 */
function putKeyOf(root: NodeModifiers, relation: Relation): Array<{ column: string; value: string }> {
  const key: Array<{ column: string; value: string }> = [];
  for (const filter of root.filters) {
    if (filter.operator !== 'eq' || filter.negated || filter.value.kind !== 'scalar' || filter.field.jsonPath.length > 0) {
      throw Errors.invalidPut(PUT_FILTERS);
    }
    key.push({ column: filter.field.column, value: filter.value.value });
  }
  const filtered = new Set(key.map((entry) => entry.column));
  const primaryKey = new Set(relation.primaryKey);
  const sameColumns = filtered.size === primaryKey.size && [...filtered].every((column) => primaryKey.has(column));
  if (root.logic.length > 0 || primaryKey.size === 0 || !sameColumns) throw Errors.invalidPut(PUT_FILTERS);
  return key;
}

/** `limit`/`offset` on PATCH/DELETE: rows picked in `order`, matched back by the order's columns. */
function limitedRows(root: NodeModifiers, relation: Relation): LimitedRows | undefined {
  if (root.limit === undefined && root.offset === undefined) return undefined;
  const keyColumns: string[] = [];
  for (const term of root.order) {
    if (term.relation !== undefined) throw Errors.notImplemented('ordering a limited update or delete by an embedded resource');
    // `ctid` identifies rows of a table without a unique key
    if (term.field.column !== 'ctid') columnOf(relation, term.field.column);
    if (!keyColumns.includes(term.field.column)) keyColumns.push(term.field.column);
  }
  const terms = root.order.map((term: OrderTerm) => ({ relationAlias: undefined, field: term.field, direction: term.direction, nulls: term.nulls }));
  return { orderBy: orderClause(targetAlias(relation), relation, terms), keyColumns, limit: root.limit, offset: root.offset ?? 0 };
}

/**
 * What RETURNING gives `pgrst_source` (PostgREST's inferColsEmbedNeeds): a marker when no row
 * is shown; the key for a Location; else the selected columns, the columns the embeds join
 * on and the primary key — or every column when the select has `*`.
 */
function returningFor(
  request: ApiRequest,
  relation: Relation,
  cache: SchemaCache,
  kind: MutationKind,
  representation: boolean,
  headersOnly: boolean,
): Returning {
  if (!representation) {
    return kind === 'insert' && headersOnly && relation.primaryKey.length > 0 ? { kind: 'columns', columns: relation.primaryKey } : { kind: 'marker' };
  }
  if (request.select.some((item) => item.kind === 'star')) return { kind: 'all' };
  const needed = new Set<string>();
  for (const item of request.select) addNeededColumns(item, request, relation, cache, needed);
  relation.primaryKey.forEach((column) => needed.add(column));
  if (needed.size === 0) return { kind: 'marker' };
  const inTableOrder = relation.columns.filter((column) => needed.has(column.name)).map((column) => column.name);
  // names the cache does not know are kept so that Postgres reports them (42703)
  const unknown = [...needed].filter((name) => !inTableOrder.includes(name));
  return { kind: 'columns', columns: [...inTableOrder, ...unknown] };
}

function addNeededColumns(item: SelectItem, request: ApiRequest, relation: Relation, cache: SchemaCache, needed: Set<string>): void {
  switch (item.kind) {
    case 'field':
      needed.add(item.field.column);
      return;
    case 'embed': {
      const relationship = findRelationship(cache, request.schema, relation, item.relation, item.hint);
      if (relationship.kind === 'many-to-many') relationship.sourceColumns.forEach(([, source]) => needed.add(source));
      // the function takes the whole row, cast back to the table's type: every column, in order
      else if (relationship.kind === 'computed') relation.columns.forEach((column) => needed.add(column.name));
      else relationship.columns.forEach(([source]) => needed.add(source));
      return;
    }
    case 'star':
    case 'count':
      return;
  }
}

/** Preference-Applied: the understood preferences that apply to this kind of write (PostgREST's per-action lists). */
function preferenceApplied(preferences: Preferences, kind: MutationKind, hasConflictTarget: boolean): string[] {
  const applies: Record<MutationKind, string[]> = {
    insert: ['resolution', 'missing', 'return', 'count', 'tx', 'handling', 'timezone'],
    put: ['return', 'count', 'tx', 'handling', 'timezone'],
    update: ['missing', 'return', 'count', 'tx', 'handling', 'timezone', 'max-affected'],
    delete: ['return', 'count', 'tx', 'handling', 'timezone', 'max-affected'],
  };
  return preferences.understood.filter((token) => {
    const name = token.slice(0, token.indexOf('='));
    if (name === 'resolution' && !hasConflictTarget) return false;
    return applies[kind].includes(name);
  });
}
