import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import type { AuthResult } from '../auth/authenticate.ts';
import { param, sql } from '../sql/fragment.ts';
import { executePlan, type ExecutionContext } from './execute-plan.ts';
import { createDataApiTestDatabase, pgBouncerBinary, startTestPgBouncer, testPlan, testPool, type DataApiTestDatabase } from './test-fixtures.ts';

const onCi = Boolean(process.env.CI);
if (!pgBouncerBinary && !onCi) console.warn('skipping the executor-through-PgBouncer tests: no pgbouncer binary');

describe.runIf(pgBouncerBinary || onCi)('executePlan through PgBouncer in transaction pooling mode', () => {
  let database: DataApiTestDatabase;
  let bouncer: Awaited<ReturnType<typeof startTestPgBouncer>>;
  let pool: pg.Pool;

  beforeAll(async () => {
    database = await createDataApiTestDatabase('execpgb', 'grant insert on api.items to :anon; grant usage on sequence api.items_id_seq to :anon;');
    // one server connection: every request shares one Postgres session
    bouncer = await startTestPgBouncer(database, 1);
    pool = testPool(bouncer.url, { max: 8 });
  });
  afterAll(async () => {
    await pool?.end();
    await bouncer?.close();
    await database?.drop();
  });

  const auth = (role: string, sub: string): AuthResult => {
    const claims = { sub, role };
    return { role, claims, claimsJson: JSON.stringify(claims), authenticated: role !== database.anon };
  };
  const context = (role: string, sub: string): ExecutionContext => ({
    auth: auth(role, sub),
    method: 'POST',
    path: '/items',
    headers: { 'x-sub': sub },
    cookies: {},
    schema: 'api',
    settings: { dbExtraSearchPath: ['public'], dbPreRequest: undefined, dbTxEnd: 'commit', appSettings: [] },
  });

  it('keeps each request to its own role, claims and parameters on one shared server session', async () => {
    const statement = (name: string) =>
      sql`with inserted as (insert into api.items (name) select ${param(name)} where current_user::text <> ${param(database.anon)} returning name)
          select json_build_object(
            'user', current_user,
            'sub', current_setting('request.jwt.claims')::json->>'sub',
            'header', current_setting('request.headers')::json->>'x-sub',
            'pid', pg_backend_pid(),
            'inserted', (select count(*) from inserted))::text as body,
            1::bigint as page_total, null::bigint as total_result_set,
            current_setting('response.headers', true) as response_headers,
            current_setting('response.status', true) as response_status, null::text as location`;
    const requests = Array.from({ length: 24 }, (_, index) => {
      const role = index % 2 === 0 ? database.member : database.anon;
      return executePlan(pool, testPlan(statement(`item ${index}`), { kind: 'insert', readOnly: false }), context(role, `user-${index}`)).then((result) => ({
        index,
        role,
        seen: JSON.parse(result.body!) as { user: string; sub: string; header: string; pid: number; inserted: number },
      }));
    });
    const results = await Promise.all(requests);
    for (const { index, role, seen } of results) {
      expect(seen).toMatchObject({ user: role, sub: `user-${index}`, header: `user-${index}`, inserted: role === database.member ? 1 : 0 });
    }
    // all of them ran on the one server connection PgBouncer has
    expect(new Set(results.map((result) => result.seen.pid)).size).toBe(1);
  });

  it('rolls back a failed request without leaking its role or settings into the next one', async () => {
    const failing = sql`select (1/0)::text as body, 1::bigint as page_total, null::bigint as total_result_set, null::text as response_headers, null::text as response_status, null::text as location`;
    await expect(executePlan(pool, testPlan(failing), context(database.member, 'failing'))).rejects.toMatchObject({ status: 400, code: '22012' });
    const probe = sql`select json_build_object('user', current_user, 'claims', current_setting('request.jwt.claims', true))::text as body, 1::bigint as page_total, null::bigint as total_result_set, null::text as response_headers, null::text as response_status, null::text as location`;
    const after = await executePlan(pool, testPlan(probe), context(database.anon, 'next'));
    expect(JSON.parse(after.body!)).toEqual({ user: database.anon, claims: JSON.stringify({ sub: 'next', role: database.anon }) });
  });
});
