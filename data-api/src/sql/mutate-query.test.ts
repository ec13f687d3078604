import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase } from '@launchdb/testkit/databases';
import type { StatementRow } from '../plan/write-plan.test-support.ts';
import { empty, ident, param, raw, render, sql, type SqlFragment } from './fragment.ts';
import {
  allSourceRows,
  deleteQuery,
  fromJsonBody,
  insertQuery,
  locationOfInsert,
  resultStatement,
  updateQuery,
  type BodyFormat,
  type InsertQuery,
  type TypedColumn,
} from './mutate-query.ts';

const items = { schema: 'shop', name: 'items' };
const col = (name: string, type: string, defaultExpr: string | null = null): TypedColumn => ({ name, type, defaultExpr });
const id = col('id', 'integer', `nextval('shop.items_id_seq'::regclass)`);
const name = col('name', 'text');
const qty = col('qty', 'integer', '7');
const tags = col('tags', 'text[]');
const json: BodyFormat = { media: 'json', shape: 'rows', stripNulls: false };

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let client: pg.Client;

async function run(statement: SqlFragment): Promise<StatementRow> {
  const { text, values } = render(statement);
  await client.query('BEGIN');
  try {
    const result = await client.query<StatementRow>(text, values);
    await client.query('COMMIT');
    expect(result.rows).toHaveLength(1);
    return result.rows[0] as StatementRow;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

async function rows(query = 'SELECT id, name, qty, tags FROM shop.items ORDER BY id'): Promise<unknown[]> {
  return (await client.query(query)).rows;
}

function insert(overrides: Partial<InsertQuery>): SqlFragment {
  return insertQuery({
    into: items,
    columns: [id, name],
    body: { text: '[]', isArray: true },
    applyDefaults: false,
    onConflict: undefined,
    putKey: undefined,
    trackInserted: false,
    returning: { kind: 'all' },
    ...overrides,
  });
}

beforeAll(async () => {
  database = await createTestDatabase('mutate_query');
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
  await client.query(`
    CREATE SCHEMA shop;
    CREATE TABLE shop.items (id serial PRIMARY KEY, name text NOT NULL, qty integer DEFAULT 7, tags text[], code text UNIQUE);
    CREATE TABLE shop.no_pk (a text, b text);
  `);
});

afterAll(async () => {
  await client?.end();
  await database?.drop();
});

beforeEach(async () => {
  await client.query('TRUNCATE shop.items RESTART IDENTITY');
});

describe('fromJsonBody', () => {
  it('reads an array body as typed rows from one parameter', async () => {
    const fragment = fromJsonBody({ text: '[{"id": 1, "name": "a", "tags": ["x","y"]}, {"id": "2", "name": "b"}]', isArray: true }, [id, name, tags], {
      select: true,
      limitOne: false,
      applyDefaults: false,
    });
    const { text, values } = render(fragment);
    expect(values).toHaveLength(1);
    expect(text).toContain('json_to_recordset(pgrst_payload.json_data) AS _("id" integer, "name" text, "tags" text[])');
    const result = await client.query(text, values);
    expect(result.rows).toEqual([
      { id: 1, name: 'a', tags: ['x', 'y'] },
      { id: 2, name: 'b', tags: null },
    ]);
  });

  it('merges column defaults under keys a row lacks (missing=default)', async () => {
    const fragment = fromJsonBody({ text: '[{"name": "a"}, {"name": "b", "qty": 1}]', isArray: true }, [name, qty], {
      select: true,
      limitOne: false,
      applyDefaults: true,
    });
    const { text, values } = render(fragment);
    expect(text).toContain('jsonb_to_recordset(pgrst_json_defs.val)');
    expect((await client.query(text, values)).rows).toEqual([
      { name: 'a', qty: 7 },
      { name: 'b', qty: 1 },
    ]);
  });
});

describe('insert', () => {
  it('bulk inserts a JSON array in one statement and returns the rows', async () => {
    const result = await run(
      resultStatement(insert({ body: { text: '[{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]', isArray: true } }), raw('SELECT * FROM pgrst_source'), {
        body: json,
        total: undefined,
        inserted: false,
        location: undefined,
      }),
    );
    expect(result.page_total).toBe('2');
    expect(JSON.parse(result.body ?? '')).toEqual([
      { id: 1, name: 'a', qty: 7, tags: null, code: null },
      { id: 2, name: 'b', qty: 7, tags: null, code: null },
    ]);
    expect(result.total_result_set).toBeNull();
    expect(result.response_status).toBeNull();
  });

  it('inserts one object; absent keys are NULL, or the default with missing=default', async () => {
    await run(resultStatement(insert({ columns: [name, qty], body: { text: '{"name": "plain"}', isArray: false }, returning: { kind: 'marker' } }), allSourceRows, {
      body: undefined,
      total: undefined,
      inserted: false,
      location: undefined,
    }));
    await run(
      resultStatement(
        insert({ columns: [name, qty], body: { text: '{"name": "defaulted"}', isArray: false }, applyDefaults: true, returning: { kind: 'marker' } }),
        allSourceRows,
        { body: undefined, total: undefined, inserted: false, location: undefined },
      ),
    );
    expect(await rows()).toEqual([
      { id: 1, name: 'plain', qty: null, tags: null },
      { id: 2, name: 'defaulted', qty: 7, tags: null },
    ]);
  });

  it('inserts rows of defaults for {} and [{}, {}]', async () => {
    await client.query('ALTER TABLE shop.items ALTER COLUMN name SET DEFAULT $$unnamed$$');
    try {
      const one = await run(resultStatement(insert({ columns: [], body: { text: '{}', isArray: false } }), allSourceRows, {
        body: json,
        total: undefined,
        inserted: false,
        location: undefined,
      }));
      expect(one.page_total).toBe('1');
      const two = await run(resultStatement(insert({ columns: [], body: { text: '[{}, {}]', isArray: true } }), allSourceRows, {
        body: json,
        total: undefined,
        inserted: false,
        location: undefined,
      }));
      expect(two.page_total).toBe('2');
      expect(await rows()).toHaveLength(3);
    } finally {
      await client.query('ALTER TABLE shop.items ALTER COLUMN name DROP DEFAULT');
    }
  });

  it('counts with count=exact and reports the location of a single inserted row', async () => {
    const result = await run(
      resultStatement(insert({ body: { text: '[{"id": 41, "name": "x y&z"}]', isArray: true }, returning: { kind: 'columns', columns: ['id', 'name'] } }), allSourceRows, {
        body: undefined,
        total: raw('pg_catalog.count(_postgrest_t)'),
        inserted: false,
        location: locationOfInsert(['id', 'name']),
      }),
    );
    expect(result.body).toBeNull();
    expect(result.total_result_set).toBe('1');
    expect(result.location).toBe('id=eq.41&name=eq.x%20y%26z');

    const many = await run(
      resultStatement(insert({ body: { text: '[{"id": 42, "name": "a"}, {"id": 43, "name": "b"}]', isArray: true } }), allSourceRows, {
        body: undefined,
        total: undefined,
        inserted: false,
        location: locationOfInsert(['id']),
      }),
    );
    expect(many.location).toBeNull();
  });

  it('merges duplicates on the conflict columns and answers 200 when nothing new was inserted', async () => {
    await client.query(`INSERT INTO shop.items (id, name) VALUES (1, 'old')`);
    const merge = (text: string) =>
      run(
        resultStatement(
          insert({ body: { text, isArray: true }, onConflict: { columns: ['id'], resolution: 'merge-duplicates' }, trackInserted: true }),
          allSourceRows,
          { body: json, total: undefined, inserted: true, location: undefined },
        ),
      );
    const mixed = await merge('[{"id": 1, "name": "new"}, {"id": 2, "name": "two"}]');
    expect(mixed).toMatchObject({ page_total: '2', inserted: 1 });
    const updatesOnly = await merge('[{"id": 1, "name": "newer"}]');
    expect(updatesOnly).toMatchObject({ page_total: '1', inserted: 0 });
    // nothing written at all: 0, so the answer is 200 as PostgREST's
    expect(await merge('[]')).toMatchObject({ page_total: '0', inserted: 0 });
    expect(await rows()).toEqual([
      { id: 1, name: 'newer', qty: 7, tags: null },
      { id: 2, name: 'two', qty: 7, tags: null },
    ]);
  });

  it('ignores duplicates on a unique column', async () => {
    await client.query(`INSERT INTO shop.items (name, code) VALUES ('old', 'A')`);
    const result = await run(
      resultStatement(
        insert({
          columns: [name, col('code', 'text')],
          body: { text: '[{"name": "dup", "code": "A"}, {"name": "fresh", "code": "B"}]', isArray: true },
          onConflict: { columns: ['code'], resolution: 'ignore-duplicates' },
        }),
        allSourceRows,
        { body: json, total: undefined, inserted: false, location: undefined },
      ),
    );
    expect(result.page_total).toBe('1');
    expect(JSON.parse(result.body ?? '')).toMatchObject([{ name: 'fresh', code: 'B' }]);
  });

  it('PUT writes only the row of the URL key: insert (201), then replace (200)', async () => {
    const put = (text: string, key: string) =>
      run(
        resultStatement(
          insert({
            columns: [id, name, qty],
            body: { text, isArray: text.startsWith('[') },
            onConflict: { columns: ['id'], resolution: 'merge-duplicates' },
            putKey: [{ column: 'id', value: key }],
            trackInserted: true,
          }),
          allSourceRows,
          { body: json, total: undefined, inserted: true, location: undefined },
        ),
      );
    const inserted = await put('{"id": 5, "name": "five", "qty": 1}', '5');
    expect(inserted).toMatchObject({ page_total: '1', inserted: 1 });
    const replaced = await put('[{"id": 5, "name": "FIVE", "qty": 2}, {"id": 6, "name": "six", "qty": 3}]', '5');
    expect(replaced).toMatchObject({ page_total: '1', inserted: 0 });
    const mismatch = await put('{"id": 7, "name": "seven", "qty": 1}', '5');
    expect(mismatch.page_total).toBe('0');
    expect(await rows()).toEqual([{ id: 5, name: 'FIVE', qty: 2, tags: null }]);
  });

  it('reads the response settings after the write', async () => {
    await client.query(`
      CREATE FUNCTION shop.set_headers() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM set_config('response.headers', '[{"X-Item": "made"}]', true);
        PERFORM set_config('response.status', '202', true);
        RETURN NEW;
      END $$;
      CREATE TRIGGER set_headers BEFORE INSERT ON shop.items FOR EACH ROW EXECUTE FUNCTION shop.set_headers();
    `);
    try {
      const result = await run(
        resultStatement(insert({ body: { text: '[{"name": "a"}]', isArray: true }, columns: [name] }), allSourceRows, {
          body: undefined,
          total: undefined,
          inserted: true,
          location: undefined,
        }),
      );
      expect(result.response_headers).toBe('[{"X-Item": "made"}]');
      expect(result.response_status).toBe('202');
    } finally {
      await client.query('DROP TRIGGER set_headers ON shop.items; DROP FUNCTION shop.set_headers()');
    }
  });

  it('renders CSV and singular bodies', async () => {
    const csv = await run(
      resultStatement(insert({ body: { text: '[{"id": 1, "name": "a,b"}, {"id": 2, "name": "c"}]', isArray: true }, returning: { kind: 'columns', columns: ['id', 'name'] } }), allSourceRows, {
        body: { media: 'csv', shape: 'rows', stripNulls: false },
        total: undefined,
        inserted: false,
        location: undefined,
      }),
    );
    expect(csv.body).toBe('id,name\n1,"a,b"\n2,c');
    const singular = await run(
      resultStatement(insert({ body: { text: '[{"id": 3, "name": "s"}]', isArray: true } }), allSourceRows, {
        body: { media: 'singular', shape: 'rows', stripNulls: true },
        total: undefined,
        inserted: false,
        location: undefined,
      }),
    );
    expect(JSON.parse(singular.body ?? '')).toEqual({ id: 3, name: 's', qty: 7 });
  });
});

describe('update and delete', () => {
  const byQty = (value: number): SqlFragment => sql` WHERE ${ident('items', 'qty')} = ${param(value)}`;
  const seed = () => client.query(`INSERT INTO shop.items (id, name, qty) VALUES (1, 'a', 1), (2, 'b', 1), (3, 'c', 1), (4, 'd', 2)`);
  const result = { body: json, total: undefined, inserted: false, location: undefined };

  it('updates the filtered rows from the body', async () => {
    await seed();
    const updated = await run(
      resultStatement(
        updateQuery({ table: items, columns: [name], body: { text: '{"name": "z"}', isArray: false }, applyDefaults: false, where: byQty(1), limited: undefined, returning: { kind: 'columns', columns: ['id', 'name'] } }),
        allSourceRows,
        result,
      ),
    );
    expect(updated.page_total).toBe('3');
    expect(JSON.parse(updated.body ?? '')).toEqual([
      { id: 1, name: 'z' },
      { id: 2, name: 'z' },
      { id: 3, name: 'z' },
    ]);
  });

  it('updates nothing for an empty object', async () => {
    await seed();
    const updated = await run(
      resultStatement(
        updateQuery({ table: items, columns: [], body: { text: '{}', isArray: false }, applyDefaults: false, where: byQty(1), limited: undefined, returning: { kind: 'columns', columns: ['id'] } }),
        allSourceRows,
        result,
      ),
    );
    expect(updated).toMatchObject({ page_total: '0', body: '[]' });
  });

  it('limits an update to the first rows in the given order', async () => {
    await seed();
    const updated = await run(
      resultStatement(
        updateQuery({
          table: items,
          columns: [name],
          body: { text: '{"name": "limited"}', isArray: false },
          applyDefaults: false,
          where: byQty(1),
          limited: { orderBy: sql` ORDER BY ${ident('items', 'id')} DESC`, keyColumns: ['id'], limit: 2, offset: 0 },
          returning: { kind: 'marker' },
        }),
        allSourceRows,
        { ...result, body: undefined },
      ),
    );
    expect(updated.page_total).toBe('2');
    expect(await rows('SELECT id, name FROM shop.items ORDER BY id')).toEqual([
      { id: 1, name: 'a' },
      { id: 2, name: 'limited' },
      { id: 3, name: 'limited' },
      { id: 4, name: 'd' },
    ]);
  });

  it('deletes filtered rows, and limited with an offset', async () => {
    await seed();
    const limited = await run(
      resultStatement(
        deleteQuery({ table: items, where: byQty(1), limited: { orderBy: sql` ORDER BY ${ident('items', 'id')}`, keyColumns: ['id'], limit: 1, offset: 1 }, returning: { kind: 'all' } }),
        allSourceRows,
        result,
      ),
    );
    expect(JSON.parse(limited.body ?? '')).toMatchObject([{ id: 2 }]);
    const rest = await run(resultStatement(deleteQuery({ table: items, where: byQty(1), limited: undefined, returning: { kind: 'marker' } }), allSourceRows, { ...result, body: undefined }));
    expect(rest.page_total).toBe('2');
    expect(await rows('SELECT id FROM shop.items')).toEqual([{ id: 4 }]);
  });

  it('limits by ctid on a table without a key', async () => {
    await client.query(`INSERT INTO shop.no_pk VALUES ('x', '1'), ('x', '2'), ('x', '3')`);
    const deleted = await run(
      resultStatement(
        deleteQuery({ table: { schema: 'shop', name: 'no_pk' }, where: empty, limited: { orderBy: sql` ORDER BY ${ident('no_pk', 'ctid')}`, keyColumns: ['ctid'], limit: 2, offset: 0 }, returning: { kind: 'marker' } }),
        allSourceRows,
        { ...result, body: undefined },
      ),
    );
    expect(deleted.page_total).toBe('2');
    expect((await client.query('SELECT b FROM shop.no_pk')).rows).toEqual([{ b: '3' }]);
  });
});
