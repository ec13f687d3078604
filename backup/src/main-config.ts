import { z } from 'zod';
import { env } from '@launchdb/common/config';
import { storageBackendSettings } from '@launchdb/storage-service/backends';
import { backupSettings } from './settings.ts';

/** What the backup service alone (main.ts, its container) reads; docker-compose.yml's environment is checked against it. */
export const mainConfigSchema = z.object({
  ...backupSettings,
  /** Superuser URL of the platform database (direct, never PgBouncer): pg_dump and pg_restore connect with it. */
  DATABASE_URL: env.postgresUrl(),
  /** Where a generated key pair is kept (`<folder>/backup-key`) and, unless BACKUP_DIR, the backups. */
  LAUNCHDB_DATA_DIR: z.string().min(1).default('./.launchdb'),
  /** The storage service's settings, as it is given them: its backend's files are in the backups (fs without STORAGE_FS_ROOT: not). */
  ...storageBackendSettings,
  /**
   * GET /metrics (Prometheus: backup ages, last run and verify) and GET /health answer here; 0
   * (the default, so that two on one machine never clash): no HTTP server. Compose sets 5200.
   */
  BACKUP_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  BACKUP_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** The platform's master key: manifests are signed under a key derived from it, and checked by verify and restore. */
  LAUNCHDB_MASTER_KEY: z.string().min(1).optional(),
  LOG_LEVEL: env.logLevel(),
});
