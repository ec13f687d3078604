import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '@launchdb/testkit/databases';
import { callQuery, type CallQuery } from './call-query.ts';
import { render } from './fragment.ts';
import { allSourceRows, resultStatement, type BodyFormat } from './mutate-query.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let client: pg.Client;

const fn = (name: string) => ({ schema: 'rpc', name });

/** Runs the call as the plan does: in pgrst_source, the body aggregated over its rows. */
async function call(query: CallQuery, shape: BodyFormat['shape']): Promise<{ body: unknown; pageTotal: string }> {
  const statement = resultStatement(callQuery(query), allSourceRows, {
    body: { media: 'json', shape, stripNulls: false },
    total: undefined,
    location: undefined,
    inserted: false,
  });
  const { text, values } = render(statement);
  const { rows } = await client.query<{ body: string; page_total: string }>(text, values);
  const row = rows[0];
  if (!row) throw new Error('no row');
  return { body: JSON.parse(row.body), pageTotal: row.page_total };
}

beforeAll(async () => {
  database = await createTestDatabase('call_query');
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
  await client.query(`
    CREATE SCHEMA rpc;
    CREATE FUNCTION rpc.add(a int, b int DEFAULT 10) RETURNS int LANGUAGE sql AS 'SELECT a + b';
    CREATE FUNCTION rpc.total(VARIADIC v int[]) RETURNS int LANGUAGE sql AS 'SELECT sum(x)::int FROM unnest(v) x';
    CREATE FUNCTION rpc.echo(json) RETURNS json LANGUAGE sql AS 'SELECT $1';
    CREATE FUNCTION rpc.shout(text) RETURNS text LANGUAGE sql AS 'SELECT upper($1)';
    CREATE FUNCTION rpc.size(bytea) RETURNS int LANGUAGE sql AS 'SELECT length($1)';
    CREATE FUNCTION rpc.series(n int) RETURNS SETOF int LANGUAGE sql AS 'SELECT generate_series(1, n)';
    CREATE FUNCTION rpc.pair(a int, OUT x int, OUT y text) LANGUAGE sql AS $$ SELECT a, a::text || '!' $$;
    CREATE FUNCTION rpc.rows(n int) RETURNS TABLE (id int, label text) LANGUAGE sql AS $$ SELECT g, 'row ' || g FROM generate_series(1, n) g $$;
    CREATE FUNCTION rpc.nothing() RETURNS void LANGUAGE sql AS '';
    CREATE FUNCTION rpc.tags(t text[]) RETURNS int LANGUAGE sql AS 'SELECT cardinality(t)';
  `);
});

afterAll(async () => {
  await client?.end();
  await database?.drop();
});

describe('callQuery', () => {
  it('binds named arguments from one JSON parameter with the declared types', async () => {
    const query: CallQuery = {
      routine: fn('add'),
      args: { kind: 'named', body: { text: '{"a": 1, "b": "2"}', isArray: false }, parameters: [{ name: 'a', type: 'integer', variadic: false }, { name: 'b', type: 'integer', variadic: false }] },
      result: 'scalar',
      columns: undefined,
    };
    const { text, values } = render(callQuery(query));
    expect(values).toEqual(['{"a": 1, "b": "2"}']);
    expect(text).toBe(
      'SELECT pgrst_call.pgrst_scalar FROM (SELECT $1::json AS json_data) pgrst_payload, LATERAL (SELECT "a", "b" FROM json_to_record(pgrst_payload.json_data) AS _("a" integer, "b" integer) LIMIT 1) pgrst_body, LATERAL (SELECT "rpc"."add"("a" := "pgrst_body"."a", "b" := "pgrst_body"."b") pgrst_scalar) pgrst_call',
    );
    expect(await call(query, 'scalar')).toEqual({ body: 3, pageTotal: '1' });
  });

  it('leaves parameters with defaults out, and reads the first object of an array', async () => {
    const result = await call(
      { routine: fn('add'), args: { kind: 'named', body: { text: '[{"a": 5}, {"a": 7}]', isArray: true }, parameters: [{ name: 'a', type: 'integer', variadic: false }] }, result: 'scalar', columns: undefined },
      'scalar',
    );
    expect(result.body).toBe(15);
  });

  it('passes a variadic argument as an array', async () => {
    const result = await call(
      { routine: fn('total'), args: { kind: 'named', body: { text: '{"v": [1, 2, "3"]}', isArray: false }, parameters: [{ name: 'v', type: 'integer[]', variadic: true }] }, result: 'scalar', columns: undefined },
      'scalar',
    );
    expect(result.body).toBe(6);
  });

  it('accepts a Postgres array literal for an array argument', async () => {
    const result = await call(
      { routine: fn('tags'), args: { kind: 'named', body: { text: '{"t": "{a,b,c}"}', isArray: false }, parameters: [{ name: 't', type: 'text[]', variadic: false }] }, result: 'scalar', columns: undefined },
      'scalar',
    );
    expect(result.body).toBe(3);
  });

  it('passes the whole body to a single unnamed parameter (json, text, bytea)', async () => {
    expect((await call({ routine: fn('echo'), args: { kind: 'single', value: '{"any": [1, "thing"]}', type: 'json' }, result: 'scalar', columns: undefined }, 'scalar')).body).toEqual({ any: [1, 'thing'] });
    expect((await call({ routine: fn('shout'), args: { kind: 'single', value: 'hello', type: 'text' }, result: 'scalar', columns: undefined }, 'scalar')).body).toBe('HELLO');
    expect((await call({ routine: fn('size'), args: { kind: 'single', value: Buffer.from([0, 1, 2, 255]), type: 'bytea' }, result: 'scalar', columns: undefined }, 'scalar')).body).toBe(4);
  });

  it('shapes set-returning, composite and void results', async () => {
    const series = await call(
      { routine: fn('series'), args: { kind: 'named', body: { text: '{"n": 3}', isArray: false }, parameters: [{ name: 'n', type: 'integer', variadic: false }] }, result: 'scalar', columns: undefined },
      'setof-scalar',
    );
    expect(series).toEqual({ body: [1, 2, 3], pageTotal: '3' });
    const pair = await call(
      { routine: fn('pair'), args: { kind: 'named', body: { text: '{"a": 4}', isArray: false }, parameters: [{ name: 'a', type: 'integer', variadic: false }] }, result: 'rows', columns: undefined },
      'single-row',
    );
    expect(pair.body).toEqual({ x: 4, y: '4!' });
    const rows = await call(
      { routine: fn('rows'), args: { kind: 'named', body: { text: '{"n": 2}', isArray: false }, parameters: [{ name: 'n', type: 'integer', variadic: false }] }, result: 'rows', columns: ['label'] },
      'rows',
    );
    expect(rows.body).toEqual([{ label: 'row 1' }, { label: 'row 2' }]);
    const none = await call({ routine: fn('nothing'), args: { kind: 'none' }, result: 'scalar', columns: undefined }, 'scalar');
    expect(none).toEqual({ body: null, pageTotal: '1' });
  });
});
