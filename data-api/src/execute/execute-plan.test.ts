import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort, withClient } from '@launchdb/common';
import type pg from 'pg';
import type { AuthResult } from '../auth/authenticate.ts';
import { PgrstError } from '../errors.ts';
import { param, raw, sql } from '../sql/fragment.ts';
import { executePlan, requestSettings, shouldRollback, type ExecutionContext } from './execute-plan.ts';
import { createDataApiTestDatabase, resultStatement, testPlan, testPool, type DataApiTestDatabase } from './test-fixtures.ts';

let database: DataApiTestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  database = await createDataApiTestDatabase(
    'exec',
    `
    create function api.whoami() returns text language sql as $$ select current_user::text $$;
    create function api.set_response(headers text, status text) returns void language plpgsql as $$
    begin
      perform set_config('response.headers', headers, true);
      perform set_config('response.status', status, true);
    end $$;
    create function api.reject_strangers() returns void language plpgsql as $$
    begin
      perform set_config('test.pre_request_ran', 'yes', true);
      if current_setting('request.headers', true)::json->>'x-stranger' = 'yes' then
        raise sqlstate 'PGRST' using
          message = '{"code":"X403","message":"Strangers are not welcome","details":null,"hint":"say hello"}',
          detail = '{"status":403,"headers":{"X-Reason":"stranger"}}';
      end if;
    end $$;
    grant execute on function api.whoami(), api.set_response(text, text), api.reject_strangers() to :anon, :member;
    create table api.deferred (id int primary key, parent int references api.deferred (id) deferrable initially deferred);
    grant select, insert on api.deferred to :member;
  `,
  );
  pool = testPool(database.authenticatorUrl);
});

afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

function auth(role: string, claims: Record<string, unknown> = {}): AuthResult {
  const withRole = { ...claims, role };
  return { role, claims: withRole, claimsJson: JSON.stringify(withRole), authenticated: role !== database.anon };
}

function context(overrides: Partial<ExecutionContext> = {}): ExecutionContext {
  return {
    auth: auth(database.anon),
    method: 'GET',
    path: '/items',
    headers: { accept: 'application/json', 'x-test': 'yes' },
    cookies: { session: 'abc' },
    schema: 'api',
    settings: { dbExtraSearchPath: ['public'], dbPreRequest: undefined, dbTxEnd: 'commit', appSettings: [] },
    ...overrides,
  };
}

async function failure(promise: Promise<unknown>): Promise<PgrstError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PgrstError) return error;
    throw error;
  }
  throw new Error('expected the request to fail');
}

async function itemNames(): Promise<string[]> {
  return withClient(database.adminUrl, async (client) => (await client.query<{ name: string }>('select name from api.items order by id')).rows.map((row) => row.name));
}

