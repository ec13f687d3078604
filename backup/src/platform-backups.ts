import { join, resolve } from 'node:path';
import { isLaunchDbError, StartupError } from '@launchdb/common/errors';
import type { Logger } from '@launchdb/common/logger';
import type { StorageBackend } from '@launchdb/storage-service/backends';
import { BackupEngine, type ProjectControl } from './backup-engine.ts';
import { BackupService } from './backup-service.ts';
import { BackupEncryption } from './encryption.ts';
import { LocalBackupStore } from './local-backup-store.ts';
import { lazyS3Client, parseS3Url, S3BackupStore } from './s3-backup-store.ts';
import type { BackupSettings } from './settings.ts';
import { backupToolsProblem } from './tools.ts';

export interface PlatformBackups {
  service: BackupService;
  engine: BackupEngine;
  /** One line for the startup banner. */
  summary: string;
  /** Lines the operator must read at startup (a generated private key to move, missing tools). */
  notices: string[];
}

/**
 * The backup service as a platform process runs it (`launchdb up`, or `backup/src/main.ts` in its
 * own container): settings read, the key loaded or generated once, the tools checked. Missing
 * tools are a notice, never a failed start: the rest of the platform runs.
 */
export async function createPlatformBackups(options: {
  settings: BackupSettings;
  /** `<data folder>`: backups default to `<data>/backups`, a generated key lives in `<data>/backup-key`. */
  dataFolder: string;
  adminUrl: string;
  /** The storage service's backend (fs or S3), whose project files the backups hold; undefined: files are not backed up. */
  storage: StorageBackend | undefined;
  logger: Logger;
  projects?: ProjectControl | undefined;
  /** LAUNCHDB_MASTER_KEY (parsed): manifests are signed with a key derived from it, and checked before a verify or restore. */
  masterKey?: Buffer | undefined;
}): Promise<PlatformBackups> {
  const { settings } = options;
  let encryption: BackupEncryption;
  try {
    encryption = await BackupEncryption.load({
      publicKeyFile: settings.BACKUP_PUBLIC_KEY_FILE,
      privateKeyFile: settings.BACKUP_PRIVATE_KEY_FILE,
      passphrase: settings.BACKUP_PASSPHRASE,
      generatedKeyFolder: join(options.dataFolder, 'backup-key'),
    });
  } catch (error) {
    if (isLaunchDbError(error)) throw new StartupError(`backups: ${error.message}`);
    throw error;
  }
  const store = new LocalBackupStore(resolve(settings.BACKUP_DIR ?? join(options.dataFolder, 'backups')));
  const s3 = s3StoreFactory(settings);
  const mirror = settings.BACKUP_S3_URL ? s3?.(settings.BACKUP_S3_URL) : undefined;
  const engine = new BackupEngine({
    adminUrl: options.adminUrl,
    store,
    mirror,
    workFolder: options.dataFolder,
    encryption,
    storage: options.storage,
    masterKey: options.masterKey,
    logger: options.logger,
    diskReserveBytes: settings.BACKUP_DISK_RESERVE_MB * 1_000_000,
    projects: options.projects,
    onProgress: (event) => service.progress(event),
  });
  const unavailable = await backupToolsProblem();
  const service = new BackupService({
    engine,
    logger: options.logger,
    unavailable,
    openSource: (source) => (/^s3:\/\//i.test(source) && s3 ? s3(source) : new LocalBackupStore(resolve(source))),
    schedule: {
      cron: settings.BACKUP_CRON,
      concurrency: settings.BACKUP_CONCURRENCY,
      retention: { daily: settings.BACKUP_KEEP_DAILY, weekly: settings.BACKUP_KEEP_WEEKLY, monthly: settings.BACKUP_KEEP_MONTHLY },
      verifyNightly: settings.BACKUP_VERIFY_NIGHTLY,
    },
  });

  const notices: string[] = [];
  if (unavailable) notices.push(`backups are off: ${unavailable}`);
  const generated = encryption.generated;
  if (generated) {
    notices.push(
      generated.createdNow
        ? `backups are encrypted to a key pair generated now; its PRIVATE key is ${generated.privateKeyFile}: move it off this machine and keep it safe (no restore without it; left here, whoever takes this machine reads the backups)`
        : `the backups' PRIVATE key is still at ${generated.privateKeyFile}: move it off this machine (set BACKUP_PRIVATE_KEY_FILE where you keep it to verify and restore)`,
    );
  }
  if (!options.masterKey) notices.push('backup manifests are not signed, and verify and restore do not check signatures: set LAUNCHDB_MASTER_KEY (the platform\'s)');
  if (!options.storage) notices.push('project files are not in the backups: set STORAGE_FS_ROOT (or STORAGE_BACKEND=s3 and its settings) as the storage service has them');
  const described = encryption.describe();
  const to = described.method === 'passphrase' ? 'with BACKUP_PASSPHRASE' : `to key ${described.fingerprint!.slice(-16)}`;
  const when = unavailable ? 'off (no pg_dump)' : settings.BACKUP_CRON === 'off' ? 'on demand only (BACKUP_CRON=off)' : `"${settings.BACKUP_CRON}"`;
  const where = mirror ? `${store.root} and ${mirror.describe()}` : store.root;
  return { service, engine, notices, summary: `${when} into ${where}, encrypted ${to}` };
}

/** S3 stores with the BACKUP_S3_* client settings; undefined when no S3 is configured. */
function s3StoreFactory(settings: BackupSettings): ((url: string) => S3BackupStore) | undefined {
  if (!settings.BACKUP_S3_URL && !settings.BACKUP_S3_ENDPOINT && !settings.BACKUP_S3_ACCESS_KEY_ID) return undefined;
  // the SDK loads with the first S3 call, not with the platform (seconds on a busy machine)
  const client = lazyS3Client({
    region: settings.BACKUP_S3_REGION,
    forcePathStyle: settings.BACKUP_S3_FORCE_PATH_STYLE,
    ...(settings.BACKUP_S3_ENDPOINT ? { endpoint: settings.BACKUP_S3_ENDPOINT } : {}),
    ...(settings.BACKUP_S3_ACCESS_KEY_ID && settings.BACKUP_S3_SECRET_ACCESS_KEY
      ? { credentials: { accessKeyId: settings.BACKUP_S3_ACCESS_KEY_ID, secretAccessKey: settings.BACKUP_S3_SECRET_ACCESS_KEY } }
      : {}),
    // a streamed upload of unknown length is refused with the SDK's default checksums
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return (url) => new S3BackupStore(client, parseS3Url(url));
}
