import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHavenProject, type HavenProject } from './haven-project.ts';

interface Health {
  score: number;
  overdue: number;
  due_soon: number;
  done_last_90_days: number;
  assets_without_tasks: number;
  low_supplies: number;
}

/**
 * Haven's screens, one call each: a property's dashboard and health score, and the calendar of
 * what is due across every property the caller belongs to.
 */
describe('Haven dashboards', () => {
  let haven: HavenProject;
  let owner: string;
  let member: string;
  let stranger: string;

  const property = async (caller: string, name: string) => (await haven.query<{ id: string }>(caller, `insert into properties (name) values ($1) returning id`, [name]))[0]!.id;
  const health = async (caller: string, id: string) => (await haven.query<{ health: Health }>(caller, `select house_health($1) as health`, [id]))[0]!.health;
  const addTask = (id: string, title: string, dueInDays: number, extra: { asset?: string; recurrence?: string; months?: number[] } = {}) =>
    haven.query<{ id: string }>(
      owner,
      `insert into maintenance_tasks (property_id, asset_id, title, recurrence, recurrence_months, next_due_on) values ($1, $2, $3, $4, $5, current_date + $6::int) returning id`,
      [id, extra.asset ?? null, title, extra.recurrence ?? null, extra.months ?? null, dueInDays],
    ).then((rows) => rows[0]!.id);

  beforeAll(async () => {
    haven = await createHavenProject();
    const [o, m, s] = [await haven.user('owner'), await haven.user('member'), await haven.user('stranger')];
    [owner, member, stranger] = [o.id, m.id, s.id];
  }, 60_000);
  afterAll(async () => {
    await haven?.close();
  });

  describe('house_health', () => {
    it('is 100 for a property with no tasks, and for one where nothing is late', async () => {
      const empty = await property(owner, 'Empty');
      expect(await health(owner, empty)).toEqual({ score: 100, overdue: 0, due_soon: 0, done_last_90_days: 0, assets_without_tasks: 0, low_supplies: 0 });
      // an asset that needs nothing is shown, not scored
      await haven.query(owner, `insert into assets (property_id, name) values ($1, 'Painting')`, [empty]);
      expect(await health(owner, empty)).toMatchObject({ score: 100, assets_without_tasks: 1 });

      const onTime = await property(owner, 'On time');
      await addTask(onTime, 'Soon', 3);
      await addTask(onTime, 'Later', 90);
      expect(await health(owner, onTime)).toEqual({ score: 100, overdue: 0, due_soon: 1, done_last_90_days: 0, assets_without_tasks: 0, low_supplies: 0 });
    });

    it('is low when everything is overdue, lower the later it is, and counts what was done and what runs short', async () => {
      const neglected = await property(owner, 'Neglected');
      await addTask(neglected, 'Gutters', -60);
      await addTask(neglected, 'Filter', -45);
      expect(await health(owner, neglected)).toMatchObject({ score: 20, overdue: 2 });
      for (let i = 0; i < 4; i += 1) await haven.query(owner, `insert into supplies (property_id, name, quantity, reorder_below) values ($1, $2, 0, 1)`, [neglected, `Part ${i}`]);
      expect(await health(owner, neglected)).toMatchObject({ score: 0, overdue: 2, low_supplies: 4 });

      // one task in four a day late: 80 × 0.5 / 4 ≈ 10 points
      const mostly = await property(owner, 'Mostly fine');
      await addTask(mostly, 'Late', -1);
      for (const title of ['A', 'B', 'C']) await addTask(mostly, title, 40);
      expect(await health(owner, mostly)).toMatchObject({ score: 90, overdue: 1, due_soon: 0 });

      const done = await addTask(mostly, 'Done lately', 0, { recurrence: '1 year' });
      await haven.query(owner, `select complete_task($1, current_date - 10)`, [done]);
      await haven.query(owner, `insert into logs (property_id, performed_on) values ($1, current_date - 120)`, [mostly]);
      expect(await health(owner, mostly)).toMatchObject({ done_last_90_days: 1 });
    });

    it('counts an asset as without tasks when none of its tasks is active, and due soon from today to 30 days on', async () => {
      const home = await property(owner, 'Edges');
      const asset = async (name: string) => (await haven.query<{ id: string }>(owner, `insert into assets (property_id, name) values ($1, $2) returning id`, [home, name]))[0]!.id;
      const [retired, undated] = [await asset('Retired'), await asset('Undated')];
      await asset('Idle');
      const old = await addTask(home, 'Old', -3, { asset: retired });
      await haven.query(owner, `update maintenance_tasks set active = false where id = $1`, [old]);
      const someday = await addTask(home, 'Someday', 0, { asset: undated });
      await haven.query(owner, `update maintenance_tasks set next_due_on = null where id = $1`, [someday]);
      for (const [title, days] of [['Today', 0], ['In 30', 30], ['In 31', 31], ['Yesterday', -1]] as const) await addTask(home, title, days);

      // Retired and Idle have no active task; Undated has one, with no date (not scheduled, not scored)
      const expected = { overdue: 1, due_soon: 2, assets_without_tasks: 2, low_supplies: 0, done_last_90_days: 0 };
      expect(await health(owner, home)).toMatchObject(expected);
      const [{ dashboard }] = (await haven.query<{ dashboard: Record<string, any> }>(owner, `select property_dashboard($1) as dashboard`, [home])) as [{ dashboard: Record<string, any> }];
      expect(dashboard.house_health).toEqual(await health(owner, home));
      expect(dashboard.overdue_tasks.map((task: { title: string }) => task.title)).toEqual(['Yesterday']);
      expect(dashboard.due_soon_tasks.map((task: { title: string; days_until_due: number }) => [task.title, task.days_until_due])).toEqual([['Today', 0], ['In 30', 30]]);
    });

    it('answers members only', async () => {
      const id = await property(owner, 'Private');
      expect(await haven.failure(stranger, `select house_health($1)`, [id])).toBe('P0002');
      expect(await haven.failure('anon', `select house_health($1)`, [id])).toBe('42501');
      expect(await haven.failure(owner, `select house_health(null)`)).toBe('22023');
      expect(await haven.failure(owner, `select house_health($1)`, [randomUUID()])).toBe('P0002');
      expect((await health('service_role' as string, id)).score).toBe(100);
    });
  });

  it('draws a property\'s first screen in one call', async () => {
    const home = await property(owner, 'Home');
    const { rows } = await haven.admin.query<{ email: string }>(`select email from auth.users where id = $1`, [member]);
    await haven.query(owner, `select invite_member($1, $2)`, [home, rows[0]!.email]);
    const zone = (await haven.query<{ id: string }>(owner, `insert into zones (property_id, name) values ($1, 'Basement') returning id`, [home]))[0]!.id;
    const furnace = (await haven.query<{ id: string }>(owner, `insert into assets (property_id, zone_id, name) values ($1, $2, 'Furnace') returning id`, [home, zone]))[0]!.id;
    await addTask(home, 'Replace filter', -5, { asset: furnace, recurrence: '3 months' });
    await addTask(home, 'Test alarms', 10, { recurrence: '1 month' });
    await addTask(home, 'Clean gutters', 45, { months: [4, 11] });
    const logged = await addTask(home, 'Flush heater', 200, { recurrence: '1 year' });
    for (let i = 0; i < 12; i += 1) await haven.query(member, `insert into logs (property_id, task_id, performed_on, notes) values ($1, $2, current_date - $3::int, $4)`, [home, logged, 100 - i, `log ${i}`]);
    await haven.query(owner, `insert into supplies (property_id, name, quantity, reorder_below) values ($1, 'Filter', 1, 1), ($1, 'Salt', 10, 2), ($1, 'Batteries', 5, null)`, [home]);
    await haven.query(member, `insert into captures (property_id, kind, body) values ($1, 'text', 'noise'), ($1, 'text', 'leak')`, [home]);
    await haven.query(member, `insert into captures (property_id, kind, body, status) values ($1, 'text', 'old', 'processed')`, [home]);
    await haven.query(owner, `insert into captures (property_id, kind, body) values ($1, 'text', 'the owner''s own')`, [home]);

    const [{ dashboard }] = (await haven.query<{ dashboard: Record<string, any> }>(member, `select property_dashboard($1) as dashboard`, [home])) as [{ dashboard: Record<string, any> }];
    expect(Object.keys(dashboard).sort()).toEqual(['due_soon_tasks', 'house_health', 'low_supplies', 'overdue_tasks', 'property', 'recent_logs', 'unprocessed_captures']);
    expect(dashboard.property).toMatchObject({ id: home, name: 'Home', owner_id: owner, my_role: 'member' });
    expect(dashboard.house_health).toEqual((await health(owner, home)));
    expect(dashboard.overdue_tasks).toEqual([expect.objectContaining({ title: 'Replace filter', asset_name: 'Furnace', zone_name: 'Basement', days_until_due: -5 })]);
    expect(dashboard.due_soon_tasks).toEqual([expect.objectContaining({ title: 'Test alarms', asset_name: null, zone_name: null, days_until_due: 10 })]);
    expect(dashboard.low_supplies.map((supply: { name: string }) => supply.name)).toEqual(['Filter']);
    expect(dashboard.recent_logs.map((log: { notes: string }) => log.notes)).toEqual(['log 11', 'log 10', 'log 9', 'log 8', 'log 7', 'log 6', 'log 5', 'log 4', 'log 3', 'log 2']);
    expect(dashboard.recent_logs[0]).toMatchObject({ task_title: 'Flush heater', created_by: member });
    // captures are personal: the member's two unprocessed ones
    expect(dashboard.unprocessed_captures).toBe(2);
    expect((await haven.query<{ d: { unprocessed_captures: number; property: { my_role: string } } }>(owner, `select property_dashboard($1) as d`, [home]))[0]!.d).toMatchObject({
      unprocessed_captures: 1,
      property: { my_role: 'owner' },
    });

    // the service key reads any property's dashboard; it has no captures of its own
    expect((await haven.query<{ d: { unprocessed_captures: number; property: { id: string } } }>('service_role', `select property_dashboard($1) as d`, [home]))[0]!.d).toMatchObject({
      unprocessed_captures: 0,
      property: { id: home },
    });
    expect(await haven.failure(stranger, `select property_dashboard($1)`, [home])).toBe('P0002');
    expect(await haven.failure('anon', `select property_dashboard($1)`, [home])).toBe('42501');
    expect(await haven.failure(owner, `select property_dashboard(null)`)).toBe('22023');
  });

  it('lists what is due across all the caller\'s properties, recurrences projected, for a calendar', async () => {
    const [first, second, theirs] = [await property(member, 'First'), await property(member, 'Second'), await property(stranger, 'Theirs')];
    await haven.query(member, `insert into maintenance_tasks (property_id, title, recurrence, next_due_on) values ($1, 'Weekly sweep', '7 days', current_date + 1)`, [first]);
    await haven.query(member, `insert into maintenance_tasks (property_id, title, next_due_on) values ($1, 'One-off', current_date + 20)`, [second]);
    await haven.query(member, `insert into maintenance_tasks (property_id, title, next_due_on, active) values ($1, 'Retired', current_date + 2, false)`, [second]);
    await haven.query(member, `insert into maintenance_tasks (property_id, title, recurrence, next_due_on) values ($1, 'Overdue monthly', '1 month', current_date - 3)`, [second]);
    await haven.query(stranger, `insert into maintenance_tasks (property_id, title, next_due_on) values ($1, 'Not yours', current_date + 3)`, [theirs]);

    const rows = await haven.query<{ title: string; offset: number; projected: boolean; property_name: string }>(
      member,
      `select title, due_on - current_date as offset, projected, property_name from upcoming_tasks(current_date, current_date + 21) where property_name in ('First', 'Second')`,
    );
    const [{ monthly }] = (await haven.query<{ monthly: number }>('anon', `select (current_date + interval '1 month')::date - current_date as monthly`)) as [{ monthly: number }];
    expect(rows).toEqual(
      [
        { title: 'Weekly sweep', offset: 1, projected: false, property_name: 'First' },
        { title: 'Weekly sweep', offset: 8, projected: true, property_name: 'First' },
        { title: 'Weekly sweep', offset: 15, projected: true, property_name: 'First' },
        { title: 'One-off', offset: 20, projected: false, property_name: 'Second' },
        // overdue before the range: not listed, but its next time (as if done today) is
        ...(monthly <= 21 ? [{ title: 'Overdue monthly', offset: monthly, projected: true, property_name: 'Second' }] : []),
      ].sort((a, b) => a.offset - b.offset),
    );
    // named arguments, as supabase-js sends them; defaults: the next 30 days
    expect(await haven.query(stranger, `select title from upcoming_tasks("to" => current_date + 5)`)).toEqual([{ title: 'Not yours' }]);
    expect((await haven.query(member, `select count(*)::int as n from upcoming_tasks() where title = 'Not yours'`))[0]).toEqual({ n: 0 });

    // the service key sees every household's calendar
    expect((await haven.query('service_role', `select count(*)::int as n from upcoming_tasks() where title in ('Not yours', 'One-off')`))[0]).toEqual({ n: 2 });
    expect(await haven.failure(member, `select * from upcoming_tasks(current_date, current_date - 1)`)).toBe('22023');
    expect(await haven.failure(member, `select * from upcoming_tasks(current_date, current_date + 400)`)).toBe('22023');
    expect(await haven.failure(member, `select * from upcoming_tasks(null, current_date)`)).toBe('22023');
    expect(await haven.failure('anon', `select * from upcoming_tasks()`)).toBe('42501');
  });
});
