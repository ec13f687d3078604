import { z } from 'zod';
import { env } from '@launchdb/common';
import { storageBackendSettings } from './backends/index.ts';
import { storageServiceSettingsSchema } from './settings.ts';

/** What storage-service alone (main.ts, its container) reads; docker-compose.yml's environment is checked against it. */
export const mainConfigSchema = storageServiceSettingsSchema.extend({
  ...storageBackendSettings,
  DATABASE_URL: env.postgresUrl(),
  LAUNCHDB_MASTER_KEY: z.string().min(1),
  /** Where project databases are reached: PgBouncer (or PostgreSQL itself). */
  POOLER_HOST: z.string().min(1).default('127.0.0.1'),
  POOLER_PORT: env.port(6432),
  STORAGE_HOST: z.string().min(1).default('127.0.0.1'),
  STORAGE_PORT: env.port(5000),
  TRUST_PROXY: z.stringbool({ error: 'expected true or false' }).default(false),
  LOG_LEVEL: env.logLevel(),
});
