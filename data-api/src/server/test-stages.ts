import { Errors } from '../errors.ts';
import type { ExecutionPlan } from '../plan/types.ts';
import type { Action, ApiRequest, Preferences, Target } from '../request/types.ts';
import type { Relation, SchemaCache } from '../schema-cache/types.ts';
import type { BuildPlan, ParseApiRequest, RawRequest, SchemaCacheSource } from './dependencies.ts';

/**
 * Small hand-written stages for the server's tests, so they exercise the server with real SQL
 * without depending on the full parser and planner: `/name` is a relation, `/rpc/name` a
 * routine, the method picks the action, `Prefer` gives return/count/tx, the body is JSON text.
 */
export const testParseRequest: ParseApiRequest = (raw: RawRequest, config) => {
  let path: string;
  try {
    path = decodeURIComponent(raw.path);
  } catch {
    return Errors.invalidPath();
  }
  const target: Target = path === '/' ? { kind: 'root' } : path.startsWith('/rpc/') ? { kind: 'routine', name: path.slice(5) } : { kind: 'relation', name: path.slice(1) };
  if (path.includes('//')) return Errors.invalidPath();
  const actions: Record<string, Action> = {
    GET: target.kind === 'routine' ? { kind: 'call', method: 'GET' } : { kind: 'read', headersOnly: false },
    HEAD: target.kind === 'routine' ? { kind: 'call', method: 'HEAD' } : { kind: 'read', headersOnly: true },
    POST: target.kind === 'routine' ? { kind: 'call', method: 'POST' } : { kind: 'insert' },
    PATCH: { kind: 'update' },
    DELETE: { kind: 'delete' },
    PUT: { kind: 'put' },
    OPTIONS: { kind: 'info' },
  };
  const action = actions[raw.method];
  if (!action) throw Errors.unsupportedMethod(raw.method);
  const profile = raw.headers['accept-profile'] ?? raw.headers['content-profile'];
  if (profile !== undefined && !config.schemas.includes(profile)) throw Errors.schemaNotExposed(config.schemas);
  const { cookie, ...headers } = raw.headers;
  const body = raw.body && raw.body.length > 0 ? raw.body.toString('utf8') : undefined;
  return {
    method: raw.method,
    path: raw.path,
    action,
    target,
    schema: profile ?? config.schemas[0]!,
    select: [{ kind: 'star' }],
    modifiers: new Map(),
    columns: undefined,
    onConflict: undefined,
    rpcArguments: new Map(),
    preferences: preferences(raw.headers.prefer),
    accept: [],
    contentType: raw.headers['content-type'],
    range: undefined,
    payload: body === undefined ? undefined : { kind: 'json', raw: body, keys: [], isArray: body.trimStart().startsWith('[') },
    headers,
    cookies: Object.fromEntries(
      (cookie ?? '')
        .split(';')
        .map((part) => part.trim().split('='))
        .filter((pair): pair is [string, string] => pair.length === 2 && pair[0] !== ''),
    ),
  } satisfies ApiRequest;
};

function preferences(header: string | undefined): Preferences {
  const given = new Map((header ?? '').split(',').map((part) => part.trim().split('=') as [string, string | undefined]));
  return {
    return: given.get('return') as Preferences['return'],
    count: given.get('count') as Preferences['count'],
    resolution: undefined,
    missing: undefined,
    handling: undefined,
    tx: given.get('tx') as Preferences['tx'],
    params: undefined,
    maxAffected: undefined,
    timezone: given.get('timezone'),
    understood: [...given.keys()].filter((key) => key !== ''),
    invalid: [],
  };
}

/** A planner from a table of hand-written plans keyed by `METHOD /target`. */
export function testPlanner(plans: Record<string, (request: ApiRequest) => ExecutionPlan>): BuildPlan {
  return (request) => {
    const name = request.target.kind === 'root' ? '/' : request.target.kind === 'routine' ? `/rpc/${request.target.name}` : `/${request.target.name}`;
    const method = request.method === 'HEAD' ? 'GET' : request.method;
    const plan = plans[`${method} ${name}`];
    if (!plan) return Errors.noRelation(request.schema, name.slice(1));
    return plan(request);
  };
}

/** A schema cache of the given relations in schema `api`. */
export function testSchemaCache(relations: Array<Partial<Relation> & { name: string }>): SchemaCache {
  return {
    schemas: ['api'],
    relations: new Map(
      relations.map((relation) => [
        `api.${relation.name}`,
        { schema: 'api', kind: 'table', columns: [], primaryKey: [], insertable: true, updatable: true, deletable: true, description: null, ...relation },
      ]),
    ),
    relationships: new Map(),
    routines: new Map(),
    loadedAt: new Date(),
  };
}

/**
 * A schema cache source that counts reload attempts and successful loads; `fail` makes them
 * reject, and `probe` (say, a query through the pool) must succeed for a load to.
 */
export class CountingSchemaCache implements SchemaCacheSource {
  reloads = 0;
  loads = 0;
  fail = false;
  probe: (() => Promise<void>) | undefined;
  #cache: SchemaCache | undefined;
  readonly #next: SchemaCache;

  constructor(cache: SchemaCache, loaded = true) {
    this.#next = cache;
    this.#cache = loaded ? cache : undefined;
  }

  current(): SchemaCache | undefined {
    return this.#cache;
  }

  async reload(): Promise<void> {
    this.reloads += 1;
    if (this.fail) throw new Error('the database is not there');
    await this.probe?.();
    this.#cache = { ...this.#next, loadedAt: new Date() };
    this.loads += 1;
  }
}
