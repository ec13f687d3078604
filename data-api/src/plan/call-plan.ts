/**
 * The plan of an RPC call (`/rpc/fn`, PostgREST's `callReadPlan`): GET/HEAD query parameters
 * split into arguments and filters, the overload picked by the argument names (`findProc`),
 * the arguments bound as ONE JSON parameter (or the whole body for a single unnamed
 * json/text/xml/bytea parameter, or `Prefer: params=single-object`), and the function's rows
 * read from `pgrst_source` like a table's: filtered, ordered, paged and embedded.
 */
import { Errors } from '../errors.ts';
import { parseFilterParam } from '../request/parse-filter.ts';
import type { ApiRequest, LogicTree, NodeModifiers, Payload } from '../request/types.ts';
import type { Column, QualifiedName, Relation, Routine, RoutineParameter, SchemaCache } from '../schema-cache/types.ts';
import { FuzzySet } from '../schema-cache/fuzzy.ts';
import { callQuery, type CallArguments } from '../sql/call-query.ts';
import { param, raw, sql, type SqlFragment } from '../sql/fragment.ts';
import { SOURCE, allSourceRows, resultStatement, type BodyFormat, type JsonBody } from '../sql/mutate-query.ts';
import { explainSql, readQueryFor } from '../sql/read-query.ts';
import type { PlanContext } from './context.ts';
import { bodyFormatOf } from './mutate-plan.ts';
import { handlerBody, negotiateRead, selectsDefault } from './negotiate.ts';
import type { ReadExecutionPlan } from './read-plan.ts';
import { topLevelRange } from './read-tree.ts';

type Method = 'GET' | 'HEAD' | 'POST';

/** What the body is, for the single-parameter fallback (PostgREST matches it with the parameter's type). */
type BodyKind = 'json' | 'text' | 'xml' | 'bytea' | 'urlencoded' | 'csv' | 'other';

/**
 * The names the top level of a read of a function's table rows uses (selected, filtered,
 * ordered by) that are not columns of the table: computed columns, functions of its row type.
 * The call computes them on its own rows, typed as the table: once in `pgrst_source` the rows
 * are plain records, on which PostgreSQL cannot choose between overloads for several tables.
 * PostgREST does the same (it selects every named field in the call), so an unknown name is
 * reported as `pgrst_call.name`. Not with `*`, which would then list them as columns too.
 */
function computedColumnsRead(request: ApiRequest, table: Relation): string[] {
  if (table.columns.length === 0 || request.select.some((item) => item.kind === 'star')) return [];
  const names = new Set<string>();
  for (const item of request.select) if (item.kind === 'field') names.add(item.field.column);
  const root = request.modifiers.get('');
  const addLogic = (tree: LogicTree): void => {
    if (tree.kind === 'filter') names.add(tree.filter.field.column);
    else tree.children.forEach(addLogic);
  };
  root?.filters.forEach((filter) => names.add(filter.field.column));
  root?.logic.forEach(addLogic);
  root?.order.forEach((term) => {
    if (term.relation === undefined) names.add(term.field.column);
  });
  // `embed=not.is.null` names an embedded resource
  for (const item of request.select) if (item.kind === 'embed') names.delete(item.alias ?? item.relation);
  return [...names].filter((name) => !table.columns.some((column) => column.name === name));
}

