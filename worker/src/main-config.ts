import { z } from 'zod';
import { env } from '@launchdb/common/config';
import { storageBackendSettingsSchema } from '@launchdb/storage-service/backends';
import { workerSettings } from './settings.ts';

/** What the worker alone (main.ts, its container) reads; docker-compose.yml's environment is checked against it. */
export const mainConfigSchema = storageBackendSettingsSchema.extend({
  ...workerSettings,
  /** The platform database. */
  DATABASE_URL: env.postgresUrl(),
  LAUNCHDB_MASTER_KEY: z.string().min(1),
  /** PostgreSQL itself, for LISTEN sessions (PgBouncer cannot hold them). */
  POSTGRES_HOST: z.string().min(1).default('127.0.0.1'),
  POSTGRES_PORT: env.port(5432),
  /** Where project databases are reached for claims: PgBouncer (or PostgreSQL itself). */
  POOLER_HOST: z.string().min(1).default('127.0.0.1'),
  POOLER_PORT: env.port(6432),
  /** GET /health and GET /metrics (Prometheus) answer here; 0: no HTTP server. */
  WORKER_HEALTH_PORT: z.coerce.number().int().min(0).max(65535).default(5100),
  WORKER_HEALTH_HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: env.logLevel(),
});
