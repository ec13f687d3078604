/**
 * Functions called as RPC (`/rpc/<fn>`), as PostgREST v12 answers them ("Functions as RPC",
 * "Errors"), directly and through PgBouncer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOMEOWNER_SUB, signToken, startConformanceServer, type ConformanceServer } from './harness.ts';
import { bearer, errorOf, jsonRequest, query } from './http.ts';

/** Two overloads that the same argument name calls: PostgREST cannot choose (PGRST203). */
const OVERLOADS = `
create function api.measure(value text) returns text language sql immutable as $$ select 'text' $$;
create function api.measure(value json) returns text language sql immutable as $$ select 'json' $$;
`;

describe.each([{ throughPgBouncer: false }, { throughPgBouncer: true }])('RPC (PgBouncer: $throughPgBouncer)', ({ throughPgBouncer }) => {
  let server: ConformanceServer;
  let auth: Record<string, string>;
  beforeAll(async () => {
    server = await startConformanceServer({ throughPgBouncer, extraSql: OVERLOADS, env: { PGRST_DB_TX_END: 'commit-allow-override' } });
    auth = bearer(signToken({ role: 'authenticated', sub: HOMEOWNER_SUB }));
  });
  afterAll(() => server?.close());

  const post = (fn: string, body: unknown, headers: Record<string, string> = {}) => server.fetch(`/rpc/${fn}`, jsonRequest('POST', body, { ...auth, ...headers }));
  const get = (pathAndQuery: string, headers: Record<string, string> = {}) => server.fetch(`/rpc/${pathAndQuery}`, { headers: { ...auth, ...headers } });

  describe('arguments', () => {
    it('calls with named arguments in a POST body', async () => {
      const { data, error, status } = await server.anon.rpc('add', { a: 2, b: 3 });
      expect(error).toBeNull();
      expect(status).toBe(200);
      expect(data).toBe(5);

      const response = await post('add', { b: 40, a: 2 });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(await response.text()).toBe('42');
    });

    it('leaves out arguments that have defaults', async () => {
      expect((await server.anon.rpc('task_count', { property_id: 1 })).data).toBe(6);
      expect((await server.anon.rpc('task_count', { property_id: 1, status: 'todo' })).data).toBe(3);
      expect((await server.anon.rpc('join_words')).data).toBe('');
    });

    it('passes an array to a variadic parameter, or repeated query parameters on GET', async () => {
      expect((await server.anon.rpc('join_words', { sep: '-', words: ['a', 'b', 'c'] })).data).toBe('a-b-c');
      const response = await get('join_words?words=roof&words=gutter&sep=%2B');
      expect(response.status).toBe(200);
      expect(await response.json()).toBe('roof+gutter');
    });

    it('passes the whole body to a single unnamed json parameter', async () => {
      const { data, error } = await server.anon.rpc('echo_json', { rooms: ['kitchen', 'garage'], floors: 2 });
      expect(error).toBeNull();
      expect(data).toEqual({ rooms: ['kitchen', 'garage'], floors: 2 });
    });

    it('passes the whole body as one object with Prefer: params=single-object', async () => {
      const response = await post('echo_json', { a: 1, b: [true, null] }, { Prefer: 'params=single-object' });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ a: 1, b: [true, null] });
    });

    it('reads arguments from an urlencoded form', async () => {
      const response = await server.fetch('/rpc/add', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'a=20&b=22' });
      expect(response.status).toBe(200);
      expect(await response.json()).toBe(42);
    });

    it('refuses an argument of the wrong type (22P02)', async () => {
      const response = await post('add', { a: 'one', b: 2 });
      expect((await errorOf(response, 400)).code).toBe('22P02');
    });

    it('refuses invalid JSON (PGRST102)', async () => {
      expect(await errorOf(await post('add', '{"a": 1,'), 400)).toEqual({ code: 'PGRST102', message: 'Empty or invalid json', details: null, hint: null });
    });
  });

  describe('GET and HEAD', () => {
    it('calls stable and immutable functions with arguments in the query string', async () => {
      const { data, error } = await server.anon.rpc('add', { a: 1, b: 2 }, { get: true });
      expect(error).toBeNull();
      expect(data).toBe(3);

      const response = await server.fetch('/rpc/search_assets?query=filter&select=name');
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual([{ name: 'Dishwasher' }, { name: 'Fridge' }]);
    });

    it('answers HEAD with the headers of GET and no body', async () => {
      const response = await server.fetch('/rpc/zone_names?property_id=1', { method: 'HEAD' });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(response.headers.get('content-range')).toBe('0-6/*');
      expect(await response.text()).toBe('');

      const { data, count, error } = await server.anon.rpc('zone_names', { property_id: 1 }, { head: true, count: 'exact' });
      expect(error).toBeNull();
      expect(data).toBeNull();
      expect(count).toBe(7);
    });

    it('answers OPTIONS with the methods the function allows', async () => {
      const stable = await server.fetch('/rpc/add', { method: 'OPTIONS' });
      expect(stable.status).toBe(200);
      expect(stable.headers.get('allow')).toBe('OPTIONS,GET,HEAD,POST');
      const volatile = await server.fetch('/rpc/complete_task', { method: 'OPTIONS' });
      expect(volatile.headers.get('allow')).toBe('OPTIONS,POST');
    });

    it('refuses a function that writes over GET: the transaction is read-only (405, 25006)', async () => {
      const response = await get('complete_task?task_id=8');
      expect(await errorOf(response, 405)).toEqual({ code: '25006', message: 'cannot execute UPDATE in a read-only transaction', details: null, hint: null });
      expect((await query(server, 'select status::text from api.tasks where id = 8'))[0]).toEqual({ status: 'todo' });
    });

    it('refuses PATCH, PUT and DELETE on /rpc (405 PGRST101)', async () => {
      for (const method of ['PATCH', 'PUT', 'DELETE']) {
        const response = await server.fetch('/rpc/add', jsonRequest(method, { a: 1, b: 2 }));
        expect(await errorOf(response, 405)).toEqual({ code: 'PGRST101', message: `Cannot use the ${method} method on RPC`, details: null, hint: null });
      }
    });
  });

  describe('results', () => {
    it('gives a set-returning function filtered, ordered and paged like a table', async () => {
      const response = await server.fetch('/rpc/zone_tree?root=1&depth=eq.1&order=name.desc&select=id,name', { headers: { Prefer: 'count=exact' } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-range')).toBe('0-1/2');
      expect(await response.json()).toEqual([
        { id: 3, name: 'Living room' },
        { id: 2, name: 'Kitchen' },
      ]);

      const { data, error } = await server.anon.rpc('zone_tree', { root: 4 }).select('name').gt('depth', 0).order('name', { ascending: false }).limit(1);
      expect(error).toBeNull();
      expect(data).toEqual([{ name: 'Bedroom' }]);

      const paged = await server.fetch('/rpc/zone_names?property_id=1&limit=2&offset=1', { headers: { Prefer: 'count=exact' } });
      expect(paged.status).toBe(206);
      expect(paged.headers.get('content-range')).toBe('1-2/7');
      expect(await paged.json()).toEqual(['Bedroom', 'First floor']);
    });

    it('embeds the related rows of a function returning rows of a table', async () => {
      const { data, error } = await server.homeowner.rpc('search_assets', { query: 'boiler' }).select('name,zones(name,properties(name))');
      expect(error).toBeNull();
      expect(data).toEqual([{ name: 'Gas boiler', zones: { name: 'Garage', properties: { name: 'Maple House' } } }]);
    });

    it('gives a scalar, a composite, OUT parameters and TABLE rows in their shapes', async () => {
      expect((await server.anon.rpc('zone_names', { property_id: 2 })).data).toEqual(['Main room']);
      expect((await server.anon.rpc('property_stats', { property_id: 1 })).data).toEqual({ task_count: 6, open_count: 4 });
      const costs = await server.anon.rpc('property_costs', { property_id: 1 });
      expect(costs.data).toEqual({ total: expect.any(Number), currency: 'EUR', task_count: 6 });
      expect((await server.anon.rpc('zone_tree', { root: 4 })).data).toEqual([
        { id: 4, name: 'First floor', depth: 0 },
        { id: 5, name: 'Bathroom', depth: 1 },
        { id: 6, name: 'Bedroom', depth: 1 },
      ]);
    });

    it('answers 204 without a body for a void function', async () => {
      const { data, error, status } = await server.homeowner.rpc('touch_property', { property_id: 2 });
      expect(error).toBeNull();
      expect(status).toBe(204);
      expect(data).toBeNull();
      expect((await query(server, `select details->>'touched' as touched from api.properties where id = 2`))[0]).toEqual({ touched: 'true' });

      const response = await post('touch_property', { property_id: 1 });
      expect(response.status).toBe(204);
      expect(response.headers.get('content-type')).toBeNull();
      expect(await response.text()).toBe('');
    });

    it('gives one object with vnd.pgrst.object+json, 406 PGRST116 when there are several', async () => {
      const one = await server.anon.rpc('zone_tree', { root: 2 }).single();
      expect(one.error).toBeNull();
      expect(one.data).toEqual({ id: 2, name: 'Kitchen', depth: 0 });
      const several = await server.anon.rpc('zone_tree', { root: 1 }).single();
      expect(several.status).toBe(406);
      expect(several.error).toEqual({ code: 'PGRST116', message: 'JSON object requested, multiple (or no) rows returned', details: 'The result contains 3 rows', hint: null });
    });

    it('calls a function of another exposed schema with Content-Profile', async () => {
      const { data, error } = await server.as({ role: 'anon' }, 'v2').rpc('api_version');
      expect(error).toBeNull();
      expect(data).toBe('v2');
    });

    it('runs a volatile function in a transaction that Prefer: tx=rollback undoes', async () => {
      const response = await post('complete_task?select=id,status', { task_id: 7, notes: 'swept' }, { Prefer: 'tx=rollback' });
      expect(response.status).toBe(200);
      expect(response.headers.get('preference-applied')).toBe('tx=rollback');
      expect(await response.json()).toEqual({ id: 7, status: 'done' });
      expect((await query(server, 'select status::text from api.tasks where id = 7'))[0]).toEqual({ status: 'todo' });
    });
  });

  describe('finding the function', () => {
    it('picks the overload whose parameter names match', async () => {
      expect((await server.anon.rpc('greet', {}, { get: true })).data).toBe('Hello, homeowner');
      expect((await server.anon.rpc('greet', { name: 'Ana' }, { get: true })).data).toBe('Hello, Ana');
      expect((await server.anon.rpc('greet', { name: 'Ana', greeting: 'Bonjour' })).data).toBe('Bonjour, Ana');
    });

    it('refuses overloads it cannot choose between (300 PGRST203)', async () => {
      const error = await errorOf(await post('measure', { value: 'x' }), 300);
      expect(error.code).toBe('PGRST203');
      expect(error.message).toMatch(/^Could not choose the best candidate function between: /);
      expect(error.message).toContain('api.measure(value => text)');
      expect(error.message).toContain('api.measure(value => json)');
      expect(error.details).toBeNull();
      expect(error.hint).toBe('Try renaming the parameters or the function itself in the database so function overloading can be resolved');
    });

    it('answers 404 PGRST202 for a function that is not there', async () => {
      expect(await errorOf(await post('nope', {}), 404)).toEqual({
        code: 'PGRST202',
        message: 'Could not find the function api.nope without parameters in the schema cache',
        details: 'Searched for the function api.nope without parameters or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.',
        hint: null,
      });
      expect(await errorOf(await get('nope?b=1&a=2'), 404)).toEqual({
        code: 'PGRST202',
        message: 'Could not find the function api.nope(a, b) in the schema cache',
        details: 'Searched for the function api.nope with parameters a, b, but no matches were found in the schema cache.',
        hint: null,
      });
    });

    it('answers 404 PGRST202 with a hint for arguments that match no overload', async () => {
      const error = await errorOf(await post('add', { a: 1 }), 404);
      expect(error).toMatchObject({
        code: 'PGRST202',
        message: 'Could not find the function api.add(a) in the schema cache',
        details: 'Searched for the function api.add with parameter a or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.',
      });
      expect(error.hint).toBe('Perhaps you meant to call the function api.add(a, b)');
    });

    it('does not expose functions of a schema that is not exposed', async () => {
      expect((await errorOf(await post('secret_number', {}), 404)).code).toBe('PGRST202');
    });

    it('refuses anon a function it may not execute (401, 42501)', async () => {
      const response = await server.fetch('/rpc/complete_task', jsonRequest('POST', { task_id: 8 }));
      expect(await errorOf(response, 401)).toEqual({ code: '42501', message: 'permission denied for function complete_task', details: null, hint: null });
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
    });
  });

  describe('errors and responses set by SQL', () => {
    it('answers RAISE SQLSTATE PT402 with status 402', async () => {
      const response = await post('pay_up', {});
      expect(await errorOf(response, 402)).toEqual({ code: 'PT402', message: 'Payment Required', details: 'Quota exceeded', hint: 'Upgrade your plan' });
    });

    it("answers RAISE SQLSTATE 'PGRST' with the status, headers and body it carries", async () => {
      const response = await post('raise_pgrst', {});
      expect(await errorOf(response, 409)).toEqual({ code: 'HAVEN01', message: 'Property is archived', details: 'Archived on 2024-05-01', hint: 'Unarchive it first' });
      expect(response.headers.get('x-haven-reason')).toBe('archived');

      const { error, status } = await server.anon.rpc('raise_pgrst');
      expect(status).toBe(409);
      expect(error?.code).toBe('HAVEN01');
    });

    it('takes response.status and response.headers set by the function', async () => {
      const response = await post('accept_upload', { file_name: 'leak.jpg' });
      expect(response.status).toBe(202);
      expect(response.headers.get('x-upload-name')).toBe('leak.jpg');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.json()).toEqual({ accepted: 'leak.jpg' });
    });

    it('answers an out-of-range result (22003) with 400', async () => {
      const response = await post('add', { a: 2147483647, b: 1 });
      expect(await errorOf(response, 400)).toEqual({ code: '22003', message: 'integer out of range', details: null, hint: null });
    });
  });
});
