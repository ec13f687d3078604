import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgrstError } from '../errors.ts';
import { render } from '../sql/fragment.ts';
import { isFilterParameter, queryArgumentsJson, splitQueryArguments } from './call-plan.ts';
import { planTestDatabase, type PlanTestDatabase, type SendOptions } from './write-plan.test-support.ts';

describe('GET arguments and filters', () => {
  it('tells filters from arguments as PostgREST does', () => {
    for (const [key, value] of [
      ['id', 'eq.1'],
      ['name', 'not.like.a*'],
      ['tags', 'cs.{a}'],
      ['x', 'is.null'],
      ['x', 'in.(1,2)'],
      ['doc', 'fts(english).cat'],
      ['doc', 'wfts.cat'],
      ['clients.id', '5'],
    ] as const) {
      expect(isFilterParameter(key, value), `${key}=${value}`).toBe(true);
    }
    for (const [key, value] of [
      ['a', '1'],
      ['name', 'equal'],
      ['when', '2024-01-01'],
      ['ratio', '0.5'],
      ['not', 'not'],
      ['json', '{"eq": 1}'],
    ] as const) {
      expect(isFilterParameter(key, value), `${key}=${value}`).toBe(false);
    }
  });

  it('keeps the last value of an argument, every value of a variadic one', () => {
    const json = queryArgumentsJson([{ name: 'v', type: 'integer[]', udtName: '_int4', hasDefault: false, isVariadic: true }], new Map([
      ['a', ['1', '2']],
      ['v', ['3', '4']],
    ]));
    expect(JSON.parse(json)).toEqual({ a: '2', v: ['3', '4'] });
  });
});

const schema = `
  CREATE SCHEMA api;
  CREATE TABLE api.clients (id serial PRIMARY KEY, name text NOT NULL);
  CREATE TABLE api.projects (id serial PRIMARY KEY, name text NOT NULL, client_id int REFERENCES api.clients(id), status text);
  INSERT INTO api.clients (name) VALUES ('Microsoft'), ('Apple');
  INSERT INTO api.projects (name, client_id, status) VALUES ('Windows', 1, 'new'), ('Office', 1, 'done'), ('Xbox', 1, 'new'), ('macOS', 2, 'new');

  CREATE FUNCTION api.add(a int, b int DEFAULT 10) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT a + b';
  CREATE FUNCTION api.total(VARIADIC v int[]) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT sum(x)::int FROM unnest(v) x';
  CREATE FUNCTION api.echo(json) RETURNS json LANGUAGE sql AS 'SELECT $1';
  CREATE FUNCTION api.shout(text) RETURNS text LANGUAGE sql AS 'SELECT upper($1)';
  CREATE FUNCTION api.whole(data jsonb) RETURNS jsonb LANGUAGE sql AS 'SELECT data';
  CREATE FUNCTION api.series(n int) RETURNS SETOF int LANGUAGE sql STABLE AS 'SELECT generate_series(1, n)';
  CREATE FUNCTION api.projects_of(client int) RETURNS SETOF api.projects LANGUAGE sql STABLE AS 'SELECT * FROM api.projects WHERE client_id = client';
  CREATE FUNCTION api.latest_client() RETURNS api.clients LANGUAGE sql STABLE AS 'SELECT * FROM api.clients ORDER BY id DESC LIMIT 1';
  CREATE FUNCTION api.pair(a int, OUT x int, OUT y text) LANGUAGE sql AS $$ SELECT a, a::text || '!' $$;
  CREATE FUNCTION api.stats() RETURNS TABLE (status text, n bigint) LANGUAGE sql STABLE AS 'SELECT status, count(*) FROM api.projects GROUP BY status';
  CREATE FUNCTION api.touch() RETURNS void LANGUAGE sql AS $$ INSERT INTO api.clients (name) VALUES ('touched') $$;
  CREATE FUNCTION api.peek() RETURNS int LANGUAGE sql AS 'SELECT count(*)::int FROM api.clients';
  CREATE FUNCTION api.over(a int) RETURNS text LANGUAGE sql AS $$ SELECT 'one' $$;
  CREATE FUNCTION api.over(a int, b int) RETURNS text LANGUAGE sql AS $$ SELECT 'two' $$;
  CREATE FUNCTION api.amb(x int) RETURNS text LANGUAGE sql AS $$ SELECT 'int' $$;
  CREATE FUNCTION api.amb(x text) RETURNS text LANGUAGE sql AS $$ SELECT 'text' $$;
  -- counts its calls in the transaction and reports the count in a response header
  CREATE FUNCTION api.counted() RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
  DECLARE calls int := coalesce(nullif(current_setting('test.calls', true), ''), '0')::int + 1;
  BEGIN
    PERFORM set_config('test.calls', calls::text, true);
    PERFORM set_config('response.headers', json_build_array(json_build_object('x-calls', calls))::text, true);
    RETURN jsonb_build_object('calls', calls);
  END $$;
`;

