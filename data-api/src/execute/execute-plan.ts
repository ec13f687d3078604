import pg from 'pg';
import type { AuthResult } from '../auth/authenticate.ts';
import type { DataApiConfig } from '../config/config.ts';
import { Errors, fromPostgresError, PgrstError } from '../errors.ts';
import { needsPlannedCount, plannedRows, totalCount } from '../plan/count.ts';
import type { ReadExecutionPlan } from '../plan/read-plan.ts';
import type { ExecutionPlan } from '../plan/types.ts';
import { parseResponseHeadersGuc, parseResponseStatusGuc } from '../response/guc.ts';
import { join, param, quoteIdentifier, raw, render, sql, type SqlFragment } from '../sql/fragment.ts';

export type ExecutionSettings = Pick<DataApiConfig, 'dbExtraSearchPath' | 'dbPreRequest' | 'dbTxEnd' | 'appSettings'> & Partial<Pick<DataApiConfig, 'dbMaxRows'>>;

/** Everything about the request the transaction needs besides the plan. */
export interface ExecutionContext {
  auth: AuthResult;
  method: string;
  path: string;
  /** Lower-cased names, for `request.headers`. */
  headers: Record<string, string>;
  cookies: Record<string, string>;
  /** The request's schema: first on the search_path, before db-extra-search-path. */
  schema: string;
  settings: ExecutionSettings;
  /** `Prefer: tx=…` as sent; it counts only when db-tx-end is `…-allow-override`. */
  preferTx?: 'commit' | 'rollback' | undefined;
  /** `Prefer: timezone=…`, set only when the plan lists `timezone=…` in Preference-Applied. */
  timezone?: string | undefined;
}

/** The main statement's one row, its text passed through untouched, with the SQL-set overrides decoded. */
export interface ExecutionResult {
  body: string | null;
  pageTotal: number;
  totalResultSet: number | undefined;
  location: string | null;
  /** Rows inserted, when the statement has an optional `inserted` column (upserts: 201 or 200). */
  inserted: number | undefined;
  responseStatus: number | undefined;
  responseHeaders: Array<[string, string]>;
  /** False when the transaction was rolled back (Prefer: tx=rollback, db-tx-end=rollback). */
  committed: boolean;
}

/** The columns every main statement returns (see plan/types.ts). */
interface ResultRow {
  body: string | null;
  page_total: string | null;
  total_result_set: string | null;
  response_headers: string | null;
  response_status: string | null;
  location: string | null;
  inserted?: string | null;
}

const RESULT_COLUMNS = ['body', 'page_total', 'total_result_set', 'response_headers', 'response_status', 'location'] as const;

/** Every column comes back as the text Postgres sent: no JSON.parse of json bodies, no number conversion. */
const RAW_TEXT = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

/** node-postgres' message when no pooled connection frees up within connectionTimeoutMillis. */
const POOL_TIMEOUT_MESSAGE = 'timeout exceeded when trying to connect';

/**
 * Runs one request as PostgREST does: one transaction on one pooled connection —
 * `begin` (read only for reads), one statement setting every request setting with
 * `set_config(…, true)`, the db-pre-request function, the plan's statement with bound parameters
 * (never a named prepared statement: PgBouncer transaction pooling), the singular and
 * max-affected checks, then commit or rollback. Every failure is a PgrstError.
 */
