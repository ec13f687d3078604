import { createHash, timingSafeEqual } from 'node:crypto';
import pg from 'pg';
import { readLiveApiKeys, type LiveApiKeys } from './api-keys.ts';
import { createPool } from './db.ts';
import { projectNames, ProjectSecret, readProjectSecret, type DatabaseAddress } from './projects.ts';
import type { SecretBox } from './secrets.ts';
import { readProjectSigningKeys, type ProjectSigningKeys } from './signing-keys.ts';

export type ProjectStatus = 'provisioning' | 'active' | 'failed' | 'deleting';

/** What a project's services (auth, storage) need of an active project. */
export interface ActiveProject {
  readonly id: string;
  /** The HS256 secret its tokens are signed and checked with. */
  readonly jwtSecret: string;
  /** Its asymmetric signing keys: the one in use (private) and the published ones. */
  readonly signingKeys: ProjectSigningKeys;
  readonly apiKeys: Readonly<LiveApiKeys>;
  /** Which of the project's live keys this is, compared in constant time; undefined when none. */
  apiKeyRole(presented: string): 'anon' | 'service_role' | undefined;
  /**
   * The project's database as its authenticator (NOINHERIT, member of the request roles),
   * through PgBouncer when there is one: switch role per transaction with `withRequestRole`.
   */
  readonly db: pg.Pool;
}

export type ProjectLookup = { state: 'active'; project: ActiveProject } | { state: Exclude<ProjectStatus, 'active'> | 'missing' };

export interface ProjectDirectoryOptions {
  /** The platform database: platform.projects, platform.api_keys, platform.secrets. */
  platformDb: pg.Pool;
  /** Decrypts the project secrets (LAUNCHDB_MASTER_KEY). */
  secrets: SecretBox;
  /** Where project databases are reached: PgBouncer, or PostgreSQL when there is none. */
  pooler: DatabaseAddress;
  /** How long a project's keys and secret are trusted before being read again (default 5 s); forget() ends it at once. */
  ttlMs?: number;
  /** Connections per project pool (default 4). */
  poolMax?: number;
  /** Names the pools' connections in pg_stat_activity. */
  applicationName: string;
  now?: () => number;
}

/** A project that does not exist yet or is still being provisioned is about to change. */
const TRANSIENT_TTL_MS = 1_000;

interface Entry {
  lookup: Promise<ProjectLookup>;
  expiresAt: number;
}

interface ProjectPool {
  password: string;
  pool: pg.Pool;
}

/**
 * Every project's status, keys, JWT secret and a database pool, read from the platform
 * database at most once per TTL per project, so a request costs no platform query. Lookups of
 * one project while it is being read share that read. Whoever rotates keys or deletes a project
 * calls forget(), so the change holds at once in this process.
 */
export class ProjectDirectory {
  readonly #options: ProjectDirectoryOptions;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();
  readonly #pools = new Map<string, ProjectPool>();
  #closed = false;

  constructor(options: ProjectDirectoryOptions) {
    this.#options = options;
    this.#ttlMs = options.ttlMs ?? 5_000;
    this.#now = options.now ?? Date.now;
  }

  lookup(projectId: string): Promise<ProjectLookup> {
    if (this.#closed) return Promise.reject(new Error('the project directory is closed'));
    const now = this.#now();
    const cached = this.#entries.get(projectId);
    if (cached !== undefined && cached.expiresAt > now) return cached.lookup;
    if (cached !== undefined) this.#entries.delete(projectId);
    const lookup = this.#read(projectId);
    const entry: Entry = { lookup, expiresAt: now + this.#ttlMs };
    this.#entries.set(projectId, entry);
    lookup.then(
      (found) => {
        if (found.state !== 'active') entry.expiresAt = Math.min(entry.expiresAt, now + TRANSIENT_TTL_MS);
        if (found.state === 'missing' || found.state === 'deleting') void this.#endPool(projectId);
      },
      // a failed read is not remembered: the next request tries again
      () => {
        if (this.#entries.get(projectId) === entry) this.#entries.delete(projectId);
      },
    );
    return lookup;
  }

  /**
   * Each active project with the count of rows ever inserted into its database, from
   * pg_stat_database on the platform database's cluster (one query, no connection to any
   * project): while it stays the same, nothing was queued there. Null for a database this
   * cluster does not hold. The count only grows, except when statistics are reset (a crash):
   * callers treat any change as news.
   */
  async activeProjectInserts(): Promise<Array<{ id: string; inserts: string | null }>> {
    const { rows } = await this.#options.platformDb.query<{ id: string; inserts: string | null }>(
      `select p.id, s.tup_inserted::text as inserts
         from platform.projects p left join pg_catalog.pg_stat_database s on s.datname = 'proj_' || p.id
        where p.status = 'active' order by p.id`,
    );
    return rows;
  }

  /** Drops what is known of the project (keys, secret); a deleted project's pool is ended. */
  forget(projectId: string): void {
    this.#entries.delete(projectId);
  }

  /** Ends every pool; lookups afterwards fail. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#entries.clear();
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map(({ pool }) => pool.end().catch(() => undefined)));
  }

  async #read(projectId: string): Promise<ProjectLookup> {
    let names;
    try {
      names = projectNames(projectId);
    } catch {
      return { state: 'missing' };
    }
    const { platformDb, secrets } = this.#options;
    const { rows } = await platformDb.query<{ status: ProjectStatus }>('select status from platform.projects where id = $1', [projectId]);
    const status = rows[0]?.status;
    if (status === undefined) return { state: 'missing' };
    if (status !== 'active') return { state: status };
    const [apiKeys, jwtSecret, password, signingKeys] = await Promise.all([
      readLiveApiKeys(platformDb, secrets, projectId),
      readProjectSecret(platformDb, secrets, projectId, ProjectSecret.jwtSecret),
      readProjectSecret(platformDb, secrets, projectId, ProjectSecret.authenticatorPassword),
      readProjectSigningKeys(platformDb, secrets, projectId),
    ]);
    if (jwtSecret === undefined || password === undefined) throw new Error(`project ${projectId} is active but has no JWT secret or authenticator password`);
    const db = this.#poolFor(projectId, names.database, names.authenticator, password);
    const digests = (['anon', 'service_role'] as const).flatMap((role) => (apiKeys[role] === undefined ? [] : [{ role, digest: digest(apiKeys[role]) }]));
    return {
      state: 'active',
      project: {
        id: projectId,
        jwtSecret,
        signingKeys,
        apiKeys,
        db,
        apiKeyRole(presented) {
          // equal-length digests compared in constant time, against every key: neither which
          // key nor how much of it matched shows in the timing
          const given = digest(presented);
          let matched: 'anon' | 'service_role' | undefined;
          for (const known of digests) if (timingSafeEqual(given, known.digest)) matched = known.role;
          return matched;
        },
      },
    };
  }

  #poolFor(projectId: string, database: string, user: string, password: string): pg.Pool {
    const existing = this.#pools.get(projectId);
    if (existing !== undefined && existing.password === password) return existing.pool;
    if (existing !== undefined) void existing.pool.end().catch(() => undefined);
    const { host, port } = this.#options.pooler;
    const url = `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${port}/${encodeURIComponent(database)}`;
    const pool = createPool({ connectionString: url, max: this.#options.poolMax ?? 4, applicationName: this.#options.applicationName });
    this.#pools.set(projectId, { password, pool });
    return pool;
  }

  async #endPool(projectId: string): Promise<void> {
    const existing = this.#pools.get(projectId);
    if (existing === undefined) return;
    this.#pools.delete(projectId);
    await existing.pool.end().catch(() => undefined);
  }
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}
