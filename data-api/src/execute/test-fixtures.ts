import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { quoteIdent, quoteLiteral, withClient, withDatabase } from '@launchdb/common';
import { findPgBouncerBinary } from '@launchdb/pgbouncer';
import { startTestPgBouncer as startSharedTestPgBouncer, type TestPgBouncer } from '@launchdb/testkit/pgbouncer';
import { createTestDatabase } from '@launchdb/testkit/databases';
import { loadDataApiConfig, type DataApiConfig } from '../config/config.ts';
import type { ExecutionPlan } from '../plan/types.ts';
import { raw, type SqlFragment } from '../sql/fragment.ts';

/**
 * For the data API's own tests: a fresh database with PostgREST's three kinds of roles — a
 * login *authenticator* that may switch to `anon` and `member` — plus a schema `api` with a
 * table `api.items` both can use. Roles are cluster-wide, hence the random suffix.
 */
export interface DataApiTestDatabase {
  name: string;
  /** Superuser connection to this database, for setup and checks. */
  adminUrl: string;
  /** The authenticator's connection: what the data API's pool uses. */
  authenticatorUrl: string;
  authenticator: { user: string; password: string };
  anon: string;
  member: string;
  /** A member of nothing the authenticator may switch to. */
  stranger: string;
  drop(): Promise<void>;
}

export async function createDataApiTestDatabase(prefix: string, extraSql = ''): Promise<DataApiTestDatabase> {
  const database = await createTestDatabase(prefix);
  const suffix = randomBytes(4).toString('hex');
  const authenticator = { user: `${prefix}_auth_${suffix}`, password: randomBytes(12).toString('hex') };
  const anon = `${prefix}_anon_${suffix}`;
  const member = `${prefix}_member_${suffix}`;
  const stranger = `${prefix}_stranger_${suffix}`;
  const serverUrl = inject('postgresUrl');
  await withClient(database.url, async (client) => {
    await client.query(`create role ${quoteIdent(authenticator.user)} login noinherit password ${quoteLiteral(authenticator.password)}`);
    for (const role of [anon, member, stranger]) await client.query(`create role ${quoteIdent(role)} nologin`);
    await client.query(`grant ${quoteIdent(anon)}, ${quoteIdent(member)} to ${quoteIdent(authenticator.user)}`);
    await client.query(`
      create schema api;
      create table api.items (id serial primary key, name text not null unique);
      grant usage on schema api to ${quoteIdent(anon)}, ${quoteIdent(member)};
      grant select on api.items to ${quoteIdent(anon)};
      grant select, insert, update, delete on api.items to ${quoteIdent(member)};
      grant usage on sequence api.items_id_seq to ${quoteIdent(member)};
    `);
    if (extraSql) await client.query(extraSql.replaceAll(':anon', quoteIdent(anon)).replaceAll(':member', quoteIdent(member)));
  });
  const url = new URL(withDatabase(serverUrl, database.name));
  url.username = authenticator.user;
  url.password = authenticator.password;
  return {
    name: database.name,
    adminUrl: database.url,
    authenticatorUrl: url.toString(),
    authenticator,
    anon,
    member,
    stranger,
    async drop() {
      await database.drop();
      await withClient(serverUrl, async (client) => {
        for (const role of [authenticator.user, anon, member, stranger]) await client.query(`drop role if exists ${quoteIdent(role)}`);
      });
    },
  };
}

export const TEST_JWT_SECRET = 'a-test-jwt-secret-of-at-least-32-characters';

/** A config as the environment of a deployed data API would give it. */
export function testConfig(database: DataApiTestDatabase, env: Record<string, string> = {}): DataApiConfig {
  return loadDataApiConfig({
    env: {
      PGRST_DB_URI: database.authenticatorUrl,
      PGRST_DB_SCHEMAS: 'api',
      PGRST_DB_ANON_ROLE: database.anon,
      PGRST_JWT_SECRET: TEST_JWT_SECRET,
      PGRST_DB_POOL: '4',
      PGRST_DB_POOL_ACQUISITION_TIMEOUT: '2',
      ...env,
    },
  });
}

export function testPool(connectionString: string, options: Partial<pg.PoolConfig> = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString, max: 4, connectionTimeoutMillis: 2_000, ...options });
  pool.on('error', () => undefined);
  return pool;
}

/**
 * A hand-written main statement with the result columns of plan/types.ts:
 * `with work as (<work>) select <body> as body, <pageTotal> as page_total, …`.
 */
export function resultStatement(columns: { work?: string; body: string; pageTotal?: string; total?: string; location?: string; from?: string }): SqlFragment {
  return raw(
    `${columns.work ? `with work as (${columns.work}) ` : ''}select (${columns.body})::text as body, (${columns.pageTotal ?? '1'})::bigint as page_total, ` +
      `(${columns.total ?? 'null'})::bigint as total_result_set, current_setting('response.headers', true) as response_headers, ` +
      `current_setting('response.status', true) as response_status, (${columns.location ?? 'null'})::text as location` +
      (columns.from ? ` from ${columns.from}` : ''),
  );
}

/** A read plan around `statement`; override what the test is about. */
export function testPlan(statement: SqlFragment, overrides: Partial<ExecutionPlan> = {}): ExecutionPlan {
  return {
    statement,
    readOnly: true,
    mediaType: 'application/json',
    singular: false,
    kind: 'read',
    omitBody: false,
    returnPreference: undefined,
    count: undefined,
    range: { offset: 0, limit: undefined },
    rollback: false,
    maxAffected: undefined,
    preferenceApplied: [],
    relationPath: undefined,
    ...overrides,
  };
}

export const pgBouncerBinary = findPgBouncerBinary();

/**
 * A real PgBouncer (transaction pooling) in front of the test database, serving the
 * authenticator under the alias `app` with `poolSize` server connections.
 */
export function startTestPgBouncer(database: DataApiTestDatabase, poolSize = 1): Promise<TestPgBouncer> {
  return startSharedTestPgBouncer({ adminUrl: database.adminUrl, database: database.name, login: database.authenticator, poolSize });
}
