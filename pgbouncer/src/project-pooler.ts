import type pg from 'pg';
// by module, never common's index: test helpers and bundles import this package too
import { withClient } from '@launchdb/common/db';
import { projectNames, type DatabaseAddress, type ProjectPooler } from '@launchdb/common/projects';
import type { PgBouncerProcessSettings } from './pgbouncer-process.ts';
import { readScramSecrets } from './scram-secrets.ts';
import type { DatabaseRoute, UserSecret } from './settings.ts';

/**
 * A PgBouncer whose config files we write: our child process (PgBouncerProcess, `launchdb up`),
 * or one in a container of its own reading a shared folder (SharedFolderPgBouncer, compose).
 */
export interface ConfiguredPgBouncer {
  readonly host: string;
  readonly port: number;
  updateConfig(settings: PgBouncerProcessSettings, users: UserSecret[]): Promise<void>;
  /** Makes a running PgBouncer use the files; one not running reads them when it starts. */
  reloadIfRunning(): Promise<void>;
}

export interface PgBouncerProjectPoolerOptions {
  /** PgBouncer with an admin login; from now on its config is changed only through this pooler. */
  pgbouncer: ConfiguredPgBouncer;
  /** What PgBouncer serves apart from projects (the platform alias, the admin user): always kept. */
  base: { settings: PgBouncerProcessSettings; users: UserSecret[] };
  /** Where the project databases are: PostgreSQL's host and port as PgBouncer reaches them. */
  postgres: DatabaseAddress;
  /** A superuser URL, direct: only superusers may read the SCRAM secrets PgBouncer logs in with. */
  adminUrl: string;
  /** Server connections per project alias; the base `defaultPoolSize` when absent. */
  projectPoolSize?: number;
}

/**
 * Each project's PgBouncer entry: the alias `proj_<id>` → database `proj_<id>`, and its
 * authenticator with the SCRAM secret copied from pg_authid, applied with RELOAD. Calls run one
 * at a time, since each rewrites the whole config.
 */
export class PgBouncerProjectPooler implements ProjectPooler {
  readonly #options: PgBouncerProjectPoolerOptions;
  readonly #projects = new Map<string, UserSecret>();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: PgBouncerProjectPoolerOptions) {
    this.#options = options;
  }

  get address(): DatabaseAddress {
    return { host: this.#options.pgbouncer.host, port: this.#options.pgbouncer.port };
  }

  /** The projects PgBouncer currently serves. */
  get projectIds(): string[] {
    return [...this.#projects.keys()].sort();
  }

  /** Idempotent; re-reads the authenticator's secret, so a changed password is picked up too. */
  addProject(projectId: string): Promise<void> {
    const { authenticator } = projectNames(projectId);
    return this.#serialised(async () => {
      const [secret] = await withClient(this.#options.adminUrl, (admin) => readScramSecrets(admin, [authenticator]));
      this.#projects.set(projectId, secret!);
      await this.#apply();
    });
  }

  removeProject(projectId: string): Promise<void> {
    projectNames(projectId);
    return this.#serialised(async () => {
      // applied even when it was not listed: a failed removal's retry must still reach PgBouncer
      this.#projects.delete(projectId);
      await this.#apply();
    });
  }

  /**
   * At boot: exactly these projects, in one RELOAD. A project whose authenticator does not
   * exist (yet) is left out; its provisioning adds it.
   */
  syncProjects(projectIds: string[]): Promise<{ added: string[]; skipped: string[] }> {
    return this.#serialised(async () => {
      const wanted = new Map(projectIds.map((id) => [projectNames(id).authenticator, id]));
      const secrets = await withClient(this.#options.adminUrl, async (admin) => readScramSecrets(admin, await existingRoles(admin, [...wanted.keys()])));
      this.#projects.clear();
      for (const secret of secrets) this.#projects.set(wanted.get(secret.name)!, secret);
      await this.#apply();
      const added = this.projectIds;
      return { added, skipped: projectIds.filter((id) => !this.#projects.has(id)) };
    });
  }

  async #apply(): Promise<void> {
    const { base, postgres, pgbouncer } = this.#options;
    const routes: DatabaseRoute[] = [...this.#projects.keys()].sort().map((id) => {
      const { database } = projectNames(id);
      const route: DatabaseRoute = { alias: database, host: postgres.host, port: postgres.port, dbname: database };
      if (this.#options.projectPoolSize !== undefined) route.poolSize = this.#options.projectPoolSize;
      return route;
    });
    const baseUsers = new Set(base.users.map((user) => user.name));
    const users = [...base.users, ...[...this.#projects.values()].filter((user) => !baseUsers.has(user.name))];
    await pgbouncer.updateConfig({ ...base.settings, databases: [...base.settings.databases, ...routes] }, users);
    await pgbouncer.reloadIfRunning();
  }

  #serialised<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

async function existingRoles(admin: pg.Client, roles: string[]): Promise<string[]> {
  const { rows } = await admin.query<{ rolname: string }>('select rolname from pg_catalog.pg_roles where rolname = any($1::text[])', [roles]);
  return rows.map((row) => row.rolname);
}
