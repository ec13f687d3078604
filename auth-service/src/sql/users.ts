import type { Pool, PoolClient } from '@launchdb/common';
import { FACTORS_JSON } from './mfa.ts';

/** A row of auth.users with its identities, as the queries here return it. */
export interface UserRow {
  id: string;
  aud: string | null;
  role: string | null;
  email: string | null;
  encrypted_password: string | null;
  email_confirmed_at: Date | null;
  invited_at: Date | null;
  confirmation_sent_at: Date | null;
  recovery_sent_at: Date | null;
  email_change: string | null;
  email_change_sent_at: Date | null;
  last_sign_in_at: Date | null;
  raw_app_meta_data: Record<string, unknown> | null;
  raw_user_meta_data: Record<string, unknown> | null;
  created_at: Date | null;
  updated_at: Date | null;
  phone: string | null;
  phone_confirmed_at: Date | null;
  confirmed_at: Date | null;
  banned_until: Date | null;
  is_anonymous: boolean;
  deleted_at: Date | null;
  identities: IdentityRow[];
  /** The user's MFA factors as GoTrue lists them (no secrets). */
  factors: Array<Record<string, unknown>>;
}

export interface IdentityRow {
  id: string;
  provider_id: string;
  user_id: string;
  identity_data: Record<string, unknown>;
  provider: string;
  last_sign_in_at: string | null;
  created_at: string | null;
  updated_at: string | null;
  email: string | null;
}

/** The select of a user with its identities and factors as json; callers add the where clause. */
export const SELECT_USER = `
  select u.id, u.aud, u.role, u.email, u.encrypted_password, u.email_confirmed_at, u.invited_at,
         u.confirmation_sent_at, u.recovery_sent_at, u.email_change, u.email_change_sent_at,
         u.last_sign_in_at, u.raw_app_meta_data, u.raw_user_meta_data, u.created_at, u.updated_at,
         u.phone, u.phone_confirmed_at, u.confirmed_at, u.banned_until, u.is_anonymous, u.deleted_at,
         coalesce((select json_agg(i order by i.created_at) from auth.identities i where i.user_id = u.id), '[]'::json) as identities,
         ${FACTORS_JSON} as factors
    from auth.users u`;

export async function findUserById(client: PoolClient, id: string): Promise<UserRow | undefined> {
  const { rows } = await client.query<UserRow>(`${SELECT_USER} where u.id = $1`, [id]);
  return rows[0];
}

/** Addresses are matched without regard to case, as GoTrue does. */
export async function findUserByEmail(client: PoolClient, email: string): Promise<UserRow | undefined> {
  const { rows } = await client.query<UserRow>(`${SELECT_USER} where lower(u.email) = lower($1) and u.is_sso_user = false`, [email]);
  return rows[0];
}

/** The user whose pending email change is to this address. */
export async function findUserByPendingEmail(client: PoolClient, newEmail: string): Promise<UserRow | undefined> {
  const { rows } = await client.query<UserRow>(`${SELECT_USER} where lower(u.email_change) = lower($1) and u.email_change <> '' limit 1`, [newEmail]);
  return rows[0];
}

export interface NewUser {
  email: string | null;
  passwordHash: string | null;
  userMetadata: Record<string, unknown>;
  appMetadata: Record<string, unknown>;
  confirmed: boolean;
  invited: boolean;
  anonymous: boolean;
  role?: string;
  bannedUntil?: Date | null;
  /** An `email` identity for its address (default); false for a user made by an external provider. */
  emailIdentity?: boolean;
  /** A phone user (digits of E.164, no +): a `phone` identity when it has no email. */
  phone?: string | null;
  phoneConfirmed?: boolean;
}

/** The user and, for an email user, its `email` identity, in one statement. */
export async function insertUser(client: PoolClient, user: NewUser): Promise<UserRow> {
  const { rows } = await client.query<{ id: string }>(
    `with u as (
       insert into auth.users (id, aud, role, email, encrypted_password, raw_app_meta_data, raw_user_meta_data,
                               email_confirmed_at, invited_at, is_anonymous, banned_until, is_super_admin, created_at, updated_at,
                               phone, phone_confirmed_at)
       values (gen_random_uuid(), 'authenticated', $8, $1, $2, $3, $4,
               case when $5::boolean then now() end, case when $6::boolean then now() end, $7, $9, false, now(), now(),
               $11, case when $12::boolean then now() end)
       returning id, email, email_confirmed_at, phone, phone_confirmed_at
     ), i as (
       insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
       select u.id::text, u.id,
              case when u.email is not null
                   then jsonb_build_object('sub', u.id::text, 'email', u.email, 'email_verified', u.email_confirmed_at is not null, 'phone_verified', false)
                   else jsonb_build_object('sub', u.id::text, 'phone', u.phone, 'email_verified', false, 'phone_verified', u.phone_confirmed_at is not null) end,
              case when u.email is not null then 'email' else 'phone' end, now(), now(), now()
         from u where (u.email is not null or u.phone is not null) and $10::boolean
     )
     select id from u`,
    [
      user.email,
      user.passwordHash,
      JSON.stringify(user.appMetadata),
      JSON.stringify(user.userMetadata),
      user.confirmed,
      user.invited,
      user.anonymous,
      user.role ?? 'authenticated',
      user.bannedUntil ?? null,
      user.emailIdentity ?? true,
      user.phone ?? null,
      user.phoneConfirmed ?? false,
    ],
  );
  return (await findUserById(client, rows[0]!.id))!;
}

