/**
 * Media type handling (docs.postgrest.org "Media Type Handling", "Tables and Views" ›
 * Singular or plural, CSV, Execution plan): JSON, the singular object (exactly one row, else
 * 406 PGRST116), stripped nulls, CSV, EXPLAIN output, choosing by Accept, and 406 PGRST107 for
 * what cannot be served.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConformanceServer, type ConformanceServer } from './harness.ts';
import { expectError, request } from './read-support.ts';

describe('media types', () => {
  let server: ConformanceServer;
  beforeAll(async () => {
    server = await startConformanceServer();
  });
  afterAll(() => server?.close());

  describe('JSON', () => {
    it('answers application/json by default, for */* and when asked', async () => {
      for (const accept of [undefined, '*/*', 'application/json', 'application/vnd.pgrst.array+json']) {
        const response = await request(server, '/people?select=id&id=eq.1', accept === undefined ? {} : { Accept: accept });
        expect({ accept, status: response.status, contentType: response.headers['content-type'], body: response.text }).toEqual({
          accept,
          status: 200,
          contentType: 'application/json; charset=utf-8',
          body: '[{"id":1}]',
        });
      }
    });
  });

  describe('application/vnd.pgrst.object+json', () => {
    it('answers one row as an object', async () => {
      const response = await request(server, '/tasks?select=id,title&id=eq.1', { Accept: 'application/vnd.pgrst.object+json' });
      expect({ status: response.status, contentType: response.headers['content-type'], body: response.json() }).toEqual({
        status: 200,
        contentType: 'application/vnd.pgrst.object+json; charset=utf-8',
        body: { id: 1, title: 'Clean dishwasher filter' },
      });
      const alias = await request(server, '/people?select=name&id=eq.2', { Accept: 'application/vnd.pgrst.object' });
      expect({ contentType: alias.headers['content-type'], body: alias.json() }).toEqual({
        contentType: 'application/vnd.pgrst.object+json; charset=utf-8',
        body: { name: 'Sam Martin' },
      });
    });

    it('is what postgrest-js single() asks for', async () => {
      const { data, error, status } = await server.service.from('tasks').select('id,status').eq('id', 4).single();
      expect({ data, error, status }).toEqual({ data: { id: 4, status: 'in_progress' }, error: null, status: 200 });
    });

    it('answers 406 PGRST116 for several rows or none', async () => {
      expectError(await request(server, '/tasks?select=id&id=lt.3', { Accept: 'application/vnd.pgrst.object+json' }), 406, {
        code: 'PGRST116',
        details: 'The result contains 2 rows',
        hint: null,
        message: 'JSON object requested, multiple (or no) rows returned',
      });
      const none = await server.service.from('tasks').select('id').eq('id', 999).single();
      expect({ status: none.status, data: none.data, error: none.error }).toEqual({
        status: 406,
        data: null,
        error: { code: 'PGRST116', details: 'The result contains 0 rows', hint: null, message: 'JSON object requested, multiple (or no) rows returned' },
      });
    });

    it('maybeSingle() reads zero or one row', async () => {
      const none = await server.service.from('tasks').select('id').eq('id', 999).maybeSingle();
      expect({ data: none.data, error: none.error }).toEqual({ data: null, error: null });
      const one = await server.service.from('tasks').select('id').eq('id', 9).maybeSingle();
      expect(one.data).toEqual({ id: 9 });
    });
  });

  describe('nulls=stripped', () => {
    it('drops null members of each object of an array', async () => {
      const response = await request(server, '/tasks?select=id,assigned_to,labels&id=in.(3,10)&order=id', {
        Accept: 'application/vnd.pgrst.array+json;nulls=stripped',
      });
      expect({ contentType: response.headers['content-type'], body: response.json() }).toEqual({
        contentType: 'application/vnd.pgrst.array+json;nulls=stripped; charset=utf-8',
        body: [{ id: 3, labels: ['heating', 'contractor'] }, { id: 10 }],
      });
      const { data } = await server.service.from('people').select('id,phone').eq('id', 5).stripNulls();
      expect(data).toEqual([{ id: 5 }]);
    });

    it('drops null members of a singular object', async () => {
      const response = await request(server, '/tasks?select=id,assigned_to,due_on&id=eq.10', {
        Accept: 'application/vnd.pgrst.object+json;nulls=stripped',
      });
      expect({ contentType: response.headers['content-type'], body: response.text }).toEqual({
        contentType: 'application/vnd.pgrst.object+json;nulls=stripped; charset=utf-8',
        body: '{"id":10}',
      });
    });
  });

  describe('text/csv', () => {
    it('answers a header row and one line per row, quoting as Postgres writes records', async () => {
      const response = await request(server, '/tasks?select=id,title,labels,due_on,estimated_minutes&id=in.(1,10)&order=id', { Accept: 'text/csv' });
      expect({ status: response.status, contentType: response.headers['content-type'], body: response.text }).toEqual({
        status: 200,
        contentType: 'text/csv; charset=utf-8',
        body: 'id,title,labels,due_on,estimated_minutes\n1,"Clean dishwasher filter","{kitchen,monthly}",2024-07-01,15\n10,"Reseal bathroom",,,180',
      });
    });

    it('doubles quotes inside values and quotes values with commas', async () => {
      const { data, error } = await server.service.from('properties').select('name,address,details').in('id', [1, 3]).order('id').csv();
      expect(error).toBeNull();
      expect(data).toBe(
        'name,address,details\n' +
          '"Maple House","12 Maple Street, Lyon","{""floors"": 2, ""heating"": ""gas""}"\n' +
          '"City Flat","5 Rue Centrale, Paris","{""floor"": 4, ""heating"": ""district""}"',
      );
    });

    it('keeps Content-Range and the count', async () => {
      const response = await request(server, '/maintenance_logs?select=id,task_id&order=id&limit=2', { Accept: 'text/csv', Prefer: 'count=exact' });
      expect({ status: response.status, contentRange: response.headers['content-range'], body: response.text }).toEqual({
        status: 206,
        contentRange: '0-1/120',
        body: 'id,task_id\n1,1\n2,2',
      });
    });

    it('answers only a line break when no row matches', async () => {
      const response = await request(server, '/tasks?select=id&id=eq.999', { Accept: 'text/csv' });
      expect({ status: response.status, body: response.text }).toEqual({ status: 200, body: '\n' });
    });
  });

  describe('choosing by Accept', () => {
    it('takes the first type it can produce, by quality then order', async () => {
      const cases: Array<[string, string]> = [
        ['text/csv;q=0.5, application/json', 'application/json; charset=utf-8'],
        ['application/xml, text/csv', 'text/csv; charset=utf-8'],
        ['text/html;q=0.9, application/vnd.pgrst.object+json;q=0.8, text/csv;q=0.1', 'application/vnd.pgrst.object+json; charset=utf-8'],
        ['text/plain, */*;q=0.1', 'application/json; charset=utf-8'],
      ];
      for (const [accept, contentType] of cases) {
        const response = await request(server, '/people?select=id&id=eq.1', { Accept: accept });
        expect({ accept, status: response.status, contentType: response.headers['content-type'] }).toEqual({ accept, status: 200, contentType });
      }
    });

    it('answers 406 PGRST107 naming what was asked for when it can produce none of it', async () => {
      expectError(await request(server, '/tasks?id=eq.1', { Accept: 'application/xml' }), 406, {
        code: 'PGRST107',
        details: null,
        hint: null,
        message: 'None of these media types are available: application/xml',
      });
      expectError(await request(server, '/tasks?id=eq.1', { Accept: 'text/html, image/png' }), 406, {
        code: 'PGRST107',
        details: null,
        hint: null,
        message: 'None of these media types are available: text/html, image/png',
      });
    });
  });

  describe('application/vnd.pgrst.plan (db-plan-enabled)', () => {
    it('answers the EXPLAIN of the read as text by default', async () => {
      const response = await request(server, '/tasks?select=id,properties(name)&id=eq.1', { Accept: 'application/vnd.pgrst.plan' });
      expect({ status: response.status, contentType: response.headers['content-type'] }).toEqual({
        status: 200,
        contentType: 'application/vnd.pgrst.plan+text; for="application/json"; charset=utf-8',
      });
      expect(response.text).toMatch(/^Aggregate {2}\(cost=/);
    });

    it('answers it as JSON with +json, and runs it with options=analyze', async () => {
      const response = await request(server, '/maintenance_logs?task_id=eq.3', { Accept: 'application/vnd.pgrst.plan+json' });
      expect({ status: response.status, contentType: response.headers['content-type'] }).toEqual({
        status: 200,
        contentType: 'application/vnd.pgrst.plan+json; for="application/json"; charset=utf-8',
      });
      const [plan] = response.json() as Array<{ Plan: Record<string, unknown> }>;
      expect(plan?.Plan).toMatchObject({ 'Node Type': 'Aggregate', 'Total Cost': expect.any(Number) });
      expect(plan?.Plan).not.toHaveProperty('Actual Rows');

      const { data, error } = await server.service.from('maintenance_logs').select('id').eq('task_id', 3).explain({ analyze: true, format: 'json' });
      expect(error).toBeNull();
      const [analyzed] = data as unknown as Array<{ Plan: Record<string, unknown> }>;
      expect(analyzed?.Plan).toMatchObject({ 'Node Type': 'Aggregate', 'Actual Rows': 1 });
    });

    it('names what it explains and the options in Content-Type, as PostgREST does', async () => {
      const response = await request(server, '/tasks?id=eq.1', { Accept: 'application/vnd.pgrst.plan+json; for="application/vnd.pgrst.object"; options=verbose|analyze' });
      expect(response.headers['content-type']).toBe('application/vnd.pgrst.plan+json; for="application/vnd.pgrst.object+json"; options=analyze|verbose; charset=utf-8');
    });
  });
});
