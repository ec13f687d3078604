import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { env, parseMasterKey } from '@launchdb/common';
import { DEFAULT_DATA_API_IMAGE } from './drivers/docker/container-spec.ts';
import type { DriverChoice } from './postgrest-manager.ts';

/** The bundle `npm run build -w data-api` writes. */
export const DEFAULT_DATA_API_ENTRY = fileURLToPath(new URL('../../data-api/dist/main.js', import.meta.url));

const idleSeconds = z.coerce
  .number({ error: 'expected a whole number of seconds' })
  .int({ error: 'expected a whole number of seconds' })
  .refine((value) => value === 0 || value >= 2, { error: 'expected 0 (never scale to zero) or at least 2 seconds' })
  .default(0);

/**
 * How data APIs run, wherever the fleet runs (alone, or inside `launchdb up`, which spreads
 * these into its own settings and supplies the database addresses and the state folder itself).
 */
export const postgrestManagerSettings = {
  DATA_API_DRIVER: z.enum(['process', 'docker'], { error: 'expected process or docker' }).default('process'),
  /** Seconds without a request after which a data API is stopped; 0 = never (the default when run alone). */
  DATA_API_IDLE_SECONDS: idleSeconds,
  /** process driver: the data API bundle. */
  DATA_API_ENTRY: z.string().min(1).default(DEFAULT_DATA_API_ENTRY),
  /** process driver: where each process's record and output live (adoption after a restart). */
  DATA_API_STATE_DIR: z.string().min(1).optional(),
  /** docker driver */
  DATA_API_IMAGE: z.string().min(1).default(DEFAULT_DATA_API_IMAGE),
  DATA_API_IMAGE_KIND: z.enum(['postgrest', 'data-api'], { error: 'expected postgrest or data-api' }).optional(),
  DOCKER_NETWORK: z.string().min(1).default('launchdb'),
  DATA_API_MEMORY_MB: env.positiveInt(256).refine((value) => value >= 32, { error: 'expected at least 32 (MB)' }),
  DATA_API_CPUS: z.coerce.number({ error: 'expected a number of CPUs, e.g. 0.5' }).positive({ error: 'expected a number of CPUs, e.g. 0.5' }).optional(),
  DATA_API_RESTART_POLICY: z.enum(['unless-stopped', 'on-failure'], { error: 'expected unless-stopped or on-failure' }).default('unless-stopped'),
  /** Connections each data API may open (PGRST_DB_POOL). */
  DATA_API_POOL_SIZE: env.positiveInt(5),
  DATA_API_LOG_LEVEL: z.enum(['crit', 'error', 'warn', 'info', 'debug'], { error: 'expected crit, error, warn, info or debug' }).default('error'),
};

/** postgrest-manager run alone (its own process or container). */
export const postgrestManagerConfigSchema = z.object({
  ...postgrestManagerSettings,
  PLATFORM_DATABASE_URL: env.postgresUrl(),
  LAUNCHDB_MASTER_KEY: z.string().refine(isMasterKey, { error: 'expected 32 bytes as 64 hex characters or base64' }),
  POSTGREST_MANAGER_INTERNAL_KEY: env.secret(32),
  POSTGREST_MANAGER_HOST: z.string().min(1).default('127.0.0.1'),
  POSTGREST_MANAGER_PORT: env.port(8081),
  /** PostgreSQL as data APIs reach it (their LISTEN connection). */
  POSTGRES_HOST: z.string().min(1).default('127.0.0.1'),
  POSTGRES_PORT: env.port(5432),
  /** PgBouncer as data APIs reach it; PostgreSQL itself when unset. */
  POOLER_HOST: z.string().min(1).optional(),
  POOLER_PORT: env.port(6432),
  LOG_LEVEL: env.logLevel(),
});

export type PostgrestManagerSettings = z.infer<z.ZodObject<typeof postgrestManagerSettings>>;
export type PostgrestManagerConfig = z.infer<typeof postgrestManagerConfigSchema>;

/** The driver the DATA_API_* settings choose; the process driver needs a state folder. */
export function driverChoiceFromSettings(settings: PostgrestManagerSettings, defaults: { stateDir: string }): DriverChoice {
  if (settings.DATA_API_DRIVER === 'docker') {
    return {
      kind: 'docker',
      container: {
        image: settings.DATA_API_IMAGE,
        ...(settings.DATA_API_IMAGE_KIND ? { imageKind: settings.DATA_API_IMAGE_KIND } : {}),
        network: settings.DOCKER_NETWORK,
        memoryMb: settings.DATA_API_MEMORY_MB,
        ...(settings.DATA_API_CPUS !== undefined ? { cpus: settings.DATA_API_CPUS } : {}),
        restartPolicy: settings.DATA_API_RESTART_POLICY,
      },
    };
  }
  return { kind: 'process', entry: settings.DATA_API_ENTRY, stateDir: settings.DATA_API_STATE_DIR ?? defaults.stateDir };
}

function isMasterKey(value: string): boolean {
  try {
    parseMasterKey(value);
    return true;
  } catch {
    return false;
  }
}
