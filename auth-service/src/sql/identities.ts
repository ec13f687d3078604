import type { PoolClient } from '@launchdb/common';

/** The user an external identity belongs to, if it signed in before. */
export async function findIdentityUser(client: PoolClient, provider: string, providerId: string): Promise<string | undefined> {
  const { rows } = await client.query<{ user_id: string }>('select user_id from auth.identities where provider = $1 and provider_id = $2', [provider, providerId]);
  return rows[0]?.user_id;
}

/**
 * The identity joins (or, signing in again, refreshes) its user: its data as the provider gave it
 * now, the sign-in time, and the provider in the user's `app_metadata.providers`.
 */
export async function upsertIdentity(client: PoolClient, identity: { userId: string; provider: string; providerId: string; data: Record<string, unknown> }): Promise<void> {
  await client.query(
    `with i as (
       insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
       values ($2, $1, $4, $3, now(), now(), now())
       on conflict (provider_id, provider) do update set identity_data = excluded.identity_data, last_sign_in_at = now(), updated_at = now()
     )
     update auth.users
        set raw_app_meta_data = coalesce(raw_app_meta_data, '{}'::jsonb)
              || jsonb_build_object('providers', (select jsonb_agg(distinct p) from jsonb_array_elements_text(coalesce(raw_app_meta_data -> 'providers', '[]'::jsonb) || jsonb_build_array($3::text)) p)),
            updated_at = now()
      where id = $1`,
    [identity.userId, identity.providerId, identity.provider, JSON.stringify(identity.data)],
  );
}

/**
 * An unconfirmed account an external identity signs in to may have been made beforehand by
 * someone else with the same address (GoTrue's guard against that): its password goes, its
 * other identities go, its user_metadata becomes the identity's, and its providers this one.
 */
export async function keepOnlyIdentity(client: PoolClient, userId: string, identity: { provider: string; providerId: string; data: Record<string, unknown> }): Promise<void> {
  await client.query(
    `with d as (delete from auth.identities where user_id = $1 and not (provider = $2 and provider_id = $3))
     update auth.users
        set encrypted_password = null, raw_user_meta_data = $4,
            raw_app_meta_data = coalesce(raw_app_meta_data, '{}'::jsonb) || jsonb_build_object('providers', jsonb_build_array($2::text)),
            updated_at = now()
      where id = $1`,
    [userId, identity.provider, identity.providerId, JSON.stringify(identity.data)],
  );
}

/** A PKCE flow begun at /authorize: its code is issued once the provider has answered. */
export async function createOAuthFlowState(client: PoolClient, flow: { provider: string; method: 's256' | 'plain'; challenge: string; authCode: string }): Promise<string> {
  const { rows } = await client.query<{ id: string }>(
    `insert into auth.flow_state (id, user_id, auth_code, code_challenge_method, code_challenge, provider_type, created_at, updated_at, authentication_method)
     values (gen_random_uuid(), null, $1, $2, $3, $4, now(), now(), 'oauth')
     returning id`,
    [flow.authCode, flow.method, flow.challenge, flow.provider],
  );
  return rows[0]!.id;
}

/** The flow's user is known: its auth code may now be exchanged (POST /token?grant_type=pkce). */
export async function issueOAuthAuthCode(client: PoolClient, flowStateId: string, userId: string, providerTokens: { access: string | null; refresh: string | null }): Promise<string | undefined> {
  const { rows } = await client.query<{ auth_code: string }>(
    `update auth.flow_state set user_id = $2, provider_access_token = $3, provider_refresh_token = $4, auth_code_issued_at = now(), updated_at = now()
      where id = $1 and authentication_method = 'oauth' and user_id is null and created_at > now() - interval '10 minutes'
      returning auth_code`,
    [flowStateId, userId, providerTokens.access, providerTokens.refresh],
  );
  return rows[0]?.auth_code;
}

/** Removes one of the user's identities; `app_metadata.providers` keeps the providers still linked. */
export async function deleteIdentity(client: PoolClient, userId: string, identityId: string): Promise<void> {
  await client.query(
    `with d as (delete from auth.identities where id = $2 and user_id = $1)
     update auth.users
        set raw_app_meta_data = coalesce(raw_app_meta_data, '{}'::jsonb)
              || jsonb_build_object('providers', (select coalesce(jsonb_agg(distinct provider), '[]'::jsonb) from auth.identities where user_id = $1 and id <> $2)),
            updated_at = now()
      where id = $1`,
    [userId, identityId],
  );
}
