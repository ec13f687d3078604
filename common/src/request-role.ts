import type pg from 'pg';

/**
 * The role a transaction switches to, and the JWT claims that `auth.uid()`, `auth.role()`,
 * `auth.jwt()` and the project's policies read. Roles come from the caller's token, so only
 * these names are ever switched to.
 */
export interface RequestIdentity {
  role: 'anon' | 'authenticated' | 'service_role' | 'supabase_auth_admin';
  claims: Record<string, unknown>;
}

const SWITCHABLE_ROLES = new Set<string>(['anon', 'authenticated', 'service_role', 'supabase_auth_admin']);

/**
 * Runs `work` in one transaction as `identity.role`, with `request.jwt.claims` set, on a
 * connection of the project's authenticator. Settings are transaction-local (set_config(…,
 * true)), so nothing outlives the transaction on a PgBouncer server connection; one statement
 * sets them, as PostgREST and Supabase Storage do.
 */
export async function withRequestRole<T>(pool: pg.Pool, identity: RequestIdentity, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  if (!SWITCHABLE_ROLES.has(identity.role)) throw new Error(`not a request role: ${JSON.stringify(identity.role)}`);
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('begin');
    await client.query(`select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`, [
      identity.role,
      JSON.stringify(identity.claims),
    ]);
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    // a connection whose rollback failed is not handed to the next request
    await client.query('rollback').catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    client.release(broken);
  }
}
