-- Households: a property is shared by its members (property_members), and row-level security on
-- every Haven table is by membership of the row's property, no longer by the row's owner_id.
-- References stay inside their property through composite foreign keys on (id, property_id), and
-- a document's file lies in its property's storage folder. The asset catalogue's table is here
-- too (its rows come in 0004).
--
-- Existing projects get this file at their next boot: their rows are kept, each property's
-- owner becomes its first member, and the new constraints that old rows might break are added
-- NOT VALID and validated at the end where the rows allow it (a warning names the others).

create schema haven_internal;
comment on schema haven_internal is 'Haven''s helpers for its SECURITY DEFINER functions; not exposed, not usable by request roles.';

-- ───────────── members ─────────────

create table public.property_members (
  id uuid primary key default gen_random_uuid(),
  property_id uuid not null references public.properties (id) on delete cascade,
  -- null while the invitation waits for its address to sign up (or confirm it)
  user_id uuid references auth.users (id) on delete cascade,
  role text not null default 'member' check (role in ('owner', 'member')),
  invited_email text check (invited_email = lower(btrim(invited_email)) and length(invited_email) between 3 and 255),
  invited_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  joined_at timestamptz,
  unique (property_id, user_id),
  check (user_id is not null or invited_email is not null)
);
comment on table public.property_members is 'Who shares a property: owners (rename, delete, manage members) and members; rows without user_id are pending invitations.';
create unique index property_members_pending_key on public.property_members (property_id, invited_email) where user_id is null;
create index property_members_pending_email_idx on public.property_members (invited_email) where user_id is null;
-- haven_property_ids(): one index-only lookup per statement
create index property_members_user_idx on public.property_members (user_id) include (property_id, role);

-- ───────────── properties ─────────────

-- owner_id: who created the property, handed to another owner when they leave; the select
-- policy reads it too, so that `insert … returning` shows the creator their new property before
-- the trigger's membership row is visible to the statement.
alter table public.properties drop constraint properties_id_owner_id_key cascade;
alter table public.properties alter column owner_id drop not null;
alter table public.properties
  add constraint properties_owner_id_fkey foreign key (owner_id) references auth.users (id) on delete set null not valid;

insert into public.property_members (property_id, user_id, role, joined_at)
select p.id, p.owner_id, 'owner', p.created_at
  from public.properties p
 where exists (select 1 from auth.users u where u.id = p.owner_id)
on conflict do nothing;

-- ───────────── children: created_by, property folder, references inside the property ─────────────

-- the (property_id, owner_id) foreign keys went with properties_id_owner_id_key, the (…_id, owner_id)
-- ones go with their parents' (id, owner_id) keys
do $children$
declare
  child text;
begin
  foreach child in array array['zones', 'assets', 'maintenance_tasks', 'supplies', 'logs', 'documents'] loop
    execute format('drop policy owner_only on public.%I', child);
    execute format('alter table public.%I rename column owner_id to created_by', child);
    execute format('alter table public.%I alter column created_by drop not null', child);
    execute format('alter table public.%I add constraint %I foreign key (created_by) references auth.users (id) on delete set null not valid', child, child || '_created_by_fkey');
    execute format('alter table public.%I add constraint %I foreign key (property_id) references public.properties (id) on delete cascade not valid', child, child || '_property_id_fkey');
    execute format('drop index public.%I', child || '_owner_id_idx');
  end loop;
  foreach child in array array['zones', 'assets', 'maintenance_tasks'] loop
    execute format('alter table public.%I drop constraint %I cascade', child, child || '_id_owner_id_key');
    execute format('alter table public.%I add constraint %I unique (id, property_id)', child, child || '_id_property_id_key');
  end loop;
end
$children$;

