import pg from 'pg';
import { loadConfig } from '@launchdb/common/config';
import { createPool } from '@launchdb/common/db';
import { createLogger } from '@launchdb/common/logger';
import { createMetricsRegistry } from '@launchdb/common/metrics';
import { parseMasterKey, SecretBox } from '@launchdb/common/secrets';
import { exitOnSignals, settingsOrExit } from '@launchdb/common/service-process';
import { createStorageBackend } from '@launchdb/storage-service/backends';
import { CaptureWorker } from './capture-worker.ts';
import { startWorkerServer } from './http-server.ts';
import { mainConfigSchema } from './main-config.ts';
import { registerWorkerMetrics } from './metrics.ts';

// The worker alone, as its container runs it; `launchdb up` starts it in-process instead.

const { config, secrets, backend } = settingsOrExit('worker', () => {
  const config = loadConfig(mainConfigSchema, { envFile: '.env' });
  return { config, secrets: new SecretBox(parseMasterKey(config.LAUNCHDB_MASTER_KEY)), backend: createStorageBackend(config) };
});

const logger = createLogger({ level: config.LOG_LEVEL, name: 'worker' });
const platformDb = createPool({ connectionString: config.DATABASE_URL, max: 2, applicationName: 'launchdb-worker' });
const worker = new CaptureWorker({
  platformDb,
  secrets,
  postgres: { host: config.POSTGRES_HOST, port: config.POSTGRES_PORT },
  pooler: { host: config.POOLER_HOST, port: config.POOLER_PORT },
  backend,
  settings: config,
  logger,
});

// Split topology: the services that see requests tell the worker which projects are active with
// `NOTIFY launchdb_project_active, '<project id>'` on the platform database (one session here).
const activity = new pg.Client({ connectionString: config.DATABASE_URL, application_name: 'launchdb-worker', keepAlive: true });
activity.on('error', (error) => logger.warn({ err: error }, 'project activity session lost; sweeps go on'));
activity.on('notification', (message) => {
  if (message.channel === 'launchdb_project_active' && message.payload) worker.projectActive(message.payload);
});
await activity.connect();
await activity.query('listen launchdb_project_active');

await worker.start();

const metrics = createMetricsRegistry('worker');
registerWorkerMetrics(metrics, worker);
const health = config.WORKER_HEALTH_PORT === 0
  ? undefined
  : await startWorkerServer({ worker, metrics, host: config.WORKER_HEALTH_HOST, port: config.WORKER_HEALTH_PORT });
logger.info({ worker: worker.id }, 'worker started');

exitOnSignals(async () => {
  health?.close();
  await worker.stop();
  await Promise.all([activity.end().catch(() => undefined), platformDb.end(), backend.close()]);
}, logger);
