-- The bench's households, generated set-wise in a Haven project database (run as superuser).
-- Sizes come from session settings: bench.properties, bench.assets_per_property,
-- bench.tasks_per_asset. Ids are derived from their numbers (md5 → uuid), so children can name
-- their parents without a lookup. Every property has its own owner; the bench's member
-- (bench.member_id) is a `member` — not an owner — of the first three properties.
--
-- Triggers and foreign-key checks are off while it runs (session_replication_role = replica):
-- a row-by-row trigger on 300,000 tasks costs minutes, and these rows are consistent by
-- construction. So the memberships the creator trigger would add are inserted here.

set session_replication_role = replica;

insert into auth.users (id, email, email_confirmed_at, created_at)
select md5('owner' || p)::uuid, 'owner' || p || '@bench.haven.local', now(), now()
  from generate_series(1, current_setting('bench.properties')::int) as p;

insert into auth.users (id, email, email_confirmed_at, created_at)
values (current_setting('bench.member_id')::uuid, 'member@bench.haven.local', now(), now());

insert into public.properties (id, owner_id, name, address, kind, created_at)
select md5('property' || p)::uuid, md5('owner' || p)::uuid, 'House ' || p, p || ' Bench Street', 'house', now() - interval '2 years'
  from generate_series(1, current_setting('bench.properties')::int) as p;

insert into public.property_members (property_id, user_id, role, joined_at)
select md5('property' || p)::uuid, md5('owner' || p)::uuid, 'owner', now() - interval '2 years'
  from generate_series(1, current_setting('bench.properties')::int) as p;

insert into public.property_members (property_id, user_id, role, invited_email, joined_at)
select md5('property' || p)::uuid, current_setting('bench.member_id')::uuid, 'member', 'member@bench.haven.local', now()
  from generate_series(1, least(3, current_setting('bench.properties')::int)) as p;

insert into public.zones (id, property_id, name, floor, created_by)
select md5('zone' || p || '/' || z)::uuid, md5('property' || p)::uuid,
       (array['Kitchen', 'Basement', 'Garage', 'Living room', 'Garden'])[z], z - 2, md5('owner' || p)::uuid
  from generate_series(1, current_setting('bench.properties')::int) as p, generate_series(1, 5) as z;

insert into public.assets (id, property_id, zone_id, name, category, brand, purchased_on, notes, created_by, created_at)
select md5('asset' || p || '/' || a)::uuid, md5('property' || p)::uuid, md5('zone' || p || '/' || (1 + a % 5))::uuid,
       'Asset ' || a || ' of house ' || p,
       (array['appliance', 'heating', 'plumbing', 'safety', 'garden'])[1 + a % 5],
       (array['Bosch', 'Viessmann', 'Atlantic', 'Kidde', 'Miele', null])[1 + a % 6],
       date '2012-01-01' + (a * 37) % 4000,
       'Bench asset ' || a,
       md5('owner' || p)::uuid,
       now() - make_interval(days => a)
  from generate_series(1, current_setting('bench.properties')::int) as p,
       generate_series(1, current_setting('bench.assets_per_property')::int) as a;

-- due dates from two months overdue to a year ahead; a quarter of the schedules are seasonal
insert into public.maintenance_tasks (id, property_id, asset_id, title, recurrence, recurrence_months, next_due_on, last_done_on, created_by)
select md5('task' || p || '/' || a || '/' || t)::uuid, md5('property' || p)::uuid, md5('asset' || p || '/' || a)::uuid,
       (array['Replace the filter', 'Inspect', 'Clean', 'Service'])[t] || ' asset ' || a,
       case when (a + t) % 4 = 0 then null else (array[interval '1 month', interval '3 months', interval '1 year'])[1 + (a + t) % 3] end,
       case when (a + t) % 4 = 0 then array[4, 11]::smallint[] end,
       current_date + ((a * 7 + t * 131 + p) % 425) - 60,
       current_date - ((a * 11 + t) % 300) - 30,
       md5('owner' || p)::uuid
  from generate_series(1, current_setting('bench.properties')::int) as p,
       generate_series(1, current_setting('bench.assets_per_property')::int) as a,
       generate_series(1, current_setting('bench.tasks_per_asset')::int) as t;

-- a supply for every other asset, one in five of them low
insert into public.supplies (property_id, asset_id, name, part_number, quantity, unit, reorder_below, created_by)
select md5('property' || p)::uuid, md5('asset' || p || '/' || a)::uuid, 'Supply for asset ' || a, 'PN-' || a,
       a % 5, 'piece', 1, md5('owner' || p)::uuid
  from generate_series(1, current_setting('bench.properties')::int) as p,
       generate_series(2, current_setting('bench.assets_per_property')::int, 2) as a;

-- a year of history: one log for every other task
insert into public.logs (property_id, task_id, asset_id, performed_on, notes, cost, created_by)
select md5('property' || p)::uuid, md5('task' || p || '/' || a || '/' || t)::uuid, md5('asset' || p || '/' || a)::uuid,
       current_date - ((a * 13 + t * 7) % 365), 'Done', (a % 50) * 1.5, md5('owner' || p)::uuid
  from generate_series(1, current_setting('bench.properties')::int) as p,
       generate_series(1, current_setting('bench.assets_per_property')::int) as a,
       generate_series(1, current_setting('bench.tasks_per_asset')::int) as t
 where (a + t) % 2 = 0;

insert into public.captures (owner_id, property_id, kind, body)
select current_setting('bench.member_id')::uuid, md5('property1')::uuid, 'text', 'Bench capture ' || c
  from generate_series(1, 3) as c;

set session_replication_role = origin;
