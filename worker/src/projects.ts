import pg from 'pg';
import { ProjectSecret, projectNames, readProjectSecret, type DatabaseAddress } from '@launchdb/common/projects';
import type { SecretBox } from '@launchdb/common/secrets';
import { ProjectTemplates } from '@launchdb/platform-api/project-templates';

const NOT_SERVED_TTL_MS = 60_000;

/** How the worker logs in to one project's database: its authenticator, switching to service_role per transaction. */
export interface ProjectLogin {
  database: string;
  user: string;
  password: string;
}

/** A session (not yet connected) as the project's login, at PostgreSQL or PgBouncer. */
export function projectClient(login: ProjectLogin, options: { address: DatabaseAddress; applicationName: string; keepAlive?: boolean }): pg.Client {
  return new pg.Client({
    host: options.address.host,
    port: options.address.port,
    database: login.database,
    user: login.user,
    password: login.password,
    application_name: options.applicationName,
    connectionTimeoutMillis: 5_000,
    ...(options.keepAlive ? { keepAlive: true } : {}),
  });
}

/**
 * The projects the worker serves: active ones whose app template's manifest asks for a worker
 * (`"worker": true` in template.json). Nothing here knows a template by name.
 */
export class WorkerProjects {
  readonly #platformDb: pg.Pool;
  readonly #secrets: SecretBox;
  readonly #templates: ProjectTemplates;
  readonly #manifests = new Map<string, Promise<boolean>>();
  readonly #logins = new Map<string, ProjectLogin>();
  #served = new Set<string>();
  /** Projects found not served, and when: a request to one costs no platform query for a minute. */
  readonly #notServed = new Map<string, number>();
  /** Per served project, rows ever written in its database (pg_stat_database), as of the last refresh; null when this cluster does not hold it. */
  #writes = new Map<string, string | null>();

  constructor(options: { platformDb: pg.Pool; secrets: SecretBox; templates?: ProjectTemplates }) {
    this.#platformDb = options.platformDb;
    this.#secrets = options.secrets;
    this.#templates = options.templates ?? new ProjectTemplates();
  }

  /** Reads the served projects again (each sweep); returns them. */
  async refresh(): Promise<ReadonlySet<string>> {
    const { rows } = await this.#platformDb.query<{ id: string; template: string; writes: string | null }>(
      `select p.id, p.template, (s.tup_inserted + s.tup_updated + s.tup_deleted)::text as writes
         from platform.projects p left join pg_catalog.pg_stat_database s on s.datname = 'proj_' || p.id
        where p.status = 'active' and p.template is not null order by p.id`,
    );
    const served = new Set<string>();
    const writes = new Map<string, string | null>();
    for (const row of rows) {
      if (!(await this.#wantsWorker(row.template))) continue;
      served.add(row.id);
      writes.set(row.id, row.writes);
    }
    for (const id of this.#logins.keys()) if (!served.has(id)) this.#logins.delete(id);
    this.#served = served;
    this.#writes = writes;
    return served;
  }

  /**
   * The project's count of rows ever inserted, updated or deleted in its database, as of the
   * last refresh (one query on the platform database for every project): while it stays the
   * same, its captures did not change. It only grows, except when statistics are reset (a
   * crash); undefined when not known (another cluster).
   */
  writesOf(projectId: string): string | undefined {
    return this.#writes.get(projectId) ?? undefined;
  }

  get served(): ReadonlySet<string> {
    return this.#served;
  }

  /** Whether the project is served; a project the last refresh did not know is looked up. */
  async serves(projectId: string): Promise<boolean> {
    if (this.#served.has(projectId)) return true;
    const checked = this.#notServed.get(projectId);
    if (checked !== undefined && Date.now() - checked < NOT_SERVED_TTL_MS) return false;
    const { rows } = await this.#platformDb.query<{ template: string | null }>(`select template from platform.projects where id = $1 and status = 'active'`, [projectId]);
    const template = rows[0]?.template;
    if (!template || !(await this.#wantsWorker(template))) {
      if (this.#notServed.size > 10_000) this.#notServed.clear();
      this.#notServed.set(projectId, Date.now());
      return false;
    }
    this.#notServed.delete(projectId);
    this.#served.add(projectId);
    return true;
  }

  async login(projectId: string): Promise<ProjectLogin> {
    const known = this.#logins.get(projectId);
    if (known) return known;
    const names = projectNames(projectId);
    const password = await readProjectSecret(this.#platformDb, this.#secrets, projectId, ProjectSecret.authenticatorPassword);
    if (password === undefined) throw new Error(`project ${projectId} has no authenticator password`);
    const login = { database: names.database, user: names.authenticator, password };
    this.#logins.set(projectId, login);
    return login;
  }

  /** A login that failed (password rotated, project restored): read it again next time. */
  forget(projectId: string): void {
    this.#logins.delete(projectId);
  }

  #wantsWorker(template: string): Promise<boolean> {
    let wanted = this.#manifests.get(template);
    if (!wanted) {
      wanted = this.#templates.manifest(template).then((manifest) => manifest?.worker === true);
      this.#manifests.set(template, wanted);
      wanted.catch(() => this.#manifests.delete(template));
    }
    return wanted;
  }
}
