-- Haven's demo homeowner (`launchdb project create … --template haven --demo`): demo@haven.local
-- with a house, its zones, a dozen assets from the catalogue and a year of maintenance logs, so
-- the app and the benchmarks have something real to show.
--
-- Not a migration (no number: the provisioner never applies it). platform-api's HavenDemo runs
-- it in one transaction over a superuser connection to the project database, with the account's
-- argon2id hash in `haven_demo.password_hash`. The account is written as the auth service writes
-- a confirmed email sign-up; everything else is done as that user (role `authenticated`, their
-- claims), through the same policies and RPCs the app uses. Dates are relative to today: the
-- house was set up 13 months ago, its tasks were done a few days after they fell due, and every
-- sixth task has its latest occurrence, if it fell due in the last two months, still to do.

do $demo$
declare
  homeowner uuid := gen_random_uuid();
  demo_email constant text := 'demo@haven.local';
  set_up_on constant date := current_date - 400;
  house uuid;
  zone_ids jsonb := '{}';
  zone record;
  asset record;
  task record;
  occurrence record;
  furnace_filter uuid;
  used jsonb;
  completions int := 0;
  notes constant text[] := array[
    null, 'All good.', null, 'Quick job, no issues.', null, 'Took about 20 minutes.', null,
    'A bit dirtier than last time.', null, 'Checked everything nearby while at it.'
  ];
