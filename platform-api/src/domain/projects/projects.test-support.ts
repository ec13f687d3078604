import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import {
  applyMigrations,
  createLogger,
  createPool,
  generateMasterKey,
  parseMasterKey,
  projectNames,
  quoteIdent,
  readMigrations,
  SecretBox,
  withClient,
  type DataApiControl,
  type DatabaseAddress,
  type Logger,
  type Pool,
  type ProjectPooler,
} from '@launchdb/common';
import { inject } from 'vitest';
import { createTestDatabase } from '@launchdb/testkit/databases';
import { PLATFORM_MIGRATIONS_FOLDER } from '../../setup/platform-database.ts';
import { ProjectProvisioner, type ProjectProvisionerOptions } from './project-provisioner.ts';

/** A project id no other test (of any file) uses: roles are cluster-wide. */
export function randomProjectId(): string {
  return `t${randomBytes(4).toString('hex')}`;
}

/** The ports' stand-ins for tests: they record what was asked and keep the resulting state. */
export class RecordingPooler implements ProjectPooler {
  readonly address: DatabaseAddress = { host: '127.0.0.1', port: 5432 };
  readonly entries = new Set<string>();
  readonly calls: Array<{ call: 'add' | 'remove'; projectId: string }> = [];

  async addProject(projectId: string): Promise<void> {
    this.calls.push({ call: 'add', projectId });
    this.entries.add(projectId);
  }

  async removeProject(projectId: string): Promise<void> {
    this.calls.push({ call: 'remove', projectId });
    this.entries.delete(projectId);
  }

  count(call: 'add' | 'remove', projectId: string): number {
    return this.calls.filter((entry) => entry.call === call && entry.projectId === projectId).length;
  }
}

export class RecordingDataApis implements DataApiControl {
  readonly running = new Set<string>();
  readonly calls: Array<{ call: 'spawn' | 'stop' | 'reload'; projectId: string }> = [];
  /** Set to make spawn() fail, as an unreachable postgrest-manager would. */
  failSpawn: Error | undefined;

  async spawn(projectId: string): Promise<void> {
    this.calls.push({ call: 'spawn', projectId });
    if (this.failSpawn) throw this.failSpawn;
    this.running.add(projectId);
  }

  async stop(projectId: string): Promise<void> {
    this.calls.push({ call: 'stop', projectId });
    this.running.delete(projectId);
  }

  async reload(projectId: string): Promise<void> {
    this.calls.push({ call: 'reload', projectId });
  }

  count(call: 'spawn' | 'stop' | 'reload', projectId: string): number {
    return this.calls.filter((entry) => entry.call === call && entry.projectId === projectId).length;
  }
}

export interface TestPlatform {
  /** Superuser URL of the platform database: the admin URL the provisioner gets. */
  adminUrl: string;
  platformDatabase: string;
  db: Pool;
  secrets: SecretBox;
  pooler: RecordingPooler;
  dataApis: RecordingDataApis;
  logger: Logger;
  provisioner: (options?: Partial<ProjectProvisionerOptions>) => ProjectProvisioner;
  /** Drops every project database and role the test created, then the platform database. */
  close: () => Promise<void>;
  /** Ids of projects to clean up even if a test fails before deleting them. */
  created: Set<string>;
}

/** A fresh platform database (schema only: the platform role is cluster-wide and not ours to change). */
export async function createTestPlatform(): Promise<TestPlatform> {
  const database = await createTestDatabase('platform');
  await withClient(database.url, async (admin) =>
    applyMigrations(admin, await readMigrations(PLATFORM_MIGRATIONS_FOLDER), { schema: 'platform', table: 'schema_migrations' }),
  );
  const db = createPool({ connectionString: database.url, applicationName: 'projects-test', max: 4 });
  const secrets = new SecretBox(parseMasterKey(generateMasterKey()));
  const pooler = new RecordingPooler();
  const dataApis = new RecordingDataApis();
  const logger = createLogger({ level: 'silent', name: 'platform-api' });
  const created = new Set<string>();
  return {
    adminUrl: database.url,
    platformDatabase: database.name,
    db,
    secrets,
    pooler,
    dataApis,
    logger,
    created,
    provisioner: (options = {}) => new ProjectProvisioner({ db, adminUrl: database.url, secrets, pooler, dataApis, logger, ...options }),
    async close() {
      await db.end();
      await withClient(inject('postgresUrl'), async (admin) => {
        for (const id of created) await dropProjectLeftovers(admin, id);
      });
      await database.drop();
    },
  };
}

export async function dropProjectLeftovers(admin: pg.Client, id: string): Promise<void> {
  const names = projectNames(id);
  await admin.query(`drop database if exists ${quoteIdent(names.database)} with (force)`);
  await admin.query(`drop role if exists ${quoteIdent(names.authenticator)}`);
  await admin.query(`drop role if exists ${quoteIdent(names.owner)}`);
}

/** What exists of a project in the cluster and the platform database, counted. */
export async function projectFootprint(platform: TestPlatform, id: string) {
  const names = projectNames(id);
  const cluster = await withClient(inject('postgresUrl'), async (admin) => {
    const roles = await admin.query<{ rolname: string }>('select rolname from pg_roles where rolname = any($1::text[]) order by rolname', [[names.owner, names.authenticator]]);
    const databases = await admin.query('select 1 from pg_database where datname = $1', [names.database]);
    return { roles: roles.rows.map((row) => row.rolname), databases: databases.rowCount ?? 0 };
  });
  const secrets = await platform.db.query<{ name: string }>('select name from platform.secrets where project_id = $1 order by name', [id]);
  const keys = await platform.db.query<{ live: number; total: number }>(
    'select count(*) filter (where revoked_at is null)::int as live, count(*)::int as total from platform.api_keys where project_id = $1',
    [id],
  );
  return {
    ...cluster,
    secrets: secrets.rows.map((row) => row.name),
    liveKeys: keys.rows[0]!.live,
    totalKeys: keys.rows[0]!.total,
  };
}

/** Runs `work` connected straight to PostgreSQL as a login role (not through PgBouncer). */
export async function asRole<T>(login: { user: string; password: string; database: string }, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const url = new URL(inject('postgresUrl'));
  return withClient({ host: url.hostname, port: Number(url.port), user: login.user, password: login.password, database: login.database }, work);
}
