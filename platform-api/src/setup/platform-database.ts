import { randomBytes } from 'node:crypto';
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
 */
export async function preparePlatformDatabase(
  admin: pg.Client,
  secrets: SecretBox,
): Promise<{ applied: string[]; role: string; rolePassword: string }> {
  const applied = await applyMigrations(admin, await readMigrations(PLATFORM_MIGRATIONS_FOLDER), {
    schema: 'platform',
    table: 'schema_migrations',
  });
  const rolePassword = await ensurePlatformRole(admin, secrets);
  return { applied, role: PLATFORM_ROLE, rolePassword };
}

async function ensurePlatformRole(admin: pg.Client, secrets: SecretBox): Promise<string> {
  const stored = await admin.query<{ ciphertext: string }>(
    'select ciphertext from platform.secrets where project_id is null and name = $1',
    [ROLE_PASSWORD_SECRET],
  );
  let password: string;
  if (stored.rows[0]) {
    try {
      password = secrets.decrypt(stored.rows[0].ciphertext, `platform:${ROLE_PASSWORD_SECRET}`);
    } catch {
      throw new StartupError('LAUNCHDB_MASTER_KEY does not decrypt this platform\'s secrets: it is not the key they were written with');
    }
  } else {
    password = randomBytes(24).toString('base64url');
    await admin.query(
      `insert into platform.secrets (project_id, name, ciphertext) values (null, $1, $2)
       on conflict (coalesce(project_id, ''), name) do nothing`,
      [ROLE_PASSWORD_SECRET, secrets.encrypt(password, `platform:${ROLE_PASSWORD_SECRET}`)],
    );
  }
  const role = quoteIdent(PLATFORM_ROLE);
  const exists = await admin.query('select 1 from pg_roles where rolname = $1', [PLATFORM_ROLE]);
  // DDL cannot take bind parameters; the password is ours, base64url, and quoted anyway.
  await admin.query(`${exists.rowCount ? 'alter' : 'create'} role ${role} login password ${quoteLiteral(password)}`);
  const database = (await admin.query<{ db: string }>('select current_database() as db')).rows[0]!.db;
  await admin.query(`grant connect on database ${quoteIdent(database)} to ${role}`);
  await admin.query(`grant usage on schema platform to ${role}`);
  await admin.query(`grant select, insert, update, delete on all tables in schema platform to ${role}`);
  await admin.query(`alter default privileges in schema platform grant select, insert, update, delete on tables to ${role}`);
  return password;
}
