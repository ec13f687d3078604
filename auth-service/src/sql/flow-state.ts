import type { PoolClient } from '@launchdb/common';

export interface FlowStateRow {
  id: string;
  user_id: string | null;
  code_challenge_method: 's256' | 'plain';
  code_challenge: string;
  authentication_method: string;
  age_seconds: number;
  /** What the provider of an OAuth sign-in gave, handed to the app with the session. */
  provider_access_token: string | null;
  provider_refresh_token: string | null;
}

/** A PKCE flow begun by a mail (sign-up, magic link, recovery, …): finished by the code its verification hands out. */
export async function createFlowState(
  client: PoolClient,
  flow: { userId: string; method: 's256' | 'plain'; challenge: string; authenticationMethod: string; authCode: string },
): Promise<void> {
  await client.query(
    `insert into auth.flow_state (id, user_id, auth_code, code_challenge_method, code_challenge, provider_type, created_at, updated_at, authentication_method)
     values (gen_random_uuid(), $1, $2, $3, $4, 'email', now(), now(), $5)`,
    [flow.userId, flow.authCode, flow.method, flow.challenge, flow.authenticationMethod],
  );
}

/** The newest open flow of a user for a method: its code is issued when the mailed link is followed. */
export async function issueAuthCode(client: PoolClient, userId: string, authenticationMethods: string[]): Promise<{ auth_code: string; authentication_method: string } | undefined> {
  const { rows } = await client.query<{ auth_code: string; authentication_method: string }>(
    `update auth.flow_state set auth_code_issued_at = now(), updated_at = now()
      where id = (select id from auth.flow_state where user_id = $1 and authentication_method = any($2::text[])
                   order by created_at desc limit 1)
      returning auth_code, authentication_method`,
    [userId, authenticationMethods],
  );
  return rows[0];
}

/** Takes the flow of an auth code (deleted: a code works once). */
export async function takeFlowState(client: PoolClient, authCode: string): Promise<FlowStateRow | undefined> {
  const { rows } = await client.query<FlowStateRow>(
    `delete from auth.flow_state where auth_code = $1 and auth_code_issued_at is not null
     returning id, user_id, code_challenge_method::text as code_challenge_method, code_challenge, authentication_method,
               nullif(provider_access_token, '') as provider_access_token, nullif(provider_refresh_token, '') as provider_refresh_token,
               extract(epoch from now() - auth_code_issued_at)::float8 as age_seconds`,
    [authCode],
  );
  return rows[0];
}
