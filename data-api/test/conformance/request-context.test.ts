/**
 * What SQL sees of the request ("Transactions": request.jwt.claims, request.method,
 * request.path, request.headers, request.cookies, app.settings.*, Prefer: timezone) and
 * db-pre-request, which runs in each request's transaction before its statement and may reject
 * it or set response.status / response.headers. Through PgBouncer, every setting must stay
 * inside its request's transaction.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOMEOWNER_SUB, signToken, startConformanceServer, type ConformanceServer } from './harness.ts';
import { bearer, errorOf, jsonRequest, query } from './http.ts';

const SUSPENDED_SUB = '44444444-4444-4444-8444-444444444444';

const PRE_REQUEST = `
create function public.check_request() returns void language plpgsql as $$
declare
  headers json := current_setting('request.headers', true)::json;
  claims json := current_setting('request.jwt.claims', true)::json;
begin
  if headers->>'x-blocked' = 'yes' then
    raise sqlstate 'PT403' using message = 'Blocked by pre-request', hint = 'Remove X-Blocked';
  end if;
  if current_user = 'authenticated' and claims->>'sub' = '${SUSPENDED_SUB}' then
    raise insufficient_privilege using message = 'Account suspended';
  end if;
  if headers->>'x-teapot' is not null then
    perform set_config('response.status', '418', true);
    perform set_config('response.headers', '[{"X-Pre-Request": "ran"}]', true);
  end if;
  perform set_config('haven.pre_request', current_setting('request.method', true) || ' ' || current_setting('request.path', true), true);
end
$$;

create function api.setting(name text) returns text language sql stable as $$ select current_setting(name, true) $$;
`;

describe.each([{ throughPgBouncer: false }, { throughPgBouncer: true }])('request context (PgBouncer: $throughPgBouncer)', ({ throughPgBouncer }) => {
  let server: ConformanceServer;
  beforeAll(async () => {
    server = await startConformanceServer({
      throughPgBouncer,
      extraSql: PRE_REQUEST,
      env: { PGRST_DB_PRE_REQUEST: 'public.check_request', PGRST_APP_SETTINGS_HAVEN_REGION: 'eu-west' },
    });
  });
  afterAll(() => server?.close());

  interface Context {
    role: string;
    claims: Record<string, unknown>;
    method: string;
    path: string;
    headers: Record<string, string>;
    cookies: Record<string, string>;
  }
  const context = async (init: RequestInit = {}, path = '/rpc/request_context'): Promise<Context> => {
    const response = await server.fetch(path, init);
    expect(response.status).toBe(200);
    return (await response.json()) as Context;
  };

  describe('request.* settings', () => {
    it('gives SQL the method and the path (without the query string)', async () => {
      expect(await context({}, '/rpc/request_context?limit=5')).toMatchObject({ method: 'GET', path: '/rpc/request_context' });
      expect(await context(jsonRequest('POST', {}))).toMatchObject({ method: 'POST', path: '/rpc/request_context' });
    });

    it('gives SQL the headers with lower-case names, the cookies apart', async () => {
      const seen = await context({ headers: { 'X-Haven-Client': 'dashboard/2.1', Cookie: 'session=abc123; theme=dark', ...bearer(signToken({ role: 'authenticated' })) } });
      expect(seen.headers).toMatchObject({ 'x-haven-client': 'dashboard/2.1', authorization: expect.stringMatching(/^Bearer /) });
      expect(seen.headers).not.toHaveProperty('cookie');
      expect(seen.cookies).toEqual({ session: 'abc123', theme: 'dark' });
    });

    it('gives a read asked again (its plan kept) its own role, claims, headers and cookies', async () => {
      const ask = (sub: string, client: string, cookie: string) =>
        context({ headers: { 'X-Haven-Client': client, Cookie: cookie, ...bearer(signToken({ role: 'authenticated', sub })) } }, '/rpc/request_context?limit=1');
      const first = await ask('first-user', 'web', 'a=1');
      const second = await ask('second-user', 'ios', 'b=2');
      expect([first.claims.sub, first.headers['x-haven-client'], first.cookies]).toEqual(['first-user', 'web', { a: '1' }]);
      expect([second.claims.sub, second.headers['x-haven-client'], second.cookies]).toEqual(['second-user', 'ios', { b: '2' }]);
      const anonymous = await context({}, '/rpc/request_context?limit=1');
      expect(anonymous.role).toBe('anon');
    });

    it('gives SQL the claims of the token', async () => {
      const seen = await context({ headers: bearer(signToken({ role: 'authenticated', sub: HOMEOWNER_SUB, email: 'alice@example.com', app_metadata: { plan: 'pro' } })) });
      expect(seen.claims).toEqual({ role: 'authenticated', sub: HOMEOWNER_SUB, email: 'alice@example.com', app_metadata: { plan: 'pro' } });
      expect(seen.role).toBe('authenticated');
    });

    it('keeps each setting inside its request: nothing leaks to the next one on the same connection', async () => {
      for (let round = 0; round < 3; round += 1) {
        const signedIn = await context({ headers: { 'X-Only-Here': 'yes', Cookie: 'only=here', ...bearer(signToken({ role: 'service_role', sub: 'leaky' })) } });
        expect(signedIn.role).toBe('service_role');
        const anonymous = await context();
        expect(anonymous.role).toBe('anon');
        expect(anonymous.claims).toEqual({ role: 'anon' });
        expect(anonymous.headers).not.toHaveProperty('x-only-here');
        expect(anonymous.cookies).toEqual({});
        const { data } = await server.anon.rpc('setting', { name: 'response.status' }, { get: true });
        expect(data ?? '').toBe('');
      }
    });

    it('sets app.settings.* from the configuration', async () => {
      expect((await server.anon.rpc('setting', { name: 'app.settings.haven_region' }, { get: true })).data).toBe('eu-west');
    });

    it('sets the time zone of Prefer: timezone', async () => {
      const response = await server.fetch('/activity?select=occurred_at&order=occurred_at&limit=1', { headers: { Prefer: 'timezone=America/Los_Angeles' } });
      expect(response.status).toBe(200);
      expect(response.headers.get('preference-applied')).toBe('timezone=America/Los_Angeles');
      expect(await response.json()).toEqual([{ occurred_at: '2024-03-01T02:00:00-08:00' }]);
    });
  });

  describe('db-tx-end', () => {
    it('commits by default and ignores Prefer: tx=rollback unless db-tx-end allows the override', async () => {
      const response = await server.fetch('/people', jsonRequest('POST', { name: 'Not Rolled Back' }, { Prefer: 'tx=rollback', ...bearer(signToken({ role: 'authenticated' })) }));
      expect(response.status).toBe(201);
      expect(response.headers.get('preference-applied')).toBeNull();
      expect(await query(server, `select name from api.people where name = 'Not Rolled Back'`)).toEqual([{ name: 'Not Rolled Back' }]);
    });
  });

  describe('db-pre-request', () => {
    it('runs before the statement of every request, with the request settings', async () => {
      expect((await server.anon.rpc('setting', { name: 'haven.pre_request' }, { get: true })).data).toBe('GET /rpc/setting');
      expect((await server.anon.rpc('setting', { name: 'haven.pre_request' })).data).toBe('POST /rpc/setting');
    });

    it('rejects a request with the error it raises, writing nothing', async () => {
      const read = await server.fetch('/people', { headers: { 'X-Blocked': 'yes' } });
      expect(await errorOf(read, 403)).toEqual({ code: 'PT403', message: 'Blocked by pre-request', details: null, hint: 'Remove X-Blocked' });

      const write = await server.fetch('/people', jsonRequest('POST', { name: 'Blocked Bo' }, { 'X-Blocked': 'yes', ...bearer(signToken({ role: 'authenticated' })) }));
      expect((await errorOf(write, 403)).code).toBe('PT403');
      expect(await query(server, `select 1 from api.people where name = 'Blocked Bo'`)).toEqual([]);

      expect((await server.fetch('/rpc/add?a=1&b=1', { headers: { 'X-Blocked': 'yes' } })).status).toBe(403);
    });

    it('sees the role and claims: a suspended account gets 403 (42501)', async () => {
      const { error, status } = await server.as({ role: 'authenticated', sub: SUSPENDED_SUB }).from('people').select('id');
      expect(status).toBe(403);
      expect(error).toEqual({ code: '42501', message: 'Account suspended', details: null, hint: null });
      expect((await server.homeowner.from('people').select('id').eq('id', 1)).data).toEqual([{ id: 1 }]);
    });

    it('sets response.status and response.headers for the request', async () => {
      const response = await server.fetch('/people?select=id&id=eq.1', { headers: { 'X-Teapot': '1' } });
      expect(response.status).toBe(418);
      expect(response.headers.get('x-pre-request')).toBe('ran');
      expect(await response.json()).toEqual([{ id: 1 }]);
    });
  });
});