export async function executePlan(pool: pg.Pool, plan: ExecutionPlan, context: ExecutionContext): Promise<ExecutionResult> {
  const applyTimezone = plan.preferenceApplied.some((preference) => preference.startsWith('timezone='));
  const session = await startRequest(pool, plan.readOnly, context, applyTimezone);
  const { client } = session;
  try {
    const main = render(plan.statement);
    if (isExplained(plan)) {
      const { rows } = await client.query<Record<string, string>>({ text: main.text, values: main.values, types: RAW_TEXT });
      const rollback = shouldRollback(plan, context);
      await finishRequest(session, rollback);
      return { ...NO_RESULT, body: explainOutput(rows), committed: !rollback };
    }
    const { rows } = await client.query<ResultRow>({ text: main.text, values: main.values, types: RAW_TEXT });
    const row = rows[0];
    if (rows.length !== 1 || !row) throw new Error(`the plan's statement returned ${rows.length} rows instead of one`);
    const missing = RESULT_COLUMNS.filter((column) => !(column in row));
    if (missing.length > 0) throw new Error(`the plan's statement did not return the column(s) ${missing.join(', ')}`);

    const pageTotal = row.page_total === null ? 0 : Number(row.page_total);
    // PostgREST's order: failNotSingular, failExceedsMaxAffectedPref, failChangesOffLimits, failPut
    if (plan.singular && pageTotal !== 1) throw Errors.singular(pageTotal);
    if (plan.maxAffected !== undefined && pageTotal > plan.maxAffected) throw Errors.maxAffected(pageTotal);
    if (plan.maxChanges !== undefined && pageTotal > plan.maxChanges) throw Errors.offLimitsChanges(pageTotal, plan.maxChanges);
    if (plan.kind === 'put' && pageTotal !== 1) throw Errors.putMismatch();
    const responseHeaders = parseResponseHeadersGuc(row.response_headers);
    const responseStatus = parseResponseStatusGuc(row.response_status);
    const totalResultSet = await countTotal(client, plan, row.total_result_set === null ? null : Number(row.total_result_set), context.settings.dbMaxRows);

    const rollback = shouldRollback(plan, context);
    await finishRequest(session, rollback);
    return {
      body: row.body,
      pageTotal,
      totalResultSet: totalResultSet ?? undefined,
      location: row.location,
      inserted: row.inserted === undefined || row.inserted === null ? undefined : Number(row.inserted),
      responseStatus,
      responseHeaders,
      committed: !rollback,
    };
  } catch (error) {
    throw await abortRequest(session, error, context.auth.authenticated);
  }
}

const NO_RESULT: ExecutionResult = {
  body: null,
  pageTotal: 0,
  totalResultSet: undefined,
  location: null,
  inserted: undefined,
  responseStatus: undefined,
  responseHeaders: [],
  committed: true,
};

/** `Accept: application/vnd.pgrst.plan…`: the statement is an EXPLAIN, its output the body. */
export function isExplained(plan: Pick<ExecutionPlan, 'mediaType'>): boolean {
  return plan.mediaType.startsWith('application/vnd.pgrst.plan+');
}

/** EXPLAIN's "QUERY PLAN" column: one JSON document (FORMAT JSON), or one line of text per row. */
function explainOutput(rows: Array<Record<string, string>>): string {
  return rows.map((row) => Object.values(row)[0] ?? '').join('\n');
}

/**
 * `Prefer: count=planned|estimated`: the planner's estimate of the count query, run after the
 * main statement when plan/count.ts says it is needed; else the statement's own total.
 */
async function countTotal(client: pg.PoolClient, plan: ExecutionPlan, statementTotal: number | null, maxRows: number | undefined): Promise<number | null> {
  const countPlan = (plan as Partial<ReadExecutionPlan>).countPlanStatement;
  if (!countPlan || !needsPlannedCount(plan.count, statementTotal, maxRows)) return statementTotal;
  const { text, values } = render(countPlan);
  const { rows } = await client.query<Record<string, string>>({ text, values, types: RAW_TEXT });
  return totalCount(plan.count, statementTotal, plannedRows(rows[0]?.['QUERY PLAN']));
}

/**
 * Runs `work` in a read-only request transaction (role, settings and db-pre-request applied),
 * for what the server answers itself but must ask as the request's role: the OpenAPI
 * description's accessible objects.
 */
export async function inRequestTransaction<T>(pool: pg.Pool, context: ExecutionContext, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const session = await startRequest(pool, true, context, false);
  try {
    const value = await work(session.client);
    await finishRequest(session, false);
    return value;
  } catch (error) {
    throw await abortRequest(session, error, context.auth.authenticated);
  }
}

