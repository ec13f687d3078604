-- Each project's auth settings (site URL, redirect allow list, sign-up rules, token lifetime,
-- SMTP and mail templates), merged by the auth service over the platform-wide defaults of its
-- environment. The SMTP password is not here: it is a project secret (`smtp_password`).

create table platform.project_auth_settings (
  project_id text primary key references platform.projects (id) on delete cascade,
  settings jsonb not null default '{}'::jsonb check (jsonb_typeof(settings) = 'object'),
  updated_at timestamptz not null default now()
);