begin
  -- ── the account, as a confirmed email sign-up ──
  insert into auth.users (id, aud, role, email, encrypted_password, raw_app_meta_data, raw_user_meta_data,
                          email_confirmed_at, last_sign_in_at, is_anonymous, is_super_admin, created_at, updated_at)
  values (homeowner, 'authenticated', 'authenticated', demo_email, current_setting('haven_demo.password_hash'),
          '{"provider": "email", "providers": ["email"]}', '{"name": "Demo Homeowner"}',
          set_up_on, null, false, false, set_up_on, now());
  insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
  values (homeowner::text, homeowner,
          jsonb_build_object('sub', homeowner::text, 'email', demo_email, 'email_verified', true, 'phone_verified', false),
          'email', null, set_up_on, now());

  -- ── from here on, as the homeowner ──
  perform set_config('request.jwt.claims', json_build_object('sub', homeowner, 'role', 'authenticated', 'email', demo_email)::text, true);
  set local role authenticated;

  insert into public.properties (name, address, kind) values ('Maple Street house', '12 Maple Street, Springfield', 'house')
  returning id into house;

  for zone in
    select * from (values
      ('Basement', -1), ('Kitchen', 0), ('Laundry room', 0), ('Garage', 0), ('Bedrooms', 1), ('Outside', null::int)
    ) as z (name, floor)
  loop
    insert into public.zones (property_id, name, floor) values (house, zone.name, zone.floor)
    returning jsonb_set(zone_ids, array[zone.name], to_jsonb(id)) into zone_ids;
  end loop;

  for asset in
    select * from (values
      ('furnace', 'Basement furnace', 'Basement', '{"model": "96% AFUE two-stage, 80,000 BTU", "purchased_on": "2016-10-14"}'),
      ('central_ac', 'Central air conditioner', 'Outside', '{"model": "3-ton, 16 SEER", "purchased_on": "2016-10-14", "warranty_until": "2026-10-14"}'),
      ('water_heater_tank', 'Water heater', 'Basement', '{"model": "50-gallon gas", "purchased_on": "2019-03-02", "warranty_until": "2025-03-02"}'),
      ('sump_pump', 'Sump pump', 'Basement', '{"model": "1/3 hp submersible with battery backup", "purchased_on": "2020-05-20"}'),
      ('water_softener', 'Water softener', 'Basement', '{"model": "32,000 grain", "purchased_on": "2018-07-09"}'),
      ('refrigerator', 'Kitchen fridge', 'Kitchen', '{"model": "French door, 25 cu. ft.", "purchased_on": "2021-11-26", "warranty_until": "2026-11-26"}'),
      ('dishwasher', 'Dishwasher', 'Kitchen', '{"purchased_on": "2021-11-26"}'),
      ('range_hood', 'Range hood', 'Kitchen', '{"notes": "Ducted to the outside; two mesh filters."}'),
      ('washer', 'Washing machine', 'Laundry room', '{"model": "Front loader", "purchased_on": "2022-04-02", "warranty_until": "2027-04-02"}'),
      ('dryer', 'Dryer', 'Laundry room', '{"model": "Electric, vented", "purchased_on": "2022-04-02", "notes": "Vent runs 12 ft to the north wall."}'),
      ('smoke_detectors', 'Smoke alarms', 'Bedrooms', '{"notes": "Six interconnected alarms: one per bedroom, hallway, basement, kitchen. Made in 2019."}'),
      ('co_detectors', 'CO alarms', 'Bedrooms', '{"notes": "Hallway upstairs, basement near the furnace, living room."}'),
      ('garage_door', 'Garage door', 'Garage', '{"model": "Belt-drive opener, 1/2 hp", "purchased_on": "2017-06-11"}'),
      ('gutters', 'Gutters', 'Outside', '{"notes": "Big maple over the back gutter: check it twice in the fall."}'),
      ('roof', 'Roof', 'Outside', '{"model": "Architectural asphalt shingles", "purchased_on": "2015-08-01"}'),
      ('lawn_mower', 'Lawn mower', 'Garage', '{"model": "21 in. self-propelled", "purchased_on": "2020-04-18"}')
    ) as a (template_key, name, zone, details)
  loop
    perform public.add_asset_from_template(house, asset.template_key, asset.name, (zone_ids ->> asset.zone)::uuid, asset.details::jsonb);
  end loop;

  -- the house was set up 13 months ago: its tasks were first due from then, not from today
  update public.assets set created_at = set_up_on where property_id = house;
  update public.maintenance_tasks
     set created_at = set_up_on,
         next_due_on = coalesce(public.next_due_date(recurrence, recurrence_months, set_up_on), next_due_on)
   where property_id = house;

  -- two furnace filters in stock a year ago: this year's changes used them up, time to reorder
  update public.supplies set quantity = 2 where property_id = house and part_number = 'FLT-20254-M11'
  returning id into furnace_filter;

  -- ── a year of logs: every task done about when due; every sixth not yet this time (overdue) ──
  for task in
    select t.id, t.title, t.recurrence, t.recurrence_months, t.next_due_on, a.template_key,
           row_number() over (order by a.name, t.title)::int as n
      from public.maintenance_tasks t join public.assets a on a.id = t.asset_id
     where t.property_id = house
       and (t.recurrence_months is not null or t.recurrence <= interval '1 year')
     order by n
  loop
    used := case when task.template_key = 'furnace' and task.title = 'Replace air filter' and furnace_filter is not null
                 then jsonb_build_array(jsonb_build_object('supply_id', furnace_filter, 'quantity', 1)) else '[]' end;
    for occurrence in
      select due + (task.n * 3 + k) % 6 as done_on, due = max(due) over () as latest
        from (
          -- the due dates since the house was set up: by interval, or each listed month
          select (set_up_on + task.recurrence * k)::date as due, k
            from generate_series(1, 400) as k
           where task.recurrence is not null and (set_up_on + task.recurrence * k)::date < current_date
          union all
          select make_date(y, m, 1) as due, m as k
            from unnest(task.recurrence_months) as m,
                 generate_series(extract(year from set_up_on)::int, extract(year from current_date)::int) as y
           where make_date(y, m, 1) > set_up_on and make_date(y, m, 1) < current_date
        ) as occurrences
       where due + (task.n * 3 + k) % 6 < current_date
       order by 1
    loop
      continue when task.n % 6 = 2 and occurrence.latest and occurrence.done_on > current_date - 60;
      perform public.complete_task(
        task.id,
        occurrence.done_on,
        notes[1 + (task.n + completions) % array_length(notes, 1)],
        case
          when task.title ~* 'tune-up|professional|chimney inspection' then 145.00
          when task.template_key = 'lawn_mower' and task.title ~* '^change' then 12.50
        end,
        used
      );
      completions := completions + 1;
    end loop;
  end loop;

  -- a one-off job and a note not yet sorted, as a homeowner leaves them
  insert into public.maintenance_tasks (property_id, title, description, next_due_on)
  values (house, 'Replace the kitchen faucet cartridge', 'The kitchen faucet drips when closed; the cartridge is the usual culprit.', current_date + 10);
  insert into public.captures (property_id, kind, body)
  values (house, 'text', 'Paint peeling on the garage door frame, left side. Touch up before winter?');
end
$demo$;