/** `begin`, the request settings and db-pre-request; on failure the connection is cleaned up and the error mapped. */
async function startRequest(pool: pg.Pool, readOnly: boolean, context: ExecutionContext, applyTimezone: boolean): Promise<Session> {
  const session = await beginTransaction(pool, readOnly);
  try {
    await session.client.query(requestSettingsQuery(context, applyTimezone));
    if (context.settings.dbPreRequest) {
      const { schema, name } = context.settings.dbPreRequest;
      await session.client.query(`select ${schema === undefined ? quoteIdentifier(name) : `${quoteIdentifier(schema)}.${quoteIdentifier(name)}`}()`);
    }
    return session;
  } catch (error) {
    throw await abortRequest(session, error, context.auth.authenticated);
  }
}

async function finishRequest(session: Session, rollback: boolean): Promise<void> {
  if (rollback) {
    // deferred constraints still report their violations, as they would have at commit
    await session.client.query('set constraints all immediate');
    await session.client.query('rollback');
  } else {
    await session.client.query('commit');
  }
  session.release();
}

/** Rolls back (or drops a broken connection) and returns the error to throw. */
async function abortRequest(session: Session, error: unknown, authenticated: boolean): Promise<unknown> {
  if (isConnectionFailure(error)) {
    session.release(error as Error);
  } else {
    await session.client.query('rollback').catch(() => undefined);
    session.release();
  }
  return toPgrstError(error, authenticated, 'query');
}

/** `db-tx-end` and `Prefer: tx`: rollback when asked (and allowed), or when rolling back is the default. */
export function shouldRollback(plan: ExecutionPlan, context: ExecutionContext): boolean {
  const txEnd = context.settings.dbTxEnd;
  const overridable = txEnd.endsWith('-allow-override');
  const preferred = overridable ? context.preferTx : undefined;
  if (plan.rollback || preferred === 'rollback') return true;
  return txEnd.startsWith('rollback') && preferred !== 'commit';
}

/**
 * One `select set_config(…, true), …` for the whole request, in PostgREST's order: search_path,
 * role, request.jwt.claims, request.method, request.path, request.headers, request.cookies,
 * timezone, app.settings.*. Every value is a bound parameter.
 */
export function requestSettings(context: ExecutionContext, applyTimezone: boolean): SqlFragment {
  const set = (name: string, value: string): SqlFragment => sql`set_config(${raw(`'${name}'`)}, ${param(value)}, true)`;
  const searchPath = [context.schema, ...context.settings.dbExtraSearchPath].map(quoteIdentifier).join(', ');
  const settings = [
    set('search_path', searchPath),
    set('role', context.auth.role),
    set('request.jwt.claims', context.auth.claimsJson),
    set('request.method', context.method),
    set('request.path', context.path),
    set('request.headers', JSON.stringify(context.headers)),
    set('request.cookies', JSON.stringify(context.cookies)),
  ];
  if (context.timezone !== undefined && applyTimezone) {
    settings.push(set('timezone', context.timezone));
  }
  for (const [name, value] of context.settings.appSettings) settings.push(sql`set_config(${param(name)}, ${param(value)}, true)`);
  return sql`select ${join(settings, ', ')}`;
}

/**
 * `render(requestSettings(context, applyTimezone))`, with the statement's text built once per
 * settings object (it depends only on whether the timezone is set and on app-settings); only the
 * bound values are gathered per request.
 */
export function requestSettingsQuery(context: ExecutionContext, applyTimezone: boolean): pg.QueryConfig {
  const withTimezone = context.timezone !== undefined && applyTimezone;
  let texts = settingsTexts.get(context.settings);
  if (texts === undefined) {
    texts = {};
    settingsTexts.set(context.settings, texts);
  }
  const text = (withTimezone ? texts.withTimezone : texts.withoutTimezone) ?? settingsText(context.settings, withTimezone, texts);
  const values: unknown[] = [
    [context.schema, ...context.settings.dbExtraSearchPath].map(quoteIdentifier).join(', '),
    context.auth.role,
    context.auth.claimsJson,
    context.method,
    context.path,
    JSON.stringify(context.headers),
    JSON.stringify(context.cookies),
  ];
  if (withTimezone) values.push(context.timezone);
  for (const [name, value] of context.settings.appSettings) values.push(name, value);
  return { text, values };
}

