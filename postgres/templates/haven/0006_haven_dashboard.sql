-- One call per screen: a property's dashboard, its health score, and the calendar of upcoming
-- maintenance across all the caller's properties. The formula of house_health is in README.md.

-- The counts and score of house_health, for a property already checked. PL/pgSQL, so that its
-- query is planned once per session, not at every call as a SQL function's would be.
create function haven_internal.health(property uuid) returns jsonb
language plpgsql stable set search_path = '' as $$
begin
  return (
    with scheduled as (
      select t.next_due_on from public.maintenance_tasks t
       where t.property_id = property and t.active and t.next_due_on is not null
    ),
    tasks as (
      select
        count(*) as scheduled,
        count(*) filter (where s.next_due_on < current_date) as overdue,
        -- an overdue task weighs from 0.5 (a day late) to 1 (a month late or more)
        coalesce(sum(0.5 + 0.5 * least(current_date - s.next_due_on, 30) / 30.0) filter (where s.next_due_on < current_date), 0) as overdue_weight,
        count(*) filter (where s.next_due_on between current_date and current_date + 30) as due_soon
      from scheduled s
    ),
    counts as (
      select t.*,
        (select count(*) from public.logs l where l.property_id = property and l.performed_on >= current_date - 90) as done_last_90_days,
        (select count(*) from public.assets a
          where a.property_id = property
            and not exists (select 1 from public.maintenance_tasks m where m.asset_id = a.id and m.active)) as assets_without_tasks,
        (select count(*) from public.supplies s where s.property_id = property and s.reorder_below is not null and s.quantity <= s.reorder_below) as low_supplies
      from tasks t
    )
    select jsonb_build_object(
      'score', greatest(0, least(100, round(
        100
        - case when c.scheduled = 0 then 0 else 80 * c.overdue_weight / c.scheduled end
        - least(20, 5 * c.low_supplies)
      )))::int,
      'overdue', c.overdue,
      'due_soon', c.due_soon,
      'done_last_90_days', c.done_last_90_days,
      'assets_without_tasks', c.assets_without_tasks,
      'low_supplies', c.low_supplies
    )
    from counts c
  );
end
$$;

create function public.house_health(property_id uuid) returns jsonb
language plpgsql stable security definer set search_path = '' as $$
#variable_conflict use_column
begin
  perform haven_internal.role_on(house_health.property_id, haven_internal.caller());
  return haven_internal.health(house_health.property_id);
end
$$;
comment on function public.house_health(uuid) is
  'A property''s health: {score 0-100, overdue, due_soon, done_last_90_days, assets_without_tasks, low_supplies}.';

create function public.property_dashboard(property_id uuid) returns jsonb
language plpgsql stable security definer set search_path = '' as $$
#variable_conflict use_column
declare
  caller uuid := haven_internal.caller();
  my_role text := haven_internal.role_on(property_dashboard.property_id, caller);
  property uuid := property_dashboard.property_id;
begin
  return jsonb_build_object(
    'property', (select to_jsonb(p) || jsonb_build_object('my_role', my_role) from public.properties p where p.id = property),
    'house_health', haven_internal.health(property),
    'overdue_tasks', coalesce((
      select jsonb_agg(to_jsonb(t) || jsonb_build_object('asset_name', a.name, 'zone_name', z.name, 'days_until_due', t.next_due_on - current_date)
                       order by t.next_due_on, t.title)
        from public.maintenance_tasks t
        left join public.assets a on a.id = t.asset_id
        left join public.zones z on z.id = a.zone_id
       where t.property_id = property and t.active and t.next_due_on < current_date
    ), '[]'),
    'due_soon_tasks', coalesce((
      select jsonb_agg(to_jsonb(t) || jsonb_build_object('asset_name', a.name, 'zone_name', z.name, 'days_until_due', t.next_due_on - current_date)
                       order by t.next_due_on, t.title)
        from public.maintenance_tasks t
        left join public.assets a on a.id = t.asset_id
        left join public.zones z on z.id = a.zone_id
       where t.property_id = property and t.active and t.next_due_on between current_date and current_date + 30
    ), '[]'),
    'low_supplies', coalesce((
      select jsonb_agg(to_jsonb(s) order by s.name)
        from public.supplies s
       where s.property_id = property and s.reorder_below is not null and s.quantity <= s.reorder_below
    ), '[]'),
    'recent_logs', coalesce((
      select jsonb_agg(to_jsonb(l) || jsonb_build_object('task_title', t.title, 'asset_name', a.name) order by l.performed_on desc, l.created_at desc)
        from (
          select * from public.logs l
           where l.property_id = property
           order by l.performed_on desc, l.created_at desc
           limit 10
        ) l
        left join public.maintenance_tasks t on t.id = l.task_id
        left join public.assets a on a.id = l.asset_id
    ), '[]'),
    -- captures are personal: the caller's own, about this property, not yet made sense of
    'unprocessed_captures', (
      select count(*) from public.captures c
       where c.owner_id = caller and c.property_id = property and c.status in ('pending', 'processing')
    )
  );
