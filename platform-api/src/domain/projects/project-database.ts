import type pg from 'pg';
import { quoteIdent, type ProjectNames } from '@launchdb/common';

/** The project's database, owned by its owner role. */
export async function ensureProjectDatabase(admin: pg.Client, names: ProjectNames): Promise<void> {
  const { rows } = await admin.query<{ owner: string }>(
    'select pg_catalog.pg_get_userbyid(datdba) as owner from pg_catalog.pg_database where datname = $1',
    [names.database],
  );
  if (!rows[0]) {
    await admin.query(`create database ${quoteIdent(names.database)} owner ${quoteIdent(names.owner)}`);
  } else if (rows[0].owner !== names.owner) {
    await admin.query(`alter database ${quoteIdent(names.database)} owner to ${quoteIdent(names.owner)}`);
  }
}

/**
 * Only the project's own roles may connect to its database (and superusers, always). The request
 * roles are NOLOGIN and shared by every project; they are entered with SET ROLE after connecting,
 * so they need no CONNECT anywhere.
 */
export async function isolateProjectDatabase(admin: pg.Client, names: ProjectNames): Promise<void> {
  const database = quoteIdent(names.database);
  await admin.query(`revoke all on database ${database} from public`);
  await admin.query(`grant connect on database ${database} to ${quoteIdent(names.authenticator)}`);
  await admin.query(`grant all on database ${database} to ${quoteIdent(names.owner)}`);
}

/**
 * Databases that any login role could reach until closed; `postgres` and the templates are left
 * alone, since administration tools and CREATE DATABASE expect them open.
 */
const LEFT_OPEN = new Set(['postgres', 'template0', 'template1']);

/**
 * Revokes PUBLIC's CONNECT on the platform database, so a project's roles cannot connect to it.
 * The platform's own role has CONNECT granted by name, and superusers need none. Once is enough:
 * the check keeps concurrent provisionings from updating the same catalog row, and an advisory
 * lock (advisory locks are per database: all callers use the admin URL's database) serialises the rest.
 */
export async function closeDatabaseToPublic(admin: pg.Client, database: string): Promise<boolean> {
  if (LEFT_OPEN.has(database)) return false;
  const open = async (): Promise<boolean> =>
    (await admin.query<{ open: boolean }>(`select has_database_privilege('public', $1, 'CONNECT') as open`, [database])).rows[0]!.open;
  if (!(await open())) return true;
  await admin.query('begin');
  try {
    await admin.query(`select pg_advisory_xact_lock(hashtext('launchdb:close-platform-database'))`);
    if (await open()) await admin.query(`revoke connect on database ${quoteIdent(database)} from public`);
    await admin.query('commit');
  } catch (error) {
    await admin.query('rollback').catch(() => undefined);
    throw error;
  }
  return true;
}

export async function dropProjectDatabase(admin: pg.Client, database: string): Promise<void> {
  // (force) ends the connections still open: PgBouncer's, a psql left open, a crashed data API's
  await admin.query(`drop database if exists ${quoteIdent(database)} with (force)`);
}
