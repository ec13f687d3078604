import { createHash } from 'node:crypto';
import type { DataApiLogLevel } from '@launchdb/data-api';

/**
 * What one project's data API is started with. Every driver turns this into the same `PGRST_*`
 * variables, whether it runs our data API or the official PostgREST.
 */
export interface DataApiSettings {
  projectId: string;
  /** Where requests go: PgBouncer (transaction pooling), or PostgreSQL itself when there is none. */
  dbUri: string;
  /** The same role directly on PostgreSQL, for LISTEN (PgBouncer in transaction mode cannot LISTEN). */
  dbListenUri: string;
  /** PGRST_JWT_SECRET: the HS256 secret, or a JWK Set of it and the public keys once the project has asymmetric signing keys. */
  jwtSecret: string;
  dbSchemas: string;
  anonRole: string;
  dbPool: number;
  logLevel: DataApiLogLevel;
}

/** Where the fleet reads a project's current settings: the platform database in production. */
export interface DataApiSettingsSource {
  /** Undefined when the project does not exist or is not `provisioning`/`active`. */
  settingsFor(projectId: string): Promise<DataApiSettings | undefined>;
  /** Projects whose data API should be available (status `active`). */
  activeProjects(): Promise<string[]>;
}

/**
 * Identifies a set of settings without revealing them: state files and container labels carry
 * it, so a manager restarting can tell whether a data API it finds still runs with the project's
 * current settings (after a key rotation it does not). The JWT secret and password are random
 * and long, so the digest cannot be searched back to them.
 */
export function settingsHash(settings: DataApiSettings): string {
  const canonical = JSON.stringify([
    settings.projectId,
    settings.dbUri,
    settings.dbListenUri,
    settings.jwtSecret,
    settings.dbSchemas,
    settings.anonRole,
    settings.dbPool,
    settings.logLevel,
  ]);
  return createHash('sha256').update(`launchdb-data-api-settings:${canonical}`).digest('hex');
}
