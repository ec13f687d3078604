/**
 * Server settings that change reads, on one server: db-max-rows ("Pagination and Count" ›
 * Limits), db-aggregates-enabled off ("Aggregate Functions": PGRST123) and db-plan-enabled
 * off ("Media Type Handling" › Execution plan: no plan media type).
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

describe('db-max-rows=5, db-aggregates-enabled=false, db-plan-enabled=false', () => {
  let server: ConformanceServer;
  beforeAll(async () => {
    server = await startConformanceServer({
      env: { PGRST_DB_MAX_ROWS: '5', PGRST_DB_AGGREGATES_ENABLED: 'false', PGRST_DB_PLAN_ENABLED: 'false' },
      // statistics, so that the planner's estimate of the logs is their exact number
      extraSql: 'analyze api.maintenance_logs',
    });
  });
  afterAll(() => server?.close());

  describe('db-max-rows', () => {
    it('caps an unlimited read', async () => {
      expect(page(await request(server, '/maintenance_logs?select=id&order=id'))).toEqual({ status: 200, contentRange: '0-4/*', ids: range(1, 5) });
    });

    it('caps a larger limit and keeps a smaller one', async () => {
      expect(page(await request(server, '/maintenance_logs?select=id&order=id&limit=50&offset=10'))).toEqual({
        status: 200,
        contentRange: '10-14/*',
        ids: range(11, 15),
      });
      expect(page(await request(server, '/maintenance_logs?select=id&order=id&limit=2'))).toEqual({ status: 200, contentRange: '0-1/*', ids: [1, 2] });
    });

    it('caps the Range header', async () => {
      expect(page(await request(server, '/maintenance_logs?select=id&order=id', { Range: '0-99' }))).toEqual({ status: 200, contentRange: '0-4/*', ids: range(1, 5) });
    });

    it('reports the exact total beside the capped page with 206', async () => {
      const { data, count, status } = await server.service.from('maintenance_logs').select('id', { count: 'exact' }).order('id');
      expect({ count, status, rows: data?.length }).toEqual({ count: 120, status: 206, rows: 5 });
    });

    it('counts exactly with count=estimated when the total fits under the cap', async () => {
      const { count, status } = await server.service.from('property_settings').select('*', { count: 'estimated' });
      expect({ count, status }).toEqual({ count: 2, status: 200 });
    });

    it('estimates with the planner when the total passes the cap (count=estimated)', async () => {
      const response = await request(server, '/maintenance_logs?select=id&order=id', { Prefer: 'count=estimated' });
      expect(page(response)).toEqual({ status: 206, contentRange: '0-4/120', ids: range(1, 5) });
    });

    it('caps embedded rows too', async () => {
      const { data } = await server.service.from('properties').select('id,zones(id)').eq('id', 1).order('id', { referencedTable: 'zones' });
      expect(data).toEqual([{ id: 1, zones: range(1, 5).map((id) => ({ id })) }]);
    });
  });

  describe('db-aggregates-enabled=false', () => {
    it('answers 400 PGRST123 for any aggregate, at any level', async () => {
      const disabled = { code: 'PGRST123', details: null, hint: null, message: 'Use of aggregate functions is not allowed' };
      expectError(await request(server, '/tasks?select=count()'), 400, disabled);
      expectError(await request(server, '/tasks?select=priority.max()'), 400, disabled);
      expectError(await request(server, '/properties?select=name,tasks(count())'), 400, disabled);
      const { error, status } = await server.service.from('maintenance_logs').select('cost.sum()');
      expect({ error, status }).toEqual({ error: disabled, status: 400 });
    });

    it('still reads columns named like aggregates', async () => {
      expect(rowsOf(await request(server, '/supply_usage?select=name,total_quantity&supply_id=eq.1'))).toEqual([{ name: 'Dishwasher salt', total_quantity: 2 }]);
    });
  });

  describe('db-plan-enabled=false', () => {
    it('answers 406 PGRST107 for a plan', async () => {
      expectError(await request(server, '/tasks', { Accept: 'application/vnd.pgrst.plan+json' }), 406, {
        code: 'PGRST107',
        details: null,
        hint: null,
        message: 'None of these media types are available: application/vnd.pgrst.plan+json',
      });
    });
  });
});
