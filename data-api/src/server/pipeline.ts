import type pg from 'pg';
import type { Logger } from '@launchdb/common/logger';
import type { AuthResult } from '../auth/authenticate.ts';
import type { DataApiConfig } from '../config/config.ts';
import { Errors, PgrstError } from '../errors.ts';
import { executePlan, inRequestTransaction, type ExecutionContext } from '../execute/execute-plan.ts';
import { buildOpenApi, queryAccessibleObjects } from '../openapi/openapi.ts';
import type { ExecutionPlan } from '../plan/types.ts';
import type { ApiRequest } from '../request/types.ts';
import { buildResponse, contentTypeValue, internalError, renderError, type HttpResponse } from '../response/response.ts';
import { qualifiedKey, type SchemaCache } from '../schema-cache/types.ts';
import type { BuildPlan, ConfigSource, ParseApiRequest, PlanContext, RawRequest, SchemaCacheSource } from './dependencies.ts';
import { authenticateCached } from './verified-tokens.ts';
import { preflightResponse, withCorsHeaders } from './cors.ts';
import { isKeptRead, type ReadPlans } from './read-plans.ts';
import { headersAndCookies } from '../request/api-request.ts';
import { canonicalQuery } from '../request/query-string.ts';

export interface PipelineDependencies {
  config: ConfigSource<DataApiConfig>;
  pool: pg.Pool;
  schemaCache: SchemaCacheSource;
  parseRequest: ParseApiRequest;
  plan: BuildPlan;
  logger: Logger;
  /** Plans of reads kept for the next same request; only with the real parser and planner, which are pure. */
  readPlans?: ReadPlans;
  /** Told when a request found the database unreachable (503), so the server can reload the schema cache once it is back. */
  onDatabaseUnavailable?: () => void;
}

/**
 * One request through PostgREST's stages: authenticate (JWT), the schema cache, parse, plan,
 * execute in one transaction, respond. OPTIONS and the root's OpenAPI description are
 * answered here from the schema cache. Never throws: every failure becomes PostgREST's error
 * response.
 */
export async function handleApiRequest(raw: RawRequest, deps: PipelineDependencies): Promise<HttpResponse> {
  const config = deps.config.current();
  const allowedOrigins = config.serverCorsAllowedOrigins;
  const preflight = preflightResponse(raw.method, raw.headers, allowedOrigins);
  const response = preflight ?? withCorsHeaders(raw.headers, await answer(raw, deps, config), allowedOrigins);
  return config.serverTraceHeader === undefined ? response : withTraceHeader(response, raw, config.serverTraceHeader);
}

/** `server-trace-header`: the request's value of that header (empty when absent) on every response, as PostgREST's middleware adds it. */
function withTraceHeader(response: HttpResponse, raw: RawRequest, name: string): HttpResponse {
  return { ...response, headers: [[name, raw.headers[name.toLowerCase()] ?? ''], ...response.headers] };
}