describe('calls against Postgres', () => {
  let db: PlanTestDatabase;
  const post = (url: string, body: unknown, headers: Record<string, string> = {}) => db.send('POST', url, { body, headers });
  const get = (url: string, options: SendOptions = {}) => db.send('GET', url, options);
  const planError = (method: string, url: string, options: SendOptions = {}): PgrstError => {
    try {
      db.plan(method, url, options);
    } catch (error) {
      if (error instanceof PgrstError) return error;
      throw error;
    }
    throw new Error('expected a PgrstError');
  };

  beforeAll(async () => {
    db = await planTestDatabase('call_plan', schema);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('calls with named arguments from a JSON object; a scalar is the plain JSON value', async () => {
    const { plan, row, json } = await post('/rpc/add', { a: 1, b: 2 });
    expect(json).toBe(3);
    expect(row.page_total).toBe('1');
    expect(plan).toMatchObject({ kind: 'call', readOnly: true, omitBody: false, mediaType: 'application/json' });
    expect(render(plan.statement).values).toEqual(['{"a":1,"b":2}']);
  });

  it('uses defaults for omitted arguments, and GET arguments from the query string', async () => {
    expect((await post('/rpc/add', { a: 1 })).json).toBe(11);
    expect((await get('/rpc/add?a=1&b=5')).json).toBe(6);
  });

  it('passes variadic arguments as a JSON array or repeated query parameters', async () => {
    expect((await post('/rpc/total', { v: [1, 2, 3] })).json).toBe(6);
    expect((await get('/rpc/total?v=1&v=2&v=3')).json).toBe(6);
  });

  it('gives the whole body to a single unnamed json or text parameter', async () => {
    expect((await post('/rpc/echo', { any: [1, 'thing'] })).json).toEqual({ any: [1, 'thing'] });
    expect((await post('/rpc/shout', 'hello', { 'content-type': 'text/plain' })).json).toBe('HELLO');
  });

  it('gives the whole object to a single json parameter with params=single-object', async () => {
    expect((await post('/rpc/whole', { a: 1, b: [2] }, { prefer: 'params=single-object' })).json).toEqual({ a: 1, b: [2] });
  });

  it('runs a STABLE function returning one value once per request (page_total is 1, as in PostgREST)', async () => {
    const { row, json } = await post('/rpc/counted', {});
    expect(json).toEqual({ calls: 1 });
    expect(JSON.parse(row.response_headers!)).toEqual([{ 'x-calls': 1 }]);
    expect(row.page_total).toBe('1');
    expect((await get('/rpc/counted')).json).toEqual({ calls: 1 });
  });

  it('returns a set of scalars as an array, paged and counted', async () => {
    expect((await post('/rpc/series', { n: 3 })).json).toEqual([1, 2, 3]);
    const paged = await get('/rpc/series?n=5&limit=2&offset=1', { headers: { prefer: 'count=exact' } });
    expect(paged.json).toEqual([2, 3]);
    expect(paged.row).toMatchObject({ page_total: '2', total_result_set: '5' });
    expect(paged.plan.range).toEqual({ offset: 1, limit: 2 });
  });

  it('filters, orders, selects and embeds the rows of a set-returning function', async () => {
    const { json } = await get('/rpc/projects_of?client=1&status=eq.new&select=name,clients(name)&order=name.desc');
    expect(json).toEqual([
      { name: 'Xbox', clients: { name: 'Microsoft' } },
      { name: 'Windows', clients: { name: 'Microsoft' } },
    ]);
    const posted = await post('/rpc/projects_of?select=name&order=name&limit=1', { client: 1 });
    expect(posted.json).toEqual([{ name: 'Office' }]);
  });

  it('returns one composite as an object, OUT and TABLE columns as rows', async () => {
    expect((await get('/rpc/latest_client?select=name')).json).toEqual({ name: 'Apple' });
    expect((await get('/rpc/pair?a=4')).json).toEqual({ x: 4, y: '4!' });
    expect((await get('/rpc/stats?order=status')).json).toEqual([
      { status: 'done', n: 1 },
      { status: 'new', n: 3 },
    ]);
  });

  it('calls a void function: no body; a volatile POST writes, a GET is read only', async () => {
    const posted = await db.send('POST', '/rpc/touch');
    expect(posted.plan.readOnly).toBe(false);
    expect(posted.row.body).toBeNull();
    expect(await db.query(`SELECT name FROM api.clients WHERE name = 'touched'`)).toHaveLength(1);
    await expect(get('/rpc/touch')).rejects.toMatchObject({ code: '25006' });
    // a volatile function that only reads is fine with GET
    expect((await get('/rpc/peek')).json).toBe(3);
    expect(db.plan('HEAD', '/rpc/peek')).toMatchObject({ omitBody: true, readOnly: true });
    expect(db.plan('HEAD', '/rpc/touch')).toMatchObject({ omitBody: false, readOnly: true });
  });

  it('picks the overload by argument names', async () => {
    expect((await post('/rpc/over', { a: 1 })).json).toBe('one');
    expect((await post('/rpc/over', { a: 1, b: 2 })).json).toBe('two');
    expect((await get('/rpc/over?a=1&b=2')).json).toBe('two');
    expect(planError('POST', '/rpc/over', { body: { a: 1, c: 1 } })).toMatchObject({
      status: 404,
      code: 'PGRST202',
      message: 'Could not find the function api.over(a, c) in the schema cache',
      hint: 'Perhaps you meant to call the function api.over(a, b)',
    });
    expect(planError('POST', '/rpc/over', { body: { zzz: 1 } }).hint).toBeNull();
    expect(planError('POST', '/rpc/add', { body: { b: 1 } }).code).toBe('PGRST202');
    expect(planError('POST', '/rpc/ad', { body: { a: 1 } }).hint).toBe('Perhaps you meant to call the function api.add');
    const ambiguous = planError('POST', '/rpc/amb', { body: { x: 1 } });
    expect(ambiguous).toMatchObject({ status: 300, code: 'PGRST203' });
    expect(ambiguous.message).toContain('api.amb(x => integer)');
    expect(ambiguous.message).toContain('api.amb(x => text)');
  });

  it('reports the call preferences and max-affected under handling=strict', () => {
    const plan = db.plan('POST', '/rpc/series', { body: { n: 2 }, headers: { prefer: 'count=exact, handling=strict, max-affected=5, return=minimal' } });
    expect(plan.preferenceApplied).toEqual(['count=exact', 'handling=strict', 'max-affected=5']);
    expect(plan.maxAffected).toBe(5);
  });

  it('moves filter-looking GET parameters to the filters', () => {
    const { queryArguments, withFilters } = splitQueryArguments(db.request('GET', '/rpc/projects_of?client=1&status=eq.new&clients.name=eq.x'));
    expect([...queryArguments]).toEqual([['client', ['1']]]);
    expect(withFilters.modifiers.get('')?.filters).toMatchObject([{ field: { column: 'status' }, operator: 'eq' }]);
    expect(withFilters.modifiers.get('clients')?.filters).toMatchObject([{ field: { column: 'name' } }]);
  });
});
