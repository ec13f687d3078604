import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PgrstError } from '../errors.ts';
import { parseApiRequest } from '../request/api-request.ts';
import type { Column, Relation, SchemaCache } from '../schema-cache/types.ts';
import { render } from '../sql/fragment.ts';
import { buildMutationPlan } from './mutate-plan.ts';
import { planContext, planTestDatabase, type PlanTestDatabase, type SendOptions } from './write-plan.test-support.ts';

function column(name: string, position: number, type: string, extra: Partial<Column> = {}): Column {
  return { name, type, udtName: type, nullable: true, defaultExpr: null, generated: false, isArray: false, description: null, position, enumValues: null, ...extra };
}

function relation(name: string, columns: Column[], primaryKey: string[]): Relation {
  return { schema: 'api', name, kind: 'table', columns, primaryKey, insertable: true, updatable: true, deletable: true, description: null };
}

const items = relation(
  'items',
  [column('id', 1, 'integer', { defaultExpr: `nextval('api.items_id_seq'::regclass)` }), column('name', 2, 'text'), column('qty', 3, 'integer', { defaultExpr: '7' })],
  ['id'],
);
const cache: SchemaCache = {
  schemas: ['api'],
  relations: new Map([['api.items', items], ['api.no_pk', relation('no_pk', [column('a', 1, 'text')], [])]]),
  relationships: new Map(),
  routines: new Map(),
  loadedAt: new Date(0),
};

function plan(method: string, url: string, options: SendOptions = {}) {
  const [path = '', query = ''] = url.split('?');
  const body = options.body === undefined ? undefined : Buffer.from(typeof options.body === 'string' ? options.body : JSON.stringify(options.body));
  const headers = { ...(body ? { 'content-type': 'application/json' } : {}), ...options.headers };
  return buildMutationPlan(parseApiRequest({ method, path, query, headers, body }, { schemas: ['api'] }), cache, planContext);
}

function planError(method: string, url: string, options: SendOptions = {}): PgrstError {
  try {
    plan(method, url, options);
  } catch (error) {
    if (error instanceof PgrstError) return error;
    throw error;
  }
  throw new Error('expected a PgrstError');
}

