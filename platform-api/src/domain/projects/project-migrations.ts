import { createHash } from 'node:crypto';
import type pg from 'pg';
import {
  projectNames,
  ProjectSecret,
  readProjectSecret,
  withClient,
  withDatabase,
  type Pool,
  type SecretBox,
} from '@launchdb/common';
import { PlatformErrors } from '../../errors.ts';
import { ProjectRecords } from './project-records.ts';

export interface ProjectMigrationsOptions {
  /** The platform database (role launchdb_platform). */
  db: Pool;
  /** A superuser URL, direct: its host and port are where project databases are reached. */
  adminUrl: string;
  secrets: SecretBox;
}

export interface MigrationInput {
  name: string;
  sql: string;
}

export interface OwnerConnection {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
}

export interface AppliedMigration {
  name: string;
  /** sha256 of the SQL, hex. */
  checksum: string;
  appliedAt: Date;
}

/**
 * Schema changes of a project, applied as its owner role (so what they create is the owner's and
 * the base template's default privileges apply) and recorded in the project's own
 * `launchdb.migrations`, which the data API does not expose.
 */
export class ProjectMigrations {
  readonly #options: ProjectMigrationsOptions;
  readonly #records: ProjectRecords;

  constructor(options: ProjectMigrationsOptions) {
    this.#options = options;
    this.#records = new ProjectRecords(options.db);
  }

  /**
   * One transaction: the SQL, its record, and `NOTIFY pgrst, 'reload schema'` so the project's
   * data API sees the change once it commits. A name already applied is refused (409); an SQL
   * error rolls everything back (400 with PostgreSQL's message).
   */
  async apply(projectId: string, migration: MigrationInput): Promise<AppliedMigration> {
    await this.#requireActive(projectId);
    const owner = await this.ownerConnection(projectId);
    const url = new URL(withDatabase(this.#options.adminUrl, owner.database));
    url.username = encodeURIComponent(owner.user);
    url.password = encodeURIComponent(owner.password);
    const checksum = createHash('sha256').update(migration.sql).digest('hex');

    return withClient(url.toString(), async (client) => {
      await client.query('begin');
      try {
        await client.query(`select pg_advisory_xact_lock(hashtext('launchdb:migrations'))`);
        const { rowCount } = await client.query('select 1 from launchdb.migrations where name = $1', [migration.name]);
        if (rowCount) throw PlatformErrors.migrationExists(migration.name);
        const before = await currentTransaction(client);
        try {
          // no parameters: the simple protocol runs a file of several statements
          await client.query(migration.sql);
        } catch (error) {
          if (isSqlError(error)) throw PlatformErrors.migrationFailed(migration.name, describeSqlError(error, migration.sql));
          throw error;
        }
        if ((await currentTransaction(client)) !== before) {
          throw PlatformErrors.migrationFailed(
            migration.name,
            'it ended the transaction it runs in (COMMIT or ROLLBACK); statements before that may have been committed. Remove transaction control from migrations',
          );
        }
        const { rows } = await client.query<{ applied_at: Date }>(
          'insert into launchdb.migrations (name, checksum) values ($1, $2) returning applied_at',
          [migration.name, checksum],
        );
        await client.query(`notify pgrst, 'reload schema'`);
        await client.query('commit');
        return { name: migration.name, checksum, appliedAt: rows[0]!.applied_at };
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      }
    });
  }

  /**
   * How to reach the project's database as its owner, directly (a session of its own, not a
   * pooled one): what `launchdb project psql` connects with. The host is the one the platform
   * uses, so it is reachable from the platform's machine.
   */
  async ownerConnection(projectId: string): Promise<OwnerConnection> {
    const project = await this.#records.find(projectId);
    if (!project) throw PlatformErrors.projectNotFound(projectId);
    const names = projectNames(projectId);
    const password = await readProjectSecret(this.#options.db, this.#options.secrets, projectId, ProjectSecret.ownerPassword);
    // provisioning has not reached the owner role yet
    if (password === undefined) throw PlatformErrors.projectNotActive(projectId, project.status);
    const server = new URL(this.#options.adminUrl);
    // an IPv6 literal without the brackets a URL needs, as libpq's host takes it
    return { host: server.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(server.port || 5432), database: names.database, user: names.owner, password };
  }

  async list(projectId: string): Promise<AppliedMigration[]> {
    await this.#requireActive(projectId);
    const { database } = projectNames(projectId);
    return withClient(withDatabase(this.#options.adminUrl, database), async (client) => {
      const { rows } = await client.query<{ name: string; checksum: string; applied_at: Date }>(
        'select name, checksum, applied_at from launchdb.migrations order by applied_at, name',
      );
      return rows.map((row) => ({ name: row.name, checksum: row.checksum, appliedAt: row.applied_at }));
    });
  }

  async #requireActive(projectId: string): Promise<void> {
    const project = await this.#records.find(projectId);
    if (!project) throw PlatformErrors.projectNotFound(projectId);
    if (project.status !== 'active') throw PlatformErrors.projectNotActive(projectId, project.status);
  }
}

async function currentTransaction(client: pg.Client): Promise<string> {
  return (await client.query<{ xid: string }>('select txid_current()::text as xid')).rows[0]!.xid;
}

interface SqlError {
  code: string;
  message: string;
  position?: string;
  detail?: string;
  hint?: string;
}

/** An error PostgreSQL raised for the statement (it carries a SQLSTATE), not a lost connection. */
function isSqlError(error: unknown): error is SqlError {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !code.startsWith('08');
}

function describeSqlError(error: SqlError, sql: string): string {
  let text = error.message;
  const position = Number(error.position);
  if (Number.isInteger(position) && position > 0) text += ` (line ${sql.slice(0, position - 1).split('\n').length})`;
  if (error.detail) text += `. ${error.detail}`;
  if (error.hint) text += ` Hint: ${error.hint}`;
  return text;
}