/** Milliseconds of each stage, for `server-timing-enabled` (PostgREST's ServerTiming). */
class StageTimes {
  #last = performance.now();
  readonly #stages: Array<[string, number]> = [];
  done(stage: 'jwt' | 'parse' | 'plan' | 'transaction' | 'response'): void {
    const now = performance.now();
    this.#stages.push([stage, now - this.#last]);
    this.#last = now;
  }
  header(): [string, string] {
    return ['Server-Timing', this.#stages.map(([stage, ms]) => `${stage};dur=${ms.toFixed(1)}`).join(', ')];
  }
}

/** `db-root-spec`: `GET /` (or HEAD) is a call of that function with the same query string, as PostgREST makes it. */
function withRootSpec(raw: RawRequest, config: DataApiConfig): RawRequest {
  if (config.dbRootSpec === undefined || (raw.path !== '/' && raw.path !== '') || (raw.method !== 'GET' && raw.method !== 'HEAD')) return raw;
  return { ...raw, path: `/rpc/${encodeURIComponent(config.dbRootSpec)}` };
}

async function answer(original: RawRequest, deps: PipelineDependencies, config: DataApiConfig): Promise<HttpResponse> {
  const raw = withRootSpec(original, config);
  const times = config.serverTimingEnabled ? new StageTimes() : undefined;
  const timed = (response: HttpResponse): HttpResponse => (times ? { ...response, headers: [...response.headers, times.header()] } : response);
  try {
    const auth = await authenticateCached(raw.headers, config);
    times?.done('jwt');
    const cache = deps.schemaCache.current();
    if (!cache) throw Errors.schemaCacheNotReady();
    const key = deps.readPlans?.keyOf(raw);
    const kept = key === undefined ? undefined : deps.readPlans!.get(key, cache, config);
    const request: ApiRequest = kept ? { ...kept.request, ...headersAndCookies(raw.headers) } : unwrap(await deps.parseRequest(raw, { schemas: config.dbSchemas, timezones: cache.timezones }));
    const contentProfile = negotiatedByProfile(raw, config) ? request.schema : undefined;
    times?.done('parse');

    if (request.action.kind === 'info') return infoResponse(request, cache);
    const context = executionContext(raw, request, auth, config);
    if (request.target.kind === 'root') {
      times?.done('plan');
      const openApi = await openApiResponse(request, cache, context, config, deps.pool, contentProfile);
      times?.done('transaction');
      times?.done('response');
      return timed(openApi);
    }

    let plan = kept?.plan;
    if (!plan) {
      plan = withTxEnd(unwrap(await deps.plan(request, cache, planContext(config))), config);
      if (key !== undefined && isKeptRead(request) && deps.readPlans!.admits(key)) {
        const { headers: _headers, cookies: _cookies, ...decided } = request;
        deps.readPlans!.set(key, cache, config, { request: decided, plan });
      }
    }
    times?.done('plan');
    const result = await executePlan(deps.pool, plan, context);
    times?.done('transaction');
    const response = buildResponse(plan, result, { contentProfile });
    times?.done('response');
    return timed(request.action.kind === 'read' && request.target.kind === 'relation' && response.status < 400 ? withContentLocation(response, request.target.name, raw.query) : response);
  } catch (error) {
    return failureResponse(error, raw, deps);
  }
}

/** PostgREST names a table read's canonical address (`/table?a=…&b=…`, the query sorted) in Content-Location. */
function withContentLocation(response: HttpResponse, relation: string, query: string): HttpResponse {
  const canonical = canonicalQuery(query);
  return { ...response, headers: [...response.headers, ['Content-Location', `/${relation}${canonical === '' ? '' : `?${canonical}`}`]] };
}

export function planContext(config: DataApiConfig): PlanContext {
  return { maxRows: config.dbMaxRows, aggregatesEnabled: config.dbAggregatesEnabled, planEnabled: config.dbPlanEnabled };
}

/**
 * `Prefer: tx` counts only when db-tx-end is `…-allow-override`, as in PostgREST: otherwise it
 * neither rolls back nor appears in Preference-Applied.
 */
export function withTxEnd(plan: ExecutionPlan, config: DataApiConfig): ExecutionPlan {
  if (config.dbTxEnd.endsWith('-allow-override')) return plan;
  return { ...plan, rollback: false, preferenceApplied: plan.preferenceApplied.filter((preference) => !preference.startsWith('tx=')) };
}

function executionContext(raw: RawRequest, request: ApiRequest, auth: AuthResult, config: DataApiConfig): ExecutionContext {
  return {
    auth,
    method: raw.method,
    path: raw.path,
    headers: request.headers,
    cookies: request.cookies,
    schema: request.schema,
    settings: config,
    preferTx: request.preferences.tx,
    timezone: request.preferences.timezone,
  };
}

/**
 * PostgREST names the schema in `Content-Profile` when the client picked it (`Accept-Profile`
 * for GET/HEAD, `Content-Profile` for writes) or when several schemas are exposed.
 */
function negotiatedByProfile(raw: RawRequest, config: DataApiConfig): boolean {
  const writes = ['POST', 'PATCH', 'PUT', 'DELETE'].includes(raw.method);
  const profile = writes ? raw.headers['content-profile'] : raw.headers['accept-profile'];
  return profile !== undefined || config.dbSchemas.length !== 1;
}

function unwrap<T>(value: T | PgrstError): T {
  if (value instanceof PgrstError) throw value;
  return value;
}

/** OPTIONS: the methods the target allows, from the schema cache (PostgREST's InfoPlan). */
function infoResponse(request: ApiRequest, cache: SchemaCache): HttpResponse {
  const allow = (methods: string): HttpResponse => ({
    status: 200,
    headers: [
      ['Access-Control-Allow-Origin', '*'],
      ['Allow', methods],
    ],
    body: null,
  });
  const { target, schema } = request;
  if (target.kind === 'root') return allow('OPTIONS,GET,HEAD');
  const key = qualifiedKey({ schema, name: target.name });
  if (target.kind === 'routine') {
    const routine = cache.routines.get(key)?.[0];
    if (!routine) throw Errors.noRoutine(schema, target.name, []);
    return allow(routine.volatility === 'volatile' ? 'OPTIONS,POST' : 'OPTIONS,GET,HEAD,POST');
  }
  const relation = cache.relations.get(key);
  if (!relation) throw Errors.noRelation(schema, target.name);
  const methods = ['OPTIONS,GET,HEAD'];
  if (relation.insertable) methods.push('POST');
  if (relation.insertable && relation.updatable && relation.primaryKey.length > 0) methods.push('PUT');
  if (relation.updatable) methods.push('PATCH');
  if (relation.deletable) methods.push('DELETE');
  return allow(methods.join(','));
}

/**
 * `GET /`: the OpenAPI description of the request's schema. In follow-privileges mode, what the
 * request's role may use is asked in a request transaction (role and pre-request applied).
 */
async function openApiResponse(
  request: ApiRequest,
  cache: SchemaCache,
  context: ExecutionContext,
  config: DataApiConfig,
  pool: pg.Pool,
  contentProfile: string | undefined,
): Promise<HttpResponse> {
  if (config.openApiMode === 'disabled') throw Errors.openApiDisabled();
  const servable = ['application/openapi+json', 'application/json', '*/*'];
  if (request.accept.length > 0 && !request.accept.some((media) => servable.includes(media.type))) {
    throw Errors.notAcceptable(request.accept.map((media) => media.type).join(', '));
  }
  const privileges = config.openApiMode === 'follow-privileges' ? await inRequestTransaction(pool, context, (client) => queryAccessibleObjects(client, request.schema)) : undefined;
  const document = unwrap(
    buildOpenApi(cache, request.schema, {
      serverUrl: config.openApiServerProxyUri ?? serverUrl(config),
      mode: config.openApiMode,
      privileges,
      securityActive: config.openApiSecurityActive,
    }),
  );
  const headers: Array<[string, string]> = [['Content-Type', contentTypeValue('application/openapi+json')]];
  if (contentProfile !== undefined) headers.push(['Content-Profile', contentProfile]);
  return { status: 200, headers, body: request.method === 'HEAD' ? null : JSON.stringify(document) };
}

function serverUrl(config: DataApiConfig): string {
  const wildcard = ['!4', '*4', '*', '!6', '*6'].includes(config.serverHost);
  const host = wildcard ? '0.0.0.0' : config.serverHost.includes(':') ? `[${config.serverHost}]` : config.serverHost;
  return `http://${host}:${config.serverPort}`;
}

function failureResponse(error: unknown, raw: RawRequest, deps: PipelineDependencies): HttpResponse {
  const omitBody = raw.method === 'HEAD';
  if (error instanceof PgrstError) {
    if (error.status >= 500) deps.logger.warn({ code: error.code, status: error.status, details: error.details, path: raw.path }, error.message);
    if (error.code === 'PGRST000' || error.code === 'PGRST001') deps.onDatabaseUnavailable?.();
    return renderError(error, { omitBody });
  }
  deps.logger.error({ err: error, method: raw.method, path: raw.path }, 'request failed');
  return renderError(internalError(), { omitBody });
}
