import { z } from 'zod';
import { env } from '@launchdb/common';
import { authServiceEnvSchema } from './config.ts';

/** What auth-service alone (main.ts, its container) reads; docker-compose.yml's environment is checked against it. */
export const mainConfigSchema = authServiceEnvSchema.extend({
  DATABASE_URL: env.postgresUrl(),
  LAUNCHDB_MASTER_KEY: z.string().min(1),
  /** Where project databases are reached: PgBouncer (or PostgreSQL itself). */
  POOLER_HOST: z.string().min(1).default('127.0.0.1'),
  POOLER_PORT: env.port(6432),
  LAUNCHDB_PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }).optional(),
  AUTH_HOST: z.string().min(1).default('127.0.0.1'),
  AUTH_PORT: env.port(9999),
  TRUST_PROXY: z.stringbool({ error: 'expected true or false' }).default(false),
  LOG_LEVEL: env.logLevel(),
});
