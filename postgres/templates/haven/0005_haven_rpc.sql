-- Haven's RPCs: sharing a property, recurring maintenance (complete, snooze, skip) and adding an
-- asset from the catalogue. Each is SECURITY DEFINER with an empty search_path, checks the
-- caller's membership itself and reports bad input with a SQLSTATE PostgREST answers with a 4xx:
--   22023 a bad argument (400), 42501 not allowed (401 signed out / 403 signed in),
--   P0002 not found (404) — raised as PostgREST's `SQLSTATE 'PGRST'` with a JSON message whose
--   code is P0002, because a plain P0002 would be a 500.
-- A property the caller is not a member of is "not found", as row-level security would have it.
-- The service key (role service_role) may call them all, on any property, as the system.

create function haven_internal.not_found(what text) returns void
language plpgsql volatile set search_path = '' as $$
begin
  raise sqlstate 'PGRST' using
    message = json_build_object('code', 'P0002', 'message', what || ' not found', 'details', null, 'hint', null)::text,
    detail = '{"status": 404, "headers": {}}';
end
$$;

create function haven_internal.bad_argument(message text) returns void
language plpgsql volatile set search_path = '' as $$
begin
  raise sqlstate '22023' using message = message;
end
$$;

/** The signed-in caller (null for the service key); anyone else is refused. */
create function haven_internal.caller() returns uuid
language plpgsql stable set search_path = '' as $$
declare
  uid uuid := auth.uid();
begin
  if uid is null and current_setting('role', true) is distinct from 'service_role' then
    raise sqlstate '42501' using message = 'sign in to use Haven';
  end if;
  return uid;
end
$$;

/** The caller's role on the property: 'owner' or 'member' ('owner' for the service key); else "property not found". */
create function haven_internal.role_on(property uuid, caller uuid) returns text
language plpgsql stable set search_path = '' as $$
declare
  found_role text;
begin
  if property is null then
    perform haven_internal.bad_argument('property_id is required');
  end if;
  if caller is null then
    -- the service key: any property that exists
    if exists (select 1 from public.properties p where p.id = property) then
      return 'owner';
    end if;
  else
    select m.role into found_role from public.property_members m where m.property_id = property and m.user_id = caller;
    if found_role is not null then
      return found_role;
    end if;
  end if;
  perform haven_internal.not_found('property');
end
$$;

create function haven_internal.require_owner(property uuid, caller uuid, action text) returns void
language plpgsql stable set search_path = '' as $$
begin
  if haven_internal.role_on(property, caller) <> 'owner' then
    raise sqlstate '42501' using message = 'only an owner of this property may ' || action;
  end if;
end
$$;

create function haven_internal.valid_role(role text) returns text
language plpgsql volatile set search_path = '' as $$
begin
  if role is null or role not in ('owner', 'member') then
    perform haven_internal.bad_argument('role must be ''owner'' or ''member''');
  end if;
  return role;
end
$$;

/** The one owner left may be neither demoted nor removed: a property always has an owner. */
create function haven_internal.keep_an_owner(membership public.property_members) returns void
language plpgsql stable set search_path = '' as $$
begin
  if membership.role = 'owner' and membership.user_id is not null and not exists (
    select 1 from public.property_members m
     where m.property_id = membership.property_id and m.role = 'owner' and m.user_id is not null and m.id <> membership.id
  ) then
    raise sqlstate '42501' using
      message = 'the last owner of a property cannot leave it or stop being its owner',
      hint = 'make another member an owner first, or delete the property';
  end if;
end
$$;

-- ───────────── households ─────────────

create function public.invite_member(property_id uuid, email text, role text default 'member')
returns public.property_members
language plpgsql volatile security definer set search_path = '' as $$
#variable_conflict use_column
declare
  caller uuid := haven_internal.caller();
  address text := lower(btrim(invite_member.email));
  wanted text := haven_internal.valid_role(invite_member.role);
  invitee uuid;
  membership public.property_members;
