-- property_dashboard reads each of the property's tables once: the tasks due within 30 days are
-- read (with their asset and zone) into one set that gives the overdue and coming lists and the
-- health score's overdue and due-soon counts; the low supplies give their list and their count.
-- Before, house_health scanned the same rows again, and the document was built as json text and
-- parsed into jsonb at the end; now it is built as jsonb directly. The same document, byte for
-- byte (compared on the bench's 1,000 households and on edge cases). In the database this is
-- worth little for the dashboard (~1.45 ms either way on the bench's household: building its
-- 46 KB of JSON dominates) and a fifth of house_health (0.34 -> 0.27 ms); what made the dashboard
-- slow through the REST API was the data API calling it twice per request (data-api 11f6a04).
--
-- assets_without_tasks is counted as the property's assets less the distinct assets of its
-- active tasks (a task's asset is in the task's property: composite foreign key), two index
-- scans instead of an anti-join probing the tasks once per asset.

-- The health document from its counts: the formula of README.md, in one place for house_health
-- and property_dashboard. Plain SQL with no settings, so the planner inlines it into the caller.
create function haven_internal.health_document(
  scheduled bigint, overdue bigint, overdue_weight numeric, due_soon bigint,
  done_last_90_days bigint, assets_without_tasks bigint, low_supplies bigint
) returns jsonb
language sql stable as $$
  select pg_catalog.jsonb_build_object(
    'score', greatest(0, least(100, pg_catalog.round(
      100
      - case when scheduled = 0 then 0 else 80 * overdue_weight / scheduled end
      - least(20, 5 * low_supplies)
    )))::int,
    'overdue', overdue,
    'due_soon', due_soon,
    'done_last_90_days', done_last_90_days,
    'assets_without_tasks', assets_without_tasks,
    'low_supplies', low_supplies
  )
$$;
revoke all on function haven_internal.health_document(bigint, bigint, numeric, bigint, bigint, bigint, bigint) from public;

create or replace function haven_internal.health(property uuid) returns jsonb
language plpgsql stable set search_path = '' as $$
begin
  return (
    select haven_internal.health_document(
      t.scheduled, t.overdue, t.overdue_weight, t.due_soon,
      (select count(*) from public.logs l where l.property_id = property and l.performed_on >= current_date - 90),
      (select count(*) from public.assets a where a.property_id = property)
        - (select count(distinct m.asset_id) from public.maintenance_tasks m where m.property_id = property and m.active),
      (select count(*) from public.supplies s where s.property_id = property and s.reorder_below is not null and s.quantity <= s.reorder_below)
    )
    from (
      select
        count(*) as scheduled,
        count(*) filter (where m.next_due_on < current_date) as overdue,
        -- an overdue task weighs from 0.5 (a day late) to 1 (a month late or more)
        coalesce(sum(0.5 + 0.5 * least(current_date - m.next_due_on, 30) / 30.0) filter (where m.next_due_on < current_date), 0) as overdue_weight,
        count(*) filter (where m.next_due_on between current_date and current_date + 30) as due_soon
      from public.maintenance_tasks m
      where m.property_id = property and m.active and m.next_due_on is not null
    ) t
  );
end
$$;

create or replace function public.property_dashboard(property_id uuid) returns jsonb
language plpgsql stable security definer set search_path = '' as $$
#variable_conflict use_column
declare
  caller uuid := haven_internal.caller();
  my_role text := haven_internal.role_on(property_dashboard.property_id, caller);
  property uuid := property_dashboard.property_id;
begin
  return (
    with coming as materialized (
      -- overdue (however late) and due within 30 days: both lists and the score's counts
      select t.*, a.name as asset_name, z.name as zone_name, t.next_due_on - current_date as days_until_due
        from public.maintenance_tasks t
        left join public.assets a on a.id = t.asset_id
        left join public.zones z on z.id = a.zone_id
       where t.property_id = property and t.active and t.next_due_on <= current_date + 30
    ),
    low as materialized (
      select s.* from public.supplies s
       where s.property_id = property and s.reorder_below is not null and s.quantity <= s.reorder_below
    ),
    tasks as (
      select
        coalesce(jsonb_agg(c order by c.next_due_on, c.title) filter (where c.next_due_on < current_date), '[]') as overdue_tasks,
        coalesce(jsonb_agg(c order by c.next_due_on, c.title) filter (where c.next_due_on >= current_date), '[]') as due_soon_tasks,
        count(*) filter (where c.next_due_on < current_date) as overdue,
        coalesce(sum(0.5 + 0.5 * least(current_date - c.next_due_on, 30) / 30.0) filter (where c.next_due_on < current_date), 0) as overdue_weight,
        count(*) filter (where c.next_due_on >= current_date) as due_soon
      from coming c
    ),
    supplies as (
      select coalesce(jsonb_agg(l order by l.name), '[]') as low_supplies, count(*) as low_count from low l
    )
    select jsonb_build_object(
      'property', (select to_jsonb(r) from (select p.*, my_role as my_role from public.properties p where p.id = property) r),
      'house_health', haven_internal.health_document(
        (select count(*) from public.maintenance_tasks m where m.property_id = property and m.active and m.next_due_on is not null),
        t.overdue, t.overdue_weight, t.due_soon,
        (select count(*) from public.logs l where l.property_id = property and l.performed_on >= current_date - 90),
        (select count(*) from public.assets a where a.property_id = property)
          - (select count(distinct m.asset_id) from public.maintenance_tasks m where m.property_id = property and m.active),
        s.low_count
      ),
      'overdue_tasks', t.overdue_tasks,
      'due_soon_tasks', t.due_soon_tasks,
      'low_supplies', s.low_supplies,
      'recent_logs', coalesce((
        select jsonb_agg(r order by r.performed_on desc, r.created_at desc) from (
          select l.*, t.title as task_title, a.name as asset_name
            from (
              select * from public.logs l
               where l.property_id = property
               order by l.performed_on desc, l.created_at desc
               limit 10
            ) l
            left join public.maintenance_tasks t on t.id = l.task_id
            left join public.assets a on a.id = l.asset_id
        ) r
      ), '[]'),
      -- captures are personal: the caller's own, about this property, not yet made sense of
      'unprocessed_captures', (
        select count(*) from public.captures c
         where c.owner_id = caller and c.property_id = property and c.status in ('pending', 'processing')
      )
    )
    from tasks t, supplies s
  );
end
$$;
