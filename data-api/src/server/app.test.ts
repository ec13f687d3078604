import { createHmac } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createLogger, withClient } from '@launchdb/common';
import { buildDataApi, type DataApi } from '../app.ts';
import { Errors } from '../errors.ts';
import { createDataApiTestDatabase, resultStatement, TEST_JWT_SECRET, testConfig, testPlan, testPool, type DataApiTestDatabase } from '../execute/test-fixtures.ts';
import { param, raw, sql } from '../sql/fragment.ts';
import { CountingSchemaCache, testParseRequest, testPlanner, testSchemaCache } from './test-stages.ts';

function jwt(claims: Record<string, unknown>, secret = TEST_JWT_SECRET): string {
  const input = `${Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

describe('buildDataApi', () => {
  let database: DataApiTestDatabase;
  let pool: pg.Pool;
  let api: DataApi;
  const schemaCache = new CountingSchemaCache(
    testSchemaCache([
      { name: 'items', primaryKey: ['id'] },
      { name: 'report', insertable: false, updatable: false, deletable: false },
    ]),
  );
  const logLines: Array<Record<string, unknown>> = [];
  let seenBody: Buffer | undefined;

  beforeAll(async () => {
    database = await createDataApiTestDatabase('app');
    pool = testPool(database.authenticatorUrl);
    const destination = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
        done();
      },
    });
    api = await buildDataApi({
      config: testConfig(database),
      logger: createLogger({ level: 'warn', name: 'data-api', destination }),
      pool,
      schemaCache,
      bodyLimit: 1024,
      parseRequest: (rawRequest, config) => {
        seenBody = rawRequest.body;
        return testParseRequest(rawRequest, config);
      },
      plan: testPlanner({
        'GET /whoami': () => testPlan(resultStatement({ body: `json_build_object('user', current_user, 'claims', current_setting('request.jwt.claims')::json, 'cookies', current_setting('request.cookies')::json, 'path', current_setting('request.path'))` })),
        'GET /items': () => testPlan(resultStatement({ body: "coalesce(json_agg(i order by i.id), '[]')", pageTotal: 'count(*)', from: 'api.items i' })),
        'POST /items': (request) =>
          testPlan(
            sql`with inserted as (insert into api.items (name) select name from json_to_recordset(${param(request.payload?.kind === 'json' ? request.payload.raw : '[]')}::json) as r(name text) returning *)
                select json_agg(inserted)::text as body, count(*)::bigint as page_total, null::bigint as total_result_set,
                       current_setting('response.headers', true) as response_headers, current_setting('response.status', true) as response_status,
                       'id=eq.' || min(inserted.id) as location
                from inserted`,
            { kind: 'insert', readOnly: false, relationPath: '/items', returnPreference: request.preferences.return, omitBody: request.preferences.return !== 'representation', preferenceApplied: request.preferences.return ? [`return=${request.preferences.return}`] : [] },
          ),
        'GET /cookies': () =>
          testPlan(
            resultStatement({
              work: `select set_config('response.headers', '[{"Set-Cookie": "a=1; Path=/"}, {"Set-Cookie": "b=2; Path=/"}, {"Cache-Control": "no-store"}]', true), set_config('response.status', '202', true)`,
              body: "'{}'",
              from: 'work',
            }),
          ),
        'GET /broken': () => {
          throw new Error('a bug in the planner');
        },
        'GET /raw': () => testPlan(raw('select 1')),
      }),
    });
  });

  afterAll(async () => {
    await api?.close();
    await pool?.end();
    await database?.drop();
  });

  it('answers a read with the body Postgres built and PostgREST headers', async () => {
    await withClient(database.adminUrl, (client) => client.query("insert into api.items (name) values ('first'), ('second')"));
    const response = await api.inject({ method: 'GET', url: '/items?select=*' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.headers['content-range']).toBe('0-1/*');
    expect(response.json()).toEqual([
      { id: 1, name: 'first' },
      { id: 2, name: 'second' },
    ]);
  });

  it('runs as the role of the token, with its claims, the cookies and the raw path', async () => {
    const anonymous = await api.inject({ method: 'GET', url: '/whoami', headers: { cookie: 'theme=dark; lang=en' } });
    expect(anonymous.json()).toEqual({ user: database.anon, claims: { role: database.anon }, cookies: { theme: 'dark', lang: 'en' }, path: '/whoami' });
    const member = await api.inject({ method: 'GET', url: '/whoami', headers: { authorization: `Bearer ${jwt({ role: database.member, sub: 'u1' })}` } });
    expect(member.json()).toMatchObject({ user: database.member, claims: { role: database.member, sub: 'u1' } });
  });

  it("answers JWT failures with PostgREST's body and WWW-Authenticate", async () => {
    const expired = await api.inject({ method: 'GET', url: '/whoami', headers: { authorization: `Bearer ${jwt({ role: database.member, exp: 1000 })}` } });
    expect(expired.statusCode).toBe(401);
    expect(expired.headers['www-authenticate']).toBe('Bearer error="invalid_token", error_description="JWT expired"');
    expect(expired.json()).toEqual({ code: 'PGRST303', details: null, hint: null, message: 'JWT expired' });
    const forged = await api.inject({ method: 'GET', url: '/whoami', headers: { authorization: `Bearer ${jwt({ role: database.member }, 'not-the-secret-but-long-enough-32-chars')}` } });
    expect(forged.statusCode).toBe(401);
    expect(forged.json()).toEqual({ code: 'PGRST301', details: 'None of the keys was able to decode the JWT', hint: null, message: 'No suitable key or wrong key type' });
  });

  it('hands the raw body bytes to the parser and inserts with 201, Location and the representation', async () => {
    const payload = '[{"name": "from http"}]';
    const response = await api.inject({
      method: 'POST',
      url: '/items',
      payload,
      headers: { 'content-type': 'application/json', prefer: 'return=representation', authorization: `Bearer ${jwt({ role: database.member })}` },
    });
    expect(Buffer.isBuffer(seenBody) && seenBody.toString()).toBe(payload);
    expect(response.statusCode).toBe(201);
    expect(response.headers.location).toBe('/items?id=eq.3');
    expect(response.headers['preference-applied']).toBe('return=representation');
    expect(response.json()).toEqual([{ id: 3, name: 'from http' }]);

    const minimal = await api.inject({ method: 'POST', url: '/items', payload: '[{"name": "quiet"}]', headers: { 'content-type': 'application/json', authorization: `Bearer ${jwt({ role: database.member })}` } });
    expect(minimal.statusCode).toBe(201);
    expect(minimal.body).toBe('');
    expect(minimal.headers['content-type']).toBeUndefined();
  });

  it('takes any content type as bytes, even none', async () => {
    const response = await api.inject({ method: 'POST', url: '/items', payload: Buffer.from('[{"name": "untyped"}]'), headers: { 'content-type': 'application/x-anything', authorization: `Bearer ${jwt({ role: database.member })}` } });
    expect(response.statusCode).toBe(201);
    expect(seenBody?.toString()).toBe('[{"name": "untyped"}]');
  });

  it('refuses a body beyond the limit with 413', async () => {
    const response = await api.inject({ method: 'POST', url: '/items', payload: 'x'.repeat(2048), headers: { 'content-type': 'application/json' } });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ code: 'PGRST102', message: 'Request body is too large' });
  });

  it('sends no body for HEAD', async () => {
    const response = await api.inject({ method: 'HEAD', url: '/items' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('');
    expect(response.headers['content-range']).toBe('0-4/*');
  });

  it('honours response.status and repeated response.headers', async () => {
    const response = await api.inject({ method: 'GET', url: '/cookies' });
    expect(response.statusCode).toBe(202);
    expect(response.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('answers OPTIONS from the schema cache', async () => {
    const items = await api.inject({ method: 'OPTIONS', url: '/items' });
    expect([items.statusCode, items.headers.allow]).toEqual([200, 'OPTIONS,GET,HEAD,POST,PUT,PATCH,DELETE']);
    const report = await api.inject({ method: 'OPTIONS', url: '/report' });
    expect(report.headers.allow).toBe('OPTIONS,GET,HEAD');
    const missing = await api.inject({ method: 'OPTIONS', url: '/nothing' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'PGRST205', message: "Could not find the table 'api.nothing' in the schema cache" });
  });

  it("passes the parser's and planner's errors on, and hides a bug behind a 500", async () => {
    const profile = await api.inject({ method: 'GET', url: '/items', headers: { 'accept-profile': 'secret' } });
    expect(profile.statusCode).toBe(406);
    expect(profile.json()).toEqual({ code: 'PGRST106', details: null, hint: null, message: 'The schema must be one of the following: api' });
    const unknown = await api.inject({ method: 'GET', url: '/unknown' });
    expect(unknown.statusCode).toBe(404);
    const broken = await api.inject({ method: 'GET', url: '/broken' });
    expect(broken.statusCode).toBe(500);
    expect(broken.json()).toEqual({ code: 'PGRSTX00', details: null, hint: null, message: 'Internal server error' });
    expect(logLines.some((line) => line.msg === 'request failed' && JSON.stringify(line.err).includes('a bug in the planner'))).toBe(true);
    const badStatement = await api.inject({ method: 'GET', url: '/raw' });
    expect(badStatement.statusCode).toBe(500);
    expect(logLines.some((line) => JSON.stringify(line.err ?? '').includes('did not return the column(s) body, page_total'))).toBe(true);
  });

  it('hands a URL the router cannot decode to the pipeline', async () => {
    const response = await api.inject({ method: 'GET', url: '/items%zz' });
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('PGRST125');
  });

  it('answers 503 PGRST002, to be retried, until the schema cache is loaded', async () => {
    const notLoaded = new CountingSchemaCache(testSchemaCache([]), false);
    const early = await buildDataApi({
      config: testConfig(database),
      logger: createLogger({ level: 'silent', name: 'data-api' }),
      pool,
      schemaCache: notLoaded,
      parseRequest: testParseRequest,
      plan: testPlanner({}),
    });
    try {
      const response = await early.inject({ method: 'GET', url: '/items' });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toEqual(Errors.schemaCacheNotReady().toJSON());
      expect(response.headers['retry-after']).toBe('1');
    } finally {
      await early.close();
    }
  });
});
