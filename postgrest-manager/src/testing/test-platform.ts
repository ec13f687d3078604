import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import {
  applyMigrations,
  createPool,
  createLogger,
  generateMasterKey,
  parseMasterKey,
  projectNames,
  projectSecretContext,
  ProjectSecret,
  quoteIdent,
  quoteLiteral,
  readMigrations,
  SecretBox,
  signHs256,
  withClient,
  withDatabase,
  type DatabaseAddress,
  type Logger,
  type Pool,
} from '@launchdb/common';
import { createTestDatabase } from '@launchdb/testkit/databases';
import { PlatformDataApiSettings } from '../domain/platform-data-api-settings.ts';

const PLATFORM_MIGRATIONS = fileURLToPath(new URL('../../../postgres/platform/', import.meta.url));

/**
 * For tests: a platform database (postgres/platform/*.sql) on the run's PostgreSQL, and
 * projects in it as provisioning would leave them — database proj_<id>, its authenticator,
 * a table, the project row and its encrypted secrets — so the real PlatformDataApiSettings runs.
 */
export interface TestPlatform {
  /** Superuser URL of the platform database. */
  url: string;
  masterKey: string;
  db: Pool;
  secrets: SecretBox;
  /** The run's PostgreSQL, which plays the pooler too. */
  postgres: DatabaseAddress;
  settings(): PlatformDataApiSettings;
  createProject(options?: { status?: string }): Promise<TestProject>;
  /** Drops every project created so far. */
  dropProjects(): Promise<void>;
  close(): Promise<void>;
}

export interface TestProject {
  id: string;
  jwtSecret: string;
  /** A JWT for `role`, signed with the project's secret (or another). */
  token(role?: string, secret?: string): Promise<string>;
  /** Stores a new JWT secret, as a key rotation does; returns it. */
  rotateJwtSecret(): Promise<string>;
  setStatus(status: string): Promise<void>;
  drop(): Promise<void>;
}

export async function createTestPlatform(): Promise<TestPlatform> {
  const serverUrl = inject('postgresUrl');
  const platform = await createTestDatabase('pm_platform');
  await withClient(platform.url, async (client) => {
    await applyMigrations(client, await readMigrations(PLATFORM_MIGRATIONS), { schema: 'platform', table: 'schema_migrations' });
  });
  const db = createPool({ connectionString: platform.url, applicationName: 'postgrest-manager-test', max: 4 });
  const masterKey = generateMasterKey();
  const secrets = new SecretBox(parseMasterKey(masterKey));
  const server = new URL(serverUrl);
  const postgres = { host: server.hostname, port: Number(server.port) };
  const projects = new Set<TestProject>();

  const storeSecret = (projectId: string, name: string, value: string) =>
    db.query(
      `insert into platform.secrets (project_id, name, ciphertext) values ($1, $2, $3)
       on conflict (coalesce(project_id, ''), name) do update set ciphertext = excluded.ciphertext, rotated_at = now()`,
      [projectId, name, secrets.encrypt(value, projectSecretContext(projectId, name))],
    );

  const createProject = async (options: { status?: string } = {}): Promise<TestProject> => {
    const id = `t${randomBytes(4).toString('hex')}`;
    const names = projectNames(id);
    const password = randomBytes(18).toString('base64url');
    let jwtSecret = randomBytes(32).toString('base64url');
    await withClient(serverUrl, async (admin) => {
      for (const role of ['anon', 'authenticated', 'service_role']) {
        // cluster-wide, and other test files create them too
        await admin.query(`do $$ begin create role ${role} nologin; exception when duplicate_object or unique_violation then null; end $$`);
      }
      await admin.query(`create role ${quoteIdent(names.authenticator)} login noinherit password ${quoteLiteral(password)}`);
      await admin.query(`grant anon, authenticated, service_role to ${quoteIdent(names.authenticator)}`);
      await admin.query(`create database ${quoteIdent(names.database)}`);
    });
    await withClient(withDatabase(serverUrl, names.database), async (admin) => {
      await admin.query('create table public.notes (id int primary key, body text not null)');
      await admin.query("insert into public.notes values (1, 'first'), (2, 'second')");
      await admin.query('grant select on public.notes to anon, authenticated');
    });
    await db.query('insert into platform.projects (id, name, status) values ($1, $2, $3)', [id, `test ${id}`, options.status ?? 'active']);
    await storeSecret(id, ProjectSecret.authenticatorPassword, password);
    await storeSecret(id, ProjectSecret.jwtSecret, jwtSecret);

    const project: TestProject = {
      id,
      get jwtSecret() {
        return jwtSecret;
      },
      token: (role = 'authenticated', secret = jwtSecret) => signHs256({ role }, { secret, expiresInSeconds: 600 }),
      rotateJwtSecret: async () => {
        jwtSecret = randomBytes(32).toString('base64url');
        await storeSecret(id, ProjectSecret.jwtSecret, jwtSecret);
        return jwtSecret;
      },
      setStatus: async (status) => {
        await db.query('update platform.projects set status = $2 where id = $1', [id, status]);
      },
      drop: async () => {
        projects.delete(project);
        await db.query('delete from platform.projects where id = $1', [id]).catch(() => undefined);
        await withClient(serverUrl, async (admin) => {
          await admin.query(`drop database if exists ${quoteIdent(names.database)} with (force)`);
          await admin.query(`drop role if exists ${quoteIdent(names.authenticator)}`);
        });
      },
    };
    projects.add(project);
    return project;
  };

  return {
    url: platform.url,
    masterKey,
    db,
    secrets,
    postgres,
    settings: () => new PlatformDataApiSettings({ db, secrets, pooler: postgres, postgres, dbPool: 2 }),
    createProject,
    dropProjects: async () => {
      for (const project of [...projects]) await project.drop();
    },
    close: async () => {
      for (const project of [...projects]) await project.drop();
      await db.end();
      await platform.drop();
    },
  };
}

/** A logger for tests: silent unless TEST_LOG_LEVEL is set. */
export function testLogger(): Logger {
  return createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent', name: 'postgrest-manager-test' });
}
