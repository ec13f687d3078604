/**
 * The read statements against a real Postgres: each embedding kind, filters, order, paging,
 * counts, aggregates and the CSV/singular/plan bodies, checked on the bodies Postgres builds.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase } from '@launchdb/testkit/databases';
import { PgrstError } from '../errors.ts';
import type { ApiRequest } from '../request/types.ts';
import type { PlanContext } from '../plan/context.ts';
import { needsPlannedCount, plannedRows, totalCount } from '../plan/count.ts';
import { buildReadPlan } from '../plan/read-plan.ts';
import {
  DDL,
  accept,
  embed,
  field,
  filter,
  leaf,
  or,
  order,
  readRequest,
  star,
  testCache,
} from '../plan/read-plan.test-support.ts';
import { render } from './fragment.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let client: pg.Client;
const cache = testCache();
const defaults: PlanContext = { maxRows: undefined, aggregatesEnabled: true, planEnabled: true };

beforeAll(async () => {
  database = await createTestDatabase('read_query');
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
  await client.query(DDL);
});

afterAll(async () => {
  await client?.end();
  await database?.drop();
});

interface ReadResult {
  body: string | null;
  pageTotal: number;
  total: number | null;
}

async function read(request: ApiRequest, context: PlanContext = defaults): Promise<ReadResult> {
  const plan = buildReadPlan(request, cache, context);
  const { text, values } = render(plan.statement);
  const { rows } = await client.query<{ body: string | null; page_total: string; total_result_set: string | null; location: string | null }>(text, values);
  expect(rows).toHaveLength(1);
  const row = rows[0]!;
  expect(Object.keys(row)).toEqual(['body', 'page_total', 'total_result_set', 'response_headers', 'response_status', 'location']);
  let total = row.total_result_set === null ? null : Number(row.total_result_set);
  if (needsPlannedCount(plan.count, total, context.maxRows) && plan.countPlanStatement) {
    const explained = render(plan.countPlanStatement);
    const result = await client.query<{ 'QUERY PLAN': unknown }>(explained.text, explained.values);
    total = totalCount(plan.count, total, plannedRows(result.rows[0]?.['QUERY PLAN']));
  }
  return { body: row.body, pageTotal: Number(row.page_total), total };
}

async function json(request: ApiRequest, context?: PlanContext): Promise<unknown> {
  const { body } = await read(request, context);
  return JSON.parse(body ?? 'null');
}

describe('columns', () => {
  test('star, in table order', async () => {
    expect(await json(readRequest('people', { modifiers: { '': { order: [order('id')] } } }))).toEqual([
      { id: 1, name: 'Ada', email: 'ada@example.com', manager_id: null },
      { id: 2, name: 'Bo', email: null, manager_id: 1 },
      { id: 3, name: 'Cy', email: 'cy@example.com', manager_id: 1 },
    ]);
  });

  test('aliases, casts and JSON paths', async () => {
    const body = await json(
      readRequest('properties', {
        select: [
          field('id', { alias: 'key', cast: 'text' }),
          field('address->>city'),
          field('address->rooms->0->name', { alias: 'first_room' }),
          field('address->rooms->1'),
          field('tags'),
        ],
        modifiers: { '': { order: [order('id')] } },
      }),
    );
    expect(body).toEqual([
      { key: '10', city: 'Annecy', first_room: 'hall', rooms: { name: 'den' }, tags: ['lake', 'summer'] },
      { key: '11', city: 'Lyon', first_room: null, rooms: null, tags: ['city'] },
      { key: '12', city: null, first_room: null, rooms: null, tags: [] },
    ]);
  });

  test('a column that does not exist is Postgres 42703, as behind PostgREST', async () => {
    await expect(read(readRequest('people', { select: [field('nope')] }))).rejects.toMatchObject({ code: '42703', message: 'column people.nope does not exist' });
  });
});

describe('filters', () => {
  const names = async (target: string, filters: ReturnType<typeof filter>[], logic: ApiRequest['modifiers'] extends Map<string, infer M> ? M extends { logic: infer L } ? L : never : never = []) =>
    ((await json(readRequest(target, { select: [field('name')], modifiers: { '': { filters, logic, order: [order('name')] } } }))) as Array<{ name: string }>).map(
      (row) => row.name,
    );

  test('comparisons', async () => {
    expect(await names('assets', [filter('price', 'gt', '300')])).toEqual(['Fridge', 'Mower', 'Oven']);
    expect(await names('assets', [filter('price', 'lte', '90')])).toEqual(['Kettle', 'Ladder']);
    expect(await names('assets', [filter('price', 'neq', '40'), filter('price', 'lt', '400')])).toEqual(['Ladder', 'Mower']);
    expect(await names('assets', [filter('purchased', 'gte', '2020-01-01')])).toEqual(['Fridge', 'Kettle']);
    expect(await names('assets', [filter('price', 'eq', '40', true)])).toEqual(['Fridge', 'Ladder', 'Mower', 'Oven']);
  });

  test('pattern matching, with * as wildcard and any/all', async () => {
    expect(await names('assets', [filter('name', 'like', '*e*')])).toEqual(['Fridge', 'Kettle', 'Ladder', 'Mower', 'Oven']);
    expect(await names('assets', [filter('name', 'ilike', 'k*')])).toEqual(['Kettle']);
    expect(await names('assets', [filter('name', 'match', '^[FK]')])).toEqual(['Fridge', 'Kettle']);
    expect(await names('assets', [filter('name', 'imatch', '^o')])).toEqual(['Oven']);
    expect(await names('assets', [filter('name', 'like', { kind: 'quantified', quantifier: 'any', values: ['F*', 'O*'] })])).toEqual(['Fridge', 'Oven']);
    expect(await names('assets', [filter('name', 'like', { kind: 'quantified', quantifier: 'all', values: ['*e*', '*r*'] })])).toEqual(['Fridge', 'Ladder', 'Mower']);
    expect(await names('assets', [filter('price', 'gt', { kind: 'quantified', quantifier: 'all', values: ['50', '500'] })])).toEqual(['Fridge', 'Oven']);
  });

  test('in, is, isdistinct', async () => {
    expect(await names('assets', [filter('id', 'in', { kind: 'list', values: ['1000', '1003'] })])).toEqual(['Fridge', 'Oven']);
    expect(await names('assets', [filter('name', 'in', { kind: 'list', values: ['Oven', 'Fridge, "the big one"'] })])).toEqual(['Oven']);
    expect(await names('assets', [filter('id', 'in', { kind: 'list', values: [] })])).toEqual([]);
    expect(await names('assets', [filter('id', 'in', { kind: 'list', values: ['1000'] }, true)])).toHaveLength(4);
    expect(await names('assets', [filter('zone_id', 'is', { kind: 'is', value: 'null' })])).toEqual(['Ladder']);
    expect(await names('assets', [filter('purchased', 'is', { kind: 'is', value: 'not_null' })])).toEqual(['Fridge', 'Kettle', 'Ladder', 'Mower']);
    expect(await names('assets', [filter('zone_id', 'is', { kind: 'is', value: 'null' }, true)])).toHaveLength(4);
    expect(await names('assets', [filter('zone_id', 'isdistinct', '100')])).toEqual(['Ladder', 'Mower', 'Oven']);
  });

  test('full-text search on tsvector and text columns, with and without a language', async () => {
    expect(await names('assets', [filter('search', 'fts', { kind: 'fts', language: 'english', query: 'bread' })])).toEqual(['Oven']);
    expect(await names('assets', [filter('search', 'plfts', { kind: 'fts', language: undefined, query: 'cold food' })])).toEqual(['Fridge']);
    expect(await names('assets', [filter('description', 'phfts', { kind: 'fts', language: 'english', query: 'boils water' })])).toEqual(['Kettle']);
    expect(await names('assets', [filter('description', 'wfts', { kind: 'fts', language: 'english', query: 'lawn or bread' })])).toEqual(['Mower', 'Oven']);
    expect(await names('assets', [filter('description', 'fts', { kind: 'fts', language: 'english', query: 'water' }, true)])).toEqual(['Fridge', 'Mower', 'Oven']);
  });

  test('array and JSON operators', async () => {
    expect(await names('properties', [filter('tags', 'cs', '{lake}')])).toEqual(['Lake House']);
    expect(await names('properties', [filter('tags', 'cd', '{city,lake,summer}')])).toEqual(['Barn', 'City Flat', 'Lake House']);
    expect(await names('properties', [filter('tags', 'ov', '{city,summer}')])).toEqual(['City Flat', 'Lake House']);
    expect(await names('properties', [filter('address', 'cs', '{"city": "Lyon"}')])).toEqual(['City Flat']);
    expect(await names('properties', [filter('address->>zip', 'like', '74*')])).toEqual(['Lake House']);
    expect(await names('properties', [filter('address->rooms->0->>name', 'eq', 'hall')])).toEqual(['Lake House']);
  });

  test('logic trees', async () => {
    expect(await names('assets', [], [or([leaf(filter('price', 'lt', '50')), leaf(filter('price', 'gt', '700'))])])).toEqual(['Fridge', 'Kettle']);
    expect(await names('assets', [filter('zone_id', 'eq', '100')], [or([leaf(filter('price', 'lt', '50')), leaf(filter('price', 'gt', '700'))], true)])).toEqual([]);
    expect(
      await names('assets', [], [
        {
          kind: 'and',
          negated: false,
          children: [leaf(filter('price', 'gt', '50')), or([leaf(filter('name', 'eq', 'Oven')), leaf(filter('name', 'eq', 'Ladder'))])],
        },
      ]),
    ).toEqual(['Ladder', 'Oven']);
  });

  test('a value Postgres cannot read as the column type is its error', async () => {
    await expect(read(readRequest('assets', { modifiers: { '': { filters: [filter('price', 'eq', 'cheap')] } } }))).rejects.toMatchObject({ code: '22P02' });
  });
});

describe('order and paging', () => {
  test('direction, nulls first/last, several columns, JSON paths', async () => {
    const byPrice = await json(readRequest('zones', { select: [field('name'), field('area')], modifiers: { '': { order: [order('area', 'desc', 'last'), order('id')] } } }));
    expect(byPrice).toEqual([
      { name: 'Garden', area: 300 },
      { name: 'Kitchen', area: 20.5 },
      { name: 'Kitchen', area: 12 },
      { name: 'Loft', area: null },
    ]);
    const nullsFirst = (await json(readRequest('zones', { select: [field('name')], modifiers: { '': { order: [order('area', undefined, 'first')] } } }))) as Array<{ name: string }>;
    expect(nullsFirst[0]).toEqual({ name: 'Loft' });
    const byCity = await json(readRequest('properties', { select: [field('name')], modifiers: { '': { order: [order('address->>city', 'desc', 'last')] } } }));
    expect(byCity).toEqual([{ name: 'City Flat' }, { name: 'Lake House' }, { name: 'Barn' }]);
  });

  test('limit and offset, the Range header, and their intersection', async () => {
    const ids = async (request: ApiRequest) => ((await json(request)) as Array<{ id: number }>).map((row) => row.id);
    const base = { select: [field('id')] };
    expect(await ids(readRequest('assets', { ...base, modifiers: { '': { order: [order('id')], limit: 2, offset: 1 } } }))).toEqual([1001, 1002]);
    expect(await ids(readRequest('assets', { ...base, modifiers: { '': { order: [order('id')] } }, range: { offset: 3, limit: undefined } }))).toEqual([1003, 1004]);
    expect(await ids(readRequest('assets', { ...base, modifiers: { '': { order: [order('id')], limit: 3 } }, range: { offset: 1, limit: 10 } }))).toEqual([1001, 1002]);
    expect(await ids(readRequest('assets', { ...base, modifiers: { '': { limit: 0 } } }))).toEqual([]);
  });

  test('db-max-rows caps the root and every embed', async () => {
    const body = (await json(
      readRequest('properties', { select: [field('id'), embed('zones', [field('id')])], modifiers: { '': { order: [order('id')] }, zones: { order: [order('id')] } } }),
      { ...defaults, maxRows: 1 },
    )) as unknown[];
    expect(body).toEqual([{ id: 10, zones: [{ id: 100 }] }]);
  });
});

describe('counts', () => {
  test('exact: all matching rows, whatever the page', async () => {
    const result = await read(readRequest('assets', { count: 'exact', modifiers: { '': { filters: [filter('price', 'gt', '50')], limit: 2 } } }));
    expect(result).toMatchObject({ pageTotal: 2, total: 4 });
  });

  test('exact with !inner embeds and embed null filters counts only the rows returned', async () => {
    const inner = await read(readRequest('assets', { count: 'exact', select: [field('id'), embed('zones', [field('name')], { joinType: 'inner' })], modifiers: { zones: { filters: [filter('name', 'eq', 'Kitchen')] } } }));
    expect(inner).toMatchObject({ pageTotal: 3, total: 3 });
    const notNull = await read(readRequest('zones', { count: 'exact', select: [field('id'), embed('assets', [field('id')])], modifiers: { '': { filters: [filter('assets', 'is', { kind: 'is', value: 'null' }, true)] } } }));
    expect(notNull).toMatchObject({ pageTotal: 3, total: 3 });
    const isNull = await read(readRequest('zones', { count: 'exact', select: [field('id'), embed('assets', [field('id')])], modifiers: { '': { filters: [filter('assets', 'is', { kind: 'is', value: 'null' })] } } }));
    expect(isNull).toMatchObject({ pageTotal: 1, total: 1 });
  });

  test('planned: the planner estimate; estimated: exact up to db-max-rows', async () => {
    const planned = await read(readRequest('assets', { count: 'planned' }));
    expect(planned.total).toEqual(expect.any(Number));
    expect(planned.total).toBeGreaterThan(0);
    const small = await read(readRequest('assets', { count: 'estimated' }), { ...defaults, maxRows: 100 });
    expect(small).toMatchObject({ pageTotal: 5, total: 5 });
    const capped = await read(readRequest('assets', { count: 'estimated' }), { ...defaults, maxRows: 2 });
    expect(capped.pageTotal).toBe(2);
    expect(capped.total).toBeGreaterThanOrEqual(3);
  });

  test('no count asked: null', async () => {
    expect((await read(readRequest('assets'))).total).toBeNull();
  });
});

describe('embedding', () => {
  test('many-to-one: an object, or null', async () => {
    const body = await json(readRequest('assets', { select: [field('name'), embed('zones', [field('name')])], modifiers: { '': { filters: [filter('id', 'in', { kind: 'list', values: ['1000', '1004'] })], order: [order('id')] } } }));
    expect(body).toEqual([
      { name: 'Fridge', zones: { name: 'Kitchen' } },
      { name: 'Ladder', zones: null },
    ]);
  });

  test('one-to-many: an array, empty when no rows, with its own filters, order and limit', async () => {
    const body = await json(
      readRequest('zones', {
        select: [field('name'), embed('assets', [field('name'), field('price')])],
        modifiers: { '': { order: [order('id')] }, assets: { filters: [filter('price', 'gt', '30')], order: [order('price', 'desc')], limit: 1 } },
      }),
    );
    expect(body).toEqual([
      { name: 'Kitchen', assets: [{ name: 'Fridge', price: 800 }] },
      { name: 'Garden', assets: [{ name: 'Mower', price: 350 }] },
      { name: 'Kitchen', assets: [{ name: 'Oven', price: 600 }] },
      { name: 'Loft', assets: [] },
    ]);
  });

  test('one-to-one, both ways', async () => {
    expect(
      await json(readRequest('properties', { select: [field('name'), embed('property_details', [field('year_built')])], modifiers: { '': { order: [order('id')] } } })),
    ).toEqual([
      { name: 'Lake House', property_details: { year_built: 1931 } },
      { name: 'City Flat', property_details: { year_built: 1990 } },
      { name: 'Barn', property_details: null },
    ]);
    expect(await json(readRequest('property_details', { select: [field('heating'), embed('properties', [field('name')])], modifiers: { '': { order: [order('heating')] } } }))).toEqual([
      { heating: 'gas', properties: { name: 'City Flat' } },
      { heating: 'wood', properties: { name: 'Lake House' } },
    ]);
  });

  test('many-to-many through the junction, and the junction itself', async () => {
    const body = await json(
      readRequest('assets', {
        select: [field('name'), embed('supplies', [field('name')]), embed('asset_supplies', [field('quantity')])],
        modifiers: { '': { filters: [filter('id', 'in', { kind: 'list', values: ['1000', '1002', '1003'] })], order: [order('id')] }, supplies: { order: [order('name')] } },
      }),
    );
    expect(body).toEqual([
      { name: 'Fridge', supplies: [{ name: 'Filter' }], asset_supplies: [{ quantity: 2 }] },
      { name: 'Mower', supplies: [{ name: 'Filter' }, { name: 'Oil' }], asset_supplies: expect.arrayContaining([{ quantity: 1 }]) },
      { name: 'Oven', supplies: [], asset_supplies: [] },
    ]);
  });

  test('nested and aliased embeds, with hints for the two FKs to people', async () => {
    const body = await json(
      readRequest('people', {
        select: [
          field('name'),
          embed('properties', [field('name'), embed('zones', [field('name'), embed('assets', [field('name')])], { alias: 'rooms' })], { alias: 'owns', hint: 'properties_owner_id_fkey' }),
          embed('properties', [field('name')], { alias: 'looks_after', hint: 'caretaker_id' }),
        ],
        modifiers: { '': { filters: [filter('id', 'eq', '1')] }, owns: { order: [order('id')] }, 'owns.rooms': { order: [order('id')] }, 'owns.rooms.assets': { order: [order('id')] } },
      }),
    );
    expect(body).toEqual([
      {
        name: 'Ada',
        owns: [
          {
            name: 'Lake House',
            rooms: [
              { name: 'Kitchen', assets: [{ name: 'Fridge' }, { name: 'Kettle' }] },
              { name: 'Garden', assets: [{ name: 'Mower' }] },
            ],
          },
          { name: 'City Flat', rooms: [{ name: 'Kitchen', assets: [{ name: 'Oven' }] }] },
        ],
        looks_after: [],
      },
    ]);
  });

  test('self-reference: the manager (M2O by column) and the reports (O2M by table)', async () => {
    const body = await json(
      readRequest('people', {
        select: [field('name'), embed('manager_id', [field('name')], { alias: 'manager' }), embed('people', [field('name')], { alias: 'reports' })],
        modifiers: { '': { order: [order('id')] }, reports: { order: [order('id')] } },
      }),
    );
    expect(body).toEqual([
      { name: 'Ada', manager: null, reports: [{ name: 'Bo' }, { name: 'Cy' }] },
      { name: 'Bo', manager: { name: 'Ada' }, reports: [] },
      { name: 'Cy', manager: { name: 'Ada' }, reports: [] },
    ]);
  });

  test('!inner drops parents without a match; embed=not.is.null filters; an empty embed only filters', async () => {
    const inner = await json(
      readRequest('zones', { select: [field('name'), embed('assets', [field('name')], { joinType: 'inner' })], modifiers: { '': { order: [order('id')] }, assets: { filters: [filter('price', 'gt', '500')] } } }),
    );
    expect(inner).toEqual([
      { name: 'Kitchen', assets: [{ name: 'Fridge' }] },
      { name: 'Kitchen', assets: [{ name: 'Oven' }] },
    ]);
    const toOneInner = await json(readRequest('assets', { select: [field('name'), embed('zones', [field('name')], { joinType: 'inner' })], modifiers: { zones: { filters: [filter('name', 'eq', 'Garden')] } } }));
    expect(toOneInner).toEqual([{ name: 'Mower', zones: { name: 'Garden' } }]);
    const notNull = await json(
      readRequest('assets', { select: [field('name'), embed('zones', [field('name')])], modifiers: { '': { filters: [filter('zones', 'is', { kind: 'is', value: 'null' }, true)], order: [order('id')] }, zones: { filters: [filter('name', 'eq', 'Kitchen')] } } }),
    );
    expect(notNull).toEqual([
      { name: 'Fridge', zones: { name: 'Kitchen' } },
      { name: 'Kettle', zones: { name: 'Kitchen' } },
      { name: 'Oven', zones: { name: 'Kitchen' } },
    ]);
    const onlyFiltering = await json(
      readRequest('properties', { select: [field('name'), embed('zones', [], { joinType: 'inner' })], modifiers: { '': { order: [order('id')] }, zones: { filters: [filter('name', 'eq', 'Garden')] } } }),
    );
    expect(onlyFiltering).toEqual([{ name: 'Lake House' }]);
    const isNull = await json(readRequest('zones', { select: [field('name'), embed('assets', [])], modifiers: { '': { filters: [filter('assets', 'is', { kind: 'is', value: 'null' })] } } }));
    expect(isNull).toEqual([{ name: 'Loft' }]);
  });

  test('order by a to-one embed column', async () => {
    const body = await json(
      readRequest('properties', { select: [field('name'), embed('people', [field('name')], { alias: 'owner', hint: 'owner_id' })], modifiers: { '': { order: [order('name', 'desc', undefined, 'owner'), order('id')] } } }),
    );
    expect(body).toEqual([
      { name: 'Barn', owner: { name: 'Cy' } },
      { name: 'Lake House', owner: { name: 'Ada' } },
      { name: 'City Flat', owner: { name: 'Ada' } },
    ]);
  });

  test('spread to-one embeds: their columns at the parent level, nested spreads too', async () => {
    const body = await json(
      readRequest('assets', {
        select: [field('name'), embed('zones', [field('name', { alias: 'zone' }), embed('properties', [field('name', { alias: 'property' })], { spread: true })], { spread: true })],
        modifiers: { '': { filters: [filter('id', 'in', { kind: 'list', values: ['1000', '1004'] })], order: [order('id')] } },
      }),
    );
    expect(body).toEqual([
      { name: 'Fridge', zone: 'Kitchen', property: 'Lake House' },
      { name: 'Ladder', zone: null, property: null },
    ]);
  });

  test('embedding a view through its base table foreign key', async () => {
    expect(await json(readRequest('zones', { select: [field('name'), embed('cheap_assets', [field('name')])], modifiers: { '': { filters: [filter('id', 'eq', '100')] } } }))).toEqual([
      { name: 'Kitchen', cheap_assets: [{ name: 'Kettle' }] },
    ]);
  });
});

describe('aggregates', () => {
  test('count() and sums, grouped by the other columns', async () => {
    expect(await json(readRequest('assets', { select: [{ kind: 'count', alias: undefined, cast: undefined }] }))).toEqual([{ count: 5 }]);
    const byZone = await json(
      readRequest('assets', {
        select: [field('zone_id'), { kind: 'count', alias: 'n', cast: undefined }, field('price', { aggregate: 'sum' }), field('price', { aggregate: 'avg', aggregateCast: 'int', alias: 'mean' })],
        modifiers: { '': { order: [order('zone_id', 'asc', 'last')] } },
      }),
    );
    expect(byZone).toEqual([
      { zone_id: 100, n: 2, sum: 840, mean: 420 },
      { zone_id: 101, n: 1, sum: 350, mean: 350 },
      { zone_id: 102, n: 1, sum: 600, mean: 600 },
      { zone_id: null, n: 1, sum: 90, mean: 90 },
    ]);
    expect(await json(readRequest('assets', { select: [field('price', { aggregate: 'max' }), field('price', { aggregate: 'min' }), field('id', { aggregate: 'count' })] }))).toEqual([
      { max: 800, min: 40, count: 5 },
    ]);
  });

  test('star and JSON path inputs with casts', async () => {
    expect(await json(readRequest('properties', { select: [field('address->>zip', { cast: 'int', aggregate: 'sum' })] }))).toEqual([{ sum: 143001 }]);
  });

  test('inside embeds, and grouping by an embed', async () => {
    const inside = await json(
      readRequest('zones', { select: [field('name'), embed('assets', [{ kind: 'count', alias: undefined, cast: undefined }, field('price', { aggregate: 'sum', alias: 'total' })])], modifiers: { '': { order: [order('id')] } } }),
    );
    expect(inside).toEqual([
      { name: 'Kitchen', assets: [{ count: 2, total: 840 }] },
      { name: 'Garden', assets: [{ count: 1, total: 350 }] },
      { name: 'Kitchen', assets: [{ count: 1, total: 600 }] },
      { name: 'Loft', assets: [{ count: 0, total: null }] },
    ]);
    const byZone = (await json(readRequest('assets', { select: [field('price', { aggregate: 'sum' }), embed('zones', [field('name')])] }))) as Array<{ sum: number; zones: unknown }>;
    expect(byZone).toEqual(
      expect.arrayContaining([
        { sum: 1440, zones: { name: 'Kitchen' } },
        { sum: 350, zones: { name: 'Garden' } },
        { sum: 90, zones: null },
      ]),
    );
    expect(byZone).toHaveLength(3);
  });

  test('spread columns group the parent, and aggregates in a spread apply at the parent', async () => {
    const byName = await json(
      readRequest('assets', {
        select: [field('price', { aggregate: 'sum' }), embed('zones', [field('name', { alias: 'zone' })], { spread: true })],
        modifiers: { '': { filters: [filter('zone_id', 'is', { kind: 'is', value: 'null' }, true)] } },
      }),
    );
    expect(byName).toHaveLength(2);
    expect(byName).toEqual(expect.arrayContaining([{ sum: 350, zone: 'Garden' }, { sum: 1440, zone: 'Kitchen' }]));
    const hoisted = await json(
      readRequest('zones', {
        select: [field('name'), embed('properties', [field('id', { aggregate: 'max' }), field('id', { aggregate: 'min' }), { kind: 'count', alias: 'n', cast: undefined }], { spread: true })],
        modifiers: { '': { order: [order('name')] } },
      }),
    );
    expect(hoisted).toEqual([
      { name: 'Garden', max: 10, min: 10, n: 1 },
      { name: 'Kitchen', max: 11, min: 10, n: 2 },
      { name: 'Loft', max: 12, min: 12, n: 1 },
    ]);
  });

  test('disabled: PGRST123', async () => {
    expect(() => buildReadPlan(readRequest('assets', { select: [field('price', { aggregate: 'sum' })] }), cache, { ...defaults, aggregatesEnabled: false })).toThrow(
      expect.objectContaining({ code: 'PGRST123' }),
    );
  });
});

describe('bodies', () => {
  test('singular object', async () => {
    const one = await read(readRequest('people', { select: [field('name')], accept: [accept('application/vnd.pgrst.object+json')], modifiers: { '': { filters: [filter('id', 'eq', '2')] } } }));
    expect(one).toMatchObject({ pageTotal: 1 });
    expect(JSON.parse(one.body ?? '')).toEqual({ name: 'Bo' });
    const none = await read(readRequest('people', { accept: [accept('application/vnd.pgrst.object+json')], modifiers: { '': { filters: [filter('id', 'eq', '9')] } } }));
    expect(none).toMatchObject({ pageTotal: 0, body: 'null' });
  });

  test('nulls stripped', async () => {
    const body = await json(readRequest('people', { select: [field('name'), field('email')], accept: [accept('application/vnd.pgrst.array+json', { nulls: 'stripped' })], modifiers: { '': { filters: [filter('id', 'eq', '2')] } } }));
    expect(body).toEqual([{ name: 'Bo' }]);
  });

  test('CSV with a header row', async () => {
    const { body } = await read(
      readRequest('assets', {
        select: [field('id'), field('name'), field('description'), field('price')],
        accept: [accept('text/csv')],
        modifiers: { '': { filters: [filter('id', 'in', { kind: 'list', values: ['1000', '1004'] })], order: [order('id')] } },
      }),
    );
    expect(body).toBe('id,name,description,price\n1000,Fridge,"cold food storage",800\n1004,Ladder,,90');
    const empty = await read(readRequest('assets', { select: [field('id')], accept: [accept('text/csv')], modifiers: { '': { filters: [filter('id', 'eq', '1')] } } }));
    expect(empty.body).toBe('\n');
  });

  test('HEAD: no body, same counts', async () => {
    expect(await read(readRequest('assets', { headersOnly: true, count: 'exact' }))).toEqual({ body: null, pageTotal: 5, total: 5 });
  });

  test('the execution plan, in JSON and text', async () => {
    const request = readRequest('assets', { accept: [accept('application/vnd.pgrst.plan+json', { for: '"application/json"', options: 'analyze|verbose' })] });
    const plan = buildReadPlan(request, cache, defaults);
    expect(plan.mediaType).toBe('application/vnd.pgrst.plan+json; for="application/json"; options=analyze|verbose');
    const { text, values } = render(plan.statement);
    expect(text).toMatch(/^EXPLAIN \(FORMAT JSON, ANALYZE, VERBOSE\) WITH pgrst_source/);
    const { rows } = await client.query<{ 'QUERY PLAN': Array<{ Plan: { 'Node Type': string } }> }>(text, values);
    expect(rows[0]?.['QUERY PLAN'][0]?.Plan['Node Type']).toBe('Aggregate');
    const textPlan = buildReadPlan(readRequest('assets', { accept: [accept('application/vnd.pgrst.plan')] }), cache, defaults);
    const rendered = render(textPlan.statement);
    const result = await client.query<{ 'QUERY PLAN': string }>(rendered.text, rendered.values);
    expect(result.rows.map((row) => row['QUERY PLAN']).join('\n')).toContain('Aggregate');
  });
});

describe('errors from the planner', () => {
  test('they are PgrstErrors with PostgREST codes', () => {
    const attempt = (request: ApiRequest) => {
      try {
        buildReadPlan(request, cache, defaults);
      } catch (error) {
        return error instanceof PgrstError ? error.code : String(error);
      }
      return 'no error';
    };
    expect(attempt(readRequest('assetz'))).toBe('PGRST205');
    expect(attempt(readRequest('people', { select: [star, embed('properties', [])] }))).toBe('PGRST201');
    expect(attempt(readRequest('people', { select: [star, embed('supplies', [])] }))).toBe('PGRST200');
    expect(attempt(readRequest('people', { accept: [accept('application/xml')] }))).toBe('PGRST107');
  });
});
