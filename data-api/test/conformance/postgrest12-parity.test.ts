/**
 * Small behaviours where PostgREST 12 answers in a way clients (or their tests) notice: each
 * case as PostgREST's own spec suite pins it, on the Haven fixture plus a few objects of the
 * same shapes as the spec fixtures.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken, startConformanceServer, type ConformanceServer } from './harness.ts';
import { bearer, errorOf } from './http.ts';

const EXTRA = `
create function api.overloaded_same_args(arg integer) returns text language sql as $$ select 'integer' $$;
create function api.overloaded_same_args(arg xml) returns text language sql as $$ select 'xml' $$;
create function api.overloaded_same_args(arg text, num integer default 0) returns text language sql as $$ select 'text' $$;

create function api.variadic_param(variadic v text[] default '{}') returns text[] language sql immutable as $$ select v $$;

create function api.fixed_width(c character(4), b bit(3)) returns text language sql immutable as $$ select c || '/' || b::text $$;

create table api.statuses (id integer primary key, name text not null);
create table api.tournaments (id integer primary key, status integer references api.statuses (id));
insert into api.statuses values (1, 'open'), (3, 'closed');
insert into api.tournaments values (1, 1), (2, 1);
grant select on api.statuses, api.tournaments to anon, authenticated, service_role;

create function api.label(api.tasks) returns text language sql stable as $$ select 'task ' || $1.title $$;
create function api.label(api.properties) returns text language sql stable as $$ select 'home ' || $1.name $$;
create function api.tasks_of_property(p integer) returns setof api.tasks language sql stable as $$
  select * from api.tasks where property_id = p
$$;
`;

describe('PostgREST 12 parity', () => {
  let server: ConformanceServer;
  let auth: Record<string, string>;
  beforeAll(async () => {
    server = await startConformanceServer({ extraSql: EXTRA });
    auth = bearer(signToken({ role: 'service_role' }));
  });
  afterAll(() => server?.close());

  const get = (path: string, headers: Record<string, string> = {}) => server.fetch(path, { headers: { ...auth, ...headers } });

  describe('functions', () => {
    it('says "with parameter" for a single argument in PGRST202', async () => {
      expect(await errorOf(await get('/rpc/nope?a=1'), 404)).toMatchObject({
        message: 'Could not find the function api.nope(a) in the schema cache',
        details: 'Searched for the function api.nope with parameter a, but no matches were found in the schema cache.',
      });
    });

    it('lists ambiguous candidates by parameter count, then parameters, as PostgREST does', async () => {
      expect(await errorOf(await get('/rpc/overloaded_same_args?arg=value'), 300)).toEqual({
        code: 'PGRST203',
        message:
          'Could not choose the best candidate function between: api.overloaded_same_args(arg => integer), api.overloaded_same_args(arg => xml), api.overloaded_same_args(arg => text, num => integer)',
        details: null,
        hint: 'Try renaming the parameters or the function itself in the database so function overloading can be resolved',
      });
    });

    it('passes a single form value to a VARIADIC parameter as a one-element array', async () => {
      const post = (body: string) =>
        server.fetch('/rpc/variadic_param', { method: 'POST', headers: { ...auth, 'Content-Type': 'application/x-www-form-urlencoded' }, body });
      expect(await (await post('v=hi')).json()).toEqual(['hi']);
      expect(await (await post('v=hi&v=there')).json()).toEqual(['hi', 'there']);
      expect(await (await post('')).json()).toEqual([]);
      expect(await (await get('/rpc/variadic_param?v=hi')).json()).toEqual(['hi']);
      // a repeated argument that is not variadic keeps its last value
      expect(await (await post('a=1&a=2&b=3')).status).toBe(404); // variadic_param has no a or b
      const add = await server.fetch('/rpc/add', { method: 'POST', headers: { ...auth, 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'a=1&a=2&b=3' });
      expect(await add.json()).toBe(5);
    });

    it('passes character(n) and bit(n) arguments whole, not cut to one character', async () => {
      const { data, error } = await server.service.rpc('fixed_width', { c: 'abcd', b: '101' });
      expect(error).toBeNull();
      expect(data).toBe('abcd/101');
      expect(await (await get('/rpc/fixed_width?c=wxyz&b=011')).json()).toBe('wxyz/011');
    });

    it('calls a computed column overloaded for two tables on each', async () => {
      expect((await server.service.from('tasks').select('id,label').eq('id', 1)).data).toEqual([{ id: 1, label: 'task Clean dishwasher filter' }]);
      expect((await server.service.from('properties').select('id,label').eq('id', 1)).data).toEqual([{ id: 1, label: 'home Maple House' }]);
      expect((await server.service.from('tasks').select('id').eq('label', 'task Clean dishwasher filter')).data).toEqual([{ id: 1 }]);
    });

    it('calls an overloaded computed column on the rows of a function returning a table', async () => {
      const { data, error } = await server.service.rpc('tasks_of_property', { p: 1 }).select('id,label').order('id').limit(1);
      expect(error).toBeNull();
      expect(data).toEqual([{ id: 1, label: 'task Clean dishwasher filter' }]);
      expect(await (await get('/rpc/tasks_of_property?p=1&select=id&label=eq.task%20Clean%20dishwasher%20filter&order=label')).json()).toEqual([{ id: 1 }]);
      expect(await (await get('/rpc/tasks_of_property?p=1&select=id,label,home:properties(name)&home=not.is.null&id=eq.1')).json()).toEqual([
        { id: 1, label: 'task Clean dishwasher filter', home: { name: 'Maple House' } },
      ]);
    });
  });

  describe('reading', () => {
    it('filters a column that has the name of an embedded resource', async () => {
      const { data, error } = await server.service.from('tournaments').select('*,status(*)').eq('status', 3);
      expect(error).toBeNull();
      expect(data).toEqual([]);
      expect((await server.service.from('tournaments').select('id,status(name)').eq('status', 1).order('id')).data).toEqual([
        { id: 1, status: { name: 'open' } },
        { id: 2, status: { name: 'open' } },
      ]);
    });

    it('ignores a negative offset', async () => {
      const response = await get('/properties?select=id&order=id&offset=-4');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-range')).toBe('0-2/*');
      expect(await response.json()).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    });

    it("ignores a stray `)` or `'` after a complete select or logic tree", async () => {
      expect(await (await get('/properties?select=id)&order=id&limit=1')).json()).toEqual([{ id: 1 }]);
      expect(await (await get("/properties?select=id,zones(count)'&id=eq.2")).json()).toEqual([{ id: 2, zones: [{ count: 1 }] }]);
      expect(await (await get('/properties?select=id&or=(id.eq.1,id.eq.3))&order=id')).json()).toEqual([{ id: 1 }, { id: 3 }]);
      expect((await errorOf(await get('/properties?select=!'), 400)).code).toBe('PGRST100');
    });

    it('reads a partition by its name, but embeds nothing from it', async () => {
      expect((await server.service.from('activity_2024').select('action').order('occurred_at')).data).toEqual([
        { action: 'task.created' },
        { action: 'task.completed' },
      ]);
      expect(await errorOf(await get('/activity_2024?select=id,properties(id)'), 400)).toMatchObject({
        code: 'PGRST200',
        message: "Could not find a relationship between 'activity_2024' and 'properties' in the schema cache",
      });
    });

    it('answers 42712 for the same table embedded twice under one name', async () => {
      expect(await errorOf(await get('/tasks?select=id,properties(name),properties(id)'), 400)).toEqual({
        code: '42712',
        message: 'table name "tasks_properties_1" specified more than once',
        details: null,
        hint: null,
      });
    });

    it('count=estimated without db-max-rows: the larger of the exact count and the estimate', async () => {
      const total = async (count: string) => {
        const range = (await get('/maintenance_logs?select=id&cost=gt.0', { Prefer: `count=${count}` })).headers.get('content-range');
        return Number(range?.split('/')[1]);
      };
      const [exact, planned, estimated] = [await total('exact'), await total('planned'), await total('estimated')];
      expect(estimated).toBe(Math.max(exact, planned));
      expect(planned).not.toBe(exact); // the fixture's tables are never analysed: the planner guesses
    });
  });

  describe('headers', () => {
    it('names a read\'s canonical address in Content-Location: the query decoded, sorted and encoded again', async () => {
      const read = await get('/properties?select=id&order=id&id=in.(1,2)&name=like.Maple%20*');
      expect(read.headers.get('content-location')).toBe('/properties?id=in.%281%2C2%29&name=like.Maple%20%2A&order=id&select=id');
      expect((await get('/properties')).headers.get('content-location')).toBe('/properties');
      // not on calls, writes or errors
      expect((await get('/rpc/add?a=1&b=2')).headers.get('content-location')).toBeNull();
      expect((await get('/properties?select=nope')).headers.get('content-location')).toBeNull();
    });
  });

  describe('preferences', () => {
    it('ignores an invalid Prefer: timezone, and refuses it under handling=strict (PGRST122)', async () => {
      // the zones Postgres knows are read once after the server starts, without delaying it
      let lenient = await get('/properties?select=created_at&id=eq.1', { Prefer: 'timezone=Invalid/Timezone' });
      for (let tries = 0; lenient.status !== 200 && tries < 50; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        lenient = await get('/properties?select=created_at&id=eq.1', { Prefer: 'timezone=Invalid/Timezone' });
      }
      expect(lenient.status).toBe(200);
      expect(lenient.headers.get('preference-applied')).toBeNull();
      expect(await lenient.json()).toEqual([{ created_at: '2024-01-11T10:00:00+00:00' }]);

      expect(await errorOf(await get('/properties?select=id', { Prefer: 'handling=strict, timezone=Invalid/Timezone' }), 400)).toEqual({
        code: 'PGRST122',
        message: 'Invalid preferences given with handling=strict',
        details: 'Invalid preferences: timezone=Invalid/Timezone',
        hint: null,
      });

      const valid = await get('/properties?select=created_at&id=eq.1', { Prefer: 'handling=strict, timezone=America/Los_Angeles' });
      expect(valid.headers.get('preference-applied')).toBe('handling=strict, timezone=America/Los_Angeles');
      expect(await valid.json()).toEqual([{ created_at: '2024-01-11T02:00:00-08:00' }]);
    });
  });
});

describe('server-trace-header and server-timing-enabled', () => {
  let server: ConformanceServer;
  beforeAll(async () => {
    server = await startConformanceServer({ env: { PGRST_SERVER_TRACE_HEADER: 'X-Request-Id', PGRST_SERVER_TIMING_ENABLED: 'true' } });
  });
  afterAll(() => server?.close());

  it('echoes the trace header on every response, errors and preflights included', async () => {
    expect((await server.fetch('/properties?select=id', { headers: { 'X-Request-Id': 'req-42' } })).headers.get('x-request-id')).toBe('req-42');
    expect((await server.fetch('/nope', { headers: { 'X-Request-Id': 'req-43' } })).headers.get('x-request-id')).toBe('req-43');
    const preflight = await server.fetch('/properties', { method: 'OPTIONS', headers: { Origin: 'http://a.example', 'Access-Control-Request-Method': 'GET', 'X-Request-Id': 'req-44' } });
    expect(preflight.headers.get('x-request-id')).toBe('req-44');
    expect((await server.fetch('/properties?select=id')).headers.get('x-request-id')).toBe('');
  });

  it("times each stage in Server-Timing: jwt, parse, plan, transaction, response", async () => {
    const { data, error } = await server.anon.from('properties').select('id').limit(1);
    expect(error).toBeNull();
    expect(data).toHaveLength(0); // anon sees no homes under RLS
    for (const response of [await server.fetch('/properties?select=id'), await server.fetch('/rpc/add?a=1&b=2'), await server.fetch('/', { method: 'HEAD' })]) {
      expect(response.headers.get('server-timing')).toMatch(/^jwt;dur=\d+\.\d, parse;dur=\d+\.\d, plan;dur=\d+\.\d, transaction;dur=\d+\.\d, response;dur=\d+\.\d$/);
    }
  });
});

describe('db-root-spec', () => {
  let server: ConformanceServer;
  beforeAll(async () => {
    server = await startConformanceServer({
      env: { PGRST_DB_ROOT_SPEC: 'root' },
      extraSql: `create function api.root() returns json language sql stable as $$ select '{"swagger": "2.0", "info": {"title": "Haven API"}}'::json $$;`,
    });
  });
  afterAll(() => server?.close());

  it('answers GET / with the function instead of the generated description', async () => {
    const response = await server.fetch('/', { headers: { Accept: 'application/json' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.json()).toEqual({ swagger: '2.0', info: { title: 'Haven API' } });
    expect((await server.fetch('/', { method: 'HEAD' })).status).toBe(200);
    // the rest of the API is unchanged
    expect((await server.fetch('/rpc/add?a=1&b=2')).status).toBe(200);
  });
});
