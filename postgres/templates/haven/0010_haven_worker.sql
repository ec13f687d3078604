-- The worker's side of Haven (worker/README.md): captures as durable jobs, the NOTIFY that wakes
-- the worker, due-task reminders, each user's notification preferences, and accept_capture.
--
-- A capture is its own job: the worker claims it with `UPDATE … WHERE id = (SELECT … FOR UPDATE
-- SKIP LOCKED)`, holds it for a lease, and writes its result only while the claim is still its
-- own (locked_by and attempts, the fencing token). A NOTIFY is only a wake-up call: the minute
-- sweep finds whatever a lost notification left behind.

-- ───────────── captures as jobs ─────────────

alter table public.captures
  -- claims so far (a lease that expired counts: the worker died holding it)
  add column attempts smallint not null default 0 check (attempts >= 0),
  -- a failed attempt waits (exponential backoff) before it may be claimed again
  add column next_attempt_at timestamptz not null default now(),
  -- which worker holds it, until when; both null unless status = 'processing'
  add column locked_by text,
  add column lease_until timestamptz,
  -- accept_capture: the document made from the photo; the worker copies the photo's bytes into
  -- the documents bucket (SQL cannot copy objects) and stamps document_copied_at
  add column document_id uuid references public.documents (id) on delete set null,
  add column document_copied_at timestamptz,
  -- what accept_capture made (asset, document, completed task): a second call answers it again
  add column accepted jsonb,
  add column accepted_at timestamptz,
  -- a capture's file lies in its creator's own folder: the worker reads nobody else's files
  add constraint captures_file_in_owner_folder_check check (
    storage_path is null or (starts_with(storage_path, owner_id::text || '/') and storage_path !~ '(^|/)\.\.?(/|$)')
  ) not valid;

do $validate$
begin
  alter table public.captures validate constraint captures_file_in_owner_folder_check;
exception
  when check_violation then
    raise warning 'Haven: captures_file_in_owner_folder_check holds for new captures only: older ones name files outside their creator''s folder';
end
$validate$;

comment on column public.captures.error is 'Why the worker could not read it, in words a homeowner understands; set with status = ''failed''.';

-- the worker's columns are the worker's: homeowners write what they captured and may ask again
-- (status back to 'pending'), nothing else
revoke insert, update on public.captures from anon, authenticated;
grant insert (id, owner_id, property_id, kind, status, storage_path, body, created_at) on public.captures to authenticated;
grant update (property_id, status, storage_path, body) on public.captures to authenticated;

-- what the worker may claim: pending and due, or processing with a lapsed lease
create index captures_claimable_idx on public.captures (next_attempt_at, created_at) where status in ('pending', 'processing');
create index captures_document_copy_idx on public.captures (id) where document_id is not null and document_copied_at is null;

/** Asked again from the app (status back to 'pending' after 'processed' or 'failed'): a fresh start. */
create function haven_internal.capture_retried() returns trigger
language plpgsql set search_path = '' as $$
begin
  new.attempts := 0;
  new.next_attempt_at := now();
  new.error := null;
  new.locked_by := null;
  new.lease_until := null;
  return new;
end
$$;
create trigger haven_capture_retried before update of status on public.captures
  for each row when (new.status = 'pending' and old.status in ('processed', 'failed'))
  execute function haven_internal.capture_retried();

/** Wakes the worker: the payload is the capture's id; the row itself is the job. */
create function haven_internal.notify_capture_job() returns trigger
language plpgsql set search_path = '' as $$
begin
  perform pg_notify('capture_jobs', new.id::text);
  return null;
end
$$;
create trigger haven_capture_job_added after insert on public.captures
  for each row when (new.status = 'pending')
  execute function haven_internal.notify_capture_job();
create trigger haven_capture_job_again after update of status, document_id on public.captures
  for each row when (
    (new.status = 'pending' and old.status is distinct from 'pending')
    or (new.document_id is not null and old.document_id is null)
  )
  execute function haven_internal.notify_capture_job();

-- ───────────── notification preferences ─────────────

create table public.notification_preferences (
  user_id uuid primary key default auth.uid() references auth.users (id) on delete cascade,
  email_enabled boolean not null default true,
  -- the digest goes out at or after this hour of the user's day
  digest_hour smallint not null default 7 check (digest_hour between 0 and 23),
  time_zone text not null default 'UTC' check (length(time_zone) between 1 and 64),
  updated_at timestamptz not null default now()
);
comment on table public.notification_preferences is 'Each user''s reminder mail settings; no row means the defaults (a digest at 07:00 UTC).';

/** An unknown time zone is a bad argument (22023), not a digest that never goes out. */
create function haven_internal.check_time_zone() returns trigger
language plpgsql set search_path = '' as $$
begin
  if not exists (select 1 from pg_catalog.pg_timezone_names z where z.name = new.time_zone) then
    raise sqlstate '22023' using message = format('time_zone %s is not a time zone name (like Europe/Paris or UTC)', new.time_zone);
  end if;
  new.updated_at := now();
  return new;
end
$$;
create trigger haven_preferences_time_zone before insert or update on public.notification_preferences
  for each row execute function haven_internal.check_time_zone();

alter table public.notification_preferences enable row level security;
create policy haven_own_preferences on public.notification_preferences for all to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
revoke all on public.notification_preferences from anon;

-- ───────────── due-task reminders ─────────────

