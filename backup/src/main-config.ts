import { z } from 'zod';
import { env } from '@launchdb/common/config';
import { backupSettings } from './settings.ts';

/** What the backup service alone (main.ts, its container) reads; docker-compose.yml's environment is checked against it. */
export const mainConfigSchema = z.object({
  ...backupSettings,
  /** Superuser URL of the platform database (direct, never PgBouncer): pg_dump and pg_restore connect with it. */
  DATABASE_URL: env.postgresUrl(),
  /** Where a generated key pair is kept (`<folder>/backup-key`) and, unless BACKUP_DIR, the backups. */
  LAUNCHDB_DATA_DIR: z.string().min(1).default('./.launchdb'),
  /** The storage service's fs root (`<root>/<project>`); unset: project files are not backed up (S3). */
  STORAGE_FS_ROOT: z.string().min(1).optional(),
  LOG_LEVEL: env.logLevel(),
});