describe('buildMutationPlan (pure)', () => {
  it('sends the whole payload as one parameter read by json_to_recordset', () => {
    const built = plan('POST', '/items', { body: [{ name: 'a', qty: 1 }, { name: 'b', qty: 2 }] });
    const { text, values } = render(built.statement);
    expect(values).toEqual(['[{"name":"a","qty":1},{"name":"b","qty":2}]']);
    expect(text).toContain('INSERT INTO "api"."items" AS "items"("name", "qty") SELECT "pgrst_body"."name", "pgrst_body"."qty"');
    expect(text).toContain('json_to_recordset(pgrst_payload.json_data) AS _("name" text, "qty" integer)');
    expect(text).toContain('RETURNING 1');
    expect(built).toMatchObject({ kind: 'insert', readOnly: false, omitBody: true, singular: false, relationPath: '/items', mediaType: 'application/json' });
  });

  it('rejects payload keys and columns= entries the relation lacks (PGRST204)', () => {
    expect(planError('POST', '/items', { body: { name: 'a', colour: 'red' } })).toMatchObject({
      status: 400,
      code: 'PGRST204',
      message: "Could not find the 'colour' column of 'items' in the schema cache",
    });
    expect(planError('POST', '/items?columns=name,nope', { body: { name: 'a' } }).code).toBe('PGRST204');
    // columns= decides: keys outside it are ignored
    const { text } = render(plan('POST', '/items?columns=name', { body: { name: 'a', colour: 'red' } }).statement);
    expect(text).toContain('AS _("name" text)');
  });

  it('plans upserts: merge on the primary key, ignore on on_conflict, with the inserted count', () => {
    const merge = plan('POST', '/items', { body: [{ id: 1, name: 'a' }], headers: { prefer: 'resolution=merge-duplicates' } });
    const mergeSql = render(merge.statement).text;
    expect(mergeSql).toContain('ON CONFLICT ("id") DO UPDATE SET "id" = EXCLUDED."id", "name" = EXCLUDED."name"');
    expect(mergeSql).toContain(' AS inserted');
    expect(merge.preferenceApplied).toEqual(['resolution=merge-duplicates']);
    const ignore = render(plan('POST', '/items?on_conflict=name', { body: [{ name: 'a' }], headers: { prefer: 'resolution=ignore-duplicates' } }).statement).text;
    expect(ignore).toContain('ON CONFLICT ("name") DO NOTHING');
    expect(ignore).not.toContain(' AS inserted');
    // no conflict target: resolution is neither applied nor reported
    const noPk = plan('POST', '/no_pk', { body: [{ a: 'x' }], headers: { prefer: 'resolution=merge-duplicates' } });
    expect(render(noPk.statement).text).not.toContain('ON CONFLICT');
    expect(noPk.preferenceApplied).toEqual([]);
  });

  it('applies column defaults with missing=default', () => {
    const built = plan('POST', '/items?columns=name,qty', { body: [{ name: 'a' }, { name: 'b', qty: 1 }], headers: { prefer: 'missing=default, return=representation' } });
    const { text } = render(built.statement);
    expect(text).toContain(`jsonb_build_object($2::text, (7)) || pgrst_element.value`);
    expect(text).toContain('jsonb_to_recordset(pgrst_json_defs.val) AS _("name" text, "qty" integer)');
    expect(built.preferenceApplied).toEqual(['missing=default', 'return=representation']);
    expect(built.omitBody).toBe(false);
  });

  it('checks PUT: only eq filters on the whole primary key, no limit', () => {
    const put = plan('PUT', '/items?id=eq.4', { body: { id: 4, name: 'x', qty: 1 }, headers: { prefer: 'return=representation' } });
    expect(put).toMatchObject({ kind: 'put', omitBody: false });
    expect(render(put.statement).text).toContain(`WHERE CASE WHEN "pgrst_body"."id" = $2 THEN set_config('pgrst.inserted'`);
    for (const url of ['/items?name=eq.x', '/items?id=gt.4', '/items?id=not.eq.4', '/items?id=eq.4&name=eq.x', '/items?id=in.(4)', '/items?or=(id.eq.4)', '/no_pk?a=eq.x']) {
      expect(planError('PUT', url, { body: { id: 4 } })).toMatchObject({ status: 405, code: 'PGRST105' });
    }
    expect(planError('PUT', '/items?id=eq.4&limit=1', { body: { id: 4 } })).toMatchObject({ code: 'PGRST114' });
  });

  it('limits PATCH/DELETE only with an order on known columns (or ctid)', () => {
    expect(planError('DELETE', '/items?limit=1').code).toBe('PGRST109');
    expect(planError('DELETE', '/items?limit=1&order=nope').code).toBe('PGRST204');
    const { text, values } = render(plan('DELETE', '/items?qty=eq.1&limit=2&offset=1&order=id.desc').statement);
    expect(text).toContain(
      'WITH pgrst_affected_rows AS (SELECT "items"."id" FROM "api"."items" AS "items" WHERE "items"."qty" = $1 ORDER BY "items"."id" DESC LIMIT $2 OFFSET $3) DELETE FROM "api"."items" AS "items" USING pgrst_affected_rows WHERE "items"."id" = "pgrst_affected_rows"."id"',
    );
    expect(values).toEqual(['1', 2, 1]);
    expect(render(plan('DELETE', '/no_pk?limit=1&order=ctid').statement).text).toContain('SELECT "no_pk"."ctid" FROM');
  });

  it('reports max-affected only under handling=strict, and the per-action preferences', () => {
    const strict = plan('PATCH', '/items?id=eq.1', { body: { name: 'x' }, headers: { prefer: 'handling=strict, max-affected=1, count=exact, missing=default' } });
    expect(strict.maxAffected).toBe(1);
    expect(strict.preferenceApplied).toEqual(['missing=default', 'count=exact', 'handling=strict', 'max-affected=1']);
    expect(plan('PATCH', '/items?id=eq.1', { body: { name: 'x' }, headers: { prefer: 'max-affected=1' } }).maxAffected).toBeUndefined();
    expect(plan('DELETE', '/items?id=eq.1', { headers: { prefer: 'missing=default, return=minimal' } }).preferenceApplied).toEqual(['return=minimal']);
  });

  it('negotiates the media type of the representation', () => {
    const csv = plan('POST', '/items', { body: [{ name: 'a' }], headers: { prefer: 'return=representation', accept: 'text/csv' } });
    expect(csv.mediaType).toBe('text/csv');
    const single = plan('PATCH', '/items?id=eq.1', { body: { name: 'a' }, headers: { prefer: 'return=representation', accept: 'application/vnd.pgrst.object+json' } });
    expect(single).toMatchObject({ mediaType: 'application/vnd.pgrst.object+json', singular: true });
    expect(planError('POST', '/items', { body: [{ name: 'a' }], headers: { accept: 'image/png' } })).toMatchObject({ status: 406 });
  });

  it('returns only the key for headers-only and a Location of one inserted row', () => {
    const built = plan('POST', '/items', { body: { name: 'a' }, headers: { prefer: 'return=headers-only' } });
    const { text } = render(built.statement);
    expect(text).toContain('RETURNING "items"."id"');
    expect(text).toContain('json_each_text(pgrst_loc.r)');
    expect(built.omitBody).toBe(true);
  });
});

