/**
 * Ordering, pagination and counts (docs.postgrest.org "Tables and Views" › Ordering,
 * "Pagination and Count"): order keys, limit/offset, the Range header, Content-Range with 200,
 * 206 and 416, `Prefer: count=exact|planned|estimated`. Run directly and through PgBouncer
 * (db-max-rows is in settings.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConformanceServer, type ConformanceServer } from './harness.ts';
import { expectError, request, rowsOf, type RawResponse } from './read-support.ts';

/** The logs' ids as the Content-Range and status describe them. */
function page(response: RawResponse): { status: number; contentRange: string | undefined; ids: number[] } {
  const ids = (rowsOf(response, response.status) as Array<{ id: number }>).map((row) => row.id);
  return { status: response.status, contentRange: response.headers['content-range'], ids };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => from + index);

describe.each([{ throughPgBouncer: false }, { throughPgBouncer: true }])('ordering, paging and counting (PgBouncer: $throughPgBouncer)', (options) => {
  let server: ConformanceServer;
  beforeAll(async () => {
    // statistics, so that the planner's estimate of the logs is their exact number
    server = await startConformanceServer({ ...options, extraSql: 'analyze api.maintenance_logs' });
  });
  afterAll(() => server?.close());

  describe('order', () => {
    it('sorts ascending by default, or descending', async () => {
      const asc = await server.service.from('supplies').select('name').order('unit_price');
      expect(asc.data).toEqual([{ name: 'Dishwasher salt' }, { name: '9V battery' }, { name: 'Boiler filter' }, { name: 'Fridge water filter' }, { name: 'Chimney brush' }]);
      const desc = await server.service.from('supplies').select('name').order('unit_price', { ascending: false }).limit(2);
      expect(desc.data).toEqual([{ name: 'Chimney brush' }, { name: 'Fridge water filter' }]);
    });

    it('puts nulls first or last as asked, last by default ascending and first descending', async () => {
      const nullsLastDefault = rowsOf(await request(server, '/tasks?select=id,due_on&order=due_on.asc&offset=8'));
      expect(nullsLastDefault).toEqual([
        { id: 8, due_on: '2024-11-01' },
        { id: 10, due_on: null },
      ]);
      const nullsFirstDefault = rowsOf(await request(server, '/tasks?select=id,due_on&order=due_on.desc&limit=2'));
      expect(nullsFirstDefault).toEqual([
        { id: 10, due_on: null },
        { id: 8, due_on: '2024-11-01' },
      ]);
      const { data } = await server.service.from('tasks').select('id,due_on').order('due_on', { ascending: true, nullsFirst: true }).limit(2);
      expect(data).toEqual([
        { id: 10, due_on: null },
        { id: 9, due_on: '2024-01-20' },
      ]);
      const last = rowsOf(await request(server, '/tasks?select=id&order=due_on.desc.nullslast&limit=1'));
      expect(last).toEqual([{ id: 8 }]);
    });

    it('sorts by several keys', async () => {
      const { data } = await server.service.from('tasks').select('id,priority,due_on').order('priority', { ascending: false }).order('due_on').limit(4);
      expect(data).toEqual([
        { id: 6, priority: 4, due_on: '2024-04-01' },
        { id: 10, priority: 4, due_on: null },
        { id: 9, priority: 3, due_on: '2024-01-20' },
        { id: 1, priority: 3, due_on: '2024-07-01' },
      ]);
      expect(rowsOf(await request(server, '/tasks?select=id&order=status.desc,priority.asc,id.desc&limit=4'))).toEqual([{ id: 6 }, { id: 2 }, { id: 9 }, { id: 4 }]);
    });

    it('sorts by JSON paths', async () => {
      const { data } = await server.service.from('properties').select('name').order('details->>heating');
      expect(data).toEqual([{ name: 'City Flat' }, { name: 'Maple House' }, { name: 'Lake Cabin' }]);
      expect(rowsOf(await request(server, '/assets?select=name&specs->kw=not.is.null&order=specs->kw.desc'))).toEqual([{ name: 'Gas boiler' }, { name: 'Wood stove' }]);
    });

    it('answers 400 PGRST100 for an order it cannot parse', async () => {
      expectError(await request(server, '/tasks?order=id.sideways'), 400, {
        code: 'PGRST100',
        details: 'unexpected "s" expecting "asc", "desc", "nullsfirst" or "nullslast"',
        hint: null,
        message: '"failed to parse order (id.sideways)" (line 1, column 4)',
      });
      expectError(await request(server, '/tasks?order=id.desc.nullslastt'), 400, {
        code: 'PGRST100',
        details: 'unexpected "t" expecting "," or end of input',
        hint: null,
        message: '"failed to parse order (id.desc.nullslastt)" (line 1, column 18)',
      });
    });
  });

  describe('limit and offset', () => {
    it('limit and offset pick the page and Content-Range names it', async () => {
      expect(page(await request(server, '/maintenance_logs?select=id&order=id&limit=3&offset=10'))).toEqual({ status: 200, contentRange: '10-12/*', ids: [11, 12, 13] });
      const { data } = await server.service.from('maintenance_logs').select('id').order('id').range(20, 24);
      expect(data).toEqual(range(21, 25).map((id) => ({ id })));
    });

    it('a page past the end is empty, and limit=0 returns nothing', async () => {
      expect(page(await request(server, '/maintenance_logs?select=id&order=id&offset=500'))).toEqual({ status: 200, contentRange: '*/*', ids: [] });
      expect(page(await request(server, '/maintenance_logs?select=id&limit=0'))).toEqual({ status: 200, contentRange: '*/*', ids: [] });
    });

    it('answers 416 PGRST103 for a negative limit', async () => {
      expectError(await request(server, '/maintenance_logs?limit=-1'), 416, {
        code: 'PGRST103',
        details: 'Limit should be greater than or equal to zero.',
        hint: null,
        message: 'Requested range not satisfiable',
      });
    });
  });

  describe('Range header', () => {
    it('Range: first-last pages like limit/offset, with or without Range-Unit', async () => {
      expect(page(await request(server, '/maintenance_logs?select=id&order=id', { Range: '0-4' }))).toEqual({ status: 200, contentRange: '0-4/*', ids: range(1, 5) });
      expect(page(await request(server, '/maintenance_logs?select=id&order=id', { Range: '5-6', 'Range-Unit': 'items' }))).toEqual({
        status: 200,
        contentRange: '5-6/*',
        ids: [6, 7],
      });
    });

    it('Range: first- reads to the end', async () => {
      expect(page(await request(server, '/maintenance_logs?select=id&order=id', { Range: '115-' }))).toEqual({ status: 200, contentRange: '115-119/*', ids: range(116, 120) });
    });

    it('the Range header and limit/offset intersect', async () => {
      expect(page(await request(server, '/maintenance_logs?select=id&order=id&limit=3', { Range: '0-1' }))).toEqual({ status: 200, contentRange: '0-1/*', ids: [1, 2] });
      expect(page(await request(server, '/maintenance_logs?select=id&order=id&limit=3&offset=2', { Range: '0-9' }))).toEqual({ status: 200, contentRange: '2-4/*', ids: [3, 4, 5] });
    });

    it('answers 416 PGRST103 when the first item is after the last', async () => {
      expectError(await request(server, '/maintenance_logs?select=id', { Range: '5-2' }), 416, {
        code: 'PGRST103',
        details: 'The lower boundary must be lower than or equal to the upper boundary in the Range header.',
        hint: null,
        message: 'Requested range not satisfiable',
      });
    });
  });

  describe('Prefer: count', () => {
    it('count=exact gives the total: 206 for a part, 200 for the whole', async () => {
      const part = await request(server, '/maintenance_logs?select=id&order=id', { Range: '0-4', Prefer: 'count=exact' });
      expect(page(part)).toEqual({ status: 206, contentRange: '0-4/120', ids: range(1, 5) });
      const whole = await request(server, '/tasks?select=id&order=id', { Prefer: 'count=exact' });
      expect(page(whole)).toEqual({ status: 200, contentRange: '0-9/10', ids: range(1, 10) });
    });

    it('count=exact counts the filtered rows, not the page', async () => {
      const { data, count, status } = await server.service.from('maintenance_logs').select('id', { count: 'exact' }).eq('task_id', 3).order('id').range(0, 2);
      expect({ data, count, status }).toEqual({ data: [{ id: 3 }, { id: 13 }, { id: 23 }], count: 12, status: 206 });
    });

    it('counts only the parents that an !inner embed keeps', async () => {
      const response = await request(server, '/properties?select=id,tasks!inner(id)&tasks.status=eq.done&order=id', { Prefer: 'count=exact' });
      expect(response.headers['content-range']).toBe('0-1/2');
    });

    it('count=exact with no rows gives */0, and an empty page gives */total', async () => {
      expect(page(await request(server, '/maintenance_logs?select=id&id=gt.1000', { Prefer: 'count=exact' }))).toEqual({ status: 200, contentRange: '*/0', ids: [] });
      expect(page(await request(server, '/maintenance_logs?select=id&limit=0', { Prefer: 'count=exact' }))).toEqual({ status: 206, contentRange: '*/120', ids: [] });
    });

    it('answers 416 with the total when the offset is past the last row', async () => {
      const response = await request(server, '/maintenance_logs?select=id&offset=200', { Prefer: 'count=exact' });
      expectError(response, 416, {
        code: 'PGRST103',
        details: 'An offset of 200 was requested, but there are only 120 rows.',
        hint: null,
        message: 'Requested range not satisfiable',
      });
      expect(response.headers['content-range']).toBe('*/120');
      const header = await request(server, '/tasks?select=id', { Range: '11-19', Prefer: 'count=exact' });
      expectError(header, 416, {
        code: 'PGRST103',
        details: 'An offset of 11 was requested, but there are only 10 rows.',
        hint: null,
        message: 'Requested range not satisfiable',
      });
    });

    it('an offset equal to the total is an empty 206, as in PostgREST (only an offset past it is a 416)', async () => {
      expect(page(await request(server, '/tasks?select=id', { Range: '10-19', Prefer: 'count=exact' }))).toEqual({ status: 206, contentRange: '*/10', ids: [] });
    });

    it("count=planned gives the planner's estimate", async () => {
      const part = await request(server, '/maintenance_logs?select=id&order=id', { Range: '0-4', Prefer: 'count=planned' });
      expect(page(part)).toEqual({ status: 206, contentRange: '0-4/120', ids: range(1, 5) });
      const { count } = await server.service.from('maintenance_logs').select('*', { count: 'planned', head: true });
      expect(count).toBe(120);
    });

    it('count=estimated is exact below db-max-rows (unset here)', async () => {
      const { count, data } = await server.service.from('maintenance_logs').select('id', { count: 'estimated' }).order('id').limit(2);
      expect({ count, data }).toEqual({ count: 120, data: [{ id: 1 }, { id: 2 }] });
    });

    it('HEAD reports the count without a body', async () => {
      const head = await request(server, '/maintenance_logs?limit=10&offset=30', { Prefer: 'count=exact' }, 'HEAD');
      expect({ status: head.status, contentRange: head.headers['content-range'], body: head.text }).toEqual({ status: 206, contentRange: '30-39/120', body: '' });
    });
  });
});
