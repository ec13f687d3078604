/**
 * Resource embedding (docs.postgrest.org "Resource Embedding"): many-to-one, one-to-many,
 * one-to-one, many-to-many through the junction, self-references, views, nesting, aliases,
 * `!inner`/`!left`, disambiguation hints, filters/order/limit inside embeds, `embed=is.null`,
 * empty embeds, spreads, related orders, and the PGRST200/201/118/119 errors with PostgREST's
 * exact bodies. Run directly and through PgBouncer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConformanceServer, type ConformanceServer } from './harness.ts';
import { expectError, request, rowsOf } from './read-support.ts';

describe.each([{ throughPgBouncer: false }, { throughPgBouncer: true }])('resource embedding (PgBouncer: $throughPgBouncer)', (options) => {
  let server: ConformanceServer;
  beforeAll(async () => {
    server = await startConformanceServer(options);
  });
  afterAll(() => server?.close());

  const rows = async (path: string) => rowsOf(await request(server, path));

  describe('cardinalities', () => {
    it('embeds many-to-one as an object', async () => {
      const { data, error } = await server.service.from('tasks').select('id,properties(name,kind)').in('id', [1, 7]).order('id');
      expect(error).toBeNull();
      expect(data).toEqual([
        { id: 1, properties: { name: 'Maple House', kind: 'house' } },
        { id: 7, properties: { name: 'Lake Cabin', kind: 'cabin' } },
      ]);
    });

    it('embeds a many-to-one with a null foreign key as null', async () => {
      const { data } = await server.service.from('tasks').select('id,assets(name)').in('id', [5, 6]).order('id');
      expect(data).toEqual([
        { id: 5, assets: { name: 'Smoke detector' } },
        { id: 6, assets: null },
      ]);
    });

    it('embeds one-to-many as an array, empty when there are no rows', async () => {
      const { data } = await server.service.from('properties').select('name,zones(name)').order('id').order('id', { referencedTable: 'zones' });
      expect(data).toEqual([
        {
          name: 'Maple House',
          zones: [
            { name: 'Ground floor' },
            { name: 'Kitchen' },
            { name: 'Living room' },
            { name: 'First floor' },
            { name: 'Bathroom' },
            { name: 'Bedroom' },
            { name: 'Garage' },
          ],
        },
        { name: 'Lake Cabin', zones: [{ name: 'Main room' }] },
        { name: 'City Flat', zones: [{ name: 'Flat' }, { name: 'Kitchenette' }] },
      ]);
      const withoutTasks = await server.service.from('assets').select('name,tasks(id)').eq('name', 'Wood stove').eq('tasks.status', 'done');
      expect(withoutTasks.data).toEqual([{ name: 'Wood stove', tasks: [] }]);
      const junctionRows = await server.service.from('supplies').select('name,asset_supplies(quantity)').eq('id', 5);
      expect(junctionRows.data).toEqual([{ name: 'Chimney brush', asset_supplies: [{ quantity: 1 }] }]);
    });

    it('embeds one-to-one as an object from both sides', async () => {
      const { data } = await server.service.from('properties').select('name,property_settings(currency,reminders_enabled)').order('id');
      expect(data).toEqual([
        { name: 'Maple House', property_settings: { currency: 'EUR', reminders_enabled: true } },
        { name: 'Lake Cabin', property_settings: null },
        { name: 'City Flat', property_settings: { currency: 'EUR', reminders_enabled: false } },
      ]);
      const back = await server.service.from('property_settings').select('timezone,properties(name)').order('property_id');
      expect(back.data).toEqual([
        { timezone: 'Europe/Paris', properties: { name: 'Maple House' } },
        { timezone: 'Europe/Paris', properties: { name: 'City Flat' } },
      ]);
    });

    it('embeds many-to-many through the junction, both ways', async () => {
      const { data } = await server.service.from('assets').select('name,supplies(name,unit)').in('name', ['Dishwasher', 'Water heater']).order('name');
      expect(data).toEqual([
        { name: 'Dishwasher', supplies: [{ name: 'Dishwasher salt', unit: 'kg' }] },
        { name: 'Water heater', supplies: [{ name: 'Boiler filter', unit: 'piece' }] },
      ]);
      const back = await server.service.from('supplies').select('name,assets(name)').eq('id', 3).order('name', { referencedTable: 'assets' });
      expect(back.data).toEqual([{ name: 'Boiler filter', assets: [{ name: 'Gas boiler' }, { name: 'Water heater' }] }]);
    });

    it('embeds the junction itself, and the far side through it', async () => {
      expect(await rows('/assets?select=name,asset_supplies(quantity,supplies(name))&name=eq.Dishwasher')).toEqual([
        { name: 'Dishwasher', asset_supplies: [{ quantity: 2, supplies: { name: 'Dishwasher salt' } }] },
      ]);
    });
  });

  describe('self-references', () => {
    it('embeds children by the table name and the parent by the foreign key column', async () => {
      const { data } = await server.service.from('zones').select('name,children:zones(name),parent:parent_zone_id(name)')
        .in('id', [4, 5])
        .order('id')
        .order('id', { referencedTable: 'children' });
      expect(data).toEqual([
        { name: 'First floor', children: [{ name: 'Bathroom' }, { name: 'Bedroom' }], parent: null },
        { name: 'Bathroom', children: [], parent: { name: 'First floor' } },
      ]);
    });

    it('embeds children with the hint of the referencing column', async () => {
      expect(await rows('/zones?select=name,rooms:zones!parent_zone_id(name)&id=eq.9')).toEqual([{ name: 'Flat', rooms: [{ name: 'Kitchenette' }] }]);
    });
  });

  describe('views', () => {
    it('embeds through the foreign keys of the tables under a view', async () => {
      const { data } = await server.service.from('open_tasks').select('id,properties(name),assets(name)').eq('property_id', 2).order('id');
      expect(data).toEqual([
        { id: 7, properties: { name: 'Lake Cabin' }, assets: { name: 'Wood stove' } },
        { id: 8, properties: { name: 'Lake Cabin' }, assets: null },
      ]);
      const back = await server.service.from('properties').select('name,open_tasks(id)').eq('id', 3);
      expect(back.data).toEqual([{ name: 'City Flat', open_tasks: [{ id: 10 }] }]);
    });

    it('embeds through an aggregating view and a materialized view', async () => {
      expect(await rows('/property_summaries?select=name,tasks(id)&property_id=eq.2&tasks.order=id')).toEqual([{ name: 'Lake Cabin', tasks: [{ id: 7 }, { id: 8 }] }]);
      expect(await rows('/tasks?select=id,property_summaries(task_count)&id=eq.9')).toEqual([{ id: 9, property_summaries: { task_count: 2 } }]);
      expect(await rows('/asset_supplies?select=quantity,supply_usage(name,total_quantity)&supply_id=eq.1')).toEqual([
        { quantity: 2, supply_usage: { name: 'Dishwasher salt', total_quantity: 2 } },
      ]);
    });

    it('embeds a partitioned table both ways, but not its partitions', async () => {
      const { data } = await server.service.from('properties').select('name,activity(action)').order('id').order('occurred_at', { referencedTable: 'activity' });
      expect(data).toEqual([
        { name: 'Maple House', activity: [{ action: 'task.created' }, { action: 'task.completed' }] },
        { name: 'Lake Cabin', activity: [{ action: 'property.updated' }] },
        { name: 'City Flat', activity: [] },
      ]);
      expect(await rows('/activity?select=action,properties(name)&order=occurred_at&limit=1')).toEqual([{ action: 'task.created', properties: { name: 'Maple House' } }]);
      const partition = await request(server, '/properties?select=name,activity_2024(action)');
      expect(partition.status).toBe(400);
      expect(partition.json()).toMatchObject({ code: 'PGRST200', message: "Could not find a relationship between 'properties' and 'activity_2024' in the schema cache" });
    });

    it('embeds a view over a private table and goes on from it', async () => {
      const { data } = await server.anon.from('tasks').select('id,contractors(company_name,people(name))').not('contractor_id', 'is', null).order('id');
      expect(data).toEqual([
        { id: 3, contractors: { company_name: 'Plomberie Jo', people: { name: 'Jo Plumber' } } },
        { id: 4, contractors: { company_name: 'Plomberie Jo', people: { name: 'Jo Plumber' } } },
        { id: 7, contractors: { company_name: 'Kim Électricité', people: { name: 'Kim Electric' } } },
      ]);
    });
  });

  describe('nesting and aliases', () => {
    it('nests embeds at any depth', async () => {
      const { data } = await server.service
        .from('properties')
        .select('name,zones(name,assets(name,tasks(title)))')
        .eq('id', 2);
      expect(data).toEqual([
        { name: 'Lake Cabin', zones: [{ name: 'Main room', assets: [{ name: 'Wood stove', tasks: [{ title: 'Sweep chimney' }] }] }] },
      ]);
    });

    it('renames embeds with alias:relation and embeds one table twice', async () => {
      const { data } = await server.service
        .from('tasks')
        .select('id,home:properties(name),creator:people!created_by(name),assignee:people!assigned_to(name)')
        .in('id', [1, 3])
        .order('id');
      expect(data).toEqual([
        { id: 1, home: { name: 'Maple House' }, creator: { name: 'Alice Martin' }, assignee: { name: 'Sam Martin' } },
        { id: 3, home: { name: 'Maple House' }, creator: { name: 'Alice Martin' }, assignee: null },
      ]);
    });

    it('selects * of the parent beside an embed', async () => {
      expect(await rows('/people?select=*,tasks!created_by(id)&id=eq.5&tasks.order=id')).toEqual([
        { id: 5, name: 'Bruno Keller', phone: null, is_household: true, tasks: [{ id: 9 }, { id: 10 }] },
      ]);
    });
  });

  describe('disambiguation', () => {
    it('answers 300 PGRST201 when two foreign keys join the same tables', async () => {
      const { error, status, data } = await server.service.from('tasks').select('id,people(name)');
      expect({ status, data }).toEqual({ status: 300, data: null });
      expect(error).toEqual({
        code: 'PGRST201',
        details: [
          {
            cardinality: 'many-to-one',
            embedding: 'tasks with people',
            relationship: 'tasks_assigned_to_fkey using tasks(assigned_to) and people(id)',
          },
          {
            cardinality: 'many-to-one',
            embedding: 'tasks with people',
            relationship: 'tasks_created_by_fkey using tasks(created_by) and people(id)',
          },
        ],
        hint: "Try changing 'people' to one of the following: 'people!tasks_assigned_to_fkey', 'people!tasks_created_by_fkey'. Find the desired relationship in the 'details' key.",
        message: "Could not embed because more than one relationship was found for 'tasks' and 'people'",
      });
    });

    it('answers PGRST201 from the one-to-many side too', async () => {
      expectError(await request(server, '/people?select=name,tasks(id)'), 300, {
        code: 'PGRST201',
        details: [
          {
            cardinality: 'one-to-many',
            embedding: 'people with tasks',
            relationship: 'tasks_assigned_to_fkey using people(id) and tasks(assigned_to)',
          },
          {
            cardinality: 'one-to-many',
            embedding: 'people with tasks',
            relationship: 'tasks_created_by_fkey using people(id) and tasks(created_by)',
          },
        ],
        hint: "Try changing 'tasks' to one of the following: 'tasks!tasks_assigned_to_fkey', 'tasks!tasks_created_by_fkey'. Find the desired relationship in the 'details' key.",
        message: "Could not embed because more than one relationship was found for 'people' and 'tasks'",
      });
    });

    it('resolves with the foreign key name, a column, or the foreign key as the target', async () => {
      const expected = [{ id: 4, people: { name: 'Sam Martin' } }];
      expect(await rows('/tasks?select=id,people!tasks_created_by_fkey(name)&id=eq.4')).toEqual(expected);
      expect(await rows('/tasks?select=id,people!created_by(name)&id=eq.4')).toEqual(expected);
      expect(await rows('/tasks?select=id,tasks_created_by_fkey(name)&id=eq.4')).toEqual([{ id: 4, tasks_created_by_fkey: { name: 'Sam Martin' } }]);
      expect(await rows('/tasks?select=id,assigned_to(name)&id=eq.4')).toEqual([{ id: 4, assigned_to: { name: 'Jo Plumber' } }]);
      expect(await rows('/people?select=name,tasks!assigned_to(id)&id=eq.3')).toEqual([{ name: 'Jo Plumber', tasks: [{ id: 4 }] }]);
    });

    it('resolves many-to-many with the junction as the hint', async () => {
      expect(await rows('/assets?select=name,supplies!asset_supplies(name)&name=eq.Fridge')).toEqual([
        { name: 'Fridge', supplies: [{ name: 'Fridge water filter' }] },
      ]);
    });

    it('answers 400 PGRST200 when no relationship exists, with a suggestion when a name is close', async () => {
      const { error, status } = await server.service.from('tasks').select('id,peeple(name)');
      expect(status).toBe(400);
      expect(error).toEqual({
        code: 'PGRST200',
        details: "Searched for a foreign key relationship between 'tasks' and 'peeple' in the schema 'api', but no matches were found.",
        hint: "Perhaps you meant 'people' instead of 'peeple'.",
        message: "Could not find a relationship between 'tasks' and 'peeple' in the schema cache",
      });
      expectError(await request(server, '/readings?select=value,people(name)'), 400, {
        code: 'PGRST200',
        details: "Searched for a foreign key relationship between 'readings' and 'people' in the schema 'api', but no matches were found.",
        hint: null,
        message: "Could not find a relationship between 'readings' and 'people' in the schema cache",
      });
    });

    it('answers PGRST200 naming the hint when the hint matches nothing', async () => {
      expectError(await request(server, '/tasks?select=id,people!nobody(name)'), 400, {
        code: 'PGRST200',
        details: "Searched for a foreign key relationship between 'tasks' and 'people' using the hint 'nobody' in the schema 'api', but no matches were found.",
        hint: null,
        message: "Could not find a relationship between 'tasks' and 'people' in the schema cache",
      });
    });
  });

  describe('join types and embedded null filters', () => {
    it('!inner keeps only parents with matching embedded rows', async () => {
      const { data } = await server.service.from('properties').select('name,tasks!inner(id)').eq('tasks.status', 'done').order('id');
      expect(data).toEqual([
        { name: 'Maple House', tasks: [{ id: 2 }] },
        { name: 'City Flat', tasks: [{ id: 9 }] },
      ]);
      const toOne = await server.service.from('tasks').select('id,properties!inner(name)').eq('properties.kind', 'cabin').order('id');
      expect(toOne.data).toEqual([
        { id: 7, properties: { name: 'Lake Cabin' } },
        { id: 8, properties: { name: 'Lake Cabin' } },
      ]);
    });

    it('!left (the default) keeps every parent', async () => {
      expect(await rows('/properties?select=name,tasks!left(id)&tasks.status=eq.skipped&order=id')).toEqual([
        { name: 'Maple House', tasks: [{ id: 6 }] },
        { name: 'Lake Cabin', tasks: [] },
        { name: 'City Flat', tasks: [] },
      ]);
    });

    it('embed=not.is.null acts like !inner and embed=is.null keeps the parents without match', async () => {
      expect(await rows('/properties?select=name,tasks(id)&tasks.status=eq.done&tasks=not.is.null&order=id')).toEqual([
        { name: 'Maple House', tasks: [{ id: 2 }] },
        { name: 'City Flat', tasks: [{ id: 9 }] },
      ]);
      expect(await rows('/properties?select=name,tasks(id)&tasks.status=eq.done&tasks=is.null')).toEqual([{ name: 'Lake Cabin', tasks: [] }]);
      expect(await rows('/properties?select=name,property_settings(currency)&property_settings=is.null')).toEqual([
        { name: 'Lake Cabin', property_settings: null },
      ]);
    });

    it('an empty embed filters without being selected', async () => {
      expect(await rows('/people?select=name,tasks!created_by()&tasks.priority=eq.1&tasks=not.is.null&order=id')).toEqual([
        { name: 'Alice Martin' },
        { name: 'Sam Martin' },
      ]);
    });

    it('or= across parent columns and embedded nulls', async () => {
      expect(await rows('/tasks?select=id,assets(id)&or=(assets.is.null,priority.eq.1)&order=id')).toEqual([
        { id: 3, assets: { id: 'a0000000-0000-4000-8000-000000000003' } },
        { id: 5, assets: { id: 'a0000000-0000-4000-8000-000000000005' } },
        { id: 6, assets: null },
        { id: 7, assets: { id: 'a0000000-0000-4000-8000-000000000006' } },
        { id: 8, assets: null },
        { id: 9, assets: null },
        { id: 10, assets: null },
      ]);
    });

    it('reads any other operator on an embed\'s name as a filter on the column of that name, as PostgREST does', async () => {
      expectError(await request(server, '/properties?select=name,tasks(id)&tasks=eq.1'), 400, {
        code: '42703',
        details: null,
        hint: 'Perhaps you meant to reference the column "properties.tags".',
        message: 'column properties.tasks does not exist',
      });
    });
  });

  describe('modifiers inside embeds', () => {
    it('orders and limits the embedded rows', async () => {
      const { data } = await server.service
        .from('properties')
        .select('name,tasks(id,priority)')
        .eq('id', 1)
        .order('priority', { referencedTable: 'tasks' })
        .order('id', { referencedTable: 'tasks', ascending: false })
        .limit(3, { referencedTable: 'tasks' });
      expect(data).toEqual([
        {
          name: 'Maple House',
          tasks: [
            { id: 5, priority: 1 },
            { id: 3, priority: 1 },
            { id: 2, priority: 2 },
          ],
        },
      ]);
    });

    it('offsets embedded rows and orders nested levels', async () => {
      expect(await rows('/properties?select=name,zones(name)&id=eq.1&zones.order=name.desc&zones.limit=2&zones.offset=1')).toEqual([
        { name: 'Maple House', zones: [{ name: 'Kitchen' }, { name: 'Ground floor' }] },
      ]);
      expect(await rows('/zones?select=name,assets(name,tasks(id))&id=eq.2&assets.order=name.desc&assets.tasks.order=id.desc')).toEqual([
        { name: 'Kitchen', assets: [{ name: 'Fridge', tasks: [{ id: 2 }] }, { name: 'Dishwasher', tasks: [{ id: 1 }] }] },
      ]);
    });

    it('addresses an aliased embed by its alias', async () => {
      expect(await rows('/tasks?select=id,creator:people!created_by(name),assignee:people!assigned_to(name)&assignee.is_household=is.false&id=in.(1,4)&order=id')).toEqual([
        { id: 1, creator: { name: 'Alice Martin' }, assignee: null },
        { id: 4, creator: { name: 'Sam Martin' }, assignee: { name: 'Jo Plumber' } },
      ]);
    });
  });

  describe('related order', () => {
    it('orders parents by a column of a to-one embed', async () => {
      const { data } = await server.service.from('tasks').select('id,properties(name)').order('properties(name)', { ascending: false }).order('id').limit(4);
      expect(data).toEqual([
        { id: 1, properties: { name: 'Maple House' } },
        { id: 2, properties: { name: 'Maple House' } },
        { id: 3, properties: { name: 'Maple House' } },
        { id: 4, properties: { name: 'Maple House' } },
      ]);
      expect(await rows('/tasks?select=id,assignee:people!assigned_to(name)&order=assignee(name).nullsfirst,id&limit=4')).toEqual([
        { id: 3, assignee: null },
        { id: 6, assignee: null },
        { id: 10, assignee: null },
        { id: 2, assignee: { name: 'Alice Martin' } },
      ]);
    });

    it('answers 400 PGRST118 for a related order on a to-many embed', async () => {
      expectError(await request(server, '/properties?select=name,tasks(id)&order=tasks(id)'), 400, {
        code: 'PGRST118',
        details: "'properties' and 'tasks' do not form a many-to-one or one-to-one relationship",
        hint: null,
        message: "A related order on 'tasks' is not possible",
      });
    });

    it('answers 400 PGRST108 for a related order on a resource that is not embedded', async () => {
      expectError(await request(server, '/tasks?select=id&order=properties(name)'), 400, {
        code: 'PGRST108',
        details: null,
        hint: "Verify that 'properties' is included in the 'select' query parameter.",
        message: "'properties' is not an embedded resource in this request",
      });
    });
  });

  describe('spread', () => {
    it('lifts the columns of a to-one embed into the parent', async () => {
      const { data } = await server.service.from('tasks').select('id,...properties(property:name,kind)').in('id', [1, 9]).order('id');
      expect(data).toEqual([
        { id: 1, property: 'Maple House', kind: 'house' },
        { id: 9, property: 'City Flat', kind: 'apartment' },
      ]);
    });

    it('spreads nested to-one embeds and keeps to-many embeds inside a spread', async () => {
      expect(await rows('/tasks?select=id,...contractors(company_name,...people(contact:name))&id=eq.7')).toEqual([
        { id: 7, company_name: 'Kim Électricité', contact: 'Kim Electric' },
      ]);
      expect(await rows('/tasks?select=id,...assets(asset:name,supplies(name))&id=eq.1')).toEqual([
        { id: 1, asset: 'Dishwasher', supplies: [{ name: 'Dishwasher salt' }] },
      ]);
    });

    it('spreads a to-many embed as one array per column, in the embed\'s order (PostgREST 13)', async () => {
      const { data, error } = await server.service
        .from('properties')
        .select('name,...tasks(task:title,priority)')
        .in('id', [2, 3])
        .order('id')
        .order('id', { referencedTable: 'tasks' });
      expect(error).toBeNull();
      expect(data).toEqual([
        { name: 'Lake Cabin', task: ['Sweep chimney', 'Drain water pipes for winter'], priority: [1, 2] },
        { name: 'City Flat', task: ['Bleed radiators', 'Reseal bathroom'], priority: [3, 4] },
      ]);
      // no rows: empty arrays; a to-one spread inside: its columns as arrays too
      expect(await rows('/properties?select=id,...tasks(task:id,...people!created_by(creator:name))&id=eq.3&tasks.status=eq.skipped')).toEqual([{ id: 3, task: [], creator: [] }]);
      expect(await rows('/properties?select=id,...tasks(task:id,...people!created_by(creator:name))&id=eq.3&tasks.order=id')).toEqual([
        { id: 3, task: [9, 10], creator: ['Bruno Keller', 'Bruno Keller'] },
      ]);
    });
  });
});