create table public.asset_templates (
  key text primary key check (key ~ '^[a-z0-9_]{1,64}$'),
  name text not null,
  category text not null,
  description text,
  -- [{"title", "description", "recurrence": "3 months" | null, "months": [4, 11] | null}]
  tasks jsonb not null default '[]' check (jsonb_typeof(tasks) = 'array'),
  -- [{"name", "part_number", "quantity", "unit", "reorder_below"}]
  supplies jsonb not null default '[]' check (jsonb_typeof(supplies) = 'array')
);
comment on table public.asset_templates is 'Haven''s catalogue of common home assets with their usual maintenance; maintained by template migrations, read-only to users.';
alter table public.asset_templates enable row level security;
create policy haven_catalogue_readable on public.asset_templates for select to authenticated using (true);
revoke all on public.asset_templates from anon, authenticated, service_role;
grant select on public.asset_templates to authenticated, service_role;

alter table public.assets
  add column template_key text references public.asset_templates (key) on update cascade on delete set null,
  add constraint assets_zone_in_property_fkey foreign key (zone_id, property_id) references public.zones (id, property_id) on delete set null (zone_id) not valid;

alter table public.maintenance_tasks
  -- once a year in each of these months (due on the 1st); exclusive with `recurrence`
  add column recurrence_months smallint[],
  add constraint maintenance_tasks_months_check check (
    recurrence_months is null or (
      cardinality(recurrence_months) between 1 and 12
      and array_position(recurrence_months, null) is null
      and 1 <= all (recurrence_months) and 12 >= all (recurrence_months)
    )
  ),
  add constraint maintenance_tasks_one_schedule_check check (recurrence is null or recurrence_months is null),
  -- due dates are days: an interval of hours would not move them
  add constraint maintenance_tasks_whole_days_check check (recurrence is null or (recurrence >= interval '1 day' and date_trunc('day', recurrence) = recurrence)) not valid,
  add constraint maintenance_tasks_asset_in_property_fkey foreign key (asset_id, property_id) references public.assets (id, property_id) on delete cascade not valid;

alter table public.supplies
  add column asset_id uuid,
  add column part_number text check (length(part_number) <= 200),
  add constraint supplies_asset_in_property_fkey foreign key (asset_id, property_id) references public.assets (id, property_id) on delete set null (asset_id);

alter table public.logs
  -- a client's retry key: complete_task() with the same one completes once
  add column client_request_id uuid unique,
  -- [{"supply_id", "quantity"}] as complete_task() subtracted them
  add column supplies_used jsonb not null default '[]' check (jsonb_typeof(supplies_used) = 'array'),
  add constraint logs_task_in_property_fkey foreign key (task_id, property_id) references public.maintenance_tasks (id, property_id) on delete set null (task_id) not valid,
  add constraint logs_asset_in_property_fkey foreign key (asset_id, property_id) references public.assets (id, property_id) on delete set null (asset_id) not valid;

alter table public.documents
  add constraint documents_asset_in_property_fkey foreign key (asset_id, property_id) references public.assets (id, property_id) on delete set null (asset_id) not valid,
  -- `<property_id>/<name>` in the documents bucket, never `..`
  add constraint documents_in_property_folder_check check (
    starts_with(storage_path, property_id::text || '/')
    and length(storage_path) > 37
    and storage_path !~ '(^|/)\.\.?(/|$)'
  ) not valid;

-- captures stay personal (owner_id), optionally about one of their creator's properties
alter table public.captures
  drop constraint if exists captures_property_id_owner_id_fkey,
  add constraint captures_property_id_fkey foreign key (property_id) references public.properties (id) on delete set null not valid,
  add constraint captures_owner_id_fkey foreign key (owner_id) references auth.users (id) on delete cascade not valid;
drop policy owner_only on public.captures;

