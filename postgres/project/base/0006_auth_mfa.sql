-- Multi-factor authentication (TOTP), as GoTrue keeps it: the columns GoTrue's later migrations
-- added to the MFA tables, its one-name-per-user rule, and one column of ours.

alter table auth.mfa_factors add column if not exists last_challenged_at timestamptz null;
alter table auth.mfa_factors add column if not exists phone text null;
alter table auth.mfa_challenges add column if not exists otp_code text null;

-- The last 30-second step whose code was accepted for this factor: a code is accepted once,
-- however many challenges it is sent to (GoTrue accepts it again on a new challenge).
alter table auth.mfa_factors add column if not exists last_verified_step bigint null;

create unique index if not exists mfa_factors_user_friendly_name_unique
  on auth.mfa_factors (friendly_name, user_id) where trim(friendly_name) <> '';
create index if not exists factor_id_created_at_idx on auth.mfa_factors (user_id, created_at);
create index if not exists mfa_challenge_created_at_idx on auth.mfa_challenges (created_at desc);
create index if not exists mfa_challenges_factor_id_idx on auth.mfa_challenges (factor_id);
create index if not exists sessions_factor_id_idx on auth.sessions (factor_id);