export async function findUserByPhone(client: PoolClient, phone: string): Promise<UserRow | undefined> {
  const { rows } = await client.query<UserRow>(`${SELECT_USER} where u.phone = $1`, [phone]);
  return rows[0];
}

/** The phone is proven (a code came back): the user and its phone identity say so. */
export async function confirmPhone(client: PoolClient, userId: string): Promise<void> {
  await client.query(
    `with u as (
       update auth.users set phone_confirmed_at = coalesce(phone_confirmed_at, now()), updated_at = now() where id = $1 returning id
     )
     update auth.identities set identity_data = identity_data || '{"phone_verified": true}'::jsonb, updated_at = now()
      where user_id = (select id from u) and provider = 'phone'`,
    [userId],
  );
}

/** Seconds since the last code went to the user's phone (GoTrue keeps it in confirmation/recovery_sent_at). */
export async function secondsSinceCodeSent(client: PoolClient, userId: string): Promise<number | null> {
  const { rows } = await client.query<{ ago: number | null }>(
    `select extract(epoch from now() - greatest(confirmation_sent_at, recovery_sent_at))::float8 as ago from auth.users where id = $1`,
    [userId],
  );
  return rows[0]?.ago ?? null;
}

export async function setPasswordHash(client: PoolClient, userId: string, passwordHash: string): Promise<void> {
  await client.query('update auth.users set encrypted_password = $2, updated_at = now() where id = $1', [userId, passwordHash]);
}

/** Confirms the address (sign-up, invite, magic link): the identity says so too. */
export async function confirmEmail(client: PoolClient, userId: string): Promise<void> {
  await client.query(
    `with u as (
       update auth.users set email_confirmed_at = coalesce(email_confirmed_at, now()), updated_at = now() where id = $1 returning id
     )
     update auth.identities set identity_data = identity_data || '{"email_verified": true}'::jsonb, updated_at = now()
      where user_id = (select id from u) and provider = 'email'`,
    [userId],
  );
}

export async function markSent(client: PoolClient, userId: string, column: 'confirmation_sent_at' | 'recovery_sent_at' | 'email_change_sent_at'): Promise<void> {
  // the column name is one of three constants, never the caller's text
  await client.query(`update auth.users set ${column} = now() where id = $1`, [userId]);
}

export async function setEmailChange(client: PoolClient, userId: string, newEmail: string): Promise<void> {
  await client.query('update auth.users set email_change = $2, email_change_sent_at = now(), email_change_confirm_status = 0, updated_at = now() where id = $1', [
    userId,
    newEmail,
  ]);
}

/** One of the two addresses of a secure email change confirmed (GoTrue's email_change_confirm_status 1). */
export async function markEmailChangeHalfConfirmed(client: PoolClient, userId: string): Promise<void> {
  await client.query('update auth.users set email_change_confirm_status = 1, updated_at = now() where id = $1', [userId]);
}

/** The new address takes effect, confirmed; the email identity follows it. */
export async function applyEmailChange(client: PoolClient, userId: string, newEmail: string): Promise<void> {
  await client.query(
    `with u as (
       update auth.users set email = $2, email_change = '', email_change_token_new = '', email_change_token_current = '',
                             email_change_confirm_status = 0, email_confirmed_at = coalesce(email_confirmed_at, now()),
                             is_anonymous = false, updated_at = now()
        where id = $1 returning id
     ), i as (
       update auth.identities set identity_data = identity_data || jsonb_build_object('email', $2::text, 'email_verified', true), updated_at = now()
        where user_id = (select id from u) and provider = 'email'
        returning id
     )
     insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
     select u.id::text, u.id, jsonb_build_object('sub', u.id::text, 'email', $2::text, 'email_verified', true, 'phone_verified', false), 'email', now(), now(), now()
       from u where not exists (select 1 from i)
     on conflict (provider_id, provider) do nothing`,
    [userId, newEmail],
  );
}

/** Top-level keys of `data` replace the user's, as GoTrue merges user_metadata; a null value removes the key. */
export async function mergeUserMetadata(client: PoolClient, userId: string, data: Record<string, unknown>): Promise<void> {
  await client.query(
    `update auth.users set raw_user_meta_data = jsonb_strip_nulls(coalesce(raw_user_meta_data, '{}'::jsonb) || $2::jsonb), updated_at = now() where id = $1`,
    [userId, JSON.stringify(data)],
  );
}