-- the lookups row-level security, cascades and the dashboards make
create index zones_property_idx on public.zones (property_id);
create index assets_property_idx on public.assets (property_id, created_at);
create index assets_zone_idx on public.assets (zone_id) where zone_id is not null;
create index maintenance_tasks_property_due_idx on public.maintenance_tasks (property_id, next_due_on) where active;
create index maintenance_tasks_asset_idx on public.maintenance_tasks (asset_id) where asset_id is not null;
create index supplies_property_idx on public.supplies (property_id);
create index supplies_asset_idx on public.supplies (asset_id) where asset_id is not null;
create index logs_property_performed_idx on public.logs (property_id, performed_on desc, created_at desc);
create index logs_task_idx on public.logs (task_id) where task_id is not null;
create index logs_asset_idx on public.logs (asset_id) where asset_id is not null;
create index documents_property_idx on public.documents (property_id);
create index documents_asset_idx on public.documents (asset_id) where asset_id is not null;
create index captures_owner_property_idx on public.captures (owner_id, property_id) where status in ('pending', 'processing');
create index properties_owner_idx on public.properties (owner_id);

-- ───────────── membership, as policies read it ─────────────

-- Policies call these as `x = any (array(select …))`: evaluated once per statement (an InitPlan),
-- and an index condition on property_id, so a list of a household's rows reads only its rows
-- (`x in (select …)` would be a filter over every row of the table).
create function public.haven_property_ids() returns setof uuid
language sql stable security definer set search_path = '' as $$
  select m.property_id from public.property_members m where m.user_id = auth.uid()
$$;
comment on function public.haven_property_ids() is 'The properties the signed-in caller is a member of (any role).';

create function public.haven_owned_property_ids() returns setof uuid
language sql stable security definer set search_path = '' as $$
  select m.property_id from public.property_members m where m.user_id = auth.uid() and m.role = 'owner'
$$;
comment on function public.haven_owned_property_ids() is 'The properties the signed-in caller owns.';

revoke execute on function public.haven_property_ids(), public.haven_owned_property_ids() from public, anon;
grant execute on function public.haven_property_ids(), public.haven_owned_property_ids() to authenticated, service_role;

-- ───────────── row-level security ─────────────

create policy haven_members_read on public.properties for select to authenticated
  using (owner_id = (select auth.uid()) or id = any (array(select public.haven_property_ids())));
create policy haven_create on public.properties for insert to authenticated
  with check (owner_id = (select auth.uid()));
create policy haven_owners_update on public.properties for update to authenticated
  using (id = any (array(select public.haven_owned_property_ids())))
  with check (id = any (array(select public.haven_owned_property_ids())));
create policy haven_owners_delete on public.properties for delete to authenticated
  using (id = any (array(select public.haven_owned_property_ids())));
-- owner_id changes only with membership (remove_member hands it on)
revoke update on public.properties from anon, authenticated;
grant update (name, address, kind) on public.properties to authenticated;

do $policies$
declare
  child text;
begin
  foreach child in array array['zones', 'assets', 'maintenance_tasks', 'supplies', 'logs', 'documents'] loop
    execute format(
      'create policy haven_members on public.%I for all to authenticated using (property_id = any (array(select public.haven_property_ids()))) with check (property_id = any (array(select public.haven_property_ids())))',
      child
    );
  end loop;
end
$policies$;

-- members see who shares their properties; changes go through invite_member, set_member_role,
-- remove_member and revoke_invitation, which keep a property from losing its last owner
alter table public.property_members enable row level security;
create policy haven_members_read on public.property_members for select to authenticated
  using (property_id = any (array(select public.haven_property_ids())));
revoke insert, update, delete, truncate on public.property_members from anon, authenticated;

create policy haven_own_captures on public.captures for all to authenticated
  using (owner_id = (select auth.uid()))
  with check (owner_id = (select auth.uid()) and (property_id is null or property_id = any (array(select public.haven_property_ids()))));

-- ───────────── triggers ─────────────

create function haven_internal.add_creator() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if new.owner_id is not null then
    insert into public.property_members (property_id, user_id, role, joined_at)
    values (new.id, new.owner_id, 'owner', now())
    on conflict (property_id, user_id) do nothing;
  end if;
  return null;
end
$$;
create trigger haven_creator_is_owner after insert on public.properties
  for each row execute function haven_internal.add_creator();

-- A signed-in user's rows carry their id whatever the request sent; the service key may set it.
create function haven_internal.stamp_created_by() returns trigger
language plpgsql set search_path = '' as $$
begin
  if tg_op = 'INSERT' then
    new.created_by := coalesce(auth.uid(), new.created_by);
  else
    new.created_by := old.created_by;
  end if;
  return new;