end
$$;
comment on function public.property_dashboard(uuid) is
  'The first screen of a property in one call: property, house_health, overdue and due-soon tasks, low supplies, latest logs, unprocessed captures.';

-- Every due date in [from, to] of the caller's active tasks: the next one, then the ones after
-- it that completing each on its due day would give (a calendar; at most 366 days at once).
create function public.upcoming_tasks("from" date default current_date, "to" date default current_date + 30)
returns table (
  task_id uuid,
  due_on date,
  -- false for the task's next_due_on itself, true for the later occurrences projected from it
  projected boolean,
  title text,
  property_id uuid,
  property_name text,
  asset_id uuid,
  asset_name text,
  zone_name text,
  recurrence interval,
  recurrence_months smallint[]
)
language plpgsql stable security definer set search_path = '' as $$
#variable_conflict use_column
declare
  caller uuid := haven_internal.caller();
  -- the caller's, or every property for the service key: an array, so the tasks' index is used
  properties uuid[] := case
    when caller is null then array(select p.id from public.properties p)
    else array(select m.property_id from public.property_members m where m.user_id = caller)
  end;
begin
  if upcoming_tasks."from" is null or upcoming_tasks."to" is null then
    perform haven_internal.bad_argument('from and to are required');
  end if;
  if upcoming_tasks."to" < upcoming_tasks."from" then
    perform haven_internal.bad_argument('to must not be before from');
  end if;
  if upcoming_tasks."to" - upcoming_tasks."from" > 366 then
    perform haven_internal.bad_argument('from and to may be at most 366 days apart');
  end if;
  return query
    -- each step carries its schedule, so the recursion never goes back to the table
    with recursive occurrences (task_id, every, months, due_on, projected) as (
      select t.id, t.recurrence, t.recurrence_months, t.next_due_on, false
        from public.maintenance_tasks t
       where t.active and t.next_due_on <= upcoming_tasks."to"
         and t.property_id = any (properties)
      union all
      -- an overdue task is taken as done today: its later occurrences count from today
      select o.task_id, o.every, o.months, public.next_due_date(o.every, o.months, greatest(o.due_on, current_date)), true
        from occurrences o
       where (o.every is not null or o.months is not null)
         and public.next_due_date(o.every, o.months, greatest(o.due_on, current_date)) <= upcoming_tasks."to"
    )
    select o.task_id, o.due_on, o.projected, t.title, t.property_id, p.name, t.asset_id, a.name, z.name, t.recurrence, t.recurrence_months
      from occurrences o
      join public.maintenance_tasks t on t.id = o.task_id
      join public.properties p on p.id = t.property_id
      left join public.assets a on a.id = t.asset_id
      left join public.zones z on z.id = a.zone_id
     where o.due_on >= upcoming_tasks."from"
     order by o.due_on, p.name, t.title;
end
$$;
comment on function public.upcoming_tasks(date, date) is
  'The caller''s maintenance due between from and to (at most 366 days), across all their properties, recurrences projected.';

revoke execute on function public.house_health(uuid), public.property_dashboard(uuid), public.upcoming_tasks(date, date) from public, anon;