begin
  if address is null or address !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' or length(address) > 255 then
    perform haven_internal.bad_argument('email must be an email address');
  end if;
  perform haven_internal.require_owner(invite_member.property_id, caller, 'invite members');
  -- one membership change at a time per property: the last-owner rule holds under concurrency
  perform 1 from public.properties p where p.id = invite_member.property_id for update;

  select u.id into invitee from auth.users u
   where lower(u.email) = address and not u.is_sso_user and u.email_confirmed_at is not null and u.deleted_at is null;

  if invitee is not null then
    select * into membership from public.property_members m where m.property_id = invite_member.property_id and m.user_id = invitee;
  else
    select * into membership from public.property_members m
     where m.property_id = invite_member.property_id and m.user_id is null and m.invited_email = address;
  end if;

  if membership.id is not null then
    -- invited again: the same membership, with the role asked for
    if membership.role <> wanted then
      perform haven_internal.keep_an_owner(membership);
      update public.property_members set role = wanted where id = membership.id returning * into membership;
    end if;
    return membership;
  end if;

  insert into public.property_members (property_id, user_id, role, invited_email, invited_by, joined_at)
  values (invite_member.property_id, invitee, wanted, address, caller, case when invitee is not null then now() end)
  returning * into membership;
  return membership;
end
$$;
comment on function public.invite_member(uuid, text, text) is
  'Owners: adds the account with this address to the property at once, or records an invitation it joins by when the address signs up or confirms.';

create function public.set_member_role(property_id uuid, user_id uuid, role text)
returns public.property_members
language plpgsql volatile security definer set search_path = '' as $$
#variable_conflict use_column
declare
  caller uuid := haven_internal.caller();
  wanted text := haven_internal.valid_role(set_member_role.role);
  membership public.property_members;
begin
  if set_member_role.user_id is null then
    perform haven_internal.bad_argument('user_id is required');
  end if;
  perform haven_internal.require_owner(set_member_role.property_id, caller, 'change members'' roles');
  perform 1 from public.properties p where p.id = set_member_role.property_id for update;
  select * into membership from public.property_members m where m.property_id = set_member_role.property_id and m.user_id = set_member_role.user_id;
  if membership.id is null then
    perform haven_internal.not_found('member');
  end if;
  if membership.role <> wanted then
    perform haven_internal.keep_an_owner(membership);
    update public.property_members set role = wanted where id = membership.id returning * into membership;
  end if;
  return membership;
end
$$;

create function public.remove_member(property_id uuid, user_id uuid)
returns void
language plpgsql volatile security definer set search_path = '' as $$
#variable_conflict use_column
declare
  caller uuid := haven_internal.caller();
  membership public.property_members;
begin
  if remove_member.user_id is null then
    perform haven_internal.bad_argument('user_id is required');
  end if;
  -- a member may always leave; removing someone else takes an owner
  if caller is distinct from remove_member.user_id then
    perform haven_internal.require_owner(remove_member.property_id, caller, 'remove other members');
  else
    perform haven_internal.role_on(remove_member.property_id, caller);
  end if;
  perform 1 from public.properties p where p.id = remove_member.property_id for update;
  select * into membership from public.property_members m where m.property_id = remove_member.property_id and m.user_id = remove_member.user_id;
  if membership.id is null then
    perform haven_internal.not_found('member');
  end if;
  perform haven_internal.keep_an_owner(membership);
  delete from public.property_members where id = membership.id;
end
$$;

create function public.revoke_invitation(property_id uuid, email text)
returns void
language plpgsql volatile security definer set search_path = '' as $$
#variable_conflict use_column
declare
  caller uuid := haven_internal.caller();
begin
  if revoke_invitation.email is null then
    perform haven_internal.bad_argument('email is required');
  end if;
  perform haven_internal.require_owner(revoke_invitation.property_id, caller, 'revoke invitations');
  delete from public.property_members m
   where m.property_id = revoke_invitation.property_id and m.user_id is null and m.invited_email = lower(btrim(revoke_invitation.email));
  if not found then
    perform haven_internal.not_found('invitation');
  end if;
end
$$;

