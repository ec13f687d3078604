-- When the due sweep can next find something to claim (worker/README.md): the scheduled sweep
-- leaves a project alone until then, as long as no row is written in its database, so a thousand
-- quiet homes cost no connection every 15 minutes.

/**
 * The earliest moment claim_due_reminders could claim anything if nothing is written meanwhile:
 * a claim's lease lapsing, or a member's digest hour (in their time zone) on the first day they
 * have a task due that was not reminded yet for that due date — not today once today's digest is
 * out. Null: nothing can fall due without a write. Now or earlier: something may be due now. It
 * is a lower bound (a sweep at that moment may still find nothing), never later than the truth.
 * SECURITY DEFINER: it reads members' accounts in auth.users; only the service key may call it.
 */
create function public.next_reminder_at()
returns timestamptz
language plpgsql stable security definer set search_path = '' as $$
begin
  if current_setting('role', true) is distinct from 'service_role' then
    raise sqlstate '42501' using message = 'only the worker (service key) reads when reminders fall due';
  end if;
  return (
    select min(s.at) from (
      select r.lease_until as at from public.task_reminders r where r.status = 'claimed'
      union all
      select (greatest(m.first_due, case when m.done_today then m.today + 1 else m.today end) + make_interval(hours => m.digest_hour))
               at time zone m.time_zone
        from (
          select e.today, e.digest_hour, e.time_zone,
                 (select min(t.next_due_on)
                    from public.property_members pm
                    join public.maintenance_tasks t on t.property_id = pm.property_id and t.active
                   where pm.user_id = e.user_id
                     -- claim_due_reminders never claims an occurrence twice (its unique key)
                     and not exists (select 1 from public.task_reminders r where r.task_id = t.id and r.due_on = t.next_due_on and r.user_id = e.user_id)) as first_due,
                 exists (select 1 from public.task_reminders r where r.user_id = e.user_id and r.digest_day = e.today and r.status <> 'claimed') as done_today
            from (
              select u.id as user_id, coalesce(p.time_zone, 'UTC') as time_zone, coalesce(p.digest_hour, 7)::int as digest_hour,
                     (now() at time zone coalesce(p.time_zone, 'UTC'))::date as today
                from auth.users u
                left join public.notification_preferences p on p.user_id = u.id
               where u.email is not null and u.deleted_at is null and coalesce(p.email_enabled, true)
            ) e
        ) m
       where m.first_due is not null
    ) s
  );
end
$$;
comment on function public.next_reminder_at() is
  'The worker''s due sweep: the earliest moment a reminder could fall due if nothing is written meanwhile (null: never).';
revoke execute on function public.next_reminder_at() from public, anon, authenticated;
grant execute on function public.next_reminder_at() to service_role;
