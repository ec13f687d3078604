/**
 * Inserts, updates and deletes as PostgREST v12 answers them ("Tables and Views", "Prefer
 * header"), with postgrest-js where it can say it and raw HTTP for the headers it hides. Every
 * scenario runs against the server connected directly and through PgBouncer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOMEOWNER_SUB, signToken, startConformanceServer, type ConformanceServer } from './harness.ts';
import { bearer, errorOf, jsonRequest, query, rowCount } from './http.ts';

describe.each([{ throughPgBouncer: false }, { throughPgBouncer: true }])('writes (PgBouncer: $throughPgBouncer)', ({ throughPgBouncer }) => {
  let server: ConformanceServer;
  let auth: Record<string, string>;
  beforeAll(async () => {
    server = await startConformanceServer({ throughPgBouncer, env: { PGRST_DB_TX_END: 'commit-allow-override' } });
    auth = bearer(signToken({ role: 'authenticated', sub: HOMEOWNER_SUB }));
  });
  afterAll(() => server?.close());

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) => server.fetch(path, jsonRequest('POST', body, { ...auth, ...headers }));
  const patch = (path: string, body: unknown, headers: Record<string, string> = {}) => server.fetch(path, jsonRequest('PATCH', body, { ...auth, ...headers }));
  const del = (path: string, headers: Record<string, string> = {}) => server.fetch(path, { method: 'DELETE', headers: { ...auth, ...headers } });
  const people = (like: string) => query<{ id: number; name: string; phone: string | null }>(server, 'select id, name, phone from api.people where name like $1 order by id', [like]);

  describe('POST inserts', () => {
    it('inserts one row and gives it back with select() (201, return=representation)', async () => {
      const { data, error, status } = await server.homeowner.from('people').insert({ name: 'Ines Roofer', is_household: false }).select('id,name,phone,is_household');
      expect(error).toBeNull();
      expect(status).toBe(201);
      expect(data).toEqual([{ id: expect.any(Number), name: 'Ines Roofer', phone: null, is_household: false }]);
    });

    it('answers 201 without a body, Content-Type or Location by default (return=minimal)', async () => {
      const response = await post('/people?select=id,name', { name: 'Minimal Mo' });
      expect(response.status).toBe(201);
      expect(await response.text()).toBe('');
      expect(response.headers.get('content-type')).toBeNull();
      expect(response.headers.get('location')).toBeNull();
      expect(response.headers.get('content-range')).toBe('*/*');
      expect(response.headers.get('preference-applied')).toBeNull();
      expect(await rowCount(server, 'api.people', `name = 'Minimal Mo'`)).toBe(1);

      const minimal = await post('/people', { name: 'Minimal Max' }, { Prefer: 'return=minimal' });
      expect(minimal.status).toBe(201);
      expect(await minimal.text()).toBe('');
      expect(minimal.headers.get('preference-applied')).toBe('return=minimal');
    });

    it('gives the written rows back in the order asked for (order applies to the representation)', async () => {
      const response = await post('/people?select=name&order=name.desc', [{ name: 'Order A' }, { name: 'Order C' }, { name: 'Order B' }], {
        Prefer: 'return=representation',
      });
      expect(response.status).toBe(201);
      expect(await response.json()).toEqual([{ name: 'Order C' }, { name: 'Order B' }, { name: 'Order A' }]);
    });

    it('inserts a JSON array in one statement, counting it with count=exact', async () => {
      const response = await post('/people?select=name,is_household', [{ name: 'Bulk A', is_household: true }, { name: 'Bulk B', is_household: false }], {
        Prefer: 'return=representation, count=exact',
      });
      expect(response.status).toBe(201);
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(response.headers.get('content-range')).toBe('*/2');
      expect(response.headers.get('preference-applied')).toBe('return=representation, count=exact');
      expect(response.headers.get('location')).toBeNull();
      expect(await response.json()).toEqual([
        { name: 'Bulk A', is_household: true },
        { name: 'Bulk B', is_household: false },
      ]);
    });

    it('inserts nothing for an empty array; {} asks for a row of defaults, refused here by NOT NULL (23502)', async () => {
      const none = await post('/people', [], { Prefer: 'return=representation' });
      expect(none.status).toBe(201);
      expect(await none.json()).toEqual([]);

      const defaults = await post('/profiles?select=display_name', {}, { Prefer: 'return=representation' });
      // display_name is NOT NULL without a default: Postgres refuses the all-default row
      expect((await errorOf(defaults, 400)).code).toBe('23502');
    });

    it('reads a CSV body, NULL meaning null, and answers in CSV', async () => {
      const response = await server.fetch('/people?select=name,phone,is_household', {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'text/csv', Accept: 'text/csv', Prefer: 'return=representation' },
        body: 'name,phone,is_household\nCsv Carla,NULL,false\n"Csv, Junior",0612,true',
      });
      expect(response.status).toBe(201);
      expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(await response.text()).toBe('name,phone,is_household\n"Csv Carla",,f\n"Csv, Junior",0612,t');
      expect(await people('Csv%')).toEqual([
        { id: expect.any(Number), name: 'Csv Carla', phone: null },
        { id: expect.any(Number), name: 'Csv, Junior', phone: '0612' },
      ]);
    });

    it('refuses CSV lines with a different number of fields (PGRST102)', async () => {
      const response = await server.fetch('/people', {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'text/csv' },
        body: 'name,phone\nCsv Short,1\nCsv Shorter',
      });
      expect(await errorOf(response, 400)).toEqual({ code: 'PGRST102', message: 'All lines must have same number of fields', details: null, hint: null });
      expect(await rowCount(server, 'api.people', `name like 'Csv Short%'`)).toBe(0);
    });

    it('takes only the columns= columns: other keys are ignored, absent keys are null', async () => {
      const response = await post(
        '/people?columns=name,phone&select=name,phone,is_household',
        [{ name: 'Cols A', phone: '1', bogus: 'ignored' }, { name: 'Cols B', is_household: false }],
        { Prefer: 'return=representation' },
      );
      expect(response.status).toBe(201);
      expect(await response.json()).toEqual([
        { name: 'Cols A', phone: '1', is_household: true },
        { name: 'Cols B', phone: null, is_household: true },
      ]);
    });

    it('inserts rows with different keys through postgrest-js (quoted columns=, null or missing=default)', async () => {
      const nulls = await server.homeowner.from('people').insert([{ name: 'Js One', phone: '1' }, { name: 'Js Two' }]).select('name,phone');
      expect(nulls.error).toBeNull();
      expect(nulls.data).toEqual([
        { name: 'Js One', phone: '1' },
        { name: 'Js Two', phone: null },
      ]);

      const defaults = await server.homeowner
        .from('supplies')
        .insert([{ name: 'Garden hose', unit: 'm', unit_price: 2 }, { name: 'Light bulb' }], { defaultToNull: false })
        .select('name,unit,unit_price,stock,stock_value');
      expect(defaults.error).toBeNull();
      expect(defaults.data).toEqual([
        { name: 'Garden hose', unit: 'm', unit_price: 2, stock: 0, stock_value: 0 },
        { name: 'Light bulb', unit: 'piece', unit_price: 0, stock: 0, stock_value: 0 },
      ]);

      // without missing=default the absent unit is NULL, refused by NOT NULL
      const refused = await server.homeowner.from('supplies').insert([{ name: 'Fuse', unit: 'piece' }, { name: 'Glue' }]);
      expect(refused.status).toBe(400);
      expect(refused.error?.code).toBe('23502');
    });

    it('leaves a columns= body to Postgres: invalid JSON is its 22P02, a single object one row, and nothing is written on failure', async () => {
      const invalid = await post('/people?columns=name', '[{"name": "Broken",');
      expect(await errorOf(invalid, 400)).toMatchObject({ code: '22P02', message: 'invalid input syntax for type json' });
      expect(await rowCount(server, 'api.people', `name = 'Broken'`)).toBe(0);

      const one = await post('/people?columns=name&select=name', ' \n{"name": "Cols Object"}', { Prefer: 'return=representation' });
      expect(one.status).toBe(201);
      expect(await one.json()).toEqual([{ name: 'Cols Object' }]);

      const none = await post('/people?columns=name', '[]', { Prefer: 'return=representation' });
      expect(none.status).toBe(201);
      expect(await none.json()).toEqual([]);
    });

    it('lists missing=default in Preference-Applied', async () => {
      const response = await post('/supplies?columns=name,unit&select=name,unit', { name: 'Sandpaper' }, { Prefer: 'return=representation, missing=default' });
      expect(response.status).toBe(201);
      expect(response.headers.get('preference-applied')).toBe('missing=default, return=representation');
      expect(await response.json()).toEqual([{ name: 'Sandpaper', unit: 'piece' }]);
    });

    it('gives a Location of the primary key with return=headers-only, which reads the row back', async () => {
      const response = await post('/people?select=name', { name: 'Located Lou' }, { Prefer: 'return=headers-only' });
      expect(response.status).toBe(201);
      expect(await response.text()).toBe('');
      expect(response.headers.get('content-type')).toBeNull();
      expect(response.headers.get('preference-applied')).toBe('return=headers-only');
      expect(response.headers.get('content-range')).toBe('*/*');
      const [row] = await people('Located Lou');
      expect(response.headers.get('location')).toBe(`/people?id=eq.${row!.id}`);

      const back = await server.fetch(`${response.headers.get('location')}&select=name`);
      expect(await back.json()).toEqual([{ name: 'Located Lou' }]);
    });

    it('URL-encodes every column of a composite key in Location', async () => {
      const reading = { asset_id: 'a0000000-0000-4000-8000-000000000003', taken_at: '2024-04-01T08:00:00+00:00', value: 1602.5, unit: 'kWh' };
      const response = await post('/readings', reading, { Prefer: 'return=headers-only' });
      expect(response.status).toBe(201);
      const location = response.headers.get('location')!;
      expect(location).toMatch(/^\/readings\?asset_id=eq\.a0000000-0000-4000-8000-000000000003&taken_at=eq\.2024-04-01[^&]*%3A00%3A00[^&]*$/);

      const back = await server.fetch(`${location}&select=value,unit`, { headers: auth });
      expect(await back.json()).toEqual([{ value: 1602.5, unit: 'kWh' }]);
    });

    it('gives no Location for return=representation nor for several rows', async () => {
      const representation = await post('/people', { name: 'No Location' }, { Prefer: 'return=representation' });
      expect(representation.status).toBe(201);
      expect(representation.headers.get('location')).toBeNull();
      const bulk = await post('/people', [{ name: 'Bulk Loc 1' }, { name: 'Bulk Loc 2' }], { Prefer: 'return=headers-only' });
      expect(bulk.status).toBe(201);
      expect(bulk.headers.get('location')).toBeNull();
    });

    it('embeds related rows in the representation of an insert', async () => {
      const response = await post('/tasks?select=title,properties(name),created_by:people!tasks_created_by_fkey(name)', { property_id: 1, title: 'Oil the hinges', created_by: 2 }, {
        Prefer: 'return=representation',
      });
      expect(response.status).toBe(201);
      expect(await response.json()).toEqual([{ title: 'Oil the hinges', properties: { name: 'Maple House' }, created_by: { name: 'Sam Martin' } }]);
    });

    it('writes to another exposed schema named by Content-Profile, and says so in the response', async () => {
      const { data, error } = await server.as({ role: 'authenticated' }, 'v2').from('properties').insert({ label: 'Beach Hut', city: 'Biarritz' }).select('label,city');
      expect(error).toBeNull();
      expect(data).toEqual([{ label: 'Beach Hut', city: 'Biarritz' }]);

      const response = await post('/rooms?select=name', { property_id: 1, name: 'Attic' }, { 'Content-Profile': 'v2', Prefer: 'return=representation' });
      expect(response.status).toBe(201);
      expect(response.headers.get('content-profile')).toBe('v2');
      expect(await response.json()).toEqual([{ name: 'Attic' }]);

      const hidden = await post('/rooms', { property_id: 1, name: 'Cellar' }, { 'Content-Profile': 'private' });
      expect((await errorOf(hidden, 406)).code).toBe('PGRST106');
    });

    it('answers vnd.pgrst.object+json with the one inserted object', async () => {
      const { data, error } = await server.homeowner.from('people').insert({ name: 'Single Sid' }).select('name').single();
      expect(error).toBeNull();
      expect(data).toEqual({ name: 'Single Sid' });
    });
  });

  describe('PATCH updates', () => {
    it('updates the filtered rows and gives them back with select()', async () => {
      await query(server, `insert into api.people (name) values ('Patch A'), ('Patch B'), ('Patch C')`);
      const { data, error, status } = await server.homeowner.from('people').update({ phone: '+33 7' }).in('name', ['Patch A', 'Patch B']).select('name,phone').order('name');
      expect(error).toBeNull();
      expect(status).toBe(200);
      expect(data).toEqual([
        { name: 'Patch A', phone: '+33 7' },
        { name: 'Patch B', phone: '+33 7' },
      ]);
      expect((await people('Patch C'))[0]?.phone).toBeNull();
    });

    it('answers 204 with Content-Range 0-(n-1)/* by default, and the total with count=exact', async () => {
      await query(server, `insert into api.people (name) values ('Range A'), ('Range B')`);
      const minimal = await patch('/people?name=like.Range*', { phone: '1' });
      expect(minimal.status).toBe(204);
      expect(await minimal.text()).toBe('');
      expect(minimal.headers.get('content-range')).toBe('0-1/*');

      const counted = await patch('/people?name=like.Range*', { phone: '2' }, { Prefer: 'count=exact' });
      expect(counted.status).toBe(204);
      expect(counted.headers.get('content-range')).toBe('0-1/2');
      expect(counted.headers.get('preference-applied')).toBe('count=exact');

      const nothing = await patch('/people?name=eq.Nobody', { phone: '3' }, { Prefer: 'count=exact' });
      expect(nothing.status).toBe(204);
      expect(nothing.headers.get('content-range')).toBe('*/0');
    });

    it('updates nothing with an empty object', async () => {
      await query(server, `insert into api.people (name, phone) values ('Empty Patch', '5')`);
      const response = await patch('/people?name=eq.Empty Patch', {}, { Prefer: 'return=representation' });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual([]);
      expect((await people('Empty Patch'))[0]?.phone).toBe('5');
    });

    it('sets only the columns= columns, ignoring the other keys', async () => {
      await query(server, `insert into api.people (name, phone) values ('Cols Patch', 'old')`);
      const response = await patch('/people?name=eq.Cols Patch&columns=phone&select=name,phone', { phone: 'new', name: 'Renamed' }, { Prefer: 'return=representation' });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual([{ name: 'Cols Patch', phone: 'new' }]);
    });

    it('rolls back a write that vnd.pgrst.object+json cannot answer with one object (406 PGRST116)', async () => {
      await query(server, `insert into api.people (name, phone) values ('Singular A', 'kept'), ('Singular B', 'kept')`);
      const response = await patch('/people?name=like.Singular *', { phone: 'lost' }, { Prefer: 'return=representation', Accept: 'application/vnd.pgrst.object+json' });
      expect(await errorOf(response, 406)).toEqual({ code: 'PGRST116', message: 'JSON object requested, multiple (or no) rows returned', details: 'The result contains 2 rows', hint: null });
      expect((await people('Singular %')).map((row) => row.phone)).toEqual(['kept', 'kept']);

      const removed = await server.homeowner.from('people').delete().like('name', 'Singular*').select('name').single();
      expect(removed.status).toBe(406);
      expect(await people('Singular %')).toHaveLength(2);
    });

    it('fires triggers: tasks.updated_at moves on', async () => {
      const response = await patch('/tasks?id=eq.6&select=status,updated_at', { status: 'todo' }, { Prefer: 'return=representation' });
      expect(response.status).toBe(200);
      const [task] = (await response.json()) as Array<{ status: string; updated_at: string }>;
      expect(task?.status).toBe('todo');
      expect(new Date(task!.updated_at).getTime()).toBeGreaterThan(new Date('2024-04-02T10:00:00Z').getTime());
    });

    it('refuses a column the table does not have (PGRST204)', async () => {
      const response = await patch('/people?id=eq.1', { nickname: 'Al' });
      expect(await errorOf(response, 400)).toEqual({ code: 'PGRST204', message: "Could not find the 'nickname' column of 'people' in the schema cache", details: null, hint: null });
    });
  });

  describe('DELETE', () => {
    it('deletes the filtered rows and gives them back with select()', async () => {
      await query(server, `insert into api.people (name) values ('Gone A'), ('Gone B'), ('Stays')`);
      const { data, error, status } = await server.homeowner.from('people').delete().like('name', 'Gone*').select('name').order('name');
      expect(error).toBeNull();
      expect(status).toBe(200);
      expect(data).toEqual([{ name: 'Gone A' }, { name: 'Gone B' }]);
      expect(await people('Gone%')).toEqual([]);
      expect(await people('Stays')).toHaveLength(1);
    });

    it('answers 204 with Content-Range */* by default, */n with count=exact', async () => {
      await query(server, `insert into api.people (name) values ('Del A'), ('Del B'), ('Del C')`);
      const minimal = await del('/people?name=eq.Del A');
      expect(minimal.status).toBe(204);
      expect(minimal.headers.get('content-range')).toBe('*/*');
      const counted = await del('/people?name=in.(Del B,Del C)', { Prefer: 'count=exact' });
      expect(counted.status).toBe(204);
      expect(counted.headers.get('content-range')).toBe('*/2');
      expect(await people('Del %')).toEqual([]);
    });

    it('refuses what a foreign key still references (409, 23503)', async () => {
      const response = await del('/people?id=eq.1');
      const error = await errorOf(response, 409);
      expect(error.code).toBe('23503');
      expect(error.message).toBe('update or delete on table "people" violates foreign key constraint "tasks_created_by_fkey" on table "tasks"');
      expect(error.details).toBe('Key (id)=(1) is still referenced from table "tasks".');
    });
  });

  describe('limit and order on PATCH and DELETE', () => {
    it('updates only the first rows in the order asked', async () => {
      await query(server, `insert into api.people (name) values ('Lim U1'), ('Lim U2'), ('Lim U3'), ('Lim U4')`);
      const response = await patch('/people?name=like.Lim U*&order=id.desc&limit=2&offset=1', { phone: 'limited' });
      expect(response.status).toBe(204);
      expect((await people('Lim U%')).map((row) => row.phone)).toEqual([null, 'limited', 'limited', null]);
    });

    it('deletes only the first rows in the order asked', async () => {
      await query(server, `insert into api.people (name) values ('Lim D1'), ('Lim D2'), ('Lim D3')`);
      const response = await del('/people?name=like.Lim D*&order=id&limit=1&offset=1', { Prefer: 'return=representation' });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual([expect.objectContaining({ name: 'Lim D2' })]);
      expect((await people('Lim D%')).map((row) => row.name)).toEqual(['Lim D1', 'Lim D3']);
    });

    it('refuses a limit without an explicit order (PGRST109)', async () => {
      const expected = { code: 'PGRST109', message: "A 'limit' was applied without an explicit 'order'", details: null, hint: "Apply an 'order' using unique column(s)" };
      expect(await errorOf(await patch('/people?limit=1', { phone: 'x' }), 400)).toEqual(expected);
      expect(await errorOf(await del('/people?limit=1&offset=1'), 400)).toEqual(expected);
    });

    it('refuses an order that is not unique when more rows than the limit would change (PGRST110), rolling back', async () => {
      await query(server, `insert into api.people (name, is_household) values ('Lim N1', false), ('Lim N2', false)`);
      // rows are matched back by the order's columns: every non-household person would change
      const response = await patch('/people?name=like.Lim N*&order=is_household&limit=1', { phone: 'too many' });
      const error = await errorOf(response, 400);
      expect(error).toMatchObject({ code: 'PGRST110', message: 'The maximum number of rows allowed to change was surpassed', hint: null });
      expect(error.details).toMatch(/^Results contain \d+ rows changed but the maximum number allowed is 1$/);
      expect(await rowCount(server, 'api.people', `phone = 'too many'`)).toBe(0);
    });

    it('ignores the Range header on writes', async () => {
      await query(server, `insert into api.people (name) values ('Rng 1'), ('Rng 2')`);
      const response = await server.fetch('/people?name=like.Rng*', { ...jsonRequest('PATCH', { phone: 'r' }, { ...auth, Range: '0-0' }) });
      expect(response.status).toBe(204);
      expect((await people('Rng%')).map((row) => row.phone)).toEqual(['r', 'r']);
    });
  });

  describe('Prefer: tx, handling and max-affected', () => {
    it('rolls back with tx=rollback yet answers as if committed', async () => {
      const response = await post('/people?select=name', { name: 'Rolled Back' }, { Prefer: 'return=representation, tx=rollback' });
      expect(response.status).toBe(201);
      expect(response.headers.get('preference-applied')).toBe('return=representation, tx=rollback');
      expect(await response.json()).toEqual([{ name: 'Rolled Back' }]);
      expect(await people('Rolled Back')).toEqual([]);

      const js = await server.homeowner.from('people').insert({ name: 'Js Rolled Back' }).select('name').rollback();
      expect(js.error).toBeNull();
      expect(js.data).toEqual([{ name: 'Js Rolled Back' }]);
      expect(await people('Js Rolled Back')).toEqual([]);
    });

    it('commits with tx=commit', async () => {
      const response = await post('/people', { name: 'Committed' }, { Prefer: 'tx=commit' });
      expect(response.status).toBe(201);
      expect(response.headers.get('preference-applied')).toBe('tx=commit');
      expect(await people('Committed')).toHaveLength(1);
    });

    it('rolls back a PATCH and a DELETE with tx=rollback', async () => {
      await query(server, `insert into api.people (name, phone) values ('Kept Kim', 'before')`);
      expect((await patch('/people?name=eq.Kept Kim', { phone: 'after' }, { Prefer: 'tx=rollback' })).status).toBe(204);
      expect((await del('/people?name=eq.Kept Kim', { Prefer: 'tx=rollback' })).status).toBe(204);
      expect(await people('Kept Kim')).toEqual([{ id: expect.any(Number), name: 'Kept Kim', phone: 'before' }]);
    });

    it('refuses unknown preferences with handling=strict (PGRST122) and writes nothing', async () => {
      const response = await post('/people', { name: 'Strict Sam' }, { Prefer: 'handling=strict, foo, bar=baz' });
      expect(await errorOf(response, 400)).toEqual({
        code: 'PGRST122',
        message: 'Invalid preferences given with handling=strict',
        details: 'Invalid preferences: foo, bar=baz',
        hint: null,
      });
      expect(await people('Strict Sam')).toEqual([]);
    });

    it('ignores unknown preferences with handling=lenient', async () => {
      const response = await post('/people', { name: 'Lenient Lea' }, { Prefer: 'handling=lenient, foo' });
      expect(response.status).toBe(201);
      expect(response.headers.get('preference-applied')).toBe('handling=lenient');
      expect(await people('Lenient Lea')).toHaveLength(1);
    });

    it('rolls back a DELETE that affects more rows than max-affected (PGRST124)', async () => {
      await query(server, `insert into api.people (name) values ('Max A'), ('Max B')`);
      const response = await del('/people?name=like.Max*', { Prefer: 'handling=strict, max-affected=1' });
      expect(await errorOf(response, 400)).toEqual({
        code: 'PGRST124',
        message: 'Query result exceeds max-affected preference constraint',
        details: 'The query affects 2 rows',
        hint: null,
      });
      expect(await people('Max %')).toHaveLength(2);

      const patched = await patch('/people?name=like.Max*', { phone: 'm' }, { Prefer: 'handling=strict, max-affected=1' });
      expect((await errorOf(patched, 400)).code).toBe('PGRST124');
      expect((await people('Max %')).map((row) => row.phone)).toEqual([null, null]);

      const within = await del('/people?name=like.Max*', { Prefer: 'handling=strict, max-affected=2' });
      expect(within.status).toBe(204);
      expect(within.headers.get('preference-applied')).toBe('handling=strict, max-affected=2');
      expect(await people('Max %')).toEqual([]);
    });
  });

  describe('OPTIONS', () => {
    it('lists the methods a table or view allows', async () => {
      const allow = async (path: string) => {
        const response = await server.fetch(path, { method: 'OPTIONS' });
        expect(response.status).toBe(200);
        return response.headers.get('allow');
      };
      expect(await allow('/people')).toBe('OPTIONS,GET,HEAD,POST,PUT,PATCH,DELETE');
      expect(await allow('/open_tasks')).toBe('OPTIONS,GET,HEAD,POST,PUT,PATCH,DELETE');
      expect(await allow('/property_summaries')).toBe('OPTIONS,GET,HEAD');
    });
  });

  describe('constraint violations', () => {
    it('answers 409 for a unique violation (23505)', async () => {
      const { error, status } = await server.homeowner.from('supplies').insert({ name: 'Dishwasher salt' });
      expect(status).toBe(409);
      expect(error).toEqual({
        code: '23505',
        message: 'duplicate key value violates unique constraint "supplies_name_key"',
        details: 'Key (name)=(Dishwasher salt) already exists.',
        hint: null,
      });
    });

    it('answers 409 for a foreign key violation (23503)', async () => {
      const response = await post('/tasks', { property_id: 999, title: 'Ghost task', created_by: 1 });
      expect(await errorOf(response, 409)).toEqual({
        code: '23503',
        message: 'insert or update on table "tasks" violates foreign key constraint "tasks_property_id_fkey"',
        details: 'Key (property_id)=(999) is not present in table "properties".',
        hint: null,
      });
    });

    it('answers 400 for a check violation (23514) and a bad value (22P02)', async () => {
      const check = await post('/supplies', { name: 'Negative', unit_price: -1 });
      const body = await errorOf(check, 400);
      expect(body.code).toBe('23514');
      expect(body.message).toBe('new row for relation "supplies" violates check constraint "supplies_unit_price_check"');

      const badValue = await patch('/tasks?id=eq.1', { priority: 'urgent' });
      expect((await errorOf(badValue, 400)).code).toBe('22P02');
    });

    it('answers 401 to anon and 403 to a signed-in role without the privilege (42501)', async () => {
      const anon = await server.fetch('/people', jsonRequest('POST', { name: 'Anon Ann' }));
      expect(await errorOf(anon, 401)).toEqual({ code: '42501', message: 'permission denied for table people', details: null, hint: null });
      expect(anon.headers.get('www-authenticate')).toBe('Bearer');

      const authenticated = await server.homeowner.from('contractors').insert({ person_id: 1, company_name: 'Nope' });
      expect(authenticated.status).toBe(403);
      expect(authenticated.error?.code).toBe('42501');
    });
  });

  describe('bodies the server refuses', () => {
    it('refuses invalid or empty JSON (PGRST102)', async () => {
      const invalid = { code: 'PGRST102', message: 'Empty or invalid json', details: null, hint: null };
      expect(await errorOf(await post('/people', '}{ x = 2'), 400)).toEqual(invalid);
      expect(await errorOf(await post('/people', ''), 400)).toEqual(invalid);
      expect(await errorOf(await patch('/people?id=eq.1', '{"name":'), 400)).toEqual(invalid);
    });

    it('refuses arrays whose elements are not objects with the same keys (PGRST102)', async () => {
      const mismatch = { code: 'PGRST102', message: 'All object keys must match', details: null, hint: null };
      expect(await errorOf(await post('/people', [{ name: 'K1' }, 123]), 400)).toEqual(mismatch);
      expect(await errorOf(await post('/people', [{ name: 'K2' }, { name: 'K3', phone: '1' }]), 400)).toEqual(mismatch);
      expect(await people('K_')).toEqual([]);
    });

    it('refuses a key that is not a column (PGRST204)', async () => {
      expect(await errorOf(await post('/people', { name: 'Who', helicopter: true }), 400)).toEqual({
        code: 'PGRST204',
        message: "Could not find the 'helicopter' column of 'people' in the schema cache",
        details: null,
        hint: null,
      });
      expect(await errorOf(await post('/people?columns=helicopter', [{ name: 'Who' }]), 400)).toMatchObject({ code: 'PGRST204' });
    });

    it('refuses a Content-Type it cannot read (PGRST102)', async () => {
      const response = await server.fetch('/people', { method: 'POST', headers: { ...auth, 'Content-Type': 'text/plain' }, body: 'name=Plain' });
      expect(await errorOf(response, 400)).toEqual({ code: 'PGRST102', message: 'Content-Type not acceptable: text/plain', details: null, hint: null });
    });

    it('reads an urlencoded form as one row', async () => {
      const response = await server.fetch('/people?select=name,phone', {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/x-www-form-urlencoded', Prefer: 'return=representation' },
        body: 'name=Form+Fran&phone=%2B33%201',
      });
      expect(response.status).toBe(201);
      expect(await response.json()).toEqual([{ name: 'Form Fran', phone: '+33 1' }]);
    });

    it('refuses a body over the size limit with 413', async () => {
      const huge = JSON.stringify({ name: 'x'.repeat(17 * 1024 * 1024) });
      const response = await post('/people', huge);
      expect((await errorOf(response, 413)).code).toBe('PGRST102');
    });

    it('answers 404 PGRST205 for a table that is not there, before looking at the body', async () => {
      const response = await post('/garlic?columns=helicopter', '[{"a":1}]');
      expect((await errorOf(response, 404)).code).toBe('PGRST205');
    });
  });
});
