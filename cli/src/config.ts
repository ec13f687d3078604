import { z } from 'zod';
import { env, loadConfig } from '@launchdb/common';
import { settingsOrExit } from '@launchdb/common/service-process';
import { platformApiSettings } from '@launchdb/platform-api';
import { postgrestManagerSettings } from '@launchdb/postgrest-manager';
import { authServiceEnvSchema } from '@launchdb/auth-service';
import { storageBackendSettingsSchema, storageServiceSettingsSchema } from '@launchdb/storage-service';
import { backupSettings } from '@launchdb/backup';
import { workerSettings } from '@launchdb/worker';

/** Everything `launchdb up` reads; `.env.example` documents each variable. */
export const launchdbConfigSchema = z.object({
  ...platformApiSettings,
  ...postgrestManagerSettings,
  ...authServiceEnvSchema.shape,
  ...storageBackendSettingsSchema.shape,
  ...storageServiceSettingsSchema.shape,
  ...backupSettings,
  ...workerSettings,
  // embedded: resumable uploads are staged in the data folder (<data>/storage-uploads), beside the objects
  STORAGE_UPLOADS_DIR: z.string().min(1).optional(),
  // embedded: data APIs sleep after five idle minutes, and run the bundle built into the data folder
  DATA_API_IDLE_SECONDS: postgrestManagerSettings.DATA_API_IDLE_SECONDS.removeDefault().default(300),
  DATA_API_ENTRY: z.string().min(1).optional(),
  /** postgrest-manager's internal API on 127.0.0.1; 0: a free port chosen at start. */
  LAUNCHDB_MANAGER_PORT: z.coerce.number({ error: 'expected a TCP port number (0-65535)' }).int().min(0).max(65535).default(0),
  LAUNCHDB_DATA_DIR: z.string().min(1).default('./.launchdb'),
  DATABASE_URL: env.postgresUrl().optional(),
  LAUNCHDB_POSTGRES_PORT: env.port(54329),
  LAUNCHDB_PGBOUNCER: z.enum(['auto', 'off'], { error: 'expected auto or off' }).default('auto'),
  LAUNCHDB_PGBOUNCER_PORT: env.port(6432),
  LAUNCHDB_MASTER_KEY: z
    .string()
    .regex(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/, { error: 'expected 32 bytes as 64 hex characters or base64' })
    .optional(),
  PLATFORM_JWT_SECRET: env.secret(32).optional(),
  LAUNCHDB_ADMIN_EMAIL: env.email().optional(),
  LAUNCHDB_ADMIN_PASSWORD: z.string().min(12, { error: 'expected a password of at least 12 characters' }).optional(),
  /** The platform role's password when the services are handed it (docker compose); unset: generated and kept encrypted. */
  PLATFORM_DB_PASSWORD: env.secret(16).optional(),
  /** `launchdb migrate-platform` in compose: the folder shared with PgBouncer's container (with POOLER_HOST and POOLER_PORT). */
  PGBOUNCER_CONFIG_DIR: z.string().startsWith('/', { error: 'expected an absolute path' }).optional(),
  POOLER_HOST: z.string().min(1).optional(),
  POOLER_PORT: env.port(6432),
});

export type LaunchdbConfig = z.infer<typeof launchdbConfigSchema>;

/** `launchdb`'s settings: the environment, then ./.env; invalid ones end it with one line on stderr. */
export function loadLaunchdbConfig(): LaunchdbConfig {
  return settingsOrExit('launchdb', () => loadConfig(launchdbConfigSchema, { envFile: '.env' }));
}
