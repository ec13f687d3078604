/**
 * The backup service alone, as its container runs it: the nightly schedule (BACKUP_CRON) over
 * the platform named by DATABASE_URL, until SIGTERM. `main.ts once` makes one run (every project
 * and the platform, retention, a verify) and exits 0 when every backup was made.
 * Restores need the running platform (its provisioner, PgBouncer, data APIs): `launchdb backup restore`.
 */
import { loadConfig } from '@launchdb/common/config';
import { StartupError } from '@launchdb/common/errors';
import { parseMasterKey } from '@launchdb/common/secrets';
import { createLogger } from '@launchdb/common/logger';
import { createMetricsRegistry, startMetricsServer } from '@launchdb/common/metrics';
import { settingsOrExit } from '@launchdb/common/service-process';
import { createStorageBackend, FsStorageBackend, type StorageBackend } from '@launchdb/storage-service/backends';
import { createPlatformBackups } from './platform-backups.ts';
import { mainConfigSchema } from './main-config.ts';
import { registerBackupMetrics } from './metrics.ts';

const { config, storage } = settingsOrExit('backup', () => {
  const config = loadConfig(mainConfigSchema, { envFile: '.env' });
  // the storage service sweeps its own folder's leftovers: this process only reads and restores
  const storage: StorageBackend | undefined =
    config.STORAGE_BACKEND === 's3' ? createStorageBackend(config) : config.STORAGE_FS_ROOT ? new FsStorageBackend({ root: config.STORAGE_FS_ROOT, sweepOnStart: false }) : undefined;
  return { config, storage };
});
const logger = createLogger({ level: config.LOG_LEVEL, name: 'backup' });
let backups;
try {
  backups = await createPlatformBackups({
    settings: config,
    dataFolder: config.LAUNCHDB_DATA_DIR,
    adminUrl: config.DATABASE_URL,
    storage,
    masterKey: config.LAUNCHDB_MASTER_KEY ? parseMasterKey(config.LAUNCHDB_MASTER_KEY) : undefined,
    logger,
  });
} catch (error) {
  if (error instanceof StartupError) {
    process.stderr.write(`backup: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
for (const notice of backups.notices) process.stderr.write(`backup: ${notice}\n`);

if (process.argv[2] === 'once') {
  await backups.service.start();
  await backups.service.runNightly();
  const health = backups.service.health() as { lastRun: { ok: boolean } | null };
  await backups.service.stop();
  await storage?.close();
  process.exit(health.lastRun?.ok ? 0 : 1);
}

await backups.service.start();
const metrics = createMetricsRegistry('backup');
registerBackupMetrics(metrics, backups.service);
const server = config.BACKUP_METRICS_PORT === 0 ? undefined : await startMetricsServer(metrics, { host: config.BACKUP_METRICS_HOST, port: config.BACKUP_METRICS_PORT });
process.stdout.write(`backup: ${backups.summary}\n`);
const stop = (): void => {
  server?.close();
  void backups.service
    .stop()
    .then(() => storage?.close())
    .then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