-- One row per task occurrence and household member: claimed by a due sweep, then sent (or
-- skipped). The unique key makes a second sweep, a restart or a second worker remind nobody twice.
create table public.task_reminders (
  id uuid primary key default gen_random_uuid(),
  task_id uuid not null references public.maintenance_tasks (id) on delete cascade,
  due_on date not null,
  user_id uuid not null references auth.users (id) on delete cascade,
  -- the user's day the digest belongs to (their time zone)
  digest_day date not null,
  status text not null default 'claimed' check (status in ('claimed', 'sent', 'skipped')),
  claimed_by text,
  lease_until timestamptz,
  -- why it was skipped ('no smtp', 'email disabled') or the SMTP error of the last try
  detail text,
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  unique (task_id, due_on, user_id)
);
comment on table public.task_reminders is 'Reminders of due tasks, one per occurrence (task and due date) and member; written by the worker.';
create index task_reminders_user_day_idx on public.task_reminders (user_id, digest_day);
create index task_reminders_claimed_idx on public.task_reminders (lease_until) where status = 'claimed';
alter table public.task_reminders enable row level security;
create policy haven_own_reminders on public.task_reminders for select to authenticated using (user_id = (select auth.uid()));
revoke all on public.task_reminders from anon, authenticated;
grant select on public.task_reminders to authenticated;

-- ───────────── accept_capture ─────────────

create function public.accept_capture(capture_id uuid, property_id uuid, zone_id uuid default null)
returns jsonb
language plpgsql volatile security definer set search_path = '' as $$
#variable_conflict use_column
declare
  caller uuid := haven_internal.caller();
  capture public.captures;
  suggestion jsonb;
  made jsonb := '{}';
  asset jsonb;
  task public.maintenance_tasks;
  document public.documents;
  extension text;
begin
  if accept_capture.capture_id is null then
    perform haven_internal.bad_argument('capture_id is required');
  end if;
  select * into capture from public.captures c where c.id = accept_capture.capture_id for update;
  -- captures are personal: someone else's is "not found", as row-level security would have it
  if capture.id is null or (caller is not null and capture.owner_id is distinct from caller) then
    perform haven_internal.not_found('capture');
  end if;
  perform haven_internal.role_on(accept_capture.property_id, caller);
  if capture.accepted is not null then
    -- accepted already (a retried call): what it made then
    return capture.accepted;
  end if;
  suggestion := capture.result -> 'suggestion';
  if capture.status <> 'processed' or suggestion is null or jsonb_typeof(suggestion) <> 'object' then
    perform haven_internal.bad_argument('this capture has no suggestion to accept (yet)');
  end if;
  if accept_capture.zone_id is not null and not exists (
    select 1 from public.zones z where z.id = accept_capture.zone_id and z.property_id = accept_capture.property_id
  ) then
    perform haven_internal.not_found('zone');
  end if;

  if suggestion ->> 'kind' = 'complete_task' then
    if not exists (select 1 from public.maintenance_tasks t where t.id = (suggestion ->> 'task_id')::uuid and t.property_id = accept_capture.property_id) then
      perform haven_internal.not_found('task');
    end if;
    -- the capture's id is the retry key: accepting twice completes once
    task := public.complete_task((suggestion ->> 'task_id')::uuid, current_date, capture.body, null, '[]', capture.id);
    made := jsonb_build_object('task', to_jsonb(task));
  else
    if suggestion ->> 'template_key' is not null and exists (select 1 from public.asset_templates t where t.key = suggestion ->> 'template_key') then
      asset := public.add_asset_from_template(
        accept_capture.property_id, suggestion ->> 'template_key', suggestion ->> 'name', accept_capture.zone_id,
        jsonb_strip_nulls(jsonb_build_object('brand', suggestion ->> 'brand', 'model', suggestion ->> 'model', 'serial_number', suggestion ->> 'serial'))
      );
    else
      if length(btrim(suggestion ->> 'name')) not between 1 and 200 then
        perform haven_internal.bad_argument('the suggestion has no name: add the asset by hand');
      end if;
      insert into public.assets (property_id, zone_id, name, brand, model, serial_number, created_by)
      values (accept_capture.property_id, accept_capture.zone_id, btrim(suggestion ->> 'name'), suggestion ->> 'brand', suggestion ->> 'model', suggestion ->> 'serial', caller)
      returning to_jsonb(assets.*) into asset;
    end if;
    made := jsonb_build_object('asset', asset);
  end if;

  -- the photo becomes the asset's document, in the property's folder of the documents bucket;
  -- the worker copies the bytes there (capture_jobs wakes it) and stamps document_copied_at
  if capture.kind = 'photo' and capture.storage_path is not null then
    extension := coalesce(lower(substring(capture.storage_path from '\.([A-Za-z0-9]{1,8})$')), 'jpg');
    insert into public.documents (property_id, asset_id, title, storage_path, mime_type, created_by)
    values (
      accept_capture.property_id, (asset ->> 'id')::uuid,
      left(coalesce(asset ->> 'name', 'Capture') || ' — photo', 200),
      accept_capture.property_id::text || '/captures/' || capture.id::text || '.' || extension,
      (select o.metadata ->> 'mimetype' from storage.objects o where o.bucket_id = 'captures' and o.name = capture.storage_path),
      caller
    )
    returning * into document;
    made := made || jsonb_build_object('document', to_jsonb(document));
  end if;

  update public.captures c
     set accepted = made, accepted_at = now(), property_id = coalesce(c.property_id, accept_capture.property_id), document_id = document.id
   where c.id = capture.id;
  return made;
end
$$;
comment on function public.accept_capture(uuid, uuid, uuid) is
  'Accepts a processed capture''s suggestion: adds the asset (from the catalogue when it names a template) or completes the task, and files the photo as the asset''s document.';
revoke execute on function public.accept_capture(uuid, uuid, uuid) from public, anon;
grant execute on function public.accept_capture(uuid, uuid, uuid) to authenticated, service_role;