const schema = `
  CREATE SCHEMA api;
  CREATE TABLE api.clients (id serial PRIMARY KEY, name text NOT NULL);
  CREATE TABLE api.projects (
    id serial PRIMARY KEY,
    name text NOT NULL,
    client_id int REFERENCES api.clients(id),
    status text DEFAULT 'new',
    priority int DEFAULT 3,
    code text UNIQUE
  );
  CREATE TABLE api.employees (first_name text, last_name text, salary numeric, PRIMARY KEY (first_name, last_name));
  CREATE TABLE api.logs (message text, level int);
`;

describe('writes against Postgres', () => {
  let db: PlanTestDatabase;
  const json = (body: unknown, prefer?: string): SendOptions => ({ body, headers: prefer ? { prefer } : {} });

  beforeAll(async () => {
    db = await planTestDatabase('mutate_plan', schema);
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    await db.query('TRUNCATE api.projects, api.clients, api.employees, api.logs RESTART IDENTITY CASCADE');
    await db.query(`INSERT INTO api.clients (name) VALUES ('Microsoft'), ('Apple')`);
  });

  it('bulk inserts a JSON array and returns the selected columns', async () => {
    const { row, json: body, plan } = await db.send(
      'POST',
      '/projects?select=id,name',
      json([{ name: 'Windows', client_id: 1 }, { name: 'macOS', client_id: 2 }], 'return=representation'),
    );
    expect(plan.kind).toBe('insert');
    expect(row.page_total).toBe('2');
    expect(body).toEqual([
      { id: 1, name: 'Windows' },
      { id: 2, name: 'macOS' },
    ]);
  });

  it('embeds related rows in the representation', async () => {
    const { json: body } = await db.send('POST', '/projects?select=name,clients(name)', json({ name: 'Office', client_id: 1 }, 'return=representation'));
    expect(body).toEqual([{ name: 'Office', clients: { name: 'Microsoft' } }]);
  });

  it('bulk inserts a CSV body', async () => {
    const { row } = await db.send('POST', '/projects', {
      body: 'name,client_id,status\nIOS,2,done\nAndroid,NULL,"in progress, late"',
      headers: { 'content-type': 'text/csv', prefer: 'count=exact' },
    });
    expect(row).toMatchObject({ page_total: '2', total_result_set: '2', body: null });
    expect(await db.query('SELECT name, client_id, status FROM api.projects ORDER BY id')).toEqual([
      { name: 'IOS', client_id: 2, status: 'done' },
      { name: 'Android', client_id: null, status: 'in progress, late' },
    ]);
  });

  it('inserts only the columns= columns', async () => {
    await db.send('POST', '/projects?columns=name,priority', json([{ name: 'a', priority: 1, status: 'ignored' }, { name: 'b' }]));
    expect(await db.query('SELECT name, priority, status FROM api.projects ORDER BY id')).toEqual([
      { name: 'a', priority: 1, status: 'new' },
      { name: 'b', priority: null, status: 'new' },
    ]);
  });

  it('uses column defaults for missing keys with missing=default', async () => {
    // rows with different keys need columns= (PostgREST: "All object keys must match")
    await db.send('POST', '/projects?columns=name,priority', json([{ name: 'a', priority: 1 }, { name: 'b' }], 'missing=default'));
    await db.send('POST', '/projects?columns=name,priority', json([{ name: 'c', priority: 1 }, { name: 'd' }]));
    expect(await db.query('SELECT id, name, priority FROM api.projects ORDER BY name')).toEqual([
      { id: 1, name: 'a', priority: 1 },
      { id: 2, name: 'b', priority: 3 },
      { id: 3, name: 'c', priority: 1 },
      { id: 4, name: 'd', priority: null },
    ]);
  });

  it('upserts: merge-duplicates updates existing rows, ignore-duplicates skips them', async () => {
    await db.query(`INSERT INTO api.projects (id, name, code) VALUES (10, 'old', 'X')`);
    const merged = await db.send('POST', '/projects?select=id,name', json([{ id: 10, name: 'new' }], 'resolution=merge-duplicates, return=representation'));
    expect(merged.row).toMatchObject({ page_total: '1', inserted: 0 });
    expect(merged.json).toEqual([{ id: 10, name: 'new' }]);
    const mixed = await db.send('POST', '/projects', json([{ id: 10, name: 'newer' }, { id: 11, name: 'eleven' }], 'resolution=merge-duplicates'));
    expect(mixed.row).toMatchObject({ page_total: '2', inserted: 1 });

    const ignored = await db.send(
      'POST',
      '/projects?on_conflict=code&select=name',
      json([{ name: 'dup', code: 'X' }, { name: 'fresh', code: 'Y' }], 'resolution=ignore-duplicates, return=representation'),
    );
    expect(ignored.json).toEqual([{ name: 'fresh' }]);
    expect(await db.query('SELECT name, code FROM api.projects ORDER BY name')).toEqual([
      { name: 'eleven', code: null },
      { name: 'fresh', code: 'Y' },
      { name: 'newer', code: 'X' },
    ]);
  });

  it('PUT inserts or replaces the row of the URL key; a mismatched key writes nothing', async () => {
    const url = '/employees?first_name=eq.Susan&last_name=eq.Heidt';
    const inserted = await db.send('PUT', url, json({ first_name: 'Susan', last_name: 'Heidt', salary: 48000 }, 'return=representation'));
    expect(inserted.row).toMatchObject({ page_total: '1', inserted: 1 });
    expect(inserted.json).toEqual([{ first_name: 'Susan', last_name: 'Heidt', salary: 48000 }]);
    const replaced = await db.send('PUT', url, json([{ first_name: 'Susan', last_name: 'Heidt', salary: 60000 }, { first_name: 'Other', last_name: 'Row', salary: 1 }]));
    expect(replaced.row).toMatchObject({ page_total: '1', inserted: 0 });
    const mismatch = await db.send('PUT', url, json({ first_name: 'Wendy', last_name: 'Anderson', salary: 1 }));
    expect(mismatch.row.page_total).toBe('0'); // the executor answers PGRST115 and rolls back
    expect(await db.query('SELECT first_name, salary FROM api.employees')).toEqual([{ first_name: 'Susan', salary: '60000' }]);
  });

  it('PATCH updates the filtered rows; {} updates none', async () => {
    await db.query(`INSERT INTO api.projects (name, client_id, status) VALUES ('a', 1, 'new'), ('b', 1, 'done'), ('c', 2, 'new')`);
    const patched = await db.send('PATCH', '/projects?status=eq.new&or=(client_id.eq.1,name.eq.c)&select=name,status', json({ status: 'started' }, 'return=representation'));
    expect(patched.row.page_total).toBe('2');
    expect(patched.json).toEqual(
      expect.arrayContaining([
        { name: 'a', status: 'started' },
        { name: 'c', status: 'started' },
      ]),
    );
    const empty = await db.send('PATCH', '/projects?id=eq.1', json({}));
    expect(empty.row.page_total).toBe('0');
  });

  it('PATCH and DELETE with limit and order touch only the first rows', async () => {
    await db.query(`INSERT INTO api.projects (name, priority) SELECT 'p' || n, n FROM generate_series(1, 5) n`);
    const patched = await db.send('PATCH', '/projects?priority=gt.1&order=priority.desc&limit=2', json({ status: 'top' }));
    expect(patched.row.page_total).toBe('2');
    expect(await db.query(`SELECT name FROM api.projects WHERE status = 'top' ORDER BY name`)).toEqual([{ name: 'p4' }, { name: 'p5' }]);

    const deleted = await db.send('DELETE', '/projects?order=id&limit=2&offset=1&select=name', { headers: { prefer: 'return=representation' } });
    expect(deleted.json).toEqual([{ name: 'p2' }, { name: 'p3' }]);
    await db.query(`INSERT INTO api.logs VALUES ('x', 1), ('y', 1), ('z', 1)`);
    const byCtid = await db.send('DELETE', '/logs?level=eq.1&order=ctid&limit=1');
    expect(byCtid.row.page_total).toBe('1');
    expect(await db.query('SELECT count(*)::int AS n FROM api.logs')).toEqual([{ n: 2 }]);
  });

  it('DELETE removes the filtered rows and counts them', async () => {
    await db.query(`INSERT INTO api.projects (name, status) VALUES ('a', 'new'), ('b', 'done'), ('c', 'done')`);
    const { row } = await db.send('DELETE', '/projects?status=eq.done', { headers: { prefer: 'count=exact' } });
    expect(row).toMatchObject({ page_total: '2', total_result_set: '2', body: null });
    expect(await db.query('SELECT name FROM api.projects')).toEqual([{ name: 'a' }]);
  });

  it('gives the Location of a single insert with return=headers-only', async () => {
    const { row, plan } = await db.send('POST', '/employees', json({ first_name: 'Ann Lee', last_name: 'O&Brien', salary: 1 }, 'return=headers-only'));
    expect(plan.relationPath).toBe('/employees');
    expect(row.location).toBe('first_name=eq.Ann%20Lee&last_name=eq.O%26Brien');
  });

  it('singular representation as an object, CSV as text', async () => {
    const single = await db.send('POST', '/clients?select=name', {
      body: { name: 'Google' },
      headers: { prefer: 'return=representation', accept: 'application/vnd.pgrst.object+json' },
    });
    expect(single.json).toEqual({ name: 'Google' });
    const csv = await db.send('PATCH', '/clients?order=id&select=id,name', { body: { name: 'Same' }, headers: { prefer: 'return=representation', accept: 'text/csv' } });
    expect(csv.row.body).toBe('id,name\n1,Same\n2,Same\n3,Same');
  });
});
