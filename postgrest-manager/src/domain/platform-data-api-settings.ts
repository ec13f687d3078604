import type pg from 'pg';
import { projectNames, ProjectSecret, readProjectSecret, type DatabaseAddress, type SecretBox } from '@launchdb/common';
import { dataApiJwtSecret, listSigningKeys } from '@launchdb/common/signing-keys';
import type { DataApiLogLevel } from '@launchdb/data-api';
import { ManagerErrors } from '../errors.ts';
import type { DataApiSettings, DataApiSettingsSource } from './data-api-settings.ts';

export interface PlatformDataApiSettingsOptions {
  /** The platform database (platform.projects, platform.secrets). */
  db: pg.Pool;
  secrets: SecretBox;
  /** Where data APIs send requests: PgBouncer, or PostgreSQL itself when there is no PgBouncer. */
  pooler: DatabaseAddress;
  /** PostgreSQL itself, for the LISTEN connection. */
  postgres: DatabaseAddress;
  /** Connections each data API may open (db-pool); 5 by default. */
  dbPool?: number;
  /** The data API's log level; `error` by default, as PostgREST's. */
  logLevel?: DataApiLogLevel;
}

/** Projects whose data API may run: the last step of provisioning starts it. */
const SERVED_STATUSES = new Set(['provisioning', 'active']);

/** A project's data API settings, read from the platform database and decrypted under the master key. */
export class PlatformDataApiSettings implements DataApiSettingsSource {
  readonly #db: pg.Pool;
  readonly #secrets: SecretBox;
  readonly #pooler: DatabaseAddress;
  readonly #postgres: DatabaseAddress;
  readonly #dbPool: number;
  readonly #logLevel: DataApiLogLevel;

  constructor(options: PlatformDataApiSettingsOptions) {
    this.#db = options.db;
    this.#secrets = options.secrets;
    this.#pooler = options.pooler;
    this.#postgres = options.postgres;
    this.#dbPool = options.dbPool ?? 5;
    this.#logLevel = options.logLevel ?? 'error';
  }

  async settingsFor(projectId: string): Promise<DataApiSettings | undefined> {
    const { rows } = await this.#db.query<{ status: string }>('select status from platform.projects where id = $1', [projectId]);
    const status = rows[0]?.status;
    if (status === undefined || !SERVED_STATUSES.has(status)) return undefined;
    const [password, jwtSecret, signingKeys] = await Promise.all([
      readProjectSecret(this.#db, this.#secrets, projectId, ProjectSecret.authenticatorPassword),
      readProjectSecret(this.#db, this.#secrets, projectId, ProjectSecret.jwtSecret),
      listSigningKeys(this.#db, projectId),
    ]);
    // provisioning writes both before it starts the data API; until then there is nothing to run
    if (password === undefined || jwtSecret === undefined) throw ManagerErrors.projectNotReady(projectId);
    const names = projectNames(projectId);
    return {
      projectId,
      dbUri: connectionUri(this.#pooler, names.authenticator, password, names.database),
      dbListenUri: connectionUri(this.#postgres, names.authenticator, password, names.database),
      // with asymmetric keys, a JWK Set of the HS256 secret (anon and service keys) and the public keys not revoked
      jwtSecret: dataApiJwtSecret(jwtSecret, { jwks: signingKeys.filter((key) => key.status !== 'revoked').map((key) => key.public_jwk) }),
      dbSchemas: 'public',
      anonRole: 'anon',
      dbPool: this.#dbPool,
      logLevel: this.#logLevel,
    };
  }

  async activeProjects(): Promise<string[]> {
    const { rows } = await this.#db.query<{ id: string }>("select id from platform.projects where status = 'active' order by id");
    return rows.map((row) => row.id);
  }
}

export function connectionUri(address: DatabaseAddress, user: string, password: string, database: string): string {
  const host = address.host.includes(':') && !address.host.startsWith('[') ? `[${address.host}]` : address.host;
  return `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${address.port}/${encodeURIComponent(database)}`;
}
