import { z } from 'zod';
import { env } from '@launchdb/common';

/** Settings the control-plane HTTP API reads wherever it runs (alone, or inside `launchdb up`). */
export const platformApiSettings = {
  LAUNCHDB_HOST: z.string().min(1).default('127.0.0.1'),
  LAUNCHDB_PORT: env.port(8080),
  LOG_LEVEL: env.logLevel(),
  PLATFORM_TOKEN_TTL_SECONDS: env.positiveInt(3600),
  LOGIN_ATTEMPTS_PER_MINUTE: env.positiveInt(10),
  TRUST_PROXY: z.stringbool({ error: 'expected true or false' }).default(false),
  /** The URL clients reach the platform at (behind Caddy, the https one); project URLs are built on it. Default http://LAUNCHDB_HOST:LAUNCHDB_PORT. */
  LAUNCHDB_PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }).optional(),
  GATEWAY_BODY_LIMIT_BYTES: env.positiveInt(10 * 1024 * 1024),
  /** 0 turns a limit off. */
  GATEWAY_REQUESTS_PER_MINUTE_PER_PROJECT: nonNegativeInt(60_000),
  GATEWAY_REQUESTS_PER_MINUTE_PER_CLIENT: nonNegativeInt(6_000),
};

/** The gateway's options from its settings. */
export function gatewaySettingsOf(config: {
  GATEWAY_BODY_LIMIT_BYTES: number;
  GATEWAY_REQUESTS_PER_MINUTE_PER_PROJECT: number;
  GATEWAY_REQUESTS_PER_MINUTE_PER_CLIENT: number;
}): { bodyLimitBytes: number; requestsPerMinutePerProject: number; requestsPerMinutePerClient: number } {
  return {
    bodyLimitBytes: config.GATEWAY_BODY_LIMIT_BYTES,
    requestsPerMinutePerProject: config.GATEWAY_REQUESTS_PER_MINUTE_PER_PROJECT,
    requestsPerMinutePerClient: config.GATEWAY_REQUESTS_PER_MINUTE_PER_CLIENT,
  };
}

function nonNegativeInt(fallback: number) {
  return z.coerce
    .number({ error: 'expected a whole number, 0 or more' })
    .int({ error: 'expected a whole number, 0 or more' })
    .min(0, { error: 'expected a whole number, 0 or more' })
    .default(fallback);
}

/**
 * platform-api run alone (a container): it is handed its database and secret. With the
 * projects settings as well (all four), it provisions projects and serves the gateway.
 */
export const platformApiConfigSchema = z
  .object({
    ...platformApiSettings,
    PLATFORM_DATABASE_URL: env.postgresUrl(),
    PLATFORM_JWT_SECRET: env.secret(32),
    /** Superuser (or CREATEDB CREATEROLE) URL of the projects' cluster, direct, its path the platform database. */
    POSTGRES_ADMIN_URL: env.postgresUrl().optional(),
    LAUNCHDB_MASTER_KEY: z.string().regex(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/, { error: 'expected 32 bytes as 64 hex characters or base64' }).optional(),
    POSTGREST_MANAGER_URL: z.url({ protocol: /^https?$/, error: 'expected an http:// URL' }).optional(),
    POSTGREST_MANAGER_INTERNAL_KEY: env.secret(32).optional(),
    /**
     * PgBouncer in a container of its own (docker compose): its address, and the folder both
     * mount, into which each project's alias and authenticator are written before a RELOAD.
     * Unset: data APIs, auth and storage reach project databases directly.
     */
    POOLER_HOST: z.string().min(1).optional(),
    POOLER_PORT: env.port(6432),
    PGBOUNCER_CONFIG_DIR: z.string().startsWith('/', { error: 'expected an absolute path' }).optional(),
  })
  .refine((config) => config.PGBOUNCER_CONFIG_DIR === undefined || (config.POOLER_HOST !== undefined && config.POSTGRES_ADMIN_URL !== undefined), {
    error: 'PGBOUNCER_CONFIG_DIR needs POOLER_HOST (where PgBouncer answers) and POSTGRES_ADMIN_URL (only a superuser reads the SCRAM secrets it logs in with)',
    path: ['PGBOUNCER_CONFIG_DIR'],
  })
  .refine(
    (config) => {
      const given = [config.POSTGRES_ADMIN_URL, config.LAUNCHDB_MASTER_KEY, config.POSTGREST_MANAGER_URL, config.POSTGREST_MANAGER_INTERNAL_KEY].filter((value) => value !== undefined);
      return given.length === 0 || given.length === 4;
    },
    { error: 'projects need all of POSTGRES_ADMIN_URL, LAUNCHDB_MASTER_KEY, POSTGREST_MANAGER_URL and POSTGREST_MANAGER_INTERNAL_KEY (or none of them)', path: ['POSTGRES_ADMIN_URL'] },
  );

export type PlatformApiConfig = z.infer<typeof platformApiConfigSchema>;
