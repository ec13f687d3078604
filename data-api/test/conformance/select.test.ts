/**
 * Tables and views (docs.postgrest.org "Tables and Views", "Schemas"): vertical filtering with
 * `select` (columns, `*`, aliases, casts, JSON paths and array indexes), row-level security
 * deciding what each role reads, HEAD, schema switching with Accept-Profile, and the errors
 * for a missing table or column. Run directly and through PgBouncer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOMEOWNER_SUB, startConformanceServer, type ConformanceServer } from './harness.ts';
import { anonymousRequest, expectError, request, rowsOf } from './read-support.ts';

describe.each([{ throughPgBouncer: false }, { throughPgBouncer: true }])('reading tables and views (PgBouncer: $throughPgBouncer)', (options) => {
  let server: ConformanceServer;
  beforeAll(async () => {
    server = await startConformanceServer(options);
  });
  afterAll(() => server?.close());

  describe('select', () => {
    it('returns the chosen columns, in the order asked for', async () => {
      const { data, error } = await server.service.from('tasks').select('title,id,priority').lte('id', 2).order('id');
      expect(error).toBeNull();
      expect(data).toEqual([
        { title: 'Clean dishwasher filter', id: 1, priority: 3 },
        { title: 'Replace fridge water filter', id: 2, priority: 2 },
      ]);
      expect(Object.keys(data![0]!)).toEqual(['title', 'id', 'priority']);
    });

    it('returns every column in declaration order without select or with *', async () => {
      const everyColumn = { id: 1, name: 'Alice Martin', phone: '+33 6 11 11 11 11', is_household: true };
      const star = await server.service.from('people').select('*').eq('id', 1);
      expect(star.data).toEqual([everyColumn]);
      expect(Object.keys(star.data![0]!)).toEqual(['id', 'name', 'phone', 'is_household']);
      const noSelect = rowsOf(await request(server, '/people?id=eq.1'));
      expect(noSelect).toEqual([everyColumn]);
    });

    it('renames columns with alias:column', async () => {
      const { data } = await server.service.from('tasks').select('task:id,heading:title').eq('id', 1);
      expect(data).toEqual([{ task: 1, heading: 'Clean dishwasher filter' }]);
    });

    it('casts columns with ::type, alias and cast together', async () => {
      const { data } = await server.service.from('tasks').select('id::text,minutes:estimated_minutes::text,recurrence::text').eq('id', 1);
      expect(data).toEqual([{ id: '1', minutes: '15', recurrence: '1 mon' }]);
    });

    it('reads into JSON with -> (as JSON) and ->> (as text)', async () => {
      const { data } = await server.homeowner.from('properties').select('id,details->heating,details->>floors,floors:details->floors').order('id');
      expect(data).toEqual([
        { id: 1, heating: 'gas', floors: 2 },
        { id: 2, heating: 'wood', floors: 1 },
      ]);
      // the same key twice in one object, as PostgREST's SQL builds it: the text and the JSON value
      const raw = await request(server, '/properties?select=details->>floors,details->floors&id=eq.1');
      expect(raw.text).toBe('[{"floors":"2","floors":2}]');
    });

    it('reads JSON keys of a missing path as null and casts JSON text', async () => {
      const { data } = await server.service.from('assets').select('name,specs->>kw::int,specs->energy_class').in('name', ['Gas boiler', 'Smoke detector']).order('name');
      expect(data).toEqual([
        { name: 'Gas boiler', kw: 24, energy_class: null },
        { name: 'Smoke detector', kw: null, energy_class: null },
      ]);
    });

    it('indexes arrays with ->n, names the result after the last key or the column', async () => {
      const { data } = await server.homeowner.from('properties').select('id,first:tags->0,tags->>1').order('id');
      expect(data).toEqual([
        { id: 1, first: 'garden', tags: 'garage' },
        { id: 2, first: 'lake', tags: 'wood-stove' },
      ]);
      const logs = await server.service.from('maintenance_logs').select('id,photos->>0').in('id', [10, 11]).order('id');
      expect(logs.data).toEqual([
        { id: 10, photos: 'photos/log-10.jpg' },
        { id: 11, photos: null },
      ]);
    });

    it('reads the last array element with a negative index, and keys with special characters', async () => {
      const { data } = await server.service.from('properties').select('id,last:tags->>-1').order('id');
      expect(data).toEqual([
        { id: 1, last: 'garage' },
        { id: 2, last: 'wood-stove' },
        { id: 3, last: null },
      ]);
      const special = rowsOf(await request(server, '/assets?select=name,specs->>energy_class&specs->>energy_class=eq.A%2B%2B'));
      expect(special).toEqual([{ name: 'Dishwasher', energy_class: 'A++' }]);
    });

    it('reads into JSON with a quoted key and a JSON cast', async () => {
      const rows = rowsOf(await request(server, '/properties?select=id,details->>"heating",floors:details->>floors::json&id=eq.2'));
      expect(rows).toEqual([{ id: 2, heating: 'wood', floors: 1 }]);
    });

    it('reads views, materialized views and partitioned tables like tables', async () => {
      const open = await server.service.from('open_tasks').select('id,status').eq('property_id', 1).order('id');
      expect(open.data).toEqual([
        { id: 1, status: 'todo' },
        { id: 3, status: 'todo' },
        { id: 4, status: 'in_progress' },
        { id: 5, status: 'todo' },
      ]);
      const summaries = await server.service.from('property_summaries').select('*').order('property_id');
      expect(summaries.data).toEqual([
        { property_id: 1, name: 'Maple House', task_count: 6, done_count: 1 },
        { property_id: 2, name: 'Lake Cabin', task_count: 2, done_count: 0 },
        { property_id: 3, name: 'City Flat', task_count: 2, done_count: 1 },
      ]);
      const usage = await server.anon.from('supply_usage').select('name,total_quantity').eq('supply_id', 3);
      expect(usage.data).toEqual([{ name: 'Boiler filter', total_quantity: 2 }]);
      const activity = await server.anon.from('activity').select('property_id,action').order('occurred_at');
      expect(activity.data).toEqual([
        { property_id: 1, action: 'task.created' },
        { property_id: 1, action: 'task.completed' },
        { property_id: 2, action: 'property.updated' },
      ]);
    });

    it('reads a view over a table of a schema that is not exposed', async () => {
      const { data } = await server.anon.from('contractors').select('*').order('id');
      expect(data).toEqual([
        { id: 1, person_id: 3, company_name: 'Plomberie Jo' },
        { id: 2, person_id: 4, company_name: 'Kim Électricité' },
      ]);
    });
  });

  describe('row-level security', () => {
    it('shows anon no property, each owner their own, and the service role all of them', async () => {
      const anon = await server.anon.from('properties').select('id');
      expect(anon).toMatchObject({ error: null, data: [], status: 200 });

      const alice = await server.homeowner.from('properties').select('id,name').order('id');
      expect(alice.data).toEqual([
        { id: 1, name: 'Maple House' },
        { id: 2, name: 'Lake Cabin' },
      ]);

      const bruno = await server.as({ role: 'authenticated', sub: '22222222-2222-4222-8222-222222222222' }).from('properties').select('id,name');
      expect(bruno.data).toEqual([{ id: 3, name: 'City Flat' }]);

      const service = await server.service.from('properties').select('id').order('id');
      expect(service.data).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    });

    it('filters embedded properties by RLS too', async () => {
      const { data } = await server.homeowner.from('tasks').select('id,properties(name)').in('id', [1, 9]).order('id');
      expect(data).toEqual([
        { id: 1, properties: { name: 'Maple House' } },
        { id: 9, properties: null },
      ]);
    });

    it('answers anon 401 with 42501 for a table it has no privilege on, which a signed-in role reads', async () => {
      const anon = await anonymousRequest(server, '/profiles');
      expectError(anon, 401, { code: '42501', details: null, hint: null, message: 'permission denied for table profiles' });
      expect(anon.headers['www-authenticate']).toBe('Bearer');

      const mine = await server.homeowner.from('profiles').select('id,display_name').eq('id', HOMEOWNER_SUB);
      expect(mine.data).toEqual([{ id: HOMEOWNER_SUB, display_name: 'Alice Martin' }]);
    });
  });

  describe('HEAD', () => {
    it('answers like GET without a body', async () => {
      const head = await request(server, '/maintenance_logs?select=id&order=id&limit=5&offset=5', {}, 'HEAD');
      expect(head.status).toBe(200);
      expect(head.text).toBe('');
      expect(head.headers['content-range']).toBe('5-9/*');
      expect(head.headers['content-type']).toBe('application/json; charset=utf-8');
    });

    it('ignores the Range header, which only GET reads', async () => {
      const head = await request(server, '/maintenance_logs?select=id', { Range: '0-4' }, 'HEAD');
      expect({ status: head.status, contentRange: head.headers['content-range'] }).toEqual({ status: 200, contentRange: '0-119/*' });
    });

    it('counts with postgrest-js head: true', async () => {
      const { data, count, error, status } = await server.service.from('maintenance_logs').select('*', { count: 'exact', head: true }).eq('task_id', 1);
      expect({ data, count, error, status }).toEqual({ data: null, count: 12, error: null, status: 200 });
    });
  });

  describe('schemas', () => {
    it('reads the first exposed schema by default and names it in Content-Profile', async () => {
      const response = await request(server, '/properties?select=id&order=id&limit=1');
      expect(response.headers['content-profile']).toBe('api');
      expect(rowsOf(response)).toEqual([{ id: 1 }]);
    });

    it('switches schema with Accept-Profile (postgrest-js .schema())', async () => {
      const { data, error } = await server.anon.schema('v2').from('properties').select('*').order('id');
      expect(error).toBeNull();
      expect(data).toEqual([
        { id: 1, label: 'Maple House', city: 'Lyon' },
        { id: 2, label: 'City Flat', city: 'Paris' },
      ]);
      const raw = await request(server, '/rooms?select=name&order=id', { 'Accept-Profile': 'v2' });
      expect(raw.headers['content-profile']).toBe('v2');
      expect(rowsOf(raw)).toEqual([{ name: 'Kitchen' }, { name: 'Garage' }, { name: 'Living room' }]);
    });

    it('reads with Accept-Profile only: Content-Profile is for writes', async () => {
      const response = await request(server, '/properties?select=id&order=id&limit=1', { 'Content-Profile': 'v2' });
      expect(response.headers['content-profile']).toBe('api');
      expect(rowsOf(response)).toEqual([{ id: 1 }]);
      const head = await request(server, '/rooms?select=id', { 'Accept-Profile': 'v2' }, 'HEAD');
      expect({ status: head.status, profile: head.headers['content-profile'] }).toEqual({ status: 200, profile: 'v2' });
    });

    it('does not find a table of one schema in another', async () => {
      const response = await request(server, '/rooms', { 'Accept-Profile': 'api' });
      expectError(response, 404, { code: 'PGRST205', details: null, hint: null, message: "Could not find the table 'api.rooms' in the schema cache" });
    });

    it('refuses a schema that is not exposed with 406 PGRST106', async () => {
      for (const schema of ['private', 'public']) {
        const response = await request(server, '/contractors', { 'Accept-Profile': schema });
        expectError(response, 406, {
          code: 'PGRST106',
          details: null,
          hint: null,
          message: 'The schema must be one of the following: api, v2',
        });
      }
      const client = await server.anon.schema('private').from('contractors').select('*');
      expect(client.status).toBe(406);
      expect(client.error).toEqual({ code: 'PGRST106', details: null, hint: null, message: 'The schema must be one of the following: api, v2' });
    });
  });

  describe('errors', () => {
    it('answers 404 PGRST205 for a missing table, with a hint when a table is close', async () => {
      expectError(await request(server, '/nothing_here'), 404, {
        code: 'PGRST205',
        details: null,
        hint: null,
        message: "Could not find the table 'api.nothing_here' in the schema cache",
      });
      const { error, status } = await server.anon.from('task').select('*');
      expect(status).toBe(404);
      expect(error).toEqual({
        code: 'PGRST205',
        details: null,
        hint: "Perhaps you meant the table 'api.tasks'",
        message: "Could not find the table 'api.task' in the schema cache",
      });
    });

    it('answers 400 with the Postgres error 42703 for a missing column in select, filters and order', async () => {
      const missing = { code: '42703', details: null, hint: null, message: 'column tasks.nope does not exist' };
      expectError(await request(server, '/tasks?select=id,nope'), 400, missing);
      expectError(await request(server, '/tasks?nope=eq.1'), 400, missing);
      expectError(await request(server, '/tasks?order=nope'), 400, missing);
      expectError(await request(server, '/tasks?select=nope->>a'), 400, missing);
    });

    it('passes Postgres hints through', async () => {
      const { error, status } = await server.anon.from('tasks').select('titl');
      expect(status).toBe(400);
      expect(error).toEqual({
        code: '42703',
        details: null,
        hint: 'Perhaps you meant to reference the column "tasks.title".',
        message: 'column tasks.titl does not exist',
      });
    });

    it('answers 400 PGRST100 for a JSON path it cannot parse, as PostgREST words it', async () => {
      expectError(await request(server, '/properties?select=details->>--34'), 400, {
        code: 'PGRST100',
        details: 'unexpected "-" expecting digit',
        hint: null,
        message: '"failed to parse select parameter (details->>--34)" (line 1, column 12)',
      });
      expectError(await request(server, '/properties?select=details->(heating'), 400, {
        code: 'PGRST100',
        details: 'unexpected "(" expecting "-", digit or any non reserved character different from: .,>()',
        hint: null,
        message: '"failed to parse select parameter (details->(heating)" (line 1, column 10)',
      });
    });

    it('answers 404 with 42883 for ->> followed by another arrow, as PostgREST does', async () => {
      expectError(await request(server, '/properties?select=details->>heating->1'), 404, {
        code: '42883',
        details: null,
        hint: 'No operator matches the given name and argument types. You might need to add explicit type casts.',
        message: 'operator does not exist: text -> integer',
      });
    });

    it('answers 400 PGRST100 for a select it cannot parse', async () => {
      const response = await request(server, '/tasks?select=id,title::');
      expect(response.status).toBe(400);
      const body = response.json() as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual(['code', 'details', 'hint', 'message']);
      expect(body).toMatchObject({ code: 'PGRST100', hint: null, message: '"failed to parse select parameter (id,title::)" (line 1, column 11)' });
      expect(body['details']).toBe('unexpected end of input expecting letter or digit');
      expectError(await request(server, '/tasks?select=id,'), 400, {
        code: 'PGRST100',
        details: 'unexpected end of input expecting "...", field name (* or [a..z0..9_$]), "*" or "count()"',
        hint: null,
        message: '"failed to parse select parameter (id,)" (line 1, column 4)',
      });
      expectError(await request(server, '/tasks?select=id,properties(name[])'), 400, {
        code: 'PGRST100',
        details: 'unexpected "[" expecting letter, digit, "-", "->>", "->", "::", ".", ")", "," or end of input',
        hint: null,
        message: '"failed to parse select parameter (id,properties(name[]))" (line 1, column 19)',
      });
    });
  });
});
