import pg from 'pg';

export type { Pool, PoolClient, QueryResultRow } from 'pg';

export interface PoolOptions {
  connectionString: string;
  max?: number;
  applicationName: string;
}

/**
 * Pools are safe behind PgBouncer in transaction mode: node-postgres only names a prepared
 * statement when a query is given a `name`, which no code here does, and per-request settings
 * go through `set_config(…, true)` inside `withTransaction`.
 */
export function createPool(options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 10_000,
  });
  // An idle client losing its server (restart, PgBouncer reload) must not crash the process;
  // the next checkout opens a fresh connection.
  pool.on('error', () => undefined);
  // Nor may a checked-out one that loses it between two queries (a transaction waiting on a
  // password hash): the pool listens only to idle clients, and the next query fails anyway.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/** SQLSTATEs that mean the server ended the session or does not take connections now. */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03']);
const UNAVAILABLE_SOCKET_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * The database could not be reached or dropped the session: PostgreSQL down or restarting
 * (57P0x), a connection exception (08xxx, which is also how PgBouncer reports a database it
 * refuses clients for), a socket error, or node-postgres giving up on the connection. Every
 * service answers these 503 with Retry-After: the request may be retried as it is.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (code.startsWith('08') || UNAVAILABLE_STATES.has(code) || UNAVAILABLE_SOCKET_ERRORS.has(code))) return true;
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' && /timeout exceeded when trying to connect|^Connection terminated|is not queryable/i.test(message);
}

export async function withTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Connects once (a URL, or host, port, database and login), runs `work`, always closes: for
 * admin tasks that must not hold a pool open. A connection lost meanwhile rejects `work`'s
 * query, never crashes the process.
 */
export async function withClient<T>(target: string | pg.ClientConfig, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionTimeoutMillis: 5_000, ...(typeof target === 'string' ? { connectionString: target } : target) });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Replaces the database (path) of a connection URL, keeping credentials and options. */
export function withDatabase(connectionString: string, database: string): string {
  const url = new URL(connectionString);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}
