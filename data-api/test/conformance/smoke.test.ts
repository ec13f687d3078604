import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConformanceServer, type ConformanceServer } from './harness.ts';

describe.each([{ throughPgBouncer: false }, { throughPgBouncer: true }])('the harness (PgBouncer: $throughPgBouncer)', (options) => {
  let server: ConformanceServer;
  beforeAll(async () => {
    server = await startConformanceServer(options);
  });
  afterAll(() => server?.close());

  it('serves the fixture to postgrest-js, with RLS deciding what each caller sees', async () => {
    const anon = await server.anon.from('properties').select('id');
    expect(anon.error).toBeNull();
    expect(anon.data).toEqual([]);
    const mine = await server.homeowner.from('properties').select('id,name').order('id').limit(2);
    expect(mine.error).toBeNull();
    expect(mine.data).toEqual([
      { id: 1, name: 'Maple House' },
      { id: 2, name: 'Lake Cabin' },
    ]);
  });
});
