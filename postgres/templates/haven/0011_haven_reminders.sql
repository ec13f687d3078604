-- Due-task reminders (worker/README.md): the worker's due sweep claims each household member's
-- due and overdue task occurrences not yet reminded, one digest per member per day of their own
-- time zone, at or after their digest hour; it then marks them sent (or skipped, with why).

/**
 * Claims, for this worker, the occurrences due to be reminded now, and hands back one digest per
 * member: their address and the tasks. Reminders a dead worker claimed but never finished (lease
 * lapsed) are taken over. SECURITY DEFINER: it reads members' addresses in auth.users; only the
 * service key may call it.
 */
create function public.claim_due_reminders(worker text, lease_seconds integer default 300, only_user uuid default null)
returns table (user_id uuid, email text, digest_day date, time_zone text, reminders jsonb)
language plpgsql volatile security definer set search_path = '' as $$
#variable_conflict use_column
declare
  lease timestamptz := now() + make_interval(secs => greatest(claim_due_reminders.lease_seconds, 1));
begin
  if current_setting('role', true) is distinct from 'service_role' then
    raise sqlstate '42501' using message = 'only the worker (service key) claims reminders';
  end if;
  if claim_due_reminders.worker is null or length(claim_due_reminders.worker) not between 1 and 200 then
    perform haven_internal.bad_argument('worker must name the worker');
  end if;

  update public.task_reminders r
     set claimed_by = claim_due_reminders.worker, lease_until = lease
   where r.status = 'claimed' and r.lease_until < now();

  insert into public.task_reminders (task_id, due_on, user_id, digest_day, claimed_by, lease_until)
  select t.id, t.next_due_on, e.user_id, e.local_day, claim_due_reminders.worker, lease
    from (
      select u.id as user_id, (now() at time zone coalesce(p.time_zone, 'UTC'))::date as local_day
        from auth.users u
        left join public.notification_preferences p on p.user_id = u.id
       where u.email is not null and u.deleted_at is null
         and coalesce(p.email_enabled, true)
         and extract(hour from now() at time zone coalesce(p.time_zone, 'UTC')) >= coalesce(p.digest_hour, 7)
         and (claim_due_reminders.only_user is null or u.id = claim_due_reminders.only_user)
    ) e
    join public.property_members m on m.user_id = e.user_id
    join public.maintenance_tasks t on t.property_id = m.property_id and t.active and t.next_due_on <= e.local_day
   -- one digest a day: a member who had one today (or has one under way) waits for tomorrow's
   where not exists (
     select 1 from public.task_reminders r
      where r.user_id = e.user_id and r.digest_day = e.local_day and (r.status <> 'claimed' or r.claimed_by <> claim_due_reminders.worker)
   )
  on conflict (task_id, due_on, user_id) do nothing;

  return query
  select r.user_id, u.email::text, min(r.digest_day), coalesce(min(p.time_zone), 'UTC'),
         jsonb_agg(jsonb_build_object(
           'id', r.id, 'task_id', r.task_id, 'title', t.title, 'due_on', r.due_on,
           'property', pr.name, 'asset', a.name
         ) order by r.due_on, t.title)
    from public.task_reminders r
    join auth.users u on u.id = r.user_id
    join public.maintenance_tasks t on t.id = r.task_id
    join public.properties pr on pr.id = t.property_id
    left join public.assets a on a.id = t.asset_id
    left join public.notification_preferences p on p.user_id = r.user_id
   where r.status = 'claimed' and r.claimed_by = claim_due_reminders.worker
     and (claim_due_reminders.only_user is null or r.user_id = claim_due_reminders.only_user)
   group by r.user_id, u.email;
end
$$;
comment on function public.claim_due_reminders(text, integer, uuid) is
  'The worker''s due sweep: claims the due task occurrences to remind now and returns one digest per member.';
revoke execute on function public.claim_due_reminders(text, integer, uuid) from public, anon, authenticated;
grant execute on function public.claim_due_reminders(text, integer, uuid) to service_role;
