/**
 * Aggregate functions (docs.postgrest.org "Aggregate Functions"): count() alone and per column,
 * sum/avg/min/max, grouping by the other selected columns, aliases and casts, aggregates in
 * embeds and through spreads (PGRST123 when db-aggregates-enabled is off: settings.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConformanceServer, type ConformanceServer } from './harness.ts';
import { expectError, request, rowsOf } from './read-support.ts';

describe('aggregate functions (db-aggregates-enabled)', () => {
  let server: ConformanceServer;
  beforeAll(async () => {
    server = await startConformanceServer();
  });
  afterAll(() => server?.close());

  it('count() counts the filtered rows', async () => {
    const { data } = await server.service.from('maintenance_logs').select('count()');
    expect(data).toEqual([{ count: 120 }]);
    expect(rowsOf(await request(server, '/maintenance_logs?select=count()&task_id=eq.2'))).toEqual([{ count: 12 }]);
  });

  it('sum, avg, max and min over the whole table, named after the function', async () => {
    const rows = rowsOf(await request(server, '/maintenance_logs?select=cost.sum(),minutes.avg(),cost.max(),performed_on.min()'));
    expect(rows).toEqual([{ sum: 11250, avg: 29.75, max: 197.5, min: '2023-01-04' }]);
  });

  it('count of a column skips nulls', async () => {
    const raw = await request(server, '/tasks?select=assigned_to.count(),due_on.count(),count()');
    expect(raw.text).toBe('[{"count":7,"count":9,"count":10}]');
  });

  it('groups by the other selected columns', async () => {
    const { data } = await server.service.from('tasks').select('status,count()').order('status');
    expect(data).toEqual([
      { status: 'todo', count: 6 },
      { status: 'in_progress', count: 1 },
      { status: 'done', count: 2 },
      { status: 'skipped', count: 1 },
    ]);
    expect(rowsOf(await request(server, '/maintenance_logs?select=task_id,logs:count(),total:cost.sum()&task_id=lte.3&order=task_id'))).toEqual([
      { task_id: 1, logs: 12, total: 1040 },
      { task_id: 2, logs: 12, total: 1130 },
      { task_id: 3, logs: 12, total: 1220 },
    ]);
  });

  it('casts the input and the result', async () => {
    const { data } = await server.service.from('tasks').select('priority,minutes:estimated_minutes.sum()::text').order('priority');
    expect(data).toEqual([
      { priority: 1, minutes: '140' },
      { priority: 2, minutes: '40' },
      { priority: 3, minutes: '95' },
      { priority: 4, minutes: '300' },
    ]);
    expect(rowsOf(await request(server, '/maintenance_logs?select=cost::int.max(),n:count()::text&task_id=eq.1'))).toEqual([{ max: 183, n: '12' }]);
  });

  it('aggregates the rows of an embed per parent', async () => {
    const { data } = await server.service.from('properties').select('name,tasks(count())').order('id');
    expect(data).toEqual([
      { name: 'Maple House', tasks: [{ count: 6 }] },
      { name: 'Lake Cabin', tasks: [{ count: 2 }] },
      { name: 'City Flat', tasks: [{ count: 2 }] },
    ]);
    expect(rowsOf(await request(server, '/properties?select=name,tasks(status,count())&id=eq.2'))).toEqual([{ name: 'Lake Cabin', tasks: [{ status: 'todo', count: 2 }] }]);
  });

  it('groups by the columns of a spread to-one embed', async () => {
    const { data } = await server.service.from('tasks').select('count(),...properties(name)').order('properties(name)');
    expect(data).toEqual([
      { count: 2, name: 'City Flat' },
      { count: 2, name: 'Lake Cabin' },
      { count: 6, name: 'Maple House' },
    ]);
  });

  it('applies aggregates written inside a spread in the parent', async () => {
    expect(rowsOf(await request(server, '/maintenance_logs?select=task_id,...tasks(estimate:estimated_minutes.max())&task_id=in.(1,3)&order=task_id'))).toEqual([
      { task_id: 1, estimate: 15 },
      { task_id: 3, estimate: 90 },
    ]);
  });

  it('answers with the Postgres error for an aggregate Postgres cannot apply (42883 is a 404 in PostgREST)', async () => {
    expectError(await request(server, '/tasks?select=title.sum()'), 404, {
      code: '42883',
      details: null,
      hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
      message: 'function sum(text) does not exist',
    });
  });
});