describe('executePlan', () => {
  it('sets every request setting in the transaction that runs the statement', async () => {
    const statement = resultStatement({
      body: `json_build_object(
        'user', current_user,
        'method', current_setting('request.method'),
        'path', current_setting('request.path'),
        'headers', current_setting('request.headers')::json,
        'cookies', current_setting('request.cookies')::json,
        'claims', current_setting('request.jwt.claims')::json,
        'search_path', current_setting('search_path'),
        'tenant', current_setting('app.settings.tenant'),
        'read_only', current_setting('transaction_read_only'),
        'isolation', current_setting('transaction_isolation'),
        'pre_request', current_setting('test.pre_request_ran', true))`,
    });
    const result = await executePlan(
      pool,
      testPlan(statement),
      context({
        auth: auth(database.member, { sub: 'user-1' }),
        settings: { dbExtraSearchPath: ['public', 'ext"ra'], dbPreRequest: { schema: 'api', name: 'reject_strangers' }, dbTxEnd: 'commit', appSettings: [['app.settings.tenant', 'acme']] },
      }),
    );
    expect(JSON.parse(result.body!)).toEqual({
      user: database.member,
      method: 'GET',
      path: '/items',
      headers: { accept: 'application/json', 'x-test': 'yes' },
      cookies: { session: 'abc' },
      claims: { sub: 'user-1', role: database.member },
      search_path: '"api", "public", "ext""ra"',
      tenant: 'acme',
      read_only: 'on',
      isolation: 'read committed',
      pre_request: 'yes',
    });
    expect(result).toMatchObject({ pageTotal: 1, totalResultSet: undefined, location: null, responseHeaders: [], responseStatus: undefined, committed: true });
  });

  it('sets the timezone of Prefer: timezone only when the plan applied it', async () => {
    const statement = testPlan(resultStatement({ body: "current_setting('timezone')" }));
    const applied = await executePlan(pool, { ...statement, preferenceApplied: ['timezone=Asia/Tokyo'] }, context({ timezone: 'Asia/Tokyo' }));
    expect(applied.body).toBe('Asia/Tokyo');
    const ignored = await executePlan(pool, statement, context({ timezone: 'Asia/Tokyo' }));
    expect(ignored.body).not.toBe('Asia/Tokyo');
  });

  it('leaves no setting behind on the pooled connection', async () => {
    const single = testPool(database.authenticatorUrl, { max: 1 });
    try {
      await executePlan(single, testPlan(resultStatement({ body: "'x'" })), context({ auth: auth(database.member, { sub: 'someone' }) }));
      const client = await single.connect();
      try {
        const { rows } = await client.query(
          "select current_user as user, current_setting('request.jwt.claims', true) as claims, current_setting('request.method', true) as method",
        );
        expect(rows[0]).toEqual({ user: database.authenticator.user, claims: '', method: '' });
      } finally {
        client.release();
      }
    } finally {
      await single.end();
    }
  });

  it('passes the body text through untouched, and reads counts as numbers', async () => {
    const result = await executePlan(
      pool,
      testPlan(resultStatement({ body: `'{"a" :   1, "b":[ ]}'::json`, pageTotal: '3', total: '120' })),
      context(),
    );
    expect(result.body).toBe('{"a" :   1, "b":[ ]}');
    expect(result.pageTotal).toBe(3);
    expect(result.totalResultSet).toBe(120);
  });

  it('binds every value as a parameter', async () => {
    const evil = "'); drop table api.items; --";
    const statement = sql`select ${param(evil)}::text as body, 1::bigint as page_total, null::bigint as total_result_set, null::text as response_headers, null::text as response_status, null::text as location`;
    const result = await executePlan(pool, testPlan(statement), context());
    expect(result.body).toBe(evil);
    expect(await itemNames()).toEqual([]);
  });

  it('runs GET in a read-only transaction: a write fails with 25006 → 405', async () => {
    const statement = resultStatement({ work: "insert into api.items (name) values ('sneaky') returning 1", body: "'[]'", from: 'work' });
    const error = await failure(executePlan(pool, testPlan(statement), context({ auth: auth(database.member) })));
    expect(error).toMatchObject({ status: 405, code: '25006', message: expect.stringMatching(/^cannot execute .* in a read-only transaction$/) });
    expect(await itemNames()).toEqual([]);
  });

  it('commits a write, and rolls it back on Prefer: tx=rollback after building the result', async () => {
    const insert = (name: string) =>
      resultStatement({
        work: `insert into api.items (name) values ('${name}') returning *`,
        body: 'json_agg(work)',
        pageTotal: 'count(*)',
        location: "'id=eq.' || min(work.id)",
        from: 'work',
      });
    const kept = await executePlan(pool, testPlan(insert('kept'), { kind: 'insert', readOnly: false }), context({ method: 'POST', auth: auth(database.member) }));
    expect(kept.committed).toBe(true);
    expect(kept.location).toMatch(/^id=eq\.\d+$/);

    const dropped = await executePlan(pool, testPlan(insert('dropped'), { kind: 'insert', readOnly: false, rollback: true }), context({ method: 'POST', auth: auth(database.member) }));
    expect(JSON.parse(dropped.body!)).toEqual([expect.objectContaining({ name: 'dropped' })]);
    expect(dropped.committed).toBe(false);
    expect(await itemNames()).toEqual(['kept']);
  });

  it('reports deferred constraint violations on rollback too', async () => {
    const statement = resultStatement({ work: 'insert into api.deferred values (1, 99) returning 1', body: "'[]'", pageTotal: 'count(*)', from: 'work' });
    const error = await failure(executePlan(pool, testPlan(statement, { kind: 'insert', readOnly: false, rollback: true }), context({ method: 'POST', auth: auth(database.member) })));
    expect(error).toMatchObject({ status: 409, code: '23503' });
  });

  it('follows db-tx-end and Prefer: tx', () => {
    const plan = testPlan(raw('select'));
    const with_ = (dbTxEnd: ExecutionContext['settings']['dbTxEnd'], preferTx?: 'commit' | 'rollback') =>
      shouldRollback(plan, context({ preferTx, settings: { dbExtraSearchPath: [], dbPreRequest: undefined, dbTxEnd, appSettings: [] } }));
    expect(with_('commit')).toBe(false);
    expect(with_('commit', 'rollback')).toBe(false);
    expect(with_('commit-allow-override', 'rollback')).toBe(true);
    expect(with_('rollback')).toBe(true);
    expect(with_('rollback', 'commit')).toBe(true);
    expect(with_('rollback-allow-override', 'commit')).toBe(false);
    expect(shouldRollback({ ...plan, rollback: true }, context())).toBe(true);
  });

  it('rolls back a write that violates a singular request (406 PGRST116)', async () => {
    const statement = resultStatement({
      work: "insert into api.items (name) values ('one'), ('two') returning *",
      body: 'json_agg(work)->0',
      pageTotal: 'count(*)',
      from: 'work',
    });
    const error = await failure(executePlan(pool, testPlan(statement, { kind: 'insert', readOnly: false, singular: true }), context({ method: 'POST', auth: auth(database.member) })));
    expect(error.toJSON()).toEqual({ code: 'PGRST116', details: 'The result contains 2 rows', hint: null, message: 'JSON object requested, multiple (or no) rows returned' });
    expect(error.status).toBe(406);
    expect(await itemNames()).toEqual(['kept']);
  });

  it('rolls back a write that affects more rows than Prefer: max-affected allows (PGRST124)', async () => {
    const statement = resultStatement({ work: "update api.items set name = name || '!' returning *", body: "'[]'", pageTotal: 'count(*)', from: 'work' });
    await executePlan(pool, testPlan(resultStatement({ work: "insert into api.items (name) values ('more') returning 1", body: "''", from: 'work' }), { readOnly: false }), context({ auth: auth(database.member) }));
    const error = await failure(executePlan(pool, testPlan(statement, { kind: 'update', readOnly: false, maxAffected: 1 }), context({ method: 'PATCH', auth: auth(database.member) })));
    expect(error).toMatchObject({ status: 400, code: 'PGRST124', details: 'The query affects 2 rows' });
    expect(await itemNames()).toEqual(['kept', 'more']);
  });

  it("returns what SQL set in response.headers and response.status", async () => {
    const statement = resultStatement({
      work: `select api.set_response('[{"Cache-Control": "no-store"}, {"Set-Cookie": "a=1"}, {"Set-Cookie": "b=2"}]', '418')`,
      body: "'[]'",
      from: 'work',
    });
    const result = await executePlan(pool, testPlan(statement), context());
    expect(result.responseStatus).toBe(418);
    expect(result.responseHeaders).toEqual([
      ['Cache-Control', 'no-store'],
      ['Set-Cookie', 'a=1'],
      ['Set-Cookie', 'b=2'],
    ]);
  });

  it('rejects invalid response GUCs with PGRST111 / PGRST112 and rolls the write back', async () => {
    const write = (headers: string, status: string) =>
      resultStatement({
        work: `insert into api.items (name) select 'guc ' || md5(random()::text) from api.set_response('${headers}', '${status}') returning 1`,
        body: "'[]'",
        from: 'work',
      });
    const headers = await failure(executePlan(pool, testPlan(write('{"not": "an array"}', ''), { readOnly: false }), context({ auth: auth(database.member) })));
    expect(headers).toMatchObject({ status: 500, code: 'PGRST111', message: 'response.headers guc must be a JSON array composed of objects with a single key and a string value' });
    const status = await failure(executePlan(pool, testPlan(write('[]', 'teapot'), { readOnly: false }), context({ auth: auth(database.member) })));
    expect(status).toMatchObject({ status: 500, code: 'PGRST112', message: 'response.status guc must be a valid status code' });
    expect(await itemNames()).toEqual(['kept', 'more']);
  });

  it('lets db-pre-request reject a request with RAISE SQLSTATE PGRST', async () => {
    const error = await failure(
      executePlan(
        pool,
        testPlan(resultStatement({ body: "'[]'" })),
        context({ headers: { 'x-stranger': 'yes' }, settings: { dbExtraSearchPath: [], dbPreRequest: { schema: 'api', name: 'reject_strangers' }, dbTxEnd: 'commit', appSettings: [] } }),
      ),
    );
    expect(error.status).toBe(403);
    expect(error.toJSON()).toEqual({ code: 'X403', details: null, hint: 'say hello', message: 'Strangers are not welcome' });
    expect(error.headers).toEqual({ 'X-Reason': 'stranger' });
  });

  it('quotes the pre-request function name', async () => {
    const error = await failure(
      executePlan(
        pool,
        testPlan(resultStatement({ body: "'[]'" })),
        context({ settings: { dbExtraSearchPath: [], dbPreRequest: { schema: 'api', name: 'whoami"(); drop table api.items; --' }, dbTxEnd: 'commit', appSettings: [] } }),
      ),
    );
    expect(error).toMatchObject({ status: 404, code: '42883' });
    expect(await itemNames()).toEqual(['kept', 'more']);
  });

  it('maps permission errors to 401 for the anonymous role and 403 for others', async () => {
    const write = testPlan(resultStatement({ work: "delete from api.items returning 1", body: "'[]'", from: 'work' }), { readOnly: false, kind: 'delete' });
    const anonymous = await failure(executePlan(pool, write, context({ method: 'DELETE' })));
    expect(anonymous).toMatchObject({ status: 401, code: '42501', headers: { 'WWW-Authenticate': 'Bearer' } });
    const stranger = await failure(executePlan(pool, write, context({ method: 'DELETE', auth: auth(database.stranger) })));
    expect(stranger).toMatchObject({ status: 403, code: '42501', message: `permission denied to set role "${database.stranger}"` });
  });

  it('answers 503 PGRST000 when the database cannot be reached', async () => {
    const port = await findFreePort();
    const nowhere = testPool(`postgres://nobody:secret@127.0.0.1:${port}/none`);
    try {
      const error = await failure(executePlan(nowhere, testPlan(resultStatement({ body: "'[]'" })), context()));
      expect(error.status).toBe(503);
      expect(error.toJSON()).toEqual({ code: 'PGRST000', details: expect.stringContaining('ECONNREFUSED'), hint: null, message: 'Database connection error. Retrying the connection.' });
    } finally {
      await nowhere.end();
    }
  });

  it('answers 504 PGRST003 when no pooled connection frees up in time', async () => {
    const small = testPool(database.authenticatorUrl, { max: 1, connectionTimeoutMillis: 300 });
    const held = await small.connect();
    try {
      const error = await failure(executePlan(small, testPlan(resultStatement({ body: "'[]'" })), context()));
      expect(error.status).toBe(504);
      expect(error.toJSON()).toEqual({ code: 'PGRST003', details: null, hint: null, message: 'Timed out acquiring connection from connection pool.' });
    } finally {
      held.release();
      await small.end();
    }
  });

  it('answers 503 PGRST001 when the connection is lost mid-request, then works again', async () => {
    const single = testPool(database.authenticatorUrl, { max: 1, application_name: 'exec-terminated' });
    try {
      const slow = failure(executePlan(single, testPlan(resultStatement({ body: "(select 'late' from pg_sleep(5))" })), context()));
      await waitFor(async () =>
        withClient(database.adminUrl, async (client) => {
          const { rows } = await client.query("select pg_terminate_backend(pid) as done from pg_stat_activity where application_name = 'exec-terminated' and query like '%pg_sleep%'");
          return rows.length > 0;
        }),
      );
      const error = await slow;
      expect(error).toMatchObject({ status: 503, code: 'PGRST001', message: 'Database client error. Retrying the connection.' });
      const after = await executePlan(single, testPlan(resultStatement({ body: "'back'" })), context());
      expect(after.body).toBe('back');
    } finally {
      await single.end();
    }
  });

  it('recovers on its own when idle pooled connections were terminated', async () => {
    const recovering = testPool(database.authenticatorUrl, { max: 2, application_name: 'exec-idle' });
    try {
      await Promise.all([1, 2].map(() => executePlan(recovering, testPlan(resultStatement({ body: "(select 'x' from pg_sleep(0.1))" })), context())));
      await withClient(database.adminUrl, (client) => client.query("select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'exec-idle'"));
      const result = await executePlan(recovering, testPlan(resultStatement({ body: "'fresh'" })), context());
      expect(result.body).toBe('fresh');
    } finally {
      await recovering.end();
    }
  });

  it('builds one set_config statement with constant names and bound values', () => {
    const fragment = requestSettings(context(), false);
    const texts = fragment.parts.filter((part) => 'text' in part).map((part) => (part as { text: string }).text).join('');
    expect(texts).toContain("set_config('role', ");
    expect(texts).not.toContain(database.anon);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('condition not met in time');
}
