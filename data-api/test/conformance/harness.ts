import { createHmac } from 'node:crypto';
import { PostgrestClient } from '@supabase/postgrest-js';
import { createLogger, findFreePort, withClient } from '@launchdb/common';
import { startTestPgBouncer, type TestPgBouncer } from '@launchdb/testkit/pgbouncer';
import { loadDataApiConfig } from '../../src/config/config.ts';
import { startDataApi, type RunningDataApi } from '../../src/server/start.ts';
import { createFixtureDatabase, type FixtureDatabase } from '../fixtures/load-fixture.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the fixture has no generated types
export type Client = PostgrestClient<any, any, any>;

export const JWT_SECRET = 'conformance-jwt-secret-of-at-least-32-chars';

/** An HS256 token signed with the server's secret (or another, to test rejection). */
export function signToken(claims: Record<string, unknown>, secret = JWT_SECRET): string {
  const input = `${Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

export interface ConformanceServer {
  /** Base URL of the REST API (`http://127.0.0.1:port`). */
  url: string;
  running: RunningDataApi;
  database: FixtureDatabase;
  /** Clients as postgrest-js is used by supabase-js: anon, a signed-in homeowner, the service role. */
  anon: Client;
  homeowner: Client;
  service: Client;
  /** A client with a token for any claims. */
  as: (claims: Record<string, unknown>, schema?: string) => Client;
  /** Raw HTTP for what postgrest-js hides: headers, status codes, CSV, OpenAPI. */
  fetch: (path: string, init?: RequestInit) => Promise<Response>;
  close: () => Promise<void>;
}

export interface ConformanceOptions {
  /** Put a real PgBouncer (transaction pooling, 2 server connections) between the API and Postgres. */
  throughPgBouncer?: boolean;
  /** Extra PGRST_* settings. */
  env?: Record<string, string>;
  /** SQL run on the fixture database (as superuser) before the server starts. */
  extraSql?: string;
}

/** The homeowner the fixture's RLS policies know (see test/fixtures/schema.sql). */
export const HOMEOWNER_SUB = '11111111-1111-4111-8111-111111111111';

/**
 * The data API as a process runs it, on a fresh database holding the Haven fixture, with the
 * real parser, planner, schema cache and executor.
 */
export async function startConformanceServer(options: ConformanceOptions = {}): Promise<ConformanceServer> {
  const database = await createFixtureDatabase('conformance');
  if (options.extraSql) await withClient(database.url, (client) => client.query(options.extraSql!));
  const bouncer = options.throughPgBouncer ? await startPgBouncer(database) : undefined;
  const port = await findFreePort();
  const env = {
    PGRST_DB_URI: bouncer?.url ?? database.authenticatorUrl,
    PGRST_DB_LISTEN_URI: database.authenticatorUrl,
    PGRST_DB_SCHEMAS: 'api,v2',
    PGRST_DB_ANON_ROLE: 'anon',
    PGRST_JWT_SECRET: JWT_SECRET,
    PGRST_DB_POOL: '4',
    PGRST_DB_AGGREGATES_ENABLED: 'true',
    PGRST_DB_PLAN_ENABLED: 'true',
    PGRST_SERVER_HOST: '127.0.0.1',
    PGRST_SERVER_PORT: String(port),
    ...options.env,
  };
  const config = loadDataApiConfig({ env });
  const running = await startDataApi(config, {
    // `reload config` and the in-database settings read the same variables again
    env,
    logger: createLogger({ level: 'silent', name: 'data-api' }),
    handleSignals: false,
    backoff: { initialMs: 20, maxMs: 200 },
  });
  await running.whenReady();
  const url = running.url;
  const as = (claims: Record<string, unknown>, schema?: string): Client =>
    new PostgrestClient(url, { headers: { Authorization: `Bearer ${signToken(claims)}` }, ...(schema ? { schema } : {}) });
  return {
    url,
    running,
    database,
    anon: new PostgrestClient(url) as Client,
    homeowner: as({ role: 'authenticated', sub: HOMEOWNER_SUB, aud: 'authenticated' }),
    service: as({ role: 'service_role' }),
    as,
    fetch: (path, init) => fetch(`${url}${path}`, init),
    async close() {
      await running.close();
      await bouncer?.close();
      await database.drop();
    },
  };
}

function startPgBouncer(database: FixtureDatabase): Promise<TestPgBouncer> {
  return startTestPgBouncer({ adminUrl: database.url, database: database.name, login: { user: 'authenticator', password: 'authenticator' }, poolSize: 2 });
}