-- ───────────── recurring maintenance ─────────────

-- The due date after `from_date`: `recurrence` later (month arithmetic clamps to the month's
-- end: Jan 31 + 1 month = Feb 28/29), or the 1st of the first listed month after it; null for a
-- one-off task.
create function public.next_due_date(recurrence interval, recurrence_months smallint[], from_date date)
returns date
language sql immutable parallel safe set search_path = '' as $$
  select case
    when recurrence is not null then (from_date + recurrence)::date
    when recurrence_months is not null then (
      select min(make_date(y, m::int, 1))
        from unnest(recurrence_months) as m,
             generate_series(extract(year from from_date)::int, extract(year from from_date)::int + 1) as y
       where make_date(y, m::int, 1) > from_date
    )
  end
$$;

/** The task, locked, if the caller may work on it; else "task not found". */
create function haven_internal.lock_task(task uuid, caller uuid) returns public.maintenance_tasks
language plpgsql volatile set search_path = '' as $$
declare
  locked public.maintenance_tasks;
begin
  if task is null then
    perform haven_internal.bad_argument('task_id is required');
  end if;
  select * into locked from public.maintenance_tasks t where t.id = task for update;
  if locked.id is null or (caller is not null and not exists (
    select 1 from public.property_members m where m.property_id = locked.property_id and m.user_id = caller
  )) then
    perform haven_internal.not_found('task');
  end if;
  return locked;
end
$$;

create function public.complete_task(
  task_id uuid,
  performed_on date default current_date,
  notes text default null,
  cost numeric default null,
  supplies_used jsonb default '[]',
  client_request_id uuid default null
)
returns public.maintenance_tasks
language plpgsql volatile security definer set search_path = '' as $$
#variable_conflict use_column
declare
  caller uuid := haven_internal.caller();
  done_on date := complete_task.performed_on;
  used jsonb := coalesce(complete_task.supplies_used, '[]');
  task public.maintenance_tasks;
  earlier public.logs;
  item jsonb;
  supply record;
begin
  if done_on is null then
    perform haven_internal.bad_argument('performed_on is required');
  end if;
  -- a day of slack for callers ahead of the server's time zone
  if done_on > current_date + 1 then
    perform haven_internal.bad_argument('performed_on cannot be in the future');
  end if;
  if complete_task.cost < 0 or complete_task.cost >= 1e10 then
    perform haven_internal.bad_argument('cost must be between 0 and 9999999999.99');
  end if;
  if jsonb_typeof(used) <> 'array' then
    perform haven_internal.bad_argument('supplies_used must be an array of {supply_id, quantity}');
  end if;
  for item in select value from jsonb_array_elements(used) loop
    if not coalesce(
      jsonb_typeof(item) = 'object'
      and jsonb_typeof(item -> 'supply_id') = 'string'
      and (item ->> 'supply_id') ~* '^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$'
      and jsonb_typeof(item -> 'quantity') = 'number'
      and (item ->> 'quantity')::numeric > 0,
      false
    ) then
      perform haven_internal.bad_argument('supplies_used must be an array of {supply_id, quantity} with a supply id and a positive quantity');
    end if;
  end loop;

  -- concurrent completions of one task take turns here: each writes its log, none is lost
  task := haven_internal.lock_task(complete_task.task_id, caller);

  if complete_task.client_request_id is not null then
    select * into earlier from public.logs l where l.client_request_id = complete_task.client_request_id;
    if earlier.id is not null then
      if earlier.task_id is distinct from task.id then
        perform haven_internal.bad_argument('client_request_id was already used for another task');
      end if;
      -- a retry: completed once already, the task as it stands
      return task;
    end if;
  end if;

  for supply in
    select (value ->> 'supply_id')::uuid as id, sum((value ->> 'quantity')::numeric) as quantity
      from jsonb_array_elements(used)
     group by 1
     order by 1
  loop
    -- what was used but not recorded in stock leaves none, not a negative count
    update public.supplies s set quantity = greatest(s.quantity - supply.quantity, 0)
     where s.id = supply.id and s.property_id = task.property_id;
    if not found then
      perform haven_internal.not_found('supply ' || supply.id);
    end if;
  end loop;

  begin
    insert into public.logs (property_id, task_id, asset_id, performed_on, notes, cost, created_by, client_request_id, supplies_used)
    values (task.property_id, task.id, task.asset_id, done_on, complete_task.notes, complete_task.cost, caller, complete_task.client_request_id, used);
  exception
    when unique_violation then
      -- the same key, at the same moment, for another task (the same task waited on the lock)
      perform haven_internal.bad_argument('client_request_id was already used for another task');
  end;

  -- a completion logged for an earlier day than the last one is history: the schedule stays
  if task.last_done_on is null or done_on >= task.last_done_on then
    update public.maintenance_tasks t
       set last_done_on = done_on,
           next_due_on = case
             when t.recurrence is not null then public.next_due_date(t.recurrence, null, done_on)
             -- seasonal: done early counts for the month it was due in
             when t.recurrence_months is not null then public.next_due_date(null, t.recurrence_months, greatest(done_on, coalesce(t.next_due_on, done_on)))
           end,
           active = t.active and (t.recurrence is not null or t.recurrence_months is not null)
     where t.id = task.id
    returning * into task;
  end if;
  return task;
