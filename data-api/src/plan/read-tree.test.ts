import { describe, expect, test } from 'vitest';
import { PgrstError } from '../errors.ts';
import type { ApiRequest } from '../request/types.ts';
import type { PlanContext } from './context.ts';
import { buildReadTree, topLevelRange } from './read-tree.ts';
import type { EmbedNode, ReadPurpose } from './read-types.ts';
import { embed, field, filter, order, readRequest, star, testCache } from './read-plan.test-support.ts';

const cache = testCache();
const context: PlanContext = { maxRows: undefined, aggregatesEnabled: true };
const relation = (name: string) => cache.relations.get(`haven.${name}`)!;
const tree = (request: ApiRequest, purpose: ReadPurpose = 'read', ctx: PlanContext = context) =>
  buildReadTree(relation((request.target as { name: string }).name), request, cache, ctx, purpose);

function code(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof PgrstError) return `${error.status} ${error.code}`;
    throw error;
  }
  return 'no error';
}

describe('select and embeds', () => {
  test('names: the root by its relation, embeds by table and depth, laterals by parent, key and depth', () => {
    const root = tree(readRequest('properties', { select: [field('name'), embed('zones', [field('name'), embed('assets', [star])], { alias: 'rooms' })] }));
    expect(root.alias).toBe('properties');
    expect(root.fields).toEqual([{ kind: 'column', field: { column: 'name', jsonPath: [] }, cast: undefined, aggregate: undefined, aggregateCast: undefined, outputName: 'name' }]);
    const rooms = root.embeds[0]!;
    expect(rooms).toMatchObject({ name: 'zones', outputName: 'rooms', alias: 'zones_1', aggAlias: 'properties_rooms_1', toOne: false, joinType: 'left', spread: false, depth: 1 });
    expect(rooms.joinConditions).toEqual([{ left: { alias: 'zones_1', column: 'property_id' }, right: { alias: 'properties', column: 'id' } }]);
    expect(rooms.embeds[0]).toMatchObject({ alias: 'assets_2', aggAlias: 'zones_assets_2', depth: 2 });
  });

  test('many-to-many joins the junction inside the embed', () => {
    const supplies = tree(readRequest('assets', { select: [embed('supplies', [star])] })).embeds[0]!;
    expect(supplies.junction).toEqual({ name: { schema: 'haven', name: 'asset_supplies' }, alias: 'asset_supplies_1' });
    expect(supplies.joinConditions).toEqual([
      { left: { alias: 'supplies_1', column: 'id' }, right: { alias: 'asset_supplies_1', column: 'supply_id' } },
      { left: { alias: 'asset_supplies_1', column: 'asset_id' }, right: { alias: 'assets', column: 'id' } },
    ]);
  });

  test('JSON path fields are named after their last key', () => {
    const root = tree(readRequest('properties', { select: [field('address->>city'), field('address->rooms->0'), field('tags->0')] }));
    expect(root.fields.map((f) => (f.kind === 'column' ? f.outputName : f.kind))).toEqual(['city', 'rooms', 'tags']);
  });

  test('an embed without columns is empty: joined, not selected', () => {
    const root = tree(readRequest('properties', { select: [star, embed('zones', [embed('assets', [])], { joinType: 'inner' })] }));
    expect(root.embeds[0]?.empty).toBe(true);
  });

  test('casts must be type names', () => {
    expect(code(() => tree(readRequest('people', { select: [field('id', { cast: 'text); drop table people; --' })] })))).toBe('400 PGRST100');
    expect(code(() => tree(readRequest('people', { select: [field('id', { cast: 'character varying(20)' }), field('id', { cast: 'timestamp with time zone' }), field('id', { cast: 'int[]' })] })))).toBe(
      'no error',
    );
  });

  test('spreading a to-many embed lifts each column as JSON (PostgREST 13)', () => {
    const root = tree(readRequest('zones', { select: [embed('assets', [star], { spread: true })] }));
    expect(root.embeds[0]).toMatchObject({ toOne: false, spread: true });
    expect(root.embeds[0]!.spreadColumns.every((column) => column.kind === 'column' && column.isEmbed)).toBe(true);
  });

  test('unknown relation of a relationship target and missing relationships fail in the planner', () => {
    expect(code(() => tree(readRequest('people', { select: [embed('zones', [star])] })))).toBe('400 PGRST200');
  });
});

