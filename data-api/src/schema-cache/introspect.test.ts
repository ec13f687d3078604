import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { withClient } from '@launchdb/common';
import { createFixtureDatabase, type FixtureDatabase } from '../../test/fixtures/load-fixture.ts';
import { introspectSchemaCache } from './introspect.ts';
import type { Relation, ForeignKeyRelationship, Routine, SchemaCache } from './types.ts';

let db: FixtureDatabase;
let cache: SchemaCache;
let introspectionMs: number;

beforeAll(async () => {
  db = await createFixtureDatabase('introspect');
  await withClient(db.url, async (client) => {
    await introspectSchemaCache(client, ['api', 'v2']); // warm-up: first use of the catalog caches of this database
    const started = performance.now();
    cache = await introspectSchemaCache(client, ['api', 'v2']);
    introspectionMs = performance.now() - started;
  });
  console.info(`introspection of the fixture (api, v2): ${introspectionMs.toFixed(1)} ms`);
});

afterAll(async () => {
  await db?.drop();
});

function relation(key: string): Relation {
  const found = cache.relations.get(key);
  if (!found) throw new Error(`no relation ${key}`);
  return found;
}

function column(key: string, name: string) {
  const found = relation(key).columns.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no column ${key}.${name}`);
  return found;
}

function rels(source: string, target?: string): ForeignKeyRelationship[] {
  return (cache.relationships.get(source) ?? []).filter((rel) => target === undefined || `${rel.target.schema}.${rel.target.name}` === target);
}

function routines(key: string): Routine[] {
  return cache.routines.get(key) ?? [];
}

function routine(key: string): Routine {
  const [first] = routines(key);
  if (!first) throw new Error(`no routine ${key}`);
  return first;
}

describe('relations', () => {
  test('tables, views, materialized views, partitioned tables and partitions of the exposed schemas only', () => {
    expect(cache.schemas).toEqual(['api', 'v2']);
    expect([...cache.relations.keys()].sort()).toEqual([
      'api.activity', 'api.activity_2024', 'api.activity_default', 'api.asset_supplies', 'api.assets', 'api.captures', 'api.contractors', 'api.maintenance_logs',
      'api.open_tasks', 'api.people', 'api.profiles', 'api.properties', 'api.property_settings', 'api.property_summaries',
      'api.readings', 'api.supplies', 'api.supply_usage', 'api.tasks', 'api.zones', 'v2.properties', 'v2.rooms',
    ]);
    expect(relation('api.tasks').kind).toBe('table');
    expect(relation('api.open_tasks').kind).toBe('view');
    expect(relation('api.supply_usage').kind).toBe('materialized_view');
    expect(relation('api.activity').kind).toBe('partitioned_table');
    // PostgREST 12 reads a partition by its name, but it takes part in no relationship
    expect(relation('api.activity_2024')).toMatchObject({ kind: 'table', isPartition: true, primaryKey: ['id', 'occurred_at'] });
    expect(cache.relationships.get('api.activity_2024') ?? []).toEqual([]);
    expect(relation('api.activity').isPartition).toBeUndefined();
  });

  test('primary keys: serial, uuid, composite, identity, and of views from their base table', () => {
    expect(relation('api.tasks').primaryKey).toEqual(['id']);
    expect(relation('api.assets').primaryKey).toEqual(['id']);
    expect(relation('api.readings').primaryKey).toEqual(['asset_id', 'taken_at']);
    expect(relation('api.asset_supplies').primaryKey).toEqual(['asset_id', 'supply_id']);
    expect(relation('api.property_settings').primaryKey).toEqual(['property_id']);
    expect(relation('api.activity').primaryKey).toEqual(['id', 'occurred_at']);
    expect(relation('api.open_tasks').primaryKey).toEqual(['id']);
    expect(relation('api.contractors').primaryKey).toEqual(['id']);
    expect(relation('api.property_summaries').primaryKey).toEqual(['property_id']);
    expect(relation('api.supply_usage').primaryKey).toEqual(['supply_id']);
  });

  test('insertable / updatable / deletable as PostgREST computes them', () => {
    for (const key of ['api.tasks', 'api.activity', 'api.open_tasks', 'api.contractors']) {
      const { insertable, updatable, deletable } = relation(key);
      expect({ key, insertable, updatable, deletable }).toEqual({ key, insertable: true, updatable: true, deletable: true });
    }
    for (const key of ['api.property_summaries', 'api.supply_usage']) {
      const { insertable, updatable, deletable } = relation(key);
      expect({ key, insertable, updatable, deletable }).toEqual({ key, insertable: false, updatable: false, deletable: false });
    }
  });

  test('descriptions of tables and columns', () => {
    expect(relation('api.properties').description).toBe('Homes tracked in Haven\nEach property belongs to exactly one owner; row-level security shows owners their own.');
    expect(relation('api.open_tasks').description).toBe('Tasks still to do');
    expect(relation('api.people').description).toBe('Household members and contractors');
    expect(relation('api.zones').description).toBeNull();
    expect(column('api.tasks', 'created_by').description).toBe('Who wrote the task down');
    expect(column('api.tasks', 'title').description).toBeNull();
  });

  test('columns in declaration order with their positions', () => {
    expect(relation('api.readings').columns.map((c) => [c.name, c.position])).toEqual([
      ['asset_id', 1], ['taken_at', 2], ['value', 3], ['unit', 4],
    ]);
    expect(relation('api.open_tasks').columns.map((c) => c.name)).toEqual([
      'id', 'property_id', 'asset_id', 'title', 'status', 'priority', 'due_on', 'created_by', 'assigned_to', 'contractor_id',
    ]);
    expect(relation('api.contractors').columns.map((c) => c.name)).toEqual(['id', 'person_id', 'company_name']);
  });

  test('column types, defaults, nullability, arrays, enums, domains, generated columns', () => {
    expect(column('api.tasks', 'id')).toMatchObject({
      type: 'integer', dataType: 'integer', udtName: 'int4', nullable: false,
      defaultExpr: "nextval('api.tasks_id_seq'::regclass)", generated: false, isArray: false, enumValues: null,
    });
    expect(column('api.tasks', 'status')).toMatchObject({
      type: 'api.task_status', udtName: 'task_status', nullable: false, defaultExpr: "'todo'::api.task_status",
      enumValues: ['todo', 'in_progress', 'done', 'skipped'],
    });
    expect(column('api.tasks', 'assigned_to')).toMatchObject({ nullable: true, defaultExpr: null });
    expect(column('api.tasks', 'labels')).toMatchObject({ type: 'text[]', udtName: '_text', isArray: true });
    expect(column('api.properties', 'tags')).toMatchObject({ type: 'text[]', isArray: true, defaultExpr: "'{}'::text[]", nullable: false });
    expect(column('api.properties', 'details')).toMatchObject({ type: 'jsonb', udtName: 'jsonb', defaultExpr: "'{}'::jsonb" });
    expect(column('api.properties', 'name')).toMatchObject({ type: 'character varying(80)', dataType: 'character varying', udtName: 'varchar', maxLength: 80 });
    expect(column('api.properties', 'area_m2')).toMatchObject({ type: 'numeric(8,2)', dataType: 'numeric', maxLength: null });
    expect(column('api.property_settings', 'currency')).toMatchObject({ type: 'character(3)', dataType: 'character', maxLength: 3 });
    expect(column('api.profiles', 'id')).toMatchObject({ type: 'uuid', defaultExpr: 'gen_random_uuid()' });
    expect(column('api.profiles', 'email')).toMatchObject({ type: 'api.email', dataType: 'text', udtName: 'text', nullable: true });
    expect(column('api.assets', 'lifespan_years')).toMatchObject({ type: 'int4range', udtName: 'int4range', isArray: false });
    expect(column('api.assets', 'service_window')).toMatchObject({ type: 'tsrange', udtName: 'tsrange' });
    expect(column('api.assets', 'search')).toMatchObject({ type: 'tsvector', generated: true, defaultExpr: null });
    expect(column('api.supplies', 'stock_value')).toMatchObject({ generated: true, defaultExpr: null });
    // identity: BY DEFAULT has a nextval default, ALWAYS cannot be written
    expect(column('api.maintenance_logs', 'id')).toMatchObject({ type: 'bigint', generated: false, defaultExpr: "nextval('api.maintenance_logs_id_seq')" });
    expect(column('api.activity', 'id')).toMatchObject({ generated: true, defaultExpr: null });
    // view columns carry the types of their base columns
    expect(column('api.open_tasks', 'status')).toMatchObject({ type: 'api.task_status', enumValues: ['todo', 'in_progress', 'done', 'skipped'] });
  });

  test('schema descriptions', () => {
    expect(cache.schemaDescriptions?.get('api')).toBe('Haven API\nThe homeowner-facing API of Haven: properties, zones, assets, tasks, supplies and logs.');
    expect(cache.schemaDescriptions?.get('v2')).toBe('Haven API v2');
  });
});

describe('relationships', () => {
  test('many-to-one and its inverse one-to-many', () => {
    expect(rels('api.zones', 'api.properties')).toEqual([
      { kind: 'many-to-one', source: { schema: 'api', name: 'zones' }, target: { schema: 'api', name: 'properties' }, constraintName: 'zones_property_id_fkey', columns: [['property_id', 'id']], isSelf: false, foreignKeySide: 'source' },
    ]);
    expect(rels('api.properties', 'api.zones')).toEqual([
      { kind: 'one-to-many', source: { schema: 'api', name: 'properties' }, target: { schema: 'api', name: 'zones' }, constraintName: 'zones_property_id_fkey', columns: [['id', 'property_id']], isSelf: false, foreignKeySide: 'target' },
    ]);
  });

  test('one-to-one from both sides (the foreign key columns are the primary key)', () => {
    expect(rels('api.property_settings', 'api.properties')).toEqual([
      expect.objectContaining({ kind: 'one-to-one', constraintName: 'property_settings_property_id_fkey', columns: [['property_id', 'id']], foreignKeySide: 'source' }),
    ]);
    expect(rels('api.properties', 'api.property_settings')).toEqual([
      expect.objectContaining({ kind: 'one-to-one', constraintName: 'property_settings_property_id_fkey', columns: [['id', 'property_id']], foreignKeySide: 'target' }),
    ]);
  });

  test('two foreign keys between the same tables give two relationships each way, in constraint order', () => {
    expect(rels('api.tasks', 'api.people').map((rel) => [rel.kind, rel.kind !== 'many-to-many' && rel.constraintName])).toEqual([
      ['many-to-one', 'tasks_assigned_to_fkey'],
      ['many-to-one', 'tasks_created_by_fkey'],
    ]);
    expect(rels('api.people', 'api.tasks').map((rel) => [rel.kind, rel.kind !== 'many-to-many' && rel.columns])).toEqual([
      ['one-to-many', [['id', 'assigned_to']]],
      ['one-to-many', [['id', 'created_by']]],
    ]);
  });

  test('self-reference: one-to-many (children) then many-to-one (parent), both marked self', () => {
    expect(rels('api.zones', 'api.zones')).toEqual([
      { kind: 'one-to-many', source: { schema: 'api', name: 'zones' }, target: { schema: 'api', name: 'zones' }, constraintName: 'zones_parent_zone_id_fkey', columns: [['id', 'parent_zone_id']], isSelf: true, foreignKeySide: 'target' },
      { kind: 'many-to-one', source: { schema: 'api', name: 'zones' }, target: { schema: 'api', name: 'zones' }, constraintName: 'zones_parent_zone_id_fkey', columns: [['parent_zone_id', 'id']], isSelf: true, foreignKeySide: 'source' },
    ]);
  });

  test('many-to-many through a junction whose foreign key columns are its primary key, both directions', () => {
    expect(rels('api.assets', 'api.supplies')).toEqual([
      {
        kind: 'many-to-many',
        source: { schema: 'api', name: 'assets' },
        target: { schema: 'api', name: 'supplies' },
        junction: { schema: 'api', name: 'asset_supplies' },
        sourceConstraint: 'asset_supplies_asset_id_fkey',
        targetConstraint: 'asset_supplies_supply_id_fkey',
        sourceColumns: [['asset_id', 'id']],
        targetColumns: [['supply_id', 'id']],
      },
    ]);
    expect(rels('api.supplies', 'api.assets')).toEqual([
      expect.objectContaining({ kind: 'many-to-many', junction: { schema: 'api', name: 'asset_supplies' }, sourceConstraint: 'asset_supplies_supply_id_fkey', targetConstraint: 'asset_supplies_asset_id_fkey' }),
    ]);
    // readings has one foreign key only, tasks' keys are not in its primary key: no many-to-many through them
    expect([...cache.relationships.values()].flat().filter((rel) => rel.kind === 'many-to-many').map((rel) => rel.kind === 'many-to-many' && rel.junction.name)).toEqual(
      expect.arrayContaining(['asset_supplies']),
    );
    expect([...cache.relationships.values()].flat().some((rel) => rel.kind === 'many-to-many' && rel.junction.name !== 'asset_supplies')).toBe(false);
  });

  test('through views: view to table, table to view (over a private table), view to view', () => {
    expect(rels('api.open_tasks', 'api.people').map((rel) => rel.kind !== 'many-to-many' && [rel.kind, rel.constraintName, rel.columns])).toEqual([
      ['many-to-one', 'tasks_assigned_to_fkey', [['assigned_to', 'id']]],
      ['many-to-one', 'tasks_created_by_fkey', [['created_by', 'id']]],
    ]);
    expect(rels('api.tasks', 'api.contractors')).toEqual([
      expect.objectContaining({ kind: 'many-to-one', constraintName: 'tasks_contractor_id_fkey', columns: [['contractor_id', 'id']] }),
    ]);
    expect(rels('api.contractors', 'api.people')).toEqual([
      expect.objectContaining({ kind: 'many-to-one', constraintName: 'contractors_person_id_fkey', columns: [['person_id', 'id']] }),
    ]);
    expect(rels('api.open_tasks', 'api.contractors')).toEqual([
      expect.objectContaining({ kind: 'many-to-one', constraintName: 'tasks_contractor_id_fkey', columns: [['contractor_id', 'id']], isSelf: false }),
    ]);
    expect(rels('api.contractors', 'api.open_tasks')).toEqual([
      expect.objectContaining({ kind: 'one-to-many', columns: [['id', 'contractor_id']] }),
    ]);
    expect(rels('api.maintenance_logs', 'api.open_tasks')).toEqual([
      expect.objectContaining({ kind: 'many-to-one', constraintName: 'maintenance_logs_task_id_fkey', columns: [['task_id', 'id']] }),
    ]);
  });

  test('nothing to or from schemas that are not exposed', () => {
    for (const [key, list] of cache.relationships) {
      expect(key.startsWith('private.')).toBe(false);
      for (const rel of list) expect(rel.target.schema).not.toBe('private');
    }
    expect(rels('v2.rooms')).toEqual([expect.objectContaining({ kind: 'many-to-one', target: { schema: 'v2', name: 'properties' } })]);
  });

  test('relationships are indexed by their source', () => {
    for (const [key, list] of cache.relationships) for (const rel of list) expect(`${rel.source.schema}.${rel.source.name}`).toBe(key);
  });
});

describe('routines', () => {
  test('callable functions of the exposed schemas only', () => {
    expect([...cache.routines.keys()].sort()).toEqual([
      'api.accept_upload', 'api.add', 'api.complete_task', 'api.echo_json', 'api.greet', 'api.join_words', 'api.pay_up',
      'api.property_costs', 'api.property_stats', 'api.raise_pgrst', 'api.request_context', 'api.search_assets', 'api.task_count',
      'api.touch_property', 'api.zone_names', 'api.zone_tree', 'v2.api_version',
    ]);
    // left out: the trigger function, a function with an unnamed integer parameter, private functions
    expect(cache.routines.has('api.set_updated_at')).toBe(false);
    expect(cache.routines.has('api.double_it')).toBe(false);
  });

  test('return kinds', () => {
    expect(routine('api.search_assets').returns).toEqual({ kind: 'relation', relation: { schema: 'api', name: 'assets' }, isSetOf: true });
    expect(routine('api.complete_task').returns).toEqual({ kind: 'relation', relation: { schema: 'api', name: 'tasks' }, isSetOf: false });
    expect(routine('api.add').returns).toEqual({ kind: 'scalar', type: 'integer', isSetOf: false });
    expect(routine('api.zone_names').returns).toEqual({ kind: 'scalar', type: 'text', isSetOf: true });
    expect(routine('api.echo_json').returns).toEqual({ kind: 'scalar', type: 'json', isSetOf: false });
    expect(routine('api.zone_tree').returns).toEqual({
      kind: 'composite',
      columns: [{ name: 'id', type: 'integer' }, { name: 'name', type: 'text' }, { name: 'depth', type: 'integer' }],
      isSetOf: true,
    });
    expect(routine('api.property_stats').returns).toEqual({
      kind: 'composite',
      columns: [{ name: 'task_count', type: 'bigint' }, { name: 'open_count', type: 'bigint' }],
      isSetOf: false,
    });
    expect(routine('api.property_costs').returns).toEqual({
      kind: 'composite',
      columns: [{ name: 'total', type: 'numeric' }, { name: 'currency', type: 'text' }, { name: 'task_count', type: 'bigint' }],
      isSetOf: false,
    });
    expect(routine('api.touch_property').returns).toEqual({ kind: 'void' });
    expect(routine('api.pay_up').returns).toEqual({ kind: 'void' });
  });

  test('parameters: IN only, defaults, variadic, a single unnamed json parameter', () => {
    expect(routine('api.add').parameters).toEqual([
      { name: 'a', type: 'integer', udtName: 'int4', hasDefault: false, isVariadic: false },
      { name: 'b', type: 'integer', udtName: 'int4', hasDefault: false, isVariadic: false },
    ]);
    expect(routine('api.task_count').parameters).toEqual([
      { name: 'property_id', type: 'integer', udtName: 'int4', hasDefault: false, isVariadic: false },
      { name: 'status', type: 'api.task_status', udtName: 'task_status', hasDefault: true, isVariadic: false },
    ]);
    expect(routine('api.join_words').parameters).toEqual([
      { name: 'sep', type: 'text', udtName: 'text', hasDefault: true, isVariadic: false },
      { name: 'words', type: 'text[]', udtName: '_text', hasDefault: true, isVariadic: true },
    ]);
    expect(routine('api.echo_json').parameters).toEqual([{ name: '', type: 'json', udtName: 'json', hasDefault: false, isVariadic: false }]);
    // OUT and TABLE columns are not parameters
    expect(routine('api.property_stats').parameters.map((p) => p.name)).toEqual(['property_id']);
    expect(routine('api.zone_tree').parameters.map((p) => p.name)).toEqual(['root']);
  });

  test('overloads share a key, fewest parameters first, each with its own oid', () => {
    const greet = routines('api.greet');
    expect(greet.map((r) => r.parameters.map((p) => p.name))).toEqual([[], ['name'], ['name', 'greeting']]);
    expect(new Set(greet.map((r) => r.oid)).size).toBe(3);
  });

  test('volatility and description', () => {
    expect(routine('api.add').volatility).toBe('immutable');
    expect(routine('api.search_assets').volatility).toBe('stable');
    expect(routine('api.complete_task').volatility).toBe('volatile');
    expect(routine('api.search_assets').description).toBe('Full-text search over assets\nUses websearch syntax: quotes, OR, -exclusion.');
    expect(routine('api.add').description).toBeNull();
    expect(routine('api.add').isolationLevel).toBeNull();
  });
});

describe('the introspection transaction', () => {
  test('leaves the session as it found it, and is quick', async () => {
    await withClient(db.url, async (client) => {
      const before = (await client.query<{ search_path: string }>('show search_path')).rows[0]?.search_path;
      await introspectSchemaCache(client, ['api']);
      const after = await client.query<{ search_path: string; status: string }>('select current_setting(\'search_path\') as search_path');
      expect(after.rows[0]?.search_path).toBe(before);
      // not left inside a transaction
      await expect(client.query('commit')).resolves.toBeDefined();
    });
    expect(introspectionMs).toBeLessThan(2_000);
  });

  test('an unknown schema gives an empty cache, not an error', async () => {
    const empty = await withClient(db.url, (client) => introspectSchemaCache(client, ['nope']));
    expect(empty.relations.size).toBe(0);
    expect(empty.relationships.size).toBe(0);
    expect(empty.routines.size).toBe(0);
  });

  test('function isolation level and view columns with unusual names', async () => {
    await withClient(db.url, async (client) => {
      await client.query(`create schema odd`);
      await client.query(`create table odd.base (id int primary key, "weird name" text, "{brace}" int, "(paren)" int, ":colon" int)`);
      await client.query(`create table odd.child (id int primary key, base_id int references odd.base (id))`);
      await client.query(`create view odd.v as select "(paren)", ":colon", id as "the id", "weird name", "{brace}", id as id_again from odd.base`);
      await client.query(`create view odd.vv as select "the id" as top_id, "weird name" from odd.v`);
      await client.query(`create function odd.f(a int) returns int language sql set default_transaction_isolation = 'repeatable read' as 'select a'`);
      const odd = await introspectSchemaCache(client, ['odd']);
      expect(odd.relations.get('odd.v')?.primaryKey).toEqual(['the id']);
      expect(odd.relations.get('odd.vv')?.primaryKey).toEqual(['top_id']);
      // a key exposed twice gives one relationship per exposing column (sorted by columns)
      expect((odd.relationships.get('odd.child') ?? []).filter((rel) => rel.target.name === 'v').map((rel) => rel.kind !== 'many-to-many' && rel.columns)).toEqual([
        [['base_id', 'id_again']],
        [['base_id', 'the id']],
      ]);
      expect(odd.routines.get('odd.f')?.[0]?.isolationLevel).toBe('repeatable read');
    });
  });
});