export function buildCallPlan(request: ApiRequest, cache: SchemaCache, context: PlanContext): ReadExecutionPlan {
  if (request.target.kind !== 'routine') throw new Error(`buildCallPlan: not a routine: ${request.target.kind}`);
  const method = methodOf(request);
  const isRead = method !== 'POST';
  const { preferences } = request;

  // GET/HEAD: parameters with an operator (or an embed path) are filters, the others arguments.
  const { queryArguments, withFilters } = isRead ? splitQueryArguments(request) : { queryArguments: new Map<string, string[]>(), withFilters: request };
  const argumentKeys = isRead ? [...queryArguments.keys()] : (request.columns ?? payloadKeys(request.payload));
  const singleObject = preferences.params === 'single-object';
  const bodyKind = bodyKindOf(request.payload, request.contentType);

  const routine = findRoutine(cache, request.schema, request.target.name, argumentKeys, { isPost: !isRead, singleObject, bodyKind });
  const args = callArguments(routine, argumentKeys, { isRead, singleObject, queryArguments, payload: request.payload });

  const returns = routine.returns;
  const scalar = returns.kind === 'scalar' || returns.kind === 'void';
  const computed = returns.kind === 'relation' ? computedColumnsRead(withFilters, relationOfResult(cache, routine)) : [];
  const call = callQuery({ routine, args, result: scalar ? 'scalar' : 'rows', columns: undefined, computed });

  if (preferences.handling === 'strict' && preferences.invalid.length > 0) throw Errors.invalidPreferences(preferences.invalid);
  const media = negotiateRead(request.accept, {
    planEnabled: context.planEnabled ?? false,
    handlers: cache.mediaHandlers,
    // a handler for the rows of `setof items` is one of items'; a scalar result's, the function's own
    target: returns.kind === 'relation' ? returns.relation : routine,
    defaultSelect: selectsDefault(request, relationOfResult(cache, routine).columns),
  });

  let rows: SqlFragment;
  let total: SqlFragment | undefined;
  let countPlanStatement: SqlFragment | undefined;
  let body: BodyFormat | undefined;
  if (returns.kind === 'void') {
    // no body at all: the executor answers 204
    rows = allSourceRows;
    body = undefined;
  } else {
    const relation = relationOfResult(cache, routine);
    const query = readQueryFor(raw(SOURCE), relation, withFilters, cache, context);
    rows = query.select;
    const shape: BodyFormat['shape'] =
      returns.kind === 'scalar' ? (returns.isSetOf ? 'setof-scalar' : 'scalar') : returns.isSetOf ? 'rows' : 'single-row';
    // HEAD: no body to build, so no handler or aggregate runs (PostgREST's NoAgg)
    body = method === 'HEAD' ? undefined : bodyFormatOf(media, shape);
    const count = preferences.count;
    if (count === 'exact' || count === 'estimated') {
      const counted = count === 'estimated' && context.maxRows !== undefined ? sql`${query.count} LIMIT ${param(context.maxRows + 1)}` : query.count;
      total = sql`(SELECT pg_catalog.count(*) FROM (${counted}) pgrst_source_count)`;
    }
    if (count === 'planned' || count === 'estimated') {
      // EXPLAIN only plans: the function is not run a second time
      countPlanStatement = explainSql(sql`WITH ${raw(SOURCE)} AS (${call}) ${query.count}`, 'json', []);
    }
  }

  const single = returns.kind === 'void' || !returns.isSetOf;
  const statement = resultStatement(call, rows, { body, total, location: undefined, inserted: false, single });
  const explained = media.explain !== undefined;
  return {
    statement: media.explain ? explainSql(statement, media.explain.format, media.explain.options) : statement,
    // GET and HEAD never write; POST writes unless the function is STABLE or IMMUTABLE
    readOnly: isRead || routine.volatility !== 'volatile',
    mediaType: media.mediaType,
    handlerBody: handlerBody(media),
    singular: media.singular && !explained,
    kind: 'call',
    // void answers 204 even to HEAD (its body is NULL either way)
    omitBody: method === 'HEAD' && returns.kind !== 'void',
    returnPreference: preferences.return,
    count: preferences.count,
    range: topLevelRange(withFilters),
    rollback: preferences.tx === 'rollback',
    maxAffected: preferences.handling === 'strict' ? preferences.maxAffected : undefined,
    preferenceApplied: preferences.understood.filter((token) => ['count', 'tx', 'handling', 'timezone', 'max-affected'].includes(token.slice(0, token.indexOf('=')))),
    relationPath: undefined,
    countPlanStatement: explained ? undefined : countPlanStatement,
  };
}

function methodOf(request: ApiRequest): Method {
  switch (request.action.kind) {
    case 'call':
      return request.action.method;
    case 'read':
      return request.action.headersOnly ? 'HEAD' : 'GET';
    default:
      throw new Error(`buildCallPlan: not a call: ${request.action.kind}`);
  }
}

// --- GET/HEAD arguments and filters

const OPERATORS = new Set(['eq', 'gte', 'gt', 'lte', 'lt', 'neq', 'like', 'ilike', 'cs', 'cd', 'ov', 'sl', 'sr', 'nxr', 'nxl', 'adj', 'match', 'imatch', 'isdistinct']);
const FTS_OPERATORS = new Set(['fts', 'plfts', 'phfts', 'wfts']);

