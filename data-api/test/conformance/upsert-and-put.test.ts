/**
 * Upserts (`POST` with `Prefer: resolution=…` and `on_conflict`) and `PUT` on a primary key, as
 * PostgREST v12 answers them ("Tables and Views: Upsert, PUT"), directly and through PgBouncer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOMEOWNER_SUB, signToken, startConformanceServer, type ConformanceServer } from './harness.ts';
import { bearer, errorOf, jsonRequest, query } from './http.ts';

describe.each([{ throughPgBouncer: false }, { throughPgBouncer: true }])('upsert and PUT (PgBouncer: $throughPgBouncer)', ({ throughPgBouncer }) => {
  let server: ConformanceServer;
  let auth: Record<string, string>;
  beforeAll(async () => {
    server = await startConformanceServer({ throughPgBouncer });
    auth = bearer(signToken({ role: 'authenticated', sub: HOMEOWNER_SUB }));
  });
  afterAll(() => server?.close());

  const post = (path: string, body: unknown, prefer: string) => server.fetch(path, jsonRequest('POST', body, { ...auth, Prefer: prefer }));
  const put = (path: string, body: unknown, headers: Record<string, string> = {}) => server.fetch(path, jsonRequest('PUT', body, { ...auth, ...headers }));
  const supply = async (id: number) => (await query(server, 'select id, name, unit, unit_price::float8 as unit_price, stock from api.supplies where id = $1', [id]))[0];

  describe('POST with resolution=merge-duplicates', () => {
    it('inserts new rows and updates existing ones on the primary key (201 when one is new)', async () => {
      const { data, error, status } = await server.homeowner
        .from('supplies')
        .upsert([
          { id: 1, name: 'Dishwasher salt', unit: 'kg', unit_price: 1.5, stock: 9 },
          { id: 20, name: 'Descaler', unit: 'bottle', unit_price: 6, stock: 2 },
        ])
        .select('id,name,unit_price,stock')
        .order('id');
      expect(error).toBeNull();
      expect(status).toBe(201);
      expect(data).toEqual([
        { id: 1, name: 'Dishwasher salt', unit_price: 1.5, stock: 9 },
        { id: 20, name: 'Descaler', unit_price: 6, stock: 2 },
      ]);
    });

    it('answers 200 when every row was an update, listing the resolution in Preference-Applied', async () => {
      const response = await post('/supplies?select=id,stock', [{ id: 2, name: 'Fridge water filter', stock: 3 }], 'return=representation, resolution=merge-duplicates');
      expect(response.status).toBe(200);
      expect(response.headers.get('preference-applied')).toBe('resolution=merge-duplicates, return=representation');
      expect(await response.json()).toEqual([{ id: 2, stock: 3 }]);
      expect(await supply(2)).toMatchObject({ unit_price: 34.9, stock: 3 });
    });

    it('answers 200 [] to an empty array: nothing was inserted', async () => {
      const response = await post('/supplies', [], 'return=representation, resolution=merge-duplicates');
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual([]);
    });

    it('resolves on the unique columns named by on_conflict, keeping the other columns', async () => {
      const { data, error, status } = await server.homeowner.from('supplies').upsert({ name: '9V battery', stock: 12 }, { onConflict: 'name' }).select('id,name,unit_price,stock');
      expect(error).toBeNull();
      expect(status).toBe(200);
      expect(data).toEqual([{ id: 4, name: '9V battery', unit_price: 3.5, stock: 12 }]);
    });

    it('takes defaults for absent keys with missing=default (a new serial key, an updated old one)', async () => {
      const response = await post(
        '/supplies?columns=id,name,unit&select=name,unit,stock',
        [{ id: 3, name: 'Boiler filter', unit: 'box' }, { name: 'Grout', unit: 'tube' }],
        'return=representation, resolution=merge-duplicates, missing=default',
      );
      expect(response.status).toBe(201);
      expect(response.headers.get('preference-applied')).toBe('resolution=merge-duplicates, missing=default, return=representation');
      expect(await response.json()).toEqual([
        { name: 'Boiler filter', unit: 'box', stock: 2 },
        { name: 'Grout', unit: 'tube', stock: 0 },
      ]);
    });

    it('embeds related rows in the representation of an upsert', async () => {
      const response = await post(
        '/zones?select=id,name,properties(name)',
        [{ id: 8, property_id: 2, name: 'Main room' }, { id: 40, property_id: 2, name: 'Loft' }],
        'return=representation, resolution=merge-duplicates',
      );
      expect(response.status).toBe(201);
      expect(await response.json()).toEqual([
        { id: 8, name: 'Main room', properties: { name: 'Lake Cabin' } },
        { id: 40, name: 'Loft', properties: { name: 'Lake Cabin' } },
      ]);
    });

    it('refuses on_conflict columns without a unique constraint (42P10)', async () => {
      const response = await post('/supplies?on_conflict=unit', { name: 'Twine', unit: 'm' }, 'resolution=merge-duplicates');
      expect((await errorOf(response, 400)).code).toBe('42P10');
    });

    it('refuses on_conflict columns the table does not have (PGRST204)', async () => {
      const response = await post('/supplies?on_conflict=barcode', { name: 'Twine', unit: 'm' }, 'resolution=merge-duplicates');
      expect((await errorOf(response, 400)).code).toBe('PGRST204');
    });
  });

  describe('POST with resolution=ignore-duplicates', () => {
    it('inserts the new rows only and gives back only those', async () => {
      const { data, error, status } = await server.homeowner
        .from('people')
        .upsert([{ id: 1, name: 'Not Alice' }, { id: 30, name: 'Ignored Ivo' }], { ignoreDuplicates: true })
        .select('id,name');
      expect(error).toBeNull();
      expect(status).toBe(201);
      expect(data).toEqual([{ id: 30, name: 'Ignored Ivo' }]);
      expect((await query(server, 'select name from api.people where id = 1'))[0]).toEqual({ name: 'Alice Martin' });
    });

    it('answers 201 [] when every row was a duplicate', async () => {
      const response = await post('/supplies?on_conflict=name', [{ name: 'Chimney brush', stock: 50 }], 'return=representation, resolution=ignore-duplicates');
      expect(response.status).toBe(201);
      expect(response.headers.get('preference-applied')).toBe('resolution=ignore-duplicates, return=representation');
      expect(await response.json()).toEqual([]);
      expect(await supply(5)).toMatchObject({ stock: 0 });
    });
  });

  describe('PUT', () => {
    it('inserts the row of the URL key when it is missing (201)', async () => {
      const response = await put('/supplies?id=eq.70&select=id,name,unit', { id: 70, name: 'Putty', unit: 'tube', unit_price: 4, stock: 1 }, { Prefer: 'return=representation' });
      expect(response.status).toBe(201);
      expect(response.headers.get('preference-applied')).toBe('return=representation');
      expect(response.headers.get('content-range')).toBeNull();
      expect(await response.json()).toEqual([{ id: 70, name: 'Putty', unit: 'tube' }]);
    });

    it('replaces the row when it exists (200), and answers 204 without return=representation', async () => {
      await query(server, `insert into api.supplies (id, name, unit, unit_price, stock) values (71, 'Old caulk', 'tube', 3, 1)`);
      const replaced = await put('/supplies?id=eq.71', [{ id: 71, name: 'New caulk', unit: 'tube', unit_price: 5, stock: 4 }], { Prefer: 'return=representation', Accept: 'application/vnd.pgrst.object+json' });
      expect(replaced.status).toBe(200);
      expect(replaced.headers.get('content-type')).toBe('application/vnd.pgrst.object+json; charset=utf-8');
      expect(await replaced.json()).toEqual({ id: 71, name: 'New caulk', unit: 'tube', unit_price: 5, stock: 4, stock_value: 20 });

      const minimal = await put('/supplies?id=eq.71', { id: 71, name: 'Caulk', unit: 'tube', unit_price: 5, stock: 4 }, { Prefer: 'return=minimal' });
      expect(minimal.status).toBe(204);
      expect(await minimal.text()).toBe('');
      expect(minimal.headers.get('content-type')).toBeNull();
      expect(minimal.headers.get('preference-applied')).toBe('return=minimal');
      expect(await supply(71)).toMatchObject({ name: 'Caulk' });
    });

    it('puts on a composite key', async () => {
      const key = 'asset_id=eq.a0000000-0000-4000-8000-000000000004&taken_at=eq.2024-04-01T08:00:00Z';
      const row = { asset_id: 'a0000000-0000-4000-8000-000000000004', taken_at: '2024-04-01T08:00:00Z', value: 61.2, unit: 'm3' };
      const inserted = await put(`/readings?${key}&select=value`, row, { Prefer: 'return=representation' });
      expect(inserted.status).toBe(201);
      expect(await inserted.json()).toEqual([{ value: 61.2 }]);
      const updated = await put(`/readings?${key}&select=value`, { ...row, value: 61.7 }, { Prefer: 'return=representation' });
      expect(updated.status).toBe(200);
      expect(await updated.json()).toEqual([{ value: 61.7 }]);
    });

    it('writes only the payload row of the URL key', async () => {
      await query(server, `insert into api.supplies (id, name) values (72, 'Wax')`);
      const response = await put('/supplies?id=eq.72&select=id,name', [{ id: 72, name: 'Beeswax' }, { id: 73, name: 'Stowaway' }], { Prefer: 'return=representation' });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual([{ id: 72, name: 'Beeswax' }]);
      expect(await supply(73)).toBeUndefined();
    });

    it('refuses filters that are not exactly the primary key with eq (405 PGRST105)', async () => {
      const expected = { code: 'PGRST105', message: "Filters must include all and only primary key columns with 'eq' operators", details: null, hint: null };
      const body = { id: 74, name: 'Nope' };
      for (const path of ['/supplies?name=eq.Nope', '/supplies?id=not.eq.74', '/supplies?id=in.(74)', '/supplies?id=gt.73', '/supplies?and=(id.eq.74)', '/supplies?id=eq.74&name=eq.Nope', '/supplies']) {
        expect(await errorOf(await put(path, body), 405), path).toEqual(expected);
      }
      expect(await errorOf(await put('/readings?asset_id=eq.a0000000-0000-4000-8000-000000000004', { asset_id: 'a0000000-0000-4000-8000-000000000004' }), 405)).toEqual(expected);
      expect(await supply(74)).toBeUndefined();
    });

    it('refuses limit and offset (PGRST114)', async () => {
      const expected = { code: 'PGRST114', message: 'limit/offset querystring parameters are not allowed for PUT', details: null, hint: null };
      expect(await errorOf(await put('/supplies?id=eq.75&limit=1', { id: 75, name: 'Limit' }), 400)).toEqual(expected);
      expect(await errorOf(await put('/supplies?id=eq.75&offset=1', { id: 75, name: 'Offset' }), 400)).toEqual(expected);
    });

    it('refuses a payload whose key is not the URL key (PGRST115), writing nothing', async () => {
      const expected = { code: 'PGRST115', message: 'Payload values do not match URL in primary key column(s)', details: null, hint: null };
      expect(await errorOf(await put('/supplies?id=eq.76', { id: 77, name: 'Mismatch' }), 400)).toEqual(expected);
      expect(await errorOf(await put('/supplies?id=eq.76', [{ id: 78, name: 'Other key' }, { id: 79, name: 'Another' }]), 400)).toEqual(expected);
      expect(await supply(76)).toBeUndefined();
      expect(await supply(77)).toBeUndefined();
    });
  });
});
