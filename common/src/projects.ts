import type pg from 'pg';
import type { SecretBox } from './secrets.ts';

/**
 * What every service agrees on about a project: the names of its database and roles, the
 * names under which its secrets are kept in `platform.secrets`, and the ports through which
 * platform-api asks for its pool entry and its data API. Kept here so that platform-api,
 * postgrest-manager and pgbouncer never import each other.
 */

/** Project ids are part of database and role names: `^[a-z][a-z0-9]{2,30}$` (platform.projects checks it too). */
export const PROJECT_ID_PATTERN = /^[a-z][a-z0-9]{2,30}$/;

export interface ProjectNames {
  /** The project's database, also its PgBouncer alias. */
  database: string;
  /** The login role its data API connects as (NOINHERIT; member of anon, authenticated, service_role). */
  authenticator: string;
  /** The login role that owns the database and what migrations create. */
  owner: string;
}

export function projectNames(projectId: string): ProjectNames {
  if (!PROJECT_ID_PATTERN.test(projectId)) throw new Error(`not a project id: ${JSON.stringify(projectId)}`);
  return {
    database: `proj_${projectId}`,
    authenticator: `proj_${projectId}_authenticator`,
    owner: `proj_${projectId}_owner`,
  };
}

/** The request roles of every project database, as PostgREST and Supabase name them. Cluster-wide NOLOGIN roles. */
export const REQUEST_ROLES = ['anon', 'authenticated', 'service_role'] as const;
export type RequestRole = (typeof REQUEST_ROLES)[number];

/** Names of a project's rows in platform.secrets. API keys are `api_key:<platform.api_keys.id>`. */
export const ProjectSecret = {
  authenticatorPassword: 'authenticator_password',
  ownerPassword: 'owner_password',
  jwtSecret: 'jwt_secret',
  apiKey: (apiKeyId: string) => `api_key:${apiKeyId}`,
} as const;

/** The additional authenticated data a project secret is encrypted with: a value copied to another row does not decrypt. */
export function projectSecretContext(projectId: string, name: string): string {
  return `project:${projectId}:${name}`;
}

/** Reads and decrypts one secret of a project; undefined when there is no such row. */
export async function readProjectSecret(
  db: pg.Pool | pg.PoolClient | pg.Client,
  secrets: SecretBox,
  projectId: string,
  name: string,
): Promise<string | undefined> {
  const { rows } = await db.query<{ ciphertext: string }>('select ciphertext from platform.secrets where project_id = $1 and name = $2', [projectId, name]);
  const row = rows[0];
  return row ? secrets.decrypt(row.ciphertext, projectSecretContext(projectId, name)) : undefined;
}

/** A host and port of PostgreSQL or of PgBouncer, as a client on this machine reaches it. */
export interface DatabaseAddress {
  host: string;
  port: number;
}

/**
 * The project's PgBouncer entry (alias `proj_<id>` → database `proj_<id>`, the authenticator in
 * the userlist). Both calls are idempotent and return once PgBouncer runs the new config
 * (after RELOAD). Where no PgBouncer is used, both do nothing.
 */
export interface ProjectPooler {
  /** Where data APIs connect for requests: PgBouncer, or PostgreSQL itself when there is no PgBouncer. */
  readonly address: DatabaseAddress;
  addProject(projectId: string): Promise<void>;
  removeProject(projectId: string): Promise<void>;
}

/** Where platform-api asks for a project's data API: postgrest-manager (its HTTP client implements this). */
export interface DataApiControl {
  /** Starts the project's data API (or finds it running) and resolves once it answers. */
  spawn(projectId: string): Promise<void>;
  /** Stops it and forgets it; nothing happens when none runs. */
  stop(projectId: string): Promise<void>;
  /** Replaces the running data API by one with the project's current settings (new JWT secret), without a gap. */
  reload(projectId: string): Promise<void>;
}

/** What the gateway learns about a project's data API before proxying a request to it. */
export type DataApiLocation =
  | { state: 'ready'; url: string }
  | { state: 'unavailable'; retryAfterSeconds: number; reason: string }
  | { state: 'unknown' };

export interface DataApiLocator {
  /** Wakes a data API scaled to zero and waits for it; a crashed one is `unavailable` until it is back. */
  locate(projectId: string): Promise<DataApiLocation>;
}

/** Where a project's files are kept (the storage service's backend): deleted with the project. */
export interface ProjectFileStore {
  /** Idempotent: a project with no files, or already removed, is fine. */
  deleteProject(projectId: string): Promise<void>;
}