/** PostgREST's test (QueryParams `isParam`): an embed path, or a value starting with an operator. */
export function isFilterParameter(key: string, value: string): boolean {
  if (key.includes('.')) return true;
  const [first = '', ...rest] = value.split('.');
  if (first === 'not' && rest.length > 0) return true;
  if (first === 'is' || first === 'in' || OPERATORS.has(first) || FTS_OPERATORS.has(first)) return true;
  const paren = value.indexOf('(');
  return paren > 0 && FTS_OPERATORS.has(value.slice(0, paren));
}

/** The query-string arguments of a GET/HEAD call, and the request with the filters among them placed on their levels. */
export function splitQueryArguments(request: ApiRequest): { queryArguments: Map<string, string[]>; withFilters: ApiRequest } {
  const queryArguments = new Map<string, string[]>();
  const modifiers = new Map<string, NodeModifiers>(
    [...request.modifiers].map(([path, node]): [string, NodeModifiers] => [path, { ...node, filters: [...node.filters] }]),
  );
  for (const [key, values] of request.rpcArguments) {
    for (const value of values) {
      if (isFilterParameter(key, value)) {
        const { embedPath, filter } = parseFilterParam(key, value);
        let node = modifiers.get(embedPath);
        if (!node) {
          node = { filters: [], logic: [], order: [], limit: undefined, offset: undefined };
          modifiers.set(embedPath, node);
        }
        node.filters.push(filter);
      } else {
        queryArguments.set(key, [...(queryArguments.get(key) ?? []), value]);
      }
    }
  }
  return { queryArguments, withFilters: { ...request, modifiers, rpcArguments: new Map() } };
}

// --- overloads

function payloadKeys(payload: Payload | undefined): string[] {
  if (!payload || payload.kind === 'raw') return [];
  return payload.keys;
}

function bodyKindOf(payload: Payload | undefined, contentType: string | undefined): BodyKind {
  if (!payload) return 'json';
  if (payload.kind !== 'raw') return payload.kind;
  const type = (contentType ?? payload.contentType).split(';')[0]?.trim().toLowerCase();
  switch (type) {
    case 'text/plain':
      return 'text';
    case 'text/xml':
      return 'xml';
    case 'application/octet-stream':
      return 'bytea';
    case 'application/json':
      return 'json';
    default:
      return 'other';
  }
}

const JSON_TYPES = new Set(['json', 'jsonb']);

interface MatchOptions {
  isPost: boolean;
  singleObject: boolean;
  bodyKind: BodyKind;
}

/** Whether the given argument names can call this overload (PostgREST's `matchesParams`). */
function matchesArguments(routine: Routine, keys: Set<string>, options: MatchOptions): boolean {
  const parameters = routine.parameters;
  if (options.singleObject) return parameters.length === 1 && JSON_TYPES.has(parameters[0]?.type ?? '');
  if (parameters.length === 0) return keys.size === 0 && !(options.isPost && ['bytea', 'text', 'xml'].includes(options.bodyKind));
  const required = new Set(parameters.filter((parameter) => !parameter.hasDefault).map((parameter) => parameter.name));
  const optional = new Set(parameters.filter((parameter) => parameter.hasDefault).map((parameter) => parameter.name));
  const requiredGiven = [...keys].filter((key) => !optional.has(key));
  return requiredGiven.length === required.size && requiredGiven.every((key) => required.has(key));
}

/** A POST body passed whole to the only parameter when its type suits the Content-Type. */
function takesWholeBody(routine: Routine, options: MatchOptions): boolean {
  const [only, ...others] = routine.parameters;
  if (!only || others.length > 0 || !options.isPost) return false;
  switch (options.bodyKind) {
    case 'json':
      return JSON_TYPES.has(only.type);
    case 'text':
      return only.type === 'text';
    case 'xml':
      return only.type === 'xml';
    case 'bytea':
      return only.type === 'bytea';
    default:
      return false;
  }
}

/**
 * The overload named `schema.name` that the argument names call (PostgREST's `findProc`):
 * the one whose parameters match; else the one taking the whole body; none: 404 PGRST202;
 * several: 300 PGRST203.
 */
