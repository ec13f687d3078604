-- Haven: homeowners track their properties, zones, assets, recurring maintenance, supplies,
-- logs, documents and quick captures. Applied as the project's owner role, so the base
-- template's default privileges open every table to the request roles and row-level security
-- decides: a signed-in user sees and changes only their own rows (owner_id = auth.uid()).
--
-- Every child row carries its owner and references its parent by (id, owner_id): a user cannot
-- hang a row under someone else's property even when they know its id, because foreign-key
-- checks bypass row-level security.

create table public.properties (
  id uuid primary key default gen_random_uuid(),
  owner_id uuid not null default auth.uid(),
  name text not null check (length(name) between 1 and 200),
  address text,
  kind text not null default 'house' check (kind in ('house', 'apartment', 'cabin', 'other')),
  created_at timestamptz not null default now(),
  unique (id, owner_id)
);

create table public.zones (
  id uuid primary key default gen_random_uuid(),
  owner_id uuid not null default auth.uid(),
  property_id uuid not null,
  name text not null check (length(name) between 1 and 200),
  floor smallint,
  created_at timestamptz not null default now(),
  unique (id, owner_id),
  foreign key (property_id, owner_id) references public.properties (id, owner_id) on delete cascade
);

create table public.assets (
  id uuid primary key default gen_random_uuid(),
  owner_id uuid not null default auth.uid(),
  property_id uuid not null,
  zone_id uuid,
  name text not null check (length(name) between 1 and 200),
  category text,
  brand text,
  model text,
  serial_number text,
  purchased_on date,
  warranty_until date,
  notes text,
  created_at timestamptz not null default now(),
  unique (id, owner_id),
  foreign key (property_id, owner_id) references public.properties (id, owner_id) on delete cascade,
  foreign key (zone_id, owner_id) references public.zones (id, owner_id) on delete set null (zone_id)
);

create table public.maintenance_tasks (
  id uuid primary key default gen_random_uuid(),
  owner_id uuid not null default auth.uid(),
  property_id uuid not null,
  asset_id uuid,
  title text not null check (length(title) between 1 and 200),
  description text,
  -- null: a one-off task; otherwise it comes back this long after it was last done
  recurrence interval check (recurrence > interval '0'),
  next_due_on date,
  last_done_on date,
  active boolean not null default true,
  created_at timestamptz not null default now(),
  unique (id, owner_id),
  foreign key (property_id, owner_id) references public.properties (id, owner_id) on delete cascade,
  foreign key (asset_id, owner_id) references public.assets (id, owner_id) on delete set null (asset_id)
);

create table public.supplies (
  id uuid primary key default gen_random_uuid(),
  owner_id uuid not null default auth.uid(),
  property_id uuid not null,
  name text not null check (length(name) between 1 and 200),
  quantity numeric not null default 0 check (quantity >= 0),
  unit text,
  reorder_below numeric check (reorder_below >= 0),
  notes text,
  created_at timestamptz not null default now(),
  unique (id, owner_id),
  foreign key (property_id, owner_id) references public.properties (id, owner_id) on delete cascade
);

create table public.logs (
  id uuid primary key default gen_random_uuid(),
  owner_id uuid not null default auth.uid(),
  property_id uuid not null,
  task_id uuid,
  asset_id uuid,
  performed_on date not null default current_date,
  notes text,
  cost numeric(12, 2) check (cost >= 0),
  created_at timestamptz not null default now(),
  foreign key (property_id, owner_id) references public.properties (id, owner_id) on delete cascade,
  foreign key (task_id, owner_id) references public.maintenance_tasks (id, owner_id) on delete set null (task_id),
  foreign key (asset_id, owner_id) references public.assets (id, owner_id) on delete set null (asset_id)
);

create table public.documents (
  id uuid primary key default gen_random_uuid(),
  owner_id uuid not null default auth.uid(),
  property_id uuid not null,
  asset_id uuid,
  title text not null check (length(title) between 1 and 200),
  -- object key in the project's storage
  storage_path text not null,
  mime_type text,
  size_bytes bigint check (size_bytes >= 0),
  created_at timestamptz not null default now(),
  foreign key (property_id, owner_id) references public.properties (id, owner_id) on delete cascade,
  foreign key (asset_id, owner_id) references public.assets (id, owner_id) on delete set null (asset_id)
);

create table public.captures (
  id uuid primary key default gen_random_uuid(),
  owner_id uuid not null default auth.uid(),
  property_id uuid,
  kind text not null check (kind in ('photo', 'voice', 'text')),
  status text not null default 'pending' check (status in ('pending', 'processing', 'processed', 'failed')),
  -- photos and voice notes are files in storage; a text capture is its body
  storage_path text,
  body text,
  -- what the worker made of it (OCR text, transcript, suggested records)
  result jsonb,
  error text,
  created_at timestamptz not null default now(),
  processed_at timestamptz,
  check (case kind when 'text' then body is not null else storage_path is not null end),
  foreign key (property_id, owner_id) references public.properties (id, owner_id) on delete set null (property_id)
);

-- Row-level security: each signed-in user owns their rows; the anon key sees nothing, the
-- service key (BYPASSRLS) everything. `(select auth.uid())` is evaluated once per statement.
do $policies$
declare
  table_name text;
begin
  foreach table_name in array array['properties', 'zones', 'assets', 'maintenance_tasks', 'supplies', 'logs', 'documents', 'captures'] loop
    execute format('alter table public.%I enable row level security', table_name);
    execute format(
      'create policy owner_only on public.%I for all to authenticated using (owner_id = (select auth.uid())) with check (owner_id = (select auth.uid()))',
      table_name
    );
    execute format('create index on public.%I (owner_id)', table_name);
  end loop;
end
$policies$;

create index on public.maintenance_tasks (next_due_on) where active;
create index on public.captures (created_at) where status = 'pending';
