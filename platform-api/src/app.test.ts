import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createPool, generateMasterKey, parseMasterKey, SecretBox, withClient, type Pool } from '@launchdb/common';
import { createTestDatabase } from '@launchdb/testkit/databases';
import { buildPlatformApi, type PlatformApi } from './app.ts';
import { preparePlatformDatabase } from './setup/platform-database.ts';
import { ensureFirstOperator } from './setup/first-operator.ts';

const JWT_SECRET = 'a-platform-secret-of-at-least-32-characters';

describe('platform-api', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: Pool;
  let api: PlatformApi;
  let password: string;
  const logLines: Array<Record<string, unknown>> = [];
  let failingCheck = false;

  beforeAll(async () => {
    database = await createTestDatabase('platform_api');
    await withClient(database.url, (admin) => preparePlatformDatabase(admin, new SecretBox(parseMasterKey(generateMasterKey()))));
    db = createPool({ connectionString: database.url, applicationName: 'platform-api-test' });
    const outcome = await ensureFirstOperator(db, { email: 'Ops@Example.com', password: undefined });
    if (!outcome.created || !outcome.generatedPassword) throw new Error('expected a generated first operator');
    password = outcome.generatedPassword;
    const destination = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
        done();
      },
    });
    api = await buildPlatformApi({
      db,
      logger: createLogger({ level: 'info', name: 'platform-api', destination }),
      jwtSecret: JWT_SECRET,
      tokenLifetimeSeconds: 600,
      loginAttemptsPerMinute: 10,
      healthChecks: [
        { name: 'database', check: async () => void (await db.query('select 1')) },
        { name: 'pgbouncer', check: async () => { if (failingCheck) throw new Error('connection refused'); } },
      ],
    });
  });
  afterAll(async () => {
    await api?.close();
    await db?.end();
    await database?.drop();
  });

  const login = (body: unknown, ip = '10.0.0.1') =>
    api.inject({ method: 'POST', url: '/api/auth/login', payload: body as object, remoteAddress: ip });

  it('reports each dependency with its status and latency', async () => {
    const response = await api.inject({ method: 'GET', url: '/api/health' });
    expect(response.statusCode).toBe(200);
    const report = response.json();
    expect(report.status).toBe('ok');
    expect(report.dependencies.database).toMatchObject({ status: 'up', latencyMs: expect.any(Number) });
    expect(report.dependencies.pgbouncer.status).toBe('up');
  });

  it('answers 503 naming the dependency that is down', async () => {
    failingCheck = true;
    try {
      const response = await api.inject({ method: 'GET', url: '/api/health' });
      expect(response.statusCode).toBe(503);
      expect(response.json().dependencies.pgbouncer).toMatchObject({ status: 'down', error: 'connection refused' });
    } finally {
      failingCheck = false;
    }
  });

  it('logs in the first operator (email case-insensitively) and knows who they are', async () => {
    const response = await login({ email: 'ops@example.com', password });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ token_type: 'bearer', expires_in: 600, operator: { email: 'Ops@Example.com' } });

    const me = await api.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${body.access_token}` } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ id: body.operator.id, email: 'Ops@Example.com', last_login_at: expect.any(String) });
  });

  it('rejects a wrong password and an unknown email alike, with a JSON error', async () => {
    const wrong = await login({ email: 'ops@example.com', password: 'not-it' }, '10.0.0.2');
    const unknown = await login({ email: 'nobody@example.com', password: 'not-it' }, '10.0.0.2');
    for (const response of [wrong, unknown]) {
      expect(response.statusCode).toBe(401);
      expect(response.headers['content-type']).toMatch(/application\/json/);
      expect(response.json()).toEqual({ error: { code: 'invalid_credentials', message: 'email or password is incorrect' } });
    }
  });

  it('answers 429 once one address has tried too many logins in a minute, and not to others', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 20; i += 1) statuses.push((await login({ email: 'ops@example.com', password: `guess-${i}` }, '10.0.0.3')).statusCode);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual(Array(10).fill(429));
    const limited = await login({ email: 'ops@example.com', password }, '10.0.0.3');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('rate_limited');
    expect(limited.headers['retry-after']).toBeDefined();
    expect((await login({ email: 'ops@example.com', password }, '10.0.0.4')).statusCode).toBe(200);
  });

  it('turns bad input into 4xx JSON errors', async () => {
    const cases = [
      { payload: '{"email": ', headers: { 'content-type': 'application/json' }, status: 400, code: 'invalid_json' },
      { payload: JSON.stringify({ email: 'ops@example.com' }), headers: { 'content-type': 'application/json' }, status: 400, code: 'validation_failed' },
      { payload: JSON.stringify({ email: 1, password: [] }), headers: { 'content-type': 'application/json' }, status: 400, code: 'validation_failed' },
      { payload: 'email=a&password=b', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415, code: 'unsupported_media_type' },
      { payload: JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(200_000) }), headers: { 'content-type': 'application/json' }, status: 413, code: 'payload_too_large' },
    ];
    for (const [index, c] of cases.entries()) {
      const response = await api.inject({ method: 'POST', url: '/api/auth/login', payload: c.payload, headers: c.headers, remoteAddress: `10.0.1.${index}` });
      expect({ status: response.statusCode, code: response.json().error.code }).toEqual({ status: c.status, code: c.code });
    }
  });

  it('refuses text PostgreSQL cannot store with 400 validation_failed before any query, and logs no failure', async () => {
    logLines.length = 0;
    const cases = [
      { url: '/api/auth/login', payload: JSON.stringify({ email: 'ops@example.com\u0000', password }), message: 'body field "email" contains a NUL character (\\u0000), which cannot be stored' },
      { url: '/api/auth/login', payload: '{"email":"ops@example.com","password":"\\udead"}', message: 'body field "password" contains an unpaired UTF-16 surrogate, which is not valid Unicode' },
      { url: '/api/auth/login?next=%00', payload: JSON.stringify({ email: 'ops@example.com', password }), message: 'query parameter "next" contains a NUL character (\\u0000), which cannot be stored' },
    ];
    for (const [index, c] of cases.entries()) {
      const response = await api.inject({ method: 'POST', url: c.url, payload: c.payload, headers: { 'content-type': 'application/json' }, remoteAddress: `10.0.2.${index}` });
      expect({ status: response.statusCode, body: response.json() }).toEqual({ status: 400, body: { error: { code: 'validation_failed', message: c.message } } });
    }
    expect(logLines.filter((line) => (line.level as number) >= 40 || line.err !== undefined)).toEqual([]);
  });

  it('answers a URL the router cannot take in its own error shape', async () => {
    const response = await api.inject({ method: 'GET', url: '/api/projects/%zz' });
    expect({ status: response.statusCode, body: response.json() }).toEqual({ status: 400, body: { error: { code: 'bad_request', message: "'/api/projects/%zz' is not a valid url component" } } });
  });

  it('refuses /api/me without a token, with a tampered token, and with a token of another secret', async () => {
    const token = (await login({ email: 'ops@example.com', password }, '10.0.0.5')).json().access_token as string;
    const [header, payload, signature] = token.split('.');
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), sub: '00000000-0000-0000-0000-000000000000' })).toString('base64url')}.${signature}`;
    const responses = await Promise.all(
      [undefined, 'Bearer not-a-jwt', `Bearer ${tampered}`, `Basic ${token}`].map((authorization) =>
        api.inject({ method: 'GET', url: '/api/me', headers: authorization ? { authorization } : {} }),
      ),
    );
    expect(responses.map((r) => r.statusCode)).toEqual([401, 401, 401, 401]);
    expect(responses.map((r) => r.json().error.code)).toEqual(['unauthorized', 'invalid_token', 'invalid_token', 'unauthorized']);
  });

  it('answers unknown routes with a JSON 404', async () => {
    const response = await api.inject({ method: 'GET', url: '/api/nothing-here' });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('not_found');
  });

  it('puts the request id on every log line of a request and echoes it, and never logs the password', async () => {
    logLines.length = 0;
    const response = await api.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'ops@example.com', password },
      headers: { 'x-request-id': 'trace-123' },
      remoteAddress: '10.0.0.6',
    });
    expect(response.headers['x-request-id']).toBe('trace-123');
    const requestLines = logLines.filter((line) => line.reqId === 'trace-123');
    expect(requestLines.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(logLines)).not.toContain(password);
    expect(requestLines.every((line) => line.service === 'platform-api')).toBe(true);
  });
});
