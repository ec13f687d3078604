import type { PoolClient } from '@launchdb/common';

export type OneTimeTokenType = 'confirmation_token' | 'recovery_token' | 'email_change_token_new' | 'email_change_token_current' | 'reauthentication_token' | 'phone_change_token';

/** A user has at most one token of each type: a new one replaces the last. */
export async function saveOneTimeToken(client: PoolClient, userId: string, type: OneTimeTokenType, tokenHash: string, relatesTo: string): Promise<void> {
  await client.query(
    `insert into auth.one_time_tokens (id, user_id, token_type, token_hash, relates_to, created_at, updated_at)
     values (gen_random_uuid(), $1, $2, $3, $4, now(), now())
     on conflict (user_id, token_type) do update set token_hash = excluded.token_hash, relates_to = excluded.relates_to,
                                                     created_at = now(), updated_at = now()`,
    [userId, type, tokenHash, relatesTo],
  );
}

export interface ConsumedToken {
  user_id: string;
  token_type: OneTimeTokenType;
  relates_to: string;
}

/**
 * Takes (deletes) a live token of one of the types by its hash: a token works once. Tokens
 * older than `maxAgeSeconds` are not found.
 */
export async function consumeOneTimeToken(client: PoolClient, tokenHash: string, types: OneTimeTokenType[], maxAgeSeconds: number): Promise<ConsumedToken | undefined> {
  const { rows } = await client.query<ConsumedToken>(
    `delete from auth.one_time_tokens
      where id = (select id from auth.one_time_tokens
                   where token_hash = $1 and token_type = any($2::auth.one_time_token_type[])
                     and created_at > (now() - make_interval(secs => $3))::timestamp
                   limit 1 for update)
      returning user_id, token_type::text as token_type, relates_to`,
    [tokenHash, types, maxAgeSeconds],
  );
  return rows[0];
}

export async function deleteOneTimeToken(client: PoolClient, userId: string, type: OneTimeTokenType): Promise<void> {
  await client.query('delete from auth.one_time_tokens where user_id = $1 and token_type = $2', [userId, type]);
}

/** Whether the user still has a live token of the type (the other half of a secure email change). */
export async function hasOneTimeToken(client: PoolClient, userId: string, type: OneTimeTokenType, maxAgeSeconds: number): Promise<boolean> {
  const { rows } = await client.query(
    'select 1 from auth.one_time_tokens where user_id = $1 and token_type = $2 and created_at > (now() - make_interval(secs => $3))::timestamp',
    [userId, type, maxAgeSeconds],
  );
  return rows.length > 0;
}
