import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { applyMigrations, quoteIdent, quoteLiteral, readMigrations, SecretBox, StartupError } from '@launchdb/common';

export const PLATFORM_MIGRATIONS_FOLDER = fileURLToPath(new URL('../../../postgres/platform/', import.meta.url));
export const PLATFORM_ROLE = 'launchdb_platform';
const ROLE_PASSWORD_SECRET = 'platform_role_password';

/**
 * Brings the platform database to the current schema and makes sure the login role the
 * services use exists, with a password kept only as ciphertext under the master key.
 * Runs over a superuser connection to the platform database; safe to run on every boot.
 *
 * `rolePassword` is the role's password when the services are handed it from outside
 * (PLATFORM_DB_PASSWORD in docker compose's .env); otherwise one is generated once and kept.
 */
export async function preparePlatformDatabase(
  admin: pg.Client,
  secrets: SecretBox,
  options: { rolePassword?: string | undefined } = {},
): Promise<{ applied: string[]; role: string; rolePassword: string }> {
  const applied = await applyMigrations(admin, await readMigrations(PLATFORM_MIGRATIONS_FOLDER), {
    schema: 'platform',
    table: 'schema_migrations',
  });
  const rolePassword = await ensurePlatformRole(admin, secrets, options.rolePassword);
  return { applied, role: PLATFORM_ROLE, rolePassword };
}

async function ensurePlatformRole(admin: pg.Client, secrets: SecretBox, configured: string | undefined): Promise<string> {
  const stored = await admin.query<{ ciphertext: string }>(
    'select ciphertext from platform.secrets where project_id is null and name = $1',
    [ROLE_PASSWORD_SECRET],
  );
  let password: string | undefined;
  if (stored.rows[0]) {
    try {
      password = secrets.decrypt(stored.rows[0].ciphertext, `platform:${ROLE_PASSWORD_SECRET}`);
    } catch {
      throw new StartupError('LAUNCHDB_MASTER_KEY does not decrypt this platform\'s secrets: it is not the key they were written with');
    }
  }
  if (password === undefined || (configured !== undefined && configured !== password)) {
    password = configured ?? randomBytes(24).toString('base64url');
    await admin.query(
      `insert into platform.secrets (project_id, name, ciphertext) values (null, $1, $2)
       on conflict (coalesce(project_id, ''), name) do update set ciphertext = excluded.ciphertext`,
      [ROLE_PASSWORD_SECRET, secrets.encrypt(password, `platform:${ROLE_PASSWORD_SECRET}`)],
    );
  }
  const role = quoteIdent(PLATFORM_ROLE);
  const current = await admin.query<{ rolpassword: string | null }>('select rolpassword from pg_authid where rolname = $1', [PLATFORM_ROLE]);
  // Setting an unchanged password again would give it a new SCRAM salt, and a PgBouncer still
  // holding the old verifier (compose's, while this runs again) could no longer log in with it.
  if (!current.rows[0] || !scramVerifies(current.rows[0].rolpassword, password)) {
    // DDL cannot take bind parameters; the password is quoted.
    await admin.query(`${current.rowCount ? 'alter' : 'create'} role ${role} login password ${quoteLiteral(password)}`);
  }
  const database = (await admin.query<{ db: string }>('select current_database() as db')).rows[0]!.db;
  await admin.query(`grant connect on database ${quoteIdent(database)} to ${role}`);
  await admin.query(`grant usage on schema platform to ${role}`);
  await admin.query(`grant select, insert, update, delete on all tables in schema platform to ${role}`);
  await admin.query(`alter default privileges in schema platform grant select, insert, update, delete on tables to ${role}`);
  return password;
}

/**
 * Whether a `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` verifier from pg_authid
 * was made from this password (RFC 5802: StoredKey = H(HMAC(SaltedPassword, "Client Key"))).
 * Our passwords are ASCII, which SASLprep leaves as it is.
 */
export function scramVerifies(verifier: string | null, password: string): boolean {
  const match = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):/.exec(verifier ?? '');
  if (!match) return false;
  const salted = pbkdf2Sync(password, Buffer.from(match[2]!, 'base64'), Number(match[1]), 32, 'sha256');
  const storedKey = createHash('sha256').update(createHmac('sha256', salted).update('Client Key').digest()).digest();
  const expected = Buffer.from(match[3]!, 'base64');
  return expected.length === storedKey.length && timingSafeEqual(expected, storedKey);
}
