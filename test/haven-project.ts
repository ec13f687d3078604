import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { projectNames, withDatabase, withRequestRole } from '@launchdb/common';
import { createTestPlatform, randomProjectId, type TestPlatform } from '../platform-api/src/domain/projects/projects.test-support.ts';

/** Who a statement runs as: a signed-in user (their id), the anon key, or the service key. */
export type Caller = string | 'anon' | 'service_role';

export interface HavenProject {
  /** Superuser on the project database: what the tests arrange directly. */
  admin: pg.Pool;
  /** A user with a confirmed address, as the auth service would have made them. */
  user(name: string, options?: { confirmed?: boolean }): Promise<{ id: string; email: string }>;
  /**
   * `work` in one transaction as the data API runs a request: SET LOCAL ROLE and the JWT claims.
   * Committed, unless it throws.
   */
  as<T>(caller: Caller, work: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  /** One statement as `caller`: its rows. */
  query<R extends pg.QueryResultRow = Record<string, unknown>>(caller: Caller, text: string, values?: unknown[]): Promise<R[]>;
  /** The SQLSTATE `query` fails with (P0002 raised as PostgREST's PGRST JSON counts as P0002), or 'ok'. */
  failure(caller: Caller, text: string, values?: unknown[]): Promise<string>;
  /** The database's current_date, as 'YYYY-MM-DD'. */
  today: string;
  close(): Promise<void>;
}

/** A project provisioned with the haven template, as `launchdb project create --template haven` makes it. */
export async function createHavenProject(): Promise<HavenProject> {
  const platform: TestPlatform = await createTestPlatform();
  const id = randomProjectId();
  platform.created.add(id);
  await platform.provisioner().create({ id, name: 'haven', template: 'haven' });
  const admin = new pg.Pool({ connectionString: withDatabase(inject('postgresUrl'), projectNames(id).database), max: 6, types: { getTypeParser: datesAsText } });
  admin.on('error', () => undefined);
  const today = (await admin.query<{ today: string }>(`select current_date::text as today`)).rows[0]!.today;

  const as = <T>(caller: Caller, work: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    const role = caller === 'anon' || caller === 'service_role' ? caller : 'authenticated';
    return withRequestRole(admin, { role, claims: role === 'authenticated' ? { sub: caller, role } : { role } }, work);
  };
  const query = async <R extends pg.QueryResultRow>(caller: Caller, text: string, values: unknown[] = []) =>
    as(caller, async (client) => (await client.query<R>(text, values)).rows);

  return {
    admin,
    today,
    as,
    query,
    failure: (caller, text, values = []) => query(caller, text, values).then(() => 'ok', sqlState),
    async user(name, options = {}) {
      const email = `${name}-${randomUUID().slice(0, 8)}@haven.example.com`;
      const { rows } = await admin.query<{ id: string }>(
        `insert into auth.users (id, email, email_confirmed_at, created_at) values (gen_random_uuid(), $1, case when $2 then now() end, now()) returning id`,
        [email, options.confirmed ?? true],
      );
      return { id: rows[0]!.id, email };
    },
    async close() {
      await admin.end();
      await platform.close();
    },
  };
}

/** `date` values as PostgREST sends them ('YYYY-MM-DD'), not as JavaScript Dates at local midnight. */
const datesAsText = ((oid: number, format?: 'text' | 'binary') =>
  oid === pg.types.builtins.DATE ? (value: string) => value : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser;

/** The error's SQLSTATE; Haven's "not found" is PostgREST's raised JSON carrying P0002 (a 404). */
export function sqlState(error: { code?: string; message?: string }): string {
  if (error.code === 'PGRST') return (JSON.parse(error.message ?? '{}') as { code?: string }).code ?? 'PGRST';
  return error.code ?? String(error);
}