export function findRoutine(cache: SchemaCache, schema: string, name: string, argumentKeys: string[], options: MatchOptions): Routine {
  const overloads = cache.routines.get(`${schema}.${name}`) ?? [];
  const keys = new Set(argumentKeys);
  const matching = overloads.filter((routine) => matchesArguments(routine, keys, options));
  const wholeBody = overloads.filter((routine) => !matchesArguments(routine, keys, options) && takesWholeBody(routine, options));
  const candidates = matching.length > 0 ? matching : wholeBody;
  const [first, ...rest] = candidates;
  if (first && rest.length === 0) return first;
  if (first) {
    throw Errors.ambiguousRoutine(
      schema,
      name,
      [...candidates].sort(byPostgrestOrder).map((routine) => routine.parameters.map((parameter) => `${parameter.name} => ${parameter.type}`).join(', ')),
    );
  }
  throw Errors.noRoutine(schema, name, [...keys].sort(), noRoutineHint(cache, schema, name, argumentKeys, overloads), searchedFor(options));
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const compareFlag = (a: boolean, b: boolean) => Number(a) - Number(b);

/**
 * PostgREST sorts a name's overloads by parameter count, then by description (none first), then
 * by the parameters themselves (name, type, required, variadic), and lists ambiguous candidates
 * in that order, so clients comparing the PGRST203 message see the same text.
 */
function byPostgrestOrder(a: Routine, b: Routine): number {
  if (a.parameters.length !== b.parameters.length) return a.parameters.length - b.parameters.length;
  if (a.description !== b.description) {
    if (a.description === null) return -1;
    if (b.description === null) return 1;
    return compareText(a.description, b.description);
  }
  for (let index = 0; index < a.parameters.length; index++) {
    const left = a.parameters[index]!;
    const right = b.parameters[index]!;
    const order =
      compareText(left.name, right.name) ||
      compareText(left.type, right.type) ||
      compareFlag(!left.hasDefault, !right.hasDefault) ||
      compareFlag(left.isVariadic, right.isVariadic);
    if (order !== 0) return order;
  }
  return 0;
}

/** What a call could also have matched, for PGRST202's message (PostgREST's NoRpc). */
function searchedFor(options: MatchOptions): 'json' | 'text' | 'xml' | 'bytea' | 'single-object' | 'none' {
  if (options.singleObject) return 'single-object';
  if (!options.isPost) return 'none';
  switch (options.bodyKind) {
    case 'json':
    case 'text':
    case 'xml':
    case 'bytea':
      return options.bodyKind;
    default:
      return 'none';
  }
}

/**
 * PostgREST's noRpcHint: with overloads, the one whose sorted parameter names are closest to
 * the given names (`api.f(a, b)`); without, the closest function name of the schema.
 */
function noRoutineHint(cache: SchemaCache, schema: string, name: string, argumentKeys: string[], overloads: Routine[]): string | null {
  const listed = (names: string[]) => `(${[...names].sort().join(', ')})`;
  const suggestion =
    overloads.length > 0
      ? new FuzzySet(overloads.map((routine) => listed(routine.parameters.map((parameter) => parameter.name)))).getOne(listed(argumentKeys))
      : new FuzzySet([...cache.routines.values()].flat().filter((routine) => routine.schema === schema).map((routine) => routine.name)).getOne(name);
  if (suggestion === undefined) return null;
  return `Perhaps you meant to call the function ${schema}.${overloads.length > 0 ? name : ''}${suggestion}`;
}

// --- arguments

interface ArgumentSources {
  isRead: boolean;
  singleObject: boolean;
  queryArguments: Map<string, string[]>;
  payload: Payload | undefined;
}

/** How the chosen overload is called: no arguments, the whole body, or named arguments from one JSON text. */
function callArguments(routine: Routine, argumentKeys: string[], sources: ArgumentSources): CallArguments {
  const [only, ...others] = routine.parameters;
  if (only && others.length === 0 && (only.name === '' || sources.singleObject)) {
    return { kind: 'single', value: wholeBody(only, sources), type: only.type };
  }
  const keys = new Set(argumentKeys);
  const given = routine.parameters.filter((parameter) => keys.has(parameter.name));
  if (given.length === 0) return { kind: 'none' };
  const body: JsonBody = sources.isRead
    ? { text: queryArgumentsJson(routine.parameters, sources.queryArguments), isArray: false }
    : sources.payload?.kind === 'urlencoded'
      ? { text: formArgumentsJson(routine.parameters, sources.payload.raw), isArray: false }
      : jsonArguments(sources.payload);
  return {
    kind: 'named',
    body,
    parameters: given.map((parameter) => ({ name: parameter.name, type: argumentType(parameter.type), variadic: parameter.isVariadic })),
  };
}

/**
 * The type an argument is read as. A parameter's declared `character(4)` or `bit(3)` is just
 * `character`/`bit` in the catalog, which means length 1: read that way a value would be cut or
 * refused, so PostgREST reads them as `character varying`/`bit varying` and lets the call
 * convert.
 */
function argumentType(type: string): string {
  switch (type) {
    case 'character':
      return 'character varying';
    case 'character[]':
      return 'character varying[]';
    case 'bit':
      return 'bit varying';
    case 'bit[]':
      return 'bit varying[]';
    default:
      return type;
  }
}

function wholeBody(parameter: RoutineParameter, sources: ArgumentSources): string | Buffer {
  if (sources.isRead) return queryArgumentsJson([], sources.queryArguments);
  const payload = sources.payload;
  if (!payload) return JSON_TYPES.has(parameter.type) ? '{}' : '';
  if (payload.kind !== 'raw') return payload.raw;
  return parameter.type === 'bytea' ? payload.raw : payload.raw.toString('utf8');
}

function jsonArguments(payload: Payload | undefined): JsonBody {
  if (!payload) return { text: '{}', isArray: false };
  switch (payload.kind) {
    case 'json':
      return { text: payload.raw, isArray: payload.isArray };
    case 'csv':
      return { text: payload.raw, isArray: true };
    case 'urlencoded':
      return { text: payload.raw, isArray: false };
    case 'raw':
      throw Errors.invalidBody('The request body must be a JSON object of the function arguments');
  }
}

/**
 * The arguments of a GET as a JSON object of strings (Postgres parses each with the
 * parameter's type); a repeated variadic argument becomes an array, another repeated argument
 * keeps its last value, as in PostgREST.
 */
export function queryArgumentsJson(parameters: RoutineParameter[], queryArguments: Map<string, string[]>): string {
  const object: Record<string, string | string[]> = {};
  for (const [key, values] of queryArguments) {
    const variadic = parameters.some((parameter) => parameter.name === key && parameter.isVariadic);
    const last = values[values.length - 1];
    if (variadic) object[key] = values;
    else if (last !== undefined) object[key] = last;
  }
  return JSON.stringify(object);
}

/**
 * A form's fields as a call's arguments, like a GET's: a variadic argument is an array even when
 * given once (`words=hi` → `{hi}`), another argument given several times keeps its last value.
 */
function formArgumentsJson(parameters: RoutineParameter[], formJson: string): string {
  const fields = JSON.parse(formJson) as Record<string, string | string[]>;
  return queryArgumentsJson(parameters, new Map(Object.entries(fields).map(([key, value]) => [key, Array.isArray(value) ? value : [value]])));
}

// --- the rows of the result

/**
 * The relation whose rows the function returns, for the read over `pgrst_source`: the
 * table or view of `setof items`, else one made of the OUT/TABLE columns, or of the single
 * `pgrst_scalar` column of a scalar function.
 */
function relationOfResult(cache: SchemaCache, routine: Routine): Relation {
  const returns = routine.returns;
  switch (returns.kind) {
    case 'relation': {
      const relation = cache.relations.get(`${returns.relation.schema}.${returns.relation.name}`);
      return relation ?? resultRelation(returns.relation, []);
    }
    case 'composite':
      return resultRelation(routine, returns.columns);
    case 'scalar':
      return resultRelation(routine, [{ name: 'pgrst_scalar', type: returns.type }]);
    case 'void':
      return resultRelation(routine, []);
  }
}

function resultRelation(name: QualifiedName, columns: Array<{ name: string; type: string }>): Relation {
  return {
    schema: name.schema,
    name: name.name,
    kind: 'view',
    columns: columns.map(
      (column, index): Column => ({
        name: column.name,
        type: column.type,
        udtName: column.type,
        nullable: true,
        defaultExpr: null,
        generated: false,
        isArray: column.type.endsWith('[]'),
        description: null,
        position: index + 1,
        enumValues: null,
      }),
    ),
    primaryKey: [],
    insertable: false,
    updatable: false,
    deletable: false,
    description: null,
  };
}
