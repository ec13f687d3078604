import { z } from 'zod';
import { env } from '@launchdb/common';
import { platformApiSettings } from '@launchdb/platform-api';

/** Everything `launchdb up` reads; `.env.example` documents each variable. */
export const launchdbConfigSchema = z.object({
  ...platformApiSettings,
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
});

export type LaunchdbConfig = z.infer<typeof launchdbConfigSchema>;