describe('modifiers', () => {
  test('filters, order and limits land on their nodes; embed null filters become embed conditions', () => {
    const root = tree(
      readRequest('zones', {
        select: [star, embed('assets', [star], { alias: 'things' })],
        modifiers: {
          '': { filters: [filter('things', 'is', { kind: 'is', value: 'null' }, true), filter('name', 'eq', 'Kitchen')], order: [order('id', 'desc')] },
          things: { filters: [filter('price', 'gt', '10')], limit: 2, offset: 1 },
        },
      }),
    );
    expect(root.where).toEqual([{ kind: 'embed-null', aggAlias: 'zones_things_1', isNull: false }, { kind: 'filter', filter: filter('name', 'eq', 'Kitchen') }]);
    expect(root.order).toEqual([{ relationAlias: undefined, field: { column: 'id', jsonPath: [] }, direction: 'desc', nulls: undefined }]);
    const things = root.embeds[0]!;
    expect(things.where).toEqual([{ kind: 'filter', filter: filter('price', 'gt', '10') }]);
    expect(things.range).toEqual({ offset: 1, limit: 2 });
  });

  test('a path to no embed is PGRST108; another operator than is.null on an embed\'s name filters the column of that name', () => {
    expect(code(() => tree(readRequest('zones', { modifiers: { assets: { limit: 1 } } })))).toBe('400 PGRST108');
    const root = tree(readRequest('zones', { select: [embed('assets', [star])], modifiers: { '': { filters: [filter('assets', 'eq', '1')] } } }));
    expect(root.where).toEqual([{ kind: 'filter', filter: filter('assets', 'eq', '1') }]);
  });

  test('related order: to-one embeds only', () => {
    const root = tree(readRequest('assets', { select: [star, embed('zones', [star])], modifiers: { '': { order: [order('name', 'asc', 'last', 'zones')] } } }));
    expect(root.order[0]).toMatchObject({ relationAlias: 'assets_zones_1', direction: 'asc', nulls: 'last' });
    expect(code(() => tree(readRequest('zones', { select: [star, embed('assets', [star])], modifiers: { '': { order: [order('name', undefined, undefined, 'assets')] } } })))).toBe('400 PGRST118');
    expect(code(() => tree(readRequest('assets', { modifiers: { '': { order: [order('name', undefined, undefined, 'zones')] } } })))).toBe('400 PGRST108');
  });

  test('writes: root filters and ranges belong to the write; orders and embed filters and ranges shape what comes back', () => {
    const request = readRequest('zones', {
      action: { kind: 'update' },
      select: [star, embed('assets', [star])],
      modifiers: { '': { filters: [filter('id', 'eq', '1')], order: [order('id')], limit: 1 }, assets: { filters: [filter('price', 'gt', '1')], limit: 3 } },
    });
    const root = tree(request, 'mutation', { ...context, maxRows: 10 });
    expect(root.where).toEqual([]);
    expect(root.order).toHaveLength(1);
    expect(root.range).toEqual({ offset: 0, limit: undefined });
    expect(root.embeds[0]?.where).toHaveLength(1);
    expect(root.embeds[0]?.range).toEqual({ offset: 0, limit: 3 });
  });

  test('db-max-rows restricts every level', () => {
    const root = tree(readRequest('zones', { select: [star, embed('assets', [star])], modifiers: { '': { limit: 100 }, assets: { limit: 2 } } }), 'read', { ...context, maxRows: 5 });
    expect(root.range).toEqual({ offset: 0, limit: 5 });
    expect((root.embeds[0] as EmbedNode).range).toEqual({ offset: 0, limit: 2 });
  });
});

describe('topLevelRange', () => {
  const range = (limit: number | undefined, offset: number | undefined, header?: { offset: number; limit: number | undefined }) =>
    topLevelRange(readRequest('people', { modifiers: { '': { limit, offset } }, range: header }));

  test('limit/offset intersected with the Range header', () => {
    expect(range(undefined, undefined)).toEqual({ offset: 0, limit: undefined });
    expect(range(10, 5)).toEqual({ offset: 5, limit: 10 });
    expect(range(undefined, undefined, { offset: 2, limit: 3 })).toEqual({ offset: 2, limit: 3 });
    expect(range(10, 0, { offset: 5, limit: 100 })).toEqual({ offset: 5, limit: 5 });
    expect(range(0, 0)).toEqual({ offset: 0, limit: 0 });
  });

  test('an empty intersection is 416 PGRST103, unless limit=0 asked for it', () => {
    expect(code(() => range(2, 0, { offset: 5, limit: 5 }))).toBe('416 PGRST103');
    expect(range(0, 3, { offset: 5, limit: 5 })).toEqual({ offset: 5, limit: 0 });
  });
});

describe('aggregates', () => {
  test('grouped nodes expand * into their columns', () => {
    const root = tree(readRequest('zones', { select: [star, { kind: 'count', alias: undefined, cast: undefined }] }));
    expect(root.grouped).toBe(true);
    expect(root.fields.map((f) => (f.kind === 'column' || f.kind === 'count' ? f.outputName : f.kind))).toEqual(['id', 'property_id', 'name', 'area', 'count']);
  });

  test('spread aggregates are hoisted to the parent, which is grouped', () => {
    const root = tree(readRequest('assets', { select: [field('name'), embed('zones', [field('area', { aggregate: 'sum', alias: 'total' }), field('name', { alias: 'zone' })], { spread: true })] }));
    expect(root.grouped).toBe(true);
    const zones = root.embeds[0]!;
    expect(zones.grouped).toBe(false);
    expect(zones.fields.map((f) => (f.kind === 'column' ? [f.outputName, f.aggregate] : f.kind))).toEqual([
      ['pgrst_agg_0', undefined],
      ['zone', undefined],
    ]);
    expect(zones.spreadColumns).toEqual([
      { kind: 'column', name: 'pgrst_agg_0', aggregate: 'sum', aggregateCast: undefined, outputName: 'total', isEmbed: false },
      { kind: 'column', name: 'zone', aggregate: undefined, aggregateCast: undefined, outputName: 'zone', isEmbed: false },
    ]);
  });

  test('disabled: PGRST123, for count() too', () => {
    const disabled = { ...context, aggregatesEnabled: false };
    expect(code(() => tree(readRequest('zones', { select: [{ kind: 'count', alias: undefined, cast: undefined }] }), 'read', disabled))).toBe('400 PGRST123');
    expect(code(() => tree(readRequest('zones', { select: [embed('assets', [field('price', { aggregate: 'avg' })])] }), 'read', disabled))).toBe('400 PGRST123');
  });
});