const settingsTexts = new WeakMap<ExecutionSettings, { withTimezone?: string; withoutTimezone?: string }>();

function settingsText(settings: ExecutionSettings, withTimezone: boolean, texts: { withTimezone?: string; withoutTimezone?: string }): string {
  // the same fragment requestSettings builds, with placeholder values: only its text is kept
  const placeholder: ExecutionContext = {
    auth: { role: '', claimsJson: '' } as AuthResult,
    method: '',
    path: '',
    headers: {},
    cookies: {},
    schema: '',
    settings,
    timezone: withTimezone ? '' : undefined,
  };
  const { text } = render(requestSettings(placeholder, withTimezone));
  if (withTimezone) texts.withTimezone = text;
  else texts.withoutTimezone = text;
  return text;
}

interface Session {
  client: pg.PoolClient;
  /** Returns the connection to the pool, or destroys it when given the error that broke it. */
  release(error?: Error): void;
}

/**
 * A pooled connection with its transaction begun. A connection that died while idle in the pool
 * (database or PgBouncer restarted) fails at `begin`, before anything ran: then one fresh
 * connection is tried, so a recovered database answers the first request after it returns.
 */
async function beginTransaction(pool: pg.Pool, readOnly: boolean): Promise<Session> {
  const begin = `begin isolation level read committed ${readOnly ? 'read only' : 'read write'}`;
  for (let attempt = 1; ; attempt += 1) {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw toPgrstError(error, false, 'connect');
    }
    const session = watch(client);
    try {
      await client.query(begin);
      return session;
    } catch (error) {
      if (isConnectionFailure(error)) {
        session.release(error as Error);
        if (attempt < 2) continue;
      } else {
        session.release();
      }
      throw toPgrstError(error, false, 'query');
    }
  }
}

/** A checked-out client has no error listener of the pool's: without ours, a dropped connection would crash the process. */
function watch(client: pg.PoolClient): Session {
  const ignore = (): void => undefined;
  client.on('error', ignore);
  let released = false;
  return {
    client,
    release(error?: Error) {
      if (released) return;
      released = true;
      client.off('error', ignore);
      client.release(error);
    },
  };
}

/** Server errors that end the session: administrator or crash shutdown, server not accepting connections. */
const CONNECTION_LOST_STATES = new Set(['57P01', '57P02', '57P03']);
const SOCKET_ERRORS = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** The connection itself failed (reset, terminated by the server or PgBouncer), as opposed to a statement. */
export function isConnectionFailure(error: unknown): boolean {
  if (error instanceof pg.DatabaseError) return CONNECTION_LOST_STATES.has(error.code ?? '') || (error.code ?? '').startsWith('08');
  if (!(error instanceof Error) || error instanceof PgrstError) return false;
  if (SOCKET_ERRORS.has((error as NodeJS.ErrnoException).code ?? '')) return true;
  return /^Connection terminated|Connection ended|is not queryable|write after end/i.test(error.message);
}

/** Postgres' and the pool's failures as PostgREST reports them; anything else (our bug) is rethrown as is. */
function toPgrstError(error: unknown, authenticated: boolean, stage: 'connect' | 'query'): unknown {
  if (error instanceof PgrstError) return error;
  if (stage === 'connect') {
    if (error instanceof Error && error.message === POOL_TIMEOUT_MESSAGE) return Errors.poolTimeout();
    return Errors.connection(error instanceof Error ? error.message : String(error));
  }
  if (error instanceof pg.DatabaseError) {
    // 08xxx mid-request is the session ending under us: PgBouncer dropping it while the database
    // restarts — unless a function raised it, which PostgREST answers as the SQLSTATE it is
    const raised = error.routine === 'exec_stmt_raise';
    if (!raised && (CONNECTION_LOST_STATES.has(error.code ?? '') || (error.code ?? '').startsWith('08'))) return Errors.connectionLost(error.message);
    return fromPostgresError({ code: error.code, message: error.message, detail: error.detail, hint: error.hint }, authenticated);
  }
  if (isConnectionFailure(error)) return Errors.connectionLost((error as Error).message);
  return error;
}
