import type pg from 'pg';
import type { UserSecret } from './settings.ts';

const SCRAM_PREFIX = 'SCRAM-SHA-256$';

/**
 * The SCRAM verifiers of `roles`, for userlist.txt. PgBouncer needs the very verifier Postgres
 * holds (same salt and iteration count): it then reuses the key the client proves during its
 * own login to log in to Postgres, so no password is stored in plain text anywhere.
 * Needs a superuser connection, as only superusers may read `pg_authid`.
 */
export async function readScramSecrets(client: pg.Client | pg.PoolClient, roles: string[]): Promise<UserSecret[]> {
  const wanted = [...new Set(roles)];
  let rows: Array<{ rolname: string; rolpassword: string | null }>;
  try {
    ({ rows } = await client.query<{ rolname: string; rolpassword: string | null }>(
      'select rolname, rolpassword from pg_catalog.pg_authid where rolname = any($1::text[])',
      [wanted],
    ));
  } catch (error) {
    if ((error as { code?: string }).code === '42501') {
      throw new Error('reading SCRAM secrets needs a superuser connection: only superusers may read pg_authid');
    }
    throw error;
  }
  const byName = new Map(rows.map((row) => [row.rolname, row.rolpassword]));
  return wanted.map((name) => {
    if (!byName.has(name)) throw new Error(`role ${name} does not exist, so PgBouncer cannot authenticate it`);
    const secret = byName.get(name);
    if (!secret) throw new Error(`role ${name} has no password, so PgBouncer cannot authenticate it`);
    if (!secret.startsWith(SCRAM_PREFIX)) {
      throw new Error(`role ${name} has a password that is not a SCRAM-SHA-256 secret; set it again with password_encryption = 'scram-sha-256'`);
    }
    return { name, secret };
  });
}
