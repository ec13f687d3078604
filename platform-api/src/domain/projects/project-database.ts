import type pg from 'pg';
import { quoteIdent, type ProjectNames } from '@launchdb/common';

/**
 * The project's database, owned by its owner role.
 *
 * Copied from template1 file by file (STRATEGY FILE_COPY, PostgreSQL 15+), not page by page
 * through the WAL (WAL_LOG, the default): each of a database's ~400 files is then fsynced at
 * creation, between two checkpoints, instead of being left for the next checkpoint. Measured
 * here (30 databases): WAL_LOG 13 s + a 17 s checkpoint after them and 5 MB of WAL each,
 * FILE_COPY 19 s + a 0.1 s checkpoint and next to no WAL. With WAL_LOG, a thousand databases
 * created in one go left minutes of fsyncs to the shutdown checkpoint, so `launchdb up` stopped
 * right after mass creation ran out of time and the next start was a crash recovery.
 */
export async function ensureProjectDatabase(admin: pg.Client, names: ProjectNames): Promise<void> {
  const { rows } = await admin.query<{ owner: string | null; version: number }>(
    `select (select pg_catalog.pg_get_userbyid(datdba) from pg_catalog.pg_database where datname = $1) as owner,
            pg_catalog.current_setting('server_version_num')::int as version`,
    [names.database],
  );
  const found = rows[0]!;
  if (found.owner === null) {
    const strategy = found.version >= 150000 ? ' strategy file_copy' : '';
    await admin.query(`create database ${quoteIdent(names.database)} owner ${quoteIdent(names.owner)}${strategy}`);
  } else if (found.owner !== names.owner) {
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