end
$$;
do $stamps$
declare
  child text;
begin
  foreach child in array array['zones', 'assets', 'maintenance_tasks', 'supplies', 'logs', 'documents'] loop
    execute format('create trigger haven_created_by before insert or update of created_by on public.%I for each row execute function haven_internal.stamp_created_by()', child);
  end loop;
end
$stamps$;

-- A member gone (removed, or their account deleted): the property's owner_id passes to an
-- owner who stays; when the last owner's account was deleted the longest-standing member becomes
-- owner, and a property nobody is left in goes with its last member.
create function haven_internal.member_removed() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if old.user_id is null or not exists (select 1 from public.properties p where p.id = old.property_id) then
    return null;
  end if;
  if not exists (select 1 from public.property_members m where m.property_id = old.property_id and m.role = 'owner' and m.user_id is not null) then
    update public.property_members set role = 'owner'
     where id = (select m.id from public.property_members m where m.property_id = old.property_id and m.user_id is not null order by m.created_at, m.id limit 1);
    if not found then
      delete from public.properties where id = old.property_id;
      return null;
    end if;
  end if;
  update public.properties p
     set owner_id = (select m.user_id from public.property_members m where m.property_id = p.id and m.role = 'owner' and m.user_id is not null order by m.created_at, m.id limit 1)
   where p.id = old.property_id and (p.owner_id is null or p.owner_id = old.user_id);
  return null;
end
$$;
create trigger haven_member_removed after delete on public.property_members
  for each row execute function haven_internal.member_removed();

-- Pending invitations become memberships once their address is a confirmed account: at sign-up
-- when the address needs no confirmation, else when it is confirmed or first signs in.
create function haven_internal.accept_invitations() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  delete from public.property_members pending
   where pending.user_id is null and pending.invited_email = lower(new.email)
     and exists (select 1 from public.property_members m where m.property_id = pending.property_id and m.user_id = new.id);
  update public.property_members
     set user_id = new.id, joined_at = now()
   where user_id is null and invited_email = lower(new.email);
  return null;
end
$$;
create trigger haven_accept_invitations after insert or update of email, email_confirmed_at, last_sign_in_at on auth.users
  for each row when (new.email is not null and new.email_confirmed_at is not null)
  execute function haven_internal.accept_invitations();

-- ───────────── storage ─────────────

-- documents: `<property_id>/…`, shared by the property's members; captures: `<user id>/…`, personal
drop policy haven_owner_folder on storage.objects;
create policy haven_property_documents on storage.objects for all to authenticated
  using (bucket_id = 'documents' and (storage.foldername(name))[1] in (select p.id::text from public.haven_property_ids() as p (id)))
  with check (bucket_id = 'documents' and (storage.foldername(name))[1] in (select p.id::text from public.haven_property_ids() as p (id)));
create policy haven_personal_captures on storage.objects for all to authenticated
  using (bucket_id = 'captures' and (storage.foldername(name))[1] = (select auth.uid())::text)
  with check (bucket_id = 'captures' and (storage.foldername(name))[1] = (select auth.uid())::text);

-- ───────────── what old rows allow ─────────────

do $validate$
declare
  pending record;
begin
  for pending in
    select c.conrelid::regclass as relation, c.conname
      from pg_constraint c
     where not c.convalidated
       and c.conrelid in ('public.properties'::regclass, 'public.zones'::regclass, 'public.assets'::regclass, 'public.maintenance_tasks'::regclass,
                          'public.supplies'::regclass, 'public.logs'::regclass, 'public.documents'::regclass, 'public.captures'::regclass)
  loop
    begin
      execute format('alter table %s validate constraint %I', pending.relation, pending.conname);
    exception
      when foreign_key_violation or check_violation then
        raise warning 'Haven: % of % holds for new rows only: older rows break it (%)', pending.conname, pending.relation, sqlerrm;
    end;
  end loop;
end
$validate$;
