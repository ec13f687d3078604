-- Each project's S3 access keys (Supabase's "S3 access keys"): an S3 client (@aws-sdk/client-s3,
-- rclone…) signs requests to /storage/v1/s3 with SigV4 under one of them and acts as the
-- project's service role. The secret is shown once, when the key is created, and stored encrypted
-- under the master key, bound to the project and key id.

create table platform.project_s3_access_keys (
  access_key_id text primary key,
  project_id text not null references platform.projects (id) on delete cascade,
  description text not null default '',
  secret_ciphertext text not null,
  created_at timestamptz not null default now()
);
create index project_s3_access_keys_project_idx on platform.project_s3_access_keys (project_id, created_at);
