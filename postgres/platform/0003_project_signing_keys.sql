-- Each project's asymmetric JWT signing keys (Supabase's "JWT signing keys"): the auth service
-- signs access tokens with the key `in_use`; `standby` is published before it takes over, so
-- verifiers have it when the first token signed with it arrives; `previously_used` keys still
-- verify tokens issued before a rotation; `revoked` ones verify nothing. A project without a key
-- in use signs with its HS256 secret, as before. The private key is encrypted under the master key
-- (as every secret), bound to the project and key id.

create table platform.project_signing_keys (
  id text primary key,
  project_id text not null references platform.projects (id) on delete cascade,
  algorithm text not null check (algorithm in ('ES256', 'RS256')),
  status text not null check (status in ('in_use', 'standby', 'previously_used', 'revoked')),
  public_jwk jsonb not null,
  private_key_ciphertext text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index project_signing_keys_project_idx on platform.project_signing_keys (project_id, created_at);
create unique index project_signing_keys_one_in_use on platform.project_signing_keys (project_id) where status = 'in_use';
create unique index project_signing_keys_one_standby on platform.project_signing_keys (project_id) where status = 'standby';