end
$$;
comment on function public.complete_task(uuid, date, text, numeric, jsonb, uuid) is
  'Logs the task as done, subtracts the supplies used and schedules its next due date; the same client_request_id completes once.';

create function public.snooze_task(task_id uuid, until date)
returns public.maintenance_tasks
language plpgsql volatile security definer set search_path = '' as $$
#variable_conflict use_column
declare
  caller uuid := haven_internal.caller();
  task public.maintenance_tasks;
begin
  if snooze_task.until is null or snooze_task.until < current_date then
    perform haven_internal.bad_argument('until must be a day from today on');
  end if;
  task := haven_internal.lock_task(snooze_task.task_id, caller);
  if not task.active then
    perform haven_internal.bad_argument('the task is not active');
  end if;
  update public.maintenance_tasks t set next_due_on = snooze_task.until where t.id = task.id returning * into task;
  return task;
end
$$;

create function public.skip_occurrence(task_id uuid)
returns public.maintenance_tasks
language plpgsql volatile security definer set search_path = '' as $$
#variable_conflict use_column
declare
  caller uuid := haven_internal.caller();
  task public.maintenance_tasks;
begin
  task := haven_internal.lock_task(skip_occurrence.task_id, caller);
  if not task.active then
    perform haven_internal.bad_argument('the task is not active');
  end if;
  if task.recurrence is null and task.recurrence_months is null then
    perform haven_internal.bad_argument('a one-off task has no next occurrence: complete it or delete it');
  end if;
  -- the occurrence due (or, if it is overdue, today's) is skipped: the next one after it
  update public.maintenance_tasks t
     set next_due_on = public.next_due_date(t.recurrence, t.recurrence_months, greatest(coalesce(t.next_due_on, current_date), current_date))
   where t.id = task.id
  returning * into task;
  return task;
end
$$;

-- ───────────── the catalogue ─────────────

create function public.add_asset_from_template(
  property_id uuid,
  template_key text,
  name text default null,
  zone_id uuid default null,
  details jsonb default '{}'
)
returns jsonb
language plpgsql volatile security definer set search_path = '' as $$
#variable_conflict use_column
declare
  caller uuid := haven_internal.caller();
  extra jsonb := coalesce(add_asset_from_template.details, '{}');
  chosen public.asset_templates;
  asset public.assets;
  unknown text;
  item jsonb;
  months smallint[];
  every interval;
  tasks jsonb := '[]';
  supplies jsonb := '[]';
  added_task public.maintenance_tasks;
  added_supply public.supplies;
begin
  perform haven_internal.role_on(add_asset_from_template.property_id, caller);
  if add_asset_from_template.template_key is null then
    perform haven_internal.bad_argument('template_key is required');
  end if;
  select * into chosen from public.asset_templates t where t.key = add_asset_from_template.template_key;
  if chosen.key is null then
    perform haven_internal.not_found('asset template ' || add_asset_from_template.template_key);
  end if;
  if add_asset_from_template.zone_id is not null and not exists (
    select 1 from public.zones z where z.id = add_asset_from_template.zone_id and z.property_id = add_asset_from_template.property_id
  ) then
    perform haven_internal.not_found('zone');
  end if;
  if length(btrim(add_asset_from_template.name)) not between 1 and 200 then
    perform haven_internal.bad_argument('name must be 1 to 200 characters');
  end if;
  if jsonb_typeof(extra) <> 'object' then
    perform haven_internal.bad_argument('details must be an object');
  end if;
  select k into unknown from jsonb_object_keys(extra) as k
   where k not in ('category', 'brand', 'model', 'serial_number', 'purchased_on', 'warranty_until', 'notes') limit 1;
  if unknown is not null then
    perform haven_internal.bad_argument(format('details has no field %s (category, brand, model, serial_number, purchased_on, warranty_until, notes)', unknown));
  end if;

  begin
    insert into public.assets (property_id, zone_id, name, category, brand, model, serial_number, purchased_on, warranty_until, notes, template_key, created_by)
    values (
      add_asset_from_template.property_id, add_asset_from_template.zone_id,
      coalesce(btrim(add_asset_from_template.name), chosen.name),
      coalesce(extra ->> 'category', chosen.category),
      extra ->> 'brand', extra ->> 'model', extra ->> 'serial_number',
      (extra ->> 'purchased_on')::date, (extra ->> 'warranty_until')::date,
      extra ->> 'notes', chosen.key, caller
    )
    returning * into asset;
  exception
    when invalid_datetime_format or datetime_field_overflow then
      perform haven_internal.bad_argument('purchased_on and warranty_until must be dates (YYYY-MM-DD)');
  end;

  for item in select value from jsonb_array_elements(chosen.tasks) loop
    every := (item ->> 'recurrence')::interval;
    months := case when jsonb_typeof(item -> 'months') = 'array' then array(select value::smallint from jsonb_array_elements_text(item -> 'months')) end;
    if every is not null then
      months := null;
    end if;
    insert into public.maintenance_tasks (property_id, asset_id, title, description, recurrence, recurrence_months, next_due_on, created_by)
    values (
      asset.property_id, asset.id, item ->> 'title', item ->> 'description', every, months,
      -- a one-off task from the catalogue (a first inspection, say) is due within the month
      coalesce(public.next_due_date(every, months, current_date), current_date + 30),
      caller
    )
    returning * into added_task;
    tasks := tasks || to_jsonb(added_task);
  end loop;

  for item in select value from jsonb_array_elements(chosen.supplies) loop
    insert into public.supplies (property_id, asset_id, name, part_number, quantity, unit, reorder_below, created_by)
    values (
      asset.property_id, asset.id, item ->> 'name', item ->> 'part_number',
      coalesce((item ->> 'quantity')::numeric, 0), item ->> 'unit', (item ->> 'reorder_below')::numeric, caller
    )
    returning * into added_supply;
    supplies := supplies || to_jsonb(added_supply);
  end loop;

  return to_jsonb(asset) || jsonb_build_object('tasks', tasks, 'supplies', supplies);
end
$$;
comment on function public.add_asset_from_template(uuid, text, text, uuid, jsonb) is
  'Adds an asset from the catalogue with its maintenance tasks (first due dates computed) and supplies; returns the asset with them.';

-- signed-out callers have no business here (they would get 42501 anyway)
revoke execute on function
  public.invite_member(uuid, text, text), public.set_member_role(uuid, uuid, text), public.remove_member(uuid, uuid),
  public.revoke_invitation(uuid, text), public.complete_task(uuid, date, text, numeric, jsonb, uuid),
  public.snooze_task(uuid, date), public.skip_occurrence(uuid), public.add_asset_from_template(uuid, text, text, uuid, jsonb)
  from public, anon;
revoke all on schema haven_internal from public;
