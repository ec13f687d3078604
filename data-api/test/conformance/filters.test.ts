/**
 * Horizontal filtering (docs.postgrest.org "Tables and Views" › Operators, Logical operators,
 * Operator modifiers): every operator, `not.`, `or`/`and` nesting, `(any)`/`(all)`, filters
 * on JSON paths and on embedded resources, and the errors for a filter that cannot be parsed
 * or a value of the wrong type. Run directly and through PgBouncer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConformanceServer, type ConformanceServer } from './harness.ts';
import { expectError, request, rowsOf } from './read-support.ts';

describe.each([{ throughPgBouncer: false }, { throughPgBouncer: true }])('filters (PgBouncer: $throughPgBouncer)', (options) => {
  let server: ConformanceServer;
  beforeAll(async () => {
    server = await startConformanceServer(options);
  });
  afterAll(() => server?.close());

  /** Task ids matching a query string of filters (`priority=eq.1&…`). */
  async function taskIds(filters: string): Promise<number[]> {
    const rows = rowsOf(await request(server, `/tasks?select=id&order=id&${filters}`)) as Array<{ id: number }>;
    return rows.map((row) => row.id);
  }

  /** Asset names matching a query string of filters. */
  async function assetNames(filters: string): Promise<string[]> {
    const rows = rowsOf(await request(server, `/assets?select=name&order=name&${filters}`)) as Array<{ name: string }>;
    return rows.map((row) => row.name);
  }

  const ids = (rows: Array<{ id: number }> | null) => (rows ?? []).map((row) => row.id);

  describe('comparison operators', () => {
    it('answers each value of a filter asked again and again (the plan of the read is kept, the values are not)', async () => {
      const byPriority = async (priority: number, below: string) =>
        ids((await server.service.from('tasks').select('id').order('id').eq('priority', priority).lt('due_on', below)).data);
      const expected = new Map<string, number[]>();
      for (const [priority, below] of [[1, '2099-01-01'], [3, '2099-01-01'], [1, '2024-05-01'], [3, '2024-05-16']] as const) {
        expected.set(`${priority} ${below}`, await byPriority(priority, below));
      }
      expect(expected.get('1 2099-01-01')).toEqual([3, 5, 7]);
      for (let round = 0; round < 3; round++) {
        for (const [key, answer] of expected) {
          const [priority, below] = key.split(' ') as [string, string];
          expect(await byPriority(Number(priority), below), `${key}, round ${round}`).toEqual(answer);
        }
      }
    });

    it('eq, neq, gt, gte, lt, lte', async () => {
      const tasks = () => server.service.from('tasks').select('id').order('id');
      expect(ids((await tasks().eq('priority', 1)).data)).toEqual([3, 5, 7]);
      expect(ids((await tasks().neq('priority', 3)).data)).toEqual([2, 3, 5, 6, 7, 8, 10]);
      expect(ids((await tasks().gt('priority', 3)).data)).toEqual([6, 10]);
      expect(ids((await tasks().gte('priority', 3)).data)).toEqual([1, 4, 6, 9, 10]);
      expect(ids((await tasks().lt('due_on', '2024-05-01')).data)).toEqual([6, 9]);
      expect(ids((await tasks().lte('due_on', '2024-05-15')).data)).toEqual([2, 6, 9]);
    });

    it('compares enums, numerics and text through the column type', async () => {
      expect(await taskIds('status=eq.in_progress')).toEqual([4]);
      expect(await assetNames('purchase_price=gte.899.00')).toEqual(['Fridge', 'Gas boiler', 'Wood stove']);
      expect(await assetNames('category=eq.heating')).toEqual(['Gas boiler', 'Wood stove']);
    });

    it('like and ilike with * as the wildcard', async () => {
      const tasks = () => server.service.from('tasks').select('id').order('id');
      expect(ids((await tasks().like('title', '*filter*')).data)).toEqual([1, 2]);
      expect(ids((await tasks().like('title', '*FILTER*')).data)).toEqual([]);
      expect(ids((await tasks().ilike('title', '*FILTER*')).data)).toEqual([1, 2]);
      expect(ids((await tasks().ilike('title', 'clean%')).data)).toEqual([1, 6]);
    });

    it('match and imatch with POSIX regular expressions', async () => {
      const tasks = () => server.service.from('tasks').select('id').order('id');
      expect(ids((await tasks().regexMatch('title', '^(Clean|Sweep)')).data)).toEqual([1, 6, 7]);
      expect(ids((await tasks().regexMatch('title', '^clean')).data)).toEqual([]);
      expect(ids((await tasks().regexIMatch('title', '^clean')).data)).toEqual([1, 6]);
    });

    it('in, with quoted values holding commas, and the empty list', async () => {
      const { data } = await server.service.from('tasks').select('id').in('id', [1, 3, 5]).order('id');
      expect(ids(data)).toEqual([1, 3, 5]);
      const addresses = await server.service.from('properties').select('id').in('address', ['12 Maple Street, Lyon', '5 Rue Centrale, Paris']).order('id');
      expect(ids(addresses.data)).toEqual([1, 3]);
      expect(await taskIds('status=in.(done,skipped)')).toEqual([2, 6, 9]);
      expect(await taskIds('id=in.()')).toEqual([]);
    });

    it('is null, is not null, is true/false/unknown (case-insensitive)', async () => {
      const tasks = () => server.service.from('tasks').select('id').order('id');
      expect(ids((await tasks().is('assigned_to', null)).data)).toEqual([3, 6, 10]);
      expect(ids((await tasks().not('assigned_to', 'is', null)).data)).toEqual([1, 2, 4, 5, 7, 8, 9]);
      const people = async (filter: string) =>
        (rowsOf(await request(server, `/people?select=id&order=id&${filter}`)) as Array<{ id: number }>).map((row) => row.id);
      expect(await people('is_household=is.true')).toEqual([1, 2, 5]);
      expect(await people('is_household=is.FALSE')).toEqual([3, 4]);
      expect(await people('is_household=is.unknown')).toEqual([]);
      expect(await people('phone=is.NULL')).toEqual([5]);
    });

    it('compares whole arrays and ranges with eq and isdistinct', async () => {
      expect(await taskIds('labels=eq.{heating}')).toEqual([9]);
      expect(await taskIds('labels=isdistinct.{heating}')).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 10]);
      expect(await assetNames('lifespan_years=eq.[10,12)')).toEqual(['Water heater']);
    });

    it('isdistinct treats null as a value', async () => {
      const { data } = await server.service.from('tasks').select('id').isDistinct('assigned_to', 2).order('id');
      expect(ids(data)).toEqual([2, 3, 4, 6, 7, 8, 9, 10]);
      expect(await taskIds('assigned_to=neq.2')).toEqual([2, 4, 7, 8, 9]);
    });
  });

  describe('full-text search', () => {
    it('fts, plfts, phfts and wfts on a tsvector column', async () => {
      const assets = () => server.service.from('assets').select('name').order('name');
      const names = (rows: Array<{ name: string }> | null) => (rows ?? []).map((row) => row.name);
      expect(names((await assets().textSearch('search', 'filter')).data)).toEqual(['Dishwasher', 'Fridge']);
      expect(names((await assets().textSearch('search', 'filter & water')).data)).toEqual(['Fridge']);
      expect(names((await assets().textSearch('search', 'monthly cleaning', { type: 'plain' })).data)).toEqual(['Dishwasher']);
      expect(names((await assets().textSearch('search', 'water filter', { type: 'phrase' })).data)).toEqual(['Fridge']);
      expect(names((await assets().textSearch('search', 'filter -water', { type: 'websearch' })).data)).toEqual(['Dishwasher']);
    });

    it('takes a language, works on text columns and can be negated', async () => {
      expect(await assetNames('search=fts(english).filters')).toEqual(['Dishwasher', 'Fridge']);
      expect(await assetNames('notes=wfts(english).chimney')).toEqual(['Wood stove']);
      expect(await assetNames('notes=phfts(english).needs%20monthly')).toEqual(['Dishwasher']);
      expect(await assetNames('search=not.fts(english).filter')).toEqual(['Gas boiler', 'Smoke detector', 'Water heater', 'Wood stove']);
    });
  });

  describe('array, JSON and range operators', () => {
    it('cs, cd and ov on arrays', async () => {
      const tasks = () => server.service.from('tasks').select('id').order('id');
      expect(ids((await tasks().contains('labels', ['monthly'])).data)).toEqual([1, 5]);
      expect(ids((await tasks().contains('labels', ['heating', 'contractor'])).data)).toEqual([3, 7]);
      expect(ids((await tasks().containedBy('labels', ['kitchen', 'monthly', 'plumbing'])).data)).toEqual([1, 2, 4]);
      expect(ids((await tasks().overlaps('labels', ['winter', 'safety'])).data)).toEqual([5, 8]);
    });

    it('cs and cd on jsonb', async () => {
      const { data } = await server.service.from('properties').select('id').contains('details', { heating: 'gas' });
      expect(ids(data)).toEqual([1]);
      const cd = await server.service.from('properties').select('id').containedBy('details', { heating: 'wood', floors: 1, extra: true });
      expect(ids(cd.data)).toEqual([2]);
    });

    it('sl, sr, nxr, nxl, adj and ov on ranges', async () => {
      const assets = () => server.service.from('assets').select('name').order('name');
      const names = (rows: Array<{ name: string }> | null) => (rows ?? []).map((row) => row.name);
      // lifespans: Dishwasher [8,12) Fridge [10,15) Gas boiler [15,20) Water heater [10,12) Smoke detector [5,10) Wood stove [20,30)
      expect(names((await assets().rangeLt('lifespan_years', '[13,20)')).data)).toEqual(['Dishwasher', 'Smoke detector', 'Water heater']);
      expect(names((await assets().rangeGt('lifespan_years', '[1,10)')).data)).toEqual(['Fridge', 'Gas boiler', 'Water heater', 'Wood stove']);
      expect(names((await assets().rangeLte('lifespan_years', '[1,11)')).data)).toEqual(['Smoke detector']);
      expect(names((await assets().rangeGte('lifespan_years', '[15,16)')).data)).toEqual(['Gas boiler', 'Wood stove']);
      expect(names((await assets().rangeAdjacent('lifespan_years', '[12,15)')).data)).toEqual(['Dishwasher', 'Gas boiler', 'Water heater']);
      expect(names((await assets().overlaps('lifespan_years', '[11,13)')).data)).toEqual(['Dishwasher', 'Fridge', 'Water heater']);
    });
  });

  describe('JSON paths', () => {
    it('filter on ->> as text and on -> as JSON', async () => {
      expect(await assetNames('specs->>energy_class=eq.A%2B%2B')).toEqual(['Dishwasher']);
      expect(await assetNames('specs->>energy_class=like.A*')).toEqual(['Dishwasher', 'Fridge']);
      expect(await assetNames('specs->kw=gt.10')).toEqual(['Gas boiler']);
      expect(await assetNames('specs->litres=eq.200')).toEqual(['Water heater']);
      expect(await assetNames('specs->>kw=is.null&specs=not.is.null')).toEqual(['Dishwasher', 'Fridge', 'Water heater']);
    });

    it('filter on array elements and inside logic trees', async () => {
      const { data } = await server.service.from('tasks').select('id').eq('labels->>0', 'heating').order('id');
      expect(ids(data)).toEqual([3, 7, 9]);
      expect(await assetNames('or=(specs->>kw.eq.7,specs->>litres.eq.310)')).toEqual(['Fridge', 'Wood stove']);
    });
  });

  describe('negation and logic trees', () => {
    it('not. negates any operator', async () => {
      expect(await taskIds('priority=not.eq.3')).toEqual([2, 3, 5, 6, 7, 8, 10]);
      expect(await taskIds('id=not.in.(1,2,3,4,5,6,7,8)')).toEqual([9, 10]);
      expect(await taskIds('title=not.ilike.*e*')).toEqual([]);
      expect(await taskIds('labels=not.cs.{heating}')).toEqual([1, 2, 4, 5, 6, 8]);
    });

    it('or, and, and their nesting', async () => {
      const { data } = await server.service.from('tasks').select('id').or('priority.eq.1,status.eq.done').order('id');
      expect(ids(data)).toEqual([2, 3, 5, 7, 9]);
      expect(await taskIds('or=(and(priority.eq.1,status.eq.todo,assigned_to.not.is.null),id.eq.9)')).toEqual([5, 7, 9]);
      expect(await taskIds('and=(priority.eq.3,or(assigned_to.is.null,assigned_to.eq.5))')).toEqual([9]);
      expect(await taskIds('or=(id.in.(1,2),and(id.gte.9,or(labels.is.null,labels.cs.{heating})))')).toEqual([1, 2, 9, 10]);
    });

    it('not.or and not.and, and negated nested trees', async () => {
      expect(await taskIds('not.or=(priority.lt.3,status.eq.todo)')).toEqual([4, 6, 9]);
      expect(await taskIds('not.and=(status.eq.todo,priority.gt.1)')).toEqual([2, 3, 4, 5, 6, 7, 9]);
      expect(await taskIds('or=(id.eq.1,not.and(id.gt.2,id.lt.10))')).toEqual([1, 2, 10]);
    });

    it('combines logic trees with the other filters by AND', async () => {
      expect(await taskIds('property_id=eq.1&or=(priority.eq.1,labels.cs.{kitchen})')).toEqual([1, 2, 3, 5]);
      expect(await taskIds('or=(priority.eq.1,priority.eq.4)&or=(status.eq.todo,status.eq.done)')).toEqual([3, 5, 7, 10]);
    });

    it('allows whitespace around items, and quoted values in in-lists and patterns', async () => {
      expect(await taskIds('and=(%20and%20(%20id.in.(%201,%202,%203%20)%20,%20id.eq.3%20)%20,%20or%20(%20id.eq.2%20,%20id.eq.3%20)%20)')).toEqual([3]);
      expect(await taskIds('or=(id.in.("1","2"),title.like."*gutters",title.ilike."*CHIMNEY")')).toEqual([1, 2, 6, 7]);
    });

    it('takes quoted values and full-text search inside trees', async () => {
      expect(await taskIds('or=(title.eq."Clean gutters",title.eq."Bleed radiators")')).toEqual([6, 9]);
      const { data } = await server.service.from('assets').select('name').or('search.fts(english).chimney,notes.plfts.battery powered').order('name');
      expect(data).toEqual([{ name: 'Smoke detector' }, { name: 'Wood stove' }]);
    });
  });

  describe('operator modifiers', () => {
    it('like(any), like(all), ilike(any), ilike(all)', async () => {
      const tasks = () => server.service.from('tasks').select('id').order('id');
      expect(ids((await tasks().likeAnyOf('title', ['*gutters', '*chimney'])).data)).toEqual([6, 7]);
      expect(ids((await tasks().likeAllOf('title', ['Clean*', '*filter'])).data)).toEqual([1]);
      expect(ids((await tasks().ilikeAnyOf('title', ['clean*', 'sweep*'])).data)).toEqual([1, 6, 7]);
      expect(ids((await tasks().ilikeAllOf('title', ['*WATER*', '*FILTER'])).data)).toEqual([2]);
    });

    it('eq(any), gt(all) and the other quantifiable operators', async () => {
      expect(await taskIds('id=eq(any).{1,4,9}')).toEqual([1, 4, 9]);
      expect(await taskIds('priority=gt(all).{1,2}')).toEqual([1, 4, 6, 9, 10]);
      expect(await taskIds('priority=lte(any).{1,2}')).toEqual([2, 3, 5, 7, 8]);
      expect(await taskIds('title=match(any).{^Bleed,^Reseal}')).toEqual([9, 10]);
      expect(await taskIds('title=imatch(all).{clean,filter}')).toEqual([1]);
      expect(await taskIds('status=not.eq(any).{todo,done}')).toEqual([4, 6]);
    });
  });

  describe('filters on embedded resources', () => {
    it('filter the embedded rows, not the parent rows', async () => {
      const { data } = await server.service.from('properties').select('name,tasks(id)').eq('tasks.status', 'done').order('id');
      expect(data).toEqual([
        { name: 'Maple House', tasks: [{ id: 2 }] },
        { name: 'Lake Cabin', tasks: [] },
        { name: 'City Flat', tasks: [{ id: 9 }] },
      ]);
    });

    it('take or= trees on an embed (postgrest-js referencedTable)', async () => {
      const { data } = await server.service
        .from('people')
        .select('name,tasks!assigned_to(id)')
        .or('priority.eq.1,status.eq.done', { referencedTable: 'tasks' })
        .order('id')
        .limit(3);
      expect(data).toEqual([
        { name: 'Alice Martin', tasks: [{ id: 2 }] },
        { name: 'Sam Martin', tasks: [{ id: 5 }] },
        { name: 'Jo Plumber', tasks: [] },
      ]);
    });

    it('reach nested embeds by their path', async () => {
      const rows = rowsOf(
        await request(server, '/properties?select=name,zones(name,assets(name))&zones.assets.category=eq.heating&zones.floor=eq.0&zones.order=id&id=eq.1'),
      );
      expect(rows).toEqual([
        {
          name: 'Maple House',
          zones: [
            { name: 'Ground floor', assets: [] },
            { name: 'Kitchen', assets: [] },
            { name: 'Living room', assets: [] },
            { name: 'Garage', assets: [{ name: 'Gas boiler' }] },
          ],
        },
      ]);
    });

    it('answers 400 PGRST108 for a filter on a resource that is not embedded', async () => {
      expectError(await request(server, '/properties?select=name&tasks.status=eq.done'), 400, {
        code: 'PGRST108',
        details: null,
        hint: "Verify that 'tasks' is included in the 'select' query parameter.",
        message: "'tasks' is not an embedded resource in this request",
      });
    });
  });

  describe('errors', () => {
    it('answers 400 PGRST100 for an unknown operator', async () => {
      expectError(await request(server, '/tasks?id=foo.1'), 400, {
        code: 'PGRST100',
        details: 'unexpected "f" expecting "not" or operator (eq, gt, ...)',
        hint: null,
        message: '"failed to parse filter (foo.1)" (line 1, column 1)',
      });
    });

    it('answers 400 PGRST100 pointing into a mistyped operator', async () => {
      expectError(await request(server, '/tasks?priority=gtt.3'), 400, {
        code: 'PGRST100',
        details: 'unexpected "t" expecting operator (eq, gt, ...)',
        hint: null,
        message: '"failed to parse filter (gtt.3)" (line 1, column 3)',
      });
      expectError(await request(server, '/tasks?id=in(1,2)'), 400, {
        code: 'PGRST100',
        details: 'unexpected "(" expecting operator (eq, gt, ...)',
        hint: null,
        message: '"failed to parse filter (in(1,2))" (line 1, column 3)',
      });
    });

    it('answers 400 PGRST100 for is. with a value that is not null/true/false/unknown', async () => {
      expectError(await request(server, '/people?phone=is.nil'), 400, {
        code: 'PGRST100',
        details: 'unexpected "i" expecting isVal: (null, not_null, true, false, unknown)',
        hint: null,
        message: '"failed to parse filter (is.nil)" (line 1, column 5)',
      });
    });

    it('answers 400 PGRST100 for a logic tree it cannot parse', async () => {
      const response = await request(server, '/tasks?or=(id.eq.1,id.eq.2');
      expect(response.status).toBe(400);
      expect(response.json()).toMatchObject({ code: 'PGRST100', hint: null, message: '"failed to parse logic tree ((id.eq.1,id.eq.2)" (line 1, column 19)' });
    });

    it('answers 400 PGRST100 for an empty logic tree, word for word as PostgREST', async () => {
      expectError(await request(server, '/tasks?or=()'), 400, {
        code: 'PGRST100',
        details: 'unexpected ")" expecting field name (* or [a..z0..9_$]), negation operator (not) or logic operator (and, or)',
        hint: null,
        message: '"failed to parse logic tree (())" (line 1, column 4)',
      });
    });

    it('answers 400 with the Postgres error for a value of the wrong type', async () => {
      expectError(await request(server, '/tasks?id=eq.abc'), 400, {
        code: '22P02',
        details: null,
        hint: null,
        message: 'invalid input syntax for type integer: "abc"',
      });
      expectError(await request(server, '/tasks?status=eq.later'), 400, {
        code: '22P02',
        details: null,
        hint: null,
        message: 'invalid input value for enum task_status: "later"',
      });
    });
  });
});
