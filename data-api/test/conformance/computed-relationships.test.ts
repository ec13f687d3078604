/**
 * Computed relationships (PostgREST ≥ 10, "Computed Relationships"): a function taking a row of
 * one relation and returning rows of another is embedded like a foreign key — to-one with
 * `rows 1` or without `setof`, to-many otherwise — with aliases, `!inner`, filters, order,
 * spreads, counts, RPC and writes, and it overrides a foreign key relationship of the same name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken, startConformanceServer, type ConformanceServer } from './harness.ts';
import { bearer } from './http.ts';

const FUNCTIONS = `
create function api.home(api.tasks) returns setof api.properties rows 1 language sql stable as $$
  select * from api.properties where id = $1.property_id
$$;
create function api.home_noset(api.tasks) returns api.properties language sql stable as $$
  select * from api.properties where id = $1.property_id
$$;
create function api.open_items(api.properties) returns setof api.tasks language sql stable as $$
  select * from api.tasks where property_id = $1.id and status <> 'done'
$$;
-- named like the foreign key's target: replaces that relationship (here by one that finds nothing)
create function api.properties(api.tasks) returns setof api.properties rows 1 language sql stable as $$
  select * from api.properties where false
$$;
-- overloaded for two tables
create function api.neighbours(api.tasks) returns setof api.tasks language sql stable as $$
  select * from api.tasks where property_id = $1.property_id and id <> $1.id
$$;
create function api.neighbours(api.zones) returns setof api.zones language sql stable as $$
  select * from api.zones where property_id = $1.property_id and id <> $1.id
$$;
create function api.tasks_of(property integer) returns setof api.tasks language sql stable as $$
  select * from api.tasks where property_id = property
$$;
`;

describe('computed relationships', () => {
  let server: ConformanceServer;
  let auth: Record<string, string>;
  beforeAll(async () => {
    server = await startConformanceServer({ extraSql: FUNCTIONS });
    auth = bearer(signToken({ role: 'service_role' }));
  });
  afterAll(() => server?.close());

  const get = (path: string, headers: Record<string, string> = {}) => server.fetch(path, { headers: { ...auth, ...headers } });

  it('embeds a to-one relationship (setof … rows 1, or no setof) as an object', async () => {
    const { data, error } = await server.service.from('tasks').select('title,place:home(name)').in('id', [1, 7]).order('id');
    expect(error).toBeNull();
    expect(data).toEqual([
      { title: 'Clean dishwasher filter', place: { name: 'Maple House' } },
      { title: 'Sweep chimney', place: { name: 'Lake Cabin' } },
    ]);
    expect((await server.service.from('tasks').select('id,home_noset(name)').eq('id', 9)).data).toEqual([{ id: 9, home_noset: { name: 'City Flat' } }]);
  });

  it('embeds a to-many relationship as an array, filtered, ordered and limited inside', async () => {
    const { data } = await server.service
      .from('properties')
      .select('name,open_items(id)')
      .in('id', [2, 3])
      .order('id')
      .order('id', { referencedTable: 'open_items', ascending: false });
    expect(data).toEqual([
      { name: 'Lake Cabin', open_items: [{ id: 8 }, { id: 7 }] },
      { name: 'City Flat', open_items: [{ id: 10 }] },
    ]);
    expect((await server.service.from('properties').select('id,open_items(id)').eq('id', 1).eq('open_items.priority', 1).order('id', { referencedTable: 'open_items' })).data).toEqual([
      { id: 1, open_items: [{ id: 3 }, { id: 5 }] },
    ]);
  });

  it('works with !inner, embedded filters and count=exact', async () => {
    const response = await get('/tasks?select=id,home!inner(name)&home.name=eq.City%20Flat&order=id', { Prefer: 'count=exact' });
    expect(response.headers.get('content-range')).toBe('0-1/2');
    expect(await response.json()).toEqual([
      { id: 9, home: { name: 'City Flat' } },
      { id: 10, home: { name: 'City Flat' } },
    ]);
    expect(await (await get('/properties?select=id,open_items()&open_items=is.null')).json()).toEqual([]);
  });

  it('orders by a column of a to-one computed relationship, and spreads it', async () => {
    const { data } = await server.service.from('tasks').select('id,home(name)').in('id', [1, 7, 9]).order('home(name)', { ascending: true });
    expect(data).toEqual([
      { id: 9, home: { name: 'City Flat' } },
      { id: 7, home: { name: 'Lake Cabin' } },
      { id: 1, home: { name: 'Maple House' } },
    ]);
    expect(await (await get('/tasks?select=id,...home(home_name:name)&id=in.(1,9)&order=id')).json()).toEqual([
      { id: 1, home_name: 'Maple House' },
      { id: 9, home_name: 'City Flat' },
    ]);
    // a to-many one spreads as arrays (PostgREST 13)
    expect(await (await get('/properties?select=id,...open_items(item:id)&id=eq.3')).json()).toEqual([{ id: 3, item: [10] }]);
  });

  it('overrides the foreign key relationship of the same name', async () => {
    expect(await (await get('/tasks?select=id,properties!inner(name)')).json()).toEqual([]);
    expect(await (await get('/tasks?select=id,properties(name)&id=eq.1')).json()).toEqual([{ id: 1, properties: null }]);
  });

  it('picks the overload of the embedding table', async () => {
    expect(await (await get('/tasks?select=id,neighbours(id)&id=eq.7')).json()).toEqual([{ id: 7, neighbours: [{ id: 8 }] }]);
    expect(await (await get('/zones?select=id,neighbours(id)&id=eq.1&neighbours.order=id&neighbours.limit=2')).json()).toEqual([
      { id: 1, neighbours: [{ id: 2 }, { id: 3 }] },
    ]);
  });

  it('embeds from the rows of a function call (RPC)', async () => {
    expect(await (await get('/rpc/tasks_of?property=3&select=id,home(name),neighbours(id)&order=id')).json()).toEqual([
      { id: 9, home: { name: 'City Flat' }, neighbours: [{ id: 10 }] },
      { id: 10, home: { name: 'City Flat' }, neighbours: [{ id: 9 }] },
    ]);
  });

  it('embeds from written rows', async () => {
    const { data, error } = await server.service
      .from('tasks')
      .update({ priority: 2 })
      .eq('id', 10)
      .select('title,home(name)');
    expect(error).toBeNull();
    expect(data).toEqual([{ title: 'Reseal bathroom', home: { name: 'City Flat' } }]);
  });
});
