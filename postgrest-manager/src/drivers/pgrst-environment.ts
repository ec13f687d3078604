import type { DataApiSettings } from '../domain/data-api-settings.ts';

export interface ListenSettings {
  /** PostgREST's server-host: an address, or one of its wildcards (`*`, `!4`, …). */
  host: string;
  port: number;
  adminPort: number;
}

/**
 * The `PGRST_*` variables a data API is started with, and nothing else: the same names are read
 * by our data API and by the official PostgREST. `PGRST_DB_LISTEN_URI` is ours; PostgREST
 * ignores it (see the docker driver for what it connects to instead).
 */
export function pgrstEnvironment(settings: DataApiSettings, listen: ListenSettings): Record<string, string> {
  return {
    PGRST_DB_URI: settings.dbUri,
    PGRST_DB_LISTEN_URI: settings.dbListenUri,
    PGRST_DB_SCHEMAS: settings.dbSchemas,
    PGRST_DB_ANON_ROLE: settings.anonRole,
    PGRST_DB_POOL: String(settings.dbPool),
    PGRST_JWT_SECRET: settings.jwtSecret,
    PGRST_LOG_LEVEL: settings.logLevel,
    PGRST_SERVER_HOST: listen.host,
    PGRST_SERVER_PORT: String(listen.port),
    PGRST_ADMIN_SERVER_PORT: String(listen.adminPort),
  };
}
