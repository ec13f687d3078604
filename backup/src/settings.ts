import { z } from 'zod';
import { env } from '@launchdb/common/config';

const count = (fallback: number) =>
  z.coerce.number({ error: 'expected a whole number' }).int({ error: 'expected a whole number' }).min(0, { error: 'expected 0 or more' }).default(fallback);

/** The BACKUP_* settings, read by `launchdb up` and by `backup/src/main.ts`; .env.example documents each. */
export const backupSettings = {
  /** Where backups are written. Default: <data folder>/backups. */
  BACKUP_DIR: z.string().min(1).optional(),
  /** When the nightly run starts (server time), as cron; `off`: never on a schedule. */
  BACKUP_CRON: z.string().min(1).default('0 2 * * *'),
  /** How many projects are backed up at once. */
  BACKUP_CONCURRENCY: env.positiveInt(1),
  /** Armored OpenPGP public key the backups are encrypted to: the server making them cannot read them. */
  BACKUP_PUBLIC_KEY_FILE: z.string().min(1).optional(),
  /** Armored private key, for verify and restore when backups are encrypted to a key. */
  BACKUP_PRIVATE_KEY_FILE: z.string().min(1).optional(),
  /** Symmetric encryption instead of a key: simpler, but this server can read its own backups. */
  BACKUP_PASSPHRASE: env.secret(12).optional(),
  BACKUP_KEEP_DAILY: count(7),
  BACKUP_KEEP_WEEKLY: count(4),
  BACKUP_KEEP_MONTHLY: count(12),
  /** After the nightly run, one backup (rotating through projects) is restored into a scratch database and checked. */
  BACKUP_VERIFY_NIGHTLY: z.enum(['true', 'false'], { error: 'expected true or false' }).default('true').transform((value) => value === 'true'),
  /** Every backup is also copied to S3 (`s3://bucket/prefix`), and thinned there with the local ones. */
  BACKUP_S3_URL: z.string().regex(/^s3:\/\/[^/]+/, { error: 'expected s3://bucket/prefix' }).optional(),
  /** Of an S3-compatible service (MinIO); unset: AWS. */
  BACKUP_S3_ENDPOINT: z.url({ error: 'expected a URL' }).optional(),
  BACKUP_S3_REGION: z.string().min(1).default('us-east-1'),
  BACKUP_S3_FORCE_PATH_STYLE: z.enum(['true', 'false'], { error: 'expected true or false' }).default('false').transform((value) => value === 'true'),
  /** Unset: the AWS SDK's own chain (AWS_ACCESS_KEY_ID, instance role, …). */
  BACKUP_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  BACKUP_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** Free space a backup or restore must leave on its disk, in MB. */
  BACKUP_DISK_RESERVE_MB: count(256),
};

export const backupSettingsSchema = z.object(backupSettings);
export type BackupSettings = z.infer<typeof backupSettingsSchema>;