export async function mergeAppMetadata(client: PoolClient, userId: string, data: Record<string, unknown>): Promise<void> {
  await client.query(
    `update auth.users set raw_app_meta_data = jsonb_strip_nulls(coalesce(raw_app_meta_data, '{}'::jsonb) || $2::jsonb), updated_at = now() where id = $1`,
    [userId, JSON.stringify(data)],
  );
}

export async function setBannedUntil(client: PoolClient, userId: string, until: Date | null): Promise<void> {
  await client.query('update auth.users set banned_until = $2, updated_at = now() where id = $1', [userId, until]);
}

/** The `role` claim of the user's next tokens (an admin's choice; `authenticated` by default). */
export async function setRole(client: PoolClient, userId: string, role: string): Promise<void> {
  await client.query('update auth.users set role = $2, updated_at = now() where id = $1', [userId, role]);
}

export async function deleteUser(client: PoolClient, userId: string): Promise<boolean> {
  const { rowCount } = await client.query('delete from auth.users where id = $1', [userId]);
  return (rowCount ?? 0) > 0;
}

export async function softDeleteUser(client: PoolClient, userId: string): Promise<boolean> {
  const { rowCount } = await client.query(
    `with s as (delete from auth.sessions where user_id = $1)
     update auth.users set deleted_at = now(), email = null, phone = null, encrypted_password = '', updated_at = now() where id = $1`,
    [userId],
  );
  return (rowCount ?? 0) > 0;
}

export async function listUsers(client: PoolClient, page: number, perPage: number): Promise<{ users: UserRow[]; total: number }> {
  const [{ rows }, counted] = [
    await client.query<UserRow>(`${SELECT_USER} where u.deleted_at is null order by u.created_at desc, u.id limit $1 offset $2`, [perPage, (page - 1) * perPage]),
    await client.query<{ n: number }>('select count(*)::int as n from auth.users where deleted_at is null'),
  ];
  return { users: rows, total: counted.rows[0]!.n };
}

/** The user's pending reauthentication: the digest of the mailed nonce and when it was sent ('' / null: none). */
export async function reauthenticationOf(client: PoolClient, userId: string): Promise<{ token_hash: string; sent_seconds_ago: number | null }> {
  const { rows } = await client.query<{ token_hash: string; sent_seconds_ago: number | null }>(
    `select coalesce(reauthentication_token, '') as token_hash, extract(epoch from now() - reauthentication_sent_at)::float8 as sent_seconds_ago
       from auth.users where id = $1 for update`,
    [userId],
  );
  return rows[0] ?? { token_hash: '', sent_seconds_ago: null };
}

export async function setReauthentication(client: PoolClient, userId: string, tokenHash: string): Promise<void> {
  await client.query('update auth.users set reauthentication_token = $2, reauthentication_sent_at = now() where id = $1', [userId, tokenHash]);
}

/** A nonce used: it and every other one-time token of the user end (GoTrue's ConfirmReauthentication). */
export async function confirmReauthentication(client: PoolClient, userId: string): Promise<void> {
  await client.query(`update auth.users set reauthentication_token = '' where id = $1`, [userId]);
  await client.query('delete from auth.one_time_tokens where user_id = $1', [userId]);
}

/**
 * findUserByEmail in one round trip, outside any transaction (the base template's
 * auth.launchdb_user_by_email). `unavailable`: a database provisioned before the function existed.
 */
export async function findUserByEmailInOneStatement(db: Pool, email: string): Promise<{ found: UserRow | undefined } | 'unavailable'> {
  try {
    const { rows } = await db.query<{ user: UserRow | null }>('select auth.launchdb_user_by_email($1) as user', [email]);
    return { found: rows[0]?.user ?? undefined };
  } catch (error) {
    if ((error as { code?: unknown }).code === '42883') return 'unavailable';
    throw error;
  }
}

/** A phone change waiting for the code sent to the new number. */
export async function setPhoneChange(client: PoolClient, userId: string, newPhone: string): Promise<void> {
  await client.query(`update auth.users set phone_change = $2, phone_change_sent_at = now(), updated_at = now() where id = $1`, [userId, newPhone]);
}

/** The new number is proven (or needs no proof): it becomes the user's, confirmed, and its phone identity's. */
export async function applyPhoneChange(client: PoolClient, userId: string, newPhone: string): Promise<void> {
  await client.query(
    `with u as (
       update auth.users set phone = $2, phone_confirmed_at = now(), phone_change = '', phone_change_token = '', updated_at = now() where id = $1 returning id
     )
     update auth.identities set identity_data = identity_data || jsonb_build_object('phone', $2::text, 'phone_verified', true), updated_at = now()
      where user_id = (select id from u) and provider = 'phone'`,
    [userId, newPhone],
  );
}

export async function pendingPhoneChangeOf(client: PoolClient, userId: string): Promise<string> {
  const { rows } = await client.query<{ phone_change: string | null }>('select phone_change from auth.users where id = $1', [userId]);
  return rows[0]?.phone_change ?? '';
}
