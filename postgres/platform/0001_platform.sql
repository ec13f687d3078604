-- The control plane: who operates the platform, which projects exist, and their secrets.

create table platform.operators (
  id uuid primary key default gen_random_uuid(),
  email text not null,
  -- argon2id, PHC string format ($argon2id$v=19$m=…,t=…,p=…$salt$hash)
  password_hash text not null check (password_hash like '$argon2id$%'),
  created_at timestamptz not null default now(),
  last_login_at timestamptz
);
create unique index operators_email_key on platform.operators (lower(email));

create table platform.projects (
  -- becomes part of the database name proj_<id> and of URLs: lowercase, short, no quoting needed
  id text primary key check (id ~ '^[a-z][a-z0-9]{2,30}$'),
  name text not null check (length(name) between 1 and 200),
  status text not null default 'provisioning'
    check (status in ('provisioning', 'active', 'failed', 'deleting')),
  template text,
  failed_step text,
  error text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- Every value here is AES-256-GCM ciphertext under LAUNCHDB_MASTER_KEY, bound to its
-- (project_id, name) so that a value copied to another row does not decrypt.
create table platform.secrets (
  id uuid primary key default gen_random_uuid(),
  project_id text references platform.projects (id) on delete cascade,
  name text not null,
  ciphertext text not null check (ciphertext like 'v1.%'),
  created_at timestamptz not null default now(),
  rotated_at timestamptz
);
create unique index secrets_scope_name_key on platform.secrets (coalesce(project_id, ''), name);

create table platform.api_keys (
  id uuid primary key default gen_random_uuid(),
  project_id text not null references platform.projects (id) on delete cascade,
  role text not null check (role in ('anon', 'service_role')),
  -- the key itself is a JWT, kept encrypted in platform.secrets
  secret_id uuid not null references platform.secrets (id) on delete cascade,
  created_at timestamptz not null default now(),
  revoked_at timestamptz
);
create unique index api_keys_live_role_key on platform.api_keys (project_id, role) where revoked_at is null;
