import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHavenProject, sqlState, type HavenProject } from './haven-project.ts';

interface Task {
  id: string;
  next_due_on: string | null;
  last_done_on: string | null;
  active: boolean;
}

/**
 * Haven's recurring maintenance on PostgreSQL: completing a task logs it, uses up supplies and
 * schedules the next time, once per request however often a phone retries and however many
 * members complete it at once; tasks can be snoozed or skipped, and assets come from the catalogue
 * with their maintenance already scheduled.
 */
describe('Haven maintenance', () => {
  let haven: HavenProject;
  let owner: string;
  let member: string;
  let stranger: string;
  let house: string;
  let otherHouse: string;

  const task = async (fields: { recurrence?: string; months?: number[]; due?: string; property?: string } = {}): Promise<string> =>
    (
      await haven.query<{ id: string }>(
        owner,
        `insert into maintenance_tasks (property_id, title, recurrence, recurrence_months, next_due_on) values ($1, 'Task', $2, $3, $4) returning id`,
        [fields.property ?? house, fields.recurrence ?? null, fields.months ?? null, fields.due ?? haven.today],
      )
    )[0]!.id;
  const complete = async (caller: string, args: string, values: unknown[]): Promise<Task> => (await haven.query<Task>(caller, `select * from complete_task(${args})`, values))[0]!;
  const days = (date: string, n: number) => {
    const day = new Date(`${date}T00:00:00Z`);
    day.setUTCDate(day.getUTCDate() + n);
    return day.toISOString().slice(0, 10);
  };

  beforeAll(async () => {
    haven = await createHavenProject();
    const [o, m, s] = [await haven.user('owner'), await haven.user('member'), await haven.user('stranger')];
    [owner, member, stranger] = [o.id, m.id, s.id];
    house = (await haven.query<{ id: string }>(owner, `insert into properties (name) values ('House') returning id`))[0]!.id;
    otherHouse = (await haven.query<{ id: string }>(stranger, `insert into properties (name) values ('Other') returning id`))[0]!.id;
    await haven.query(owner, `select invite_member($1, $2)`, [house, m.email]);
  }, 60_000);
  afterAll(async () => {
    await haven?.close();
  });

  it('computes due dates: months clamp to their end, seasons come back on the 1st of the next listed month', async () => {
    const [dates] = await haven.query('anon', `select
      next_due_date('1 month', null, '2027-01-31')::text as jan31_month,
      next_due_date('1 month', null, '2028-01-31')::text as leap_jan31_month,
      next_due_date('1 year', null, '2028-02-29')::text as leap_day_year,
      next_due_date('3 months', null, '2027-11-30')::text as nov30_quarter,
      next_due_date('2 weeks', null, '2027-12-25')::text as two_weeks,
      next_due_date('10 days', null, '2027-02-25')::text as ten_days,
      next_due_date(null, '{4,11}', '2027-04-15')::text as april_done,
      next_due_date(null, '{4,11}', '2027-03-31')::text as before_april,
      next_due_date(null, '{11,4}', '2027-11-01')::text as on_november,
      next_due_date(null, '{4,11}', '2027-12-01')::text as december,
      next_due_date(null, null, '2027-01-01')::text as one_off`);
    expect(dates).toEqual({
      jan31_month: '2027-02-28',
      leap_jan31_month: '2028-02-29',
      leap_day_year: '2029-02-28',
      nov30_quarter: '2028-02-29',
      two_weeks: '2028-01-08',
      ten_days: '2027-03-07',
      april_done: '2027-11-01',
      before_april: '2027-04-01',
      on_november: '2028-04-01',
      december: '2028-04-01',
      one_off: null,
    });
    // a schedule is whole days, and either an interval or months
    expect(await haven.failure(owner, `insert into maintenance_tasks (property_id, title, recurrence) values ($1, 'x', '36 hours')`, [house])).toBe('23514');
    expect(await haven.failure(owner, `insert into maintenance_tasks (property_id, title, recurrence_months) values ($1, 'x', '{13}')`, [house])).toBe('23514');
    expect(await haven.failure(owner, `insert into maintenance_tasks (property_id, title, recurrence, recurrence_months) values ($1, 'x', '1 year', '{4}')`, [house])).toBe('23514');
  });

  it('completes a task in one transaction: the log, the supplies used, last_done_on and the next due date', async () => {
    const id = await task({ recurrence: '1 month', due: '2027-01-31' });
    const filter = (
      await haven.query<{ id: string }>(owner, `insert into supplies (property_id, name, quantity, reorder_below) values ($1, 'Filter', 3, 1) returning id`, [house])
    )[0]!.id;
    const gloves = (await haven.query<{ id: string }>(owner, `insert into supplies (property_id, name, quantity) values ($1, 'Gloves', 1) returning id`, [house]))[0]!.id;

    const used = [{ supply_id: filter, quantity: 1 }, { supply_id: gloves, quantity: 5 }, { supply_id: filter, quantity: 0.5 }];
    // done on January 31 of last year: due again on the last day of February
    const year = Number(haven.today.slice(0, 4)) - 1;
    const february = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
    const done = await complete(member, `$1, $3::date, 'swapped it', 24.5, $2::jsonb`, [id, JSON.stringify(used), `${year}-01-31`]);
    expect(done).toMatchObject({ id, last_done_on: `${year}-01-31`, next_due_on: `${year}-02-${february}`, active: true });
    expect(await haven.query(owner, `select name, quantity::float as quantity from supplies where id = any($1) order by name`, [[filter, gloves]])).toEqual([
      { name: 'Filter', quantity: 1.5 },
      // more used than stocked leaves none
      { name: 'Gloves', quantity: 0 },
    ]);
    expect(await haven.query(owner, `select performed_on::text, notes, cost::float as cost, created_by, supplies_used from logs where task_id = $1`, [id])).toEqual([
      { performed_on: `${year}-01-31`, notes: 'swapped it', cost: 24.5, created_by: member, supplies_used: used },
    ]);

    // completed late: the next time counts from the day it was done, not from the old due date
    expect(await complete(owner, `$1, $2::date`, [id, days(haven.today, -3)])).toMatchObject({ last_done_on: days(haven.today, -3) });
    const late = await haven.query<{ due: string }>(owner, `select (($1::date + interval '1 month')::date)::text as due`, [days(haven.today, -3)]);
    expect((await haven.query<Task>(owner, `select next_due_on from maintenance_tasks where id = $1`, [id]))[0]).toEqual({ next_due_on: late[0]!.due });
    // today by default; a completion dated before the last one is history and moves nothing
    const today = await complete(owner, `$1`, [id]);
    expect(today.last_done_on).toBe(haven.today);
    const history = await complete(owner, `$1, '2020-05-05'`, [id]);
    expect(history).toMatchObject({ last_done_on: haven.today, next_due_on: today.next_due_on });
    expect((await haven.query(owner, `select count(*)::int as n from logs where task_id = $1`, [id]))[0]).toEqual({ n: 4 });
  });

  it('schedules seasonal tasks by their months and retires one-off tasks', async () => {
    const gutters = await task({ months: [4, 11], due: '2027-04-01' });
    // done a few days before it is due: the next season after the due date
    const early = await haven.query<Task>(owner, `update maintenance_tasks set next_due_on = $2 where id = $1 returning id`, [gutters, days(haven.today, 4)]);
    expect(early).toHaveLength(1);
    const seasonal = await complete(owner, `$1`, [gutters]);
    const [expected] = await haven.query<{ due: string }>('anon', `select next_due_date(null, '{4,11}', $1::date)::text as due`, [days(haven.today, 4)]);
    expect(seasonal).toMatchObject({ last_done_on: haven.today, next_due_on: expected!.due, active: true });

    const once = await task();
    expect(await complete(member, `$1`, [once])).toMatchObject({ last_done_on: haven.today, next_due_on: null, active: false });
  });

  it('refuses bad arguments with 22023, strangers with P0002 and the signed-out with 42501', async () => {
    const id = await task({ recurrence: '1 year' });
    const foreignSupply = (await haven.query<{ id: string }>(stranger, `insert into supplies (property_id, name, quantity) values ($1, 'Theirs', 5) returning id`, [otherHouse]))[0]!.id;
    const bad: Array<[string, unknown[]]> = [
      [`null`, []],
      [`$1, null`, [id]],
      [`$1, current_date + 5`, [id]],
      [`$1, cost => -1`, [id]],
      [`$1, cost => 1e12`, [id]],
      [`$1, supplies_used => '{"supply_id": "x"}'`, [id]],
      [`$1, supplies_used => '[{"supply_id": "not a uuid", "quantity": 1}]'`, [id]],
      [`$1, supplies_used => $2::jsonb`, [id, JSON.stringify([{ supply_id: foreignSupply, quantity: 0 }])]],
      [`$1, supplies_used => $2::jsonb`, [id, JSON.stringify([{ supply_id: foreignSupply, quantity: '1' }])]],
      [`$1, supplies_used => $2::jsonb`, [id, JSON.stringify([{ quantity: 1 }])]],
    ];
    for (const [args, values] of bad) expect(await haven.failure(owner, `select complete_task(${args})`, values), args).toBe('22023');
    // another household's supply is not found, and nothing was written
    expect(await haven.failure(owner, `select complete_task($1, supplies_used => $2::jsonb)`, [id, JSON.stringify([{ supply_id: foreignSupply, quantity: 1 }])])).toBe('P0002');
    expect(await haven.failure(owner, `select complete_task($1)`, [randomUUID()])).toBe('P0002');
    expect(await haven.failure(stranger, `select complete_task($1)`, [id])).toBe('P0002');
    expect(await haven.failure('anon', `select complete_task($1)`, [id])).toBe('42501');
    expect((await haven.query(stranger, `select quantity::int as quantity from supplies where id = $1`, [foreignSupply]))[0]).toEqual({ quantity: 5 });
    expect((await haven.query(owner, `select count(*)::int as n from logs where task_id = $1`, [id]))[0]).toEqual({ n: 0 });
    // the service key completes any task, as the system
    expect(await complete('service_role', `$1`, [id])).toMatchObject({ last_done_on: haven.today });
    expect((await haven.admin.query(`select created_by from logs where task_id = $1`, [id])).rows).toEqual([{ created_by: null }]);
  });

  it('completes once per client_request_id: a retry gets the same task back and writes nothing', async () => {
    const id = await task({ recurrence: '7 days' });
    const other = await task({ recurrence: '7 days' });
    const supply = (await haven.query<{ id: string }>(owner, `insert into supplies (property_id, name, quantity) values ($1, 'Salt', 10) returning id`, [house]))[0]!.id;
    const request = randomUUID();
    const args = `$1, current_date, 'salt added', 5, $2::jsonb, $3`;
    const values = [id, JSON.stringify([{ supply_id: supply, quantity: 2 }]), request];
    const first = await complete(member, args, values);
    const retry = await complete(member, args, values);
    expect(retry).toEqual(first);
    expect((await haven.query(owner, `select count(*)::int as n from logs where task_id = $1`, [id]))[0]).toEqual({ n: 1 });
    expect((await haven.query(owner, `select quantity::int as quantity from supplies where id = $1`, [supply]))[0]).toEqual({ quantity: 8 });
    // the same key for another task is a client's bug
    expect(await haven.failure(member, `select complete_task($1, client_request_id => $2)`, [other, request])).toBe('22023');
  });

  it('never loses a log when two members complete one task at once: the second waits for the first', async () => {
    const id = await task({ recurrence: '1 month' });
    const first = await haven.admin.connect();
    const second = await haven.admin.connect();
    try {
      const begin = async (client: typeof first, who: string) => {
        await client.query('begin');
        await client.query(`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ sub: who, role: 'authenticated' })]);
      };
      await begin(first, owner);
      await begin(second, member);
      await first.query(`select complete_task($1, current_date - 1, 'first')`, [id]);
      const pid = (await second.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
      const waiting = second.query<Task>(`select * from complete_task($1, current_date, 'second')`, [id]);
      await expect
        .poll(async () => (await haven.admin.query(`select wait_event_type from pg_stat_activity where pid = $1`, [pid])).rows[0]?.wait_event_type, { timeout: 5_000 })
        .toBe('Lock');
      await first.query('commit');
      const after = (await waiting).rows[0]!;
      await second.query('commit');
      expect(after).toMatchObject({ last_done_on: haven.today });
      expect((await haven.admin.query(`select notes from logs where task_id = $1 order by notes`, [id])).rows).toEqual([{ notes: 'first' }, { notes: 'second' }]);

      // the same request sent twice at once (a retry racing the original) completes once
      const request = randomUUID();
      await begin(first, owner);
      await begin(second, owner);
      const one = await first.query<Task>(`select * from complete_task($1, client_request_id => $2)`, [id, request]);
      const two = second.query<Task>(`select * from complete_task($1, client_request_id => $2)`, [id, request]);
      await first.query('commit');
      expect((await two).rows).toEqual(one.rows);
      await second.query('commit');
      expect((await haven.admin.query(`select count(*)::int as n from logs where client_request_id = $1`, [request])).rows).toEqual([{ n: 1 }]);
    } finally {
      await first.query('rollback').catch(() => undefined);
      await second.query('rollback').catch(() => undefined);
      first.release();
      second.release();
    }
  });

  it('snoozes a task to a later day and skips an occurrence without a log', async () => {
    const id = await task({ recurrence: '1 month', due: days(haven.today, -10) });
    expect((await haven.query<Task>(member, `select * from snooze_task($1, $2)`, [id, days(haven.today, 5)]))[0]).toMatchObject({ next_due_on: days(haven.today, 5) });
    for (const until of [null, days(haven.today, -1)]) expect(await haven.failure(member, `select snooze_task($1, $2)`, [id, until])).toBe('22023');
    expect(await haven.failure(stranger, `select snooze_task($1, $2)`, [id, haven.today])).toBe('P0002');
    expect(await haven.failure('anon', `select snooze_task($1, $2)`, [id, haven.today])).toBe('42501');

    // skipping the occurrence due in 5 days: the one a month after it
    const [expected] = await haven.query<{ due: string }>('anon', `select next_due_date('1 month', null, $1::date)::text as due`, [days(haven.today, 5)]);
    expect((await haven.query<Task>(member, `select * from skip_occurrence($1)`, [id]))[0]).toMatchObject({ next_due_on: expected!.due, last_done_on: null });
    // an overdue one: a month after today
    await haven.query(owner, `update maintenance_tasks set next_due_on = $2 where id = $1`, [id, days(haven.today, -40)]);
    const [fromToday] = await haven.query<{ due: string }>('anon', `select next_due_date('1 month', null, current_date)::text as due`);
    expect((await haven.query<Task>(member, `select * from skip_occurrence($1)`, [id]))[0]).toMatchObject({ next_due_on: fromToday!.due });
    expect((await haven.query(owner, `select count(*)::int as n from logs where task_id = $1`, [id]))[0]).toEqual({ n: 0 });

    const once = await task();
    expect(await haven.failure(owner, `select skip_occurrence($1)`, [once])).toBe('22023');
    await complete(owner, `$1`, [once]);
    expect(await haven.failure(owner, `select snooze_task($1, current_date + 1)`, [once])).toBe('22023');
    expect(await haven.failure(stranger, `select skip_occurrence($1)`, [id])).toBe('P0002');
    expect(await haven.failure('anon', `select skip_occurrence($1)`, [id])).toBe('42501');
    expect(await haven.failure(owner, `select skip_occurrence(null)`)).toBe('22023');
  });

  it('adds an asset from the catalogue with its tasks scheduled and its supplies, in one call', async () => {
    const key = `test_boiler_${randomUUID().slice(0, 8).replace(/-/g, '')}`;
    await haven.admin.query(
      `insert into asset_templates (key, name, category, description, tasks, supplies) values ($1, 'Boiler', 'hvac', 'A gas boiler', $2, $3)`,
      [
        key,
        JSON.stringify([
          { title: 'Bleed radiators', description: 'Let the air out', recurrence: '1 year', months: null },
          { title: 'Service', description: 'Before winter', recurrence: null, months: [10] },
          { title: 'Register warranty', description: 'Once', recurrence: null, months: null },
        ]),
        JSON.stringify([{ name: 'Inhibitor', part_number: 'INH-500', quantity: 1, unit: 'bottle', reorder_below: 1 }]),
      ],
    );
    const zone = (await haven.query<{ id: string }>(owner, `insert into zones (property_id, name) values ($1, 'Utility room') returning id`, [house]))[0]!.id;
    type AddedAsset = Record<string, unknown> & { tasks: Array<Record<string, unknown>>; supplies: Array<Record<string, unknown>> };
    const [added] = await haven.query<{ asset: AddedAsset }>(
      member,
      `select add_asset_from_template($1, $2, zone_id => $3, details => '{"brand": "Acme", "purchased_on": "2024-10-01"}') as asset`,
      [house, key, zone],
    );
    const asset = added!.asset;
    const [due] = await haven.query<{ yearly: string; october: string; soon: string }>(
      'anon',
      `select (current_date + interval '1 year')::date::text as yearly, next_due_date(null, '{10}', current_date)::text as october, (current_date + 30)::text as soon`,
    );
    expect(asset).toMatchObject({ name: 'Boiler', category: 'hvac', brand: 'Acme', purchased_on: '2024-10-01', zone_id: zone, property_id: house, template_key: key, created_by: member });
    expect(asset.tasks.map((t) => [t.title, t.next_due_on, t.recurrence_months, t.asset_id])).toEqual([
      ['Bleed radiators', due!.yearly, null, asset.id],
      ['Service', due!.october, [10], asset.id],
      ['Register warranty', due!.soon, null, asset.id],
    ]);
    expect(asset.supplies).toEqual([expect.objectContaining({ name: 'Inhibitor', part_number: 'INH-500', quantity: 1, unit: 'bottle', reorder_below: 1, asset_id: asset.id })]);
    expect((await haven.query(owner, `select count(*)::int as n from maintenance_tasks where asset_id = $1`, [asset.id]))[0]).toEqual({ n: 3 });

    const named = await haven.query<{ name: string }>(owner, `select add_asset_from_template($1, $2, 'Old boiler') ->> 'name' as name`, [house, key]);
    expect(named).toEqual([{ name: 'Old boiler' }]);
    const otherZone = (await haven.query<{ id: string }>(stranger, `insert into zones (property_id, name) values ($1, 'Theirs') returning id`, [otherHouse]))[0]!.id;
    const refusals: Array<[string, string, unknown[], string]> = [
      [owner, `$1, $2, zone_id => $3`, [house, key, otherZone], 'P0002'],
      [owner, `$1, 'no_such_thing'`, [house], 'P0002'],
      [owner, `$1, null`, [house], '22023'],
      [owner, `$1, $2, '  '`, [house, key], '22023'],
      [owner, `$1, $2, details => '{"colour": "red"}'`, [house, key], '22023'],
      [owner, `$1, $2, details => '[]'`, [house, key], '22023'],
      [owner, `$1, $2, details => '{"purchased_on": "last spring"}'`, [house, key], '22023'],
      [stranger, `$1, $2`, [house, key], 'P0002'],
      ['anon', `$1, $2`, [house, key], '42501'],
    ];
    for (const [caller, args, values, code] of refusals) expect(await haven.failure(caller, `select add_asset_from_template(${args})`, values), args).toBe(code);
  });

  it('raises not-found as PostgREST reads it: a 404 carrying P0002', async () => {
    const error = await haven.query(stranger, `select complete_task($1)`, [randomUUID()]).catch((caught: { code: string; message: string; detail: string }) => caught);
    expect(error).toMatchObject({ code: 'PGRST' });
    expect(JSON.parse((error as { message: string }).message)).toEqual({ code: 'P0002', message: 'task not found', details: null, hint: null });
    expect(JSON.parse((error as { detail: string }).detail)).toEqual({ status: 404, headers: {} });
    expect(sqlState(error as { code: string })).toBe('P0002');
  });
});
